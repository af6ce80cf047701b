"""Unsafe requests without the CSRF token are refused and change nothing."""

from __future__ import annotations

from tests.factories import World


async def test_flag_without_csrf_token_is_refused_and_not_stored(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ada"]
    refused = await nurse.post(f"/patients/{patient}/unavailable", data={"kind": "imaging"}, csrf=False)
    assert refused.status_code == 403
    refused_api = await nurse.post(f"/api/patients/{patient}/flags", json={"kind": "imaging"}, csrf=False)
    assert refused_api.status_code == 403
    board = (await nurse.get(f"/api/units/{world.unit_ids['4W']}/patients")).json()
    assert next(p for p in board if p["id"] == patient)["available"] is True


async def test_htmx_request_with_header_token_is_accepted(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    response = await nurse.post(
        f"/patients/{world.patient_ids['ada']}/unavailable", data={"kind": "imaging"}, htmx=True
    )
    assert response.status_code == 200
    assert f'id="board-row-{world.patient_ids["ada"]}"' in response.text
    assert "Unavailable: Imaging" in response.text


async def test_sign_in_itself_needs_the_token(client, world: World) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import As

    person = As(client, "nurse")
    await person.get("/signin")
    response = await person.post(
        "/signin", data={"username": "nurse", "password": "correct horse battery"}, csrf=False
    )
    assert response.status_code == 403
