"""An open socket does not outlive its sign-in: signing out, or the sign-in expiring, closes every one
of that person's sockets with 4401 (sign in again), and no more patient data reaches them."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import replace

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.auth.session_store import DatabaseStore
from server.clock import SetClock
from server.settings import Settings
from tests.conftest import As
from tests.factories import World


def closed_with(socket) -> int:  # type: ignore[no-untyped-def]
    """Read until the server closes the socket; the close code."""
    with pytest.raises(WebSocketDisconnect) as closed:
        for _ in range(50):
            socket.receive_text(timeout=3)
    return closed.value.code


async def test_signing_out_closes_that_persons_sockets_and_only_theirs(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse, colleague = await sign_in_as("nurse"), await sign_in_as("hh_nurse")
    with (
        await nurse.websocket(f"/ws/units/{world.unit_ids['4W']}/board") as board,
        await nurse.websocket(f"/ws/patients/{world.patient_ids['ada']}") as chart,
        await colleague.websocket(f"/ws/units/{world.unit_ids['HH']}/board") as other,
    ):
        for socket in (board, chart, other):
            socket.receive_text(timeout=5)
        assert (await nurse.post("/signout")).status_code == 303
        assert closed_with(board) == 4401 and closed_with(chart) == 4401
        await colleague.post(f"/api/patients/{world.patient_ids['hh']}/flags", json={"kind": "imaging"})
        assert "board-row-" in other.receive_text(timeout=3), "a colleague's board stays live"


async def test_an_expired_sign_in_closes_its_sockets(
    settings: Settings, clock: SetClock, world: World
) -> None:
    short_shift = create_app(replace(settings, session_max_age=60), clock)
    async with AsyncTestClient(app=short_shift, raise_server_exceptions=False) as client:
        therapist = As(client, "therapist")
        await therapist.sign_in()
        with await therapist.websocket("/ws/worklist") as tablet:
            tablet.receive_text(timeout=5)
            clock.advance(seconds=61)
            assert closed_with(tablet) == 4401


async def test_one_check_per_interval_closes_every_socket_of_an_ended_sign_in_and_only_those(
    settings: Settings, clock: SetClock, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The instance's sign-in watch reads every open socket's session in one read per interval (the
    test's interval is 0.2 s: the sockets close well within `closed_with`'s 3 s), once per sign-in, not
    once per socket; a colleague's sign-in that still holds keeps its socket."""
    reads: list[int] = []
    get_many = DatabaseStore.get_many

    async def counted(store: DatabaseStore, keys: Collection[str]) -> dict[str, bytes]:
        reads.append(len(keys))
        return await get_many(store, keys)

    monkeypatch.setattr(DatabaseStore, "get_many", counted)
    short_shift = create_app(replace(settings, session_max_age=60), clock)
    async with AsyncTestClient(app=short_shift, raise_server_exceptions=False) as client:
        early, late = As(client, "therapist"), As(client, "therapist")
        await early.sign_in()
        clock.advance(seconds=30)
        await late.sign_in()
        with (
            await early.websocket("/ws/worklist") as first,
            await early.websocket("/ws/worklist") as second,
            await late.websocket("/ws/worklist") as still_signed_in,
        ):
            for socket in (first, second, still_signed_in):
                socket.receive_text(timeout=5)
            reads.clear()
            clock.advance(seconds=31)  # the early sign-in's shift is over; the late one has 29 s left
            assert closed_with(first) == 4401 and closed_with(second) == 4401
            await asyncio.sleep(0.5)  # a few more checks, with only the late sign-in's socket left
            assert reads and max(reads) <= 2, "one read per check, one key per sign-in (never per socket)"
            assert reads[-1] == 1
            assert (await late.post("/signout")).status_code == 303
            assert closed_with(still_signed_in) == 4401, "open until its own sign-in ended"
