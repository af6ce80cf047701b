"""Nurses interrupt a running session; the therapist acknowledges. The session pauses at once and
resumes or stops when the therapist decides; the nurse sees who acknowledged and when."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.changes import CARD_VIEWS, View, record_change
from server.errors import Conflict, InvalidInput, NotAllowed, NotFound
from server.patients.models import Patient
from server.patients.service import get_patient_for
from server.sessions.models import Interruption, MassageSession, SessionState
from server.sessions.rules import close_running_stretch
from server.sessions.service import check_same_patient, load_session_for

THERAPIST_AND_CARD = CARD_VIEWS | {View.therapist_screen}
"""An interruption shows full-screen on the therapist's tablets and on the patient's card."""

INTERRUPTION_REASONS = (
    "Procedure now",
    "Imaging or transport",
    "Clinically unstable",
    "Medication due",
    "Family or visitor",
    "Other",
)


async def interrupt_session(
    db: AsyncSession,
    actor: Actor,
    session_id: int,
    *,
    patient_id: int | None,
    reason: str,
    note: str,
    now: datetime,
) -> Interruption:
    if reason not in INTERRUPTION_REASONS:
        raise InvalidInput(f"Choose why: {', '.join(INTERRUPTION_REASONS)}.")
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput("Keep the note under 200 characters.")
    massage_session, patient = await load_session_for(db, actor, session_id)
    check_same_patient(massage_session, patient_id)
    running = massage_session.state in (SessionState.in_progress, SessionState.paused)
    if not running or massage_session.massage_ended_at is not None:
        raise Conflict("Only a massage in progress can be interrupted.")
    waiting = await pending_interruption(db, session_id)
    if waiting is not None:
        raise Conflict("This session is already interrupted; the therapist has not acknowledged yet.")
    close_running_stretch(massage_session, now)
    if massage_session.state == SessionState.in_progress:
        massage_session.state, massage_session.paused_at = SessionState.paused, now
    db.add(massage_session)
    interruption = Interruption(
        session_id=session_id,
        patient_id=patient.id,
        therapist_id=massage_session.therapist_id,  # type: ignore[arg-type]
        raised_by_id=actor.user_id,
        raised_by_name=actor.full_name,
        reason=reason,
        note=note,
        raised_at=now,
    )
    return await _save(
        db, actor, interruption, patient, AuditAction.create, f"session {session_id}: {reason}"
    )


async def acknowledge_interruption(
    db: AsyncSession, actor: Actor, interruption_id: int, *, now: datetime
) -> Interruption:
    interruption = await db.get(Interruption, interruption_id)
    if interruption is None:
        raise NotFound("No such interruption.")
    patient = await get_patient_for(db, actor, interruption.patient_id)
    if interruption.therapist_id != actor.user_id:
        raise NotAllowed("Only the therapist of this session acknowledges its interruption.")
    if interruption.acknowledged_at is None:
        interruption.acknowledged_at, interruption.acknowledged_by_name = now, actor.full_name
        await _save(db, actor, interruption, patient, AuditAction.update, "acknowledged")
    return interruption


async def _save(
    db: AsyncSession,
    actor: Actor,
    interruption: Interruption,
    patient: Patient,
    action: AuditAction,
    detail: str,
) -> Interruption:
    """Raised or acknowledged: the therapist's tablets and the patient's card are told, and it is audited."""
    db.add(interruption)
    await db.flush()
    kind = "interruption_acknowledged" if interruption.acknowledged_at else "session_interrupted"
    await record_change(
        db,
        kind,
        unit_id=patient.unit_id,
        patient_id=patient.id,  # type: ignore[arg-type]
        views=THERAPIST_AND_CARD,
        therapist_id=interruption.therapist_id,
    )
    record_audit(db, actor, action, "Interruption", interruption.id, patient_id=patient.id, detail=detail)
    await db.commit()
    return interruption


async def pending_interruption(db: AsyncSession, session_id: int) -> Interruption | None:
    return (
        await db.exec(
            select(Interruption).where(
                Interruption.session_id == session_id, col(Interruption.acknowledged_at).is_(None)
            )
        )
    ).first()


PendingInterruption = tuple[Interruption, MassageSession, Patient]

IDS_PER_QUERY = 500
"""Therapists asked about in one query (well under every database's limit on bound parameters)."""


async def pending_for_therapist(db: AsyncSession, therapist_id: int) -> list[PendingInterruption]:
    """What a therapist's tablet must show full-screen: every interruption not yet acknowledged."""
    return (await pending_for_therapists(db, {therapist_id})).get(therapist_id, [])


async def pending_for_therapists(
    db: AsyncSession, therapist_ids: set[int]
) -> dict[int, list[PendingInterruption]]:
    """The same for many therapists at once (tablets reopening together), oldest first for each."""
    pending: dict[int, list[PendingInterruption]] = {}
    ids = sorted(therapist_ids)
    for start in range(0, len(ids), IDS_PER_QUERY):
        rows = await db.exec(
            select(Interruption, MassageSession, Patient)
            .join(MassageSession, col(MassageSession.id) == col(Interruption.session_id))
            .join(Patient, col(Patient.id) == col(MassageSession.patient_id))
            .where(
                col(Interruption.therapist_id).in_(ids[start : start + IDS_PER_QUERY]),
                col(Interruption.acknowledged_at).is_(None),
            )
            .order_by(col(Interruption.raised_at), col(Interruption.id))
        )
        for interruption, massage_session, patient in rows.all():
            pending.setdefault(interruption.therapist_id, []).append((interruption, massage_session, patient))
    return pending
