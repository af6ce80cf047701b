"""The comfort-care log, live: a new score, session, flag or amendment redraws it (its default period;
a page filtered to other dates opens no socket)."""

from __future__ import annotations

from jinja2 import Environment
from litestar import Controller, WebSocket, websocket
from litestar.params import FromPath
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.sockets import admit, while_signed_in
from server.changes import Change, View
from server.clock import clock_of
from server.comfort_log.fragments import render_comfort_log_body
from server.comfort_log.service import build_comfort_log, period
from server.patients.live import open_patient_stream
from server.patients.models import Patient
from server.realtime import channels
from server.realtime.broadcast import LiveFragments
from server.realtime.stream import stream


async def render_live_log(db: AsyncSession, env: Environment, patient: Patient) -> str:
    clock = clock_of(db)
    start, end = period(None, None, clock.today())
    log = await build_comfort_log(db, patient, start=start, end=end, zone=clock.zone)
    return render_comfort_log_body(env, log, oob=True)


def _channels(change: Change) -> list[str]:
    if View.comfort_log not in change.views or change.patient_id is None:
        return []
    return [channels.comfort_log(change.patient_id)]


async def _render(db: AsyncSession, env: Environment, change: Change, wanted: list[str]) -> dict[str, str]:
    patient = await db.get(Patient, change.patient_id)
    if patient is None:
        return {}
    return dict.fromkeys(wanted, await render_live_log(db, env, patient))


FRAGMENTS = LiveFragments(channels=_channels, render=_render)


class ComfortLogLive(Controller):
    path = "/ws/patients/{patient_id:int}/comfort-log"

    @websocket("/", opt={"policy": "comfort_log.read"})
    async def comfort_log_socket(self, socket: WebSocket, patient_id: FromPath[int]) -> None:
        actor = await admit(socket)
        read = actor and await open_patient_stream(socket, actor, patient_id, "ComfortLog")
        if actor is None or read is None:
            return
        env = socket.app.state.jinja_env
        patient = read.patient

        async def screen(db: AsyncSession, missed: set[int] | None) -> str:
            if missed is not None and patient_id not in missed:
                return ""  # the page already shows the log as of the numbers it sent
            return await render_live_log(db, env, patient)

        until = read.grant.expires_at if read.grant else None
        async with while_signed_in(socket, until):
            await stream(
                socket,
                channels.closing(actor.user_id, actor.sign_in_id),
                [channels.comfort_log(patient_id)],
                [patient.unit_id],
                screen,
            )
