"""A tablet that reconnects says the last unit event it applied and gets only what it missed, while the
server still has those events; otherwise the whole screen."""

from __future__ import annotations

import re

from sqlalchemy import delete

from server import db
from server.changes import UnitEvent
from server.clock import SetClock
from server.settings import Settings
from tests.conftest import As
from tests.factories import World

SEQ = re.compile(r'id="unit-seq-(\d+)" data-unit="\d+" data-seq="(\d+)"')


def seqs_in(frame: str) -> dict[int, int]:
    return {int(unit): int(seq) for unit, seq in SEQ.findall(frame)}


async def last_applied(therapist: As) -> dict[int, int]:
    with await therapist.websocket("/ws/worklist") as tablet:
        snapshot = tablet.receive_text(timeout=5)
    assert '<section id="worklist"' in snapshot, "a first open gets the whole screen"
    return seqs_in(snapshot)


async def flag_two_patients(nurse: As, world: World) -> None:
    for name in ("ada", "ben"):
        flagged = await nurse.post(f"/api/patients/{world.patient_ids[name]}/flags", json={"kind": "imaging"})
        assert flagged.status_code == 201


async def test_a_reconnecting_tablet_gets_only_the_patients_it_missed(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    unit = world.unit_ids["4W"]
    applied = await last_applied(therapist)
    await flag_two_patients(nurse, world)

    with await therapist.websocket("/ws/worklist", resume=applied) as tablet:
        catch_up = tablet.receive_text(timeout=5)
    assert '<section id="worklist"' not in catch_up, "no whole screen when the events are all there"
    cards = set(re.findall(r'id="patient-card-(\d+)"', catch_up))
    assert cards == {str(world.patient_ids["ada"]), str(world.patient_ids["ben"])}
    assert catch_up.count("Unavailable: Imaging") == 2
    assert seqs_in(catch_up) == {unit: applied[unit] + 2}, "the page's numbers move on to the latest"

    with await therapist.websocket("/ws/worklist", resume=seqs_in(catch_up)) as tablet:
        nothing_missed = tablet.receive_text(timeout=5)
    assert "patient-card-" not in nothing_missed and seqs_in(nothing_missed) == seqs_in(catch_up)


async def test_a_tablet_whose_missed_events_are_gone_gets_the_whole_screen(
    sign_in_as, world: World, settings: Settings, clock: SetClock
) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    applied = await last_applied(therapist)
    await flag_two_patients(nurse, world)
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, clock)() as session:
        await session.exec(delete(UnitEvent))  # type: ignore[call-overload]
        await session.commit()
    await engine.dispose()

    with await therapist.websocket("/ws/worklist", resume=applied) as tablet:
        whole = tablet.receive_text(timeout=5)
    assert '<section id="worklist"' in whole and whole.count("Unavailable: Imaging") == 2


async def test_numbers_from_another_history_or_other_units_get_the_whole_screen(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    unit = world.unit_ids["4W"]
    applied = await last_applied(therapist)
    await flag_two_patients(nurse, world)
    for resume in ({unit: applied[unit] + 50}, {world.unit_ids["HH"]: 0}, {unit: -3}):
        with await therapist.websocket("/ws/worklist", resume=resume) as tablet:
            assert '<section id="worklist"' in tablet.receive_text(timeout=5), resume


async def test_the_board_resumes_by_number_too(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    unit = world.unit_ids["4W"]
    with await nurse.websocket(f"/ws/units/{unit}/board") as board:
        applied = seqs_in(board.receive_text(timeout=5))
    await nurse.post(f"/api/patients/{world.patient_ids['quiet']}/flags", json={"kind": "sleeping"})
    with await nurse.websocket(f"/ws/units/{unit}/board", resume=applied) as board:
        catch_up = board.receive_text(timeout=5)
    assert re.findall(r'id="board-row-(\d+)"', catch_up) == [str(world.patient_ids["quiet"])]
    assert f'id="presence-unit-{unit}"' in catch_up, "who is connected is always sent afresh"


async def test_a_tablet_that_says_nothing_gets_the_whole_screen(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    """An old page (cached script) sends no resume request: after a short wait it gets everything."""
    therapist = await sign_in_as("therapist")
    therapist._use()
    raw = await therapist.client.websocket_connect(
        "/ws/worklist", headers={"origin": "http://testserver.local"}
    )
    with raw as tablet:
        assert '<section id="worklist"' in tablet.receive_text(timeout=6)


async def test_a_page_carries_its_numbers_so_its_socket_sends_only_what_changed_since(
    sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    """A worklist or board just drawn is not drawn again by its socket; a change made in between is sent."""
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    unit = world.unit_ids["4W"]
    worklist = seqs_in((await therapist.get("/worklist")).text)
    board = seqs_in((await nurse.get(f"/units/{unit}/board")).text)
    assert unit in worklist and board == {unit: worklist[unit]}

    with await therapist.websocket("/ws/worklist", resume=worklist) as tablet:
        opened = tablet.receive_text(timeout=5)
    assert '<section id="worklist"' not in opened and "patient-card-" not in opened
    with await nurse.websocket(f"/ws/units/{unit}/board", resume=board) as tablet:
        opened = tablet.receive_text(timeout=5)
    assert '<section id="board"' not in opened and "board-row-" not in opened

    await nurse.post(f"/api/patients/{world.patient_ids['quiet']}/flags", json={"kind": "sleeping"})
    with await nurse.websocket(f"/ws/units/{unit}/board", resume=board) as tablet:
        catch_up = tablet.receive_text(timeout=5)
    assert re.findall(r'id="board-row-(\d+)"', catch_up) == [str(world.patient_ids["quiet"])]


async def test_a_comfort_log_just_drawn_is_sent_again_only_once_changed(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    hospice, nurse = await sign_in_as("hospice"), await sign_in_as("nurse")
    patient = world.patient_ids["comfort"]
    drawn = seqs_in((await hospice.get(f"/comfort-care/{patient}")).text)
    assert drawn == {world.unit_ids["4W"]: drawn[world.unit_ids["4W"]]}
    with await hospice.websocket(f"/ws/patients/{patient}/comfort-log", resume=drawn) as log:
        assert f'id="comfort-log-{patient}"' not in log.receive_text(timeout=5)

    await nurse.post(f"/api/patients/{patient}/flags", json={"kind": "sleeping"})
    with await hospice.websocket(f"/ws/patients/{patient}/comfort-log", resume=drawn) as log:
        assert f'id="comfort-log-{patient}"' in log.receive_text(timeout=5)
