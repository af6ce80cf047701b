"""Presence on the unit board: rendered in one place for the board page, its socket and pushes; and
the tablet's side, which counts a therapist as connected while any of their pages has its socket open."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from jinja2 import Environment
from litestar import WebSocket
from litestar.datastructures import State
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.models import Role
from server.auth.sockets import stopped_within
from server.changes import Change, View
from server.clock import clock_of
from server.db import unit_of_work
from server.presence.service import (
    PRESENCE_REFRESH_SECONDS,
    tablet_connected,
    tablet_disconnected,
    tablet_seen,
    therapists_present,
)
from server.realtime import channels
from server.realtime.broadcast import LiveFragments
from server.realtime.snapshots import SharedReads

PRESENCE = "partials/presence.html"


async def render_presence(db: AsyncSession, env: Environment, unit_id: int, *, oob: bool) -> str:
    present = await therapists_present(db, unit_id, clock_of(db).now())
    return env.get_template(PRESENCE).render(unit_id=unit_id, present=present, oob=oob)


async def presence_now(state: State, env: Environment, unit_id: int) -> str:
    """The unit's presence for a board socket's first frame, read after the socket subscribed: once for
    the unit's boards that open together (`SharedReads`), not once per board."""
    reads: SharedReads = state.shared_reads

    async def read() -> str:
        async with state.read_session_maker() as db:
            return await render_presence(db, env, unit_id, oob=True)

    return str(await reads.read(("presence", unit_id), read))


def _channels(change: Change) -> list[str]:
    if View.presence not in change.views or change.unit_id is None:
        return []
    return [channels.board(change.unit_id, can_flag=True), channels.board(change.unit_id, can_flag=False)]


async def _render(db: AsyncSession, env: Environment, change: Change, wanted: list[str]) -> dict[str, str]:
    html = await render_presence(db, env, change.unit_id, oob=True)  # type: ignore[arg-type]
    return dict.fromkeys(wanted, html)


FRAGMENTS = LiveFragments(channels=_channels, render=_render)


class PresenceBook:
    """This instance's therapists with a socket open, counted per person and unit. Only a person's first
    socket on a unit writes (and announces) a presence row, only their last one closing deletes it, and
    one heartbeat write per interval keeps every row of this instance alive: a ward of open tablets
    costs the database nothing per socket. The rows are named after this instance and the person."""

    def __init__(self) -> None:
        self.instance = uuid.uuid4().hex[:16]
        self._open: Counter[tuple[int, int]] = Counter()
        self._lock = asyncio.Lock()
        """Writes land in the order the counts changed: a last close's delete never after the next insert."""

    def row_id(self, user_id: int) -> str:
        return f"{self.instance}-{user_id}"

    def row_ids(self) -> list[str]:
        return sorted({self.row_id(user_id) for user_id, _ in self._open})

    async def opened(self, state: State, actor: Actor) -> None:
        async with self._lock:
            first = frozenset(u for u in actor.unit_ids if not self._open[(actor.user_id, u)])
            if first:
                async with unit_of_work(state) as db:
                    await tablet_connected(db, actor, self.row_id(actor.user_id), state.clock.now(), first)
            self._open.update((actor.user_id, u) for u in actor.unit_ids)

    async def closed(self, state: State, actor: Actor) -> None:
        async with self._lock:
            self._open.subtract((actor.user_id, u) for u in actor.unit_ids)
            last = frozenset(u for u in actor.unit_ids if self._open[(actor.user_id, u)] <= 0)
            for u in last:
                del self._open[(actor.user_id, u)]
            if last:
                async with unit_of_work(state) as db:
                    await tablet_disconnected(db, self.row_id(actor.user_id), last)

    async def keep_alive(self, state: State, stop: asyncio.Event) -> None:
        """Refresh this instance's rows while it runs (they lapse if it dies). Stops by the event, never
        by cancelling, so no database call is cut off holding SQLite's write lock."""
        while not await stopped_within(stop, PRESENCE_REFRESH_SECONDS):
            row_ids = self.row_ids()
            if not row_ids:
                continue
            with suppress(Exception):
                async with state.session_maker() as db:
                    await tablet_seen(db, row_ids, state.clock.now())


@asynccontextmanager
async def therapist_present(socket: WebSocket, actor: Actor) -> AsyncIterator[None]:
    """While a therapist's page has its socket open, the unit boards show their tablet as connected."""
    if actor.role != Role.therapist:
        yield
        return
    state = socket.app.state
    book: PresenceBook = state.presence
    await book.opened(state, actor)
    try:
        yield
    finally:
        await book.closed(state, actor)
