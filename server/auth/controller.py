"""Sign-in, sign-out, and the home page that sends each role to its own screen."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.guards import any_signed_in
from server.auth.models import Role
from server.auth.service import SignInFailed, sign_in, sign_out
from server.auth.sessions import device_of, rotate_session_id


@dataclass
class SignInForm:
    username: str = ""
    password: str = ""


@get("/signin", exclude_from_auth=True, name="signin_page")
async def signin_page() -> Template:
    return Template("pages/signin.html", context={"error": "", "username": ""})


@post("/signin", exclude_from_auth=True, status_code=303)
async def signin(
    request: Request, data: URLEncodedBody[SignInForm], db_session: NamedDependency[AsyncSession]
) -> Redirect | Template:
    old_session_id = request.cookies.get("bedside_session")
    try:
        actor = await sign_in(db_session, data.username, data.password, device_of(request))
    except SignInFailed as failure:
        return Template(
            "pages/signin.html",
            context={"error": failure.message, "username": data.username},
            status_code=401,
        )
    if old_session_id:
        await request.app.stores.get("sessions").delete(old_session_id)
    rotate_session_id(request)
    request.set_session({"user_id": actor.user_id})
    return Redirect("/", status_code=303)


@post("/signout", guards=[any_signed_in], status_code=303)
async def signout(
    request: Request[Actor, object, object], db_session: NamedDependency[AsyncSession]
) -> Redirect:
    await sign_out(db_session, request.user)
    request.clear_session()
    return Redirect("/signin", status_code=303)


HOME_BY_ROLE = {
    Role.therapist: "/worklist",
    Role.nurse: "/board",
    Role.physician: "/board",
    Role.hospice: "/comfort-care",
    Role.admin: "/admin/audit",
}


@get("/", guards=[any_signed_in])
async def home(request: Request[Actor, object, object]) -> Redirect:
    return Redirect(HOME_BY_ROLE[request.user.role])
