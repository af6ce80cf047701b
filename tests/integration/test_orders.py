"""The physician writes, edits, holds, resumes and discontinues massage orders; sessions follow the order."""

from __future__ import annotations

from tests.conftest import text_of
from tests.factories import World

GOOD_ORDER = {
    "indication": "pain",
    "allowed_techniques": ["Swedish", "Reflexology"],
    "frequency": "daily",
    "duration_minutes": "25",
    "max_pressure": "2",
    "platelet_threshold": "50",
}


async def test_physician_writes_an_order_with_sites_to_avoid_and_the_therapist_sees_it(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    physician = await sign_in_as("physician")
    patient = world.patient_ids["no_order"]
    assert "Write a massage order" in (await physician.get(f"/patients/{patient}")).text
    written = await physician.post(f"/patients/{patient}/orders", data=GOOD_ORDER)
    assert written.status_code == 303
    chart = (await physician.get(f"/patients/{patient}")).text
    order_id = int(chart.split('href="/orders/')[1].split("/")[0])
    added = await physician.post(
        f"/orders/{order_id}/restrictions", data={"region": "chest", "side": "right", "reason": "Port"}
    )
    assert added.status_code == 303
    therapist = await sign_in_as("therapist")
    seen = text_of((await therapist.get(f"/patients/{patient}")).text)
    assert "Swedish, Reflexology" in seen and "Level 2 of 5 on the Walton scale" in seen
    assert "Avoid right chest (Port)" in seen and "Stop if below 50" in seen
    assert (await therapist.post(f"/api/patients/{patient}/sessions")).status_code == 201


async def test_bad_order_details_are_refused_with_what_to_fix(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    physician = await sign_in_as("physician")
    patient = world.patient_ids["no_order"]
    for change, message in [
        ({"max_pressure": "6"}, "Walton level from 1 to 5"),
        ({"allowed_techniques": []}, "at least one technique"),
        ({"allowed_techniques": ["Cupping"]}, "Cupping is not one"),
        ({"duration_minutes": "200"}, "between 5 and 90"),
        ({"indication": "boredom"}, "Choose the indication"),
    ]:
        refused = await physician.post(f"/patients/{patient}/orders", data={**GOOD_ORDER, **change})
        assert refused.status_code == 422 and message in text_of(refused.text), change
    assert "Write a massage order" in (await physician.get(f"/patients/{patient}")).text


async def test_held_or_discontinued_order_stops_new_sessions(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    physician = await sign_in_as("physician")
    therapist = await sign_in_as("therapist")
    patient = world.patient_ids["ben"]
    chart = (await physician.get(f"/patients/{patient}")).text
    order_id = int(chart.split('href="/orders/')[1].split("/")[0])

    assert (await physician.post(f"/orders/{order_id}/hold")).status_code == 303
    held = await therapist.post(f"/api/patients/{patient}/sessions")
    assert held.status_code == 409 and "on hold" in held.json()["detail"]
    assert (await physician.post(f"/orders/{order_id}/hold")).status_code == 409

    assert (await physician.post(f"/orders/{order_id}/resume")).status_code == 303
    assert (await therapist.post(f"/api/patients/{patient}/sessions")).status_code == 201

    assert (await physician.post(f"/orders/{order_id}/discontinue")).status_code == 303
    refused = await therapist.post(f"/api/patients/{patient}/sessions")
    assert refused.status_code == 409 and "no active massage order" in refused.json()["detail"]
    edit = await physician.post(f"/orders/{order_id}", data=GOOD_ORDER)
    assert edit.status_code == 409 and "discontinued order cannot be changed" in text_of(edit.text)


async def test_only_physicians_write_orders(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    for role in ("therapist", "nurse", "hospice"):
        person = await sign_in_as(role)
        refused = await person.post(f"/patients/{world.patient_ids['no_order']}/orders", data=GOOD_ORDER)
        assert refused.status_code == 403, role
