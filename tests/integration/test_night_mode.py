"""Night mode: each person's choice of day, night or automatic is kept with their account, and the page
arrives already drawn in its theme (no white flash); automatic and the sign-in page follow the hospital's
clock against its night hours, across midnight."""

from __future__ import annotations

import re
from datetime import datetime, time

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from server import db
from server.settings import Settings
from server.theme import THEME_COLOR
from tests.clock import set_clock
from tests.conftest import As, text_of
from tests.factories import World


def theme_of(page: str) -> str:
    """The theme the page is drawn in from its first byte: <html data-theme>, and the matching
    color-scheme and browser-bar colour."""
    found = re.search(r'<html lang="en" data-theme="(\w+)"', page)
    assert found, "the server writes the theme on <html>"
    theme = found.group(1)
    assert f'<meta name="color-scheme" content="{"dark" if theme == "night" else "light"}">' in page
    assert f'<meta name="theme-color" content="{THEME_COLOR[theme]}">' in page
    return theme


def at(clock, hour: int, minute: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Move the test's clock to this wall-clock time in the hospital's zone, on the run's day."""
    clock.set(datetime.combine(clock.today(), time(hour, minute), tzinfo=clock.tzinfo))


async def test_the_sign_in_page_follows_the_hospitals_night_hours_across_midnight(
    client: AsyncTestClient, clock
) -> None:  # type: ignore[no-untyped-def]
    seen = {}
    for hour, minute in [(12, 0), (20, 59), (21, 0), (23, 59), (0, 0), (6, 59), (7, 0)]:
        at(clock, hour, minute)
        seen[f"{hour:02}:{minute:02}"] = theme_of((await client.get("/signin")).text)
    assert seen == {
        "12:00": "day", "20:59": "day", "21:00": "night", "23:59": "night",
        "00:00": "night", "06:59": "night", "07:00": "day",
    }  # fmt: skip


async def test_an_automatic_page_says_when_the_night_starts_or_ends(sign_in_as, client, clock) -> None:  # type: ignore[no-untyped-def]
    """So that a page left open turns with the clock (static/js/theme.js); a fixed choice never turns."""
    at(clock, 20, 30)
    assert 'data-theme="day" data-theme-switch-in="1801"' in (await client.get("/signin")).text
    at(clock, 6, 0)
    assert 'data-theme="night" data-theme-switch-in="3601"' in (await client.get("/signin")).text
    therapist = await sign_in_as("therapist")
    await therapist.post("/account/theme", data={"theme": "night", "back": "/worklist"})
    assert "data-theme-switch-in" not in (await therapist.get("/worklist")).text


async def test_automatic_is_the_default_and_turns_to_night_with_the_clock(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    at(clock, 12)
    assert theme_of((await therapist.get("/worklist")).text) == "day"
    at(clock, 22, 30)
    assert theme_of((await therapist.get("/worklist")).text) == "night"


async def test_a_chosen_theme_is_kept_with_the_person_not_the_tablet(sign_in_as, client, clock) -> None:  # type: ignore[no-untyped-def]
    at(clock, 12)
    therapist = await sign_in_as("therapist")
    chosen = await therapist.post("/account/theme", data={"theme": "night", "back": "/worklist"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/worklist"
    page = (await therapist.get("/worklist")).text
    assert theme_of(page) == "night"
    assert re.search(r'value="night" class="btn btn-quiet" aria-pressed="true"', page)

    on_another_tablet = await sign_in_as("therapist")
    assert theme_of((await on_another_tablet.get("/account/password")).text) == "night"
    nurse = await sign_in_as("nurse")
    assert theme_of((await nurse.get("/units/1/board", follow_redirects=True)).text) == "day"

    at(clock, 23)
    await therapist.post("/account/theme", data={"theme": "day", "back": "/account/password"})
    assert theme_of((await therapist.get("/worklist")).text) == "day", "day stays day at night"
    await therapist.post("/account/theme", data={"theme": "auto", "back": "/worklist"})
    assert theme_of((await therapist.get("/worklist")).text) == "night"


async def test_an_unknown_theme_is_refused_and_the_choice_kept(sign_in_as, clock) -> None:  # type: ignore[no-untyped-def]
    at(clock, 12)
    therapist = await sign_in_as("therapist")
    await therapist.post("/account/theme", data={"theme": "night", "back": "/worklist"})
    refused = await therapist.post("/account/theme", data={"theme": "purple", "back": "/worklist"})
    assert refused.status_code == 422
    assert "There is no screen theme called purple; choose Day, Night or Automatic." in text_of(refused.text)
    assert '<input type="hidden" name="back" value="/">' in refused.text, "a refusal page returns home"
    assert theme_of((await therapist.get("/worklist")).text) == "night"


ELSEWHERE = ["https://elsewhere.example/", "//elsewhere.example/x", "worklist", "/\\evil"]


@pytest.mark.parametrize("back", ELSEWHERE)
async def test_the_theme_choice_returns_only_to_a_page_of_this_site(sign_in_as, back: str) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    chosen = await therapist.post("/account/theme", data={"theme": "day", "back": back})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/"


async def test_choosing_a_theme_needs_the_csrf_token_and_a_sign_in(
    client: AsyncTestClient, world: World
) -> None:
    anonymous = As(client, "nobody")
    await anonymous.get("/signin")
    refused = await anonymous.post("/account/theme", data={"theme": "night"})
    assert refused.status_code == 303 and refused.headers["location"] == "/signin"
    therapist = As(client, "therapist")
    await therapist.sign_in()
    forged = await therapist.post("/account/theme", data={"theme": "night"}, csrf=False)
    assert forged.status_code == 403


async def test_the_database_refuses_a_theme_that_is_not_day_night_or_automatic(
    settings: Settings, world: World
) -> None:
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, set_clock())() as session:
        with pytest.raises(IntegrityError):
            await session.exec(text("UPDATE care_user SET theme = 'purple'"))  # type: ignore[call-overload]
            await session.commit()
    await engine.dispose()
