"""Charting a session with the network gone: every tap is kept on the tablet and shown as waiting to send,
the session page opens again after a reload, and when the network (or the server) is back each step reaches
the chart exactly once, at the times the tablet recorded. What the server refuses is shown, never dropped.

Offline the honest way (see test_pwa.py): the page is set offline and the service worker's own requests
are aborted too, or the server itself is stopped."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Server, screenshot, sign_in, wait_live
from tests.browser.test_pwa import cut_the_network, wait_for_service_worker

os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

CACHES = "caches.keys()"
OUTBOX = """() => new Promise((resolve) => {
  const opened = indexedDB.open("bedside");
  opened.onsuccess = () => {
    const db = opened.result;
    if (!db.objectStoreNames.contains("outbox")) { resolve([]); return; }
    const all = db.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => resolve(all.result.map((item) => [item.state, item.url.split("/").pop()]));
  };
})"""
DATABASES = "indexedDB.databases().then((all) => all.map((db) => db.name))"
"""What a page can read of the tablet's storage: the service worker's caches and the outbox."""


def waiting(page: Page, n: int) -> None:
    status = page.locator("#outbox-status")
    expect(status).to_have_attribute("data-count", str(n), timeout=20_000)
    if n:
        expect(status).to_have_text(f"Saved on this tablet, waiting to send ({n})")
    else:
        expect(status).to_be_hidden()


def open_session(page: Page, family: str) -> int:
    """Start a session online, screened and consented: the pre score is next. The page is then kept by the
    service worker (it controls the page after the reload)."""
    page.locator("article.card", has_text=family).get_by_role("link").tap()
    # "Continue" when another test of the shared server left this patient's session at its screening
    page.get_by_role("button", name=re.compile(r"^(Start|Continue) session$")).tap()
    expect(page.locator(".screening-item")).to_have_count(7)
    for question in page.locator(".screening-item").all():
        question.get_by_label("No").tap()
    page.get_by_role("button", name="Record the screen").tap()
    page.get_by_role("button", name="Patient agreed (verbal)").tap()
    expect(page.get_by_role("button", name="Pre pain 6 of 10")).to_be_visible()
    wait_for_service_worker(page)
    wait_live(page)
    return int(page.url.rsplit("/", 1)[1])


def chart_to_signed(page: Page) -> None:
    page.get_by_role("button", name="Pre pain 6 of 10").tap()
    expect(page.locator("#session-panel")).to_contain_text("Pain before: 6")
    waiting(page, 1)
    page.get_by_role("button", name="Finish massage").tap()
    page.get_by_role("button", name="Post pain 3 of 10").tap()
    expect(page.locator("#session-panel")).to_contain_text("after 3")
    waiting(page, 3)
    page.get_by_label("Swedish").tap()
    page.get_by_label("upper back").tap()
    page.get_by_label("2: light pressure").tap()
    page.get_by_label("side-lying").tap()
    page.get_by_label("A · Assessment").fill("Calmer, charted offline.")
    page.get_by_role("button", name="Sign and complete").tap()
    expect(page.locator("#session-panel")).to_contain_text("Signed on this tablet")
    waiting(page, 4)


def stored_once(page: Page, session_id: int) -> None:
    session = page.request.get(f"/api/sessions/{session_id}").json()
    assert session["state"] == "completed" and session["signed_at"] is not None
    assert session["soap"]["assessment"] == "Calmer, charted offline."
    pain = [(s["phase"], s["value"]) for s in session["scores"] if s["measure"] == "pain"]
    assert pain == [("pre", 6), ("post", 3)], "each score stored once"
    assert all(s["tablet_recorded_at"] for s in session["scores"]), "the tablet's time is kept"


def test_a_session_charted_offline_and_reloaded_reaches_the_chart_once(page: Page) -> None:
    sign_in(page, "tara")
    session_id = open_session(page, "Corravel, Ines")
    cut_the_network(page.context)
    expect(page.locator("#ws-status")).to_have_text("Offline")
    chart_to_signed(page)
    screenshot(page, "offline-signed-waiting")

    page.reload()  # still offline: the service worker's copy of this session, redrawn from the outbox
    expect(page.locator("#session-panel")).to_contain_text("Signed on this tablet")
    waiting(page, 4)

    page.context.unroute("**/*")
    page.context.set_offline(False)
    waiting(page, 0)
    expect(page.locator("#session-panel")).to_contain_text("Session completed and signed")
    stored_once(page, session_id)
    page.wait_for_function("caches.keys().then((names) => !names.includes('bedside-session'))")


PORTRAIT, LANDSCAPE = {"width": 800, "height": 1280}, {"width": 1280, "height": 800}
WHERE = """(b) => [Math.round(b.getBoundingClientRect().top + window.scrollY),
                   document.querySelector('.topbar').offsetHeight]"""
"""Where a button is on the page (not on the screen: scrolling does not count) and the header's height."""


def test_a_step_being_sent_moves_nothing_under_the_finger(page: Page) -> None:
    """The count waiting to send comes and goes (in the header and on the panel) while the therapist taps the
    next step: in either orientation, the next step's buttons stay exactly where they were (a button that
    moves away between finger down and up is a tap lost without a word)."""
    sign_in(page, "tara")
    open_session(page, "Emberley, Kestrel")
    post_3 = page.get_by_role("button", name="Post pain 3 of 10")
    cut_the_network(page.context)
    page.get_by_role("button", name="Pre pain 6 of 10").tap()
    page.get_by_role("button", name="Finish massage").tap()
    waiting(page, 2)
    queued = {}
    for size in (PORTRAIT, LANDSCAPE):
        page.set_viewport_size(size)
        queued[size["width"]] = post_3.evaluate(WHERE)

    page.context.unroute("**/*")
    page.context.set_offline(False)
    waiting(page, 0)
    expect(page.locator("[data-outbox-note]")).to_have_count(0)
    for size in (LANDSCAPE, PORTRAIT):
        page.set_viewport_size(size)
        assert post_3.evaluate(WHERE) == queued[size["width"]], f"nothing moved at {size['width']} px wide"
    post_3.tap()
    expect(page.locator("#session-panel")).to_contain_text("after 3")


@pytest.fixture
def own_server(tmp_path: Path, server: Server) -> Iterator[Server]:
    """A server of this test's own, to stop and start again (the shared one stays up for the others)."""
    restartable = Server(tmp_path, {**server.env, "BEDSIDE_DATA_DIR": str(tmp_path), "DATABASE_URL": ""})
    restartable.start(demo=True)
    yield restartable
    restartable.stop()


def test_items_queued_while_the_server_restarts_reach_the_chart_once(
    own_server: Server, browser: Browser, browser_context_args: dict
) -> None:
    context: BrowserContext = browser.new_context(**{**browser_context_args, "base_url": own_server.url})
    try:
        page = context.new_page()
        sign_in(page, "tara")
        session_id = open_session(page, "Corravel, Ines")
        own_server.stop()
        chart_to_signed(page)
        page.reload()
        expect(page.locator("#session-panel")).to_contain_text("Signed on this tablet")
        own_server.start()
        waiting(page, 0)
        stored_once(page, session_id)
    finally:
        context.close()


def test_a_step_the_server_refuses_is_shown_with_its_reason_until_the_therapist_resolves_it(
    page: Page, second_context: BrowserContext
) -> None:
    """The therapist's other tablet stopped the session while this one was offline: the finish and the
    post score queued here still reach the server, come back refused with its reason, and stay on screen."""
    sign_in(page, "tara")
    session_id = open_session(page, "Deverill, Jory")
    page.get_by_role("button", name="Pre pain 6 of 10").tap()
    expect(page.locator("#session-panel")).to_contain_text("Massage in progress")
    expect(page.locator("[data-outbox-note]")).to_have_count(0)  # sent: the server answered
    waiting(page, 0)
    cut_the_network(page.context)
    page.get_by_role("button", name="Finish massage").tap()
    page.get_by_role("button", name="Post pain 3 of 10").tap()
    waiting(page, 2)

    other = second_context.new_page()
    sign_in(other, "tara")
    other.goto(f"/sessions/{session_id}")
    other.get_by_label("Stop the session because").select_option("Clinical change")
    other.get_by_role("button", name="Stop session").tap()
    expect(other.locator("#session-panel")).to_contain_text("Stopped: Clinical change")

    page.context.unroute("**/*")
    page.context.set_offline(False)
    waiting(page, 0)
    problems = page.locator("#outbox-problems .outbox-problem")
    expect(problems).to_have_count(2)
    expect(problems.first).to_contain_text("Finish massage")
    expect(problems.first).to_contain_text("Not sent: This session is stopped; it can no longer change.")
    expect(problems.nth(1)).to_contain_text("Pain after: 3")
    expect(page.locator("#session-panel")).to_contain_text("Stopped: Clinical change")
    screenshot(page, "offline-refused")
    page.reload()
    expect(problems).to_have_count(2)  # nothing leaves the outbox without the therapist
    problems.first.get_by_role("button", name="Understood, discard").tap()
    expect(problems).to_have_count(1)

    page.get_by_role("button", name="Lock").tap()
    expect(page.get_by_role("heading", name="This tablet is locked")).to_be_visible()
    assert "bedside-session" not in page.evaluate(CACHES), "the session page is gone from the tablet"
    assert page.evaluate(DATABASES) == ["bedside"]
    assert page.evaluate(OUTBOX) == [["refused", "scores"]], "only what was not sent stays"


def test_sign_out_with_steps_not_sent_warns_and_sends_first(page: Page) -> None:
    sign_in(page, "tara")
    open_session(page, "Brandvik, Hollis")
    assert "bedside-session" in page.evaluate(CACHES)
    cut_the_network(page.context)
    page.get_by_role("button", name="Pre pain 6 of 10").tap()
    waiting(page, 1)
    page.get_by_role("button", name="Sign out").tap()
    sheet = page.get_by_role("dialog")
    expect(sheet.get_by_role("heading")).to_have_text("1 item not sent yet")
    screenshot(page, "offline-sign-out-warning")
    sheet.get_by_role("button", name="Send now").tap()
    expect(sheet).to_contain_text("cannot be reached")

    page.context.unroute("**/*")
    page.context.set_offline(False)
    waiting(page, 0)
    sheet.get_by_role("button", name="Send now").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert "bedside-session" not in page.evaluate(CACHES)
    assert page.evaluate(OUTBOX) == []
