"""A shared tablet as the care team uses it: locked in one tap with nothing of the chart left on screen,
unlocked by the same person; and a password changed elsewhere takes the screen off every other tablet."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, Route, WebSocket, expect

from server.demo import DEMO_PASSWORD, PATIENTS
from tests.browser.conftest import screenshot, sign_in, wait_live
from tests.browser.test_accessibility import violations

PATIENT_NAMES = [f"{p.family}, {p.given}" for p in PATIENTS]


def shown_patients(page: Page) -> list[str]:
    html = page.content()
    return [name for name in PATIENT_NAMES if name in html]


def test_locking_hides_the_worklist_until_the_therapist_unlocks(page: Page) -> None:
    sign_in(page, "tara")
    wait_live(page)
    assert shown_patients(page), "the worklist shows patients before the lock"
    for control in ("Lock", "Password", "Sign out"):
        box = (
            page.locator(".topbar")
            .get_by_role("button", name=control)
            .or_(page.locator(".topbar").get_by_role("link", name=control))
            .bounding_box()
        )
        assert box and box["width"] >= 48 and box["height"] >= 48, control

    page.locator(".topbar").get_by_role("button", name="Lock").tap()
    expect(page.get_by_role("heading", name="This tablet is locked")).to_be_visible()
    assert shown_patients(page) == [], "no patient is left in the page"
    screenshot(page, "locked")
    assert violations(page) == []
    page.goto("/worklist")
    expect(page.get_by_role("heading", name="This tablet is locked")).to_be_visible()

    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Unlock").tap()
    expect(page.get_by_role("alert")).to_contain_text("That password is not right")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Unlock").tap()
    expect(page.locator("article.card").first).to_be_visible()
    wait_live(page)


def open_account(page: Page, username: str, temporary: str) -> None:
    """The administrator opens an account for a physician on 4 West (the demo's accounts keep their
    published password: the password rule would not take it back)."""
    sign_in(page, "ada")
    page.goto("/admin/users")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Full name").fill("Dr Wren Halloway")
    page.get_by_label("Role").select_option("physician")
    page.get_by_role("group", name="Units").get_by_label("4W", exact=False).check()
    page.get_by_label("Temporary password").fill(temporary)
    page.get_by_role("button", name="Create account").tap()
    expect(page.locator("main")).to_contain_text(username)
    page.locator(".topbar").get_by_role("button", name="Sign out").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def change_password(page: Page, current: str, new: str) -> None:
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password again").fill(new)
    page.get_by_role("button", name="Change password").tap()
    expect(page.get_by_role("status").filter(has_text="Your password is changed")).to_be_visible()


def sign_in_with(page: Page, username: str, password: str) -> None:
    page.goto("/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").tap()
    expect(page.locator(".topbar .who")).to_be_visible()


def test_a_password_changed_elsewhere_takes_the_board_off_this_screen(
    page: Page, second_context: BrowserContext
) -> None:
    desk = second_context.new_page()
    temporary, first, second = (
        "amber window ledger 41",
        "a long quiet night on the ward",
        "snow on the car park",
    )
    open_account(desk, "wren.halloway", temporary)
    sign_in_with(desk, "wren.halloway", temporary)
    change_password(desk, temporary, first)

    sign_in_with(page, "wren.halloway", first)
    wait_live(page)
    assert shown_patients(page)

    desk.goto("/account/password")
    assert violations(desk) == []
    change_password(desk, first, second)
    screenshot(desk, "password-changed")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=5000)
    assert shown_patients(page) == []


def test_a_tablet_nobody_touches_locks_itself_and_its_owner_unlocks_with_a_pin(page: Page) -> None:
    """The page's clock is driven by the test (Playwright's `page.clock`): BEDSIDE_LOCK_MINUTES stays at
    its 3 minutes and no test waits them out."""
    page.clock.install()
    sign_in(page, "priya")
    page.goto("/account/pin")
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_label("New PIN", exact=True).fill("2468")
    page.get_by_label("New PIN again").fill("2468")
    screenshot(page, "set-pin")
    page.get_by_role("button", name="Set PIN").tap()
    expect(page.get_by_role("status").filter(has_text="Your PIN is set")).to_be_visible()

    sockets: list[WebSocket] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    page.goto("/")
    wait_live(page)
    assert shown_patients(page), "the board shows patients before the lock"
    held: list[Route] = []
    page.route("**/lock", lambda route: held.append(route))  # hold the lock's answer: look at the page first
    page.clock.fast_forward("03:01")
    expect(page.locator("main[data-locked]")).to_have_text("Locked")
    assert shown_patients(page) == [], "no patient is left in the DOM"
    assert page.locator("article.board-row").count() == 0
    if not sockets[-1].is_closed():
        sockets[-1].wait_for_event("close", timeout=5000)
    held[0].continue_()
    page.unroute("**/lock")

    expect(page.get_by_role("heading", name="This tablet is locked")).to_be_visible()
    box = page.get_by_label("PIN").bounding_box()
    assert box and box["height"] >= 48
    assert page.get_by_label("PIN").get_attribute("inputmode") == "numeric"
    screenshot(page, "unlock-by-pin")
    assert violations(page) == []
    page.get_by_label("PIN").fill("1357")
    page.get_by_role("button", name="Unlock", exact=True).tap()
    expect(page.get_by_role("alert")).to_contain_text("4 tries left")
    page.get_by_label("PIN").fill("2468")
    page.get_by_role("button", name="Unlock", exact=True).tap()
    expect(page.locator("article.board-row").first).to_be_visible()
    wait_live(page)

    page.locator(".topbar").get_by_role("button", name="Lock").tap()
    page.get_by_role("button", name="Switch user (sign out)").tap()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
