"""The session's rules as a state machine, property-tested against the real services and database.

Hypothesis plays random sequences of bedside actions and checks, after every step, that no session
reaches in_progress without a recorded screen and consent, that stopped, completed and rescheduled
sessions stay so (amendments aside), and that a signed record never changes.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlmodel import select

from server import db
from server.auth.models import User
from server.auth.service import load_actor
from server.errors import BedsideError
from server.sessions import charting, interruptions, service
from server.sessions.models import MassageSession
from server.sessions.record import SessionRecord
from server.sessions.rules import ScoreSubmission
from server.sessions.screening import SCREENING_ITEMS
from tests.clock import set_clock
from tests.factories import build_world

TERMINAL = {"stopped", "completed", "rescheduled"}
_template: Path | None = None


def migrated_template() -> Path:
    global _template
    if _template is None:
        _template = Path(tempfile.mkdtemp()) / "template.db"
        db.migrate(f"sqlite+aiosqlite:///{_template}")
    return _template


class LoopThread:
    """An event loop of the machine's own, in a thread: steps are async, Hypothesis is not."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class BedsideSession(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        shutil.copy(migrated_template(), self.folder / "bedside.db")
        self.loop = LoopThread()
        self.clock = set_clock()
        self.now = self.clock.now()
        self.loop.run(self._setup())
        self.terminal: str | None = None
        self.signed_record: dict[str, object] | None = None
        self.counter = 0

    async def _setup(self) -> None:
        self.engine = db.make_engine(f"sqlite+aiosqlite:///{self.folder / 'bedside.db'}")
        self.sessions = db.make_session_maker(self.engine, self.clock)
        async with self.sessions() as session:
            world = await build_world(session, self.clock)
            users = {u.username: u.id for u in (await session.exec(select(User))).all()}
            self.therapist = await load_actor(session, users["therapist"])  # type: ignore[arg-type]
            self.nurse = await load_actor(session, users["nurse"])  # type: ignore[arg-type]
            self.patient = world.patient_ids["ada"]
            started = await service.start_session(
                session,
                self.therapist,
                self.patient,
                now=self.now,  # type: ignore[arg-type]
                today=self.clock.today(),
            )
            self.session_id = started.id

    def teardown(self) -> None:
        self.loop.run(self.engine.dispose())
        self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def act(self, step: Any) -> None:
        """Run one action; a refusal (a domain error) is a legal outcome that must change nothing."""
        self.now = self.clock.advance(minutes=1)
        self.counter += 1

        async def attempt() -> None:
            async with self.sessions() as session:
                try:
                    await step(session)
                except BedsideError:
                    await session.rollback()

        self.loop.run(attempt())

    def current(self) -> MassageSession:
        async def read() -> MassageSession:
            async with self.sessions() as session:
                found = await session.get(MassageSession, self.session_id)
                assert found is not None
                return found

        return self.loop.run(read())

    @rule(answer=st.sampled_from(["no", "modify", "stop"]))
    def screen(self, answer: str) -> None:
        answers = dict.fromkeys(SCREENING_ITEMS, "no") | {"fever": answer}
        self.act(
            lambda s: service.record_screening(
                s, self.therapist, self.session_id, patient_id=self.patient, answers=answers, now=self.now
            )
        )

    @rule()
    def consent(self) -> None:
        self.act(
            lambda s: service.record_consent(
                s,
                self.therapist,
                self.session_id,
                patient_id=self.patient,
                by="patient",
                surrogate_name="",
                now=self.now,
            )
        )

    @rule(
        phase=st.sampled_from(["pre", "post"]),
        value=st.integers(-2, 12),
        not_obtainable=st.sampled_from(["", "", "asleep"]),
    )
    def score(self, phase: str, value: int, not_obtainable: str) -> None:
        submission = ScoreSubmission(
            f"sm-{self.counter:06d}",
            self.session_id,
            self.patient,
            phase,
            value,
            not_obtainable=not_obtainable,
        )
        self.act(lambda s: service.record_score(s, self.therapist, submission, now=self.now))

    @rule()
    def pause(self) -> None:
        self.act(
            lambda s: charting.pause_session(
                s, self.therapist, self.session_id, patient_id=self.patient, now=self.now
            )
        )

    @rule()
    def resume(self) -> None:
        self.act(
            lambda s: charting.resume_session(
                s, self.therapist, self.session_id, patient_id=self.patient, now=self.now
            )
        )

    @rule()
    def interrupt(self) -> None:
        self.act(
            lambda s: interruptions.interrupt_session(
                s,
                self.nurse,
                self.session_id,
                patient_id=self.patient,
                reason="Procedure now",
                note="",
                now=self.now,
            )
        )

    @rule()
    def finish(self) -> None:
        self.act(
            lambda s: service.finish_massage(
                s, self.therapist, self.session_id, patient_id=self.patient, now=self.now
            )
        )

    @rule()
    def stop(self) -> None:
        self.act(
            lambda s: service.stop_session(
                s,
                self.therapist,
                self.session_id,
                patient_id=self.patient,
                reason="Clinical change",
                now=self.now,
            )
        )

    @rule()
    def reschedule(self) -> None:
        self.act(
            lambda s: service.reschedule_session(
                s,
                self.therapist,
                self.session_id,
                patient_id=self.patient,
                reason="family",
                due=None,
                now=self.now,
            )
        )

    @rule(pressure=st.integers(1, 5))
    def sign(self, pressure: int) -> None:
        record = SessionRecord(
            techniques=["Swedish"],
            regions=["upper back"],
            pressure=pressure,
            pressure_reason="asked for it",
            position="supine",
        )
        self.act(
            lambda s: charting.sign_session(
                s,
                self.therapist,
                self.session_id,
                patient_id=self.patient,
                record=record,
                note="",
                now=self.now,
            )
        )

    @rule()
    def amend(self) -> None:
        self.act(
            lambda s: charting.amend_session(
                s,
                self.therapist,
                self.session_id,
                patient_id=self.patient,
                reason="correction",
                text="Corrected.",
                now=self.now,
            )
        )

    @invariant()
    def in_progress_only_after_screen_and_consent(self) -> None:
        current = self.current()
        if current.state in ("in_progress", "paused"):
            assert current.screened_at is not None and current.consent_at is not None

    @invariant()
    def terminal_states_stay_terminal_and_signed_records_never_change(self) -> None:
        current = self.current()
        if self.terminal is not None:
            assert current.state == self.terminal
        elif current.state in TERMINAL:
            self.terminal = current.state
        record = current.model_dump(exclude={"id"})
        if self.signed_record is not None:
            assert record == self.signed_record
        elif current.signed_at is not None:
            self.signed_record = record


BedsideSession.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_session_rules_hold_for_any_sequence_of_bedside_actions = BedsideSession.TestCase
