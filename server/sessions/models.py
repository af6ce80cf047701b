"""Massage sessions and the scores (observations) recorded before and after them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class SessionState(StrEnum):
    planned = "planned"
    screening = "screening"
    in_progress = "in_progress"
    paused = "paused"
    completed = "completed"
    stopped = "stopped"
    rescheduled = "rescheduled"


OPEN_STATES = frozenset(
    {SessionState.planned, SessionState.screening, SessionState.in_progress, SessionState.paused}
)


OPEN_SESSION = "state IN ('planned', 'screening', 'in_progress', 'paused')"
"""At most one open session per patient: a unique index on these rows (migration 0007)."""


class Phase(StrEnum):
    pre = "pre"
    post = "post"
    follow_up = "follow_up"


class MassageSession(SQLModel, table=True):
    __tablename__ = "massage_session"
    __table_args__ = (
        Index(
            "uq_massage_session_one_open_per_patient",
            "patient_id",
            unique=True,
            sqlite_where=text(OPEN_SESSION),
            postgresql_where=text(OPEN_SESSION),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    order_id: int = Field(foreign_key="massage_order.id")
    therapist_id: int = Field(foreign_key="care_user.id")
    state: str = Field(default=SessionState.screening, max_length=20)
    created_at: datetime
    started_at: datetime | None = None
    """When hands-on massage began (after the pre score)."""
    massage_ended_at: datetime | None = None
    completed_at: datetime | None = None
    active_seconds: int = 0
    stop_reason: str = Field(default="", max_length=80)
    techniques: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pressure_used: int | None = None
    position: str = Field(default="", max_length=20)
    note: str = Field(default="", max_length=2000)
    signed_at: datetime | None = None
    signed_by_id: int | None = Field(default=None, foreign_key="care_user.id")
    screening: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """The contraindication screen: item -> no / modify / stop."""
    screening_precautions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    screened_at: datetime | None = None
    consent_by: str = Field(default="", max_length=20)
    """patient or surrogate; always verbal at the bedside."""
    consent_surrogate_name: str = Field(default="", max_length=120)
    consent_at: datetime | None = None
    paused_at: datetime | None = None
    running_since: datetime | None = None
    """Start of the current stretch of hands-on time; active_seconds holds the stretches before it."""
    pressure_reason: str = Field(default="", max_length=200)
    region_reasons: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Restricted regions treated anyway, each with the therapist's recorded reason."""
    response: str = Field(default="", max_length=40)
    soap_subjective: str = Field(default="", max_length=2000)
    soap_objective: str = Field(default="", max_length=2000)
    soap_assessment: str = Field(default="", max_length=2000)
    soap_plan: str = Field(default="", max_length=2000)
    reschedule_reason: str = Field(default="", max_length=40)
    rescheduled_for: datetime | None = None
    """When a session that could not start is due again (it comes back on the worklist then)."""


class Score(SQLModel, table=True):
    """One observation: pain (or another symptom) on one scale, in one phase of a session.

    `client_id` is generated on the tablet for each submission, so a retried or replayed
    submission is stored once. At most one score per session, phase and measure.
    """

    __table_args__ = (
        UniqueConstraint("session_id", "phase", "measure", name="uq_score_one_per_session_phase_measure"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(unique=True, index=True, max_length=64)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    session_id: int = Field(foreign_key="massage_session.id", index=True)
    phase: str = Field(max_length=16)
    measure: str = Field(default="pain", max_length=16)
    scale: str = Field(default="nrs", max_length=16)
    value: int | None = None
    not_obtainable_reason: str = Field(default="", max_length=40)
    items: dict[str, int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    """Item scores of an observed scale (PAINAD, FLACC); `value` is their total."""
    recorded_by_id: int = Field(foreign_key="care_user.id")
    recorded_at: datetime
    """When the server received it (its own clock)."""
    tablet_recorded_at: datetime | None = None
    """When the therapist tapped it, by the tablet's own clock (offline, perhaps long before)."""


class TabletStep(SQLModel, table=True):
    """The receipt of one session step sent by a tablet (pause, resume, finish, sign, stop...): its client
    id is unique, so a step the tablet sends twice (a retry, a replay from its outbox, two requests at once)
    is applied once and the second is answered as the first. Written in the same transaction as the step.
    Scores need no receipt: `Score.client_id` is unique itself."""

    __tablename__ = "tablet_step"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(unique=True, max_length=64)
    session_id: int = Field(foreign_key="massage_session.id", index=True)
    user_id: int = Field(foreign_key="care_user.id")
    step: str = Field(max_length=40)
    body_digest: str = Field(max_length=64)
    """SHA-256 of what was sent: the same client id with another body is refused, not guessed at."""
    tablet_recorded_at: datetime | None = None
    """When the therapist tapped, by the tablet's clock."""
    tablet_sent_at: datetime | None = None
    """When the tablet sent it, by the tablet's clock: with `received_at`, the tablet clock's offset."""
    received_at: datetime
    """When the server received it (its own clock)."""
    applied_at: datetime
    """The time the step was charted at: the tablet's time corrected for its clock (see tablet.py)."""


class Amendment(SQLModel, table=True):
    """A correction to a signed session record: added beside the original, never written over it."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="massage_session.id", index=True)
    author_id: int = Field(foreign_key="care_user.id")
    author_name: str = Field(max_length=120)
    at: datetime
    reason: str = Field(max_length=200)
    text: str = Field(max_length=2000)


class Interruption(SQLModel, table=True):
    """A nurse interrupts a running session: it pauses; the therapist acknowledges; the nurse sees it."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="massage_session.id", index=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    therapist_id: int = Field(foreign_key="care_user.id", index=True)
    raised_by_id: int = Field(foreign_key="care_user.id")
    raised_by_name: str = Field(max_length=120)
    reason: str = Field(max_length=40)
    note: str = Field(default="", max_length=200)
    raised_at: datetime
    acknowledged_by_name: str = Field(default="", max_length=120)
    acknowledged_at: datetime | None = None
