"""The sign-in back-off rule: a few free failures, then a wait that doubles with each failure, capped."""

from __future__ import annotations

from datetime import timedelta

from server.auth.throttle import ACCOUNT_LIMIT, ADDRESS_LIMIT, Limit


def test_an_account_waits_after_five_failures_and_each_wait_doubles_to_fifteen_minutes() -> None:
    waits = [ACCOUNT_LIMIT.wait_after(n).total_seconds() for n in range(1, 12)]
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]


def test_an_address_shared_by_a_ward_gets_more_free_failures_than_one_account() -> None:
    assert ADDRESS_LIMIT.wait_after(29) == timedelta(0)
    assert ADDRESS_LIMIT.wait_after(30) == timedelta(seconds=30)


def test_the_cap_holds_however_many_failures() -> None:
    limit = Limit(free=1, first_wait=timedelta(seconds=1), cap=timedelta(minutes=2))
    assert limit.wait_after(10_000) == timedelta(minutes=2)
