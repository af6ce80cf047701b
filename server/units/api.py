"""JSON API: units, their rooms and their staff (administrators); everyone may list the units they work on."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath

from server.auth.models import Role, User
from server.auth.policy import requires
from server.openapi import api, json_body
from server.patients.models import Room, Unit
from server.units import service
from server.units.service import UnitOverview
from server.web import DbSession, SignedIn


class UnitIn(msgspec.Struct):
    code: str = ""
    name: str = ""


class RoomIn(msgspec.Struct):
    name: str = ""


class RoomUseIn(msgspec.Struct):
    active: bool = True


class StaffIn(msgspec.Struct):
    user_id: int = 0


UnitBody = json_body(UnitIn, "A unit", {"code": "5E", "name": "5 East Orthopaedics"})
RoomBody = json_body(RoomIn, "A room of the unit", {"name": "512"})
RoomUseBody = json_body(RoomUseIn, "Take a room out of use", {"active": False})
StaffBody = json_body(StaffIn, "This person works on the unit", {"user_id": 7})


class RoomOut(msgspec.Struct):
    id: int
    unit_id: int
    name: str
    active: bool


class StaffOut(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str


class UnitOut(msgspec.Struct):
    id: int
    code: str
    name: str
    rooms: list[RoomOut]
    staff: list[StaffOut] | None
    """Administrators only; none for everyone else."""
    patients: int | None
    """Patients lying on the unit now (administrators only)."""


def room_out(room: Room) -> RoomOut:
    return msgspec.convert(room.model_dump(), RoomOut)


def staff_out(user: User) -> StaffOut:
    return StaffOut(id=user.id, username=user.username, full_name=user.full_name, role=user.role)  # type: ignore[arg-type]


def unit_out(unit: Unit, rooms: list[Room], overview: UnitOverview | None = None) -> UnitOut:
    return UnitOut(
        id=unit.id,  # type: ignore[arg-type]
        code=unit.code,
        name=unit.name,
        rooms=[room_out(r) for r in rooms],
        staff=[staff_out(u) for u in overview.staff] if overview else None,
        patients=overview.patients if overview else None,
    )


MANAGE = [requires("units.manage")]


class UnitsApi(Controller):
    """Every route names its own policy entry: listing is for everyone (their units), the rest for admins."""

    path = "/api/units"

    @get("/", guards=[requires("units.read")], responses=api())
    async def list_units(self, db: DbSession, actor: SignedIn) -> list[UnitOut]:
        """Administrators: every unit with its staff; everyone else: the units they work on."""
        if actor.role == Role.admin:
            return [unit_out(o.unit, o.rooms, o) for o in await service.list_units(db, actor)]
        units = await service.units_of(db, sorted(actor.unit_ids))
        rooms = await service.rooms_of(db, sorted(actor.unit_ids))
        return [unit_out(u, [r for r in rooms if r.unit_id == u.id]) for u in units]

    @post(
        "/",
        guards=MANAGE,
        status_code=201,
        responses=api(404, 409, 422),
    )
    async def create_unit(self, db: DbSession, actor: SignedIn, data: UnitBody) -> UnitOut:
        unit = await service.create_unit(db, actor, code=data.code, name=data.name)
        return unit_out(unit, [])

    @post(
        "/{unit_id:int}/rename",
        guards=MANAGE,
        status_code=200,
        responses=api(404, 409, 422),
    )
    async def rename_unit(
        self, db: DbSession, actor: SignedIn, unit_id: FromPath[int], data: UnitBody
    ) -> UnitOut:
        unit = await service.rename_unit(db, actor, unit_id, code=data.code, name=data.name)
        return unit_out(unit, await service.rooms_of(db, [unit_id]))

    @post(
        "/{unit_id:int}/rooms",
        guards=MANAGE,
        status_code=201,
        responses=api(404, 409, 422),
    )
    async def add_room(
        self, db: DbSession, actor: SignedIn, unit_id: FromPath[int], data: RoomBody
    ) -> RoomOut:
        return room_out(await service.add_room(db, actor, unit_id, name=data.name))

    @post(
        "/{unit_id:int}/rooms/{room_id:int}",
        guards=MANAGE,
        status_code=200,
        responses=api(404, 409, 422),
    )
    async def set_room_in_use(
        self,
        db: DbSession,
        actor: SignedIn,
        unit_id: FromPath[int],
        room_id: FromPath[int],
        data: RoomUseBody,
    ) -> RoomOut:
        """Take a room out of use (`{"active": false}`) or back into use; rooms are never deleted."""
        return room_out(await service.set_room_in_use(db, actor, unit_id, room_id, active=data.active))

    @post(
        "/{unit_id:int}/staff",
        guards=MANAGE,
        status_code=200,
        responses=api(404, 409, 422),
    )
    async def add_staff(
        self, db: DbSession, actor: SignedIn, unit_id: FromPath[int], data: StaffBody
    ) -> StaffOut:
        return staff_out(await service.assign_staff(db, actor, unit_id, data.user_id))

    @post(
        "/{unit_id:int}/staff/{user_id:int}/remove",
        guards=MANAGE,
        status_code=200,
        responses=api(404, 409, 422),
    )
    async def remove_staff(
        self, db: DbSession, actor: SignedIn, unit_id: FromPath[int], user_id: FromPath[int]
    ) -> StaffOut:
        return staff_out(await service.remove_staff(db, actor, unit_id, user_id))
