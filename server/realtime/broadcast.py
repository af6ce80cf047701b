"""Publishing after commit, across instances, and rendering once per channel on each instance.

A committed change is announced as a small event (patient and unit ids) on one broker channel through
Litestar's channels plugin: in-memory, PostgreSQL LISTEN/NOTIFY (payloads must stay under 8000 bytes)
or Redis. Every instance's relay receives it, re-reads the patient's card, renders each fragment once
for each of its local channels that has sockets, and hands the HTML to the local hub:

- `worklist-unit-N`: therapists' worklists (the card);
- `board-unit-N` and `board-unit-N-readonly`: unit boards with and without flag buttons (the row);
- `patient-N`: that patient's page (the availability banner).

A push carries state (the card as it is now), so applying it twice is harmless.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime

from jinja2 import Environment
from litestar.channels import ChannelsPlugin
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from server.clock import Clock
from server.comfort_log.service import build_comfort_log, period
from server.patients.fragments import render_availability_banner, render_board_row, render_worklist_card
from server.patients.models import Patient
from server.patients.service import patient_card
from server.realtime.hub import LocalHub
from server.realtime.presence import therapists_present
from server.sessions.fragments import render_interruption_overlay
from server.sessions.interruptions import pending_for_therapist
from server.sessions.models import Interruption

log = logging.getLogger("bedside.realtime")

EVENTS_CHANNEL = "bedside_events"


def worklist_channel(unit_id: int) -> str:
    return f"worklist-unit-{unit_id}"


def board_channel(unit_id: int, *, can_flag: bool) -> str:
    """Nurses' boards carry flag buttons; read-only boards (physicians) get the same row without them."""
    return f"board-unit-{unit_id}" if can_flag else f"board-unit-{unit_id}-readonly"


def patient_channel(patient_id: int) -> str:
    return f"patient-{patient_id}"


def comfort_log_channel(patient_id: int) -> str:
    return f"comfort-log-{patient_id}"


def user_channel(user_id: int) -> str:
    """One person's own tablets: interruptions meant for them."""
    return f"user-{user_id}"


class Broadcaster:
    def __init__(
        self,
        channels: ChannelsPlugin,
        env: Environment,
        session_maker: async_sessionmaker[AsyncSession],
        hub: LocalHub,
        clock: Clock,
    ) -> None:
        self.channels = channels
        self.env = env
        self.session_maker = session_maker
        self.hub = hub
        self.clock = clock
        self.failed_publishes = 0
        self.fragments_rendered = 0
        """Counts renders: one per channel with sockets on this instance, however many sockets it has."""
        self._pings: dict[str, asyncio.Event] = {}

    async def patient_changed(self, patient_id: int) -> None:
        """Announce a committed change to every instance. A failed publish is logged and counted, never
        raised: the change is already saved, and tablets catch up from the database when they reconnect."""
        async with self.session_maker() as db:
            patient = await db.get(Patient, patient_id)
        if patient is None:
            return
        await self._publish({"kind": "patient", "patient_id": patient_id, "unit_id": patient.unit_id})

    async def presence_changed(self, unit_ids: Iterable[int]) -> None:
        for unit_id in unit_ids:
            await self._publish({"kind": "presence", "unit_id": unit_id})

    async def user_changed(self, user_id: int) -> None:
        """Announce that what one person's tablets must show (their pending interruptions) changed."""
        await self._publish({"kind": "user", "user_id": user_id})

    async def _publish(self, event: dict[str, object]) -> None:
        try:
            await self.channels.wait_published(json.dumps(event), [EVENTS_CHANNEL])
        except Exception:
            self.failed_publishes += 1
            log.exception("publishing %s failed", event)

    async def relay(self) -> None:
        """Run for the life of the instance: receive every event and deliver it to local sockets."""
        while True:
            try:
                async with self.channels.start_subscription([EVENTS_CHANNEL]) as subscriber:
                    async for raw in subscriber.iter_events():
                        await self._handle(raw)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the event relay failed; subscribing again")
                await asyncio.sleep(1)

    async def _handle(self, raw: bytes) -> None:
        try:
            event = json.loads(raw)
            if event.get("kind") == "ping":
                waiting = self._pings.get(event.get("token", ""))
                if waiting is not None:
                    waiting.set()
            elif event.get("kind") == "patient":
                await self.render_and_deliver(int(event["patient_id"]), int(event["unit_id"]))
            elif event.get("kind") == "presence":
                await self.deliver_presence(int(event["unit_id"]))
            elif event.get("kind") == "user":
                user_id = int(event["user_id"])
                if self.hub.has_listeners(user_channel(user_id)):
                    async with self.session_maker() as db:
                        html = await render_user_screen(db, self.env, user_id)
                    self.hub.deliver(user_channel(user_id), html)
        except Exception:
            log.exception("could not deliver event %r", raw[:200])

    async def deliver_presence(self, unit_id: int) -> None:
        boards = [board_channel(unit_id, can_flag=c) for c in (True, False)]
        if not any(self.hub.has_listeners(b) for b in boards):
            return
        async with self.session_maker() as db:
            html = await render_presence(db, self.env, unit_id, self.clock.now())
        for board in boards:
            self.hub.deliver(board, html)

    async def render_and_deliver(self, patient_id: int, unit_id: int) -> None:
        wanted = {
            "worklist": self.hub.has_listeners(worklist_channel(unit_id)),
            "board": self.hub.has_listeners(board_channel(unit_id, can_flag=True)),
            "board-readonly": self.hub.has_listeners(board_channel(unit_id, can_flag=False)),
            "patient": self.hub.has_listeners(patient_channel(patient_id)),
            "comfort-log": self.hub.has_listeners(comfort_log_channel(patient_id)),
        }
        if not any(wanted.values()):
            return
        now = self.clock.now()
        async with self.session_maker() as db:
            card = await patient_card(db, patient_id, now, self.clock.local(now).date())
        renders: list[tuple[str, str]] = []
        if wanted["worklist"]:
            renders.append((worklist_channel(unit_id), render_worklist_card(self.env, card, oob=True)))
        for can_flag, key in ((True, "board"), (False, "board-readonly")):
            if wanted[key]:
                row = render_board_row(self.env, card, oob=True, can_flag=can_flag)
                renders.append((board_channel(unit_id, can_flag=can_flag), row))
        if wanted["patient"]:
            renders.append(
                (patient_channel(patient_id), render_availability_banner(self.env, card, oob=True))
            )
        if wanted["comfort-log"]:
            async with self.session_maker() as db:
                html = await render_comfort_log(db, self.env, card.patient, self.clock)
            renders.append((comfort_log_channel(patient_id), html))
        for channel, html in renders:
            self.hub.deliver(channel, html)
        self.fragments_rendered += len(renders)

    async def broker_round_trip(self, timeout: float = 2.0) -> bool:
        """Publish a ping and wait for it to come back through this instance's own subscription:
        proves the broker is reachable and the listener is not deaf."""
        token = secrets.token_hex(8)
        self._pings[token] = arrived = asyncio.Event()

        async def round_trip() -> None:
            await self.channels.wait_published(json.dumps({"kind": "ping", "token": token}), [EVENTS_CHANNEL])
            await arrived.wait()

        try:
            await asyncio.wait_for(round_trip(), timeout)
            return True
        except Exception:
            return False
        finally:
            self._pings.pop(token, None)


async def render_user_screen(db: AsyncSession, env: Environment, user_id: int) -> str:
    """A therapist's pending interruptions, full-screen, and each interrupted session's stopped timer.

    Only session-specific fragments are pushed here: this channel reaches every page the therapist has
    open, and a page about another patient must not have its panel replaced."""
    pending = await pending_for_therapist(db, user_id)
    shown: list[tuple[Interruption, Patient]] = []
    timers = []
    for interruption, massage_session in pending:
        patient = await db.get(Patient, massage_session.patient_id)
        assert patient is not None
        shown.append((interruption, patient))
        timers.append(env.get_template("partials/session_timer.html").render(s=massage_session, oob=True))
    return render_interruption_overlay(env, shown) + "".join(timers)


async def render_presence(
    db: AsyncSession, env: Environment, unit_id: int, now: datetime, *, oob: bool = True
) -> str:
    present = await therapists_present(db, unit_id, now)
    return env.get_template("partials/presence.html").render(unit_id=unit_id, present=present, oob=oob)


async def render_comfort_log(db: AsyncSession, env: Environment, patient: Patient, clock: Clock) -> str:
    """The live comfort-care log for its default period (the page opens a socket only when unfiltered)."""
    start, end = period(None, None, clock.today())
    log = await build_comfort_log(db, patient, start=start, end=end, zone=clock.zone)
    return env.get_template("partials/comfort_log_body.html").render(log=log, oob=True)
