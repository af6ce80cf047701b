"""No patient data in logs: a whole bedside flow at DEBUG leaves no name or MRN in the log."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import SIGNABLE, ready_session
from tests.factories import World

NAMES_AND_MRNS = ["Ashby", "Brook", "Comfort", "Quiet", "Noorder", "Hollow", "T-0"]


async def test_a_whole_flow_at_debug_logs_no_name_or_mrn(
    sign_in_as, world: World, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    therapist, nurse, hospice = [await sign_in_as(u) for u in ("therapist", "nurse", "hospice")]
    patient = world.patient_ids["comfort"]
    flagged = await nurse.post(f"/api/patients/{world.patient_ids['ben']}/flags", json={"kind": "imaging"})
    assert flagged.status_code == 201
    assert (await nurse.post(f"/api/flags/{flagged.json()['id']}/clear")).status_code == 200
    with await therapist.websocket("/ws/worklist") as tablet:
        assert "Comfort, Test" in tablet.receive_text(timeout=5)
        session_id = await ready_session(therapist, patient)
        for phase, value in (("pre", 6), ("post", 3)):
            body = {"client_id": f"logs-{phase}-00001", "phase": phase, "value": value}
            assert (await therapist.post(f"/api/sessions/{session_id}/scores", json=body)).status_code == 201
        assert (await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE)).status_code == 200
        refused = await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE)
        assert refused.status_code == 409
    for export in ("log.csv", "log.pdf", ""):
        assert (await hospice.get(f"/comfort-care/{patient}/{export}".rstrip("/"))).status_code == 200
    assert (await therapist.get(f"/patients/{patient}")).status_code == 200
    logged = caplog.text
    assert len(caplog.records) > 20, "the flow was logged at DEBUG"
    assert [name for name in NAMES_AND_MRNS if name in logged] == []
