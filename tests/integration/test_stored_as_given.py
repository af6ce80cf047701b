"""What is written stays as written: text within its documented length on both databases, and an audit
trail the database itself refuses to change."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server import db
from server.clock import SetClock
from server.settings import Settings
from tests.conftest import SIGNABLE, ready_session
from tests.factories import World


async def test_text_past_its_maximum_is_refused_by_name_and_nothing_is_stored(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await ready_session(therapist, world.patient_ids["ada"])
    for phase, value in (("pre", 6), ("post", 2)):
        body = {"client_id": f"long-{phase}-00001", "phase": phase, "value": value}
        await therapist.post(f"/api/sessions/{session_id}/scores", json=body)
    megabyte = "x" * 1_000_000
    refused = await therapist.post(
        f"/api/sessions/{session_id}/sign", json={**SIGNABLE, "pressure": 3, "pressure_reason": megabyte}
    )
    assert refused.status_code == 422 and "pressure reason" in refused.json()["detail"]
    assert "at most 200" in refused.json()["detail"]
    after = (await therapist.get(f"/api/sessions/{session_id}")).json()
    assert after["signed_at"] is None and after["pressure_reason"] == ""
    assert (await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE)).status_code == 200


@pytest.mark.parametrize("change", ["UPDATE audit_event SET detail = 'edited'", "DELETE FROM audit_event"])
async def test_the_database_refuses_to_change_the_audit_trail(
    sign_in_as, settings: Settings, clock: SetClock, world: World, change: str
) -> None:  # type: ignore[no-untyped-def]
    await sign_in_as("nurse")
    engine = db.make_engine(settings.resolved_database_url())
    try:
        async with engine.connect() as connection:
            before = (await connection.execute(text("SELECT count(*) FROM audit_event"))).scalar_one()
            assert before > 0
            with pytest.raises(DBAPIError, match="never changed or deleted"):
                await connection.execute(text(change))
            await connection.rollback()
            assert (await connection.execute(text("SELECT count(*) FROM audit_event"))).scalar_one() == before
    finally:
        await engine.dispose()
