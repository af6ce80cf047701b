"""The administrator finds audit events by user, patient, action and period, and exports them as CSV;
every search and export is itself audited."""

from __future__ import annotations

import csv
import io

from server.clock import SetClock
from tests.conftest import text_of
from tests.factories import World


async def test_the_audit_log_filters_and_exports(sign_in_as, clock: SetClock, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse, therapist = await sign_in_as("nurse"), await sign_in_as("therapist")
    ada, ben = world.patient_ids["ada"], world.patient_ids["ben"]
    await nurse.post(f"/api/patients/{ada}/flags", json={"kind": "imaging", "note": "=1+1"})
    await therapist.get(f"/patients/{ben}")
    admin = await sign_in_as("admin")

    by_patient = text_of((await admin.get(f"/admin/audit?patient={ada}&action=C")).text)
    assert "nurse (nurse) C Flag" in by_patient and "therapist (therapist)" not in by_patient
    by_user = text_of((await admin.get("/admin/audit?user=therapist&action=R")).text)
    assert f"Patient {ben}" in by_user and "nurse (nurse)" not in by_user
    today = clock.today().isoformat()
    nobody = await admin.get(f"/admin/audit?start={today}&end={today}&user=nobody")
    assert "No audit events match" in nobody.text

    exported = await admin.get(f"/admin/audit/audit.csv?patient={ada}")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows and {r["patient id"] for r in rows} == {str(ada)}
    assert all(not r["detail"].startswith("=") for r in rows), "no formula reaches a spreadsheet"

    bad = await admin.get("/admin/audit?action=X&start=not-a-date")
    assert bad.status_code == 422
    searches = text_of((await admin.get("/admin/audit?user=admin&action=R")).text)
    assert "audit_log" in searches and "export CSV: patient" in searches, (
        "searching and exporting are audited"
    )
