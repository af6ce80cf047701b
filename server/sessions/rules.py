"""Session rules as plain functions: which step comes next, and what a replayed submission means."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from server.errors import Conflict, InvalidInput
from server.sessions.models import MassageSession, Phase, Score, SessionState


@dataclass(frozen=True)
class ScoreSubmission:
    client_id: str
    session_id: int
    patient_id: int | None
    phase: str
    value: object
    measure: str = "pain"
    items: dict[str, object] | None = None
    """For observed scales (PAINAD, FLACC): each item's 0-2 score; the value is their total."""
    not_obtainable: str = ""
    """Instead of a value, after the massage: why no score could be had (the patient fell asleep...)."""


class ReplayMismatch(Conflict):
    pass


NOT_OBTAINABLE_REASONS = {
    "asleep": "asleep",
    "left_unit": "left the unit",
    "declined": "declined",
    "unable": "unable to self-report",
}
"""Real sessions often end without a post score; it is recorded as not obtainable, never as 0 or blank."""


def check_not_obtainable(reason: str, phase: str, measure: str) -> str:
    if not reason:
        return ""
    if reason not in NOT_OBTAINABLE_REASONS:
        raise InvalidInput(f"Not obtainable because: {', '.join(NOT_OBTAINABLE_REASONS.values())}.")
    if phase == "pre" or measure != "pain":
        raise InvalidInput("Only the pain score after the massage can be recorded as not obtainable.")
    return reason


def is_replay_of(existing: Score | None, submission: ScoreSubmission) -> bool:
    """True if this client id was already stored for the same session: answer as the first time.

    A client id reused for another session or phase is a client bug, refused rather than guessed at.
    """
    if existing is None:
        return False
    if (
        existing.session_id != submission.session_id
        or existing.phase != submission.phase
        or existing.measure != submission.measure
    ):
        raise ReplayMismatch("This submission id was already used for a different score; nothing was stored.")
    return True


def session_step(massage_session: MassageSession, scores: Iterable[Score]) -> str:
    """The screen the therapist should see: screen, consent, pre, running, post, record or done."""
    phases = {s.phase for s in scores if s.measure == "pain"}
    state = massage_session.state
    if state in (SessionState.completed, SessionState.stopped, SessionState.rescheduled):
        return "done"
    if massage_session.screened_at is None:
        return "screen"
    if massage_session.consent_at is None:
        return "consent"
    if Phase.pre not in phases:
        return "pre"
    if massage_session.massage_ended_at is None:
        return "running"
    if Phase.post not in phases:
        return "post"
    return "record"


def active_seconds(started_at: datetime | None, ended_at: datetime) -> int:
    if started_at is None:
        return 0
    return max(0, int((ended_at - started_at).total_seconds()))


def end_hands_on(massage_session: MassageSession, now: datetime) -> None:
    """The massage itself is over (finished, post score taken, or stopped): record when, and close the
    running stretch. Ending twice changes nothing."""
    if massage_session.started_at is not None and massage_session.massage_ended_at is None:
        massage_session.massage_ended_at = now
        close_running_stretch(massage_session, now)


def close_running_stretch(massage_session: MassageSession, now: datetime) -> None:
    """Add the current stretch of hands-on time to the session's active seconds (pauses are excluded)."""
    if massage_session.running_since is not None:
        massage_session.active_seconds += active_seconds(massage_session.running_since, now)
        massage_session.running_since = None
