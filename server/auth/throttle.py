"""Sign-in throttling: failed attempts slow down guessing, per account and per client address.

Each failure is counted against the username typed (known or not, so the answer never tells which) and
against the address it came from. Past a few free failures, that account or address must wait, and each
further failure doubles the wait, up to a cap: a growing back-off, never a permanent lockout that an
attacker could use to shut a nurse out. A successful sign-in clears the account's count. Counts live in
a Litestar store shared by every instance (the database or Redis, like the sessions) and are timed by
the app's clock. Litestar's own `RateLimitConfig` counts every request in a fixed window by the wall
clock, so it can neither grow a back-off nor be tested on the app's clock; it is not used here.
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from litestar.stores.base import Store

from server.clock import Clock
from server.errors import BedsideError


@dataclass(frozen=True)
class Limit:
    """`free` failures are allowed; the next waits `first_wait`, each after that twice as long, to `cap`."""

    free: int
    first_wait: timedelta
    cap: timedelta

    def wait_after(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free, 32)  # past the cap anyway; keeps the product in range
        return min(self.cap, self.first_wait * 2**doublings)


ACCOUNT_LIMIT = Limit(free=5, first_wait=timedelta(seconds=30), cap=timedelta(minutes=15))
ADDRESS_LIMIT = Limit(free=30, first_wait=timedelta(seconds=30), cap=timedelta(minutes=15))
"""An address can be a whole ward's nurse station (or a proxy: run uvicorn with --proxy-headers), so it
gets more free failures than one account."""
FORGET_AFTER = timedelta(hours=1)
"""Failures older than this (counted from the last one) are forgotten."""


class TooManyAttempts(BedsideError):
    status_code = 429

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after_seconds = max(1, math.ceil(retry_after.total_seconds()))
        minutes = math.ceil(self.retry_after_seconds / 60)
        wait = "a minute" if minutes == 1 else f"{minutes} minutes"
        super().__init__(f"Too many sign-in attempts. Wait {wait} and try again, or ask the unit's admin.")
        self.headers = {"Retry-After": str(self.retry_after_seconds)}


@dataclass
class Failures:
    count: int
    last_at: datetime
    blocked_until: datetime

    @classmethod
    def read(cls, raw: bytes | None, now: datetime) -> Failures:
        if raw is None:
            return cls(0, now, now)
        data = json.loads(raw)
        last_at = datetime.fromisoformat(data["last_at"])
        if now - last_at >= FORGET_AFTER:
            return cls(0, now, now)
        return cls(data["count"], last_at, datetime.fromisoformat(data["blocked_until"]))

    def dump(self) -> bytes:
        last_at, blocked_until = self.last_at.isoformat(), self.blocked_until.isoformat()
        return json.dumps({"count": self.count, "last_at": last_at, "blocked_until": blocked_until}).encode()


class SignInThrottle:
    """Every attempt is counted as a failure before its password is checked, and the count is taken back
    when it succeeds: parallel guesses cannot all slip past the check while the first is being verified.
    (On one instance the lock makes check-and-count one step; across instances a few may overlap.)"""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._lock = asyncio.Lock()

    async def attempt(self, username: str, address: str) -> None:
        """Count this attempt, or raise `TooManyAttempts` (the longest wait) while either must wait."""
        now = self._clock.now()
        keys = {account_key(username): ACCOUNT_LIMIT, address_key(address): ADDRESS_LIMIT}
        async with self._lock:
            counted = {key: Failures.read(await self._store.get(key), now) for key in keys}
            longest = max(failures.blocked_until - now for failures in counted.values())
            if longest > timedelta(0):
                raise TooManyAttempts(longest)
            for key, failures in counted.items():
                failures.count += 1
                failures.last_at = now
                failures.blocked_until = now + keys[key].wait_after(failures.count)
                await self._store.set(key, failures.dump(), expires_in=FORGET_AFTER)

    async def succeeded(self, username: str, address: str) -> None:
        """The account starts afresh; the address gets back the attempt that was counted against it."""
        now = self._clock.now()
        async with self._lock:
            await self._store.delete(account_key(username))
            key = address_key(address)
            failures = Failures.read(await self._store.get(key), now)
            if failures.count > 0:
                failures.count -= 1
                failures.blocked_until = failures.last_at + ADDRESS_LIMIT.wait_after(failures.count)
                await self._store.set(key, failures.dump(), expires_in=FORGET_AFTER)


def account_key(username: str) -> str:
    return f"account:{username.strip().lower()[:64]}"


def address_key(address: str) -> str:
    return f"address:{address}"
