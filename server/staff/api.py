"""JSON API: staff accounts (administrators). The rules are in `staff.service`."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath

from server.auth.policy import requires
from server.openapi import api, json_body
from server.staff import service
from server.staff.schemas import AccountIn, AccountOut, PasswordResetIn, RoleIn, account_out
from server.web import DbSession, SignedIn

AccountBody = json_body(
    AccountIn,
    "A nurse on 4 West with a temporary password",
    {
        "username": "jmensah",
        "full_name": "Joy Mensah",
        "role": "nurse",
        "unit_ids": [1],
        "temporary_password": "river lantern autumn 58",
    },
)
ResetBody = json_body(
    PasswordResetIn, "A new temporary password", {"temporary_password": "copper kettle morning 12"}
)


RoleBody = json_body(RoleIn, "The person now works as a therapist", {"role": "therapist"})


class StaffApi(Controller):
    path = "/api/admin/users"
    guards = [requires("staff.manage")]

    @get("/", responses=api())
    async def list_accounts(self, db: DbSession, actor: SignedIn) -> list[AccountOut]:
        return [account_out(a) for a in await service.list_accounts(db, actor)]

    @post("/", status_code=201, responses=api(409, 422))
    async def create_account(self, db: DbSession, actor: SignedIn, data: AccountBody) -> AccountOut:
        """The person must change the temporary password when they first sign in."""
        new = service.NewAccount(
            data.username, data.full_name, data.role, list(data.unit_ids), data.temporary_password
        )
        return account_out(await service.create_account(db, actor, new))

    @post("/{user_id:int}/password", status_code=200, responses=api(404, 422))
    async def reset_password(
        self, db: DbSession, actor: SignedIn, user_id: FromPath[int], data: ResetBody
    ) -> AccountOut:
        """Ends the person's sign-ins everywhere; they must change it when they next sign in."""
        return account_out(await service.reset_password(db, actor, user_id, data.temporary_password))

    @post("/{user_id:int}/role", status_code=200, responses=api(404, 422))
    async def change_role(
        self, db: DbSession, actor: SignedIn, user_id: FromPath[int], data: RoleBody
    ) -> AccountOut:
        """Ends the person's sign-ins, so every screen they open is one the new role allows; not one's own."""
        return account_out(await service.change_role(db, actor, user_id, data.role))

    @post("/{user_id:int}/deactivate", status_code=200, responses=api(404))
    async def deactivate(self, db: DbSession, actor: SignedIn, user_id: FromPath[int]) -> AccountOut:
        """The person's sign-ins and sockets end at once; the account is kept for the audit trail."""
        return account_out(await service.deactivate(db, actor, user_id))

    @post("/{user_id:int}/reactivate", status_code=200, responses=api(404))
    async def reactivate(self, db: DbSession, actor: SignedIn, user_id: FromPath[int]) -> AccountOut:
        return account_out(await service.reactivate(db, actor, user_id))
