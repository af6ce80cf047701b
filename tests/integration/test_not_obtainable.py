"""A session can end without a post score (asleep, left the unit, declined, unable): it is charted as
not obtainable, never as a blank or a zero, and left out of the averages."""

from __future__ import annotations

from tests.conftest import SIGNABLE, ready_session, text_of
from tests.factories import World


async def test_post_score_not_obtainable_is_charted_as_such_and_counted_apart(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist, hospice = [await sign_in_as(u) for u in ("therapist", "hospice")]
    patient = world.patient_ids["comfort"]
    asleep = await ready_session(therapist, patient)
    await therapist.post(
        f"/api/sessions/{asleep}/scores", json={"client_id": "asleep-pre-01", "phase": "pre", "value": 7}
    )
    marked = await therapist.post(
        f"/api/sessions/{asleep}/scores",
        json={"client_id": "asleep-post-01", "phase": "post", "not_obtainable": "asleep"},
    )
    assert marked.status_code == 201
    assert marked.json()["value"] is None and marked.json()["not_obtainable_reason"] == "asleep"
    assert (await therapist.post(f"/api/sessions/{asleep}/sign", json=SIGNABLE)).status_code == 200

    scored = await ready_session(therapist, patient)
    for phase, value in (("pre", 6), ("post", 2)):
        await therapist.post(
            f"/api/sessions/{scored}/scores",
            json={"client_id": f"s-{phase}-{scored:04d}", "phase": phase, "value": value},
        )
    await therapist.post(f"/api/sessions/{scored}/sign", json=SIGNABLE)

    chart = text_of((await therapist.get(f"/patients/{patient}")).text)
    assert "not obtainable (asleep)" in chart
    log = text_of((await hospice.get(f"/comfort-care/{patient}")).text)
    assert "Sessions 2 (1 with pain before and after)" in log and "Median pain before 6" in log
    assert "Mean change -4.0" in log and "Post score not obtainable 1" in log


async def test_not_obtainable_needs_a_known_reason_and_only_after_the_massage(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    before = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "no-pre-0001", "phase": "pre", "not_obtainable": "asleep"},
    )
    assert before.status_code == 422
    await therapist.post(
        f"/api/sessions/{session_id}/scores", json={"client_id": "ok-pre-0001", "phase": "pre", "value": 5}
    )
    odd = await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": "odd-post-001", "phase": "post", "not_obtainable": "bored"},
    )
    assert odd.status_code == 422 and "asleep" in odd.json()["detail"]
