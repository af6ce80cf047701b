"""Each patient's pain scale, chosen once: NRS, FACES, PAINAD or FLACC items, plus optional anxiety."""

from __future__ import annotations

from tests.conftest import ready_session, text_of
from tests.factories import World

CALM = {"breathing": 0, "vocalization": 1, "face": 1, "body": 0, "consolability": 0}


async def test_non_verbal_patient_is_scored_with_painad_items_summed(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["quiet"])
    page = text_of((await therapist.get(f"/sessions/{session_id}")).text)
    assert "PAINAD, observed" in page and "Negative vocalization" in page
    scored = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "painad-pre-0001", "phase": "pre", "items": CALM},
    )
    assert scored.status_code == 201
    assert (
        scored.json()["value"] == 2 and scored.json()["scale"] == "painad" and scored.json()["items"] == CALM
    )


async def test_observed_items_must_all_be_scored_0_to_2(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["quiet"])
    partial = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "painad-bad-0001", "phase": "pre", "items": {"breathing": 1}},
    )
    assert partial.status_code == 422 and "Consolability" in partial.json()["detail"]
    too_high = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "painad-bad-0002", "phase": "pre", "items": {**CALM, "face": 3}},
    )
    assert too_high.status_code == 422 and "scored 0, 1 or 2" in too_high.json()["detail"]
    assert (await therapist.get(f"/api/sessions/{session_id}")).json()["scores"] == []


async def test_painad_items_through_the_form(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    patient = world.patient_ids["quiet"]
    session_id = await ready_session(therapist, patient)
    form = {
        "client_id": "painad-form-0001",
        "patient_id": str(patient),
        "phase": "pre",
        "measure": "pain",
        **{f"item_{k}": str(v) for k, v in CALM.items()},
    }
    response = await therapist.post(f"/sessions/{session_id}/scores", htmx=True, data=form)
    assert "Pain before: 2" in text_of(response.text)


async def test_faces_scale_is_chosen_once_and_refuses_values_between_faces(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    patient = world.patient_ids["ben"]
    assert (
        await therapist.post(f"/patients/{patient}/pain-scale", data={"scale": "faces"})
    ).status_code == 303
    session_id = await ready_session(therapist, patient)
    page = (await therapist.get(f"/sessions/{session_id}")).text
    shown = page.split("<template data-offline-step")[0]  # the steps drawn ahead for offline come after
    assert shown.count('class="face"') == 6 and "hurts a whole lot" in shown
    odd = await therapist.post(
        f"/api/sessions/{session_id}/scores", json={"client_id": "faces-odd-0001", "phase": "pre", "value": 5}
    )
    assert odd.status_code == 422 and "one of 0, 2, 4, 6, 8, 10" in odd.json()["detail"]
    ok = await therapist.post(
        f"/api/sessions/{session_id}/scores", json={"client_id": "faces-ok-0001", "phase": "pre", "value": 6}
    )
    assert ok.json()["scale"] == "faces"
    changed = await therapist.post(f"/patients/{patient}/pain-scale", data={"scale": "nrs"})
    assert changed.status_code == 409


async def test_optional_anxiety_is_recorded_beside_pain(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    anxiety = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "anxiety-pre-0001", "phase": "pre", "measure": "anxiety", "value": 7},
    )
    assert anxiety.status_code == 201
    session = (await therapist.get(f"/api/sessions/{session_id}")).json()
    assert session["step"] == "pre", "anxiety is optional and does not replace the pain score"
    page = text_of((await therapist.get(f"/sessions/{session_id}")).text)
    assert "Anxiety pre: 7" in page
    bad = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "anxiety-bad-0001", "phase": "post", "measure": "anxiety", "value": 12},
    )
    assert bad.status_code == 422 and "anxiety score" in bad.json()["detail"]
