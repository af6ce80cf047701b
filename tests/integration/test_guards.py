"""Every route is guarded by role and unit; the policy is checked route by route."""

from __future__ import annotations

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler, WebsocketRouteHandler

from tests.factories import World

PUBLIC = {"/signin", "/static"}


def test_every_route_has_a_role_guard_or_is_public(app: Litestar) -> None:
    unguarded = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []) or [getattr(route, "route_handler", None)]:
            if (
                handler is None
                or route.path in PUBLIC
                or handler.opt.get("public")
                or route.path.startswith(("/static", "/schema"))
            ):
                continue
            if isinstance(handler, WebsocketRouteHandler):
                if not handler.opt.get("roles"):
                    unguarded.append(route.path)
                continue
            assert isinstance(handler, HTTPRouteHandler)
            if handler.http_methods == {"OPTIONS"}:
                continue
            if not any(hasattr(g, "allowed_roles") for g in handler.guards or []):
                unguarded.append(f"{sorted(handler.http_methods)} {route.path}")
    assert unguarded == []


async def test_nurse_cannot_record_a_score(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    started = await therapist.post(f"/api/patients/{world.patient_ids['ada']}/sessions")
    nurse = await sign_in_as("nurse")
    response = await nurse.post(
        f"/api/sessions/{started.json()['id']}/scores",
        json={"client_id": "nurse-try-0001", "phase": "pre", "value": 5},
    )
    assert response.status_code == 403
    assert "needs the role therapist" in response.json()["detail"]


async def test_hospice_cannot_set_a_flag(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    hospice = await sign_in_as("hospice")
    response = await hospice.post(
        f"/patients/{world.patient_ids['ada']}/unavailable", data={"kind": "imaging"}
    )
    assert response.status_code == 403
    api = await hospice.post(f"/api/patients/{world.patient_ids['ada']}/flags", json={"kind": "imaging"})
    assert api.status_code == 403
    nurse = await sign_in_as("nurse")
    board = (await nurse.get(f"/api/units/{world.unit_ids['4W']}/patients")).json()
    assert all(p["available"] for p in board)


async def test_staff_see_only_patients_on_their_units(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    hh_therapist = await sign_in_as("hh_therapist")
    assert (await hh_therapist.get(f"/patients/{world.patient_ids['ada']}")).status_code == 403
    assert (await hh_therapist.get(f"/patients/{world.patient_ids['hh']}")).status_code == 200
    hh_nurse = await sign_in_as("hh_nurse")
    refused = await hh_nurse.post(f"/api/patients/{world.patient_ids['ada']}/flags", json={"kind": "imaging"})
    assert refused.status_code == 403
    assert (await hh_nurse.get(f"/units/{world.unit_ids['4W']}/board")).status_code == 403


async def test_admin_reads_the_audit_log_but_not_charts(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    admin = await sign_in_as("admin")
    assert (await admin.get(f"/patients/{world.patient_ids['ada']}")).status_code == 403
    log = await admin.get("/admin/audit")
    assert log.status_code == 200
    assert "sign_in" in log.text
    therapist = await sign_in_as("therapist")
    assert (await therapist.get("/admin/audit")).status_code == 403
