"""Charting a session: pause and resume the hands-on time, sign the record, amend a signed record.

A signed record is never overwritten: a correction is an amendment (author, time, reason) kept
beside the original.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import Role
from server.changes import PATIENT_VIEWS, View, record_change
from server.errors import Conflict, InvalidInput, NotAllowed
from server.patients.models import MassageOrder, SiteRestriction
from server.sessions.models import Amendment, MassageSession, Phase, Score, SessionState
from server.sessions.record import SessionRecord, check_session_record
from server.sessions.rules import close_running_stretch
from server.sessions.service import check_same_patient, load_session_for, own_open_session, save_step

LOG_ONLY = frozenset({View.comfort_log})
"""An amendment shows beside the signed record: in the comfort-care log, not on any card."""


async def pause_session(
    db: AsyncSession, actor: Actor, session_id: int, *, patient_id: int | None, now: datetime
) -> MassageSession:
    massage_session, patient = await own_open_session(db, actor, session_id, patient_id)
    if massage_session.state != SessionState.in_progress or massage_session.massage_ended_at is not None:
        raise Conflict("Only a running massage can be paused.")
    close_running_stretch(massage_session, now)
    massage_session.state, massage_session.paused_at = SessionState.paused, now
    return await save_step(db, actor, massage_session, patient, "session_paused", "paused")


async def resume_session(
    db: AsyncSession, actor: Actor, session_id: int, *, patient_id: int | None, now: datetime
) -> MassageSession:
    massage_session, patient = await own_open_session(db, actor, session_id, patient_id)
    if massage_session.state != SessionState.paused:
        raise Conflict("The session is not paused.")
    massage_session.state, massage_session.paused_at, massage_session.running_since = (
        SessionState.in_progress,
        None,
        now,
    )
    return await save_step(db, actor, massage_session, patient, "session_resumed", "resumed")


async def sign_session(
    db: AsyncSession,
    actor: Actor,
    session_id: int,
    *,
    patient_id: int | None,
    record: SessionRecord,
    note: str,
    now: datetime,
) -> MassageSession:
    """Chart the session and sign it: it becomes completed and read-only."""
    massage_session, patient = await own_open_session(db, actor, session_id, patient_id)
    post = (
        await db.exec(
            select(Score).where(
                Score.session_id == session_id, Score.phase == Phase.post, Score.measure == "pain"
            )
        )
    ).first()
    if post is None:
        raise Conflict("Record the post-massage pain score before signing the session.")
    if len(note or "") > 2000:
        raise InvalidInput("Keep the note under 2000 characters.")
    order = await db.get(MassageOrder, massage_session.order_id)
    assert order is not None
    restrictions = (await db.exec(select(SiteRestriction).where(SiteRestriction.order_id == order.id))).all()
    checked = check_session_record(record, order, restrictions)
    s = massage_session
    s.techniques, s.regions, s.region_reasons = checked.techniques, checked.regions, checked.region_reasons
    s.pressure_used, s.pressure_reason, s.position = (
        checked.pressure,
        checked.pressure_reason,
        checked.position,
    )
    s.response, s.note = checked.response, (note or "").strip()
    s.soap_subjective, s.soap_objective = checked.subjective, checked.objective
    s.soap_assessment, s.soap_plan = checked.assessment, checked.plan
    s.state, s.completed_at, s.signed_at, s.signed_by_id = SessionState.completed, now, now, actor.user_id
    return await save_step(db, actor, s, patient, "session_completed", "signed", views=PATIENT_VIEWS)


async def amend_session(
    db: AsyncSession,
    actor: Actor,
    session_id: int,
    *,
    patient_id: int | None,
    reason: str,
    text: str,
    now: datetime,
) -> Amendment:
    """Add a correction beside a signed record; the original stays as it was signed."""
    if actor.role != Role.therapist:
        raise NotAllowed("Only a therapist amends a session record.")
    massage_session, patient = await load_session_for(db, actor, session_id)
    check_same_patient(massage_session, patient_id)
    if massage_session.signed_at is None:
        raise Conflict("Only a signed record is amended; an open session is simply edited.")
    if massage_session.signed_by_id != actor.user_id:
        raise NotAllowed("Only the therapist who signed this record amends it.")
    reason, text = (reason or "").strip(), (text or "").strip()
    if not reason or not text:
        raise InvalidInput("An amendment needs a reason and the corrected text.")
    if len(reason) > 200 or len(text) > 2000:
        raise InvalidInput("Keep the reason under 200 and the text under 2000 characters.")
    amendment = Amendment(
        session_id=session_id,
        author_id=actor.user_id,
        author_name=actor.full_name,
        at=now,
        reason=reason,
        text=text,
    )
    db.add(amendment)
    await db.flush()
    await record_change(db, "session_amended", unit_id=patient.unit_id, patient_id=patient.id, views=LOG_ONLY)  # type: ignore[arg-type]
    record_audit(
        db,
        actor,
        AuditAction.create,
        "Amendment",
        amendment.id,
        patient_id=patient.id,
        detail=f"session {session_id}: {reason}"[:255],
    )
    await db.commit()
    return amendment
