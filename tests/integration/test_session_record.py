"""Charting and signing: the record's checks, active time without pauses, read-only after signing,
and amendments beside the original."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from server import db
from server.auth.models import User
from server.auth.service import load_actor
from server.clock import SetClock
from server.sessions import charting, service
from server.sessions.rules import ScoreSubmission
from server.settings import Settings
from tests.conftest import ALL_CLEAR, SIGNABLE, ready_session
from tests.factories import World


async def scored_session(therapist, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    session_id = await ready_session(therapist, patient_id)
    for phase, value in (("pre", 6), ("post", 3)):
        response = await therapist.post(
            f"/api/sessions/{session_id}/scores",
            json={"client_id": f"rec-{phase}-{session_id:04d}", "phase": phase, "value": value},
        )
        assert response.status_code == 201
    return session_id


async def test_restricted_region_needs_a_reason_and_high_pressure_too(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await scored_session(
        therapist, world.patient_ids["ada"]
    )  # order: avoid left forearm (IV site)
    on_iv_site = await therapist.post(
        f"/api/sessions/{session_id}/sign", json={**SIGNABLE, "regions": ["left forearm", "upper back"]}
    )
    assert on_iv_site.status_code == 422 and "avoid left forearm (IV site)" in on_iv_site.json()["detail"]
    too_firm = await therapist.post(f"/api/sessions/{session_id}/sign", json={**SIGNABLE, "pressure": 4})
    assert too_firm.status_code == 422 and "above the order's maximum of 2" in too_firm.json()["detail"]
    not_ordered = await therapist.post(
        f"/api/sessions/{session_id}/sign", json={**SIGNABLE, "techniques": ["Thai"]}
    )
    assert not_ordered.status_code == 422 and "does not allow Thai" in not_ordered.json()["detail"]
    assert (await therapist.get(f"/api/sessions/{session_id}")).json()["signed_at"] is None

    signed = await therapist.post(
        f"/api/sessions/{session_id}/sign",
        json={
            **SIGNABLE,
            "regions": ["left forearm", "upper back"],
            "region_reasons": {"left forearm": "IV removed today"},
            "pressure": 3,
            "pressure_reason": "Patient asked for firmer pressure on the back",
        },
    )
    body = signed.json()
    assert body["region_reasons"] == {"left forearm": "IV removed today"}
    assert body["pressure_used"] == 3 and body["pressure_reason"].startswith("Patient asked")


async def test_signed_record_is_read_only_and_amendments_sit_beside_it(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await scored_session(therapist, world.patient_ids["ben"])
    original = (await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE)).json()

    for attempt in (
        therapist.post(f"/api/sessions/{session_id}/sign", json={**SIGNABLE, "position": "seated"}),
        therapist.post(
            f"/api/sessions/{session_id}/scores",
            json={"client_id": "after-sign-0001", "phase": "post", "value": 1},
        ),
        therapist.post(f"/api/sessions/{session_id}/stop", json={"reason": "Other"}),
    ):
        refused = await attempt
        assert refused.status_code == 409, refused.text

    amended = await therapist.post(
        f"/api/sessions/{session_id}/amendments",
        json={"reason": "Wrong position charted", "text": "Position was seated, not side-lying."},
    )
    assert amended.status_code == 201 and amended.json()["author_name"] == "Therapist"
    after = (await therapist.get(f"/api/sessions/{session_id}")).json()
    assert after["position"] == "side-lying" and after["soap"] == original["soap"]
    assert {k: v for k, v in after.items() if k != "amendments"} == {
        k: v for k, v in original.items() if k != "amendments"
    }
    assert [a["reason"] for a in after["amendments"]] == ["Wrong position charted"]
    page = (await therapist.get(f"/sessions/{session_id}")).text
    assert "side-lying" in page and "Position was seated, not side-lying." in page


async def test_amending_needs_a_signed_record_and_a_reason(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    session_id = await scored_session(therapist, world.patient_ids["ben"])
    early = await therapist.post(f"/api/sessions/{session_id}/amendments", json={"reason": "x", "text": "y"})
    assert early.status_code == 409
    await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE)
    no_reason = await therapist.post(f"/api/sessions/{session_id}/amendments", json={"text": "y"})
    assert no_reason.status_code == 422


async def test_active_minutes_exclude_pauses(settings: Settings, clock: SetClock, world: World) -> None:
    engine = db.make_engine(settings.resolved_database_url())
    t0 = clock.now()
    try:
        async with db.make_session_maker(engine, clock)() as session:
            user = (await session.exec(select(User).where(User.username == "therapist"))).one()
            actor = await load_actor(session, user.id)  # type: ignore[arg-type]
            assert actor is not None
            patient = world.patient_ids["ada"]
            started = await service.start_session(session, actor, patient, now=t0, today=clock.today())
            sid = started.id
            await service.record_screening(session, actor, sid, patient_id=patient, answers=ALL_CLEAR, now=t0)  # type: ignore[arg-type]
            await service.record_consent(
                session, actor, sid, patient_id=patient, by="patient", surrogate_name="", now=t0
            )  # type: ignore[arg-type]
            await service.record_score(
                session, actor, ScoreSubmission("pause-pre-001", sid, patient, "pre", 5), now=t0
            )  # type: ignore[arg-type]
            await charting.pause_session(
                session, actor, sid, patient_id=patient, now=t0 + timedelta(minutes=5)
            )  # type: ignore[arg-type]
            await charting.resume_session(
                session, actor, sid, patient_id=patient, now=t0 + timedelta(minutes=15)
            )  # type: ignore[arg-type]
            finished = await service.finish_massage(
                session, actor, sid, patient_id=patient, now=t0 + timedelta(minutes=25)
            )  # type: ignore[arg-type]
            assert finished.active_seconds == 15 * 60
    finally:
        await engine.dispose()
