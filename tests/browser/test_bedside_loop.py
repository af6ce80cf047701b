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
    therapist.get_by_label("Short note (optional)").fill("Relaxed, slept after.")
    therapist.get_by_role("button", name="Complete session").tap()
    expect(therapist.locator("#session-panel")).to_contain_text("Session completed")
    screenshot(therapist, "session-completed")

    expect(row.locator(".last-pain")).to_contain_text("3/10", timeout=3000)
