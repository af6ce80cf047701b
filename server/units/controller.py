"""The administrators' Units page: units, their rooms and their staff; plain forms that post and redirect."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from server.auth.policy import requires
from server.errors import InvalidInput
from server.openapi import page
from server.units import service
from server.web import DbSession, SignedIn

UNITS_PAGE = "/admin/units"


@dataclass
class UnitForm:
    code: str = ""
    name: str = ""


@dataclass
class RoomForm:
    name: str = ""


@dataclass
class RoomUseForm:
    active: str = ""


@dataclass
class StaffForm:
    user_id: str = ""


def _back(unit_id: int | None = None) -> Redirect:
    return Redirect(f"{UNITS_PAGE}#unit-{unit_id}" if unit_id else UNITS_PAGE, status_code=303)


def _user_id(value: str) -> int:
    if not str(value).strip().isdigit():
        raise InvalidInput("Choose the person to add.")
    return int(value)


class UnitPages(Controller):
    path = UNITS_PAGE
    guards = [requires("units.manage")]

    @get("/", responses=page())
    async def units_page(self, db: DbSession, actor: SignedIn) -> Template:
        units = await service.list_units(db, actor)
        people = await service.active_users(db)
        return Template("pages/units.html", context={"units": units, "people": people})

    @post("/", status_code=303, responses=page(404, 409, 422))
    async def create_unit(self, db: DbSession, actor: SignedIn, data: URLEncodedBody[UnitForm]) -> Redirect:
        unit = await service.create_unit(db, actor, code=data.code, name=data.name)
        return _back(unit.id)

    @post("/{unit_id:int}/rename", status_code=303, responses=page(404, 409, 422))
    async def rename_unit(
        self, db: DbSession, actor: SignedIn, unit_id: FromPath[int], data: URLEncodedBody[UnitForm]
    ) -> Redirect:
        await service.rename_unit(db, actor, unit_id, code=data.code, name=data.name)
        return _back(unit_id)

    @post("/{unit_id:int}/rooms", status_code=303, responses=page(404, 409, 422))
    async def add_room(
        self, db: DbSession, actor: SignedIn, unit_id: FromPath[int], data: URLEncodedBody[RoomForm]
    ) -> Redirect:
        await service.add_room(db, actor, unit_id, name=data.name)
        return _back(unit_id)

    @post("/{unit_id:int}/rooms/{room_id:int}/use", status_code=303, responses=page(404, 409, 422))
    async def set_room_in_use(
        self,
        db: DbSession,
        actor: SignedIn,
        unit_id: FromPath[int],
        room_id: FromPath[int],
        data: URLEncodedBody[RoomUseForm],
    ) -> Redirect:
        await service.set_room_in_use(db, actor, unit_id, room_id, active=data.active == "yes")
        return _back(unit_id)

    @post("/{unit_id:int}/staff", status_code=303, responses=page(404, 409, 422))
    async def add_staff(
        self, db: DbSession, actor: SignedIn, unit_id: FromPath[int], data: URLEncodedBody[StaffForm]
    ) -> Redirect:
        await service.assign_staff(db, actor, unit_id, _user_id(data.user_id))
        return _back(unit_id)

    @post("/{unit_id:int}/staff/{user_id:int}/remove", status_code=303, responses=page(404, 409, 422))
    async def remove_staff(
        self, db: DbSession, actor: SignedIn, unit_id: FromPath[int], user_id: FromPath[int]
    ) -> Redirect:
        await service.remove_staff(db, actor, unit_id, user_id)
        return _back(unit_id)
