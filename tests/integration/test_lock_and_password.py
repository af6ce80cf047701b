"""A shared tablet locks, and a password change ends a person's other sign-ins: either way the sockets
of what ended close at once (4401), and nothing of the chart is served until the person is back."""

from __future__ import annotations

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.conftest import As, text_of
from tests.factories import PASSWORD, World
from tests.integration.test_sign_in import audit_rows
from tests.integration.test_sign_in_ends_sockets import closed_with

NEW_PASSWORD = "a quiet ward at dawn"


async def test_locking_a_tablet_closes_its_sockets_and_only_that_tablets(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    tablet, other_tablet = await sign_in_as("therapist"), await sign_in_as("therapist")
    ada = world.patient_ids["ada"]
    with (
        await tablet.websocket("/ws/worklist") as worklist,
        await other_tablet.websocket(f"/ws/patients/{ada}") as chart,
    ):
        worklist.receive_text(timeout=5)
        chart.receive_text(timeout=5)
        locked = await tablet.post("/lock")
        assert locked.status_code == 303 and locked.headers["location"] == "/unlock"
        assert closed_with(worklist) == 4401
        nurse = await sign_in_as("nurse")
        await nurse.post(f"/api/patients/{ada}/flags", json={"kind": "imaging"})
        assert "Imaging" in chart.receive_text(timeout=3), "the same person's other tablet stays live"


async def test_a_locked_tablet_shows_nothing_until_unlocked(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    tablet = await sign_in_as("therapist")
    await tablet.post("/lock")
    page = await tablet.get(f"/patients/{world.patient_ids['ada']}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/unlock"
    swap = await tablet.get("/worklist", headers={"HX-Request": "true"}, follow_redirects=False)
    assert swap.status_code == 401 and swap.headers["hx-redirect"] == "/unlock"
    api = await tablet.post(f"/api/patients/{world.patient_ids['ada']}/sessions")
    assert api.status_code == 401 and "locked" in api.json()["detail"]
    with pytest.raises(WebSocketDisconnect) as refused, await tablet.websocket("/ws/worklist") as socket:
        socket.receive_text(timeout=5)
    assert refused.value.code == 4401

    lock_screen = await tablet.get("/unlock")
    assert "This tablet is locked" in lock_screen.text and "Ada" not in lock_screen.text
    wrong = await tablet.post("/unlock", data={"password": "not it"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    unlocked = await tablet.post("/unlock", data={"password": PASSWORD})
    assert unlocked.status_code == 303
    assert (await tablet.get("/worklist")).status_code == 200


async def test_wrong_passwords_on_the_lock_screen_end_the_sign_in(
    sign_in_as, world: World, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    tablet = await sign_in_as("therapist")
    await tablet.post("/lock")
    for _ in range(5):
        assert (await tablet.post("/unlock", data={"password": "guess"})).status_code == 401
    ended = await tablet.post("/unlock", data={"password": PASSWORD})
    assert ended.status_code == 429 and "Signed out after too many wrong passwords" in text_of(ended.text)
    assert (await tablet.get("/worklist", follow_redirects=False)).headers["location"] == "/signin"
    actions = [(e.entity_type, e.outcome) for e in await audit_rows(settings) if e.username == "therapist"]
    assert ("lock", "success") in actions and actions.count(("unlock", "failure")) == 5
    assert ("sign_out", "success") in actions


async def test_switch_user_from_the_lock_screen_signs_out(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    tablet = await sign_in_as("therapist")
    await tablet.post("/lock")
    switched = await tablet.post("/signout")
    assert switched.status_code == 303 and switched.headers["location"] == "/signin"
    assert (await tablet.get("/unlock", follow_redirects=False)).headers["location"] == "/signin"


async def test_a_password_change_ends_every_other_sign_in_and_closes_their_sockets(
    sign_in_as, world: World, client: AsyncTestClient
) -> None:  # type: ignore[no-untyped-def]
    here, elsewhere = await sign_in_as("nurse"), await sign_in_as("nurse")
    with await elsewhere.websocket(f"/ws/units/{world.unit_ids['4W']}/board") as board:
        board.receive_text(timeout=5)
        changed = await here.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "repeat_password": NEW_PASSWORD,
            },
        )
        assert changed.status_code == 200 and "Your password is changed" in changed.text
        assert closed_with(board) == 4401
    assert (await elsewhere.get("/board", follow_redirects=False)).headers["location"] == "/signin"
    assert (await here.get("/board")).status_code == 200, "the tablet it was changed on stays signed in"
    await As(client, "nurse").sign_in(NEW_PASSWORD)
    old = As(client, "nurse")
    await old.get("/signin")
    assert (await old.post("/signin", data={"username": "nurse", "password": PASSWORD})).status_code == 401


@pytest.mark.parametrize(
    ("form", "field", "status"),
    [
        (
            {"current_password": PASSWORD, "new_password": "short", "repeat_password": "short"},
            "new_password",
            422,
        ),
        (
            {"current_password": PASSWORD, "new_password": "x" * 129, "repeat_password": "x" * 129},
            "new_password",
            422,
        ),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat_password": "other"},
            "repeat_password",
            422,
        ),
        (
            {"current_password": "wrong", "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD},
            "current_password",
            401,
        ),
        (
            {"current_password": PASSWORD, "new_password": PASSWORD, "repeat_password": PASSWORD},
            "new_password",
            422,
        ),
    ],
)
async def test_a_refused_password_change_says_which_field_and_changes_nothing(
    sign_in_as, world: World, form: dict[str, str], field: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    refused = await nurse.post("/account/password", data=form)
    assert refused.status_code == status and field in refused.text
    assert (await nurse.get("/board")).status_code == 200, "still signed in"
    again = await sign_in_as("nurse")
    assert (await again.get("/board")).status_code == 200, "the old password still works"
