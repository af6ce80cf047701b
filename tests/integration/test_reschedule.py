"""A planned session that cannot start is rescheduled with a reason and an optional new time; it comes
back on the worklist then, and the nurses' board shows it."""

from __future__ import annotations

from datetime import timedelta

from server.clock import SetClock
from tests.conftest import ready_session, text_of
from tests.factories import World


async def test_rescheduled_session_shows_on_worklist_and_board_and_sorts_after_available(
    sign_in_as, clock: SetClock, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse = [await sign_in_as(u) for u in ("therapist", "nurse")]
    ada = world.patient_ids["ada"]
    session_id = int((await therapist.post(f"/api/patients/{ada}/sessions")).json()["id"])
    due = clock.now() + timedelta(hours=2)
    moved = await therapist.post(
        f"/api/sessions/{session_id}/reschedule", json={"reason": "family", "at": due.isoformat()}
    )
    body = moved.json()
    assert body["state"] == "rescheduled"
    worklist = text_of((await therapist.get("/worklist")).text)
    assert f"Rescheduled (family visit): due {clock.local(due).strftime('%H:%M')}" in worklist
    assert worklist.index("Brook, Test") < worklist.index("Ashby, Test"), (
        "due later: after those available now"
    )
    board = text_of((await nurse.get(f"/units/{world.unit_ids['4W']}/board")).text)
    assert "Rescheduled (family visit)" in board
    again = await therapist.post(f"/api/patients/{ada}/sessions")
    assert again.status_code == 201 and again.json()["id"] != session_id, "a new session can start"
    assert (
        "Rescheduled"
        not in text_of((await therapist.get("/worklist")).text).split("Ashby, Test")[1].split("Last pain")[0]
    )


async def test_only_a_session_that_has_not_started_is_rescheduled(
    sign_in_as, clock: SetClock, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    await therapist.post(
        f"/api/sessions/{session_id}/scores", json={"client_id": "resched-pre-1", "phase": "pre", "value": 4}
    )
    refused = await therapist.post(f"/api/sessions/{session_id}/reschedule", json={"reason": "other"})
    assert refused.status_code == 409 and "stop the session" in refused.json()["detail"]
    other = int((await therapist.post(f"/api/patients/{world.patient_ids['ben']}/sessions")).json()["id"])
    assert (
        await therapist.post(f"/api/sessions/{other}/reschedule", json={"reason": "lunch"})
    ).status_code == 422
    past = (clock.now() - timedelta(minutes=5)).isoformat()
    assert (
        await therapist.post(f"/api/sessions/{other}/reschedule", json={"reason": "other", "at": past})
    ).status_code == 422
    page = await therapist.post(
        f"/sessions/{other}/reschedule",
        htmx=True,
        data={"reason": "in_therapy", "patient_id": world.patient_ids["ben"]},
    )
    assert "Rescheduled (in therapy)" in text_of(page.text)
