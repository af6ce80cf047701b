"""The nurse and the therapist in conversation: massage in progress on the board, an interruption shown
full-screen on the tablet, the acknowledgement back on the board; a dropped socket that catches up; and
a tap that fails, said so."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import Server, screenshot, sign_in, wait_live


def start_massage(page: Page, patient: str) -> None:
    page.locator("article.card", has_text=patient).get_by_role("link").tap()
    page.get_by_role("button", name="Start session").tap()
    expect(page.locator(".screening-item")).to_have_count(7)
    for question in page.locator(".screening-item").all():
        question.get_by_label("No").tap()
    page.get_by_role("button", name="Record the screen").tap()
    page.get_by_role("button", name="Patient agreed (verbal)").tap()
    page.get_by_role("button", name="Pre pain 5 of 10").tap()
    expect(page.locator("#session-panel")).to_contain_text("Massage in progress")


def test_nurse_interrupts_a_running_massage_and_sees_it_acknowledged(
    page: Page, second_context: BrowserContext
) -> None:
    therapist = page
    sign_in(therapist, "tara")
    start_massage(therapist, "Rennick, Calla")
    wait_live(therapist)

    nurse = second_context.new_page()
    sign_in(nurse, "nina")
    wait_live(nurse)
    expect(nurse.locator(".presence")).to_contain_text("Therapist tablets connected: Tara Quill")
    row = nurse.locator("article.board-row", has_text="Rennick, Calla")
    expect(row.locator(".in-progress")).to_contain_text(
        "Massage in progress, room 417, Tara Quill, until about"
    )
    screenshot(nurse, "board-massage-in-progress")
    row.locator(".interrupt-form").get_by_role("button", name="Clinically unstable").tap()

    overlay = therapist.get_by_role("alertdialog")
    expect(overlay).to_contain_text("Nina Okafor is interrupting", timeout=3000)
    expect(overlay).to_contain_text("Clinically unstable")
    screenshot(therapist, "interruption-full-screen")
    stopped_at = therapist.locator("[id^=session-timer-]").text_content()
    assert therapist.locator("[id^=session-timer-]").text_content() == stopped_at, "the timer stopped"
    overlay.get_by_role("button", name="Acknowledged").tap()
    expect(therapist.get_by_role("alertdialog")).to_have_count(0)
    expect(therapist.locator("#session-panel")).to_contain_text("Paused")

    expect(row.locator(".interruption-status")).to_contain_text("acknowledged by Tara Quill", timeout=3000)
    screenshot(nurse, "board-acknowledged")
    therapist.get_by_role("button", name="Resume").tap()
    expect(therapist.locator("#session-panel")).to_contain_text("Massage in progress")
    expect(row.locator(".in-progress")).to_contain_text("Massage in progress", timeout=3000)


def test_a_tablet_that_lost_its_connection_catches_up_without_a_reload(
    page: Page, second_context: BrowserContext, server: Server
) -> None:
    therapist = page
    sign_in(therapist, "tara")
    wait_live(therapist)
    cards_before = therapist.locator("article.card").count()
    therapist.evaluate("() => { window.__notReloaded = true; htmx.config.wsReconnectDelay = () => 4000; }")
    expect(therapist.locator("#unit-seq-1")).to_be_attached()  # the socket's first screen is applied
    therapist.evaluate(
        "() => document.querySelectorAll('article.card').forEach(c => c.dataset.drawnBefore = '1')"
    )
    seq_before = int(therapist.locator("#unit-seq-1").get_attribute("data-seq") or "0")
    nurse = second_context.new_page()
    sign_in(nurse, "nina")
    headers = {"x-csrftoken": next(c["value"] for c in second_context.cookies() if c["name"] == "csrftoken")}
    board = nurse.request.get("/api/units/1/patients").json()
    ids = {p["name"]: p["id"] for p in board}

    server.stop()
    expect(therapist.locator("body")).to_have_attribute("data-ws", "closed")
    server.start()
    for patient, kind in (("Orlay, Fennick", "imaging"), ("Stolwick, Ember", "dialysis")):
        assert (
            nurse.request.post(
                f"/api/patients/{ids[patient]}/flags", data={"kind": kind}, headers=headers
            ).status
            == 201
        )
    stolwick_flag = nurse.request.get("/api/units/1/patients").json()
    flag_id = next(p["flag"]["id"] for p in stolwick_flag if p["name"] == "Stolwick, Ember")
    assert nurse.request.post(f"/api/flags/{flag_id}/clear", headers=headers).status == 200

    wait_live(therapist)
    expect(
        therapist.locator("article.card", has_text="Orlay, Fennick").locator(".availability")
    ).to_contain_text("Unavailable: Imaging")
    expect(
        therapist.locator("article.card", has_text="Stolwick, Ember").locator(".availability")
    ).to_have_text("Available")
    ids_on_screen = therapist.locator("article.card").evaluate_all("cards => cards.map(c => c.id)")
    assert len(ids_on_screen) == cards_before == len(set(ids_on_screen)), "nothing missing, nothing twice"
    assert therapist.evaluate("() => window.__notReloaded === true")
    redrawn = therapist.locator("article.card:not([data-drawn-before]) .patient-name").all_text_contents()
    assert sorted(redrawn) == [
        "Orlay, Fennick",
        "Stolwick, Ember",
    ], "the tablet resumed by number: only the two patients it missed were sent again"
    expect(therapist.locator("#unit-seq-1")).to_have_attribute("data-seq", str(seq_before + 3))
    screenshot(therapist, "worklist-after-reconnect")


def test_hospice_opens_the_comfort_care_log_and_downloads_the_pdf(page: Page) -> None:
    sign_in(page, "hugo")
    page.get_by_role("link", name="Comfort-care log: Almont, Greer").tap()
    expect(page.get_by_role("heading", name="Pain trend")).to_be_visible()
    expect(page.get_by_role("img", name="Pain before and after massage")).to_be_visible()
    expect(page.locator(".comfort-log form, .comfort-log button")).to_have_count(0)  # read-only
    screenshot(page, "comfort-care-log")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").tap()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = download.path()
    assert path is not None and Path(path).read_bytes().startswith(b"%PDF-")


def test_the_header_tells_the_truth_about_the_connection(page: Page) -> None:
    """'Live', 'Offline' the moment the browser loses the network, and a reconnect that is never more
    than 1.5 s away (with jitter), so the tablet is live again within 2 s of the network coming back."""
    sign_in(page, "tara")
    wait_live(page)
    header = page.locator("#ws-status")
    expect(header).to_have_text("Live")
    page.context.set_offline(True)
    expect(header).to_have_text("Offline")
    page.context.set_offline(False)
    expect(header).to_have_text("Live")
    delays = page.evaluate(
        "() => [0, 1, 3, 6, 20].flatMap(n => Array.from({length: 50}, () => htmx.config.wsReconnectDelay(n)))"
    )
    assert max(delays) <= 1500 and min(delays) >= 0 and len(set(delays)) > 1, "capped, and jittered"


def test_a_tap_that_fails_says_so_and_changes_nothing(page: Page) -> None:
    """No silent failed tap: a request that gets no answer (the network gone under it) and a busy server's
    503 each say so at once, and the board does not show the flag as set; the next tap that gets through
    takes the message away."""
    sign_in(page, "nina")
    wait_live(page)
    row = page.locator("article.board-row", has_text="Pellworth, Dorian")
    available = re.compile(r"^\s*Available")
    expect(row.locator(".availability")).to_have_text(available)
    alert = page.locator("#messages").get_by_role("alert")

    page.route("**/unavailable", lambda route: route.abort())
    row.get_by_role("button", name="Imaging").tap()
    expect(alert).to_contain_text("could not be reached from this tablet, so nothing was changed")
    expect(alert).to_be_in_viewport()  # the row is far down the board: the message is where the nurse is
    expect(page.locator("#ws-status")).to_have_text("Cannot reach Bedside")
    page.unroute("**/unavailable")
    page.route("**/unavailable", lambda route: route.fulfill(status=503, body="Service Unavailable"))
    row.get_by_role("button", name="Imaging").tap()
    expect(alert).to_contain_text("Bedside is busy right now, so nothing was changed")
    expect(row.locator(".availability")).to_have_text(available)
    screenshot(page, "board-tap-failed")
    page.unroute("**/unavailable")

    row.get_by_role("button", name="Imaging").tap()
    expect(row.locator(".availability")).to_contain_text("Unavailable: Imaging")
    expect(alert).to_have_count(0)
    expect(page.locator("#ws-status")).to_have_text("Live")
    row.get_by_role("button", name="Mark available").tap()
    expect(row.locator(".availability")).to_have_text(available)
