"""The session store is written only when a request changed the session: a request within
ACTIVE_AT_EVERY of the last recorded use changes nothing, so neither the store row nor the cookie is
written again; a later one records the use (ACTIVE_AT) and renews the idle expiry as before."""

from __future__ import annotations

import json
from datetime import datetime

from litestar.testing import AsyncTestClient
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server import db
from server.auth.session_store import WebSession
from server.auth.sessions import ACTIVE_AT, ACTIVE_AT_EVERY, SESSION_COOKIE
from server.clock import SetClock
from server.settings import Settings
from tests.conftest import As
from tests.factories import World


async def stored_sessions(settings: Settings) -> list[tuple[bytes, datetime | None]]:
    """Read on an engine of the test's own (the app runs on the test client's event loop)."""
    engine = db.make_engine(settings.resolved_database_url())
    try:
        async with AsyncSession(engine) as session:
            found = await session.exec(select(WebSession).where(col(WebSession.key).startswith("sessions:")))
            return [(row.value, row.expires_at) for row in found.all()]
    finally:
        await engine.dispose()


def active_at(stored: bytes) -> datetime:
    return datetime.fromisoformat(json.loads(stored)[ACTIVE_AT])


async def test_a_request_that_changes_nothing_leaves_the_stored_session_alone(
    settings: Settings, client: AsyncTestClient, clock: SetClock, world: World
) -> None:
    therapist = As(client, "therapist")
    await therapist.sign_in()
    [before] = await stored_sessions(settings)
    clock.advance(seconds=ACTIVE_AT_EVERY.total_seconds() - 1)
    page = await therapist.get("/worklist", follow_redirects=False)
    assert page.status_code == 200
    assert SESSION_COOKIE not in page.headers.get("set-cookie", "")
    assert await stored_sessions(settings) == [before]


async def test_use_of_the_tablet_is_still_recorded_and_renews_the_idle_expiry(
    settings: Settings, client: AsyncTestClient, clock: SetClock, world: World
) -> None:
    therapist = As(client, "therapist")
    await therapist.sign_in()
    [(first, first_expiry)] = await stored_sessions(settings)
    clock.advance(seconds=ACTIVE_AT_EVERY.total_seconds() + 1)
    page = await therapist.get("/worklist", follow_redirects=False)
    assert page.status_code == 200
    assert SESSION_COOKIE in page.headers.get("set-cookie", "")
    [(now_stored, expiry)] = await stored_sessions(settings)
    assert active_at(now_stored) == clock.now()
    assert active_at(now_stored) > active_at(first)
    assert first_expiry is not None and expiry is not None and expiry > first_expiry
