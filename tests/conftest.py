"""Shared fixtures: a migrated SQLite database per test (copied from one migrated template), the app,
and signed-in clients for each role."""

from __future__ import annotations

import asyncio
import faulthandler
import json
import re
import shutil
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server import db
from server.app import create_app
from server.clock import SetClock
from server.settings import Settings
from tests import databases
from tests.clock import TEST_TIMEZONE, set_clock
from tests.factories import PASSWORD, World, build_world


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to copy for each test: a SQLite file, or a PostgreSQL template database."""
    if not databases.ADMIN_DSN:
        path = tmp_path_factory.mktemp("template") / "bedside.db"
        db.migrate(f"sqlite+aiosqlite:///{path}")
        yield str(path)
        return
    name = databases.new_database_name("bedside_template")
    databases.create_database(name)
    db.migrate(databases.database_url(name))
    yield name
    databases.drop_database(name)


@pytest.fixture
def settings(tmp_path: Path, migrated_template: str) -> Iterator[Settings]:
    common = {
        "data_dir": tmp_path,
        "secret_key": "s" * 64,
        "migrate_on_start": False,
        "expiry_sweep_seconds": 0.2,
        "session_check_seconds": 0.2,
        "idle_minutes": 24 * 60,  # tests move the clock by hours; test_sign_in_limits sets its own
        "lock_minutes": 24 * 60,  # likewise; test_pin_and_auto_lock sets the default 3
        "timezone": TEST_TIMEZONE,
        "debug": True,
    }
    if not databases.ADMIN_DSN:
        shutil.copy(migrated_template, tmp_path / "bedside.db")
        yield Settings(**common)  # type: ignore[arg-type]
        return
    name = databases.new_database_name("bedside_test")
    databases.create_database(name, template=migrated_template)
    yield Settings(database_url=databases.database_url(name), **common)  # type: ignore[arg-type]
    databases.drop_database(name)


@pytest.fixture
def clock() -> SetClock:
    """The test's clock, standing at the run's instant (tests/clock.py) until the test moves it."""
    return set_clock()


@pytest.fixture
async def world(settings: Settings, clock: SetClock) -> World:
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, clock)() as session:
        built = await build_world(session, clock)
    await engine.dispose()
    return built


@pytest.fixture
def app(settings: Settings, clock: SetClock, world: World) -> Litestar:
    return create_app(settings, clock)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as test_client:
        yield test_client


class As:
    """One signed-in person on the shared test client: their own cookies and CSRF token for each call."""

    def __init__(self, client: AsyncTestClient, username: str) -> None:
        self.client = client
        self.username = username
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def _use(self) -> None:
        self.client.cookies.clear()
        for name, value in self.cookies.items():
            self.client.cookies.set(name, value)

    def _keep(self) -> None:
        self.cookies = {cookie.name: cookie.value for cookie in self.client.cookies.jar}  # type: ignore[misc]
        self.csrf = self.cookies.get("csrftoken", self.csrf)

    async def sign_in(self, password: str = PASSWORD) -> None:
        response = await self.get("/signin")
        assert response.status_code == 200
        response = await self.post("/signin", data={"username": self.username, "password": password})
        assert response.status_code == 303, response.text

    async def get(self, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
        self._use()
        response = await self.client.get(url, **kwargs)  # type: ignore[arg-type]
        self._keep()
        return response

    async def post(self, url: str, *, htmx: bool = False, csrf: bool = True, **kwargs: object):  # type: ignore[no-untyped-def]
        self._use()
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        if csrf:
            headers["x-csrftoken"] = self.csrf
        if htmx:
            headers["HX-Request"] = "true"
        response = await self.client.post(url, headers=headers, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
        self._keep()
        return response

    async def websocket(self, url: str, origin: str | None = None, resume: dict[int, int] | None = None):  # type: ignore[no-untyped-def]
        """A tablet's socket; on opening it says what it has applied, as the page does (`resume`: unit ->
        last event number; none, the default, asks for the whole screen)."""
        self._use()
        session = await self.client.websocket_connect(
            url, headers={"origin": origin or "http://testserver.local"}
        )
        return Tablet(session, {"type": "resume", "seqs": {str(u): s for u, s in (resume or {}).items()}})


class Tablet:
    """A tablet's socket as the test client runs it (the app on the client's portal thread), with three
    changes: it sends the page's first message (the resume request) as soon as it opens; the app waits for
    the tablet's frames by polling every few milliseconds, not by spinning (Litestar's own session
    spins, and a few open sockets then starve the database threads: every query took 0.2-0.6 s); and
    closing it waits until the server's handler has finished, clean-up writes included."""

    def __init__(self, session, hello: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
        self.session, self.hello = session, hello
        self.finished = threading.Event()
        session.do_asgi_call = self._run_app

    async def _run_app(self) -> None:
        session = self.session

        async def receive() -> dict[str, object]:
            while session.receive_queue.empty():
                await asyncio.sleep(POLL_SECONDS)
            return session.receive_queue.get()  # type: ignore[no-any-return]

        async def send(message: dict[str, object]) -> None:
            session.send_queue.put(message)

        try:
            await session.client.app(session.scope, receive, send)
        except BaseException as exc:
            session.send_queue.put(exc)
            raise
        finally:
            self.finished.set()

    def __enter__(self):  # type: ignore[no-untyped-def]
        opened = self.session.__enter__()
        opened.send_text(json.dumps(self.hello))
        return opened

    def __exit__(self, *exc: object) -> None:
        self.session.__exit__(*exc)
        if not self.finished.wait(HANDLER_SECONDS) and exc[0] is None:
            faulthandler.dump_traceback()
            raise AssertionError(f"the server's socket handler still ran {HANDLER_SECONDS} s after closing")


POLL_SECONDS = 0.002
HANDLER_SECONDS = 10.0


@pytest.fixture
def sign_in_as(client: AsyncTestClient):  # type: ignore[no-untyped-def]
    async def sign_in(username: str) -> As:
        person = As(client, username)
        await person.sign_in()
        return person

    return sign_in


def until_frame_with(ws, needle: str, seconds: float = 2.0) -> str:  # type: ignore[no-untyped-def]
    """The first frame containing `needle`, read within the time a user would wait."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no frame with {needle!r} within {seconds} s"
        frame = ws.receive_text(timeout=left)
        if needle in frame:
            return frame


def text_of(html: str) -> str:
    """Visible text, whitespace collapsed: what a user reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


ALL_CLEAR = {
    "fever": "no",
    "dvt": "no",
    "low_platelets": "no",
    "fracture": "no",
    "wound": "no",
    "unstable": "no",
    "declines": "no",
}


async def ready_session(therapist: As, patient_id: int) -> int:
    """Start a session, screen it all clear, record verbal consent: ready for the pre score."""
    started = await therapist.post(f"/api/patients/{patient_id}/sessions")
    assert started.status_code == 201, started.text
    session_id = int(started.json()["id"])
    screened = await therapist.post(f"/api/sessions/{session_id}/screening", json={"answers": ALL_CLEAR})
    assert screened.status_code == 200, screened.text
    consented = await therapist.post(f"/api/sessions/{session_id}/consent", json={"by": "patient"})
    assert consented.status_code == 200, consented.text
    return session_id


SIGNABLE = {
    "techniques": ["Swedish"],
    "regions": ["upper back", "left shoulder"],
    "pressure": 2,
    "position": "side-lying",
    "response": "relaxed",
    "subjective": "Back ache eased",
    "objective": "Shoulders softened",
    "assessment": "Good response",
    "plan": "Repeat tomorrow",
}
"""A record that passes the checks for the factories' default order (Swedish, maximum pressure 2)."""
