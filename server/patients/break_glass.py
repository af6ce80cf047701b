"""Break the glass: a clinician reads a patient outside their units after saying why.

A hospital cannot let a unit boundary stand between a covering therapist or an emergency and the chart,
but such a reading must be deliberate, explained and seen. So the clinician gives a reason and a detail;
the grant lets them read that one patient (chart, comfort-care log and the patient's live sockets) for
`GRANT_LENGTH` from the app's clock, never write; the grant is audited as entity `break_glass` with its
reason, every read under it names it in the audit detail, and administrators list the grants.
Who may ask is the policy table's rule (`policy.may_break_the_glass`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import User
from server.auth.policy import may_break_the_glass, reads_patient
from server.clock import clock_of
from server.errors import Conflict, InvalidInput, NotAllowed, NotFound
from server.patients.models import BreakGlassGrant, Patient

GRANT_LENGTH = timedelta(minutes=60)
"""A fixed hour from the moment of the grant: long enough for a covering visit, short enough that a
forgotten tablet does not keep another unit's chart open. A new reason gives a new hour."""
DETAIL_MAX = 200
"""The free-text detail's maximum, the column's length; the reason and detail fit one audit detail."""
REASONS = {
    "covering": "Covering for a colleague",
    "emergency": "Emergency",
    "transferred": "Patient transferred",
    "other": "Other",
}
AUDIT_ENTITY = "break_glass"


def reason_label(reason: str) -> str:
    return REASONS.get(reason, reason)


def read_note(grant: BreakGlassGrant | None) -> str:
    """What a read under a grant adds to its audit detail, so that reviewers tell it apart."""
    return f"break the glass #{grant.id}" if grant is not None else ""


def check_reason(reason: str, detail: str) -> tuple[str, str]:
    """One reason of the list and a detail within its maximum; else 422 naming the field, nothing stored."""
    reason, detail = reason.strip(), detail.strip()
    if reason not in REASONS:
        choices = ", ".join(label.lower() for label in REASONS.values())
        raise InvalidInput(f"Choose a reason for opening this record: {choices}.")
    if not detail:
        raise InvalidInput(f"Write the detail: why you need this record (at most {DETAIL_MAX} characters).")
    if len(detail) > DETAIL_MAX:
        raise InvalidInput(
            f"The detail is {len(detail)} characters; it can be at most {DETAIL_MAX}. Nothing was stored."
        )
    return reason, detail


async def active_grant(
    db: AsyncSession, actor: Actor, patient_id: int, now: datetime
) -> BreakGlassGrant | None:
    """The grant of this person for this patient that still holds now, the one lasting longest."""
    statement = (
        select(BreakGlassGrant)
        .where(
            BreakGlassGrant.user_id == actor.user_id,
            BreakGlassGrant.patient_id == patient_id,
            col(BreakGlassGrant.granted_at) <= now,
            col(BreakGlassGrant.expires_at) > now,
        )
        .order_by(col(BreakGlassGrant.expires_at).desc())
    )
    return (await db.exec(statement)).first()


async def break_the_glass(
    db: AsyncSession, actor: Actor, patient_id: int, reason: str, detail: str
) -> BreakGlassGrant:
    """Grant this person reading access to this one patient outside their units, audited with the reason."""
    reason, detail = check_reason(reason, detail)
    patient = await db.get(Patient, patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    if reads_patient(actor, patient.unit_id, patient.comfort_care):
        raise Conflict("This patient is on one of your units: open the record, no reason is needed.")
    if not may_break_the_glass(actor, patient.unit_id, patient.comfort_care):
        record_audit(db, actor, AuditAction.create, AUDIT_ENTITY, patient_id=patient_id, outcome="denied")
        await db.commit()
        raise NotAllowed("Hospice accounts read the records of comfort-care patients only.")
    now = clock_of(db).now()
    grant = BreakGlassGrant(
        user_id=actor.user_id,
        patient_id=patient_id,
        reason=reason,
        detail=detail,
        granted_at=now,
        expires_at=now + GRANT_LENGTH,
    )
    db.add(grant)
    await db.flush()
    record_audit(
        db,
        actor,
        AuditAction.create,
        AUDIT_ENTITY,
        grant.id,
        patient_id=patient_id,
        detail=f"{reason_label(reason)}: {detail}",
    )
    await db.commit()
    return grant


@dataclass(frozen=True)
class BreakGlassAccess:
    """One line of the administrators' list: who, which patient, when, why."""

    grant: BreakGlassGrant
    username: str
    full_name: str
    role: str

    @property
    def reason(self) -> str:
        return reason_label(self.grant.reason)


async def break_glass_accesses(
    db: AsyncSession, actor: Actor, start: date | None, end: date | None, *, limit: int = 500
) -> list[BreakGlassAccess]:
    """Grants made in the period (hospital days), newest first; looking at them is itself audited."""
    if start and end and start > end:
        raise InvalidInput("The start of the period is after its end.")
    period = " ".join(f"{k} {v}" for k, v in {"from": start, "to": end}.items() if v) or "all"
    record_audit(db, actor, AuditAction.read, "break_glass_list", detail=f"read: {period}")
    await db.commit()
    statement = (
        select(BreakGlassGrant, User.username, User.full_name, User.role)
        .join(User, col(User.id) == col(BreakGlassGrant.user_id))
        .order_by(col(BreakGlassGrant.granted_at).desc(), col(BreakGlassGrant.id).desc())
        .limit(limit)
    )
    zone = clock_of(db).tzinfo
    if start:
        statement = statement.where(
            col(BreakGlassGrant.granted_at) >= datetime.combine(start, time.min, tzinfo=zone)
        )
    if end:
        day_after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        statement = statement.where(col(BreakGlassGrant.granted_at) < day_after)
    rows = (await db.exec(statement)).all()
    return [BreakGlassAccess(grant, username, name, str(role)) for grant, username, name, role in rows]
