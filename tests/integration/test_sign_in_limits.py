"""Automatic logoff: a sign-in ends after BEDSIDE_IDLE_MINUTES without a request, and after
BEDSIDE_SESSION_MAX_AGE however active; the cookie is never renewed for longer than the idle time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.clock import SetClock
from server.settings import Settings
from tests.conftest import As
from tests.factories import World


async def signed_in(client: AsyncTestClient) -> As:
    therapist = As(client, "therapist")
    await therapist.sign_in()
    return therapist


def sent_to_sign_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 303 and response.headers["location"] == "/signin"


async def test_a_tablet_left_alone_for_the_idle_time_is_signed_out(
    settings: Settings, clock: SetClock, world: World
) -> None:
    fifteen_minutes = create_app(replace(settings, idle_minutes=15), clock)
    async with AsyncTestClient(app=fifteen_minutes, raise_server_exceptions=False) as client:
        therapist = await signed_in(client)
        clock.advance(minutes=14)
        page = await therapist.get("/worklist", follow_redirects=False)
        assert page.status_code == 200
        assert "max-age=900" in page.headers["set-cookie"].lower(), "renewed for the idle time, no more"
        clock.advance(minutes=16)
        assert sent_to_sign_in(await therapist.get("/worklist", follow_redirects=False))


async def test_an_active_sign_in_still_ends_with_its_shift(
    settings: Settings, clock: SetClock, world: World
) -> None:
    one_hour = create_app(replace(settings, session_max_age=3600, idle_minutes=15), clock)
    async with AsyncTestClient(app=one_hour, raise_server_exceptions=False) as client:
        therapist = await signed_in(client)
        for _ in range(5):
            clock.advance(minutes=10)
            assert (await therapist.get("/worklist", follow_redirects=False)).status_code == 200
        clock.advance(timedelta(minutes=11))
        assert sent_to_sign_in(await therapist.get("/worklist", follow_redirects=False))
        api = await therapist.post("/api/patients/1/sessions")
        assert api.status_code == 401 and api.json()["detail"] == "Sign in first."
