"""What keeps a push to a ward of tablets cheap: whole worklists rendered once for the sockets opening at
the same point (and never once a new event has happened), a socket that missed nothing reads no card,
and presence written once per person and instance, kept up by one heartbeat."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from server import db
from server.audit.models import AuditEvent
from server.clock import SetClock
from server.presence import live as presence_live
from server.presence.service import TabletPresence
from server.settings import Settings
from tests.conftest import text_of
from tests.factories import World
from tests.integration.test_resume import seqs_in


async def scalar(settings: Settings, clock: SetClock, query) -> int:  # type: ignore[no-untyped-def]
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, clock)() as session:
        value = (await session.exec(query)).one()
    await engine.dispose()
    return int(value)


def worklist_reads(username: str):  # type: ignore[no-untyped-def]
    return select(func.count()).where(AuditEvent.entity_type == "Worklist", AuditEvent.username == username)


async def test_tablets_opening_at_the_same_point_share_one_rendered_worklist_and_each_is_audited(
    sign_in_as, world: World, app, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    snapshots = app.state.snapshots
    reads_before = await scalar(settings, clock, worklist_reads("therapist"))
    renders_before = snapshots.renders
    with await therapist.websocket("/ws/worklist") as one, await therapist.websocket("/ws/worklist") as two:
        first, second = one.receive_text(timeout=5), two.receive_text(timeout=5)
    assert '<section id="worklist"' in first and first == second
    assert snapshots.renders - renders_before == 1, "the second tablet got the first one's rendering"
    assert await scalar(settings, clock, worklist_reads("therapist")) - reads_before == 2, (
        "each opening is a read"
    )


async def test_a_tablet_opened_after_a_flag_sees_the_flag_not_a_cached_worklist(
    sign_in_as, world: World, app
) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    ada = world.patient_ids["ada"]
    with await therapist.websocket("/ws/worklist") as tablet:
        before = tablet.receive_text(timeout=5)
    assert "Unavailable: Imaging" not in before
    flagged = await nurse.post(f"/api/patients/{ada}/flags", json={"kind": "imaging"})
    assert flagged.status_code == 201
    with await therapist.websocket("/ws/worklist") as tablet:
        after = tablet.receive_text(timeout=5)
    card = after[after.index(f'id="patient-card-{ada}"') :]
    assert "Unavailable: Imaging" in card[: card.index("</article>")]
    unit = world.unit_ids["4W"]
    assert seqs_in(after)[unit] == seqs_in(before)[unit] + 1


async def test_a_cached_worklist_is_rendered_again_once_it_is_older_than_its_age(
    sign_in_as, world: World, app, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    """The worklist's order follows the time too (rescheduled for later), not only events."""
    therapist = await sign_in_as("therapist")
    snapshots = app.state.snapshots
    with await therapist.websocket("/ws/worklist") as tablet:
        tablet.receive_text(timeout=5)
    renders = snapshots.renders
    clock.advance(seconds=snapshots.max_age.total_seconds() + 1)
    with await therapist.websocket("/ws/worklist") as tablet:
        tablet.receive_text(timeout=5)
    assert snapshots.renders == renders + 1


async def test_a_tablet_that_missed_nothing_reads_and_audits_no_card(
    sign_in_as, world: World, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    page = (await therapist.get("/worklist")).text
    reads = await scalar(settings, clock, worklist_reads("therapist"))
    with await therapist.websocket("/ws/worklist", resume=seqs_in(page)) as tablet:
        opened = tablet.receive_text(timeout=5)
    assert "patient-card-" not in opened and seqs_in(opened) == seqs_in(page)
    assert await scalar(settings, clock, worklist_reads("therapist")) == reads, (
        "no patient data sent, none read"
    )


def presence_rows(user: str):  # type: ignore[no-untyped-def]
    return select(func.count()).where(TabletPresence.full_name == user)


async def test_a_persons_tablets_on_one_instance_keep_one_presence_row_until_the_last_closes(
    sign_in_as, world: World, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    board = f"/units/{world.unit_ids['4W']}/board"
    with await therapist.websocket("/ws/worklist") as one:
        one.receive_text(timeout=5)
        with await therapist.websocket("/ws/worklist") as two:
            two.receive_text(timeout=5)
            assert await scalar(settings, clock, presence_rows("Therapist")) == 1, "one row for one unit"
        assert await scalar(settings, clock, presence_rows("Therapist")) == 1, (
            "the other tablet is still open"
        )
        assert "Therapist tablets connected: Therapist" in text_of((await nurse.get(board)).text)
    assert await scalar(settings, clock, presence_rows("Therapist")) == 0
    assert "No therapist tablet connected" in text_of((await nurse.get(board)).text)


@pytest.fixture
def fast_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(presence_live, "PRESENCE_REFRESH_SECONDS", 0.05)


async def test_the_instance_heartbeat_keeps_presence_and_presence_lapses_without_it(
    fast_heartbeat, monkeypatch, sign_in_as, world: World, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    board = f"/units/{world.unit_ids['4W']}/board"
    with await therapist.websocket("/ws/worklist") as tablet:
        tablet.receive_text(timeout=5)
        for _ in range(3):  # 3 x 60 s: twice the time a row counts without being seen
            clock.advance(seconds=60)
            seen = select(func.count()).where(col(TabletPresence.seen_at) == clock.now())
            for _ in range(100):
                if await scalar(settings, clock, seen) == 1:
                    break
                await asyncio.sleep(0.05)
            assert await scalar(settings, clock, seen) == 1, "the heartbeat refreshed the row"
        assert "Therapist tablets connected: Therapist" in text_of((await nurse.get(board)).text)
        monkeypatch.setattr(presence_live, "PRESENCE_REFRESH_SECONDS", 3600.0)  # as if this instance died
        await asyncio.sleep(0.2)
        clock.advance(seconds=91)
        assert "No therapist tablet connected" in text_of((await nurse.get(board)).text), "a lapsed row"
