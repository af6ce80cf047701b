"""A shared tablet locks by itself when nobody touches it, and its owner unlocks it with a PIN: the PIN
rule, its hash, the five tries, and the server refusing a quiet tablet's requests even when its page
could not lock itself. All timed on the app's clock, with the default BEDSIDE_LOCK_MINUTES of 3."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import replace

import pytest
from litestar.exceptions import WebSocketDisconnect
from sqlmodel import select

from server import db
from server.auth.models import User
from server.clock import SetClock
from server.settings import Settings
from tests.clock import set_clock
from tests.conftest import As, text_of
from tests.factories import PASSWORD, World
from tests.integration.test_sign_in import audit_rows
from tests.integration.test_sign_in_ends_sockets import closed_with

PIN = "2468"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The default lock time, which the shared fixture lifts for tests that move the clock by hours."""
    return replace(settings, lock_minutes=3)


async def user_row(settings: Settings, username: str) -> User:
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, set_clock())() as session:
        user = (await session.exec(select(User).where(User.username == username))).one()
    await engine.dispose()
    return user


async def set_pin(person: As, pin: str = PIN) -> None:
    chosen = await person.post("/account/pin", data={"password": PASSWORD, "pin": pin, "repeat_pin": pin})
    assert chosen.status_code == 200 and "Your PIN is set" in chosen.text, chosen.text


async def test_a_pin_is_kept_only_as_its_hash_and_setting_it_is_audited(
    sign_in_as, world: World, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    therapist = await sign_in_as("therapist")
    worklist = await therapist.get("/worklist")
    assert "Set a PIN" in worklist.text, "the worklist offers a PIN without stopping the work"
    form = await therapist.get("/account/pin")
    assert form.status_code == 200 and 'inputmode="numeric"' in form.text
    await set_pin(therapist)
    assert "Set a PIN" not in (await therapist.get("/worklist")).text

    stored = (await user_row(settings, "therapist")).pin_hash
    assert stored and stored.startswith("$argon2id$") and PIN not in stored
    events = [e for e in await audit_rows(settings) if e.entity_type == "pin"]
    assert [(e.outcome, e.detail) for e in events] == [("success", "set")]
    assert all(PIN not in (e.detail or "") for e in await audit_rows(settings))
    assert PIN not in caplog.text


@pytest.mark.parametrize(
    ("form", "status", "says"),
    [
        ({"password": PASSWORD, "pin": "1111", "repeat_pin": "1111"}, 422, "pin: one digit repeated"),
        ({"password": PASSWORD, "pin": "1234", "repeat_pin": "1234"}, 422, "pin: digits in a row"),
        ({"password": PASSWORD, "pin": "987654", "repeat_pin": "987654"}, 422, "pin: digits in a row"),
        ({"password": PASSWORD, "pin": "12", "repeat_pin": "12"}, 422, "pin: use 4 to 6 digits"),
        ({"password": PASSWORD, "pin": "24 68", "repeat_pin": "24 68"}, 422, "pin: use 4 to 6 digits"),
        ({"password": PASSWORD, "pin": PIN, "repeat_pin": "2469"}, 422, "repeat_pin: the two PINs"),
        ({"password": "not mine", "pin": PIN, "repeat_pin": PIN}, 401, "password: that is not your"),
    ],
)
async def test_a_refused_pin_says_why_and_changes_nothing(
    sign_in_as, world: World, settings: Settings, form: dict[str, str], status: int, says: str
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    refused = await therapist.post("/account/pin", data=form)
    assert refused.status_code == status and says in text_of(refused.text)
    assert (await user_row(settings, "therapist")).pin_hash is None
    assert (await therapist.get("/worklist")).status_code == 200, "still signed in"


async def test_a_locked_tablet_cannot_set_a_pin(sign_in_as, world: World, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    await therapist.post("/lock")
    refused = await therapist.post("/account/pin", data={"password": PASSWORD, "pin": PIN, "repeat_pin": PIN})
    assert refused.status_code == 303 and refused.headers["location"] == "/unlock"
    assert (await user_row(settings, "therapist")).pin_hash is None


async def test_the_owner_unlocks_with_the_pin_and_is_told_the_tries_left(
    sign_in_as, world: World, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    await set_pin(therapist)
    await therapist.post("/lock")
    lock_screen = await therapist.get("/unlock")
    assert "Enter your PIN" in lock_screen.text and 'inputmode="numeric"' in lock_screen.text
    assert "Use my password instead" in lock_screen.text

    wrong = await therapist.post("/unlock", data={"pin": "1357"})
    assert wrong.status_code == 401 and "That PIN is not right. 4 tries left" in text_of(wrong.text)
    assert (await therapist.get("/unlock")).status_code == 200, "reloading the lock screen forgets nothing"
    wrong = await therapist.post("/unlock", data={"pin": "1357"})
    assert "3 tries left" in text_of(wrong.text)
    unlocked = await therapist.post("/unlock", data={"pin": PIN})
    assert unlocked.status_code == 303 and unlocked.headers["location"] == "/"
    assert (await therapist.get("/worklist")).status_code == 200
    assert (await user_row(settings, "therapist")).pin_failures == 0, "a good PIN starts the count again"
    unlocks = [(e.outcome, e.detail) for e in await audit_rows(settings) if e.entity_type == "unlock"]
    assert unlocks == [("failure", "PIN"), ("failure", "PIN"), ("success", "PIN")]


async def test_five_wrong_pins_end_the_sign_in_and_the_pin_until_a_full_sign_in(
    sign_in_as, world: World, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    tablet, other_tablet = await sign_in_as("therapist"), await sign_in_as("therapist")
    await set_pin(tablet)
    await tablet.post("/lock")
    await other_tablet.post("/lock")
    for left in (4, 3, 2, 1):
        wrong = await tablet.post("/unlock", data={"pin": "1357"})
        assert wrong.status_code == 401 and f"{left} tr" in text_of(wrong.text)
    ended = await tablet.post("/unlock", data={"pin": "1357"})
    assert ended.status_code == 429
    assert "Signed out after 5 wrong PINs. Sign in with your username and password" in text_of(ended.text)
    assert (await tablet.get("/worklist", follow_redirects=False)).headers["location"] == "/signin"

    elsewhere = await other_tablet.get("/unlock")
    assert "Enter your password" in elsewhere.text, "the PIN is off on the person's other tablet too"
    refused = await other_tablet.post("/unlock", data={"pin": PIN})
    assert refused.status_code == 401 and "use your password" in text_of(refused.text)

    again = await sign_in_as("therapist")
    await again.post("/lock")
    assert "Enter your PIN" in (await again.get("/unlock")).text, "a full sign-in turns the PIN back on"
    assert (await again.post("/unlock", data={"pin": PIN})).status_code == 303


async def test_wrong_pins_sent_all_at_once_are_all_counted(
    sign_in_as, world: World, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    await set_pin(therapist)
    await therapist.post("/lock")
    answers = await asyncio.gather(*(therapist.post("/unlock", data={"pin": "1357"}) for _ in range(8)))
    codes = Counter(answer.status_code for answer in answers)
    assert codes[401] == 4, "four are told the tries left; the fifth and any after it end the sign-in"
    ended = [a for a in answers if a.status_code != 401]
    assert all(a.status_code == 429 or a.headers.get("location") == "/signin" for a in ended)
    assert not any(a.headers.get("location") == "/" for a in answers), "none unlocked the tablet"
    assert (await user_row(settings, "therapist")).pin_failures == 5
    assert (await therapist.get("/worklist", follow_redirects=False)).headers["location"] == "/signin"


async def test_a_tablet_nobody_uses_is_refused_as_locked_until_unlocked(
    sign_in_as, world: World, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    ada = world.patient_ids["ada"]
    clock.advance(minutes=3, seconds=25)
    assert (await therapist.get("/worklist")).status_code == 200, "within the grace after the lock time"
    clock.advance(minutes=3, seconds=31)
    page = await therapist.get(f"/patients/{ada}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/unlock"
    swap = await therapist.get("/worklist", headers={"HX-Request": "true"}, follow_redirects=False)
    assert swap.status_code == 401 and swap.headers["hx-redirect"] == "/unlock"
    api = await therapist.post(f"/api/patients/{ada}/sessions")
    assert api.status_code == 401 and "locked" in api.json()["detail"]
    with pytest.raises(WebSocketDisconnect) as refused, await therapist.websocket("/ws/worklist") as socket:
        socket.receive_text(timeout=5)
    assert refused.value.code == 4401
    locks = [e.detail for e in await audit_rows(settings) if e.entity_type == "lock"]
    assert locks == ["nobody used the tablet"], "locked once, and audited"

    lock_screen = await therapist.get("/unlock")
    assert "This tablet is locked" in lock_screen.text and "Ada" not in lock_screen.text
    assert (await therapist.post("/unlock", data={"password": PASSWORD})).status_code == 303
    assert (await therapist.get("/worklist")).status_code == 200
    clock.advance(minutes=3)
    assert (await therapist.get("/worklist")).status_code == 200, "the idle time starts again at the unlock"


async def test_touching_the_screen_keeps_the_tablet_open_and_only_while_touched(
    sign_in_as, world: World, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    for _ in range(6):  # a quarter of an hour reading and scrolling one page
        clock.advance(minutes=2, seconds=30)
        still = await therapist.post("/still-in-use")
        assert still.status_code == 204
    assert (await therapist.get("/worklist")).status_code == 200
    clock.advance(minutes=3, seconds=31)
    refused = await therapist.post("/still-in-use")
    assert refused.status_code == 303 and refused.headers["location"] == "/unlock"


async def test_the_sockets_of_a_tablet_nobody_uses_close(sign_in_as, world: World, clock: SetClock) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    with await therapist.websocket("/ws/worklist") as worklist:
        worklist.receive_text(timeout=5)
        clock.advance(minutes=3, seconds=31)
        assert closed_with(worklist) == 4401


async def test_the_pages_own_lock_is_audited_as_automatic(
    sign_in_as, world: World, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    locked = await therapist.post("/lock", data={"idle": "1"})
    assert locked.status_code == 303 and locked.headers["location"] == "/unlock"
    assert (await therapist.get("/worklist", follow_redirects=False)).headers["location"] == "/unlock"
    locks = [e.detail for e in await audit_rows(settings) if e.entity_type == "lock"]
    assert locks == ["nobody touched the screen"]
