"""Admission, transfer and discharge: the MRN is unique, the demo's prefix stays the demo's, and every
tablet of the units concerned sees the card arrive or leave at once."""

from __future__ import annotations

import asyncio
import queue
from typing import Any

import pytest
from sqlalchemy import text

from server import db
from server.__main__ import main
from server.settings import Settings
from tests.conftest import As, ready_session, text_of, until_frame_with
from tests.factories import World

ADMISSION = {
    "mrn": "H-100200",
    "given_name": "Iris",
    "family_name": "Quennell",
    "date_of_birth": "1948-03-14",
    "room": "501",
    "allergies": "Penicillin",
    "fall_risk": True,
    "language": "Portuguese",
}


async def scalar(settings: Settings, sql: str) -> Any:
    """What the database holds, not what a page shows: one value (a count, an MRN)."""
    engine = db.make_engine(settings.resolved_database_url())
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text(sql))).scalar_one()
    finally:
        await engine.dispose()


async def rooms(admin: As, unit_id: int, *names: str) -> None:
    for name in names:
        assert (await admin.post(f"/api/units/{unit_id}/rooms", json={"name": name})).status_code == 201


@pytest.fixture
async def admin(sign_in_as, world: World) -> As:  # type: ignore[no-untyped-def]
    person = await sign_in_as("admin")
    await rooms(person, world.unit_ids["4W"], "501", "502")
    await rooms(person, world.unit_ids["HH"], "H1")
    return person  # type: ignore[no-any-return]


def drain(ws) -> None:  # type: ignore[no-untyped-def]
    ws.receive_text(timeout=5)


async def test_an_admitted_patient_joins_the_unit_board_at_once_and_the_worklist_with_an_order(
    admin: As, sign_in_as, world: World, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    nurse, therapist = await sign_in_as("nurse"), await sign_in_as("therapist")
    physician, elsewhere = await sign_in_as("physician"), await sign_in_as("hh_nurse")
    west = world.unit_ids["4W"]
    with (
        await nurse.websocket(f"/ws/units/{west}/board") as board,
        await physician.websocket(f"/ws/units/{west}/board") as read_only_board,
        await therapist.websocket("/ws/worklist") as worklist,
        await elsewhere.websocket(f"/ws/units/{world.unit_ids['HH']}/board") as other_board,
    ):
        for ws in (board, read_only_board, worklist, other_board):
            drain(ws)
        admitted = await nurse.post("/api/patients", json={**ADMISSION, "unit_id": west})
        assert admitted.status_code == 201, admitted.text
        patient = admitted.json()
        assert patient["room"] == "501" and patient["admitted_at"] and patient["discharged_at"] is None
        pushed = until_frame_with(board, f'id="board-row-{patient["id"]}"')
        assert 'hx-swap-oob="beforeend:#board"' in pushed
        assert "Quennell, Iris" in text_of(pushed) and "Room 501" in text_of(pushed)
        assert "Mark unavailable for" in pushed, "the nurse's board can flag the new patient at once"
        assert "Quennell" in until_frame_with(read_only_board, "beforeend:#board")
        with pytest.raises(queue.Empty):
            other_board.receive_text(timeout=0.3)
        numbered = worklist.receive_text(timeout=1)
        assert "unit-seq-" in numbered and "patient-card-" not in numbered, (
            "no order yet: not on the worklist"
        )
        order = {"indication": "pain", "allowed_techniques": "Swedish", "frequency": "daily"}
        order |= {"duration_minutes": "20", "max_pressure": "2"}
        assert (await physician.post(f"/patients/{patient['id']}/orders", data=order)).status_code == 303
        card = until_frame_with(worklist, f'id="patient-card-{patient["id"]}"')
        assert 'hx-swap-oob="beforeend:#worklist"' in card and "Allergies: Penicillin" in card
    assert "Quennell" in (await therapist.get("/worklist")).text
    sql = "SELECT count(*) FROM audit_event WHERE entity_type = 'Patient' AND action = 'C'"
    assert await scalar(settings, sql) == 1


async def test_a_duplicate_mrn_is_refused_and_nothing_is_stored(
    admin: As, sign_in_as, world: World, settings
) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    west = world.unit_ids["4W"]
    assert (await nurse.post("/api/patients", json={**ADMISSION, "unit_id": west})).status_code == 201
    again = await nurse.post("/api/patients", json={**ADMISSION, "unit_id": west, "given_name": "Other"})
    assert again.status_code == 409
    assert "MRN H-100200 is already in Bedside" in again.json()["detail"]
    assert await scalar(settings, "SELECT count(*) FROM patient WHERE mrn = 'H-100200'") == 1
    assert await scalar(settings, "SELECT count(*) FROM patient WHERE given_name = 'Other'") == 0
    known = await scalar(settings, f"SELECT mrn FROM patient WHERE id = {world.patient_ids['ada']}")
    existing = await admin.post("/api/patients", json={**ADMISSION, "mrn": known, "unit_id": west})
    assert existing.status_code == 409, "an MRN already in Bedside, admitted by the administrator too"


@pytest.mark.parametrize("mrn", ["DEMO-0001", "demo-9"])
async def test_the_demo_prefix_is_refused_at_real_admission(
    admin: As, sign_in_as, world: World, mrn: str
) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    refused = await nurse.post(
        "/api/patients", json={**ADMISSION, "mrn": mrn, "unit_id": world.unit_ids["4W"]}
    )
    assert refused.status_code == 422 and "DEMO-" in refused.json()["detail"]


async def test_admission_checks_unit_room_and_fields(admin: As, sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    west, hospice = world.unit_ids["4W"], world.unit_ids["HH"]
    outside = await nurse.post("/api/patients", json={**ADMISSION, "unit_id": hospice, "room": "H1"})
    assert outside.status_code == 403
    for wrong, says in (
        ({"room": "H1"}, "rooms in use"),
        ({"mrn": " "}, "MRN"),
        ({"family_name": ""}, "family name"),
        ({"date_of_birth": "2999-01-01"}, "future"),
        ({"allergies": "x" * 256}, "at most 255"),
    ):
        refused = await nurse.post("/api/patients", json={**ADMISSION, "unit_id": west, **wrong})
        assert refused.status_code == 422 and says in refused.json()["detail"], (wrong, refused.text)
    anywhere = await admin.post("/api/patients", json={**ADMISSION, "unit_id": hospice, "room": "H1"})
    assert anywhere.status_code == 201, "administrators admit on every unit"


async def test_the_admission_pages_work_without_script(admin: As, sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    west = world.unit_ids["4W"]
    board = await nurse.get(f"/units/{west}/board")
    assert f'href="/patients/admit?unit={west}"' in board.text
    form = await nurse.get(f"/patients/admit?unit={west}")
    assert form.status_code == 200 and f'value="{west}:501"' in form.text and "H1" not in form.text
    fields = {k: str(v) for k, v in ADMISSION.items() if k not in ("room", "fall_risk")}
    posted = await nurse.post(
        "/patients/admit", data={**fields, "destination": f"{west}:502", "comfort_care": "on"}
    )
    assert posted.status_code == 303, posted.text
    page = await nurse.get(posted.headers["location"])
    assert page.status_code == 200 and "Quennell, Iris" in page.text and "Room 502" in page.text
    assert 'action="/patients/' in page.text and "Discharge Quennell, Iris" in page.text
    assert (await sign_in_as("therapist")).username and (
        await admin.get(posted.headers["location"])
    ).status_code == 200


async def test_a_transfer_moves_the_card_from_one_units_tablets_to_the_others(
    admin: As, sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    nurse, therapist = await sign_in_as("nurse"), await sign_in_as("therapist")
    hh_nurse, hh_therapist = await sign_in_as("hh_nurse"), await sign_in_as("hh_therapist")
    west, hospice, ben = world.unit_ids["4W"], world.unit_ids["HH"], world.patient_ids["ben"]
    with (
        await nurse.websocket(f"/ws/units/{west}/board") as old_board,
        await therapist.websocket("/ws/worklist") as old_worklist,
        await hh_nurse.websocket(f"/ws/units/{hospice}/board") as new_board,
        await hh_therapist.websocket("/ws/worklist") as new_worklist,
    ):
        for ws in (old_board, old_worklist, new_board, new_worklist):
            drain(ws)
        moved = await nurse.post(f"/api/patients/{ben}/transfer", json={"unit_id": hospice, "room": "H1"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["unit_id"] == hospice and moved.json()["room"] == "H1"
        assert f'hx-swap-oob="delete:#board-row-{ben}"' in until_frame_with(old_board, "delete:")
        assert f'hx-swap-oob="delete:#patient-card-{ben}"' in until_frame_with(old_worklist, "delete:")
        joined = until_frame_with(new_board, f'id="board-row-{ben}"')
        assert "beforeend:#board" in joined and "Room H1" in text_of(joined)
        assert "beforeend:#worklist" in until_frame_with(new_worklist, f'id="patient-card-{ben}"')
    assert "Brook" not in (await therapist.get("/worklist")).text
    assert "Brook" in (await hh_therapist.get("/worklist")).text
    back = await nurse.post(f"/api/patients/{ben}/transfer", json={"unit_id": west, "room": "501"})
    assert back.status_code == 403, "the sending unit's nurse transfers; 4 West's nurse no longer has Ben"
    by_page = await hh_nurse.post(f"/patients/{ben}/transfer", data={"destination": f"{west}:502"})
    assert by_page.status_code == 303 and "Room 502" in (await nurse.get(f"/units/{west}/board")).text


async def test_discharge_removes_the_card_live_and_keeps_the_record_readable(
    admin: As, sign_in_as, world: World, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    nurse, therapist = await sign_in_as("nurse"), await sign_in_as("therapist")
    west, ada = world.unit_ids["4W"], world.patient_ids["ada"]
    with (
        await nurse.websocket(f"/ws/units/{west}/board") as board,
        await therapist.websocket("/ws/worklist") as worklist,
    ):
        drain(board)
        drain(worklist)
        gone = await nurse.post(f"/patients/{ada}/discharge")
        assert gone.status_code == 303
        assert f'hx-swap-oob="delete:#board-row-{ada}"' in until_frame_with(board, "delete:")
        assert f'hx-swap-oob="delete:#patient-card-{ada}"' in until_frame_with(worklist, "delete:")
    assert f"patient-card-{ada}" not in (await therapist.get("/worklist")).text
    assert f"board-row-{ada}" not in (await nurse.get(f"/units/{west}/board")).text
    assert ada not in [p["id"] for p in (await nurse.get(f"/api/units/{west}/patients")).json()]
    chart = await therapist.get(f"/patients/{ada}")
    assert chart.status_code == 200 and "this record is read-only" in chart.text and "Ashby" in chart.text
    live_orders = f"SELECT count(*) FROM massage_order WHERE patient_id = {ada} AND status <> 'discontinued'"
    assert await scalar(settings, live_orders) == 0, "the order ends at discharge"
    assert (await nurse.post(f"/api/patients/{ada}/discharge")).status_code == 409
    assert (await nurse.post(f"/api/patients/{ada}/flags", json={"kind": "imaging"})).status_code == 409
    assert (await therapist.post(f"/api/patients/{ada}/sessions")).status_code == 409
    moved = await nurse.post(f"/api/patients/{ada}/transfer", json={"unit_id": west, "room": "502"})
    assert moved.status_code == 409 and "discharged" in moved.json()["detail"]
    mrn = await scalar(settings, f"SELECT mrn FROM patient WHERE id = {ada}")
    again = await nurse.post("/api/patients", json={**ADMISSION, "mrn": mrn, "unit_id": west})
    assert again.status_code == 409, "a discharged patient's MRN is not admitted twice (no readmission yet)"


async def test_an_open_massage_session_blocks_discharge_and_transfer(
    admin: As, sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    nurse, therapist = await sign_in_as("nurse"), await sign_in_as("therapist")
    ben = world.patient_ids["ben"]
    await ready_session(therapist, ben)
    refused = await nurse.post(f"/api/patients/{ben}/discharge")
    assert refused.status_code == 409 and "massage session is open" in refused.json()["detail"]
    moved = await nurse.post(
        f"/api/patients/{ben}/transfer", json={"unit_id": world.unit_ids["4W"], "room": "502"}
    )
    assert moved.status_code == 409
    assert (await therapist.get(f"/patients/{ben}")).status_code == 200


async def test_demo_refuses_a_database_with_real_patients(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BEDSIDE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url())
    with pytest.raises(SystemExit) as refused:
        await asyncio.to_thread(main, ["demo"])
    assert refused.value.code not in (0, None)
    assert "real patients" in str(refused.value.code)
    with pytest.raises(SystemExit):
        await asyncio.to_thread(main, ["serve", "--demo", "--port", "1"])
    assert await scalar(settings, "SELECT count(*) FROM patient WHERE mrn LIKE 'DEMO-%'") == 0


async def test_demo_data_has_the_rooms_its_patients_lie_in(tmp_path, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from server.demo import create_demo_data

    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    await asyncio.to_thread(db.migrate, url)
    assert "created" in await create_demo_data(url, clock)
    assert "already present" in await create_demo_data(url, clock)
    settings = Settings(data_dir=tmp_path, database_url=url)  # type: ignore[call-arg]
    missing = "SELECT count(*) FROM patient p WHERE NOT EXISTS (SELECT 1 FROM room r WHERE r.unit_id = p.unit_id AND r.name = p.room)"  # noqa: E501
    assert await scalar(settings, missing) == 0


async def test_a_board_that_missed_an_admission_gets_the_whole_board_on_reconnect(
    admin: As, sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    west = world.unit_ids["4W"]
    with await nurse.websocket(f"/ws/units/{west}/board") as board:
        first = board.receive_text(timeout=5)
    applied = int(first.split(f'data-unit="{west}" data-seq="')[1].split('"')[0])
    assert (await nurse.post("/api/patients", json={**ADMISSION, "unit_id": west})).status_code == 201
    with await nurse.websocket(f"/ws/units/{west}/board", resume={west: applied}) as board:
        catch_up = board.receive_text(timeout=5)
    assert '<section id="board"' in catch_up and "Quennell, Iris" in catch_up
