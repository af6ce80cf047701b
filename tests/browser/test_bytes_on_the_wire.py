"""What the tablet downloads, as Chromium counts it: the worklist's first visit (page, style sheet, htmx and
every other script and icon) at most 60 KB on the wire; a repeat visit fetches none of the app's files.
The service worker is kept out of this context so that only the browser's own cache is measured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page

from tests.browser.conftest import sign_in

LIMIT = 60 * 1024


@pytest.fixture
def no_worker(browser: Browser, browser_context_args: dict) -> Iterator[BrowserContext]:
    context = browser.new_context(**{**browser_context_args, "service_workers": "block"})
    yield context
    context.close()


class Wire:
    """Every request of the page with the bytes it took on the network (0 when served from a cache)."""

    def __init__(self, page: Page) -> None:
        self.cdp: CDPSession = page.context.new_cdp_session(page)
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, float] = {}
        self.from_cache: set[str] = set()
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.requestServedFromCache", lambda e: self.from_cache.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.send("Network.enable")

    def _sent(self, event: dict) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict) -> None:
        self.bytes[event["requestId"]] = event["encodedDataLength"]

    def _received(self, event: dict) -> None:
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            self.from_cache.add(event["requestId"])

    def reset(self) -> None:
        self.urls.clear(), self.bytes.clear(), self.from_cache.clear()

    def total(self) -> float:
        return sum(size for request, size in self.bytes.items() if request not in self.from_cache)

    def fetched_files(self) -> list[str]:
        return [
            url for request, url in self.urls.items() if "/static/" in url and request not in self.from_cache
        ]


def test_worklist_first_visit_small_repeat_visit_fetches_no_file(
    no_worker: BrowserContext,
) -> None:
    page = no_worker.new_page()
    sign_in(page, "tara")
    wire = Wire(page)
    wire.cdp.send("Network.clearBrowserCache")
    wire.reset()
    page.goto("/worklist", wait_until="networkidle")
    assert page.locator("article.card").count() > 0
    assert any("htmx.min.js" in url for url in wire.urls.values()), "htmx is part of what is counted"
    first = wire.total()
    print(f"worklist first visit: {first / 1024:.1f} KiB on the wire")
    assert first <= LIMIT, f"first visit {first / 1024:.1f} KiB on the wire"

    wire.reset()
    page.goto("/worklist", wait_until="networkidle")
    assert page.locator("article.card").count() > 0
    assert wire.fetched_files() == [], "the app's files come from the tablet's cache"
