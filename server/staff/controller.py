"""Staff accounts, as pages for administrators: the list with a form for a new account, and one account's
page (reset its password, deactivate or reactivate it). The rules are in `staff.service`."""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.auth.models import Role
from server.auth.policy import requires
from server.errors import BedsideError, InvalidInput, NotAllowed
from server.openapi import page
from server.staff import service
from server.web import DbSession, SignedIn


@dataclass
class AccountForm:
    username: str = ""
    full_name: str = ""
    role: str = ""
    unit_ids: list[int] = field(default_factory=list)
    temporary_password: str = ""


async def account_form(request: Request) -> AccountForm:
    """The new-account form; its units are ticked boxes (none, one or several `unit_ids`)."""
    form = await request.form()
    try:
        unit_ids = [int(value) for value in form.getall("unit_ids", [])]
    except ValueError:
        raise InvalidInput("unit_ids: choose units from the list.") from None
    return AccountForm(
        username=str(form.get("username", "")),
        full_name=str(form.get("full_name", "")),
        role=str(form.get("role", "")),
        unit_ids=unit_ids,
        temporary_password=str(form.get("temporary_password", "")),
    )


class StaffPages(Controller):
    path = "/admin/users"
    guards = [requires("staff.manage")]

    async def _list_page(
        self,
        db: DbSession,
        actor: SignedIn,
        form: AccountForm | None = None,
        error: str = "",
        status: int = 200,
    ) -> Template:
        context = {
            "accounts": await service.list_accounts(db, actor),
            "units": await service.list_units(db),
            "roles": list(Role),
            "form": form or AccountForm(),
            "error": error,
        }
        return Template("pages/staff.html", context=context, status_code=status)

    async def _account_page(
        self, db: DbSession, actor: SignedIn, user_id: int, error: str = "", status: int = 200
    ) -> Template:
        account = await service.get_account(db, user_id)
        context = {
            "account": account,
            "error": error,
            "yourself": user_id == actor.user_id,
            "roles": list(Role),
        }
        return Template("pages/staff_account.html", context=context, status_code=status)

    @get("/", responses=page())
    async def staff_list(self, db: DbSession, actor: SignedIn) -> Template:
        return await self._list_page(db, actor)

    @post("/", status_code=303, responses=page(409, 422))
    async def create_account(self, request: Request, db: DbSession, actor: SignedIn) -> Redirect | Template:
        form = AccountForm()
        try:
            form = await account_form(request)
            account = await service.create_account(
                db, actor, service.NewAccount(form.username, form.full_name, form.role, form.unit_ids,
                                              form.temporary_password),
            )  # fmt: skip
        except BedsideError as refused:
            form.temporary_password = ""
            return await self._list_page(db, actor, form, refused.message, refused.status_code)
        return Redirect(f"/admin/users/{account.user.id}", status_code=303)

    @get("/{user_id:int}", responses=page(404))
    async def account_page(self, db: DbSession, actor: SignedIn, user_id: FromPath[int]) -> Template:
        return await self._account_page(db, actor, user_id)

    @post("/{user_id:int}/password", status_code=303, responses=page(404, 422))
    async def reset_password(
        self, request: Request, db: DbSession, actor: SignedIn, user_id: FromPath[int]
    ) -> Redirect | Template:
        form = await request.form()
        try:
            await service.reset_password(db, actor, user_id, str(form.get("temporary_password", "")))
        except InvalidInput as refused:
            return await self._account_page(db, actor, user_id, refused.message, refused.status_code)
        return Redirect(f"/admin/users/{user_id}", status_code=303)

    @post("/{user_id:int}/role", status_code=303, responses=page(404, 422))
    async def change_role(
        self, request: Request, db: DbSession, actor: SignedIn, user_id: FromPath[int]
    ) -> Redirect | Template:
        form = await request.form()
        try:
            await service.change_role(db, actor, user_id, str(form.get("role", "")))
        except (InvalidInput, NotAllowed) as refused:
            return await self._account_page(db, actor, user_id, refused.message, refused.status_code)
        return Redirect(f"/admin/users/{user_id}", status_code=303)

    @post("/{user_id:int}/deactivate", status_code=303, responses=page(404))
    async def deactivate(self, db: DbSession, actor: SignedIn, user_id: FromPath[int]) -> Redirect:
        await service.deactivate(db, actor, user_id)
        return Redirect(f"/admin/users/{user_id}", status_code=303)

    @post("/{user_id:int}/reactivate", status_code=303, responses=page(404))
    async def reactivate(self, db: DbSession, actor: SignedIn, user_id: FromPath[int]) -> Redirect:
        await service.reactivate(db, actor, user_id)
        return Redirect(f"/admin/users/{user_id}", status_code=303)
