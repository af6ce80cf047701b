"""The hospice comfort-care log: what massage did for comfort, per patient and period. Read-only;
every read and export is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import Role
from server.availability.models import AvailabilityFlag
from server.comfort_log.summary import PeriodSummary, SessionPain, TrendChart, summarise, trend_chart
from server.errors import InvalidInput, NotAllowed
from server.patients.models import BreakGlassGrant, Patient
from server.patients.service import read_patient_for
from server.sessions.models import Amendment, MassageSession, Score

DEFAULT_DAYS = 30


@dataclass
class LoggedSession:
    session: MassageSession
    pre: Score | None
    post: Score | None
    amendments: list[Amendment]

    @property
    def change(self) -> int | None:
        if self.pre is None or self.post is None or self.pre.value is None or self.post.value is None:
            return None
        return self.post.value - self.pre.value


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    """session or flag"""
    session: LoggedSession | None = None
    flag: AvailabilityFlag | None = None


@dataclass
class ComfortLog:
    patient: Patient
    start: date
    end: date
    timeline: list[TimelineEntry]
    sessions: list[LoggedSession]
    summary: PeriodSummary
    chart: TrendChart
    grant: BreakGlassGrant | None = None
    """The break-the-glass grant the log is read under, if the patient is outside the reader's units."""


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidInput("The start of the period is after its end.")
    if (end - start).days > 366 * 3:
        raise InvalidInput("Choose a period of at most three years.")
    return start, end


async def comfort_log(
    db: AsyncSession,
    actor: Actor,
    patient_id: int,
    *,
    start: date,
    end: date,
    zone: str,
    purpose: str = "read",
) -> ComfortLog:
    read = await read_patient_for(db, actor, patient_id)
    patient = read.patient
    if actor.role == Role.hospice and not patient.comfort_care:
        raise NotAllowed("The comfort-care log is for patients on comfort care.")
    log = await build_comfort_log(db, patient, start=start, end=end, zone=zone)
    log.grant = read.grant
    record_audit(
        db,
        actor,
        AuditAction.read,
        "ComfortLog",
        patient_id,
        patient_id=patient_id,
        detail=read.audit_detail(f"{purpose} {start.isoformat()}..{end.isoformat()}"),
    )
    await db.commit()
    return log


async def build_comfort_log(
    db: AsyncSession, patient: Patient, *, start: date, end: date, zone: str
) -> ComfortLog:
    """The log itself, without access check or audit (for pushes to sockets whose opening was checked)."""
    patient_id = patient.id
    tz = ZoneInfo(zone)
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    sessions = (
        await db.exec(
            select(MassageSession)
            .where(
                MassageSession.patient_id == patient_id,
                col(MassageSession.created_at) >= since,
                col(MassageSession.created_at) < until,
            )
            .order_by(col(MassageSession.created_at).desc())
        )
    ).all()
    ids = [s.id for s in sessions]
    scores = (
        await db.exec(select(Score).where(col(Score.session_id).in_(ids), Score.measure == "pain"))
    ).all()
    by_phase = {(s.session_id, s.phase): s for s in scores}
    amendments = (
        await db.exec(select(Amendment).where(col(Amendment.session_id).in_(ids)).order_by(col(Amendment.at)))
    ).all()
    logged = [
        LoggedSession(
            s,
            by_phase.get((s.id, "pre")),
            by_phase.get((s.id, "post")),  # type: ignore[arg-type]
            [a for a in amendments if a.session_id == s.id],
        )
        for s in sessions
    ]
    flags = (
        await db.exec(
            select(AvailabilityFlag).where(
                AvailabilityFlag.patient_id == patient_id,
                col(AvailabilityFlag.set_at) >= since,
                col(AvailabilityFlag.set_at) < until,
            )
        )
    ).all()
    timeline = [TimelineEntry(item.session.created_at, "session", session=item) for item in logged]
    timeline += [TimelineEntry(f.set_at, "flag", flag=f) for f in flags]
    timeline.sort(key=lambda e: e.at, reverse=True)
    pains = [
        SessionPain(
            item.session.created_at.astimezone(tz),
            item.pre.value if item.pre else None,
            item.post.value if item.post else None,
            item.session.stop_reason if item.session.state == "stopped" else "",
            bool(item.post and item.post.not_obtainable_reason),
        )
        for item in logged
    ]
    return ComfortLog(patient, start, end, timeline, logged, summarise(pains), trend_chart(pains))
