"""Running a real ward, as its people would on a tablet: the administrator opens an account with a
temporary password and the new nurse chooses her own at first sign-in; a nurse admits a patient from the
board and discharges them, and a colleague's board follows both live."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import screenshot, sign_in, wait_live
from tests.browser.test_accessibility import violations


def sign_in_with(page: Page, username: str, password: str) -> None:
    page.goto("/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").tap()


def test_a_new_nurse_gets_an_account_and_chooses_her_own_password(
    page: Page, second_context: BrowserContext
) -> None:
    sign_in(page, "ada")
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Staff accounts").tap()
    expect(page.get_by_role("heading", name="Staff accounts")).to_be_visible()
    expect(page.locator(".badge-demo").first).to_have_text("Demo account")
    assert violations(page) == []
    page.get_by_label("Username").fill("Joy.Mensah")
    page.get_by_label("Full name").fill("Joy Mensah")
    page.get_by_label("Role").select_option("nurse")
    page.get_by_role("group", name="Units").get_by_label("4W", exact=False).check()
    temporary = "river lantern autumn 58"
    page.get_by_label("Temporary password").fill(temporary)
    page.get_by_role("button", name="Create account").tap()
    expect(page.locator("main")).to_contain_text("joy.mensah")
    screenshot(page, "staff-account-created")

    tablet = second_context.new_page()
    sign_in_with(tablet, "joy.mensah", temporary)
    expect(tablet.get_by_role("heading", name="Change your password")).to_be_visible()
    tablet.goto("/board")
    expect(tablet.get_by_role("heading", name="Change your password")).to_be_visible()
    own = "morning rounds by the window"
    tablet.get_by_label("Current password").fill(temporary)
    tablet.get_by_label("New password", exact=True).fill(own)
    tablet.get_by_label("New password again").fill(own)
    tablet.get_by_role("button", name="Change password").tap()
    tablet.get_by_role("link", name="Back to my screen").tap()
    expect(tablet.locator("#board")).to_be_visible()


def test_an_admission_and_a_discharge_reach_a_colleagues_board_live(
    page: Page, second_context: BrowserContext
) -> None:
    colleague = second_context.new_page()
    sign_in(colleague, "priya")
    wait_live(colleague)

    sign_in(page, "nina")
    page.get_by_role("link", name="Admit patient").tap()
    assert violations(page) == []
    page.get_by_label("MRN").fill("MRN-0042317")
    page.get_by_label("Given name").fill("Rosa")
    page.get_by_label("Family name").fill("Almeida")
    page.get_by_label("Date of birth").fill("1956-03-14")
    page.get_by_label("Fall risk").check()
    page.get_by_label("Allergies").fill("Latex")
    screenshot(page, "admit-patient")
    page.get_by_role("button", name="Admit").tap()
    expect(page.locator(".patient-header")).to_contain_text("MRN-0042317")

    row = colleague.locator("article.board-row", has_text="Almeida, Rosa")
    expect(row).to_be_visible(timeout=3000)
    expect(row).to_contain_text("MRN-0042317")

    page.goto("/board")
    page.locator("article.board-row", has_text="Almeida, Rosa").get_by_role(
        "link", name="Transfer or discharge"
    ).tap()
    expect(page.locator(".patient-header")).to_contain_text("MRN-0042317")
    expect(page.get_by_role("heading", name="Discharge")).to_be_visible()
    assert violations(page) == []
    page.get_by_role("button", name="Discharge Almeida, Rosa").tap()
    expect(row).to_have_count(0, timeout=3000)


def test_the_administrator_opens_a_unit_with_a_room_and_its_staff(page: Page) -> None:
    sign_in(page, "ada")
    page.goto("/admin/units")
    expect(page.get_by_role("heading", name="Units")).to_be_visible()
    new_unit = page.locator("section", has=page.get_by_role("heading", name="New unit"))
    new_unit.get_by_label("Code").fill("5E")
    new_unit.get_by_label("Name").fill("5 East Orthopaedics")
    new_unit.get_by_role("button", name="Create unit").tap()
    unit = page.locator("section.panel", has=page.get_by_role("heading", name="5 East Orthopaedics"))
    expect(unit).to_contain_text("No rooms yet")
    unit.get_by_label("Room").fill("512")
    unit.get_by_role("button", name="Add room").tap()
    expect(unit).to_contain_text("Room 512")
    unit.get_by_label("Person").select_option(label="Dr Priya Castellan (physician)")
    unit.get_by_role("button", name="Add to 5E").tap()
    expect(unit).to_contain_text("Dr Priya Castellan")
    screenshot(page, "units")
    assert violations(page) == []
