"""`goalgraph eval memory-t1`: both systems in one run on the evaluation harness, the results contract,
resume after a kill, and clear bad-input errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from goalgraph.agents.memory_t1._qa_eval import QAEvalConfig, evaluate_qa, load_qa, stratified
from goalgraph.llm import scripted


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


def _config(tmp_path: Path, **kw: Any) -> QAEvalConfig:
    return QAEvalConfig(out=tmp_path / "out" / "r.json", quiet=True, chart=False, **kw)


def test_filter_raises_precision_and_accuracy(tmp_path: Path) -> None:
    # Pooled by conversation (same speakers), each question sees all three sessions of Ann and Ben.
    report = evaluate_qa(load_qa(_write(tmp_path, ROWS)), None, _config(tmp_path))
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
    assert report["by_group"]["memory_t1"]["level:Level 2"]["n"] == 2.0
    # the pipeline without the filter is planned without a time window at all
    assert by_q[("no_time_filter", "q2")]["steps"][0] == "all_sessions"
    assert by_q[("no_time_filter", "q2")]["window"] is None
    # a question about its own sessions only: q1 has no session in June, so nothing can be filtered
    alone = evaluate_qa(load_qa(_write(tmp_path, ROWS)), None, _config(tmp_path, memory="question"))
    assert {e["n_sessions"] for e in alone["episodes"] if e["question_id"] == "q1"} == {1}


def test_model_answer_is_typed_and_kept(tmp_path: Path) -> None:
    model = scripted([{"selected_memory": ["session_3"], "answer": "C"}] * 2)
    items = load_qa(_write(tmp_path, ROWS[1:2]))
    report = evaluate_qa(items, model, _config(tmp_path, memory="question", concurrency=1))
    eps = report["episodes"]
    # the model's own answer and selection are kept next to the evidence answer
    assert [(e["llm_answer"], e["selected_memory"]) for e in eps] == [("C", ["session_3"])] * 2
    assert report["summary"]["memory_t1"]["llm_accuracy"] == 0.0


def test_a_failing_model_does_not_stop_the_run(tmp_path: Path) -> None:
    # an id outside the candidates fails validation every time: the answer falls back to the evidence
    model = scripted([{"selected_memory": ["session_9"], "answer": "C"}] * 8)
    report = evaluate_qa(load_qa(_write(tmp_path, ROWS[1:2])), model, _config(tmp_path))
    assert {e["llm_answer"] for e in report["episodes"]} == {None}
    assert all(e["answer"] in ("A", "B", "C") for e in report["episodes"])
    # the failed step was replanned around: the evidence answered
    assert all(
        e["steps"][-2:] == ["select_and_answer:failed", "answer_from_evidence"] for e in report["episodes"]
    )


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
        (["--data", str(data), "--out", str(tmp_path / "o.json"), "--concurrency", "0"], "--concurrency"),
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
    assert set(report) >= {"summary", "by_group", "episodes", "config"}
    for system in ("memory_t1", "no_time_filter"):
        assert {"accuracy", "temporal_precision"} <= set(report["summary"][system])
        assert 0.0 <= report["summary"][system]["accuracy"] <= 1.0
        assert report["summary"][system]["n"] == 3.0
    assert len(report["episodes"]) == 6 and out.with_suffix(".png").stat().st_size > 1000
    assert {e["id"] for e in report["episodes"]} == {"q1", "q2", "q3"}


def test_repeated_question_ids_get_distinct_episodes(tmp_path: Path) -> None:
    rows = [ROWS[0], {**ROWS[1], "question_id": "q1"}]
    items = load_qa(_write(tmp_path, rows))
    assert [i.key for i in items] == ["q1@1", "q1@2"]
    report = evaluate_qa(items, None, _config(tmp_path))
    assert report["summary"]["memory_t1"]["n"] == 2.0


def _many_rows(n: int) -> list[dict[str, Any]]:
    return [{**ROWS[i % 3], "question_id": f"q{i}"} for i in range(n)]


@pytest.mark.slow  # two CLI processes start (about 10 s each on a busy machine)
def test_killed_eval_resumes_without_redoing_finished_episodes(tmp_path: Path) -> None:
    data, out = _write(tmp_path, _many_rows(12)), tmp_path / "r" / "memory_t1.json"
    argv = [
        sys.executable,
        "-m",
        "goalgraph.cli",
        "eval",
        "memory-t1",
        "--data",
        str(data),
        "--out",
        str(out),
    ]
    argv += ["--model", "none", "--concurrency", "1"]
    env = {**os.environ, "COLUMNS": "120"}
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = out.with_name(out.name + ".episodes.jsonl")
    deadline = time.time() + 120
    while time.time() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 3):
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    before = [line for line in log.read_text().splitlines() if line.endswith("}")]
    assert 3 <= len(before) < 24, "the run finished before it could be killed"

    done = subprocess.run([*argv, "--resume"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "resuming:" in done.stderr
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    keys = [(r["system"], r["id"]) for r in lines]
    # every episode exactly once: the finished ones were not run again, their records untouched
    assert sorted(keys) == sorted((s, f"q{i}") for s in ("memory_t1", "no_time_filter") for i in range(12))
    assert log.read_text().splitlines()[: len(before)] == before
    report = json.loads(out.read_text())
    assert report["summary"]["memory_t1"]["n"] == report["summary"]["no_time_filter"]["n"] == 12.0


def test_shared_qa_sample(shared_data: Path, tmp_path: Path) -> None:
    items = load_qa(shared_data / "time-dialog" / "qa.jsonl", limit=22)
    assert len({i.row["task"] for i in items}) == 11  # two per task
    report = evaluate_qa(items, None, _config(tmp_path))
    on, off = report["summary"]["memory_t1"], report["summary"]["no_time_filter"]
    assert on["n"] == off["n"] == 22
    assert not [e for e in report["episodes"] if "error" in e]
    assert on["temporal_precision"] >= off["temporal_precision"]
