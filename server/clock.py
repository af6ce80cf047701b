"""The one clock. Code reads the time only from a `Clock`: aware UTC in code and database, the hospital's
zone on screen and for "today".

`create_app(settings, clock=...)` takes one (the wall clock in the hospital's zone by default); handlers get
it by injection, and every database session the app opens carries it (`clock_of(db)`), so services,
the audit trail, the expiry sweep, sockets, presence, the session store and the demo data all agree on
"now". Tests pass a `SetClock` they move by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


class Clock:
    """The wall clock, in the hospital's time zone."""

    def __init__(self, zone: str = "UTC") -> None:
        self.zone = zone
        self.tzinfo = ZoneInfo(zone)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        """The hospital's calendar day now: what "today's worklist" means."""
        return self.local(self.now()).date()

    def reading(self) -> tuple[datetime, date]:
        """Now and the hospital's today, from one reading (they agree even at midnight)."""
        now = self.now()
        return now, self.local(now).date()

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tzinfo)

    def next_local_time(self, clock_time: time) -> datetime:
        """A wall-clock time a nurse enters ("until 14:30"): today at that time or, if past, tomorrow."""
        return next_local_time(clock_time, self.zone, self.now())


class ShiftedClock(Clock):
    """The wall clock moved by a fixed amount: a real server process that a test runs in another year."""

    def __init__(self, zone: str, shift: timedelta) -> None:
        super().__init__(zone)
        self.shift = shift

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift


class SetClock(Clock):
    """A clock that stands still until moved: tests set the instant and advance it."""

    def __init__(self, zone: str, start: datetime) -> None:
        super().__init__(zone)
        self.set(start)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("SetClock needs an aware datetime")
        self._now = moment.astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        self._now += delta if delta is not None else timedelta(**parts)
        return self._now

    def now(self) -> datetime:
        return self._now


def clock_of(db: Any) -> Clock:
    """The clock a database session was opened with (see `server.db.make_session_maker`)."""
    return db.info["clock"]  # type: ignore[no-any-return]


def to_local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def next_local_time(clock_time: time, zone: str, now: datetime) -> datetime:
    """Today at that local time or, if already past, tomorrow; right across daylight-saving changes
    (a time that does not exist that day is read as the same clock reading after the change)."""
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    candidate = datetime.combine(local_now.date(), clock_time, tzinfo=tz)
    if candidate <= local_now:
        candidate = datetime.combine(local_now.date() + timedelta(days=1), clock_time, tzinfo=tz)
    return candidate.astimezone(UTC)
