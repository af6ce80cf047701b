"""Sign-in, sign-out, the tablet lock (by hand, or by itself when nobody touches it), one's own password
and unlock PIN, and the home page that sends each role to its own screen."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from server.auth.models import Role
from server.auth.policy import PUBLIC, requires
from server.auth.service import (
    PinTriesUsedUp,
    SignInFailed,
    change_password,
    choose_theme,
    lock,
    set_pin,
    sign_in,
    sign_out,
    unlock,
    unlock_with_pin,
)
from server.auth.sessions import ACTIVE_AT, client_address, device_of, new_sign_in, rotate_session_id
from server.auth.throttle import TooManyAttempts
from server.errors import BedsideError
from server.openapi import html_refusal, page, public_page
from server.web import AppClock, DbSession, SignedIn


@dataclass
class SignInForm:
    username: str = ""
    password: str = ""


@dataclass
class LockForm:
    idle: str = ""
    """Set by the page's automatic lock (static/js/lock.js)."""


@dataclass
class UnlockForm:
    """The PIN if the person has one (the lock screen offers it first), else or instead the password."""

    password: str = ""
    pin: str = ""


@dataclass
class PinForm:
    password: str = ""
    pin: str = ""
    repeat_pin: str = ""


@dataclass
class PasswordForm:
    current_password: str = ""
    new_password: str = ""
    repeat_password: str = ""


@dataclass
class ThemeForm:
    theme: str = ""
    back: str = "/"
    """The page the choice was made on, to return to (a path on this site only)."""


HOME_BY_ROLE = {
    Role.therapist: "/worklist",
    Role.nurse: "/board",
    Role.physician: "/board",
    Role.hospice: "/comfort-care",
    Role.admin: "/admin/audit",
}


TOO_MANY = html_refusal("Too many failed attempts for this account or address: wait `Retry-After` seconds.")
SIGN_IN = {
    **public_page(),
    303: ResponseSpec(None, description="Signed in: to the home page of the person's role."),
    401: html_refusal("Wrong username or password: the form again."),
    429: TOO_MANY,
}
UNLOCK = {
    **page(),
    401: html_refusal(
        "Wrong password or PIN: the lock screen again, saying how many PIN tries are left (or, for htmx, "
        "not signed in)."
    ),
    429: html_refusal("Too many wrong passwords or PINs: the sign-in has ended; the sign-in page."),
}
NEW_PIN = {
    **page(422),
    401: html_refusal("The password is wrong: the form again (or, for htmx, not signed in)."),
    429: TOO_MANY,
}
STILL_IN_USE = {**page(), 204: ResponseSpec(None, description="Noted: the tablet's idle time starts again.")}
NEW_PASSWORD = {
    **page(422),
    401: html_refusal("The current password is wrong: the form again (or, for htmx, not signed in)."),
    429: TOO_MANY,
}


class AccountPages(Controller):
    path = "/"

    @get(
        "/signin", exclude_from_auth=True, name="signin_page", opt={"policy": PUBLIC}, responses=public_page()
    )
    async def signin_page(self) -> Template:
        return Template("pages/signin.html", context={"error": "", "username": ""})

    @post("/signin", exclude_from_auth=True, status_code=303, opt={"policy": PUBLIC}, responses=SIGN_IN)
    async def signin(
        self, request: Request, db: DbSession, clock: AppClock, data: URLEncodedBody[SignInForm]
    ) -> Redirect | Template:
        old_session_id = request.cookies.get("bedside_session")
        try:
            actor = await sign_in(
                db, request.app.state.sign_in_throttle, data.username, data.password,
                client_address(request), device_of(request),
            )  # fmt: skip
        except (SignInFailed, TooManyAttempts) as refusal:
            return Template(
                "pages/signin.html",
                context={"error": refusal.message, "username": data.username},
                status_code=refusal.status_code,
                headers=refusal.headers,
            )
        if old_session_id:
            await request.app.stores.get("sessions").delete(old_session_id)
        rotate_session_id(request)
        request.set_session(new_sign_in(actor.user_id, actor.sign_in_generation, clock.now()))
        return Redirect("/", status_code=303)

    @post("/signout", guards=[requires("account.sign_in")], status_code=303, responses=page())
    async def signout(self, request: Request, db: DbSession, actor: SignedIn) -> Redirect:
        await sign_out(db, actor)
        request.clear_session()
        return Redirect("/signin", status_code=303)

    @post("/lock", guards=[requires("account.use")], status_code=303, responses=page())
    async def lock(
        self, request: Request, db: DbSession, actor: SignedIn, data: URLEncodedBody[LockForm]
    ) -> Redirect:
        """Tapped in the header, or posted by the page itself when nobody touched it (audited as such)."""
        await lock(db, actor, detail="nobody touched the screen" if data.idle else "")
        request.set_session({**request.session, "locked": True})
        return Redirect("/unlock", status_code=303)

    @get("/unlock", guards=[requires("account.sign_in")], responses=page())
    async def unlock_page(self, actor: SignedIn) -> Template | Redirect:
        """Also where a tablet nobody touched for BEDSIDE_LOCK_MINUTES is sent (by its page, or by the
        server when the page could not)."""
        if not actor.locked:
            return Redirect("/", status_code=303)
        return Template("pages/unlock.html", context={"error": "", "person": actor})

    @post("/unlock", guards=[requires("account.sign_in")], status_code=303, responses=UNLOCK)
    async def unlock(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        data: URLEncodedBody[UnlockForm],
    ) -> Redirect | Template:
        """By PIN when one is typed and the person has one that still works, else by password."""
        if not actor.locked:
            return Redirect("/", status_code=303)
        if data.pin and not actor.unlocks_by_pin:
            off = "Your PIN does not unlock this tablet now (none set, or too many wrong): use your password."
            context = {"error": off, "person": actor}
            return Template("pages/unlock.html", context=context, status_code=401)
        try:
            if data.pin:
                await unlock_with_pin(db, actor, data.pin)
            else:
                await unlock(
                    db, request.app.state.sign_in_throttle, actor, data.password, client_address(request)
                )
        except SignInFailed as wrong:
            context = {"error": wrong.message, "person": actor}
            return Template("pages/unlock.html", context=context, status_code=wrong.status_code)
        except (TooManyAttempts, PinTriesUsedUp) as refusal:
            await sign_out(db, actor)
            request.clear_session()
            message = refusal.message
            if isinstance(refusal, TooManyAttempts):
                message = f"Signed out after too many wrong passwords. {refusal.message}"
            context = {"error": message, "username": ""}
            return Template("pages/signin.html", context=context, status_code=429, headers=refusal.headers)
        unlocked = {key: value for key, value in request.session.items() if key != "locked"}
        request.set_session({**unlocked, ACTIVE_AT: clock.now().isoformat()})
        return Redirect("/", status_code=303)

    @post("/still-in-use", guards=[requires("account.use")], status_code=204, responses=STILL_IN_USE)
    async def still_in_use(self) -> Response[None]:
        """The page's note, at most once a minute while someone touches the screen without sending
        requests (reading, scrolling): like every signed-in request, it restarts the server's idle time."""
        return Response(None, status_code=204)

    @get("/account/pin", guards=[requires("account.pin")], responses=page())
    async def pin_page(self, actor: SignedIn) -> Template:
        return Template(
            "pages/pin.html", context={"error": "", "changed": False, "has_pin": actor.unlocks_by_pin}
        )

    @post("/account/pin", guards=[requires("account.pin")], status_code=200, responses=NEW_PIN)
    async def set_pin(
        self, request: Request, db: DbSession, actor: SignedIn, data: URLEncodedBody[PinForm]
    ) -> Template:
        """Only after a full sign-in (not on a locked tablet), and with the password again."""
        try:
            await set_pin(
                db, request.app.state.sign_in_throttle, actor,
                data.password, data.pin, data.repeat_pin, client_address(request),
            )  # fmt: skip
        except BedsideError as refusal:
            context = {"error": refusal.message, "changed": False, "has_pin": actor.unlocks_by_pin}
            return Template(
                "pages/pin.html", context=context, status_code=refusal.status_code, headers=refusal.headers
            )
        return Template("pages/pin.html", context={"error": "", "changed": True, "has_pin": True})

    @get("/account/password", guards=[requires("account.password")], responses=page())
    async def password_page(self, actor: SignedIn) -> Template:
        """Also where someone signed in with a temporary password is sent until they choose their own."""
        context = {"error": "", "changed": False, "temporary": actor.must_change_password}
        return Template("pages/password.html", context=context)

    @post("/account/password", guards=[requires("account.password")], status_code=200, responses=NEW_PASSWORD)
    async def change_password(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        data: URLEncodedBody[PasswordForm],
    ) -> Template:
        """A new password signs this person out everywhere else; this tablet gets a fresh sign-in."""
        try:
            generation = await change_password(
                db, request.app.state.sign_in_throttle, actor,
                data.current_password, data.new_password, data.repeat_password, client_address(request),
            )  # fmt: skip
        except BedsideError as refusal:
            context = {"error": refusal.message, "changed": False, "temporary": actor.must_change_password}
            return Template(
                "pages/password.html",
                context=context,
                status_code=refusal.status_code,
                headers=refusal.headers,
            )
        rotate_session_id(request)
        request.set_session(new_sign_in(actor.user_id, generation, clock.now()))
        return Template("pages/password.html", context={"error": "", "changed": True})

    @post("/account/theme", guards=[requires("account.use")], status_code=303, responses=page(422))
    async def choose_theme(self, db: DbSession, actor: SignedIn, data: URLEncodedBody[ThemeForm]) -> Redirect:
        """Day, night or automatic, in one tap from the header or the password page; a plain form post, so
        it works without JavaScript and the page it returns to is drawn in the new theme from the start."""
        await choose_theme(db, actor, data.theme)
        return Redirect(page_to_return_to(data.back), status_code=303)

    @get("/", guards=[requires("account.use")], status_code=303, responses=page())
    async def home(self, actor: SignedIn) -> Redirect:
        return Redirect(HOME_BY_ROLE[actor.role], status_code=303)


def page_to_return_to(back: str) -> str:
    """A path on this site; anything else (another site, `//host`, a scheme) goes home instead."""
    if not back.startswith("/") or back.startswith("//") or "\\" in back or any(c.isspace() for c in back):
        return "/"
    return back
