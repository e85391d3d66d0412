"""Ingest multi-session dialogues (LoCoMo, Time-Dialog, plain lists) into a MemoryStore with timestamps."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from dateutil import parser as dateutil_parser
from langgraph.store.base import BaseStore

from ._types import Session

__all__ = [
    "ingest_sessions",
    "load_sessions",
    "sessions_from_locomo",
    "sessions_from_time_dialog",
    "speakers_of",
    "utterance_time",
]

# Time-Dialog utterances are "Speaker 2020-04-02T14:03:00 : text" (the session's time) or, in some
# conversations, "Speaker (15.01.2024, 22:45:41) 2024-01-15T22:16:39 : text" with the utterance's own time.
_TD_LINE = re.compile(
    r"^(?P<speaker>.+?)(?: \((?P<dd>\d{2})\.(?P<mo>\d{2})\.(?P<yy>\d{4}), (?P<clock>\d{1,2}:\d{2}(?::\d{2})?)\))?"
    r" (?P<ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?) : (?P<text>.*)$"
)


def utterance_time(line: str) -> tuple[str, str, datetime] | None:
    """(speaker, text, time) of a Time-Dialog utterance line, or None for a plain line."""
    m = _TD_LINE.match(line)
    if not m:
        return None
    if m["clock"]:
        when = _time(f"{m['yy']}-{m['mo']}-{m['dd']}T{m['clock']}", "utterance time")
    else:
        when = _time(m["ts"], "utterance time")
    return m["speaker"], m["text"], when


def speakers_of(session: Session) -> list[str]:
    """Speakers of a session's utterances, most frequent first (lower-cased)."""
    counts: dict[str, int] = {}
    for turn in session.turns:
        parsed = utterance_time(turn)
        name = parsed[0] if parsed else turn.split(":", 1)[0] if ":" in turn else ""
        if name.strip():
            counts[name.strip().lower()] = counts.get(name.strip().lower(), 0) + 1
    return sorted(counts, key=lambda n: (-counts[n], n))


def _time(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        # LoCoMo writes "1:56 pm on 8 May, 2023"; dateutil needs the "on" gone.
        return dateutil_parser.parse(str(value).replace(" on ", " "))
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{where}: cannot read time {value!r}") from exc


def sessions_from_locomo(conversation: Mapping[str, Any]) -> list[Session]:
    """Sessions of one LoCoMo conversation (``session_N`` + ``session_N_date_time``)."""
    sessions = []
    for key, turns in conversation.items():
        m = re.fullmatch(r"session_(\d+)", key)
        if not m or not isinstance(turns, list):
            continue
        when = _time(conversation.get(f"{key}_date_time"), f"{key}_date_time")
        lines = tuple(
            f"{t.get('speaker', '?')}: {t.get('text', '')}" for t in turns if isinstance(t, Mapping)
        )
        sessions.append(Session(session_id=key, time=when, turns=lines))
    if not sessions:
        raise ValueError("conversation: no session_N lists found (not LoCoMo format?)")
    return sorted(sessions, key=lambda s: s.time)


def sessions_from_time_dialog(row: Mapping[str, Any]) -> list[Session]:
    """Sessions of one Time-Dialog qa.jsonl row (``sessions: [{session_id, time, text}]``)."""
    out = []
    for i, s in enumerate(row.get("sessions") or []):
        sid = str(s.get("session_id", i))
        sid = sid if sid.startswith("session_") else f"session_{sid}"
        out.append(
            Session(
                session_id=sid,
                time=_time(s.get("time"), f"sessions[{i}].time"),
                turns=tuple(line for line in str(s.get("text", "")).splitlines() if line.strip()),
            )
        )
    return out


def load_sessions(items: Iterable[Mapping[str, Any]]) -> list[Session]:
    """Sessions from the plain API: ``[{session_id, time, turns}]`` (turns: strings or {speaker, text})."""
    out = []
    for i, item in enumerate(items):
        if "session_id" not in item or "time" not in item:
            raise ValueError(f"sessions[{i}]: needs 'session_id' and 'time'")
        turns = tuple(
            t if isinstance(t, str) else f"{t.get('speaker', '?')}: {t.get('text', '')}"
            for t in item.get("turns") or []
        )
        out.append(
            Session(
                session_id=str(item["session_id"]),
                time=_time(item["time"], f"sessions[{i}].time"),
                turns=turns,
            )
        )
    return out


def ingest_sessions(store: BaseStore, namespace: Sequence[str], sessions: Iterable[Session]) -> int:
    """Put each session under ``(*namespace, 'sessions')`` and each utterance under ``(*namespace, 'utterances')``.

    With a goalgraph MemoryStore the session / utterance times become event timestamps (time-window
    search); with any other BaseStore they are stored in the value. Returns the number of sessions.
    """
    ns = tuple(namespace)
    items: list[dict[str, Any]] = []
    n = 0
    for s in sessions:
        n += 1
        text = s.text or s.session_id
        items.append(
            {
                "namespace": (*ns, "sessions"),
                "key": s.session_id,
                "text": text,
                "timestamp": s.time,
                "value": {"text": text, "session_id": s.session_id, "time": s.time.isoformat()},
                "metadata": {"session_id": s.session_id},
            }
        )
        for j, turn in enumerate(s.turns):
            parsed = utterance_time(turn)
            when = parsed[2] if parsed else s.time
            body = f"{parsed[0]}: {parsed[1]}" if parsed else turn
            if not body.strip():
                continue
            items.append(
                {
                    "namespace": (*ns, "utterances"),
                    "key": f"{s.session_id}:{j}",
                    "text": body,
                    "timestamp": when,
                    "value": {"text": body, "session_id": s.session_id, "time": when.isoformat(), "index": j},
                    "metadata": {"session_id": s.session_id},
                }
            )
    if hasattr(store, "add_many"):
        store.add_many(items)
    else:
        for it in items:
            store.put(it["namespace"], it["key"], it["value"], index=False)
    return n
