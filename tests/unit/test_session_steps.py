"""Which screen of the session flow the therapist sees."""

from __future__ import annotations

from server.sessions.models import MassageSession, Score
from server.sessions.rules import active_seconds, session_step
from tests.clock import TEST_NOW

T0 = TEST_NOW.replace(minute=0, second=0, microsecond=0)


def score(phase: str) -> Score:
    return Score(client_id=phase * 4, patient_id=1, session_id=1, phase=phase, value=5, recorded_by_id=1)


def test_steps_follow_screen_consent_pre_running_post_note_done() -> None:
    s = MassageSession(patient_id=1, order_id=1, therapist_id=1, state="screening")
    assert session_step(s, []) == "screen"
    s.screened_at = T0
    assert session_step(s, []) == "consent"
    s.consent_at = T0
    assert session_step(s, []) == "pre"
    s.state, s.started_at = "in_progress", T0
    assert session_step(s, [score("pre")]) == "running"
    s.massage_ended_at = T0.replace(minute=20)
    assert session_step(s, [score("pre")]) == "post"
    assert session_step(s, [score("pre"), score("post")]) == "record"
    s.state = "completed"
    assert session_step(s, [score("pre"), score("post")]) == "done"


def test_active_seconds_count_from_start_to_end() -> None:
    assert active_seconds(T0, T0.replace(minute=20)) == 1200
    assert active_seconds(None, T0) == 0
