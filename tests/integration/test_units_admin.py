"""Administrators manage units, their rooms and their staff, by page and API; every change is audited."""

from __future__ import annotations

from sqlmodel import select

from server import db
from server.audit.models import AuditEvent
from server.settings import Settings
from tests.conftest import text_of
from tests.factories import World


async def audit_details(settings: Settings, entity: str) -> list[str]:
    engine = db.make_engine(settings.resolved_database_url())
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(AuditEvent.detail).where(AuditEvent.entity_type == entity).order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
            return [str(r[0]) for r in rows.all()]
    finally:
        await engine.dispose()


async def test_admin_creates_renames_a_unit_and_a_taken_code_is_refused(sign_in_as, settings) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    created = await admin.post("/api/units", json={"code": "icu", "name": "Intensive Care"})
    assert created.status_code == 201, created.text
    unit = created.json()
    assert unit["code"] == "ICU" and unit["rooms"] == []
    again = await admin.post("/api/units", json={"code": "ICU", "name": "Another"})
    assert again.status_code == 409 and "already exists" in again.json()["detail"]
    renamed = await admin.post(f"/api/units/{unit['id']}/rename", json={"code": "ICU2", "name": "ICU North"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "ICU North"
    clash = await admin.post(f"/api/units/{unit['id']}/rename", json={"code": "4W", "name": "x"})
    assert clash.status_code == 409
    too_long = await admin.post("/api/units", json={"code": "X" * 21, "name": "Long"})
    assert too_long.status_code == 422 and "at most 20" in too_long.json()["detail"]
    listed = {u["code"]: u for u in (await admin.get("/api/units")).json()}
    assert set(listed) == {"4W", "HH", "ICU2"}
    assert await audit_details(settings, "Unit") == [
        "ICU Intensive Care",
        "ICU Intensive Care -> ICU2 ICU North",
    ]


async def test_rooms_are_unique_per_unit_and_taken_out_of_use(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    west, hospice = world.unit_ids["4W"], world.unit_ids["HH"]
    room = (await admin.post(f"/api/units/{west}/rooms", json={"name": "501"})).json()
    assert room["active"] is True and room["unit_id"] == west
    assert (await admin.post(f"/api/units/{west}/rooms", json={"name": "501"})).status_code == 409
    assert (await admin.post(f"/api/units/{hospice}/rooms", json={"name": "501"})).status_code == 201
    assert (await admin.post(f"/api/units/{west}/rooms", json={"name": " "})).status_code == 422
    out = await admin.post(f"/api/units/{west}/rooms/{room['id']}", json={"active": False})
    assert out.status_code == 200 and out.json()["active"] is False
    assert (
        await admin.post(f"/api/units/{hospice}/rooms/{room['id']}", json={"active": True})
    ).status_code == 404


async def test_the_units_page_creates_units_rooms_and_staff_without_script(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    page = await admin.get("/admin/units")
    assert page.status_code == 200 and "4 West Oncology" in page.text and 'name="_csrf_token"' in page.text
    made = await admin.post("/admin/units", data={"code": "CCU", "name": "Coronary Care"})
    assert made.status_code == 303 and made.headers["location"].startswith("/admin/units#unit-")
    unit_id = int(made.headers["location"].rsplit("-", 1)[1])
    assert (await admin.post(f"/admin/units/{unit_id}/rooms", data={"name": "7"})).status_code == 303
    listed = (await admin.get("/api/units")).json()
    hh_staff = next(u for u in listed if u["code"] == "HH")["staff"]
    hh_nurse = next(s for s in hh_staff if s["username"] == "hh_nurse")
    world_user_id = hh_nurse["id"]
    added = await admin.post(f"/admin/units/{unit_id}/staff", data={"user_id": str(world_user_id)})
    assert added.status_code == 303
    text = text_of((await admin.get("/admin/units")).text)
    assert "Coronary Care" in text and "Room 7" in text and "Hh_Nurse" in text
    removed = await admin.post(f"/admin/units/{unit_id}/staff/{world_user_id}/remove")
    assert removed.status_code == 303
    ccu = next(u for u in (await admin.get("/api/units")).json() if u["code"] == "CCU")
    assert ccu["staff"] == [] and [r["name"] for r in ccu["rooms"]] == ["7"]


async def test_staff_assignment_scopes_what_a_nurse_sees(sign_in_as, world: World, settings) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    nurse = await sign_in_as("nurse")
    hospice_unit = world.unit_ids["HH"]
    assert (await nurse.get(f"/units/{hospice_unit}/board")).status_code == 403
    nurse_id = next(
        s["id"] for s in (await admin.get("/api/units")).json()[0]["staff"] if s["username"] == "nurse"
    )
    assert (
        await admin.post(f"/api/units/{hospice_unit}/staff", json={"user_id": nurse_id})
    ).status_code == 200
    assert (
        await admin.post(f"/api/units/{hospice_unit}/staff", json={"user_id": nurse_id})
    ).status_code == 200
    board = await nurse.get(f"/units/{hospice_unit}/board")
    assert board.status_code == 200 and "Hollow" in board.text
    assert {u["code"] for u in (await nurse.get("/api/units")).json()} == {"4W", "HH"}
    out = await admin.post(f"/api/units/{hospice_unit}/staff/{nurse_id}/remove")
    assert out.status_code == 200
    assert (await nurse.get(f"/units/{hospice_unit}/board")).status_code == 403
    assert await audit_details(settings, "UserUnit") == ["nurse works on HH", "nurse no longer works on HH"]
    assert (await admin.post("/api/units/999/staff", json={"user_id": nurse_id})).status_code == 404


async def test_only_administrators_manage_units(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    for name in ("nurse", "therapist", "physician", "hospice"):
        person = await sign_in_as(name)
        refused = await person.post("/api/units", json={"code": "NO", "name": "No"})
        assert refused.status_code == 403, name
        assert (await person.get("/admin/units")).status_code == 403, name
