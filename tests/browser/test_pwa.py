"""Bedside as an app on the tablet: Chromium itself says it can be installed; with the network gone a page
shows our offline page, not the browser's error; and the service worker's cache never holds a patient page.

Going offline honestly: `context.set_offline` does not cut the service worker's own fetches, so its
requests are also aborted by a route, which Playwright only sees with the variable below set before its
driver starts (this module is imported before any browser is launched)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, Route, expect

from server.pwa import shell
from tests.browser.conftest import CHROMIUM_ARGS, TABLET, Server, screenshot, sign_in
from tests.browser.test_accessibility import violations

os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) { urls.push([name, request.url]); }
  }
  return urls;
}"""


def wait_for_service_worker(page: Page) -> None:
    """Active, and controlling this page (the page that registered it is only claimed; reload to be sure)."""
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


@pytest.fixture
def installed(playwright: Playwright, server: Server, tmp_path: Path) -> Iterator[BrowserContext]:
    """A tablet's own profile: Playwright's usual contexts are incognito-like, where Chromium never offers
    to install an app."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path="/usr/bin/chromium",
        args=CHROMIUM_ARGS,
        base_url=server.url,
        **TABLET,
    )
    yield context
    context.close()


def test_chromium_finds_bedside_installable(installed: BrowserContext) -> None:
    page = installed.pages[0] if installed.pages else installed.new_page()
    page.goto("/signin")
    wait_for_service_worker(page)
    cdp = installed.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and manifest["errors"] == []


def cut_the_network(context: BrowserContext) -> None:
    """For the page and for the service worker alike, as when the tablet loses the Wi-Fi."""

    def abort_service_worker(route: Route) -> None:
        if route.request.service_worker is not None:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route("**/*", abort_service_worker)
    context.set_offline(True)


def test_with_the_network_gone_a_page_shows_the_offline_page_until_it_returns(page: Page) -> None:
    page.goto("/signin")
    wait_for_service_worker(page)
    cut_the_network(page.context)
    page.goto("/worklist")
    expect(page.get_by_role("heading", name="No network")).to_be_visible()
    expect(page.get_by_role("link", name="Try again")).to_have_attribute("href", "/")
    assert urlsplit(page.url).path == "/worklist", "the person stays where they were going"
    screenshot(page, "offline")
    assert violations(page) == []
    page.context.unroute("**/*")
    page.context.set_offline(False)  # back by itself, where the person was going (the sign-in, here)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert urlsplit(page.url).path == "/signin"


def test_the_cache_holds_the_shell_and_no_patient_page(page: Page) -> None:
    sign_in(page, "tara")
    wait_for_service_worker(page)
    expect(page.locator("article.card").first).to_be_visible()
    page.locator("article.card").first.get_by_role("link").tap()
    expect(page.locator(".patient-header")).to_be_visible()
    page.goto("/worklist")  # through the service worker, which must not keep it
    expect(page.locator("article.card").first).to_be_visible()
    cached = page.evaluate(CACHED_URLS)
    assert {name for name, _ in cached} == {page.evaluate("caches.keys()")[0]}, "one cache, the current shell"
    paths = sorted(urlsplit(url).path for _, url in cached)
    assert paths == sorted(shell())
    assert [p for p in paths if p.startswith(("/worklist", "/patients", "/api", "/ws"))] == []
