"""A therapist's own screen, on every page their tablet shows: pending interruptions full-screen, and
each interrupted session's stopped timer. Rendered here for sockets' catch-up and for pushes alike.

Only session-specific fragments go to this channel: it reaches every page the therapist has open, and a
page about another patient must not have its panel replaced.
"""

from __future__ import annotations

from jinja2 import Environment
from sqlmodel.ext.asyncio.session import AsyncSession

from server.changes import Change, View
from server.patients.models import Patient
from server.realtime import channels
from server.realtime.broadcast import LiveFragments
from server.sessions.fragments import render_interruption_overlay, render_session_timer
from server.sessions.interruptions import pending_for_therapist
from server.sessions.models import Interruption


async def render_therapist_screen(db: AsyncSession, env: Environment, therapist_id: int) -> str:
    pending = await pending_for_therapist(db, therapist_id)
    shown: list[tuple[Interruption, Patient]] = []
    timers = []
    for interruption, massage_session in pending:
        patient = await db.get(Patient, massage_session.patient_id)
        assert patient is not None
        shown.append((interruption, patient))
        timers.append(render_session_timer(env, massage_session, oob=True))
    return render_interruption_overlay(env, shown) + "".join(timers)


def _channels(change: Change) -> list[str]:
    if View.therapist_screen not in change.views or change.therapist_id is None:
        return []
    return [channels.therapist(change.therapist_id)]


async def _render(db: AsyncSession, env: Environment, change: Change, wanted: list[str]) -> dict[str, str]:
    return dict.fromkeys(wanted, await render_therapist_screen(db, env, change.therapist_id))  # type: ignore[arg-type]


FRAGMENTS = LiveFragments(channels=_channels, render=_render)
