"""Massage-session use cases: start, record a score, finish the massage, complete with a note."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.changes import CARD_VIEWS, PATIENT_VIEWS, View, record_change
from server.errors import Conflict, InvalidInput, NotAllowed, NotFound
from server.patients.models import MassageOrder, Patient, SiteRestriction
from server.patients.service import check_admitted, check_patient_for, get_patient_for, load_cards
from server.sessions.models import OPEN_STATES, Amendment, MassageSession, Phase, Score, SessionState
from server.sessions.rules import (
    ScoreSubmission,
    check_not_obtainable,
    end_hands_on,
    is_replay_of,
    session_step,
)
from server.sessions.scales import MEASURES, OBSERVED_ITEMS, total_from_items, validate_score
from server.sessions.screening import check_consent, evaluate_screening
from server.sessions.tablet import TabletStamp, latest_event

NOTE_MAX = 2000


@dataclass
class SessionView:
    massage_session: MassageSession
    patient: Patient
    order: MassageOrder
    scores: list[Score]
    restrictions: list[SiteRestriction] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)

    @property
    def step(self) -> str:
        return session_step(self.massage_session, self.scores)

    def score(self, phase: str, measure: str = "pain") -> Score | None:
        return next((s for s in self.scores if s.phase == phase and s.measure == measure), None)


@dataclass(frozen=True)
class ScoreResult:
    score: Score
    replayed: bool


async def start_session(
    db: AsyncSession, actor: Actor, patient_id: int, *, now: datetime, today: date
) -> MassageSession:
    """Open a session on the patient's current order; a second tap returns the session already open."""
    patient = await get_patient_for(db, actor, patient_id)
    check_admitted(patient)
    card = (await load_cards(db, [patient], now, today))[0]
    if card.order is None and card.order_on_hold is not None:
        raise Conflict("The massage order is on hold; a session can start when the physician resumes it.")
    if card.order is None:
        raise Conflict("This patient has no active massage order today; a session needs one.")
    if card.open_session is not None:
        if card.open_session.therapist_id == actor.user_id:
            return card.open_session
        raise Conflict("Another therapist already has a session open with this patient.")
    if card.flag is not None:
        raise Conflict(
            f"The patient is unavailable ({card.flag.kind_label}); a nurse must mark them available first."
        )
    massage_session = MassageSession(
        patient_id=patient_id,
        order_id=card.order.id,
        therapist_id=actor.user_id,  # type: ignore[arg-type]
        state=SessionState.screening,
        created_at=now,
    )
    db.add(massage_session)
    try:
        await db.flush()
    except IntegrityError:
        return await _opened_meanwhile(db, actor, patient_id)
    await record_change(
        db, "session_started", unit_id=patient.unit_id, patient_id=patient_id, views=CARD_VIEWS
    )
    record_audit(db, actor, AuditAction.create, "MassageSession", massage_session.id, patient_id=patient_id)
    await db.commit()
    return massage_session


async def _opened_meanwhile(db: AsyncSession, actor: Actor, patient_id: int) -> MassageSession:
    """Two taps at once: the database let one session open; a second tap by the same therapist gets that
    session back (as a tap after it would), anyone else a refusal."""
    await db.rollback()
    open_now = (
        await db.exec(
            select(MassageSession).where(
                MassageSession.patient_id == patient_id, col(MassageSession.state).in_(list(OPEN_STATES))
            )
        )
    ).first()
    if open_now is not None and open_now.therapist_id == actor.user_id:
        return open_now
    raise Conflict("Another therapist already has a session open with this patient.")


async def save_step(
    db: AsyncSession,
    actor: Actor,
    massage_session: MassageSession,
    patient: Patient,
    kind: str,
    detail: str,
    *,
    views: frozenset[View] = CARD_VIEWS,
) -> MassageSession:
    """The end of every session step: saved, numbered and queued for the tablets, audited, committed."""
    db.add(massage_session)
    await record_change(db, kind, unit_id=patient.unit_id, patient_id=patient.id, views=views)  # type: ignore[arg-type]
    record_audit(
        db,
        actor,
        AuditAction.update,
        "MassageSession",
        massage_session.id,
        patient_id=patient.id,
        detail=detail,
    )
    await db.commit()
    return massage_session


async def load_session_for(db: AsyncSession, actor: Actor, session_id: int) -> tuple[MassageSession, Patient]:
    """The session and its patient, if this person may see the patient: one query, or none when this unit
    of work loaded them already (a step's answer drawn after its change)."""
    loaded = db.sync_session.identity_map.get(db.sync_session.identity_key(MassageSession, session_id))
    if isinstance(loaded, MassageSession):
        return loaded, await get_patient_for(db, actor, loaded.patient_id)
    found = (
        await db.exec(
            select(MassageSession, Patient)
            .join(Patient, col(Patient.id) == col(MassageSession.patient_id))
            .where(MassageSession.id == session_id)
        )
    ).first()
    if found is None:
        raise NotFound("No such massage session.")
    massage_session, patient = found
    await check_patient_for(db, actor, patient)
    return massage_session, patient


async def own_open_session(
    db: AsyncSession, actor: Actor, session_id: int, patient_id: int | None
) -> tuple[MassageSession, Patient]:
    """The session a therapist is about to change: theirs, still open, and about the patient named."""
    massage_session, patient = await load_session_for(db, actor, session_id)
    check_same_patient(massage_session, patient_id)
    check_own_open_session(actor, massage_session)
    return massage_session, patient


def check_same_patient(massage_session: MassageSession, patient_id: int | None) -> None:
    """Refuse a submission naming another patient than the session's: nothing is charted on the wrong one."""
    if patient_id is not None and patient_id != massage_session.patient_id:
        raise Conflict(
            "This entry names a different patient than the session; nothing was stored. "
            "Check the patient's name and date of birth at the top of the screen."
        )


def check_own_open_session(actor: Actor, massage_session: MassageSession) -> None:
    if massage_session.therapist_id != actor.user_id:
        raise NotAllowed("This session belongs to another therapist.")
    if massage_session.state not in OPEN_STATES:
        raise Conflict(f"This session is {massage_session.state.replace('_', ' ')}; it can no longer change.")


async def session_view(db: AsyncSession, actor: Actor, session_id: int, *, audit: bool = True) -> SessionView:
    massage_session, patient = await load_session_for(db, actor, session_id)
    view = await build_session_view(db, massage_session, patient)
    if audit:
        record_audit(db, actor, AuditAction.read, "MassageSession", session_id, patient_id=patient.id)
        await db.commit()
    return view


async def build_session_view(
    db: AsyncSession, massage_session: MassageSession, patient: Patient
) -> SessionView:
    """Everything the session panel shows. No access check: callers have made it (or push to a socket
    whose opening was checked)."""
    session_id = massage_session.id
    order = await db.get(MassageOrder, massage_session.order_id)
    assert order is not None
    scores = list(
        (await db.exec(select(Score).where(Score.session_id == session_id).order_by(col(Score.id)))).all()
    )
    restrictions = (await db.exec(select(SiteRestriction).where(SiteRestriction.order_id == order.id))).all()
    amendments = (
        await db.exec(select(Amendment).where(Amendment.session_id == session_id).order_by(col(Amendment.at)))
    ).all()
    return SessionView(massage_session, patient, order, scores, list(restrictions), list(amendments))


async def record_score(
    db: AsyncSession,
    actor: Actor,
    submission: ScoreSubmission,
    *,
    now: datetime,
    tablet: TabletStamp | None = None,
) -> ScoreResult:
    """Store one score once. A replay of the same client id stores nothing and returns the first result.

    `now` is the server's receipt time (`recorded_at`); a score from a tablet's outbox also keeps the
    tablet's own time of the tap, and the massage starts (pre) or ends (post) at that time, corrected for
    the tablet's clock (sessions/tablet.py)."""
    client_id = (submission.client_id or "").strip() or (tablet.client_id if tablet else "")
    if tablet is not None and client_id != tablet.client_id:
        raise InvalidInput("The score's submission id and the tablet's differ; nothing was stored.")
    if not 8 <= len(client_id) <= 64:
        raise InvalidInput("Each score needs a submission id (8 to 64 characters) generated on the device.")
    same = Score.client_id == client_id
    if submission.phase in (Phase.pre, Phase.post):  # and the phase's score, read in the same query
        same = or_(same, and_(
            Score.session_id == submission.session_id,
            Score.phase == Phase(submission.phase),
            Score.measure == submission.measure,
        ))  # fmt: skip
    found = (await db.exec(select(Score).where(same))).all()
    existing = next((row for row in found if row.client_id == client_id), None)
    massage_session, patient = await load_session_for(db, actor, submission.session_id)
    check_same_patient(massage_session, submission.patient_id)
    if is_replay_of(existing, submission):
        assert existing is not None
        return ScoreResult(existing, True)
    if submission.measure not in MEASURES:
        raise InvalidInput(f"{submission.measure!r} is not a symptom we score.")
    if submission.phase not in (Phase.pre, Phase.post):
        raise InvalidInput("A score is taken before (pre) or after (post) the massage.")
    phase = Phase(submission.phase)
    scale = patient.pain_scale if submission.measure == "pain" else "nrs"
    items: dict[str, int] | None = None
    value: int | None = None
    not_obtainable = check_not_obtainable(submission.not_obtainable, phase, submission.measure)
    if not_obtainable:
        pass
    elif scale in OBSERVED_ITEMS:
        value, items = total_from_items(scale, submission.items)
    else:
        value = validate_score(scale, submission.value, submission.measure)
    check_own_open_session(actor, massage_session)
    taken = next(
        (
            row
            for row in found
            if (row.session_id, row.phase, row.measure) == (massage_session.id, phase, submission.measure)
        ),
        None,
    )
    if taken is not None:
        if is_replay_of(taken if taken.client_id == client_id else None, submission):
            return ScoreResult(taken, True)
        raise Conflict(
            f"A {phase} {submission.measure} score of {taken.value} is already recorded for this session."
        )
    if massage_session.screened_at is None or massage_session.consent_at is None:
        raise Conflict("Screen for contraindications and record consent before the first score.")
    if phase == Phase.post and massage_session.started_at is None:
        raise Conflict("Record the pre-massage score first.")
    at = tablet.when(latest_event(massage_session)) if tablet is not None else now
    score = Score(
        client_id=client_id,
        patient_id=patient.id,
        session_id=massage_session.id,
        phase=phase,  # type: ignore[arg-type]
        measure=submission.measure,
        scale=scale,
        value=value,
        items=items,
        not_obtainable_reason=not_obtainable,
        recorded_by_id=actor.user_id,
        recorded_at=now,
        tablet_recorded_at=tablet.recorded_at if tablet is not None else None,
    )
    db.add(score)
    if phase == Phase.pre and submission.measure == "pain":
        massage_session.state, massage_session.started_at = SessionState.in_progress, at
        massage_session.running_since = at
    if phase == Phase.post:
        end_hands_on(massage_session, at)
    db.add(massage_session)
    try:
        await db.flush()
    except IntegrityError:
        return await _stored_meanwhile(db, client_id, submission)
    await record_change(db, "score_recorded", unit_id=patient.unit_id, patient_id=patient.id)  # type: ignore[arg-type]
    record_audit(
        db,
        actor,
        AuditAction.create,
        "Score",
        score.id,
        patient_id=patient.id,
        detail=f"{phase} {submission.measure} {value}",
    )
    await db.commit()
    return ScoreResult(score, False)


async def _stored_meanwhile(db: AsyncSession, client_id: str, submission: ScoreSubmission) -> ScoreResult:
    """A parallel request stored first (the database refused this one): a replay of it gets the first
    answer; another score for the same phase is refused, and nothing is stored twice."""
    await db.rollback()
    first = (await db.exec(select(Score).where(Score.client_id == client_id))).first()
    if is_replay_of(first, submission):
        return ScoreResult(first, True)  # type: ignore[arg-type]
    raise Conflict(f"A {submission.phase} {submission.measure} score was just recorded for this session.")


async def finish_massage(
    db: AsyncSession, actor: Actor, session_id: int, *, patient_id: int | None, now: datetime
) -> MassageSession:
    """Hands off: the timer stops and the post score is next."""
    massage_session, patient = await own_open_session(db, actor, session_id, patient_id)
    if massage_session.started_at is None:
        raise Conflict("Record the pre-massage score before starting or finishing the massage.")
    if massage_session.massage_ended_at is None:
        end_hands_on(massage_session, now)
        massage_session.state, massage_session.paused_at = SessionState.in_progress, None
        await save_step(db, actor, massage_session, patient, "massage_finished", "massage finished")
    return massage_session


async def record_screening(
    db: AsyncSession,
    actor: Actor,
    session_id: int,
    *,
    patient_id: int | None,
    answers: dict[str, str],
    now: datetime,
) -> MassageSession:
    """Record every answer; a stop answer ends the session as stopped ("do no harm")."""
    massage_session, patient = await own_open_session(db, actor, session_id, patient_id)
    if massage_session.screened_at is not None:
        raise Conflict("The screen for this session is already recorded.")
    outcome = evaluate_screening(answers)
    massage_session.screening, massage_session.screened_at = outcome.answers, now
    massage_session.screening_precautions = outcome.precautions
    detail = "screened: clear"
    if outcome.stop_reason:
        massage_session.state, massage_session.stop_reason = SessionState.stopped, outcome.stop_reason
        massage_session.completed_at = now
        detail = f"stopped at screening: {outcome.stop_reason}"
    elif outcome.precautions:
        detail = f"screened: {len(outcome.precautions)} precaution(s)"
    views = PATIENT_VIEWS if outcome.stop_reason else CARD_VIEWS
    return await save_step(db, actor, massage_session, patient, "session_screened", detail, views=views)


async def record_consent(
    db: AsyncSession,
    actor: Actor,
    session_id: int,
    *,
    patient_id: int | None,
    by: str,
    surrogate_name: str,
    now: datetime,
) -> MassageSession:
    """Verbal consent, from the patient or a named surrogate; a patient who declines stops the session."""
    if by == "declined":
        return await stop_session(
            db, actor, session_id, patient_id=patient_id, reason="Patient declined", now=now
        )
    massage_session, patient = await own_open_session(db, actor, session_id, patient_id)
    if massage_session.screened_at is None:
        raise Conflict("Screen for contraindications before asking for consent.")
    name = check_consent(by, surrogate_name)
    massage_session.consent_by, massage_session.consent_surrogate_name = by, name
    massage_session.consent_at = now
    return await save_step(
        db,
        actor,
        massage_session,
        patient,
        "consent_recorded",
        f"verbal consent: {by}{' ' + name if name else ''}",
    )


async def stop_session(
    db: AsyncSession, actor: Actor, session_id: int, *, patient_id: int | None, reason: str, now: datetime
) -> MassageSession:
    """Stop for a reason (contraindication found, patient declined, clinical change): the session ends."""
    massage_session, patient = await own_open_session(db, actor, session_id, patient_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the session stops.")
    if len(reason) > 80:
        raise InvalidInput("Keep the reason under 80 characters.")
    end_hands_on(massage_session, now)
    massage_session.state, massage_session.stop_reason, massage_session.completed_at = (
        SessionState.stopped,
        reason,
        now,
    )
    return await save_step(
        db, actor, massage_session, patient, "session_stopped", f"stopped: {reason}", views=PATIENT_VIEWS
    )


RESCHEDULE_REASONS = {
    "unavailable": "patient unavailable",
    "in_therapy": "in therapy",
    "family": "family visit",
    "declined_today": "declined today",
    "other": "other",
}


async def reschedule_session(
    db: AsyncSession,
    actor: Actor,
    session_id: int,
    *,
    patient_id: int | None,
    reason: str,
    due: datetime | None,
    now: datetime,
) -> MassageSession:
    """A session that cannot start is rescheduled (reason, optional new time); it is not a stop."""
    massage_session, patient = await own_open_session(db, actor, session_id, patient_id)
    if reason not in RESCHEDULE_REASONS:
        raise InvalidInput(f"Choose why: {', '.join(RESCHEDULE_REASONS.values())}.")
    if massage_session.started_at is not None:
        raise Conflict("The massage has started: stop the session with a reason instead of rescheduling it.")
    if due is not None and due <= now:
        raise InvalidInput("The new time has already passed; choose a later time or leave it empty.")
    massage_session.state, massage_session.completed_at = SessionState.rescheduled, now
    massage_session.reschedule_reason, massage_session.rescheduled_for = reason, due
    return await save_step(
        db,
        actor,
        massage_session,
        patient,
        "session_rescheduled",
        f"rescheduled: {RESCHEDULE_REASONS[reason]}",
    )
