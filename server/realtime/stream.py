"""One WebSocket per screen (admitted first by `server.auth.sockets.admit`): subscribe, catch up, forward.

Catching up resumes by number. The page keeps, per unit it follows, the last unit event it applied
(`#live-seqs`); on every (re)connect its first message says them: `{"type": "resume", "seqs": {"4": 41}}`.
The socket subscribes first, then reads the page's request, the units' current numbers and then the
state, so nothing falls between the two. When the server still has every event the tablet missed, it
sends only the fragments of the patients those events touched; otherwise (first open, history pruned,
another database) the whole screen. Pushes the catch-up already covered are skipped by number.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

from litestar import WebSocket
from litestar.datastructures import State
from litestar.exceptions import WebSocketDisconnect
from sqlmodel.ext.asyncio.session import AsyncSession

from server.changes import changed_patients_since, current_seqs
from server.realtime.broadcast import seq_marker
from server.realtime.hub import STALE, LocalHub, Subscriber
from server.realtime.snapshots import SharedReads

log = logging.getLogger("bedside.realtime")

CLOSE_TRY_AGAIN = 1013
HELLO_SECONDS = 3.0
REPLAY_LIMIT = 500
"""A tablet that missed more unit events than this gets the whole screen: cheaper than a long replay."""

Screen = Callable[[AsyncSession, set[int] | None], Awaitable[str]]
"""Renders a screen's live parts: all of them (None), or only the fragments of these patients. Given no
patient (an empty set) it must only read: it runs in a read-only session."""


async def stream(
    socket: WebSocket, closing: list[str], names: list[str], unit_ids: list[int], screen: Screen
) -> None:
    """Stream `names` to the socket; a close frame on a `closing` channel (its sign-in ended) ends it."""
    hub: LocalHub = socket.app.state.hub
    await socket.accept()
    async with hub.subscribe([*names, *closing]) as subscriber:
        try:
            resume_from = await _resume_request(socket)
            html, upto = await _catch_up(socket, resume_from, unit_ids, screen)
            await socket.send_text(html + _markers(upto))
        except WebSocketDisconnect:
            return
        reader = asyncio.create_task(_until_disconnect(socket))
        writer = asyncio.create_task(_forward(socket, subscriber, upto))
        try:
            await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, writer):
                task.cancel()
            await asyncio.gather(reader, writer, return_exceptions=True)


async def _catch_up(
    socket: WebSocket, resume_from: dict[int, int], unit_ids: list[int], screen: Screen
) -> tuple[str, dict[int, int]]:
    """What the page lacks, and the numbers it is as of. A page that missed nothing (a tablet reopening
    after a deploy, a page just drawn) costs only reads, without SQLite's write lock: a ward of tablets
    reconnecting at once neither waits in line for it nor holds up the nurses' writes, and the units'
    numbers are read once for the sockets that ask together. Sending cards is a read of patients'
    charts, audited: that takes a writing session."""
    state = socket.app.state
    upto = await units_now(state, unit_ids)
    async with state.read_session_maker() as db:
        missed = await _missed(db, resume_from, upto)
        if missed is not None and not missed:
            return await screen(db, missed), upto
    async with state.session_maker() as db:
        return await screen(db, missed), upto


async def units_now(state: State, unit_ids: list[int]) -> dict[int, int]:
    """These units' event numbers, read after the caller subscribed: in one read shared by the sockets
    of the same units that ask at the same time (`SharedReads`)."""
    units = sorted(set(unit_ids))
    reads: SharedReads = state.shared_reads

    async def read() -> dict[int, int]:
        async with state.read_session_maker() as db:
            return await current_seqs(db, units)

    return dict(await reads.read(("unit numbers", tuple(units)), read))


async def _resume_request(socket: WebSocket) -> dict[int, int]:
    """The numbers the page last applied; none (a full screen) if it sends nothing readable in time."""
    try:
        hello = json.loads(await asyncio.wait_for(socket.receive_text(), HELLO_SECONDS))
        seqs = hello.get("seqs") if isinstance(hello, dict) and hello.get("type") == "resume" else None
        return {int(unit): int(seq) for unit, seq in (seqs or {}).items()}
    except (TimeoutError, ValueError, TypeError, AttributeError):
        return {}


async def _missed(db: AsyncSession, resume_from: dict[int, int], upto: dict[int, int]) -> set[int] | None:
    """The patients changed since the page's numbers, or None when only the whole screen will do."""
    if not upto or set(resume_from) != set(upto):
        return None
    missed: set[int] = set()
    for unit_id, seq in upto.items():
        changed = await changed_patients_since(db, unit_id, resume_from[unit_id], seq, REPLAY_LIMIT)
        if changed is None:
            return None
        missed |= changed
    return missed


def _markers(upto: dict[int, int]) -> str:
    return f'<div id="live-seqs" hidden hx-swap-oob="true">{number_marks(upto)}</div>'


def number_marks(upto: dict[int, int]) -> str:
    """The page's `#live-seqs` content for these numbers."""
    return "".join(seq_marker(unit_id, seq, oob=False) for unit_id, seq in sorted(upto.items()))


async def page_markers(db: AsyncSession, unit_ids: list[int]) -> str:
    """What a live page is drawn with in `#live-seqs`: its units' event numbers, read before its state.
    Its socket's first open then sends only what changed since (usually nothing), instead of the whole
    screen again a moment after the page drew it (work for the tablet, and a tap at that moment lost)."""
    return number_marks(await current_seqs(db, unit_ids))


async def _until_disconnect(socket: WebSocket) -> None:
    with suppress(WebSocketDisconnect):
        while True:
            await socket.receive_text()


async def _forward(socket: WebSocket, subscriber: Subscriber, upto: dict[int, int]) -> None:
    while True:
        frame = await subscriber.queue.get()
        if frame is STALE:
            log.warning("a tablet fell behind; closing its socket so it resynchronises")
            with suppress(Exception):
                await socket.close(code=CLOSE_TRY_AGAIN, reason="Fell behind; reconnect.")
            return
        if frame.close_code is not None:
            with suppress(Exception):
                await socket.close(code=frame.close_code, reason="Signed out.")
            return
        if frame.seq is not None and frame.unit_id is not None and frame.seq <= upto.get(frame.unit_id, -1):
            continue
        try:
            await socket.send_text(frame.html)
        except Exception:
            return
