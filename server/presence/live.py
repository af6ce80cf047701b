"""Presence on the unit board: rendered in one place for the board page, its socket and pushes; and
the tablet's side, which counts a therapist as connected while any of their pages has its socket open."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from jinja2 import Environment
from litestar import WebSocket
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

PRESENCE = "partials/presence.html"


async def render_presence(db: AsyncSession, env: Environment, unit_id: int, *, oob: bool) -> str:
    present = await therapists_present(db, unit_id, clock_of(db).now())
    return env.get_template(PRESENCE).render(unit_id=unit_id, present=present, oob=oob)


def _channels(change: Change) -> list[str]:
    if View.presence not in change.views or change.unit_id is None:
        return []
    return [channels.board(change.unit_id, can_flag=True), channels.board(change.unit_id, can_flag=False)]


async def _render(db: AsyncSession, env: Environment, change: Change, wanted: list[str]) -> dict[str, str]:
    html = await render_presence(db, env, change.unit_id, oob=True)  # type: ignore[arg-type]
    return dict.fromkeys(wanted, html)


FRAGMENTS = LiveFragments(channels=_channels, render=_render)


@asynccontextmanager
async def therapist_present(socket: WebSocket, actor: Actor) -> AsyncIterator[None]:
    """While a therapist's page has its socket open, the unit boards show their tablet as connected."""
    if actor.role != Role.therapist:
        yield
        return
    socket_id = uuid.uuid4().hex
    state = socket.app.state
    async with unit_of_work(state) as db:
        await tablet_connected(db, actor, socket_id, state.clock.now())
    stop = asyncio.Event()
    heartbeat = asyncio.create_task(_keep_present(socket, socket_id, stop))
    try:
        yield
    finally:
        stop.set()
        await heartbeat
        async with unit_of_work(state) as db:
            await tablet_disconnected(db, actor, socket_id)


async def _keep_present(socket: WebSocket, socket_id: str, stop: asyncio.Event) -> None:
    """Refresh this tablet's presence while its socket is open (it lapses if the instance dies)."""
    while not await stopped_within(stop, PRESENCE_REFRESH_SECONDS):
        with suppress(Exception):
            async with socket.app.state.session_maker() as db:
                await tablet_seen(db, socket_id, socket.app.state.clock.now())
