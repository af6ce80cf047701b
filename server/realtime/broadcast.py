"""Publishing committed changes across instances, and rendering once per local channel on each instance.

`Publisher.publish` sends each committed `Change` (ids, the views it makes stale, the unit's event
number) on one broker channel through Litestar's channels plugin: in memory, PostgreSQL LISTEN/NOTIFY
(payloads stay far under its 8000 bytes) or Redis. Every instance's relay receives it and asks each
area's `LiveFragments` which of its local channels the change touches; for those that have sockets here,
the area renders the fragment once and the hub queues it for every socket. A push carries the state as
it is now, so applying it twice is harmless. This module knows no domain: the areas are handed in.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from jinja2 import Environment
from litestar.channels import ChannelsPlugin
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from server.changes import Change, View
from server.realtime import channels
from server.realtime.hub import Frame, LocalHub

log = logging.getLogger("bedside.realtime")

EVENTS_CHANNEL = "bedside_events"
CLOSE_SIGNED_OUT = 4401
"""The close code for "sign in again": the page's script does not retry it."""


@dataclass(frozen=True)
class LiveFragments:
    """One area's fragments that follow changes: the local channels a change touches, and their HTML."""

    channels: Callable[[Change], list[str]]
    render: Callable[[AsyncSession, Environment, Change, list[str]], Awaitable[dict[str, str]]]


def seq_marker(unit_id: int, seq: int, *, oob: bool = True) -> str:
    """The last unit event a page has applied; it sends these back when its socket reconnects."""
    swap = ' hx-swap-oob="true"' if oob else ""
    return f'<span id="unit-seq-{unit_id}" data-unit="{unit_id}" data-seq="{seq}"{swap}></span>'


class RelayedUpTo:
    """Per unit, the event number up to which this instance has relayed every event: what a push tells
    its page it is as of. Changes are numbered in commit order but published after their commits, so two
    close together can arrive the other way round (100 after 113). A page marked 113 by the first push
    and disconnected before the second would resume from 113 and never get change 100; marked 99 until
    100 arrives, it is sent 100 to 113 again, which is harmless (a push is the state as it is now).

    A number still missing after `GIVE_UP_AFTER` later ones of its unit is taken as never coming (its
    publish failed: no page had it, and a page's catch-up reads the database) and skipped. The first
    number seen for a unit counts everything before it as relayed."""

    GIVE_UP_AFTER = 50

    def __init__(self) -> None:
        self._upto: dict[int, int] = {}
        self._ahead: dict[int, set[int]] = {}

    def record(self, unit_id: int, seq: int) -> int:
        """Note that event `seq` of the unit was relayed; the unit's number every event up to is relayed."""
        upto = self._upto.get(unit_id, seq - 1)
        ahead = self._ahead.setdefault(unit_id, set())
        if seq > upto:
            ahead.add(seq)
        if len(ahead) > self.GIVE_UP_AFTER:
            upto = min(ahead) - 1
        while upto + 1 in ahead:
            upto += 1
            ahead.discard(upto)
        self._upto[unit_id] = upto
        return upto


class Publisher:
    def __init__(
        self,
        plugin: ChannelsPlugin,
        env: Environment,
        session_maker: async_sessionmaker[AsyncSession],
        hub: LocalHub,
        areas: Iterable[LiveFragments],
    ) -> None:
        self.plugin = plugin
        self.env = env
        self.session_maker = session_maker
        self.hub = hub
        self.areas = list(areas)
        self.failed_publishes = 0
        self.fragments_rendered = 0
        """Counts renders: one per channel with sockets on this instance, however many sockets it has."""
        self._pings: dict[str, asyncio.Event] = {}
        self.relayed = RelayedUpTo()

    async def publish(self, changes: Iterable[Change]) -> None:
        """Announce committed changes to every instance. A failed publish is logged and counted, never
        raised: the change is saved, and tablets catch up by number when they reconnect."""
        for change in changes:
            try:
                await self.plugin.wait_published(change.to_json(), [EVENTS_CHANNEL])
            except Exception:
                self.failed_publishes += 1
                log.exception("publishing a %s change failed", change.kind)

    async def relay(self) -> None:
        """Run for the life of the instance: receive every change and deliver it to local sockets."""
        while True:
            try:
                async with self.plugin.start_subscription([EVENTS_CHANNEL]) as subscriber:
                    async for raw in subscriber.iter_events():
                        await self._handle(raw)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the event relay failed; subscribing again")
                await asyncio.sleep(1)

    async def _handle(self, raw: bytes) -> None:
        try:
            message = json.loads(raw)
            if message.get("kind") == "ping":
                waiting = self._pings.get(message.get("token", ""))
                if waiting is not None:
                    waiting.set()
                return
            await self.deliver(Change.from_json(raw))
        except Exception:
            log.exception("could not deliver a pushed change")

    async def deliver(self, change: Change) -> None:
        marker = ""
        if change.seq is not None and change.unit_id is not None:
            marker = seq_marker(change.unit_id, self.relayed.record(change.unit_id, change.seq))
        if View.sign_in in change.views and change.user_id is not None:
            user_id, sign_in_id = change.user_id, change.sign_in_id
            ended = channels.sign_in(sign_in_id) if sign_in_id else channels.account(user_id)
            self.hub.deliver(ended, Frame("", close_code=CLOSE_SIGNED_OUT))
            return
        for area in self.areas:
            wanted = [name for name in area.channels(change) if self.hub.has_listeners(name)]
            if not wanted:
                continue
            async with self.session_maker() as db:
                rendered = await area.render(db, self.env, change, wanted)
            for name, html in rendered.items():
                if marker and channels.follows_unit_numbers(name):
                    frame = Frame(html + marker, change.unit_id, change.seq)
                else:
                    frame = Frame(html)
                self.hub.deliver(name, frame)
            self.fragments_rendered += len(rendered)

    async def broker_round_trip(self, timeout: float = 2.0) -> bool:
        """Publish a ping and wait for it to come back through this instance's own subscription:
        proves the broker is reachable and the listener is not deaf."""
        token = secrets.token_hex(8)
        self._pings[token] = arrived = asyncio.Event()

        async def round_trip() -> None:
            await self.plugin.wait_published(json.dumps({"kind": "ping", "token": token}), [EVENTS_CHANNEL])
            await arrived.wait()

        try:
            await asyncio.wait_for(round_trip(), timeout)
            return True
        except Exception:
            return False
        finally:
            self._pings.pop(token, None)
