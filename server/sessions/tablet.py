"""Steps charted on a tablet that may have been offline: the tablet's own time of each tap, corrected for its
clock, and a receipt per step so that a step sent twice (retried, replayed from the outbox, or two requests
at once) is applied once and the second is answered as the first.

A tablet sends, with each step from its outbox, three headers: `Bedside-Client-Id` (its id for this tap),
`Bedside-Recorded-At` (its clock when the therapist tapped) and `Bedside-Sent-At` (its clock when it sent
the request). Without them a step is charted at the server's time of receipt, as it always was.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.errors import Conflict, InvalidInput, NotFound
from server.sessions.models import MassageSession, TabletStep

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_AGE = timedelta(hours=72)
"""A tap older than this when it reaches the server is refused with a reason (shown on the tablet) rather
than charted days late: the therapist decides what to do with it."""
SLACK = timedelta(minutes=5)
"""How far a tablet's "recorded" may lie after its own "sent" (or, without "sent", after the server's now)."""
CLIENT_ID_HEADER = "bedside-client-id"
RECORDED_HEADER = "bedside-recorded-at"
SENT_HEADER = "bedside-sent-at"


class StepReplayMismatch(Conflict):
    pass


def _tablet_time(value: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"The tablet's {what} time {value[:40]!r} is not an ISO 8601 time.") from None
    if moment.tzinfo is None:
        raise InvalidInput(
            f"The tablet's {what} time needs its UTC offset (for example 2026-03-01T09:30:00Z)."
        )
    return moment


@dataclass(frozen=True)
class TabletStamp:
    """Who the tap is (client id), when it happened by the tablet's clock, when the tablet sent it, and when
    the server received it; `digest` identifies what was sent, to tell a replay from a reused id."""

    client_id: str
    received_at: datetime
    recorded_at: datetime | None = None
    sent_at: datetime | None = None
    digest: str = ""

    @property
    def clock_offset(self) -> timedelta:
        """How far the server's clock is ahead of the tablet's: receipt time minus the tablet's send time
        (the request's own travel time, well under a second, is not worth correcting)."""
        return self.received_at - self.sent_at if self.sent_at is not None else timedelta(0)

    def when(self, floor: datetime | None) -> datetime:
        """The time the step is charted at: the tablet's time of the tap moved onto the server's clock
        (plus `clock_offset`), and kept between the session's previous event (`floor`: a tap cannot come
        before the step it follows) and the receipt (nor after the server heard of it). So a massage
        finished offline ends when the therapist tapped Finish, not when the Wi-Fi came back, and its
        hands-on minutes are the tablet's."""
        if self.recorded_at is None:
            return self.received_at
        moment = self.recorded_at + self.clock_offset
        if floor is not None and moment < floor:
            moment = floor
        return min(moment, self.received_at)


def read_stamp(
    headers: Mapping[str, str], body: bytes, path: str, received_at: datetime
) -> TabletStamp | None:
    """The tablet's headers, checked; None when the request carries none (a plain form post)."""
    client_id = headers.get(CLIENT_ID_HEADER)
    recorded, sent = headers.get(RECORDED_HEADER), headers.get(SENT_HEADER)
    if client_id is None:
        if recorded or sent:
            raise InvalidInput("A step with the tablet's times needs its submission id (Bedside-Client-Id).")
        return None
    if not CLIENT_ID.match(client_id):
        raise InvalidInput("The submission id must be 8 to 64 letters, digits, - or _; nothing was stored.")
    recorded_at = _tablet_time(recorded, "recorded") if recorded else None
    sent_at = _tablet_time(sent, "sent") if sent else None
    stamp = TabletStamp(client_id, received_at, recorded_at, sent_at, body_digest(path, body))
    if recorded_at is not None:
        latest = sent_at if sent_at is not None else received_at
        if recorded_at > latest + SLACK:
            raise InvalidInput(
                "This step says it was recorded after it was sent: check the tablet's date and time."
            )
        if stamp.when(None) < received_at - MAX_AGE:
            raise InvalidInput(
                "This step was recorded on the tablet more than 3 days ago; it was not charted. "
                "Chart it again if it still applies."
            )
    if sent_at is not None and recorded_at is None:
        raise InvalidInput("A step with the tablet's send time needs its recorded time too.")
    return stamp


def body_digest(path: str, body: bytes) -> str:
    """What was sent, minus the form's CSRF token (the tablet sends the current one, which may change)."""
    text = body.decode("utf-8", "replace")
    if "_csrf_token=" in text:
        text = urlencode([(k, v) for k, v in parse_qsl(text, keep_blank_values=True) if k != "_csrf_token"])
    return hashlib.sha256(f"{path}\n{text}".encode()).hexdigest()


def latest_event(s: MassageSession) -> datetime | None:
    """The session's last recorded moment: a step sent later cannot be charted before it."""
    moments = [
        s.created_at,
        s.screened_at,
        s.consent_at,
        s.started_at,
        s.paused_at,
        s.running_since,
        s.massage_ended_at,
        s.completed_at,
    ]
    known = [m for m in moments if m is not None]
    return max(known) if known else None


async def _receipt(db: AsyncSession, client_id: str) -> TabletStep | None:
    return (await db.exec(select(TabletStep).where(TabletStep.client_id == client_id))).first()


async def _as_first(
    db: AsyncSession, first: TabletStep, session_id: int, stamp: TabletStamp
) -> MassageSession:
    """A step already applied: answer with the session as it is, or refuse an id reused for another step."""
    if first.session_id != session_id or first.body_digest != stamp.digest:
        raise StepReplayMismatch(
            "This submission id was already used for a different step; nothing was stored."
        )
    massage_session = await db.get(MassageSession, session_id)
    assert massage_session is not None
    return massage_session


async def apply_once(
    db: AsyncSession,
    actor: Actor,
    session_id: int,
    stamp: TabletStamp,
    step: str,
    apply: Callable[[datetime], Awaitable[MassageSession]],
) -> MassageSession:
    """Apply a tablet's step once, at the tablet's corrected time. The receipt is inserted in the step's own
    transaction, so the database's unique client id decides between two requests at once: the one that
    loses (a unique violation, or a refusal because the winner already changed the session) is rolled back
    and answered as the first, which is what a retry after a lost answer must see."""
    first = await _receipt(db, stamp.client_id)
    if first is not None:
        return await _as_first(db, first, session_id, stamp)
    massage_session = await db.get(MassageSession, session_id)
    if massage_session is None:
        raise NotFound("No such massage session.")
    at = stamp.when(latest_event(massage_session))
    db.add(
        TabletStep(
            client_id=stamp.client_id,
            session_id=session_id,
            user_id=actor.user_id,  # type: ignore[arg-type]
            step=step,
            body_digest=stamp.digest,
            tablet_recorded_at=stamp.recorded_at,
            tablet_sent_at=stamp.sent_at,
            received_at=stamp.received_at,
            applied_at=at,
        )
    )
    try:
        applied = await apply(at)
        await db.commit()  # the receipt, if the step itself had nothing to write
    except (IntegrityError, Conflict):
        await db.rollback()
        first = await _receipt(db, stamp.client_id)
        if first is None:
            raise
        return await _as_first(db, first, session_id, stamp)
    return applied
