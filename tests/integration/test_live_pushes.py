"""Live pushes over WebSocket: the nurse's flag reaches the right tablets, and only those."""

from __future__ import annotations

import queue

import pytest
from litestar.exceptions import WebSocketDisconnect

from tests.conftest import As, ready_session
from tests.factories import World


async def refusal_code(person: As, url: str, origin: str | None = None) -> int:
    """The close code of a socket the server refuses before accepting it (the refusal comes on entering)."""
    with pytest.raises(WebSocketDisconnect) as refused, await person.websocket(url, origin=origin):
        pass
    return int(refused.value.code)


def card_in(html: str, patient_id: int) -> str:
    start = html.index(f'id="patient-card-{patient_id}"')
    return html[start : html.index("</article>", start)]


def drain(ws) -> None:  # type: ignore[no-untyped-def]
    """Read the snapshot the server sends on connect."""
    ws.receive_text(timeout=5)


async def test_nurse_flag_reaches_the_therapists_worklist_on_that_unit_only(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    other_unit_therapist = await sign_in_as("hh_therapist")
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ada"]
    with (
        await therapist.websocket("/ws/worklist") as tablet,
        await other_unit_therapist.websocket("/ws/worklist") as elsewhere,
    ):
        snapshot = tablet.receive_text(timeout=5)
        assert f'id="patient-card-{patient}"' in snapshot
        drain(elsewhere)
        response = await nurse.post(
            f"/patients/{patient}/unavailable", data={"kind": "procedure", "note": "PICC line"}
        )
        assert response.status_code in (200, 303)
        pushed = tablet.receive_text(timeout=1)
        assert f'id="patient-card-{patient}"' in pushed
        assert 'hx-swap-oob="true"' in pushed
        assert "Unavailable: Procedure" in pushed and "PICC line" in pushed
        with pytest.raises(queue.Empty):
            elsewhere.receive_text(timeout=0.5)


async def test_clearing_a_flag_pushes_the_available_card(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ben"]
    await nurse.post(f"/patients/{patient}/unavailable", data={"kind": "imaging"})
    with await therapist.websocket("/ws/worklist") as tablet:
        assert "Unavailable: Imaging" in tablet.receive_text(timeout=5)
        await nurse.post(f"/patients/{patient}/available")
        pushed = tablet.receive_text(timeout=1)
        assert (
            f'id="patient-card-{patient}"' in pushed and "Available" in pushed and "Unavailable" not in pushed
        )


async def test_patient_page_receives_the_availability_banner(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ada"]
    with await therapist.websocket(f"/ws/patients/{patient}") as page:
        drain(page)
        await nurse.post(f"/api/patients/{patient}/flags", json={"kind": "family_visit"})
        pushed = page.receive_text(timeout=1)
        assert f'id="availability-{patient}"' in pushed and "Family visit" in pushed


async def test_recorded_score_reaches_the_nurse_board(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    therapist = await sign_in_as("therapist")
    patient = world.patient_ids["ada"]
    session_id = await ready_session(therapist, patient)
    with await nurse.websocket(f"/ws/units/{world.unit_ids['4W']}/board") as board:
        drain(board)
        await therapist.post(
            f"/api/sessions/{session_id}/scores",
            json={"client_id": "board-push-0001", "phase": "pre", "value": 8},
        )
        pushed = board.receive_text(timeout=1)
        assert f'id="board-row-{patient}"' in pushed and "8/10" in pushed
        assert "Mark unavailable for" in pushed


async def test_physician_board_gets_rows_without_flag_buttons(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    physician = await sign_in_as("physician")
    nurse = await sign_in_as("nurse")
    with await physician.websocket(f"/ws/units/{world.unit_ids['4W']}/board") as board:
        drain(board)
        await nurse.post(f"/api/patients/{world.patient_ids['ben']}/flags", json={"kind": "imaging"})
        pushed = board.receive_text(timeout=1)
        assert "Unavailable: Imaging" in pushed and "Mark available" not in pushed


async def test_unauthenticated_socket_is_refused(client, world: World) -> None:  # type: ignore[no-untyped-def]
    anonymous = As(client, "nobody")
    assert await refusal_code(anonymous, "/ws/worklist") == 4401


async def test_sockets_are_refused_outside_role_or_unit(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    assert await refusal_code(nurse, "/ws/worklist") == 4403
    hh_nurse = await sign_in_as("hh_nurse")
    assert await refusal_code(hh_nurse, f"/ws/units/{world.unit_ids['4W']}/board") == 4403
    hh_therapist = await sign_in_as("hh_therapist")
    assert await refusal_code(hh_therapist, f"/ws/patients/{world.patient_ids['ada']}") == 4403


async def test_cross_site_socket_is_refused(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    assert await refusal_code(therapist, "/ws/worklist", origin="https://evil.example") == 4403


async def test_tablet_that_reconnects_gets_what_changed_while_it_was_away(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    nurse = await sign_in_as("nurse")
    ada, ben = world.patient_ids["ada"], world.patient_ids["ben"]
    with await therapist.websocket("/ws/worklist") as tablet:
        drain(tablet)
    await nurse.post(f"/api/patients/{ada}/flags", json={"kind": "imaging"})
    await nurse.post(f"/api/patients/{ben}/flags", json={"kind": "dialysis"})
    await nurse.post(f"/patients/{ben}/available")
    with await therapist.websocket("/ws/worklist") as tablet:
        snapshot = tablet.receive_text(timeout=5)
    assert snapshot.count(f'id="patient-card-{ada}"') == 1 and snapshot.count(f'id="patient-card-{ben}"') == 1
    assert "Unavailable: Imaging" in card_in(snapshot, ada)
    assert "Available" in card_in(snapshot, ben) and "Dialysis" not in card_in(snapshot, ben)


async def test_a_change_is_rendered_once_per_channel_not_once_per_tablet(
    sign_in_as, world: World, app
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ada"]
    with (
        await therapist.websocket("/ws/worklist") as one,
        await therapist.websocket("/ws/worklist") as two,
        await therapist.websocket("/ws/worklist") as three,
    ):
        for tablet in (one, two, three):
            drain(tablet)
        before = app.state.publisher.fragments_rendered
        await nurse.post(f"/api/patients/{patient}/flags", json={"kind": "imaging"})
        for tablet in (one, two, three):
            frame = tablet.receive_text(timeout=3)
            while f'id="patient-card-{patient}"' not in frame:
                frame = tablet.receive_text(timeout=3)
        assert app.state.publisher.fragments_rendered - before == 1
