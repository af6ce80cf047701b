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
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.demo import DEMO_PASSWORD
from tests import databases

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


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("bedside-browser")
    port = free_port()
    database = databases.new_database_name("bedside_browser") if databases.ADMIN_DSN else ""
    if database:
        databases.create_database(database)
    env = {
        **os.environ,
        "BEDSIDE_DATA_DIR": str(data_dir),
        "DATABASE_URL": databases.database_url(database) if database else "",
    }
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/signin", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start; see {data_dir / 'server.log'}") from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)
    if database:
        databases.drop_database(database)


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
