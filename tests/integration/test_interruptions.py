"""A nurse interrupts a running session: the therapist's tablet shows it at once and the session pauses;
the therapist acknowledges and the nurses' board shows who did and when."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlmodel import col, select

from server.auth.models import User
from server.clock import SetClock
from server.sessions.live import therapist_screen_now
from tests.conftest import ready_session, text_of, until_frame_with
from tests.factories import World


async def running_session(therapist, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    session_id = await ready_session(therapist, patient_id)
    scored = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": f"int-pre-{session_id:05d}", "phase": "pre", "value": 5},
    )
    assert scored.status_code == 201
    return session_id


async def test_interruption_reaches_the_therapist_pauses_and_the_acknowledgement_reaches_the_board(
    sign_in_as,
    world: World,  # type: ignore[no-untyped-def]
) -> None:
    therapist = await sign_in_as("therapist")
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ada"]
    session_id = await running_session(therapist, patient)
    board_before = text_of((await nurse.get(f"/units/{world.unit_ids['4W']}/board")).text)
    assert "Massage in progress , room" in board_before and "Therapist, until about" in board_before

    with (
        await therapist.websocket("/ws/worklist") as tablet,
        await nurse.websocket(f"/ws/units/{world.unit_ids['4W']}/board") as board,
    ):
        tablet.receive_text(timeout=5)
        board.receive_text(timeout=5)
        raised = await nurse.post(
            f"/sessions/{session_id}/interrupt",
            htmx=True,
            data={"reason": "Imaging or transport", "note": "Porter is here", "patient_id": patient},
        )
        assert raised.status_code == 200 and "waiting for Therapist to acknowledge" in text_of(raised.text)
        overlay = until_frame_with(tablet, 'id="interruption-overlay"')
        assert 'role="alertdialog"' in overlay and "Imaging or transport: Porter is here" in overlay
        assert f'id="session-timer-{session_id}"' in overlay and 'data-running="true"' not in overlay
        assert (await therapist.get(f"/api/sessions/{session_id}")).json()["state"] == "paused"

        interruption_id = int(overlay.split("/interruptions/")[1].split("/")[0])
        acked = await therapist.post(f"/interruptions/{interruption_id}/acknowledge", htmx=True)
        assert 'id="interruption-overlay"' in acked.text and "alertdialog" not in acked.text
        row = until_frame_with(board, "acknowledged by Therapist")
        assert f'id="board-row-{patient}"' in row

    resumed = await therapist.post(f"/api/sessions/{session_id}/resume", json={})
    assert resumed.json()["state"] == "in_progress"


async def test_only_a_running_massage_can_be_interrupted_and_only_by_a_nurse(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    nurse = await sign_in_as("nurse")
    not_started = await ready_session(therapist, world.patient_ids["ben"])
    refused = await nurse.post(f"/sessions/{not_started}/interrupt", data={"reason": "Procedure now"})
    assert refused.status_code == 409 and "Only a massage in progress" in text_of(refused.text)
    session_id = await running_session(therapist, world.patient_ids["ada"])
    assert (
        await therapist.post(f"/sessions/{session_id}/interrupt", data={"reason": "Other"})
    ).status_code == 403
    hospice = await sign_in_as("hospice")
    assert (
        await hospice.post(f"/sessions/{session_id}/interrupt", data={"reason": "Other"})
    ).status_code == 403
    unknown = await nurse.post(f"/sessions/{session_id}/interrupt", data={"reason": "Lunch"})
    assert unknown.status_code == 422
    assert (await nurse.post(f"/sessions/{session_id}/interrupt", data={"reason": "Other"})).status_code in (
        200,
        303,
    )
    twice = await nurse.post(f"/sessions/{session_id}/interrupt", data={"reason": "Other"})
    assert twice.status_code == 409 and "already interrupted" in text_of(twice.text)


async def test_a_pending_interruption_is_shown_again_after_a_reconnect(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    nurse = await sign_in_as("nurse")
    session_id = await running_session(therapist, world.patient_ids["ada"])
    await nurse.post(f"/sessions/{session_id}/interrupt", data={"reason": "Clinically unstable"})
    with await therapist.websocket(f"/ws/patients/{world.patient_ids['ada']}") as page:
        snapshot = page.receive_text(timeout=5)
    assert 'role="alertdialog"' in snapshot and "Clinically unstable" in snapshot


async def test_a_flag_expires_by_itself_and_the_tablets_are_told(
    sign_in_as, clock: SetClock, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ben"]
    until = clock.now() + timedelta(minutes=30)
    with await therapist.websocket("/ws/worklist") as tablet:
        tablet.receive_text(timeout=5)
        await nurse.post(
            f"/api/patients/{patient}/flags", json={"kind": "sleeping", "until": until.isoformat()}
        )
        assert "Unavailable: Sleeping" in until_frame_with(tablet, f'id="patient-card-{patient}"')
        clock.advance(minutes=31)
        expired = until_frame_with(tablet, f'id="patient-card-{patient}"', seconds=3)
    assert "<strong>Available</strong>" in expired


async def test_the_board_shows_which_therapists_have_a_tablet_connected(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    therapist = await sign_in_as("therapist")
    assert "No therapist tablet connected" in text_of(
        (await nurse.get(f"/units/{world.unit_ids['4W']}/board")).text
    )
    with await nurse.websocket(f"/ws/units/{world.unit_ids['4W']}/board") as board:
        board.receive_text(timeout=5)
        with await therapist.websocket("/ws/worklist") as tablet:
            tablet.receive_text(timeout=5)
            connected = until_frame_with(board, f'id="presence-unit-{world.unit_ids["4W"]}"')
            assert "Therapist tablets connected: Therapist" in text_of(connected)
            page = text_of((await nurse.get(f"/units/{world.unit_ids['4W']}/board")).text)
            assert "Therapist tablets connected: Therapist" in page
        gone = until_frame_with(board, f'id="presence-unit-{world.unit_ids["4W"]}"')
        assert "No therapist tablet connected" in text_of(gone)


async def test_massage_in_progress_leaves_the_board_when_the_session_ends(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    nurse = await sign_in_as("nurse")
    session_id = await running_session(therapist, world.patient_ids["ada"])
    board = f"/units/{world.unit_ids['4W']}/board"
    assert "Massage in progress" in text_of((await nurse.get(board)).text)
    await therapist.post(f"/api/sessions/{session_id}/stop", json={"reason": "Patient unwell"})
    assert "Massage in progress" not in text_of((await nurse.get(board)).text)


async def test_tablets_reopening_together_read_their_own_screens_in_one_read(
    app: Litestar, client: AsyncTestClient, sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    """A shift change: each tablet's first frame carries its therapist's pending interruptions, read once
    for all the tablets that open together; a colleague's tablet never shows another's interruption."""
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    session_id = await running_session(therapist, world.patient_ids["ada"])
    raised = await nurse.post(
        f"/sessions/{session_id}/interrupt",
        htmx=True,
        data={
            "reason": "Imaging or transport",
            "note": "Porter is here",
            "patient_id": world.patient_ids["ada"],
        },
    )
    assert raised.status_code == 200
    state, env = app.state, app.state.jinja_env

    async def user_ids() -> dict[str, int]:
        async with state.read_session_maker() as db:
            rows = await db.exec(select(User.username, User.id).where(col(User.username).in_(TABLETS)))
            return {name: int(user_id) for name, user_id in rows.all() if user_id is not None}

    ids = client.blocking_portal.call(user_ids)  # on the app's loop, where its connections live
    reads_before = state.shared_reads.reads
    asking = list(TABLETS) * 10

    async def open_together() -> list[str]:
        return await asyncio.gather(*(therapist_screen_now(state, env, ids[name]) for name in asking))

    screens = client.blocking_portal.call(open_together)

    assert state.shared_reads.reads - reads_before <= 2, "the first tablet's read, then one for the rest"
    for name, screen in zip(asking, screens, strict=True):
        if name == "therapist":
            assert 'role="alertdialog"' in screen and "Imaging or transport: Porter is here" in screen
            assert f'id="session-timer-{session_id}"' in screen
        else:
            assert "alertdialog" not in screen and "session-timer" not in screen


TABLETS = ("therapist", "colleague")
