"""Publishing after commit: a patient's change becomes rendered fragments on the channels that show it.

Channels: `worklist-unit-N` (therapists' worklists), `board-unit-N[-readonly]` (unit boards) and
`patient-N` (that patient's page). Each fragment is rendered once per channel, not once per socket.
A push carries state (the card as it is now), so applying it twice is harmless.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from jinja2 import Environment
from litestar.channels import ChannelsPlugin
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from server.clock import local_today, utcnow
from server.patients.fragments import render_availability_banner, render_board_row, render_worklist_card
from server.patients.service import patient_card

log = logging.getLogger("bedside.realtime")


def worklist_channel(unit_id: int) -> str:
    return f"worklist-unit-{unit_id}"


def board_channel(unit_id: int, *, can_flag: bool) -> str:
    """Nurses' boards carry flag buttons; read-only boards (physicians) get the same row without them."""
    return f"board-unit-{unit_id}" if can_flag else f"board-unit-{unit_id}-readonly"


def patient_channel(patient_id: int) -> str:
    return f"patient-{patient_id}"


class Broadcaster:
    def __init__(
        self,
        channels: ChannelsPlugin,
        env: Environment,
        session_maker: async_sessionmaker[AsyncSession],
        timezone: str,
        clock: Callable = utcnow,
    ) -> None:
        self.channels = channels
        self.env = env
        self.session_maker = session_maker
        self.timezone = timezone
        self.clock = clock
        self.failed_publishes = 0

    async def patient_changed(self, patient_id: int) -> None:
        """Re-read the patient's card (committed state) and push it to every view that shows it.

        The push carries the unit's event number as read with the card: the state is current up to it.
        """
        now = self.clock()
        async with self.session_maker() as db:
            card = await patient_card(db, patient_id, now, local_today(self.timezone, now))
        unit_id, seq = card.patient.unit_id, card.unit.last_event_seq
        await self._publish(worklist_channel(unit_id), seq, render_worklist_card(self.env, card, oob=True))
        for can_flag in (True, False):
            row = render_board_row(self.env, card, oob=True, can_flag=can_flag)
            await self._publish(board_channel(unit_id, can_flag=can_flag), seq, row)
        await self._publish(
            patient_channel(patient_id), seq, render_availability_banner(self.env, card, oob=True)
        )

    async def _publish(self, channel: str, seq: int, html: str) -> None:
        """The change is already committed: a failed push is logged and counted, and the tablet catches up
        from the database when it reconnects."""
        try:
            await self.channels.wait_published(json.dumps({"seq": seq, "html": html}), [channel])
        except Exception:
            self.failed_publishes += 1
            log.exception("push to %s failed", channel)
