"""A retried or replayed score submission (same client id) is stored once."""

from __future__ import annotations

import pytest

from server.sessions.models import Score
from server.sessions.rules import ReplayMismatch, ScoreSubmission, is_replay_of


def stored(**overrides: object) -> Score:
    fields = {
        "client_id": "abc12345",
        "patient_id": 1,
        "session_id": 7,
        "phase": "pre",
        "measure": "pain",
        "scale": "nrs",
        "value": 6,
        "recorded_by_id": 1,
    }
    return Score(**{**fields, **overrides})  # type: ignore[arg-type]


def submission(**overrides: object) -> ScoreSubmission:
    fields = {"client_id": "abc12345", "session_id": 7, "patient_id": 1, "phase": "pre", "value": 6}
    return ScoreSubmission(**{**fields, **overrides})  # type: ignore[arg-type]


def test_first_submission_is_not_a_replay() -> None:
    assert is_replay_of(None, submission()) is False


def test_same_id_for_the_same_session_and_phase_is_a_replay() -> None:
    assert is_replay_of(stored(), submission()) is True


def test_replay_answers_as_the_first_time_even_if_the_value_differs() -> None:
    """The first value stands: a replay never overwrites what was charted."""
    assert is_replay_of(stored(value=6), submission(value=9)) is True


@pytest.mark.parametrize("change", [{"session_id": 8}, {"phase": "post"}, {"measure": "anxiety"}])
def test_same_id_for_a_different_score_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ReplayMismatch):
        is_replay_of(stored(), submission(**change))
