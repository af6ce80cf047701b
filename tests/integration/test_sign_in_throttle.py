"""Sign-in abuse: guessing is slowed per account and per address with 429 and Retry-After, each wait
longer than the last; the message never says which; an unknown username costs the same Argon2 work."""

from __future__ import annotations

import statistics
import time

from litestar.testing import AsyncTestClient
from sqlmodel import select

from server import db
from server.app import create_app
from server.auth.models import User
from server.auth.passwords import hash_password
from server.clock import SetClock
from server.settings import Settings
from tests.conftest import As, text_of
from tests.factories import PASSWORD, World
from tests.integration.test_sign_in import audit_rows

GENERIC = "Too many sign-in attempts."


async def attempt(client: AsyncTestClient, username: str, password: str = "wrong"):  # type: ignore[no-untyped-def]
    person = As(client, username)
    await person.get("/signin")
    return await person.post("/signin", data={"username": username, "password": password})


async def test_guessing_one_account_waits_longer_after_each_failure(
    client: AsyncTestClient, world: World, clock: SetClock, settings: Settings
) -> None:
    for _ in range(5):
        assert (await attempt(client, "nurse")).status_code == 401
    refused = await attempt(client, "nurse", PASSWORD)
    assert refused.status_code == 429, "even the right password waits: the guesser learns nothing"
    assert refused.headers["retry-after"] == "30"
    assert GENERIC in text_of(refused.text) and "nurse" not in text_of(refused.text).split("Sign in")[-1]
    for security_header in ("content-security-policy", "x-content-type-options"):
        assert security_header in refused.headers

    waits = []
    for _ in range(3):
        clock.advance(seconds=int(refused.headers["retry-after"]))
        assert (await attempt(client, "nurse")).status_code == 401
        refused = await attempt(client, "nurse")
        waits.append(int(refused.headers["retry-after"]))
    assert waits == [60, 120, 240]

    throttled = [e for e in await audit_rows(settings) if e.outcome == "throttled"]
    assert len(throttled) == 4 and {e.username for e in throttled} == {"nurse"}


async def test_the_wait_is_capped_and_the_account_signs_in_after_it(
    client: AsyncTestClient, world: World, clock: SetClock
) -> None:
    for _ in range(12):
        response = await attempt(client, "therapist")
        if response.status_code == 429:
            clock.advance(seconds=int(response.headers["retry-after"]))
            response = await attempt(client, "therapist")
        assert response.status_code == 401
    refused = await attempt(client, "therapist", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) == 15 * 60
    assert "Wait 15 minutes" in text_of(refused.text)
    clock.advance(minutes=15)
    assert (await attempt(client, "therapist", PASSWORD)).status_code == 303


async def test_an_unknown_username_is_throttled_exactly_like_a_real_one(
    client: AsyncTestClient, world: World
) -> None:
    answers = {}
    for username in ("nurse", "nobody-here"):
        statuses = [(await attempt(client, username)).status_code for _ in range(6)]
        last = await attempt(client, username)
        answers[username] = (statuses, last.headers.get("retry-after"), text_of(last.text))
    assert answers["nurse"] == answers["nobody-here"]
    assert answers["nurse"][0] == [401] * 5 + [429]


async def test_a_successful_sign_in_starts_the_account_afresh(client: AsyncTestClient, world: World) -> None:
    for _ in range(4):
        assert (await attempt(client, "nurse")).status_code == 401
    assert (await attempt(client, "nurse", PASSWORD)).status_code == 303
    for _ in range(4):
        assert (await attempt(client, "nurse")).status_code == 401


async def test_one_address_guessing_many_accounts_is_throttled(
    client: AsyncTestClient, world: World, clock: SetClock
) -> None:
    for n in range(30):
        assert (await attempt(client, f"guess{n}")).status_code == 401
    refused = await attempt(client, "therapist", PASSWORD)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
    clock.advance(seconds=30)
    assert (await attempt(client, "therapist", PASSWORD)).status_code == 303


async def test_every_instance_sees_the_same_count(settings: Settings, clock: SetClock, world: World) -> None:
    """The counts live in the shared store (the database here), not in one instance's memory."""
    first, second = create_app(settings, clock), create_app(settings, clock)
    async with (
        AsyncTestClient(app=first, raise_server_exceptions=False) as on_first,
        AsyncTestClient(app=second, raise_server_exceptions=False) as on_second,
    ):
        for _ in range(5):
            assert (await attempt(on_first, "nurse")).status_code == 401
        assert (await attempt(on_second, "nurse", PASSWORD)).status_code == 429


async def test_an_unknown_username_takes_as_long_as_a_wrong_password(
    client: AsyncTestClient, world: World, clock: SetClock, settings: Settings
) -> None:
    """Medians within 20 %: a real account's hash (not the tests' cheap one) against the dummy hash,
    measured alternately so that the machine's noise falls on both alike."""
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, clock)() as session:
        nurse = (await session.exec(select(User).where(User.username == "nurse"))).one()
        nurse.password_hash = hash_password(PASSWORD)
        session.add(nurse)
        await session.commit()
    await engine.dispose()

    timings: dict[str, list[float]] = {"nurse": [], "no-such-user": []}
    for _ in range(9):
        for username, seconds in timings.items():
            clock.advance(hours=1)
            started = time.perf_counter()
            assert (await attempt(client, username)).status_code == 401
            seconds.append(time.perf_counter() - started)
    known, unknown = statistics.median(timings["nurse"]), statistics.median(timings["no-such-user"])
    assert abs(known - unknown) / known < 0.2, f"known {known * 1000:.0f} ms, unknown {unknown * 1000:.0f} ms"
