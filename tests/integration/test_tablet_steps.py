"""Steps charted on a tablet that was offline: the tablet's time and the server's receipt time are both
kept, the massage's times are the tablet's (corrected for its clock), a step sent twice is applied once, and
what the server cannot accept is refused with a reason the tablet can show."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from server import db
from server.clock import SetClock
from server.sessions.models import TabletStep
from server.settings import Settings
from tests.conftest import SIGNABLE, As, ready_session
from tests.factories import World

TABLET_BEHIND = timedelta(hours=2, minutes=7)
"""This tablet's clock is two hours and seven minutes behind the server's."""


def stamp(client_id: str, recorded: datetime, sent: datetime) -> dict[str, str]:
    return {
        "Bedside-Client-Id": client_id,
        "Bedside-Recorded-At": recorded.isoformat(),
        "Bedside-Sent-At": sent.isoformat(),
    }


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def receipts(settings: Settings, clock: SetClock) -> list[TabletStep]:
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, clock)() as session:
        rows = list((await session.exec(select(TabletStep))).all())
    await engine.dispose()
    return rows


async def test_a_session_charted_offline_keeps_the_tablets_times_and_the_servers(  # type: ignore[no-untyped-def]
    sign_in_as, world: World, clock: SetClock, settings: Settings
) -> None:
    therapist: As = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    tapped = clock.now() - TABLET_BEHIND + timedelta(minutes=1)  # the tablet's clock at the pre score
    clock.advance(minutes=40)  # the Wi-Fi comes back 40 minutes later: everything is sent now
    sent = clock.now() - TABLET_BEHIND
    url = f"/api/sessions/{session_id}"
    pre = await therapist.post(
        f"{url}/scores",
        json={"client_id": "offline-pre-0001", "phase": "pre", "value": 6},
        headers=stamp("offline-pre-0001", tapped, sent),
    )
    assert pre.status_code == 201, pre.text
    finished = await therapist.post(
        f"{url}/finish", json={}, headers=stamp("offline-finish-0001", tapped + timedelta(minutes=20), sent)
    )
    assert finished.status_code == 200, finished.text
    post = await therapist.post(
        f"{url}/scores",
        json={"client_id": "offline-post-0001", "phase": "post", "value": 3},
        headers=stamp("offline-post-0001", tapped + timedelta(minutes=22), sent),
    )
    assert post.status_code == 201, post.text
    signed = await therapist.post(
        f"{url}/sign", json=SIGNABLE, headers=stamp("offline-sign-0001", tapped + timedelta(minutes=25), sent)
    )
    assert signed.status_code == 200, signed.text

    session = signed.json()
    on_server_clock = tapped + TABLET_BEHIND
    assert iso(session["started_at"]) == on_server_clock
    assert iso(session["massage_ended_at"]) == on_server_clock + timedelta(minutes=20)
    assert session["active_seconds"] == 20 * 60, "the hands-on minutes are the tablet's, not the network's"
    assert iso(session["signed_at"]) == on_server_clock + timedelta(minutes=25)
    scores = {s["phase"]: s for s in session["scores"] if s["measure"] == "pain"}
    assert iso(scores["pre"]["tablet_recorded_at"]) == tapped, "the tablet's own time, as it said"
    assert iso(scores["pre"]["recorded_at"]) == clock.now(), "and when the server received it"
    steps = {r.step: r for r in await receipts(settings, clock)}
    assert set(steps) == {"finish", "sign"}
    assert steps["finish"].tablet_recorded_at == tapped + timedelta(minutes=20)
    assert steps["finish"].tablet_sent_at == sent and steps["finish"].received_at == clock.now()


async def test_a_step_sent_twice_is_applied_once_and_a_reused_id_is_refused(  # type: ignore[no-untyped-def]
    sign_in_as, world: World, clock: SetClock, settings: Settings
) -> None:
    therapist: As = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    url = f"/api/sessions/{session_id}"
    now = clock.now()
    pre = await therapist.post(
        f"{url}/scores", json={"client_id": "twice-pre-001", "phase": "pre", "value": 5}
    )
    assert pre.status_code == 201
    first = await therapist.post(f"{url}/pause", json={}, headers=stamp("twice-pause-01", now, now))
    again = await therapist.post(f"{url}/pause", json={}, headers=stamp("twice-pause-01", now, now))
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["state"] == "paused"
    assert [r.step for r in await receipts(settings, clock)] == ["pause"]

    reused = await therapist.post(f"{url}/resume", json={}, headers=stamp("twice-pause-01", now, now))
    assert reused.status_code == 409
    assert (
        reused.json()["detail"]
        == "This submission id was already used for a different step; nothing was stored."
    )
    assert (await therapist.get(url)).json()["state"] == "paused"


async def test_a_tablet_time_before_the_previous_step_is_charted_at_that_step(  # type: ignore[no-untyped-def]
    sign_in_as, world: World, clock: SetClock
) -> None:
    """A tablet whose clock jumped back: the finish cannot come before the massage started."""
    therapist: As = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    url = f"/api/sessions/{session_id}"
    await therapist.post(f"{url}/scores", json={"client_id": "clamp-pre-001", "phase": "pre", "value": 5})
    started = clock.now()
    clock.advance(minutes=10)
    early = clock.now() - timedelta(hours=1)
    finished = await therapist.post(
        f"{url}/finish", json={}, headers=stamp("clamp-finish-1", early, clock.now())
    )
    assert finished.status_code == 200
    assert iso(finished.json()["massage_ended_at"]) == started and finished.json()["active_seconds"] == 0


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Bedside-Client-Id": "short"}, "The submission id must be 8 to 64 letters"),
        ({"Bedside-Client-Id": "has spaces in it"}, "The submission id must be 8 to 64 letters"),
        ({"Bedside-Recorded-At": "2026-03-01T09:30:00Z"}, "needs its submission id"),
        (
            {"Bedside-Client-Id": "bad-time-0001", "Bedside-Recorded-At": "yesterday"},
            "is not an ISO 8601 time",
        ),
        (
            {"Bedside-Client-Id": "naive-time-01", "Bedside-Recorded-At": "2026-03-01T09:30:00"},
            "needs its UTC offset",
        ),
        ("future", "recorded after it was sent"),
        ("stale", "more than 3 days ago"),
    ],
)
async def test_bad_tablet_stamps_are_refused_and_nothing_changes(  # type: ignore[no-untyped-def]
    sign_in_as, world: World, clock: SetClock, headers: dict[str, str] | str, message: str
) -> None:
    therapist: As = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    url = f"/api/sessions/{session_id}"
    await therapist.post(f"{url}/scores", json={"client_id": "bad-pre-00001", "phase": "pre", "value": 5})
    now = clock.now()
    if headers == "future":
        headers = stamp("future-finish1", now + timedelta(hours=1), now)
    elif headers == "stale":
        headers = stamp("stale-finish01", now - timedelta(days=4), now)
    refused = await therapist.post(f"{url}/finish", json={}, headers=headers)
    assert refused.status_code == 422, refused.text
    assert message in refused.json()["detail"]
    assert (await therapist.get(url)).json()["massage_ended_at"] is None


async def test_the_session_page_carries_the_steps_drawn_offline(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist: As = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    page = (await therapist.get(f"/sessions/{session_id}")).text
    steps = dict(re.findall(r'<template data-offline-step="(\w+)">(.*?)</template>', page, re.S))
    assert {"running", "paused", "post"} <= set(steps), steps.keys()
    running, paused, to = steps["running"], steps["paused"], f'action="/sessions/{session_id}'
    assert f'{to}/pause"' in running and "Massage in progress" in running
    assert f'{to}/resume"' in paused and "Paused" in paused
    for step in (running, paused):
        assert f'{to}/finish"' in step and "data-offline-timer" in step
