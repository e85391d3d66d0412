"""`goalgraph eval memory-t1`: both systems in one run, the results contract, and clear bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from goalgraph.agents.memory_t1._qa_eval import evaluate_qa, load_qa, stratified
from goalgraph.llm import scripted
from goalgraph.memory import MemoryStore


def _app():  # type: ignore[no-untyped-def]
    import typer

    from goalgraph.agents.memory_t1.cli import command

    app = typer.Typer()
    app.command()(command)
    return app


def _session(sid: str, when: str, line: str) -> dict[str, str]:
    return {"session_id": sid, "time": when, "text": f"Ann {when} : {line}\nBen {when} : Nice."}


ROWS = [
    {
        "question_id": "q1",
        "level": "Level 2",
        "task": "Explicit_Reasoning",
        "asked_at": "2025-07-24 13:08:52",
        "question": "What did Ann do between June 1, 2023 and June 30, 2023?\nA. Ann took a pottery class.\n"
        "B. Ann hiked Mount Rainier.\nC. Ann adopted a puppy.",
        "sessions": [_session("1", "2023-05-08T13:56:00", "I went to a pottery class yesterday.")],
        "gold_answer": "B",
        "time_range": {"start": "2023-06-01T00:00:00", "end": "2023-06-30T23:59:59"},
    },
    {
        "question_id": "q2",
        "level": "Level 2",
        "task": "Explicit_Reasoning",
        "asked_at": "2025-07-24 13:09:00",
        "question": "What did Ann do between May 1, 2023 and May 10, 2023?\nA. Ann took a pottery class.\n"
        "B. Ann hiked Mount Rainier.\nC. Ann adopted a puppy.",
        "sessions": [
            _session("2", "2023-06-20T10:00:00", "We hiked Mount Rainier last weekend."),
            _session("3", "2023-08-02T18:30:00", "I adopted a puppy named Max today."),
        ],
        "gold_answer": "A",
        "time_range": {"start": "2023-05-01T00:00:00", "end": "2023-05-10T23:59:59"},
    },
    {
        "question_id": "q3",
        "level": "Level 1",
        "task": "Localization",
        "asked_at": "2025-07-24 13:10:00",
        "question": "When did Ann adopt a puppy named Max?",
        "sessions": [_session("3", "2023-08-02T18:30:00", "I adopted a puppy named Max today.")],
        "gold_answer": "6:30 pm, August 2, 2023",
        "time_range": {"start": "unknown", "end": "2025-07-17T11:42:53"},
    },
]


def _write(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_filter_raises_precision_and_accuracy(tmp_path: Path) -> None:
    # Pooled by conversation (same speakers), each question sees all three sessions of Ann and Ben.
    report = evaluate_qa(load_qa(_write(tmp_path, ROWS)), None, MemoryStore(embedder="hash"))
    on, off = report["summary"]["memory_t1"], report["summary"]["no_time_filter"]
    assert on["accuracy"] == 1.0 and off["accuracy"] < 1.0
    by_q = {(e["system"], e["question_id"]): e for e in report["episodes"]}
    assert by_q[("memory_t1", "q2")]["candidates"] == ["session_1"] and by_q[("memory_t1", "q2")]["filtered"]
    assert by_q[("memory_t1", "q3")]["answer"] == "6:30 pm, August 2, 2023"  # localization from evidence
    assert on["temporal_precision"] > off["temporal_precision"]
    assert set(report["by_group"]["memory_t1"]) == {
        "level:Level 1",
        "level:Level 2",
        "task:Explicit_Reasoning",
        "task:Localization",
    }
    # a question about its own sessions only: q1 has no session in June, so nothing can be filtered
    alone = evaluate_qa(
        load_qa(_write(tmp_path, ROWS)), None, MemoryStore(embedder="hash"), memory="question"
    )
    assert {e["n_sessions"] for e in alone["episodes"] if e["question_id"] == "q1"} == {1}


def test_model_answer_is_typed_and_kept(tmp_path: Path) -> None:
    model = scripted([{"selected_memory": ["session_3"], "answer": "C"}] * 2)
    items = load_qa(_write(tmp_path, ROWS[1:2]))
    report = evaluate_qa(items, model, MemoryStore(embedder="hash"), memory="question")
    eps = report["episodes"]
    # the model's own answer and selection are kept next to the evidence answer
    assert [(e["llm_answer"], e["selected_memory"]) for e in eps] == [("C", ["session_3"])] * 2
    assert report["summary"]["memory_t1"]["llm_accuracy"] == 0.0


def test_a_failing_model_does_not_stop_the_run(tmp_path: Path) -> None:
    # an id outside the candidates fails validation every time: the answer falls back to the evidence
    model = scripted([{"selected_memory": ["session_9"], "answer": "C"}] * 8)
    report = evaluate_qa(load_qa(_write(tmp_path, ROWS[1:2])), model, MemoryStore(embedder="hash"))
    assert {e["llm_answer"] for e in report["episodes"]} == {None}
    assert all(e["answer"] in ("A", "B", "C") for e in report["episodes"])


def test_stratified_sample_is_deterministic(tmp_path: Path) -> None:
    items = load_qa(_write(tmp_path, ROWS))
    picked = stratified(items, 2)
    assert [i.row["question_id"] for i in picked] == ["q1", "q3"]  # one per task, file order
    assert [i.row["question_id"] for i in stratified(items, 2)] == ["q1", "q3"]


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ([{"question": "x"}], "qa.jsonl:1: missing field 'question_id'"),
        (
            [{**ROWS[0], "sessions": [{"session_id": "1", "time": "not a time", "text": ""}]}],
            "sessions[0].time",
        ),
        ([{**ROWS[0], "asked_at": "yesterday"}], "qa.jsonl:1"),
        ([{**ROWS[0], "sessions": "oops"}], "'sessions' must be a list"),
    ],
)
def test_bad_rows_exit_2_naming_the_line(tmp_path: Path, rows: list[dict[str, object]], needle: str) -> None:
    out = tmp_path / "out.json"
    res = CliRunner().invoke(
        _app(), ["--data", str(_write(tmp_path, rows)), "--out", str(out), "--model", "none"]
    )
    assert res.exit_code == 2 and needle in " ".join(res.output.split()), res.output
    assert not out.exists()


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    data = _write(tmp_path, ROWS)
    runner = CliRunner()
    for args, needle in [
        (["--data", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o.json")], "--data"),
        (["--data", str(data), "--out", str(tmp_path), "--model", "none"], "is a directory"),
        (["--data", str(data), "--out", str(tmp_path / "o.json"), "--limit", "0"], "--limit"),
        (["--data", str(data), "--out", str(tmp_path / "o.json"), "--memory", "all"], "--memory"),
        (["--data", str(data), "--out", str(tmp_path / "o.json"), "--model", "gpt"], "--model"),
    ]:
        res = runner.invoke(_app(), args)
        assert res.exit_code == 2 and needle in res.output, (args, res.output)
    assert not (tmp_path / "o.json").exists()


def test_cli_writes_the_contract(tmp_path: Path) -> None:
    out = tmp_path / "r" / "memory_t1.json"
    res = CliRunner().invoke(
        _app(), ["--data", str(_write(tmp_path, ROWS)), "--out", str(out), "--model", "none"]
    )
    assert res.exit_code == 0, res.output
    report = json.loads(out.read_text())
    assert set(report) >= {"summary", "by_group", "episodes"}
    for system in ("memory_t1", "no_time_filter"):
        assert {"accuracy", "temporal_precision"} <= set(report["summary"][system])


def test_shared_qa_sample(shared_data: Path) -> None:
    items = load_qa(shared_data / "time-dialog" / "qa.jsonl", limit=22)
    assert len({i.row["task"] for i in items}) == 11  # two per task
    report = evaluate_qa(items, None, MemoryStore(embedder="hash"))
    on, off = report["summary"]["memory_t1"], report["summary"]["no_time_filter"]
    assert on["n"] == off["n"] == 22
    assert on["temporal_precision"] >= off["temporal_precision"]
