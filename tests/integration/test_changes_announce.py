"""Every step of the session flow announces itself from the service: through the page route and through
the JSON route alike, the same change reaches the therapist's worklist and the nurse's unit board,
numbered for the unit. No route decides what to push."""

from __future__ import annotations

import queue
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from server import db
from server.changes import record_change, take_committed
from server.clock import SetClock
from server.settings import Settings
from tests.conftest import ALL_CLEAR, SIGNABLE, As, until_frame_with
from tests.factories import World

Step = Callable[[As, int, int], Awaitable[object]]


def _form(session_id: int, patient: int, **fields: object) -> dict[str, object]:
    return {"patient_id": str(patient), **fields}


async def _ok(response) -> object:  # type: ignore[no-untyped-def]
    assert response.status_code in (200, 201, 303), response.text
    return response


class Routes:
    """One session flow, spoken through either the pages (forms, htmx) or the JSON API."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    async def start(self, therapist: As, patient: int) -> int:
        if self.kind == "api":
            response = await therapist.post(f"/api/patients/{patient}/sessions")
            return int(response.json()["id"])
        response = await therapist.post(f"/patients/{patient}/sessions")
        assert response.status_code == 303, response.text
        return int(re.search(r"/sessions/(\d+)", response.headers["location"]).group(1))  # type: ignore[union-attr]

    async def step(self, therapist: As, session_id: int, patient: int, action: str, **fields: object) -> None:
        if self.kind == "api":
            body = {"patient_id": patient, **fields}
            await _ok(await therapist.post(f"/api/sessions/{session_id}/{action}", json=body))
        else:
            await _ok(
                await therapist.post(
                    f"/sessions/{session_id}/{action}", htmx=True, data=_form(session_id, patient, **fields)
                )
            )

    async def screen(self, therapist: As, session_id: int, patient: int, answers: dict[str, str]) -> None:
        if self.kind == "api":
            await self.step(therapist, session_id, patient, "screening", answers=answers)
        else:
            await self.step(
                therapist, session_id, patient, "screening", **{f"screen_{k}": v for k, v in answers.items()}
            )

    async def score(self, therapist: As, session_id: int, patient: int, phase: str, value: int) -> None:
        client_id = uuid.uuid4().hex
        await self.step(
            therapist, session_id, patient, "scores", client_id=client_id, phase=phase, value=value
        )


def expect_announced(tablet, board, patient: int, unit: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    card = until_frame_with(tablet, f'id="patient-card-{patient}"')
    row = until_frame_with(board, f'id="board-row-{patient}"')
    for frame in (card, row):
        assert f'id="unit-seq-{unit}"' in frame, "each push carries the unit's event number"
    return card, row


@pytest.fixture(params=["page", "api"])
def routes(request: pytest.FixtureRequest) -> Routes:
    return Routes(request.param)


async def test_each_step_of_a_massage_reaches_worklist_and_board(
    sign_in_as, world: World, routes: Routes
) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    therapist = await sign_in_as("therapist")
    patient, unit = world.patient_ids["ada"], world.unit_ids["4W"]
    with await nurse.websocket(f"/ws/units/{unit}/board") as board:
        board.receive_text(timeout=5)
        with await therapist.websocket("/ws/worklist") as tablet:
            tablet.receive_text(timeout=5)
            until_frame_with(board, f'id="presence-unit-{unit}"')
            session_id = await routes.start(therapist, patient)
            expect_announced(tablet, board, patient, unit)
            await routes.screen(therapist, session_id, patient, ALL_CLEAR)
            expect_announced(tablet, board, patient, unit)
            await routes.step(therapist, session_id, patient, "consent", by="patient")
            expect_announced(tablet, board, patient, unit)
            await routes.score(therapist, session_id, patient, "pre", 6)
            card, row = expect_announced(tablet, board, patient, unit)
            assert "6/10" in card and "Massage in progress" in row
            await routes.step(therapist, session_id, patient, "pause")
            assert "Massage paused" in expect_announced(tablet, board, patient, unit)[1]
            await routes.step(therapist, session_id, patient, "resume")
            assert "Massage in progress" in expect_announced(tablet, board, patient, unit)[1]
            await routes.step(therapist, session_id, patient, "finish")
            row = expect_announced(tablet, board, patient, unit)[1]
            assert "Massage in progress" not in row, "finishing the massage changes the board"
            await routes.score(therapist, session_id, patient, "post", 3)
            assert "3/10" in expect_announced(tablet, board, patient, unit)[0]
            if routes.kind == "api":
                await _ok(await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE))
            else:
                form = {**SIGNABLE, "patient_id": str(patient)}
                await _ok(await therapist.post(f"/sessions/{session_id}/sign", htmx=True, data=form))
            expect_announced(tablet, board, patient, unit)


async def test_declining_consent_stops_the_session_and_says_so_by_either_route(
    sign_in_as, world: World, routes: Routes
) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    therapist = await sign_in_as("therapist")
    patient, unit = world.patient_ids["ben"], world.unit_ids["4W"]
    with (
        await nurse.websocket(f"/ws/units/{unit}/board") as board,
        await therapist.websocket("/ws/worklist") as tablet,
    ):
        board.receive_text(timeout=5)
        tablet.receive_text(timeout=5)
        session_id = await routes.start(therapist, patient)
        expect_announced(tablet, board, patient, unit)
        await routes.screen(therapist, session_id, patient, ALL_CLEAR)
        expect_announced(tablet, board, patient, unit)
        await routes.step(therapist, session_id, patient, "consent", by="declined")
        expect_announced(tablet, board, patient, unit)
    state = (await therapist.get(f"/api/sessions/{session_id}")).json()
    assert (state["state"], state["stop_reason"]) == ("stopped", "Patient declined")


async def test_stopping_rescheduling_and_a_stop_answer_reach_worklist_and_board(
    sign_in_as, world: World, routes: Routes
) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    therapist = await sign_in_as("therapist")
    unit = world.unit_ids["4W"]
    ada, ben, comfort = world.patient_ids["ada"], world.patient_ids["ben"], world.patient_ids["comfort"]
    with (
        await nurse.websocket(f"/ws/units/{unit}/board") as board,
        await therapist.websocket("/ws/worklist") as tablet,
    ):
        board.receive_text(timeout=5)
        tablet.receive_text(timeout=5)

        moved = await routes.start(therapist, ada)
        expect_announced(tablet, board, ada, unit)
        await routes.step(therapist, moved, ada, "reschedule", reason="family")
        assert "Rescheduled (family visit)" in expect_announced(tablet, board, ada, unit)[0]

        stopped = await routes.start(therapist, ben)
        expect_announced(tablet, board, ben, unit)
        await routes.screen(therapist, stopped, ben, {**ALL_CLEAR, "dvt": "stop"})
        expect_announced(tablet, board, ben, unit)

        running = await routes.start(therapist, comfort)
        expect_announced(tablet, board, comfort, unit)
        await routes.screen(therapist, running, comfort, ALL_CLEAR)
        await routes.step(therapist, running, comfort, "consent", by="patient")
        await routes.score(therapist, running, comfort, "pre", 5)
        until_frame_with(board, "Massage in progress")
        await routes.step(therapist, running, comfort, "stop", reason="Patient unwell")
        row = until_frame_with(board, f'id="board-row-{comfort}"')
        while "Massage in progress" in row:
            row = until_frame_with(board, f'id="board-row-{comfort}"')
        until_frame_with(tablet, f'id="patient-card-{comfort}"')


async def test_a_change_is_published_only_once_its_transaction_commits(
    settings: Settings, clock: SetClock, world: World
) -> None:  # type: ignore[no-untyped-def]
    engine = db.make_engine(settings.resolved_database_url())
    patient, unit = world.patient_ids["ada"], world.unit_ids["4W"]
    try:
        async with db.make_session_maker(engine, clock)() as session:
            await record_change(session, "rolled_back", unit_id=unit, patient_id=patient)
            await session.rollback()
            assert take_committed(session) == []
            kept = await record_change(session, "kept", unit_id=unit, patient_id=patient)
            assert take_committed(session) == [], "nothing is published before the commit"
            await session.commit()
            assert take_committed(session) == [kept] and take_committed(session) == [], "and only once"
            assert kept.seq == 1, "the rolled-back change took no number"
    finally:
        await engine.dispose()


async def test_a_refused_request_pushes_nothing(sign_in_as, clock: SetClock, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    with await therapist.websocket("/ws/worklist") as tablet:
        tablet.receive_text(timeout=5)
        past = (clock.now() - timedelta(minutes=1)).isoformat()
        refused = await nurse.post(
            f"/api/patients/{world.patient_ids['ada']}/flags", json={"kind": "imaging", "until": past}
        )
        assert refused.status_code == 422
        with pytest.raises(queue.Empty):
            tablet.receive_text(timeout=0.5)
