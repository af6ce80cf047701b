"""Double taps and flaky Wi-Fi against a real server: twenty requests at once store one thing.

The database guarantees each rule (unique indexes, migration 0007), so parallel requests cannot slip
between a check and an insert: exactly one is stored, an identical replay gets the first answer, the
others a clear 409, and none a 500. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from server import db
from server.demo import DEMO_PASSWORD
from tests.browser.conftest import Server, demo_server
from tests.conftest import ALL_CLEAR

PARALLEL = 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with demo_server(tmp_path_factory.mktemp("parallel"), "bedside_parallel") as running:
        yield running


async def count(server: Server, sql: str) -> int:
    """Read the server's own database: what was stored, not what a page shows."""
    engine = db.make_engine(server.database_url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def signed_in(server: Server, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=server.url, timeout=60)
    await client.get("/signin")
    form = {"username": username, "password": DEMO_PASSWORD, "_csrf_token": client.cookies["csrftoken"]}
    assert (await client.post("/signin", data=form)).status_code == 303
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


@pytest.fixture
async def staff(server: Server) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    clients = {name: await signed_in(server, name) for name in ("tara", "nina", "priya")}
    yield {**clients, "server": server}
    for client in clients.values():
        await client.aclose()


async def patient_named(client: httpx.AsyncClient, family: str) -> int:
    patients = (await client.get("/api/units/1/patients")).json()
    return next(p["id"] for p in patients if p["name"].startswith(family))


async def at_once(*requests) -> list[httpx.Response]:  # type: ignore[no-untyped-def]
    return list(await asyncio.gather(*requests))


def statuses(responses: list[httpx.Response]) -> set[int]:
    return {r.status_code for r in responses}


async def ready_session(tara: httpx.AsyncClient, patient: int) -> int:
    session_id = (await tara.post(f"/api/patients/{patient}/sessions")).json()["id"]
    assert (
        await tara.post(f"/api/sessions/{session_id}/screening", json={"answers": ALL_CLEAR})
    ).status_code == 200
    assert (await tara.post(f"/api/sessions/{session_id}/consent", json={"by": "patient"})).status_code == 200
    return int(session_id)


async def test_twenty_taps_on_start_open_one_session(staff) -> None:  # type: ignore[no-untyped-def]
    tara = staff["tara"]
    patient = await patient_named(tara, "Rennick")
    responses = await at_once(*(tara.post(f"/api/patients/{patient}/sessions") for _ in range(PARALLEL)))
    assert statuses(responses) == {201}, [r.text for r in responses if r.status_code != 201][:2]
    assert len({r.json()["id"] for r in responses}) == 1, "every tap gets the one session that opened"


async def test_twenty_different_post_scores_store_one(staff) -> None:  # type: ignore[no-untyped-def]
    tara = staff["tara"]
    session_id = await ready_session(tara, await patient_named(tara, "Pellworth"))
    pre = {"client_id": uuid.uuid4().hex, "phase": "pre", "value": 7}
    assert (await tara.post(f"/api/sessions/{session_id}/scores", json=pre)).status_code == 201
    responses = await at_once(
        *(
            tara.post(
                f"/api/sessions/{session_id}/scores",
                json={"client_id": uuid.uuid4().hex, "phase": "post", "value": n % 11},
            )
            for n in range(PARALLEL)
        )
    )
    assert statuses(responses) <= {201, 409} and [r.status_code for r in responses].count(201) == 1
    assert all("already recorded" in r.json()["detail"] or "just recorded" in r.json()["detail"]
               for r in responses if r.status_code == 409)  # fmt: skip
    stored = (await tara.get(f"/api/sessions/{session_id}")).json()["scores"]
    assert [s["phase"] for s in stored] == ["pre", "post"]


async def test_twenty_identical_replays_store_one_and_all_get_the_first_answer(staff) -> None:  # type: ignore[no-untyped-def]
    tara = staff["tara"]
    session_id = await ready_session(tara, await patient_named(tara, "Stolwick"))
    same = {"client_id": uuid.uuid4().hex, "phase": "pre", "value": 4}
    responses = await at_once(
        *(tara.post(f"/api/sessions/{session_id}/scores", json=same) for _ in range(PARALLEL))
    )
    assert statuses(responses) == {201}
    assert len({r.text for r in responses}) == 1, "the same status and the same body, every time"
    assert len((await tara.get(f"/api/sessions/{session_id}")).json()["scores"]) == 1


async def test_twenty_flags_at_once_leave_one_in_force(staff) -> None:  # type: ignore[no-untyped-def]
    nina = staff["nina"]
    patient = await patient_named(nina, "Armitage")
    responses = await at_once(
        *(
            nina.post(f"/api/patients/{patient}/flags", json={"kind": "imaging", "note": f"tap {n}"})
            for n in range(PARALLEL)
        )
    )
    assert statuses(responses) <= {201, 409} and 201 in statuses(responses)
    in_force = f"SELECT count(*) FROM availability_flag WHERE patient_id = {patient} AND cleared_at IS NULL"
    assert await count(staff["server"], in_force) == 1
    assert (await nina.post(f"/patients/{patient}/available")).status_code in (200, 303)


async def test_twenty_order_writes_at_once_leave_one_live_order(staff) -> None:  # type: ignore[no-untyped-def]
    priya = staff["priya"]
    patient = await patient_named(priya, "Orlay")
    chart = (await priya.get(f"/patients/{patient}")).text
    order_id = re.search(r"/orders/(\d+)/discontinue", chart).group(1)  # type: ignore[union-attr]
    assert (await priya.post(f"/orders/{order_id}/discontinue")).status_code == 303
    form = {
        "indication": "pain",
        "allowed_techniques": "Swedish",
        "frequency": "daily",
        "duration_minutes": "20",
        "max_pressure": "2",
    }
    responses = await at_once(
        *(priya.post(f"/patients/{patient}/orders", data=form) for _ in range(PARALLEL))
    )
    assert statuses(responses) <= {303, 409} and [r.status_code for r in responses].count(303) == 1
    assert all("already has an order" in r.text for r in responses if r.status_code == 409)
    live = re.findall(r"/orders/(\d+)/discontinue", (await priya.get(f"/patients/{patient}")).text)
    assert len(set(live)) == 1 and live[0] != order_id


async def test_twenty_admissions_of_one_mrn_store_one_patient(staff) -> None:  # type: ignore[no-untyped-def]
    nina = staff["nina"]
    unit = (await nina.get("/api/units")).json()[0]
    admission = {
        "mrn": f"P-{uuid.uuid4().hex[:10]}",
        "given_name": "Parallel",
        "family_name": "Tapper",
        "date_of_birth": "1950-05-05",
        "unit_id": unit["id"],
        "room": unit["rooms"][0]["name"],
    }
    responses = await at_once(*(nina.post("/api/patients", json=admission) for _ in range(PARALLEL)))
    assert statuses(responses) <= {201, 409} and [r.status_code for r in responses].count(201) == 1
    assert all("already in Bedside" in r.json()["detail"] for r in responses if r.status_code == 409)
    stored = f"SELECT count(*) FROM patient WHERE mrn = '{admission['mrn']}'"
    assert await count(staff["server"], stored) == 1


def tablet_stamp(client_id: str) -> dict[str, str]:
    """The headers a tablet's outbox sends with a step it queued offline (sessions/tablet.py)."""
    at = "2026-01-05T09:30:00+00:00"
    return {"Bedside-Client-Id": client_id, "Bedside-Recorded-At": at, "Bedside-Sent-At": at}


async def test_a_queued_step_sent_twenty_times_at_once_is_applied_once(staff) -> None:  # type: ignore[no-untyped-def]
    """A tablet's outbox sending the same items again while the first sends are still under way (the
    `online` event and a reload at once): one score, one pause, one receipt; every request answered."""
    tara = staff["tara"]
    session_id = await ready_session(tara, await patient_named(tara, "Thackery"))
    url = f"/api/sessions/{session_id}"
    score_id, pause_id = uuid.uuid4().hex, uuid.uuid4().hex
    pre = {"client_id": score_id, "phase": "pre", "value": 5}
    scores = await at_once(
        *(tara.post(f"{url}/scores", json=pre, headers=tablet_stamp(score_id)) for _ in range(PARALLEL))
    )
    assert statuses(scores) == {201} and len({r.text for r in scores}) == 1
    pauses = await at_once(
        *(tara.post(f"{url}/pause", json={}, headers=tablet_stamp(pause_id)) for _ in range(PARALLEL))
    )
    assert statuses(pauses) == {200}, [r.text for r in pauses if r.status_code != 200][:2]
    assert {r.json()["state"] for r in pauses} == {"paused"}
    server = staff["server"]
    assert await count(server, f"SELECT count(*) FROM score WHERE session_id = {session_id}") == 1
    assert await count(server, f"SELECT count(*) FROM tablet_step WHERE client_id = '{pause_id}'") == 1
    assert await count(server, f"SELECT count(*) FROM tablet_step WHERE session_id = {session_id}") == 1


def test_the_server_logged_no_error(server: Server) -> None:
    """Run last in this module: no request above ended in a traceback."""
    log = Path(server.data_dir / "server.log").read_text()
    assert "Traceback" not in log and " 500 " not in log
