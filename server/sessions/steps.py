"""What a session-step handler is given, for the pages and the JSON API alike: the step (who acts on
which session, in which unit of work, at what time), and the hands-on moves that need nothing more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.errors import NotFound
from server.sessions import charting, service, tablet
from server.sessions.models import MassageSession
from server.sessions.service import SessionView
from server.sessions.tablet import TabletStamp
from server.web import AppClock, DbSession, SignedIn

T = TypeVar("T")


@dataclass(frozen=True)
class SessionStep:
    db: AsyncSession
    actor: Actor
    session_id: int
    now: datetime
    tablet: TabletStamp | None = None
    """Sent from a tablet's outbox: its id for the tap and its times (sessions/tablet.py)."""

    async def run(self, use_case: Callable[..., Awaitable[T]], patient_id: int | None, **details: Any) -> T:
        """Call a session use case the way they all are called: who, which session, the patient the
        entry names (refused if it is another), its details, and now. A step from a tablet's outbox is
        applied once, at the tablet's (corrected) time of the tap."""
        if self.tablet is None or use_case not in TABLET_STEPS:
            return await use_case(
                self.db, self.actor, self.session_id, patient_id=patient_id, now=self.now, **details
            )

        async def apply(at: datetime) -> MassageSession:
            return await use_case(
                self.db, self.actor, self.session_id, patient_id=patient_id, now=at, **details
            )  # type: ignore[no-any-return]

        applied = await tablet.apply_once(
            self.db, self.actor, self.session_id, self.tablet, TABLET_STEPS[use_case], apply
        )
        return applied  # type: ignore[return-value]

    async def view(self) -> SessionView:
        """The session as it is after the step (the step itself was audited)."""
        return await service.session_view(self.db, self.actor, self.session_id, audit=False)


Step = NamedDependency[SessionStep]
"""How a handler asks for its step (provided by `provide_step` on the session controllers)."""


async def provide_step(
    request: Request, db: DbSession, actor: SignedIn, clock: AppClock, session_id: FromPath[int]
) -> SessionStep:
    now = clock.now()
    stamp = tablet.read_stamp(request.headers, await request.body(), request.url.path, now)
    return SessionStep(db, actor, session_id, now, stamp)


Move = Callable[..., Awaitable[MassageSession]]
HANDS_ON: dict[str, Move] = {
    "pause": charting.pause_session,
    "resume": charting.resume_session,
    "finish": service.finish_massage,
}
"""Pause, resume, and finish the massage (hands off): the timer's moves; pauses are not counted."""


TABLET_STEPS: dict[Callable[..., Awaitable[Any]], str] = {
    charting.pause_session: "pause",
    charting.resume_session: "resume",
    service.finish_massage: "finish",
    charting.sign_session: "sign",
    service.stop_session: "stop",
    service.record_screening: "screening",
    service.record_consent: "consent",
    service.reschedule_session: "reschedule",
}
"""The steps a tablet may queue offline and send later, each applied once (scores have their own id)."""


async def move_hands_on(step: SessionStep, move: str, patient_id: int | None) -> MassageSession:
    if move not in HANDS_ON:
        raise NotFound(f"A session has no step {move!r}.")
    return await step.run(HANDS_ON[move], patient_id)
