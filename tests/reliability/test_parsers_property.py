"""Property-based tests (hypothesis) for the parsers users and models feed text to: temporal expressions,
household commands, 4KAgent profiles and the trace viewer's run references. Each must return its
documented result or raise only its documented error type, whatever the text.
"""

from __future__ import annotations

import contextlib
import string
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goalgraph.agents.fourk.profiles import Profile, ProfileError, load_profile
from goalgraph.envs.household import ACTIONS, HouseholdEnv, parse_command, procedural_episode
from goalgraph.tools.temporal import TimeWindow, WindowGuess, parse_point, parse_window, resolve_guess

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of temporal language, recombined at random with numbers that are out of range on purpose.
_WORDS = [
    "between",
    "and",
    "from",
    "to",
    "until",
    "since",
    "before",
    "after",
    "on",
    "in",
    "at",
    "of",
    "the",
    "last",
    "next",
    "this",
    "ago",
    "earlier",
    "later",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "day",
    "days",
    "yesterday",
    "today",
    "tomorrow",
    "morning",
    "evening",
    "night",
    "noon",
    "midnight",
    "am",
    "pm",
    "a.m.",
    "p.m.",
    "January",
    "Feb",
    "March",
    "may",
    "Sept",
    "December",
    "Monday",
    "friday",
    "Christmas",
    "Easter",
    "weekend",
    "summer",
    "two",
    "three",
    "twelve",
    "a",
    "couple",
    "few",
    "first",
    "second",
    "quarter",
    "half",
    "When",
    "How long",
    "What",
    "did",
    "Ann",
    ",",
    "?",
    "-",
    "/",
    ":",
    "'",
]
_NUMBERS = st.one_of(
    st.integers(-5, 70).map(str),
    st.sampled_from(["0", "00", "1900", "2020", "2023", "9999", "10000", "99999999999", "2023-13-45"]),
    st.tuples(st.integers(0, 40), st.integers(0, 99)).map(lambda t: f"{t[0]}:{t[1]:02d}"),
    st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 10000)).map(
        lambda t: f"{t[0]}/{t[1]}/{t[2]}"
    ),
)
TEMPORAL_TEXT = st.one_of(
    st.lists(st.one_of(st.sampled_from(_WORDS), _NUMBERS), max_size=14).map(" ".join),
    st.text(max_size=80),
)
MOMENTS = st.one_of(st.none(), st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
# `resolve_guess` steps back from the moment of asking; from year 1 that leaves the calendar (reported).
ASKING = st.one_of(st.none(), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)))


@FAST
@given(question=TEMPORAL_TEXT, asked_at=MOMENTS)
def test_parse_window_always_returns_a_window(question: str, asked_at: datetime | None) -> None:
    window = parse_window(question, asked_at=asked_at)
    assert isinstance(window, TimeWindow)
    if window.start is not None and window.end is not None:
        assert window.start <= window.end


@FAST
@given(text=TEMPORAL_TEXT, end=st.booleans())
def test_parse_point_returns_a_moment_or_none(text: str, end: bool) -> None:
    assert parse_point(text, end=end) is None or isinstance(parse_point(text, end=end), datetime)


@FAST
@given(
    guess=st.builds(
        WindowGuess,
        unit=st.sampled_from(["none", "day", "week", "month", "year"]),
        year=st.one_of(st.none(), st.integers(1900, 2100)),
        month=st.one_of(st.none(), st.integers(1, 12)),
        day=st.one_of(st.none(), st.integers(1, 31)),
        periods_ago=st.one_of(st.none(), st.integers(0, 100)),
    ),
    question=TEMPORAL_TEXT,
    asked_at=ASKING,
)
def test_resolve_guess_returns_a_window_or_none(
    guess: WindowGuess, question: str, asked_at: datetime | None
) -> None:
    window = resolve_guess(guess, question, asked_at)
    assert window is None or isinstance(window, TimeWindow)


_VERBS = [
    "navigate to",
    "pickup",
    "pick up",
    "put",
    "put in",
    "toggle",
    "open",
    "close",
    "observe",
    "move forward",
    "end",
    "teleport",
    "Navigate To",
    "PUT IN",
    "",
]
COMMANDS = st.one_of(
    st.tuples(st.sampled_from(_VERBS), st.text(max_size=30)).map(lambda t: f"{t[0]} {t[1]}"),
    st.text(max_size=60),
)


@FAST
@given(command=COMMANDS)
def test_parse_command_returns_an_available_action_or_none(command: str) -> None:
    parsed = parse_command(command)
    assert parsed is None or (parsed[0] in ACTIONS and (parsed[1] is None or parsed[1].strip()))


_EPISODE = procedural_episode(seed=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands=st.lists(COMMANDS, min_size=1, max_size=12))
def test_the_simulator_survives_any_command_sequence(commands: list[str]) -> None:
    scene, task = _EPISODE
    env = HouseholdEnv(scene)
    env.reset(task)
    for command in commands:
        if env.done:
            break
        result = env.step(command)
        assert result.success or result.feedback  # a refused command says why
    assert env.step_count <= env.max_steps


def _profile_keys() -> list[str]:
    keys = {"Unknown", "name"}
    for name, info in Profile.model_fields.items():
        keys.add(name)
        alias = info.validation_alias
        for choice in getattr(alias, "choices", []):
            keys.add(str(choice))
    return sorted(keys)


YAML_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=True),
        st.text(max_size=20),
        st.sampled_from(["denoising", "super-resolution", "Fidelity", "Perception"]),
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
PROFILE_DOCS = st.one_of(
    st.dictionaries(st.sampled_from(_profile_keys()), YAML_VALUES, max_size=6).map(
        lambda d: yaml.safe_dump(d, allow_unicode=True)
    ),
    st.text(max_size=120),
    st.lists(
        st.sampled_from(
            [
                ":",
                "-",
                "[",
                "]",
                "{",
                "}",
                "'",
                '"',
                "&a",
                "*a",
                "!!python/object:os.system",
                "\t",
                "\n",
                "key",
                " ",
            ]
        ),
        max_size=30,
    ).map("".join),
)


@FAST
@given(document=PROFILE_DOCS)
def test_profile_yaml_loads_or_raises_profile_error(
    document: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("profile") / "p.yaml"
    path.write_text(document, encoding="utf-8")
    try:
        profile = load_profile(path)
    except ProfileError as error:
        assert str(path) in str(error)
    else:
        assert isinstance(profile, Profile)


@FAST
@given(name=st.text(max_size=40))
def test_profile_names_resolve_or_raise_profile_error(name: str) -> None:
    with contextlib.suppress(ProfileError):
        assert isinstance(load_profile(name), Profile)


def test_yaml_tags_cannot_run_code(tmp_path: Path) -> None:
    """Profiles are read with yaml.safe_load: a python/object tag is an error, not a call."""
    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(f"Name: !!python/object/apply:os.system ['touch {marker}']\n")
    try:
        load_profile(path)
    except ProfileError as error:
        assert "evil.yaml" in str(error)
    assert not marker.exists()


@FAST
@given(ref=st.text(alphabet=string.printable + "éß", max_size=40))
def test_run_references_resolve_or_raise_run_not_found(
    ref: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from goalgraph.traces import RunNotFoundError, TraceStore

    store = TraceStore(tmp_path_factory.getbasetemp() / "refs.db")
    try:
        store.resolve(ref)
    except RunNotFoundError:
        pass
    finally:  # the store is empty: every reference is "not found", never an SQL error
        store.close()
