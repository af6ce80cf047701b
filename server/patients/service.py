"""Reading patients as the care team sees them: cards for the worklist and the unit board, and the chart.

Every read of patient data is audited here, in the same transaction as the read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NoReturn

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import User
from server.auth.policy import COMFORT_CARE_ONLY, may_break_the_glass, reads_patient
from server.availability.models import AvailabilityFlag
from server.clock import clock_of
from server.errors import Conflict, InvalidInput, NotAllowed, NotFound, OutsideYourUnits
from server.patients import break_glass
from server.patients.models import BreakGlassGrant, MassageOrder, OrderStatus, Patient, SiteRestriction, Unit
from server.sessions.models import OPEN_STATES, Interruption, MassageSession, Score


@dataclass
class PatientCard:
    """What one card shows: who, where, whether available now, precautions, last pain score."""

    patient: Patient
    unit: Unit
    order: MassageOrder | None
    restrictions: list[SiteRestriction] = field(default_factory=list)
    flag: AvailabilityFlag | None = None
    last_pain: Score | None = None
    open_session: MassageSession | None = None
    order_on_hold: MassageOrder | None = None
    therapist_name: str = ""
    """Who is giving the open session, for the nurses' board."""
    interruption: Interruption | None = None
    """The latest interruption of the open session, acknowledged or not."""
    rescheduled: MassageSession | None = None
    """Today's session that could not start, if nothing came after it."""

    def rescheduled_later(self, now: datetime) -> bool:
        due = self.rescheduled.rescheduled_for if self.rescheduled else None
        return due is not None and due > now

    @property
    def massage_in_progress(self) -> bool:
        s = self.open_session
        return s is not None and s.state in ("in_progress", "paused") and s.massage_ended_at is None

    @property
    def expected_end(self) -> datetime | None:
        """About when the massage ends: the order's length minus the active time so far."""
        s = self.open_session
        if s is None or self.order is None or s.started_at is None:
            return None
        remaining = max(0, self.order.duration_minutes * 60 - s.active_seconds)
        return (s.running_since or s.paused_at or s.started_at) + timedelta(seconds=remaining)

    @property
    def available(self) -> bool:
        return self.flag is None

    @property
    def precautions(self) -> list[str]:
        p = self.patient
        items = []
        if p.isolation:
            items.append(f"Isolation: {p.isolation}")
        if p.allergies:
            items.append(f"Allergies: {p.allergies}")
        if p.fall_risk:
            items.append("Fall risk")
        if p.non_verbal:
            items.append("Cannot self-report pain (observed scale)")
        return items


@dataclass
class SessionSummary:
    session: MassageSession
    pre_pain: Score | None
    post_pain: Score | None


@dataclass
class PatientChart:
    card: PatientCard
    sessions: list[SessionSummary]
    grant: BreakGlassGrant | None = None
    """The break-the-glass grant this chart is read under, if the patient is outside the reader's units."""


def order_is_current(order: MassageOrder, today: date) -> bool:
    return (
        order.status == OrderStatus.active
        and order.start_date <= today
        and (order.end_date is None or today <= order.end_date)
    )


async def load_cards(
    db: AsyncSession, patients: Sequence[Patient], now: datetime, today: date
) -> list[PatientCard]:
    """Build cards for many patients with one query per kind of row, not one per patient."""
    if not patients:
        return []
    ids = [p.id for p in patients]
    units = {
        u.id: u
        for u in (await db.exec(select(Unit).where(col(Unit.id).in_({p.unit_id for p in patients})))).all()
    }
    orders: dict[int, MassageOrder] = {}
    held: dict[int, MassageOrder] = {}
    for order in (
        await db.exec(
            select(MassageOrder).where(col(MassageOrder.patient_id).in_(ids)).order_by(col(MassageOrder.id))
        )
    ).all():
        if order_is_current(order, today):
            orders[order.patient_id] = order
        elif order.status == OrderStatus.on_hold:
            held[order.patient_id] = order
    restrictions: dict[int, list[SiteRestriction]] = {}
    shown_orders = {**held, **orders}
    if shown_orders:
        rows = await db.exec(
            select(SiteRestriction).where(
                col(SiteRestriction.order_id).in_([o.id for o in shown_orders.values()])
            )
        )
        by_order = {o.id: pid for pid, o in shown_orders.items()}
        for restriction in rows.all():
            restrictions.setdefault(by_order[restriction.order_id], []).append(restriction)
    flags: dict[int, AvailabilityFlag] = {}
    for flag in (
        await db.exec(
            select(AvailabilityFlag)
            .where(
                col(AvailabilityFlag.patient_id).in_(ids),
                col(AvailabilityFlag.cleared_at).is_(None),
                or_(col(AvailabilityFlag.until).is_(None), col(AvailabilityFlag.until) > now),
            )
            .order_by(col(AvailabilityFlag.set_at))
        )
    ).all():
        if flag.is_active(now):
            flags[flag.patient_id] = flag
    last_pain: dict[int, Score] = {}
    for score in (
        await db.exec(
            select(Score)
            .where(col(Score.patient_id).in_(ids), Score.measure == "pain", col(Score.value).is_not(None))
            .order_by(col(Score.recorded_at), col(Score.id))
        )
    ).all():
        last_pain[score.patient_id] = score
    open_sessions: dict[int, MassageSession] = {}
    for massage_session in (
        await db.exec(
            select(MassageSession).where(
                col(MassageSession.patient_id).in_(ids), col(MassageSession.state).in_(list(OPEN_STATES))
            )
        )
    ).all():
        open_sessions[massage_session.patient_id] = massage_session
    rescheduled: dict[int, MassageSession] = {}
    for recent in (
        await db.exec(
            select(MassageSession)
            .where(
                col(MassageSession.patient_id).in_(ids),
                col(MassageSession.created_at) >= now - timedelta(hours=18),
            )
            .order_by(col(MassageSession.created_at), col(MassageSession.id))
        )
    ).all():
        if recent.state == "rescheduled":
            rescheduled[recent.patient_id] = recent
        else:
            rescheduled.pop(recent.patient_id, None)
    therapist_names: dict[int, str] = {}
    interruptions: dict[int, Interruption] = {}
    if open_sessions:
        session_ids = [s.id for s in open_sessions.values()]
        therapist_names = dict(
            (
                await db.exec(
                    select(User.id, User.full_name).where(  # type: ignore[arg-type]
                        col(User.id).in_({s.therapist_id for s in open_sessions.values()})
                    )
                )
            ).all()
        )
        for interruption in (
            await db.exec(
                select(Interruption)
                .where(col(Interruption.session_id).in_(session_ids))
                .order_by(col(Interruption.raised_at))
            )
        ).all():
            interruptions[interruption.patient_id] = interruption
    return [
        PatientCard(
            patient=p,
            unit=units[p.unit_id],
            order=orders.get(p.id),
            restrictions=restrictions.get(p.id, []),  # type: ignore[index, arg-type]
            flag=flags.get(p.id),
            last_pain=last_pain.get(p.id),
            open_session=open_sessions.get(p.id),  # type: ignore[arg-type]
            order_on_hold=held.get(p.id),  # type: ignore[arg-type]
            therapist_name=therapist_names.get(open_sessions[p.id].therapist_id, "")
            if p.id in open_sessions
            else "",
            interruption=interruptions.get(p.id),  # type: ignore[arg-type]
            rescheduled=rescheduled.get(p.id),  # type: ignore[arg-type]
        )
        for p in patients
    ]


def worklist_order(cards: Iterable[PatientCard], now: datetime) -> list[PatientCard]:
    """Available patients first, then those rescheduled for later, then unavailable ones; by room within."""
    return sorted(
        cards,
        key=lambda c: (not c.available, c.rescheduled_later(now), c.unit.name, c.patient.room, c.patient.bed),
    )


async def get_patient_for(db: AsyncSession, actor: Actor, patient_id: int) -> Patient:
    """The patient, if this person may see them on their own units; for every write and unit-scoped read.
    A break-the-glass grant does not count here: it is for reading only (`read_patient_for`)."""
    patient = await db.get(Patient, patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    await check_patient_for(db, actor, patient)
    return patient


async def check_patient_for(db: AsyncSession, actor: Actor, patient: Patient) -> None:
    """`get_patient_for`'s check, for a patient already loaded with the row that names them."""
    if not reads_patient(actor, patient.unit_id, patient.comfort_care):
        await _refuse(db, actor, patient, may_ask=False)


def check_admitted(patient: Patient) -> None:
    """New care (a flag, an order, a session) is for admitted patients; a discharged record is read-only."""
    if patient.discharged_at is not None:
        raise Conflict("This patient has been discharged; their record is read-only. Nothing was stored.")


@dataclass(frozen=True)
class PatientRead:
    """A patient being read, and the break-the-glass grant it is read under (none on one's own units)."""

    patient: Patient
    grant: BreakGlassGrant | None = None

    def audit_detail(self, detail: str = "") -> str:
        """The read's audit detail, marked when it happens under a break-the-glass grant."""
        return "; ".join(part for part in (detail, break_glass.read_note(self.grant)) if part)


async def read_patient_for(db: AsyncSession, actor: Actor, patient_id: int) -> PatientRead:
    """For reading one patient's chart, comfort-care log or live page: on one's own units, or outside them
    under a break-the-glass grant that still holds. Without one, a clinician who may ask for one is
    refused with `OutsideYourUnits` (the page asks for a reason); anyone else as `get_patient_for` does."""
    patient = await db.get(Patient, patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    if reads_patient(actor, patient.unit_id, patient.comfort_care):
        return PatientRead(patient)
    may_ask = may_break_the_glass(actor, patient.unit_id, patient.comfort_care)
    if may_ask:
        grant = await break_glass.active_grant(db, actor, patient_id, clock_of(db).now())
        if grant is not None:
            return PatientRead(patient, grant)
    await _refuse(db, actor, patient, may_ask=may_ask)


async def _refuse(db: AsyncSession, actor: Actor, patient: Patient, *, may_ask: bool) -> NoReturn:
    """Audit the refused read (committed, whatever the caller does next), then say why; no patient data."""
    record_audit(db, actor, AuditAction.read, "Patient", patient.id, patient_id=patient.id, outcome="denied")
    await db.commit()
    if may_ask:
        raise OutsideYourUnits(patient.id)  # type: ignore[arg-type]
    if actor.role in COMFORT_CARE_ONLY and not patient.comfort_care:
        raise NotAllowed("Hospice accounts read the records of comfort-care patients only.")
    raise NotAllowed("This patient is not on one of your units.")


async def therapist_worklist(db: AsyncSession, actor: Actor, now: datetime, today: date) -> list[PatientCard]:
    """Today's patients with a current massage order on the therapist's units."""
    patients = (
        await db.exec(
            select(Patient).where(
                col(Patient.unit_id).in_(actor.unit_ids), col(Patient.discharged_at).is_(None)
            )
        )
    ).all()
    cards = [c for c in await load_cards(db, patients, now, today) if c.order is not None]
    record_audit(db, actor, AuditAction.read, "Worklist", detail=f"{len(cards)} patients")
    await db.commit()
    return worklist_order(cards, now)


async def cards_for_unit(db: AsyncSession, unit_id: int, now: datetime, today: date) -> list[PatientCard]:
    patients = (
        await db.exec(
            select(Patient)
            .where(Patient.unit_id == unit_id, col(Patient.discharged_at).is_(None))
            .order_by(col(Patient.room), col(Patient.bed))
        )
    ).all()
    return await load_cards(db, patients, now, today)


async def unit_board(
    db: AsyncSession, actor: Actor, unit_id: int, now: datetime, today: date
) -> tuple[Unit, list[PatientCard]]:
    unit = await db.get(Unit, unit_id)
    if unit is None:
        raise NotFound("No such unit.")
    if not actor.works_on(unit_id):
        raise NotAllowed("You do not work on this unit.")
    cards = [
        card
        for card in await cards_for_unit(db, unit_id, now, today)
        if reads_patient(actor, unit_id, card.patient.comfort_care)
    ]
    record_audit(db, actor, AuditAction.read, "UnitBoard", unit_id, detail=f"{len(cards)} patients")
    await db.commit()
    return unit, cards


async def comfort_care_patients(
    db: AsyncSession, actor: Actor, now: datetime, today: date
) -> list[PatientCard]:
    patients = (
        await db.exec(
            select(Patient)
            .where(
                col(Patient.unit_id).in_(actor.unit_ids),
                col(Patient.comfort_care).is_(True),
                col(Patient.discharged_at).is_(None),
            )
            .order_by(col(Patient.family_name))
        )
    ).all()
    cards = await load_cards(db, patients, now, today)
    record_audit(db, actor, AuditAction.read, "ComfortCareList", detail=f"{len(cards)} patients")
    await db.commit()
    return cards


async def patient_card(db: AsyncSession, patient_id: int, now: datetime, today: date) -> PatientCard:
    """One card, unaudited: for pushes to sockets whose opening was audited."""
    patient = await db.get(Patient, patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    return (await load_cards(db, [patient], now, today))[0]


async def patient_chart(
    db: AsyncSession, actor: Actor, patient_id: int, now: datetime, today: date
) -> PatientChart:
    """Precautions, the order, and past sessions with their pre and post pain, newest first; outside
    the reader's units only under a break-the-glass grant."""
    read = await read_patient_for(db, actor, patient_id)
    patient = read.patient
    card = (await load_cards(db, [patient], now, today))[0]
    sessions = (
        await db.exec(
            select(MassageSession)
            .where(MassageSession.patient_id == patient_id)
            .order_by(col(MassageSession.created_at).desc(), col(MassageSession.id).desc())
        )
    ).all()
    scores = (
        await db.exec(select(Score).where(Score.patient_id == patient_id, Score.measure == "pain"))
    ).all()
    by_session: dict[tuple[int, str], Score] = {(s.session_id, s.phase): s for s in scores}
    summaries = [
        SessionSummary(s, by_session.get((s.id, "pre")), by_session.get((s.id, "post"))) for s in sessions
    ]  # type: ignore[arg-type]
    record_audit(
        db, actor, AuditAction.read, "Patient", patient_id, patient_id=patient_id, detail=read.audit_detail()
    )
    await db.commit()
    return PatientChart(card=card, sessions=summaries, grant=read.grant)


async def choose_pain_scale(db: AsyncSession, actor: Actor, patient_id: int, scale: str) -> Patient:
    """The patient's pain scale is chosen once and then used for every pre and post score; it cannot
    change in the middle of a session that already has a score."""
    from server.sessions.scales import SCALES

    if scale not in SCALES:
        raise InvalidInput(f"Choose one of the scales: {', '.join(s.name for s in SCALES.values())}.")
    patient = await get_patient_for(db, actor, patient_id)
    scored = (
        await db.exec(
            select(Score.id)
            .join(MassageSession, col(Score.session_id) == col(MassageSession.id))
            .where(MassageSession.patient_id == patient_id, col(MassageSession.state).in_(list(OPEN_STATES)))
        )
    ).first()
    if scored is not None:
        raise Conflict(
            "A session in progress already has a score on the current scale; change it after the session."
        )
    patient.pain_scale = scale
    db.add(patient)
    record_audit(
        db,
        actor,
        AuditAction.update,
        "Patient",
        patient_id,
        patient_id=patient_id,
        detail=f"pain scale {scale}",
    )
    await db.commit()
    return patient
