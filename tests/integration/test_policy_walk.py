"""The one policy table, walked: every route and socket, as every role, is let through or refused by
the guard exactly as the table says; and hospice staff read comfort-care patients only."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.handlers import HTTPRouteHandler, WebsocketRouteHandler

from server.auth.models import Role
from server.auth.policy import POLICY, PUBLIC
from tests.conftest import As
from tests.factories import World
from tests.integration.test_guards import policy_of

USERS = {
    Role.therapist: "therapist",
    Role.nurse: "nurse",
    Role.hospice: "hospice",
    Role.physician: "physician",
    Role.admin: "admin",
}
GUARD_REFUSAL = "needs the role"
NO_SUCH_ACCOUNT = 99_999


def concrete(path: str, world: World) -> str:
    """A real URL for a route: its ids are the first patient, unit, session... of the test world."""
    path = re.sub(r"\{patient_id:int\}", str(world.patient_ids["ada"]), path)
    path = re.sub(r"\{unit_id:int\}", str(world.unit_ids["4W"]), path)
    path = re.sub(r"\{move:str\}", "pause", path)
    path = re.sub(r"\{path:str\}", "openapi.yaml", path)
    path = re.sub(r"\{user_id:int\}", str(NO_SUCH_ACCOUNT), path)  # the walk deactivates no walker
    return re.sub(r"\{\w+:int\}", "1", path)


def routes(app: Litestar) -> list[tuple[str, str, str]]:
    """(method or 'websocket', path, policy entry) for every route the app has."""
    found = []
    for route in app.routes:
        if route.path.startswith("/static"):
            continue
        for handler in getattr(route, "route_handlers", None) or [route.route_handler]:  # type: ignore[attr-defined]
            policy = policy_of(handler)
            if isinstance(handler, WebsocketRouteHandler):
                found.append(("websocket", route.path, policy))
            elif isinstance(handler, HTTPRouteHandler):
                found += [
                    (m, route.path, policy)
                    for m in sorted(handler.http_methods)
                    if m not in ("HEAD", "OPTIONS")
                ]
    return found


async def test_every_route_lets_in_exactly_the_roles_of_its_policy_entry(
    app: Litestar, sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    people = {role: await sign_in_as(name) for role, name in USERS.items()}
    mismatches = []
    walked = routes(app)
    for method, path, policy in walked:
        if policy == PUBLIC or path in ("/signout", "/lock"):  # these end or lock the walker's sign-in
            continue
        url = concrete(path, world)
        for role, person in people.items():
            allowed = role in POLICY[policy]
            if method == "websocket":
                refused = await socket_refused(person, url)
            else:
                response = await (
                    person.get(url, follow_redirects=False) if method == "GET" else person.post(url, json={})
                )
                refused = response.status_code == 403 and GUARD_REFUSAL in response.text
            if refused == allowed:
                mismatches.append(f"{method} {path} as {role}: {'refused' if refused else 'let in'}")
    assert mismatches == []
    assert len(walked) >= 50
    assert {
        ("POST", "/patients/{patient_id:int}/break-glass", "break_glass.open"),
        ("GET", "/admin/break-glass", "break_glass.review"),
        ("POST", "/admin/users/{user_id:int}/deactivate", "staff.manage"),
        ("POST", "/api/admin/users", "staff.manage"),
        ("GET", "/admin/units", "units.manage"),
        ("POST", "/api/patients", "patients.admit"),
        ("POST", "/api/patients/{patient_id:int}/discharge", "patients.discharge"),
        ("POST", "/patients/{patient_id:int}/transfer", "patients.transfer"),
    } <= set(walked), "break the glass, staff, units and admission are walked like every route"


async def socket_refused(person: As, url: str) -> bool:
    try:
        with await person.websocket(url) as socket:
            socket.receive_text(timeout=5)
        return False
    except WebSocketDisconnect as closed:
        return closed.code == 4403 and GUARD_REFUSAL in str(closed.detail)


async def test_hospice_staff_read_only_comfort_care_patients(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    hospice = await sign_in_as("hospice")
    ada, comfort = world.patient_ids["ada"], world.patient_ids["comfort"]
    assert (await hospice.get(f"/patients/{comfort}")).status_code == 200
    page = await hospice.get(f"/patients/{ada}")
    assert page.status_code == 403 and "comfort-care patients only" in page.text
    listed = (await hospice.get(f"/api/units/{world.unit_ids['4W']}/patients")).json()
    assert [p["id"] for p in listed] == [comfort]
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        await hospice.websocket(f"/ws/patients/{ada}") as socket,
    ):
        socket.receive_text(timeout=5)
    assert closed.value.code == 4403


async def test_outside_their_units_every_clinical_reader_may_break_the_glass_and_admins_may_not(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    """The comfort-care patient of Hospice House is outside the units of everyone on 4 West."""
    outside = world.patient_ids["hh"]
    for role, name in USERS.items():
        person = await sign_in_as(name)
        page = await person.get(f"/patients/{outside}")
        assert page.status_code == 403
        asked = f'action="/patients/{outside}/break-glass"' in page.text
        assert asked == (role in POLICY["break_glass.open"]), role
        assert role != Role.admin or GUARD_REFUSAL in page.text
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            await person.websocket(f"/ws/patients/{outside}") as socket,
        ):
            socket.receive_text(timeout=5)
        assert closed.value.code == 4403, "no socket before a reason is given"
        assert (GUARD_REFUSAL in str(closed.value.detail)) == (role == Role.admin), role


async def test_only_the_signing_therapist_amends_a_signed_record(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import SIGNABLE, ready_session

    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    for phase, value in (("pre", 5), ("post", 2)):
        await therapist.post(
            f"/api/sessions/{session_id}/scores",
            json={"client_id": f"amend-{phase}-0001", "phase": phase, "value": value},
        )
    assert (await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE)).status_code == 200
    colleague = await sign_in_as("colleague")
    other = await colleague.post(
        f"/api/sessions/{session_id}/amendments", json={"reason": "Mine", "text": "Changed"}
    )
    assert other.status_code == 403 and "signed this record" in other.json()["detail"]
    own = await therapist.post(
        f"/api/sessions/{session_id}/amendments", json={"reason": "Typo", "text": "Fixed"}
    )
    assert own.status_code == 201 and own.json()["author_name"] == "Therapist"
