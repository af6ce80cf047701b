"""One real server for the whole browser run: uvicorn on a free loopback port, demo data, embedded default.

Each test gets a fresh browser context (Playwright's default); Debian's Chromium, tablet viewport, touch.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.demo import DEMO_PASSWORD
from tests import databases
from tests.clock import server_env

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-results" / "screenshots"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TABLET = {
    "viewport": {"width": 800, "height": 1280},
    "has_touch": True,
    "is_mobile": True,
    "device_scale_factor": 1,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The real app under uvicorn, with demo data; can be restarted on the same port and data."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir, self.env = data_dir, env
        self.database_url = ""
        """Set by `demo_server`: where the tests can read what the server stored."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, demo: bool = False) -> None:
        log = (self.data_dir / "server.log").open("a")
        command = [sys.executable, "-m", "tests.serve", "serve", "--port", str(self.port)] + (
            ["--demo"] if demo else []
        )
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/signin", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start; see {self.data_dir / 'server.log'}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM: a graceful shutdown, which closes every tablet's socket with 1012."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(15)


@contextmanager
def demo_server(data_dir: Path, name: str, **settings: str) -> Iterator[Server]:
    """The real server with the demo on a database of its own: SQLite in `data_dir`, or in the PostgreSQL
    pass a fresh database named after `name`, dropped afterwards. `database_url` says which."""
    database = databases.new_database_name(name) if databases.ADMIN_DSN else ""
    if database:
        databases.create_database(database)
    database_url = databases.database_url(database) if database else ""
    env = {**os.environ, "BEDSIDE_DATA_DIR": str(data_dir), "DATABASE_URL": database_url, **server_env()}
    running = Server(data_dir, {**env, **settings})
    running.database_url = database_url or f"sqlite+aiosqlite:///{data_dir / 'bedside.db'}"
    running.start(demo=True)
    try:
        yield running
    finally:
        running.stop()
        if database:
            databases.drop_database(database)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with demo_server(tmp_path_factory.mktemp("bedside-browser"), "bedside_browser") as running:
        yield running


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:  # overrides pytest-playwright's: page.goto("/") uses it
    return server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, **TABLET}


def sign_in(page: Page, username: str) -> None:
    page.goto("/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    expect(page.locator(".topbar .who")).to_be_visible()


def wait_live(page: Page) -> None:
    """A push sent before the socket is open would be missed by the test (the page would catch up on load)."""
    expect(page.locator("body")).to_have_attribute("data-ws", "open")


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def second_context(browser: Browser, browser_context_args: dict) -> Iterator[BrowserContext]:
    context = browser.new_context(**browser_context_args)
    yield context
    context.close()
