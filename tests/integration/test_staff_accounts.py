"""Administrators keep the staff accounts: create one with a role, units and a temporary password the
person must change at first sign-in; reset a password; deactivate and reactivate. A reset or a
deactivation ends the person's sign-ins and closes their sockets at once; every change is audited."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from litestar.testing import AsyncTestClient
from sqlmodel import select

from server import db
from server.app import create_app
from server.auth.models import User
from server.clock import SetClock
from server.demo import DEMO_PASSWORD, create_demo_data
from server.settings import Settings
from tests import databases
from tests.clock import set_clock
from tests.conftest import As, text_of
from tests.factories import PASSWORD, World
from tests.integration.test_sign_in import audit_rows
from tests.integration.test_sign_in_ends_sockets import closed_with

TEMPORARY = "violet lantern harbour"
OWN = "my own quiet sentence"


def new_account(**fields: object) -> dict[str, object]:
    return {
        "username": "wren",
        "full_name": "Wren Adeyemi",
        "role": "therapist",
        "unit_ids": [],
        "temporary_password": TEMPORARY,
    } | fields


async def account_id(admin: As, username: str) -> int:
    listed = await admin.get("/api/admin/users")
    assert listed.status_code == 200
    return next(a["id"] for a in listed.json() if a["username"] == username)


async def refused_sign_in(client: AsyncTestClient, username: str, password: str) -> int:
    person = As(client, username)
    await person.get("/signin")
    return (await person.post("/signin", data={"username": username, "password": password})).status_code


async def test_an_admin_creates_an_account_and_the_person_must_choose_a_password_before_anything_else(
    sign_in_as, world: World, client: AsyncTestClient
) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    form = await admin.get("/admin/users")
    assert form.status_code == 200 and 'name="temporary_password"' in form.text
    created = await admin.post(
        "/admin/users",
        data={**new_account(), "unit_ids": [str(world.unit_ids["4W"])]},  # type: ignore[dict-item]
    )
    assert created.status_code == 303, created.text
    page = text_of((await admin.get(created.headers["location"])).text)
    assert "Wren Adeyemi wren" in page and "Temporary: to be changed at the next sign-in" in page
    assert "4W" in page and "Active" in page

    wren = As(client, "wren")
    await wren.sign_in(TEMPORARY)
    for url in ("/", "/worklist", f"/patients/{world.patient_ids['ada']}"):
        sent = await wren.get(url, follow_redirects=False)
        assert (sent.status_code, sent.headers["location"]) == (303, "/account/password"), url
    swap = await wren.get("/worklist", headers={"HX-Request": "true"}, follow_redirects=False)
    assert swap.status_code == 403 and swap.headers["hx-redirect"] == "/account/password"
    api = await wren.post(f"/api/patients/{world.patient_ids['ada']}/sessions")
    assert api.status_code == 403 and "change your temporary password first" in api.json()["detail"].lower()
    asked = await wren.get("/account/password")
    assert "set by an administrator" in asked.text

    changed = await wren.post(
        "/account/password",
        data={"current_password": TEMPORARY, "new_password": OWN, "repeat_password": OWN},
    )
    assert changed.status_code == 200 and "Your password is changed" in changed.text
    worklist = await wren.get("/worklist")
    assert worklist.status_code == 200 and "Ashby" in worklist.text, "works on the units given"
    listed = {a["username"]: a for a in (await admin.get("/api/admin/users")).json()}
    assert listed["wren"]["must_change_password"] is False and listed["wren"]["units"] == ["4W"]


async def test_the_list_shows_each_account_with_its_role_units_and_status(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    listed = {a["username"]: a for a in (await admin.get("/api/admin/users")).json()}
    assert listed["nurse"] | {"id": 0, "created_at": ""} == {
        "id": 0, "username": "nurse", "full_name": "Nurse", "role": "nurse",
        "unit_ids": [world.unit_ids["4W"]], "units": ["4W"], "active": True,
        "must_change_password": False, "demo": False, "created_at": "",
    }  # fmt: skip
    assert "password_hash" not in listed["nurse"]
    page = text_of((await admin.get("/admin/users")).text)
    assert "hh_nurse Hh_Nurse nurse HH Active" in page
    assert "Demo account" not in page


async def test_usernames_are_unique_whatever_their_case(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    taken = await admin.post("/api/admin/users", json=new_account(username="Nurse"))
    assert taken.status_code == 409 and "the username 'nurse' is taken" in taken.json()["detail"]
    created = await admin.post("/api/admin/users", json=new_account(username="  Wren.A "))
    assert created.status_code == 201 and created.json()["username"] == "wren.a"
    again = await admin.post("/admin/users", data=new_account(username="WREN.A"))  # type: ignore[arg-type]
    assert again.status_code == 409 and "the username &#39;wren.a&#39; is taken" in again.text
    assert 'value="WREN.A"' in again.text and TEMPORARY not in again.text, "the form kept, not the password"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"temporary_password": "password1234"}, "temporary_password"),
        ({"temporary_password": "too short"}, "temporary_password"),
        ({"username": "no spaces please"}, "username"),
        ({"full_name": " "}, "full_name"),
        ({"role": "janitor"}, "role"),
        ({"unit_ids": [99_999]}, "unit_ids"),
    ],
)
async def test_a_refused_account_names_the_field_and_stores_nothing(
    sign_in_as, world: World, settings: Settings, fields: dict[str, object], field: str
) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    refused = await admin.post("/api/admin/users", json=new_account(**fields))
    assert refused.status_code == 422 and refused.json()["detail"].startswith(f"{field}:")
    assert not [e for e in await audit_rows(settings) if e.entity_type == "user" and e.action == "C"]


async def test_a_reset_ends_the_persons_sign_ins_and_closes_their_sockets(
    sign_in_as, world: World, client: AsyncTestClient
) -> None:  # type: ignore[no-untyped-def]
    admin, nurse = await sign_in_as("admin"), await sign_in_as("nurse")
    nurse_id = await account_id(admin, "nurse")
    with await nurse.websocket(f"/ws/units/{world.unit_ids['4W']}/board") as board:
        board.receive_text(timeout=5)
        reset = await admin.post(f"/admin/users/{nurse_id}/password", data={"temporary_password": TEMPORARY})
        assert reset.status_code == 303
        assert closed_with(board) == 4401
    assert (await nurse.get("/board", follow_redirects=False)).headers["location"] == "/signin"
    assert await refused_sign_in(client, "nurse", PASSWORD) == 401, "the old password no longer works"
    again = As(client, "nurse")
    await again.sign_in(TEMPORARY)
    assert (await again.get("/board", follow_redirects=False)).headers["location"] == "/account/password"


async def test_a_new_role_closes_the_persons_screens_and_takes_effect_at_once(
    sign_in_as, world: World, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    admin, nurse = await sign_in_as("admin"), await sign_in_as("nurse")
    nurse_id = await account_id(admin, "nurse")
    with await nurse.websocket(f"/ws/units/{world.unit_ids['4W']}/board") as board:
        board.receive_text(timeout=5)
        changed = await admin.post(f"/api/admin/users/{nurse_id}/role", json={"role": "therapist"})
        assert changed.status_code == 200 and changed.json()["role"] == "therapist"
        assert closed_with(board) == 4401
    as_therapist = await sign_in_as("nurse")
    assert (await as_therapist.get("/", follow_redirects=False)).headers["location"] == "/worklist"
    assert (await as_therapist.get("/board", follow_redirects=False)).status_code == 403
    assert (
        await admin.post(f"/api/admin/users/{nurse_id}/role", json={"role": "surgeon"})
    ).status_code == 422
    own = await admin.post(
        f"/api/admin/users/{await account_id(admin, 'admin')}/role", json={"role": "nurse"}
    )
    assert own.status_code == 403
    audited = [e.detail for e in await audit_rows(settings) if e.entity_type == "user"]
    assert "role nurse -> therapist" in audited


async def test_a_common_password_is_refused_for_a_reset_naming_the_field(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    admin, nurse = await sign_in_as("admin"), await sign_in_as("nurse")
    nurse_id = await account_id(admin, "nurse")
    refused = await admin.post(
        f"/api/admin/users/{nurse_id}/password", json={"temporary_password": "letmein12345"}
    )
    assert refused.status_code == 422 and refused.json()["detail"].startswith("temporary_password:")
    page = await admin.post(f"/admin/users/{nurse_id}/password", data={"temporary_password": "letmein12345"})
    assert page.status_code == 422 and "temporary_password: that password is too common" in page.text
    assert (await nurse.get("/board")).status_code == 200, "nothing changed: still signed in"


async def test_a_deactivated_person_is_signed_out_at_once_and_cannot_sign_in_until_reactivated(
    sign_in_as, world: World, client: AsyncTestClient
) -> None:  # type: ignore[no-untyped-def]
    admin, therapist = await sign_in_as("admin"), await sign_in_as("therapist")
    therapist_id = await account_id(admin, "therapist")
    with await therapist.websocket("/ws/worklist") as worklist:
        worklist.receive_text(timeout=5)
        deactivated = await admin.post(f"/api/admin/users/{therapist_id}/deactivate")
        assert deactivated.status_code == 200 and deactivated.json()["active"] is False
        assert closed_with(worklist) == 4401
    assert (await therapist.get("/worklist", follow_redirects=False)).headers["location"] == "/signin"
    assert await refused_sign_in(client, "therapist", PASSWORD) == 401
    page = text_of((await admin.get(f"/admin/users/{therapist_id}")).text)
    assert "Deactivated: cannot sign in" in page and "Reactivate therapist" in page

    reactivated = await admin.post(f"/admin/users/{therapist_id}/reactivate")
    assert reactivated.status_code == 303
    back = As(client, "therapist")
    await back.sign_in()
    assert (await back.get("/worklist")).status_code == 200
    assert (await therapist.get("/worklist", follow_redirects=False)).headers["location"] == "/signin", (
        "a sign-in ended by deactivation does not come back"
    )


async def test_an_admin_cannot_deactivate_themselves(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    own_id = await account_id(admin, "admin")
    refused = await admin.post(f"/api/admin/users/{own_id}/deactivate")
    assert refused.status_code == 403 and "your own account" in refused.json()["detail"]
    assert "Deactivate admin" not in (await admin.get(f"/admin/users/{own_id}")).text
    assert (await admin.post(f"/admin/users/{own_id}/deactivate")).status_code == 403
    assert (await admin.get("/admin/users")).status_code == 200, "still signed in and active"


async def test_every_change_to_an_account_is_audited(sign_in_as, world: World, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    created = await admin.post(
        "/api/admin/users", json=new_account(role="nurse", unit_ids=[world.unit_ids["HH"]])
    )
    wren = created.json()["id"]
    await admin.post(
        f"/api/admin/users/{wren}/password", json={"temporary_password": "amber meadow crossing"}
    )
    await admin.post(f"/api/admin/users/{wren}/deactivate")
    await admin.post(f"/api/admin/users/{wren}/reactivate")
    changes = [
        (e.username, e.action, e.entity_id, e.detail)
        for e in await audit_rows(settings)
        if e.entity_type == "user" and e.action != "R"
    ]
    assert changes == [
        ("admin", "C", str(wren), "wren: nurse, HH"),
        ("admin", "U", str(wren), "reset password"),
        ("admin", "U", str(wren), "deactivate"),
        ("admin", "U", str(wren), "reactivate"),
    ]
    shown = text_of((await admin.get("/admin/audit?user=admin")).text)
    assert f"user {wren} deactivate" in shown


async def test_someone_else_than_an_admin_is_refused(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    assert (await nurse.get("/admin/users")).status_code == 403
    api = await nurse.post("/api/admin/users", json=new_account())
    assert api.status_code == 403 and "needs the role admin" in api.json()["detail"]


async def test_demo_accounts_are_marked_on_the_admin_list(settings: Settings, clock: SetClock) -> None:
    await create_demo_data(settings.resolved_database_url(), clock)
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, set_clock())() as session:
        accounts = list((await session.exec(select(User))).all())
    await engine.dispose()
    assert accounts and all(user.demo for user in accounts)
    async with AsyncTestClient(app=create_app(settings, clock), raise_server_exceptions=False) as client:
        ada = As(client, "ada")
        await ada.sign_in(DEMO_PASSWORD)
        listed = await ada.get("/admin/users")
        assert listed.text.count("Demo account</span>") == len(accounts)
        created = await ada.post("/api/admin/users", json=new_account())
        assert created.json()["demo"] is False
        assert (await ada.get("/admin/users")).text.count("Demo account</span>") == len(accounts)


@pytest.mark.skipif(bool(databases.ADMIN_DSN), reason="migrates a SQLite file step by step")
def test_migration_0011_marks_the_accounts_of_an_existing_demo_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"

    def upgrade(to: str) -> None:
        with ThreadPoolExecutor(max_workers=1) as worker:
            worker.submit(command.upgrade, db.alembic_config(url), to).result()

    upgrade("0010")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute("INSERT INTO unit (id, code, name, last_event_seq) VALUES (1, '4W', '4 West', 0)")
        connection.execute(
            "INSERT INTO patient (mrn, given_name, family_name, date_of_birth, unit_id, room, bed,"
            " comfort_care, non_verbal, allergies, isolation, fall_risk, language, pain_scale)"
            " VALUES ('DEMO-0001', 'A', 'B', '1950-01-01', 1, '401', '', 0, 0, '', '', 0, 'en', 'nrs')"
        )
        for username in ("ada", "Grace"):
            connection.execute(
                "INSERT INTO care_user (username, full_name, role, password_hash, active, created_at)"
                " VALUES (?, ?, 'admin', 'x', 1, '2026-01-01 00:00:00')",
                (username, username.title()),
            )
    upgrade("head")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        rows = connection.execute("SELECT username, demo, must_change_password FROM care_user ORDER BY id")
        assert rows.fetchall() == [("ada", 1, 0), ("grace", 0, 0)]
