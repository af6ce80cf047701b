"""Time in one convention: aware UTC in code and database, the hospital's zone on screen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def local_today(zone: str, now: datetime | None = None) -> date:
    return to_local(now or utcnow(), zone).date()


def next_local_time(clock_time: time, zone: str, now: datetime | None = None) -> datetime:
    """A wall-clock time a nurse enters ("until 14:30"): today at that time or, if already past, tomorrow."""
    now = now or utcnow()
    local_now = to_local(now, zone)
    candidate = datetime.combine(local_now.date(), clock_time, tzinfo=ZoneInfo(zone))
    if candidate <= local_now:
        candidate = datetime.combine(local_now.date() + timedelta(days=1), clock_time, tzinfo=ZoneInfo(zone))
    return candidate.astimezone(UTC)
