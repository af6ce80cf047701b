"""Screening before touch and consent: a stop answer ends the session, a modify answer adds a precaution."""

from __future__ import annotations

from tests.conftest import ALL_CLEAR
from tests.factories import World


async def start(therapist, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    return int((await therapist.post(f"/api/patients/{patient_id}/sessions")).json()["id"])


async def test_stop_answer_ends_the_session_as_stopped_with_that_reason(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await start(therapist, world.patient_ids["ada"])
    stopped = await therapist.post(
        f"/api/sessions/{session_id}/screening", json={"answers": {**ALL_CLEAR, "dvt": "stop"}}
    )
    body = stopped.json()
    assert body["state"] == "stopped" and body["stop_reason"] == "New or suspected DVT"
    assert body["screening"]["dvt"] == "stop" and body["screening"]["fever"] == "no"
    refused = await therapist.post(f"/api/sessions/{session_id}/consent", json={"by": "patient"})
    assert refused.status_code == 409
    history = (await therapist.get(f"/patients/{world.patient_ids['ada']}")).text
    assert "stopped" in history


async def test_modify_answer_adds_a_precaution_shown_for_the_rest_of_the_session(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await start(therapist, world.patient_ids["ada"])
    screened = await therapist.post(
        f"/api/sessions/{session_id}/screening", json={"answers": {**ALL_CLEAR, "wound": "modify"}}
    )
    assert screened.json()["precautions"] == [
        "Open wound or fresh incision in the area: adapt, and avoid the area"
    ]
    await therapist.post(f"/api/sessions/{session_id}/consent", json={"by": "patient"})
    page = (await therapist.get(f"/sessions/{session_id}")).text
    assert "Open wound or fresh incision in the area: adapt, and avoid the area" in page
    assert "Pain before the massage" in page


async def test_every_screening_question_must_be_answered(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await start(therapist, world.patient_ids["ada"])
    missing = {k: v for k, v in ALL_CLEAR.items() if k != "fever"}
    refused = await therapist.post(f"/api/sessions/{session_id}/screening", json={"answers": missing})
    assert refused.status_code == 422 and "Fever" in refused.json()["detail"]
    odd = await therapist.post(
        f"/api/sessions/{session_id}/screening", json={"answers": {**ALL_CLEAR, "declines": "modify"}}
    )
    assert odd.status_code == 422
    session = (await therapist.get(f"/api/sessions/{session_id}")).json()
    assert session["screening"] == {} and session["state"] == "screening"


async def test_no_score_before_screen_and_consent(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await start(therapist, world.patient_ids["ada"])
    early = await therapist.post(
        f"/api/sessions/{session_id}/scores", json={"client_id": "too-early-0001", "phase": "pre", "value": 5}
    )
    assert early.status_code == 409 and "consent" in early.json()["detail"]
    no_consent_yet = await therapist.post(f"/api/sessions/{session_id}/consent", json={"by": "patient"})
    assert no_consent_yet.status_code == 409 and "Screen" in no_consent_yet.json()["detail"]


async def test_consent_by_a_named_surrogate(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await start(therapist, world.patient_ids["ada"])
    await therapist.post(f"/api/sessions/{session_id}/screening", json={"answers": ALL_CLEAR})
    unnamed = await therapist.post(f"/api/sessions/{session_id}/consent", json={"by": "surrogate"})
    assert unnamed.status_code == 422 and "surrogate's name" in unnamed.json()["detail"]
    named = await therapist.post(
        f"/api/sessions/{session_id}/consent",
        json={"by": "surrogate", "surrogate_name": "Rowan Ashby (daughter)"},
    )
    assert named.json()["consent_by"] == "surrogate"
    assert named.json()["consent_surrogate_name"] == "Rowan Ashby (daughter)"
    assert named.json()["step"] == "pre"


async def test_declining_at_consent_stops_the_session(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await start(therapist, world.patient_ids["ada"])
    await therapist.post(f"/api/sessions/{session_id}/screening", json={"answers": ALL_CLEAR})
    declined = await therapist.post(
        f"/sessions/{session_id}/consent",
        htmx=True,
        data={"by": "declined", "patient_id": world.patient_ids["ada"]},
    )
    assert "Stopped: Patient declined" in declined.text
    assert (await therapist.get(f"/api/sessions/{session_id}")).json()["state"] == "stopped"
