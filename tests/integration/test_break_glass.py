"""Break the glass: a clinician opening a patient outside their units is asked why, reads that one
patient for an hour once they say, and every grant and read under it is audited and listed for admins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.exceptions import WebSocketDisconnect
from sqlmodel import select

from server import db
from server.audit.models import AuditEvent
from server.clock import SetClock
from server.patients.models import Patient, Unit
from server.settings import Settings
from tests.conftest import As, text_of
from tests.factories import World, make_patient
from tests.integration.test_sign_in_ends_sockets import closed_with

COVERING = {"reason": "covering", "detail": "Covering 4 West while Tara is off"}


async def stored(settings: Settings, clock: SetClock, statement):  # type: ignore[no-untyped-def]
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, clock)() as session:
        rows = list((await session.exec(statement)).all())
    await engine.dispose()
    return rows


async def audit_rows(settings: Settings, clock: SetClock, username: str) -> list[AuditEvent]:
    return await stored(
        settings, clock, select(AuditEvent).where(AuditEvent.username == username).order_by(AuditEvent.id)
    )


async def break_the_glass(person: As, patient_id: int, **form: str) -> int:
    then = form.pop("then", f"/patients/{patient_id}")
    response = await person.post(f"/patients/{patient_id}/break-glass", data={**form, "then": then})
    return response.status_code


async def test_outside_their_units_a_clinician_is_asked_why_and_shown_no_patient_data(
    sign_in_as, world: World, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    ada = world.patient_ids["ada"]
    (patient,) = await stored(settings, clock, select(Patient).where(Patient.id == ada))
    covering = await sign_in_as("hh_therapist")
    page = await covering.get(f"/patients/{ada}")
    assert page.status_code == 403
    assert "This record is outside your units" in page.text
    assert f'action="/patients/{ada}/break-glass"' in page.text
    assert 'name="_csrf_token" value="' in page.text and 'name="_csrf_token" value=""' not in page.text
    assert "Covering for a colleague" in page.text and "Emergency" in page.text
    for identifier in (patient.family_name, patient.mrn, patient.room, patient.allergies):
        assert identifier not in text_of(page.text)
    log = await covering.get(f"/comfort-care/{world.patient_ids['comfort']}")
    assert log.status_code == 403 and "outside your units" in log.text and "Comfort, Test" not in log.text
    api = await covering.get(f"/api/units/{world.unit_ids['4W']}/patients")
    assert api.status_code == 403, "the API and unit lists do not open by breaking the glass"


async def test_a_reason_and_a_detail_of_at_most_200_characters_are_required(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    ada = world.patient_ids["ada"]
    covering = await sign_in_as("hh_therapist")
    no_reason = await covering.post(f"/patients/{ada}/break-glass", data={"detail": "Cover"})
    assert no_reason.status_code == 422 and "Choose a reason" in no_reason.text
    assert 'value="Cover"' not in no_reason.text and ">Cover</textarea>" in no_reason.text, "kept"
    no_detail = await covering.post(f"/patients/{ada}/break-glass", data={"reason": "emergency"})
    assert no_detail.status_code == 422 and "Write the detail" in no_detail.text
    too_long = await covering.post(
        f"/patients/{ada}/break-glass", data={"reason": "other", "detail": "x" * 201}
    )
    assert (
        too_long.status_code == 422 and "The detail is 201 characters; it can be at most 200" in too_long.text
    )
    unknown = await covering.post(f"/patients/{ada}/break-glass", data={"reason": "curious", "detail": "x"})
    assert unknown.status_code == 422
    assert (await covering.get(f"/patients/{ada}")).status_code == 403, "nothing was granted"
    own = await sign_in_as("therapist")
    assert await break_the_glass(own, ada, **COVERING) == 409, "no reason is needed on one's own unit"


async def test_with_a_reason_the_chart_opens_for_reading_and_grant_and_reads_are_audited(
    sign_in_as, world: World, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    ada, comfort = world.patient_ids["ada"], world.patient_ids["comfort"]
    covering = await sign_in_as("hh_therapist")
    granted = await covering.post(f"/patients/{ada}/break-glass", data={**COVERING, "then": "https://x.test"})
    assert granted.status_code == 303 and granted.headers["location"] == f"/patients/{ada}"
    chart = await covering.get(f"/patients/{ada}")
    assert chart.status_code == 200 and "Ashby, Test" in chart.text
    assert 'Outside your units: opened for "Covering for a colleague"' in text_of(chart.text)
    assert "Start session" not in chart.text, "reading only: no write controls"
    refused = await covering.post(f"/api/patients/{ada}/sessions")
    assert refused.status_code == 403, "writes outside one's units stay refused"

    assert await break_the_glass(covering, comfort, reason="emergency", detail="Crisis call",
                                 then=f"/comfort-care/{comfort}") == 303  # fmt: skip
    assert (await covering.get(f"/comfort-care/{comfort}")).status_code == 200

    events = await audit_rows(settings, clock, "hh_therapist")
    grants = [e for e in events if e.entity_type == "break_glass"]
    assert [(e.action, e.patient_id, e.outcome) for e in grants] == [
        ("C", ada, "success"),
        ("C", comfort, "success"),
    ]
    assert grants[0].detail == "Covering for a colleague: Covering 4 West while Tara is off"
    assert grants[1].detail == "Emergency: Crisis call"
    chart_reads = [e for e in events if e.entity_type == "Patient" and e.outcome == "success"]
    assert [e.detail for e in chart_reads] == [f"break the glass #{grants[0].entity_id}"]
    log_reads = [e for e in events if e.entity_type == "ComfortLog"]
    assert log_reads[0].detail.endswith(f"; break the glass #{grants[1].entity_id}")
    denied = [e for e in events if e.entity_type == "Patient" and e.outcome == "denied"]
    assert denied, "the read refused before the grant is audited too"


async def test_the_grant_covers_that_one_patient_for_an_hour(
    sign_in_as, world: World, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    ada, ben = world.patient_ids["ada"], world.patient_ids["ben"]
    covering = await sign_in_as("hh_therapist")
    assert await break_the_glass(covering, ada, **COVERING) == 303
    other = await covering.get(f"/patients/{ben}")
    assert other.status_code == 403 and "outside your units" in other.text
    clock.advance(minutes=59)
    assert (await covering.get(f"/patients/{ada}")).status_code == 200
    clock.advance(minutes=1)
    expired = await covering.get(f"/patients/{ada}")
    assert expired.status_code == 403 and "outside your units" in expired.text
    colleague = await sign_in_as("hh_nurse")
    assert (await colleague.get(f"/patients/{ada}")).status_code == 403, "the grant is that person's"


async def test_the_patient_socket_is_admitted_under_the_grant_and_closed_when_it_ends(
    sign_in_as, world: World, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    ada = world.patient_ids["ada"]
    covering = await sign_in_as("hh_therapist")
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        await covering.websocket(f"/ws/patients/{ada}") as socket,
    ):
        socket.receive_text(timeout=5)
    assert refused.value.code == 4403
    assert await break_the_glass(covering, ada, **COVERING) == 303
    comfort = world.patient_ids["comfort"]
    assert await break_the_glass(covering, comfort, reason="emergency", detail="Crisis call") == 303
    with (
        await covering.websocket(f"/ws/patients/{ada}") as socket,
        await covering.websocket(f"/ws/patients/{comfort}/comfort-log") as log,
    ):
        assert "availability" in socket.receive_text(timeout=5)
        assert "Sessions 0" in text_of(log.receive_text(timeout=5))
        clock.advance(timedelta(minutes=61))
        assert closed_with(socket) == 4403 and closed_with(log) == 4403


async def test_admins_list_the_accesses_by_period_and_no_one_else_may(
    sign_in_as, world: World, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    ada = world.patient_ids["ada"]
    covering = await sign_in_as("hh_therapist")
    assert await break_the_glass(covering, ada, **COVERING) == 303
    admin = await sign_in_as("admin")
    today, yesterday = clock.today(), clock.today() - timedelta(days=1)
    listed = text_of((await admin.get(f"/admin/break-glass?start={today}&end={today}")).text)
    assert "Hh_Therapist (hh_therapist, therapist)" in listed
    assert f"{ada} Covering for a colleague Covering 4 West while Tara is off" in listed
    before = await admin.get(f"/admin/break-glass?start={yesterday}&end={yesterday}")
    assert "No break-the-glass accesses in this period" in before.text
    assert (await admin.get(f"/admin/break-glass?start={today}&end={yesterday}")).status_code == 422
    viewed = [e for e in await audit_rows(settings, clock, "admin") if e.entity_type == "break_glass_list"]
    assert [e.detail for e in viewed] == [
        f"read: from {today} to {today}",
        f"read: from {yesterday} to {yesterday}",
    ]

    for name in ("therapist", "nurse", "hospice", "physician", "hh_therapist"):
        person = await sign_in_as(name)
        assert (await person.get("/admin/break-glass")).status_code == 403
    refused = await admin.post(f"/patients/{ada}/break-glass", data=COVERING)
    assert refused.status_code == 403 and "needs the role" in refused.text, "admins read no charts"


async def test_hospice_staff_break_the_glass_for_comfort_care_patients_only(
    sign_in_as, world: World, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, clock)() as session:
        house = await session.get(Unit, world.unit_ids["HH"])
        not_comfort = (await make_patient(session, clock, house, family="Hearty")).id  # type: ignore[arg-type]
        await session.commit()
    await engine.dispose()
    hospice = await sign_in_as("hospice")
    refused = await hospice.get(f"/patients/{not_comfort}")
    assert refused.status_code == 403 and "comfort-care patients only" in refused.text
    assert "break-glass" not in refused.text, "no reason is asked: no reason would do"
    assert await break_the_glass(hospice, not_comfort, **COVERING) == 403
    comfort_elsewhere = world.patient_ids["hh"]
    assert "outside your units" in (await hospice.get(f"/patients/{comfort_elsewhere}")).text
    assert await break_the_glass(hospice, comfort_elsewhere, **COVERING) == 303
    assert (await hospice.get(f"/comfort-care/{comfort_elsewhere}")).status_code == 200
    events = await audit_rows(settings, clock, "hospice")
    assert ("break_glass", not_comfort, "denied") in [
        (e.entity_type, e.patient_id, e.outcome) for e in events
    ]
