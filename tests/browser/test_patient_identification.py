"""The right patient: every patient-scoped page shows the name and a second identifier (date of birth,
MRN) and the room inside the viewport, for every role that may see it; session screens keep them in
view while the therapist scrolls."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import sign_in, wait_live

IDENTIFIERS = re.compile(r"Almont, Greer.*DOB 21 Jun 1938.*MRN DEMO-2001.*Room 2", re.S)


def patient_id_of(page: Page, name: str) -> int:
    href = page.locator("article", has_text=name).get_by_role("link").first.get_attribute("href")
    return int(str(href).rsplit("/", 1)[1])


def assert_identifiers_in_view(page: Page) -> None:
    header = page.locator(".patient-header").first
    expect(header).to_have_text(IDENTIFIERS)
    box = header.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], "identifiers inside the viewport"


def test_every_patient_page_shows_two_identifiers_in_view_for_each_role(page: Page) -> None:
    sign_in(page, "tara")
    patient = patient_id_of(page, "Almont, Greer")
    pages_by_role = {
        "tara": [f"/patients/{patient}", f"/comfort-care/{patient}"],
        "nina": [f"/patients/{patient}", f"/comfort-care/{patient}"],
        "priya": [f"/patients/{patient}", f"/comfort-care/{patient}"],
        "hugo": [f"/patients/{patient}", f"/comfort-care/{patient}"],
    }
    for role, urls in pages_by_role.items():
        page.context.clear_cookies()
        sign_in(page, role)
        for url in urls:
            page.goto(url)
            assert_identifiers_in_view(page)


def test_session_screen_keeps_the_identifiers_in_view_while_scrolling(page: Page) -> None:
    sign_in(page, "tara")
    page.locator("article.card", has_text="Almont, Greer").get_by_role("link").tap()
    page.get_by_role("button", name=re.compile("Start session|Continue session")).tap()
    expect(page.locator("#session-panel")).to_be_visible()
    page.mouse.wheel(0, 3000)
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("() => window.scrollY") > 0, "the screen scrolled"
    assert_identifiers_in_view(page)


def test_a_push_about_another_patient_mid_entry_does_not_touch_this_patients_screen(
    page: Page, second_context: BrowserContext
) -> None:
    therapist = page
    sign_in(therapist, "tara")
    therapist.locator("article.card", has_text="Thackery, Oriel").get_by_role("link").tap()
    therapist.get_by_role("button", name="Start session").tap()
    expect(therapist.locator(".screening-item")).to_have_count(7)
    for question in therapist.locator(".screening-item").all():
        question.get_by_label("No").tap()
    therapist.get_by_role("button", name="Record the screen").tap()
    therapist.get_by_role("button", name="Patient agreed (verbal)").tap()
    therapist.get_by_role("button", name="Pre pain 7 of 10").tap()
    therapist.get_by_role("button", name="Finish massage").tap()
    expect(therapist.locator("#session-panel")).to_contain_text("Pain after the massage")
    wait_live(therapist)
    therapist.evaluate("() => { window.__sameScreen = true; }")
    session_url = therapist.url

    nurse = second_context.new_page()
    sign_in(nurse, "nina")
    nurse.locator("article.board-row", has_text="Armitage, Bexley").get_by_role(
        "button", name="Procedure"
    ).tap()
    expect(nurse.locator("article.board-row", has_text="Armitage, Bexley")).to_contain_text(
        "Unavailable: Procedure"
    )

    expect(therapist.locator(".patient-header")).to_contain_text("Thackery, Oriel")
    expect(therapist.locator("#session-panel")).to_contain_text("Pain after the massage")
    therapist.get_by_role("button", name="Post pain 2 of 10").tap()
    expect(therapist.locator("#session-panel")).to_contain_text("after 2")
    assert therapist.evaluate("() => window.__sameScreen === true") and therapist.url == session_url

    therapist.goto("/worklist")
    expect(therapist.locator("article.card", has_text="Armitage, Bexley")).to_contain_text(
        "Unavailable: Procedure"
    )
    thackery = therapist.locator("article.card", has_text="Thackery, Oriel")
    expect(thackery).not_to_contain_text("Unavailable")
    expect(thackery.locator(".last-pain")).to_contain_text("2/10")
