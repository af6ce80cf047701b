"""The patient's card, live: on therapists' worklists, on the unit boards and on the patient's own page.

`FRAGMENTS` renders a change's card once per local channel that has sockets; the sockets below send
the same fragments when a tablet (re)connects: all of them, or only the patients it missed.
"""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment
from litestar import Controller, WebSocket, websocket
from litestar.params import FromPath
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import Role
from server.auth.sockets import admit, refuse, while_signed_in
from server.changes import Change, View, current_seqs
from server.clock import clock_of
from server.errors import BedsideError
from server.patients.fragments import (
    board_row_id,
    card_id,
    render_availability_banner,
    render_board,
    render_board_row,
    render_joining,
    render_leaving,
    render_worklist,
    render_worklist_card,
)
from server.patients.service import (
    PatientCard,
    PatientRead,
    patient_card,
    read_patient_for,
    therapist_worklist,
    unit_board,
)
from server.presence.live import presence_now, therapist_present
from server.realtime import channels
from server.realtime.broadcast import LiveFragments
from server.realtime.snapshots import SnapshotCache
from server.realtime.stream import stream
from server.sessions.live import therapist_screen_now


def _channels(change: Change) -> list[str]:
    if change.patient_id is None or change.unit_id is None:
        return []
    names = []
    if View.worklist_card in change.views:
        names.append(channels.worklist(change.unit_id))
    if View.board_row in change.views:
        names += [
            channels.board(change.unit_id, can_flag=True),
            channels.board(change.unit_id, can_flag=False),
        ]
    if View.availability_banner in change.views:
        names.append(channels.patient(change.patient_id))
    return names


WORKLIST_JOINS = frozenset({"admitted", "transferred", "order_written", "order_resumed"})
"""Changes after which a card can be new to a unit's worklists (appended, not updated in place)."""
BOARD_JOINS = frozenset({"admitted", "transferred"})
"""Changes after which a row can be new to a unit's boards."""
LEAVES = frozenset({"transferred", "discharged", "order_changed"})
"""Changes after which a card can have gone from a unit's lists (a hold or discontinued order: worklists)."""


def on_unit(card: PatientCard, unit_id: int) -> bool:
    """Whether the patient lies on this unit now (not discharged, not transferred away)."""
    return card.patient.discharged_at is None and card.patient.unit_id == unit_id


def on_worklist(card: PatientCard, unit_id: int) -> bool:
    return on_unit(card, unit_id) and card.order is not None


def worklist_fragment(env: Environment, card: PatientCard, unit_id: int, kind: str) -> str:
    """The card as a unit's worklists should now show it: updated, added, removed, or nothing to show."""
    patient_id = card.patient.id
    if on_worklist(card, unit_id):
        if kind in WORKLIST_JOINS:
            return render_joining("worklist", render_worklist_card(env, card, oob=False))
        return render_worklist_card(env, card, oob=True)
    return render_leaving(card_id(patient_id)) if kind in LEAVES else ""  # type: ignore[arg-type]


def board_fragment(env: Environment, card: PatientCard, unit_id: int, kind: str, *, can_flag: bool) -> str:
    """The row as a unit's boards should now show it: updated, added, removed, or nothing to show."""
    if on_unit(card, unit_id):
        if kind in BOARD_JOINS:
            return render_joining("board", render_board_row(env, card, oob=False, can_flag=can_flag))
        return render_board_row(env, card, oob=True, can_flag=can_flag)
    return render_leaving(board_row_id(card.patient.id)) if kind in LEAVES else ""  # type: ignore[arg-type]


async def _render(db: AsyncSession, env: Environment, change: Change, wanted: list[str]) -> dict[str, str]:
    clock = clock_of(db)
    now = clock.now()
    card = await patient_card(db, change.patient_id, now, clock.local(now).date())  # type: ignore[arg-type]
    unit_id, patient_id, kind = change.unit_id, change.patient_id, change.kind
    renderers = {
        channels.worklist(unit_id): lambda: worklist_fragment(env, card, unit_id, kind),  # type: ignore[arg-type]
        channels.board(unit_id, can_flag=True): lambda: board_fragment(
            env, card, unit_id, kind, can_flag=True
        ),  # type: ignore[arg-type]
        channels.board(unit_id, can_flag=False): lambda: board_fragment(
            env, card, unit_id, kind, can_flag=False
        ),  # type: ignore[arg-type]
        channels.patient(patient_id): lambda: render_availability_banner(env, card, oob=True),  # type: ignore[arg-type]
    }
    return {name: renderers[name]() for name in wanted}


FRAGMENTS = LiveFragments(channels=_channels, render=_render)


async def whole_worklist(
    db: AsyncSession, env: Environment, snapshots: SnapshotCache, actor: Actor, now: datetime
) -> str:
    """Every card of the therapist's worklist, rendered once per units, day and unit event numbers for
    all the tablets that open at that point; each opening is still audited as a read of the worklist."""
    units = sorted(actor.unit_ids)
    today = clock_of(db).local(now).date()
    key = ("worklist", tuple(units), today, tuple(sorted((await current_seqs(db, units)).items())))

    async def render() -> tuple[str, int]:
        cards = await therapist_worklist(db, actor, now, today)  # audited as this socket's read
        return render_worklist(env, cards, oob=True), len(cards)

    (html, count), rendered = await snapshots.get_or_render(key, now, render)
    if not rendered:
        record_audit(db, actor, AuditAction.read, "Worklist", detail=f"{count} patients")
        await db.commit()
    return html


async def open_patient_stream(
    socket: WebSocket, actor: Actor, patient_id: int, what: str
) -> PatientRead | None:
    """Opening a patient's live page is a read of their chart, audited; refused unless the policy lets
    this person read this patient (their units, or a break-the-glass grant that still holds; for hospice
    staff, comfort-care patients only)."""
    async with socket.app.state.session_maker() as db:
        try:
            read = await read_patient_for(db, actor, patient_id)
        except BedsideError:
            await refuse(socket, "Not your patient.")
            return None
        detail = read.audit_detail("live stream opened")
        record_audit(db, actor, AuditAction.read, what, patient_id, patient_id=patient_id, detail=detail)
        await db.commit()
    return read


class PatientLive(Controller):
    """One socket per screen that shows patients' cards."""

    path = "/ws"

    @websocket("/worklist", opt={"policy": "worklist.read"})
    async def worklist_socket(self, socket: WebSocket) -> None:
        actor = await admit(socket)
        if actor is None:
            return
        env = socket.app.state.jinja_env

        async def screen(db: AsyncSession, missed: set[int] | None) -> str:
            clock = clock_of(db)
            now = clock.now()
            own = await therapist_screen_now(socket.app.state, env, actor.user_id)
            if missed is not None and not missed:
                return own  # the page shows every card as of the numbers it sent: none is read or sent
            if missed is None:
                return await whole_worklist(db, env, snapshots, actor, now) + own
            cards = await therapist_worklist(db, actor, now, clock.local(now).date())
            shown = {c.patient.id for c in cards}
            gone = "".join(render_leaving(card_id(p)) for p in sorted(missed - shown))  # type: ignore[operator]
            updated = "".join(render_worklist_card(env, c, oob=True) for c in cards if c.patient.id in missed)
            return updated + gone + own

        snapshots: SnapshotCache = socket.app.state.snapshots
        units = sorted(actor.unit_ids)
        names = [channels.worklist(u) for u in units] + [channels.therapist(actor.user_id)]
        async with therapist_present(socket, actor), while_signed_in(socket):
            await stream(socket, channels.closing(actor.user_id, actor.sign_in_id), names, units, screen)

    @websocket("/units/{unit_id:int}/board", opt={"policy": "board.read"})
    async def board_socket(self, socket: WebSocket, unit_id: FromPath[int]) -> None:
        actor = await admit(socket)
        if actor is None:
            return
        if not actor.works_on(unit_id):
            await refuse(socket, "Not your unit.")
            return
        can_flag = actor.role == Role.nurse
        env = socket.app.state.jinja_env

        async def screen(db: AsyncSession, missed: set[int] | None) -> str:
            clock = clock_of(db)
            now = clock.now()
            presence = await presence_now(socket.app.state, env, unit_id)
            if missed is not None and not missed:
                return presence  # every row as of the numbers the page sent: none is read or sent
            unit, cards = await unit_board(db, actor, unit_id, now, clock.local(now).date())
            if missed is None:
                return render_board(env, unit, cards, oob=True, can_flag=can_flag) + presence
            shown = {c.patient.id for c in cards}
            gone = "".join(render_leaving(board_row_id(p)) for p in sorted(missed - shown))  # type: ignore[operator]
            rows = "".join(
                render_board_row(env, c, oob=True, can_flag=can_flag) for c in cards if c.patient.id in missed
            )
            return rows + gone + presence

        async with while_signed_in(socket):
            await stream(
                socket,
                channels.closing(actor.user_id, actor.sign_in_id),
                [channels.board(unit_id, can_flag=can_flag)],
                [unit_id],
                screen,
            )

    @websocket("/patients/{patient_id:int}", opt={"policy": "chart.read"})
    async def patient_socket(self, socket: WebSocket, patient_id: FromPath[int]) -> None:
        actor = await admit(socket)
        read = actor and await open_patient_stream(socket, actor, patient_id, "Patient")
        if actor is None or read is None:
            return
        env = socket.app.state.jinja_env
        is_therapist = actor.role == Role.therapist

        async def screen(db: AsyncSession, missed: set[int] | None) -> str:
            clock = clock_of(db)
            now = clock.now()
            card = await patient_card(db, patient_id, now, clock.local(now).date())
            own = await therapist_screen_now(socket.app.state, env, actor.user_id) if is_therapist else ""
            return render_availability_banner(env, card, oob=True) + own

        names = [channels.patient(patient_id)] + ([channels.therapist(actor.user_id)] if is_therapist else [])
        until = read.grant.expires_at if read.grant else None
        async with therapist_present(socket, actor), while_signed_in(socket, until):
            await stream(
                socket,
                channels.closing(actor.user_id, actor.sign_in_id),
                names,
                [read.patient.unit_id],
                screen,
            )
