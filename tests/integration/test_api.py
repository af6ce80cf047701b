"""The JSON API beside the pages: flags, sessions, scores, and the OpenAPI schema."""

from __future__ import annotations

from tests.conftest import SIGNABLE, ready_session
from tests.factories import World


async def test_nurse_sets_and_clears_a_flag(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ben"]
    created = await nurse.post(
        f"/api/patients/{patient}/flags", json={"kind": "dialysis", "note": "Back by 3"}
    )
    assert created.status_code == 201
    flag = created.json()
    assert flag["kind"] == "dialysis" and flag["active"] is True
    board = (await nurse.get(f"/api/units/{world.unit_ids['4W']}/patients")).json()
    assert next(p for p in board if p["id"] == patient)["flag"]["note"] == "Back by 3"
    cleared = await nurse.post(f"/api/flags/{flag['id']}/clear")
    assert cleared.status_code == 200 and cleared.json()["active"] is False
    board = (await nurse.get(f"/api/units/{world.unit_ids['4W']}/patients")).json()
    assert next(p for p in board if p["id"] == patient)["available"] is True


async def test_flag_with_unknown_kind_or_past_until_is_refused(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    patient = world.patient_ids["ben"]
    missing = await nurse.post(f"/api/patients/{patient}/flags", json={})
    assert missing.status_code == 422 and "Choose why" in missing.json()["detail"]
    unknown = await nurse.post(f"/api/patients/{patient}/flags", json={"kind": "lunch"})
    assert unknown.status_code == 422
    past = await nurse.post(
        f"/api/patients/{patient}/flags", json={"kind": "imaging", "until": "2020-01-01T10:00:00Z"}
    )
    assert past.status_code == 422 and "already passed" in past.json()["detail"]
    board = (await nurse.get(f"/api/units/{world.unit_ids['4W']}/patients")).json()
    assert next(p for p in board if p["id"] == patient)["available"] is True


async def test_whole_session_through_the_api(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    pre = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "c0ffee-pre-0001", "phase": "pre", "value": 7},
    )
    assert pre.status_code == 201 and pre.json()["value"] == 7
    finished = await therapist.post(f"/api/sessions/{session_id}/finish", json={})
    assert finished.json()["step"] == "post"
    post = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "c0ffee-post-0001", "phase": "post", "value": 3},
    )
    assert post.status_code == 201
    done = await therapist.post(f"/api/sessions/{session_id}/sign", json={**SIGNABLE, "note": "Calm"})
    body = done.json()
    assert body["state"] == "completed" and body["note"] == "Calm" and body["signed_at"]
    assert [(s["phase"], s["value"]) for s in body["scores"]] == [("pre", 7), ("post", 3)]


async def test_replayed_score_is_stored_once_and_answered_the_same(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    submission = {"client_id": "replay-me-0001", "phase": "pre", "value": 5}
    first = await therapist.post(f"/api/sessions/{session_id}/scores", json=submission)
    again = await therapist.post(f"/api/sessions/{session_id}/scores", json=submission)
    assert (first.status_code, first.json()) == (again.status_code, again.json())
    scores = (await therapist.get(f"/api/sessions/{session_id}")).json()["scores"]
    assert len(scores) == 1


async def test_out_of_range_or_missing_score_gets_422_and_stores_nothing(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    too_high = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "bad-value-0001", "phase": "pre", "value": 11},
    )
    assert too_high.status_code == 422
    assert "must be a whole number from 0 to 10" in too_high.json()["detail"]
    negative = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "bad-value-0002", "phase": "pre", "value": -1},
    )
    assert negative.status_code == 422
    missing = await therapist.post(
        f"/api/sessions/{session_id}/scores", json={"client_id": "bad-value-0003", "phase": "pre"}
    )
    assert missing.status_code == 422 and "Choose a pain score" in missing.json()["detail"]
    no_id = await therapist.post(f"/api/sessions/{session_id}/scores", json={"phase": "pre", "value": 4})
    assert no_id.status_code == 422 and "submission id" in no_id.json()["detail"]
    session = (await therapist.get(f"/api/sessions/{session_id}")).json()
    assert session["scores"] == [] and session["state"] == "screening"


async def test_score_naming_another_patient_is_refused_with_409(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    wrong = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={
            "client_id": "wrong-patient-1",
            "phase": "pre",
            "value": 4,
            "patient_id": world.patient_ids["ben"],
        },
    )
    assert wrong.status_code == 409 and "different patient" in wrong.json()["detail"]
    assert (await therapist.get(f"/api/sessions/{session_id}")).json()["scores"] == []


async def test_session_needs_an_active_order_and_an_available_patient(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    no_order = await therapist.post(f"/api/patients/{world.patient_ids['no_order']}/sessions")
    assert no_order.status_code == 409 and "no active massage order" in no_order.json()["detail"]
    nurse = await sign_in_as("nurse")
    await nurse.post(f"/api/patients/{world.patient_ids['ben']}/flags", json={"kind": "sleeping"})
    unavailable = await therapist.post(f"/api/patients/{world.patient_ids['ben']}/sessions")
    assert unavailable.status_code == 409 and "unavailable (Sleeping)" in unavailable.json()["detail"]


async def test_completing_without_a_post_score_is_refused(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    await therapist.post(
        f"/api/sessions/{session_id}/scores", json={"client_id": "early-pre-0001", "phase": "pre", "value": 4}
    )
    early = await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE)
    assert early.status_code == 409 and "post-massage pain score" in early.json()["detail"]
    assert (await therapist.get(f"/api/sessions/{session_id}")).json()["state"] == "in_progress"


async def test_openapi_schema_lists_the_api(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    schema = await nurse.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/sessions/{session_id}/scores" in paths
    assert "/api/patients/{patient_id}/flags" in paths


async def test_scores_are_plain_whole_numbers_and_phases_only_pre_or_post(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    for value in ("1_0", "\uff11\uff10", "\u0665", "5.0"):
        tapped = await therapist.post(
            f"/sessions/{session_id}/scores",
            htmx=True,
            data={"client_id": f"strict-{value!r}-0001", "phase": "pre", "value": value},
        )
        assert tapped.status_code == 422 and "0 to 10" in tapped.text, value
    later = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "strict-follow-01", "phase": "follow_up", "value": 3},
    )
    assert later.status_code == 422 and "before (pre) or after (post)" in later.json()["detail"]
    assert (await therapist.get(f"/api/sessions/{session_id}")).json()["scores"] == [], "nothing was stored"


async def test_api_bodies_must_have_the_types_their_schema_states(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    for value in ("5", True, 5.5):
        sent = await therapist.post(
            f"/api/sessions/{session_id}/scores",
            json={"client_id": "typed-value-0001", "phase": "pre", "value": value},
        )
        assert sent.status_code == 400 and "Expected `int" in sent.json()["detail"], value
    nurse = await sign_in_as("nurse")
    flag = await nurse.post(f"/api/patients/{world.patient_ids['ben']}/flags", json={"kind": 7})
    assert flag.status_code == 400 and flag.json()["status_code"] == 400
    assert (await therapist.get(f"/api/sessions/{session_id}")).json()["scores"] == [], "nothing was stored"
