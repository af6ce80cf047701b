"""Every read and write of patient data leaves an audit event; an expired sign-in changes nothing."""

from __future__ import annotations

from dataclasses import replace

from litestar.testing import AsyncTestClient
from sqlmodel import select

from server import db
from server.app import create_app
from server.audit.models import AuditEvent
from server.clock import SetClock
from server.settings import Settings
from tests.clock import set_clock
from tests.conftest import As
from tests.factories import World


async def audit_trail(settings: Settings) -> list[AuditEvent]:
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, set_clock())() as session:
        rows = list((await session.exec(select(AuditEvent).order_by(AuditEvent.id))).all())  # type: ignore[arg-type]
    await engine.dispose()
    return rows


async def test_reads_and_writes_of_patient_data_are_audited_with_who_what_and_device(
    sign_in_as,
    world: World,
    settings: Settings,  # type: ignore[no-untyped-def]
) -> None:
    nurse = await sign_in_as("nurse")
    therapist = await sign_in_as("therapist")
    patient = world.patient_ids["ada"]
    await therapist.get(f"/patients/{patient}")
    await nurse.post(f"/api/patients/{patient}/flags", json={"kind": "imaging"})
    await nurse.get(f"/units/{world.unit_ids['4W']}/board")
    events = [(e.username, e.action, e.entity_type, e.patient_id) for e in await audit_trail(settings)]
    assert ("therapist", "R", "Patient", patient) in events
    assert ("nurse", "C", "Flag", patient) in events
    assert ("nurse", "R", "UnitBoard", None) in events
    assert all(
        e.device.startswith("testclient") for e in await audit_trail(settings) if e.username == "nurse"
    )


async def test_refused_read_of_another_units_patient_is_audited_as_denied(
    sign_in_as,
    world: World,
    settings: Settings,  # type: ignore[no-untyped-def]
) -> None:
    hh_therapist = await sign_in_as("hh_therapist")
    await hh_therapist.get(f"/patients/{world.patient_ids['ada']}")
    denied = [e for e in await audit_trail(settings) if e.outcome == "denied"]
    assert [(e.username, e.patient_id) for e in denied] == [("hh_therapist", world.patient_ids["ada"])]


async def test_expired_sign_in_stores_nothing_and_asks_to_sign_in_again(
    settings: Settings, clock: SetClock, world: World
) -> None:
    short_shift = create_app(replace(settings, session_max_age=1), clock)
    async with AsyncTestClient(app=short_shift, raise_server_exceptions=False) as client:
        therapist = As(client, "therapist")
        await therapist.sign_in()
        session_id = (await therapist.post(f"/api/patients/{world.patient_ids['ada']}/sessions")).json()["id"]
        clock.advance(seconds=2)

        api = await therapist.post(
            f"/api/sessions/{session_id}/scores",
            json={"client_id": "expired-0001", "phase": "pre", "value": 4},
        )
        assert api.status_code == 401 and api.json()["detail"] == "Sign in first."
        htmx = await therapist.post(
            f"/sessions/{session_id}/scores",
            htmx=True,
            data={"client_id": "expired-0002", "phase": "pre", "value": "4"},
        )
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/signin"
        page = await therapist.get(f"/sessions/{session_id}", follow_redirects=False)
        assert page.headers["location"] == "/signin"

        again = As(client, "therapist")
        await again.sign_in()
        assert (await again.get(f"/api/sessions/{session_id}")).json()["scores"] == []
