"""Changes announce themselves: a service that changes what a screen shows records a `Change` inside its
transaction; once the transaction commits, one step publishes it (`server.db.unit_of_work`); a rollback
drops it. Route handlers never decide what to push.

A change about a patient is numbered for the patient's unit (`unit.last_event_seq`) and logged as a
`UnitEvent` in the same transaction, so a tablet that reconnects can say the last number it applied and
be sent only what it missed (`changed_patients_since`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import column, event, table, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.clock import clock_of

UNIT_NUMBERS = table("unit", column("id"), column("last_event_seq"))
"""Each unit's last event number (a column of the units table, read here without the patients package)."""
PENDING = "bedside_pending_changes"
COMMITTED = "bedside_committed_changes"


class View(StrEnum):
    """What a change can make stale on some screen."""

    worklist_card = "worklist_card"
    board_row = "board_row"
    availability_banner = "availability_banner"
    comfort_log = "comfort_log"
    therapist_screen = "therapist_screen"
    """One therapist's own tablets: interruptions full-screen and the interrupted session's timer."""
    presence = "presence"
    """Which therapists have a tablet connected, on the unit board."""
    sign_in = "sign_in"
    """A person's sign-in ended or was locked: its sockets, on every instance, are closed."""


ADDS_TO_LISTS = frozenset({"admitted", "transferred", "order_written", "order_resumed"})
"""Kinds of change that can add a card to a screen's list (a patient joins a unit, or the worklist). A tablet
that missed one is sent its whole screen when it reconnects: it has no card to update in place."""

CARD_VIEWS = frozenset({View.worklist_card, View.board_row, View.availability_banner})
"""The patient's card wherever it shows: worklist, unit board, the patient's own page."""
PATIENT_VIEWS = CARD_VIEWS | {View.comfort_log}


@dataclass(frozen=True)
class Change:
    kind: str
    views: frozenset[View]
    unit_id: int | None = None
    patient_id: int | None = None
    therapist_id: int | None = None
    seq: int | None = None
    """The unit's event number, for changes about a patient; tablets resume from it."""
    user_id: int | None = None
    """The person whose sign-in ended, for `View.sign_in`."""
    sign_in_id: str | None = None
    """For `View.sign_in`: only this sign-in's sockets close (a locked tablet); none: all the person's."""

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "views": sorted(self.views)})

    @classmethod
    def from_json(cls, raw: str | bytes) -> Change:
        data = json.loads(raw)
        return cls(**{**data, "views": frozenset(View(v) for v in data["views"])})


class UnitEvent(SQLModel, table=True):
    __tablename__ = "unit_event"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    seq: int
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    kind: str = Field(max_length=40)
    at: datetime


def _queue(db: AsyncSession | Session, key: str) -> list[Change]:
    return db.info.setdefault(key, [])  # type: ignore[no-any-return]


async def record_change(
    db: AsyncSession,
    kind: str,
    *,
    unit_id: int,
    patient_id: int,
    views: frozenset[View] = PATIENT_VIEWS,
    therapist_id: int | None = None,
) -> Change:
    """Number a change to a patient for their unit (atomically, on SQLite and PostgreSQL), log it, and
    queue it to be published when this transaction commits."""
    units = UNIT_NUMBERS.c
    result = await db.exec(  # type: ignore[call-overload]
        update(UNIT_NUMBERS)
        .where(units.id == unit_id)
        .values(last_event_seq=units.last_event_seq + 1)
        .returning(units.last_event_seq)
    )
    seq = int(result.scalar_one())
    db.add(UnitEvent(unit_id=unit_id, seq=seq, patient_id=patient_id, kind=kind, at=clock_of(db).now()))
    change = Change(kind, views, unit_id, patient_id, therapist_id, seq)
    _queue(db, PENDING).append(change)
    return change


def announce(db: AsyncSession, change: Change) -> None:
    """Queue a change that needs no number (who is connected) to be published after the commit."""
    _queue(db, PENDING).append(change)


def take_committed(db: AsyncSession) -> list[Change]:
    """The changes whose transactions have committed, once: the publisher's input."""
    return db.info.pop(COMMITTED, [])  # type: ignore[no-any-return]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    _queue(session, COMMITTED).extend(session.info.pop(PENDING, []))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


async def current_seqs(db: AsyncSession, unit_ids: list[int] | None) -> dict[int, int]:
    """These units' last event numbers; every unit's for None."""
    units = UNIT_NUMBERS.c
    query = select(units.id, units.last_event_seq)
    if unit_ids is not None:
        query = query.where(units.id.in_(unit_ids))
    rows = await db.exec(query)  # type: ignore[call-overload]
    return {int(unit_id): int(seq) for unit_id, seq in rows.all()}  # type: ignore[arg-type]


async def changed_patients_since(
    db: AsyncSession, unit_id: int, seq: int, upto: int, limit: int
) -> set[int] | None:
    """The patients of a unit changed after event `seq` up to `upto`, or None when that history is not
    all kept any more (or is longer than `limit`): then only the whole screen will do."""
    if seq == upto:
        return set()
    if not 0 <= seq < upto or upto - seq > limit:
        return None
    rows = await db.exec(
        select(func.count(), func.min(UnitEvent.seq)).where(
            UnitEvent.unit_id == unit_id, col(UnitEvent.seq) > seq, col(UnitEvent.seq) <= upto
        )
    )
    count, first = rows.one()
    if count != upto - seq or first != seq + 1:
        return None
    joined = await db.exec(
        select(func.count()).where(
            UnitEvent.unit_id == unit_id,
            col(UnitEvent.seq) > seq,
            col(UnitEvent.seq) <= upto,
            col(UnitEvent.kind).in_(ADDS_TO_LISTS),
        )
    )
    if joined.one():
        return None
    patients = await db.exec(
        select(UnitEvent.patient_id)
        .where(UnitEvent.unit_id == unit_id, col(UnitEvent.seq) > seq, col(UnitEvent.seq) <= upto)
        .distinct()
    )
    return {int(p) for p in patients.all() if p is not None}
