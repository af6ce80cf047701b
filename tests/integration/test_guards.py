"""Every route is guarded by one policy table (role), and the services check unit and patient."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from litestar import Litestar
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import HTTPRouteHandler, WebsocketRouteHandler

from server.auth.actor import Actor
from server.auth.models import Role
from server.auth.policy import POLICY, PUBLIC, requires
from tests.factories import World


def policy_of(handler: HTTPRouteHandler | WebsocketRouteHandler) -> str | None:
    """The policy entry a route names: through its guard (HTTP) or its opt (sockets, public routes)."""
    guards = [g for layer in handler.ownership_layers for g in (layer.guards or [])]
    named = [g.permission for g in guards if hasattr(g, "permission")]
    if named:
        return named[0]
    return handler.opt.get("policy")


def test_every_route_and_socket_names_an_entry_of_the_one_policy_table(app: Litestar) -> None:
    """Walks the app's route table (the OpenAPI schema pages too); static files are public by path."""
    missing, checked = [], 0
    for route in app.routes:
        if route.path.startswith("/static"):
            continue
        handlers = getattr(route, "route_handlers", None) or [route.route_handler]  # type: ignore[attr-defined]
        for handler in handlers:
            if isinstance(handler, HTTPRouteHandler) and handler.http_methods <= {"OPTIONS", "HEAD"}:
                continue
            checked += 1
            policy = policy_of(handler)
            if policy != PUBLIC and policy not in POLICY:
                missing.append(f"{route.path} {getattr(handler, 'http_methods', 'websocket')}")
            if isinstance(handler, WebsocketRouteHandler):
                assert policy in POLICY, "a socket is admitted by admit(), by its policy entry"
    assert missing == []
    assert checked >= 50, "the walk saw the app's routes"


async def test_the_guards_refuse_every_role_the_policy_table_leaves_out() -> None:
    """Each entry's guard lets exactly its roles through."""
    for permission, roles in POLICY.items():
        guard = requires(permission)
        for role in Role:
            actor = Actor(1, "x", "X", role, frozenset())
            connection = SimpleNamespace(scope={"user": actor})
            if role in roles:
                await guard(connection, None)  # type: ignore[arg-type]
            else:
                with pytest.raises(PermissionDeniedException):
                    await guard(connection, None)  # type: ignore[arg-type]


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
