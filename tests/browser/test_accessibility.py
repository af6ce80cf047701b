"""The main screens pass axe-core's WCAG 2.2 A/AA checks (contrast included) on a tablet."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import ROOT, screenshot, sign_in

AXE = (
    (ROOT / "static" / "vendor" / "axe.min.js").read_text()
    if (ROOT / "static/vendor/axe.min.js").exists()
    else ""
)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Page) -> list[tuple[str, list[str]]]:
    """axe-core's findings once the page has settled: a live page first applies its socket's screen,
    so the check never runs while fragments are being swapped in."""
    assert AXE, f"axe-core is installed into {Path('static/vendor')} by scripts/vendor.sh"
    if page.locator("[ws-connect]").count():
        expect(page.locator("#live-seqs [data-unit]").first).to_be_attached()
    page.evaluate(AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [(v["id"], [n["target"][0] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_sign_in_worklist_patient_and_board_have_no_wcag_violations(page: Page) -> None:
    page.goto("/signin")
    screenshot(page, "signin")
    assert violations(page) == []
    sign_in(page, "tara")
    assert violations(page) == []
    page.locator("article.card").first.get_by_role("link").tap()
    expect(page.locator(".patient-header")).to_be_visible()
    assert violations(page) == []
    page.get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, "nina")
    expect(page.locator("#board")).to_be_visible()
    assert violations(page) == []
