"""A therapist's own screen, on every page their tablet shows: pending interruptions full-screen, and
each interrupted session's stopped timer. Rendered here for sockets' catch-up and for pushes alike.

Only session-specific fragments go to this channel: it reaches every page the therapist has open, and a
page about another patient must not have its panel replaced.
"""

from __future__ import annotations

from jinja2 import Environment
from litestar.datastructures import State
from sqlmodel.ext.asyncio.session import AsyncSession

from server.changes import Change, View
from server.realtime import channels
from server.realtime.broadcast import LiveFragments
from server.realtime.snapshots import SharedReads
from server.sessions.fragments import render_interruption_overlay, render_session_timer
from server.sessions.interruptions import PendingInterruption, pending_for_therapist, pending_for_therapists


async def render_therapist_screen(db: AsyncSession, env: Environment, therapist_id: int) -> str:
    return _therapist_screen(env, await pending_for_therapist(db, therapist_id))


async def therapist_screen_now(state: State, env: Environment, therapist_id: int) -> str:
    """The therapist's own screen for a socket's first frame, read after the socket subscribed: in one
    read for the therapists whose tablets open at the same time (`SharedReads`), not one per socket."""
    reads: SharedReads = state.shared_reads

    async def read(therapist_ids: set[int]) -> dict[int, list[PendingInterruption]]:
        async with state.read_session_maker() as db:
            return await pending_for_therapists(db, therapist_ids)

    pending = await reads.read_for("pending interruptions", therapist_id, read)
    return _therapist_screen(env, pending.get(therapist_id, []))


def _therapist_screen(env: Environment, pending: list[PendingInterruption]) -> str:
    shown = [(interruption, patient) for interruption, _, patient in pending]
    timers = [render_session_timer(env, massage_session, oob=True) for _, massage_session, _ in pending]
    return render_interruption_overlay(env, shown) + "".join(timers)


def _channels(change: Change) -> list[str]:
    if View.therapist_screen not in change.views or change.therapist_id is None:
        return []
    return [channels.therapist(change.therapist_id)]


async def _render(db: AsyncSession, env: Environment, change: Change, wanted: list[str]) -> dict[str, str]:
    return dict.fromkeys(wanted, await render_therapist_screen(db, env, change.therapist_id))  # type: ignore[arg-type]


FRAGMENTS = LiveFragments(channels=_channels, render=_render)
