"""Several instances behind a load balancer: a nurse's flag set on one reaches tablets on the others,
sign-ins are shared, and a flag's expiry is pushed exactly once."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

import websockets
from sqlalchemy import text

from server import db
from server.demo import DEMO_PASSWORD
from tests.clock import server_now
from tests.scale_out.conftest import Cluster, Instance, sign_in

T = TypeVar("T")


def run_in_thread(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run a scenario on its own event loop: Playwright's sync API may already own this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(lambda: asyncio.run(scenario())).result()  # type: ignore[arg-type]


def patient_id_on_board(nurse, name: str) -> int:  # type: ignore[no-untyped-def]
    board = nurse.get("/board", follow_redirects=True).text
    marker = board.index(name)
    return int(board[board.rindex('data-patient-id="', 0, marker) :].split('"')[1])


def cookie_header(client) -> str:  # type: ignore[no-untyped-def]
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def open_worklist(instance: Instance, cookies: str):  # type: ignore[no-untyped-def]
    socket = await websockets.connect(
        instance.ws_url + "/ws/worklist", additional_headers={"Cookie": cookies, "Origin": instance.url}
    )
    await socket.send('{"type": "resume", "seqs": {}}')  # as the page does on opening
    await asyncio.wait_for(socket.recv(), 5)
    return socket


async def open_board(instance: Instance, board: str, cookies: str):  # type: ignore[no-untyped-def]
    """A nurse's unit board socket (`board`: the board page's path), open as the page opens it."""
    socket = await websockets.connect(
        instance.ws_url + "/ws" + board, additional_headers={"Cookie": cookies, "Origin": instance.url}
    )
    await socket.send('{"type": "resume", "seqs": {}}')
    await asyncio.wait_for(socket.recv(), 5)
    return socket


async def frames_for(socket, patient_id: int, seconds: float) -> list[str]:  # type: ignore[no-untyped-def]
    """Every frame that carries this patient's card, collected for a while."""
    found, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = str(await asyncio.wait_for(socket.recv(), left))
        except TimeoutError:
            break
        if f'id="patient-card-{patient_id}"' in message:
            found.append(message)
    return found


def test_flag_set_on_instance_a_reaches_a_tablet_on_b_within_a_second(cluster: Cluster) -> None:
    a, b = cluster.instances[:2]
    nurse_on_a = sign_in(a, "nina")
    therapist_on_a = sign_in(a, "tara")
    patient_id = patient_id_on_board(nurse_on_a, "Vexley, Marlo")

    async def scenario() -> tuple[str, float]:
        tablet = await open_worklist(b, cookie_header(therapist_on_a))
        try:
            started = time.monotonic()
            response = await asyncio.to_thread(
                nurse_on_a.post,
                f"/patients/{patient_id}/unavailable",
                data={"kind": "imaging", "note": "CT"},
                headers={"x-csrftoken": nurse_on_a.cookies["csrftoken"]},
            )
            assert response.status_code in (200, 303)
            while True:
                message = str(await asyncio.wait_for(tablet.recv(), 1.0 - (time.monotonic() - started)))
                if f'id="patient-card-{patient_id}"' in message:
                    return message, time.monotonic() - started
        finally:
            await tablet.close()

    card, elapsed = run_in_thread(scenario)
    assert "Unavailable: Imaging" in card and "CT" in card and 'hx-swap-oob="true"' in card
    assert elapsed < 1.0


def test_a_sign_in_on_one_instance_is_valid_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.instances[:2]
    therapist = sign_in(a, "tara")
    therapist.base_url = b.url  # type: ignore[assignment]
    page = therapist.get("/worklist")
    assert page.status_code == 200 and "Today's worklist" in page.text


def test_flag_expiry_is_pushed_exactly_once_with_two_instances_sweeping(cluster: Cluster) -> None:
    a, b = cluster.instances[:2]
    nurse = sign_in(a, "nina")
    therapist = sign_in(a, "tara")
    patient_id = patient_id_on_board(nurse, "Thackery, Oriel")
    until = server_now() + timedelta(seconds=2)

    async def scenario() -> tuple[list[str], list[str]]:
        on_a = await open_worklist(a, cookie_header(therapist))
        on_b = await open_worklist(b, cookie_header(therapist))
        try:
            created = await asyncio.to_thread(
                nurse.post,
                f"/api/patients/{patient_id}/flags",
                json={"kind": "sleeping", "until": until.isoformat()},
                headers={"x-csrftoken": nurse.cookies["csrftoken"]},
            )
            assert created.status_code == 201, created.text
            return tuple(
                await asyncio.gather(frames_for(on_a, patient_id, 3.5), frames_for(on_b, patient_id, 3.5))
            )  # type: ignore[return-value]
        finally:
            await on_a.close()
            await on_b.close()

    seen_on_a, seen_on_b = run_in_thread(scenario)
    for frames in (seen_on_a, seen_on_b):
        assert len(frames) == 2, f"expected the flag and its expiry, once each: {len(frames)} frames"
        assert "Unavailable: Sleeping" in frames[0]
        assert re.search(r"<strong>Available</strong>", frames[1])

    async def count_expiry_events() -> int:
        engine = db.make_engine(cluster.database_url)
        async with engine.connect() as connection:
            result = await connection.execute(
                text("SELECT count(*) FROM unit_event WHERE kind = 'flag_expired' AND patient_id = :p"),
                {"p": patient_id},
            )
            count = int(result.scalar_one())
        await engine.dispose()
        return count

    assert run_in_thread(count_expiry_events) == 1


def test_graceful_shutdown_closes_tablets_with_a_reconnect_code(cluster: Cluster) -> None:
    c = cluster.start("c")
    therapist = sign_in(c, "tara")

    async def scenario() -> int:
        tablet = await open_worklist(c, cookie_header(therapist))
        await asyncio.to_thread(c.stop)
        try:
            await asyncio.wait_for(tablet.recv(), 5)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006
        return -1

    assert run_in_thread(scenario) in (1012,), "1012 (service restart) makes htmx's ws extension reconnect"


async def close_code_after(tablet, action: Callable[[], int]) -> int:  # type: ignore[no-untyped-def]
    """Do `action` (an HTTP call on another instance, its status asserted by the caller) and read the
    tablet until the server closes it: the close code."""
    try:
        await asyncio.to_thread(action)
        while True:
            await asyncio.wait_for(tablet.recv(), 3)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1
    finally:
        await tablet.close()


def posted(client, url: str, expected: int, **form: str) -> Callable[[], int]:  # type: ignore[no-untyped-def]
    def post() -> int:
        response = client.post(url, data=form or None, headers={"x-csrftoken": client.cookies["csrftoken"]})
        assert response.status_code == expected, response.text
        return response.status_code

    return post


def test_signing_out_on_one_instance_closes_the_tablets_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.instances[:2]
    therapist = sign_in(a, "tara")

    async def scenario() -> int:
        tablet = await open_worklist(b, cookie_header(therapist))
        return await close_code_after(tablet, posted(therapist, "/signout", 303))

    assert run_in_thread(scenario) == 4401


def test_locking_a_tablet_on_one_instance_closes_its_socket_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.instances[:2]
    therapist = sign_in(a, "tara")

    async def scenario() -> int:
        tablet = await open_worklist(b, cookie_header(therapist))
        return await close_code_after(tablet, posted(therapist, "/lock", 303))

    assert run_in_thread(scenario) == 4401
    assert posted(therapist, "/unlock", 303, password=DEMO_PASSWORD)() == 303


def test_a_password_change_on_one_instance_closes_the_other_tablets_on_the_other(cluster: Cluster) -> None:
    """The physician's account, which no other test here uses: its new password stays (the password rule
    would not take the demo's published one back)."""
    a, b = cluster.instances[:2]
    here, elsewhere = sign_in(a, "priya"), sign_in(b, "priya")
    new = "the night shift's new password"
    change = {"current_password": DEMO_PASSWORD, "new_password": new, "repeat_password": new}
    board = elsewhere.get("/board", follow_redirects=True).url.path

    async def scenario() -> int:
        tablet = await open_board(b, board, cookie_header(elsewhere))
        return await close_code_after(tablet, posted(here, "/account/password", 200, **change))

    assert run_in_thread(scenario) == 4401
    assert elsewhere.get("/board", follow_redirects=True).url.path == "/signin"
    assert here.get("/board", follow_redirects=True).url.path == board, "the tablet it was changed on stays"
