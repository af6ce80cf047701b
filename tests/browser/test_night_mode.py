"""Night mode on the tablet: chosen in one tap from the header, it passes axe-core's WCAG 2.2 AA checks
(contrast included) on the main screens, and a page arrives already dark, with no script, so a dark
patient room never sees a white flash between pages."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_accessibility import violations

NIGHT_BACKGROUND = "rgb(28, 22, 17)"
"""--bg of the night theme (#1c1611): warm, dim, not black."""
PATIENT = "Corravel, Ines"
"""A comfort-care patient no other browser test charts: the session here is left at its first step."""


def choose(page: Page, theme: str) -> None:
    page.locator(".topbar").get_by_role("button", name=theme, exact=True).tap()
    expect(page.locator(".topbar").get_by_role("button", name=theme, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )


def test_night_mode_passes_axe_on_the_main_screens(page: Page) -> None:
    sign_in(page, "tara")
    choose(page, "Night")
    expect(page.locator("html")).to_have_attribute("data-theme", "night")
    expect(page).to_have_url(re.compile(r"/worklist$"))
    screenshot(page, "night-worklist")
    assert violations(page) == []
    page.locator("article.card", has_text=PATIENT).get_by_role("link").tap()
    expect(page.locator(".patient-header")).to_contain_text(PATIENT)
    assert violations(page) == []
    page.get_by_role("link", name="Comfort-care log").tap()
    expect(page.locator("svg.trend, .empty").first).to_be_visible()
    screenshot(page, "night-comfort-log")
    assert violations(page) == []
    page.go_back()
    page.get_by_role("button", name=re.compile(r"^(Start|Continue) session$")).tap()
    expect(page.locator(".screening-item").first).to_be_visible()
    screenshot(page, "night-session")
    assert violations(page) == []
    choose(page, "Automatic")  # the demo's accounts are shared by the other tests
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    sign_in(page, "nina")
    choose(page, "Night")
    page.goto("/board", wait_until="domcontentloaded")
    assert backgrounds(page) == [NIGHT_BACKGROUND, NIGHT_BACKGROUND, "dark"], "dark before the page's scripts"
    expect(page.locator("#board")).to_be_visible()
    screenshot(page, "night-board")
    assert violations(page) == []
    choose(page, "Automatic")


def backgrounds(page: Page) -> list[str]:
    return page.evaluate(
        """[getComputedStyle(document.documentElement).backgroundColor,
            getComputedStyle(document.body).backgroundColor,
            getComputedStyle(document.documentElement).colorScheme]"""
    )


def test_a_page_is_dark_from_its_first_paint_without_any_script(
    browser: Browser, browser_context_args: dict
) -> None:
    """JavaScript off: the choice is a plain form post, and the next page is drawn dark by the server's
    markup and stylesheet alone; even with the stylesheet held back, the first paint is dark
    (`<meta name="color-scheme" content="dark">`), never white."""
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "priya")
        choose(page, "Night")
        page.goto("/account/password")
        assert backgrounds(page) == [NIGHT_BACKGROUND, NIGHT_BACKGROUND, "dark"]
        assert page.locator('meta[name="theme-color"]').get_attribute("content") == "#1c1611"
        cdp = context.new_cdp_session(page)
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # the style sheet is kept a year
        page.route("**/css/bedside.css", lambda route: route.abort())
        page.goto("/account/password")
        first_paint = Image.open(io.BytesIO(page.screenshot())).convert("L")
        assert first_paint.crop((0, 600, 800, 1280)).getextrema()[1] < 60, "no white before the stylesheet"
        page.unroute("**/css/bedside.css")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        page.goto("/account/password")
        choose(page, "Automatic")
    finally:
        context.close()


def test_a_page_left_open_on_automatic_turns_when_the_night_starts_or_ends(page: Page) -> None:
    page.clock.install()
    page.goto("/signin")
    html = page.locator("html")
    before = html.get_attribute("data-theme")
    seconds = int(html.get_attribute("data-theme-switch-in") or 0)
    assert before in ("day", "night") and seconds > 0
    page.clock.run_for(seconds * 1000)
    after = "night" if before == "day" else "day"
    expect(html).to_have_attribute("data-theme", after)
    expect(page.locator('meta[name="color-scheme"]')).to_have_attribute(
        "content", "dark" if after == "night" else "light"
    )
