"""Bad input to `goalgraph traces …`: missing and broken stores, bad OTLP files, bad options; hostile span names (see conftest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Case, case_params, check, invoke


@pytest.fixture(scope="module")
def trace_db(files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real trace store with one run, and OTLP-JSON files made from it."""
    from goalgraph import traces

    db = tmp_path_factory.mktemp("store") / "traces.db"
    traces.setup(db, settings=traces.TraceSettings(batch_delay_ms=20))
    with traces.agent_run("one-run"):
        pass
    traces.shutdown()
    store = traces.TraceStore(db)
    traces.export_otlp_json(store, store.trace_ids(), files / "good.jsonl")
    store.close()
    good = (files / "good.jsonl").read_text()
    trace_id = json.loads(good)["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
    # Two good traces, then a broken line: the import must write neither of the good ones.
    broken = '{"resourceSpans": [{"scopeSpans": [{"spans": [{}]}]}]}\n'
    (files / "otlp-line3.jsonl").write_text(good + good.replace(trace_id, "f" * 32) + broken)
    (files / "latin1.jsonl").write_bytes('{"resourceSpans": [], "x": "café"}\n'.encode("latin-1"))
    (files / "utf16.jsonl").write_bytes('{"resourceSpans": []}\n'.encode("utf-16"))
    return db


def _span_count(db: Path) -> int:
    from goalgraph.traces import TraceStore

    store = TraceStore(db, create=False)
    try:
        return sum(len(list(store.spans(t))) for t in store.trace_ids())
    finally:
        store.close()


CASES: list[Case] = [
    (
        "serve-missing-db",
        lambda d, db: ["traces", "serve", "--db", f"{d}/nowhere.db"],
        ("--db", "nowhere.db"),
    ),
    (
        "serve-not-a-db",
        lambda d, db: ["traces", "serve", "--db", f"{d}/not-a-db.db"],
        ("not-a-db.db", "not a goalgraph trace store"),
    ),
    ("serve-db-dir", lambda d, db: ["traces", "serve", "--db", f"{d}/a-dir.jsonl"], ("--db", "a-dir.jsonl")),
    ("serve-port-type", lambda d, db: ["traces", "serve", "--db", str(db), "--port", "http"], ("--port",)),
    ("serve-port-range", lambda d, db: ["traces", "serve", "--db", str(db), "--port", "70000"], ("--port",)),
    (
        "serve-remote-without-flag",
        lambda d, db: ["traces", "serve", "--db", str(db), "--host", "0.0.0.0"],
        ("0.0.0.0", "--allow-remote"),
    ),
    (
        "serve-remote-without-token",
        lambda d, db: ["traces", "serve", "--db", str(db), "--host", "0.0.0.0", "--allow-remote"],
        ("--token",),
    ),
    (
        "serve-remote-short-token",
        lambda d, db: [
            "traces",
            "serve",
            "--db",
            str(db),
            "--host",
            "192.168.1.10",
            "--allow-remote",
            "--token",
            "abc",
        ],
        ("16 characters",),
    ),
    (
        "serve-hostname",
        lambda d, db: ["traces", "serve", "--db", str(db), "--host", "example.org"],
        ("example.org", "--allow-remote"),
    ),
    ("ls-not-a-db", lambda d, db: ["traces", "ls", "--db", f"{d}/not-a-db.db"], ("not-a-db.db",)),
    (
        "ls-status",
        lambda d, db: ["traces", "ls", "--db", str(db), "--status", "MAYBE"],
        ("--status", "MAYBE"),
    ),
    ("ls-limit", lambda d, db: ["traces", "ls", "--db", str(db), "--limit", "lots"], ("--limit",)),
    (
        "show-unknown-run",
        lambda d, db: ["traces", "show", "ffffffffffff", "--db", str(db)],
        ("ffffffffffff",),
    ),
    (
        "show-not-hex",
        lambda d, db: ["traces", "show", "../../etc/passwd", "--db", str(db)],
        ("../../etc/passwd",),
    ),
    ("show-markup-ref", lambda d, db: ["traces", "show", "[/]", "--db", str(db)], ("[/]",)),
    ("export-no-target", lambda d, db: ["traces", "export", "--db", str(db)], ("--otlp-json",)),
    (
        "export-to-dir",
        lambda d, db: ["traces", "export", "last", "--db", str(db), "--otlp-json", f"{d}/a-dir.jsonl"],
        ("a-dir.jsonl", "directory"),
    ),
    (
        "export-unknown-run",
        lambda d, db: ["traces", "export", "abcdef", "--db", str(db), "--otlp-json", f"{d}/x.jsonl"],
        ("abcdef",),
    ),
    (
        "import-missing",
        lambda d, db: ["traces", "import", f"{d}/nowhere.jsonl", "--db", str(db)],
        ("nowhere.jsonl", "no such file"),
    ),
    (
        "import-dir",
        lambda d, db: ["traces", "import", f"{d}/a-dir.jsonl", "--db", str(db)],
        ("a-dir.jsonl", "directory"),
    ),
    (
        "import-not-json",
        lambda d, db: ["traces", "import", f"{d}/not-json.jsonl", "--db", str(db)],
        ("not-json.jsonl:1",),
    ),
    (
        "import-latin1",
        lambda d, db: ["traces", "import", f"{d}/latin1.jsonl", "--db", str(db)],
        ("latin1.jsonl:1", "utf-8"),
    ),
    (
        "import-utf16",
        lambda d, db: ["traces", "import", f"{d}/utf16.jsonl", "--db", str(db)],
        ("utf16.jsonl:1", "utf-8"),
    ),
    (
        "import-bad-line-3",
        lambda d, db: ["traces", "import", f"{d}/otlp-line3.jsonl", "--db", str(db)],
        ("otlp-line3.jsonl:3",),
    ),
    (
        "import-into-not-a-db",
        lambda d, db: ["traces", "import", f"{d}/otlp-line3.jsonl", "--db", f"{d}/not-a-db.db"],
        ("not-a-db.db",),
    ),
    (
        "import-into-dir",
        lambda d, db: ["traces", "import", f"{d}/otlp-line3.jsonl", "--db", f"{d}/a-dir.jsonl"],
        ("a-dir.jsonl", "directory"),
    ),
]


@pytest.mark.parametrize(("argv", "expected"), case_params(CASES))
def test_traces_commands(
    files: Path, trace_db: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    before = _span_count(trace_db)
    check(argv(files, trace_db), expected)
    assert _span_count(trace_db) == before  # nothing imported half-way


def test_hostile_span_names_do_not_break_the_terminal_output(tmp_path: Path) -> None:
    """Trace content is data, not rich markup: `[/]` or `[link=...]` in a name is printed as it is."""
    from opentelemetry.trace import Status, StatusCode

    from goalgraph import traces

    db = tmp_path / "traces.db"
    traces.setup(db, settings=traces.TraceSettings(batch_delay_ms=20))
    with (
        traces.agent_run("[/bold] agent [red]"),
        traces.start_span("[/] [link=file:///etc/passwd]x", kind=traces.SpanKind.TOOL) as span,
    ):
        span.set_status(Status(StatusCode.ERROR, "[/] failed [bold]"))
    traces.shutdown()
    for argv in (["traces", "show", "last", "--db", str(db)], ["traces", "ls", "--db", str(db)]):
        code, text, error = invoke(argv)
        assert error is None and code == 0, f"{argv}: {error} {text}"
    _, text, _ = invoke(["traces", "show", "last", "--db", str(db)])
    assert "[/] [link=file:///etc/passwd]x" in text and "[/] failed [bold]" in text
    _, text, _ = invoke(["traces", "ls", "--db", str(db)])
    assert "[/bold] agent [red]" in text
