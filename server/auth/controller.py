"""Sign-in, sign-out, and the home page that sends each role to its own screen."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from server.auth.models import Role
from server.auth.policy import PUBLIC, requires
from server.auth.service import SignInFailed, sign_in, sign_out
from server.auth.sessions import device_of, new_sign_in, rotate_session_id
from server.openapi import html_refusal, page, public_page
from server.web import AppClock, DbSession, SignedIn


@dataclass
class SignInForm:
    username: str = ""
    password: str = ""


HOME_BY_ROLE = {
    Role.therapist: "/worklist",
    Role.nurse: "/board",
    Role.physician: "/board",
    Role.hospice: "/comfort-care",
    Role.admin: "/admin/audit",
}


SIGN_IN = {
    **public_page(),
    303: ResponseSpec(None, description="Signed in: to the home page of the person's role."),
    401: html_refusal("Wrong username or password: the form again."),
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
            actor = await sign_in(db, data.username, data.password, device_of(request))
        except SignInFailed as failure:
            return Template(
                "pages/signin.html",
                context={"error": failure.message, "username": data.username},
                status_code=401,
            )
        if old_session_id:
            await request.app.stores.get("sessions").delete(old_session_id)
        rotate_session_id(request)
        request.set_session(new_sign_in(actor.user_id, clock.now()))
        return Redirect("/", status_code=303)

    @post("/signout", guards=[requires("account.use")], status_code=303, responses=page())
    async def signout(self, request: Request, db: DbSession, actor: SignedIn) -> Redirect:
        await sign_out(db, actor)
        request.clear_session()
        return Redirect("/signin", status_code=303)

    @get("/", guards=[requires("account.use")], status_code=303, responses=page())
    async def home(self, actor: SignedIn) -> Redirect:
        return Redirect(HOME_BY_ROLE[actor.role], status_code=303)
