"""A session across the hospital's midnight and across a daylight-saving change, in a zone that is not UTC.

The instants are found from the run's own "now" (tests/clock.py), so these tests hold on any date:
the next 23:55 in the zone, and five minutes before its next daylight-saving change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.clock import SetClock
from server.settings import Settings
from tests.clock import TEST_NOW
from tests.conftest import SIGNABLE, ready_session, text_of
from tests.factories import World

ZONE = "America/New_York"


def next_local_2355(after: datetime) -> datetime:
    local = after.astimezone(ZoneInfo(ZONE))
    return datetime.combine(local.date() + timedelta(days=1), time(23, 55), tzinfo=ZoneInfo(ZONE))


def before_offset_change(after: datetime) -> datetime:
    """Five minutes before the zone's next daylight-saving change (at most a year of hours to scan)."""
    zone = ZoneInfo(ZONE)
    moment = after.replace(minute=0, second=0, microsecond=0)
    offset = moment.astimezone(zone).utcoffset()
    for _ in range(24 * 400):
        moment += timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != offset:
            return moment - timedelta(minutes=5)
    raise AssertionError(f"{ZONE} has no daylight-saving change within a year")


EDGES = {
    "midnight": lambda: next_local_2355(TEST_NOW),
    "next_clock_change": lambda: before_offset_change(TEST_NOW),
    "the_change_after": lambda: before_offset_change(before_offset_change(TEST_NOW) + timedelta(hours=1)),
}
"""Spring forward and fall back both come within the next two changes, whatever the date."""


@pytest.fixture(params=list(EDGES))
def clock(request: pytest.FixtureRequest) -> SetClock:
    return SetClock(ZONE, EDGES[request.param]())


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, timezone=ZONE)


async def test_a_session_across_midnight_or_a_clock_change_counts_its_real_minutes(
    sign_in_as, clock: SetClock, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    patient = world.patient_ids["ada"]
    started_local = clock.local(clock.now())
    session_id = await ready_session(therapist, patient)
    pre = {"client_id": "edge-pre-0001", "phase": "pre", "value": 6}
    assert (await therapist.post(f"/api/sessions/{session_id}/scores", json=pre)).status_code == 201

    clock.advance(minutes=15)
    ended_local = clock.local(clock.now())
    assert (ended_local.date(), ended_local.utcoffset()) != (started_local.date(), started_local.utcoffset())
    assert (await therapist.post(f"/api/sessions/{session_id}/finish", json={})).status_code == 200
    post = {"client_id": "edge-post-0001", "phase": "post", "value": 3}
    assert (await therapist.post(f"/api/sessions/{session_id}/scores", json=post)).status_code == 201
    signed = await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE)
    assert signed.status_code == 200, signed.text
    assert signed.json()["active_seconds"] == 15 * 60, "real minutes, not the wall-clock difference"

    page = text_of((await therapist.get(f"/sessions/{session_id}")).text)
    assert "massage 15 min" in page
    worklist = text_of((await therapist.get("/worklist")).text)
    assert f"Last pain: 3/10 (post, {ended_local.strftime('%d %b %Y %H:%M')})" in worklist


async def test_until_a_local_time_is_read_in_the_hospital_zone_across_the_edge(
    sign_in_as, clock: SetClock, world: World
) -> None:  # type: ignore[no-untyped-def]
    """A nurse at 23:55 (or just before the clocks change) types "until 03:30": the next 03:30 on the
    ward's clocks, which is tomorrow after midnight, or today after the change."""
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ben"]
    flagged = await nurse.post(
        f"/patients/{patient}/unavailable", data={"kind": "sleeping", "until": "03:30"}, htmx=True
    )
    assert flagged.status_code == 200 and "until 03:30" in text_of(flagged.text)
    flags = (await nurse.get(f"/api/units/{world.unit_ids['4W']}/patients")).json()
    until = datetime.fromisoformat(next(p for p in flags if p["id"] == patient)["flag"]["until"])
    local_until = until.astimezone(ZoneInfo(ZONE))
    assert local_until.time() == time(3, 30)
    assert timedelta(0) < until - clock.now() < timedelta(hours=5)
