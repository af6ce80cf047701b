"""The bedside loop as two people see it: a nurse at the board, a therapist at the bedside."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import screenshot, sign_in, wait_live


def test_nurse_flag_changes_the_therapists_worklist_live_then_therapist_records_pain(
    page: Page, second_context: BrowserContext
) -> None:
    therapist = page
    sign_in(therapist, "tara")
    expect(therapist).to_have_url(re.compile(r"/worklist$"))
    wait_live(therapist)
    card = therapist.locator("article.card", has_text="Vexley, Marlo")
    expect(card.locator(".availability")).to_have_text("Available")
    screenshot(therapist, "worklist-before")

    nurse = second_context.new_page()
    sign_in(nurse, "nina")
    row = nurse.locator("article.board-row", has_text="Vexley, Marlo")
    row.get_by_label("Note (optional)").fill("CT abdomen")
    row.get_by_role("button", name="Imaging").tap()
    expect(row.locator(".availability")).to_contain_text("Unavailable: Imaging")
    screenshot(nurse, "board-after-flag")

    therapist.evaluate("() => { window.__notReloaded = true; }")
    expect(card.locator(".availability")).to_contain_text("Unavailable: Imaging · CT abdomen", timeout=3000)
    assert therapist.evaluate("() => window.__notReloaded === true")
    screenshot(therapist, "worklist-after-flag")

    row.get_by_role("button", name="Mark available").tap()
    expect(card.locator(".availability")).to_have_text("Available", timeout=3000)

    card.get_by_role("link").tap()
    expect(therapist.locator(".patient-header")).to_contain_text("MRN DEMO-1001")
    screenshot(therapist, "patient-page")
    therapist.get_by_role("button", name="Start session").tap()
    expect(therapist.locator(".screening-item")).to_have_count(7)
    for question in therapist.locator(".screening-item").all():
        question.get_by_label("No").tap()
    screenshot(therapist, "session-screening")
    therapist.get_by_role("button", name="Record the screen").tap()
    therapist.get_by_role("button", name="Patient agreed (verbal)").tap()
    therapist.get_by_role("button", name="Pre pain 6 of 10").tap()
    expect(therapist.locator("#session-panel")).to_contain_text("Pain before: 6")
    screenshot(therapist, "session-running")
    therapist.get_by_role("button", name="Finish massage").tap()
    therapist.get_by_role("button", name="Post pain 3 of 10").tap()
    expect(therapist.locator("#session-panel")).to_contain_text("after 3")
    therapist.get_by_label("Swedish").tap()
    therapist.locator('.body-map [data-region="upper back"]').first.tap()
    expect(therapist.locator('[data-region-box="upper back"]')).to_be_checked()
    expect(therapist.locator('.body-map [data-region="left forearm"]').first).to_have_class(
        re.compile("restricted")
    )
    therapist.get_by_label("2: light pressure").tap()
    therapist.get_by_label("side-lying").tap()
    therapist.get_by_label("relaxed").tap()
    therapist.get_by_label("A · Assessment").fill("Relaxed, slept after.")
    screenshot(therapist, "session-record")
    therapist.get_by_role("button", name="Sign and complete").tap()
    expect(therapist.locator("#session-panel")).to_contain_text("Session completed and signed")
    therapist.get_by_label("Reason for the correction").fill("Wrong position")
    therapist.get_by_label("Corrected text").fill("Seated, not side-lying.")
    therapist.get_by_role("button", name="Add amendment").tap()
    expect(therapist.locator(".amendment")).to_contain_text("Seated, not side-lying.")
    expect(therapist.locator(".original-record")).to_contain_text("side-lying")
    screenshot(therapist, "session-signed-amended")

    expect(row.locator(".last-pain")).to_contain_text("3/10", timeout=3000)


def test_a_stop_answer_at_screening_ends_the_session_before_any_touch(page: Page) -> None:
    sign_in(page, "tara")
    page.locator("article.card", has_text="Pellworth, Dorian").get_by_role("link").tap()
    page.get_by_role("button", name="Start session").tap()
    expect(page.locator(".screening-item")).to_have_count(7)
    for question in page.locator(".screening-item").all():
        question.get_by_label("No").tap()
    page.locator(".screening-item", has_text="New or suspected DVT").get_by_label("Yes, stop").tap()
    page.get_by_role("button", name="Record the screen").tap()
    expect(page.locator("#session-panel")).to_contain_text("Stopped: New or suspected DVT")
    screenshot(page, "session-stopped")
    page.goto(page.url.rsplit("/sessions/", 1)[0] + "/worklist")
    page.locator("article.card", has_text="Pellworth, Dorian").get_by_role("link").tap()
    expect(page.locator("table.history")).to_contain_text("stopped")
