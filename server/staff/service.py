"""Staff accounts, as an administrator keeps them: create one with a role, units and a temporary password;
change the role; reset a forgotten password; deactivate and reactivate (units: `server.units`). Accounts
are never deleted: the audit trail names them. And the first administrator, created from the command line
on an empty database.

A temporary password must be changed at the person's first sign-in (`User.must_change_password`, enforced
by `policy.check`). A reset or a deactivation ends the person's sign-ins at once: the account's sign-in
generation moves on (their sessions stop holding) and a `View.sign_in` change closes their sockets on
every instance. Every change is audited as entity `user`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import Role, User, UserUnit
from server.auth.passwords import check_new_password, hash_password
from server.changes import Change, View, announce
from server.clock import clock_of
from server.errors import Conflict, InvalidInput, NotAllowed, NotFound
from server.patients.models import Unit

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
"""Two to 64 lower-case letters, digits, dots, hyphens or underscores: typed on a tablet, stored lowered
(sign-in lowers what is typed, and a unique index on lower(username) keeps `Nina` and `nina` one)."""
FULL_NAME_MAX = 120
AUDIT_ENTITY = "user"


@dataclass(frozen=True)
class StaffAccount:
    """An account as the administrators' list shows it: the user and the codes of their units."""

    user: User
    units: list[Unit] = field(default_factory=list)


@dataclass(frozen=True)
class NewAccount:
    username: str = ""
    full_name: str = ""
    role: str = ""
    unit_ids: list[int] = field(default_factory=list)
    temporary_password: str = ""


def normal_username(raw: str) -> str:
    username = raw.strip().lower()
    if not USERNAME.fullmatch(username):
        raise InvalidInput(
            "username: use 2 to 64 letters, digits, dots, hyphens or underscores, "
            "starting with a letter or digit."
        )
    return username


def normal_full_name(raw: str) -> str:
    full_name = " ".join(raw.split())
    if not full_name or len(full_name) > FULL_NAME_MAX:
        raise InvalidInput(f"full_name: give the person's name, at most {FULL_NAME_MAX} characters.")
    return full_name


def valid_role(raw: str) -> Role:
    try:
        return Role(raw.strip().lower())
    except ValueError:
        raise InvalidInput(f"role: choose one of {', '.join(r.value for r in Role)}.") from None


def username_taken(username: str) -> Conflict:
    return Conflict(f"username: the username '{username}' is taken (usernames do not differ by case).")


async def _hash(password: str) -> str:
    """Argon2 work off the event loop, before any transaction begins (SQLite's write lock is not held)."""
    return await asyncio.to_thread(hash_password, password)


async def _units(db: AsyncSession, unit_ids: list[int]) -> list[Unit]:
    wanted = set(unit_ids)
    if not wanted:
        return []
    units = list((await db.exec(select(Unit).where(col(Unit.id).in_(wanted)))).all())
    if len(units) != len(wanted):
        raise InvalidInput("unit_ids: choose units that exist.")
    return sorted(units, key=lambda unit: unit.code)


async def list_units(db: AsyncSession) -> list[Unit]:
    return list((await db.exec(select(Unit).order_by(col(Unit.code)))).all())


async def list_accounts(db: AsyncSession, actor: Actor) -> list[StaffAccount]:
    """Every account, active first, by username; reading the list is audited like the audit log."""
    record_audit(db, actor, AuditAction.read, AUDIT_ENTITY, detail="list")
    await db.commit()
    users = (await db.exec(select(User).order_by(col(User.active).desc(), col(User.username)))).all()
    rows = (await db.exec(select(UserUnit.user_id, Unit).join(Unit, col(Unit.id) == UserUnit.unit_id))).all()
    units: dict[int, list[Unit]] = {}
    for user_id, unit in rows:
        units.setdefault(user_id, []).append(unit)
    return [StaffAccount(u, sorted(units.get(u.id or 0, []), key=lambda x: x.code)) for u in users]


async def get_account(db: AsyncSession, user_id: int) -> StaffAccount:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    rows = await db.exec(
        select(Unit).join(UserUnit, col(UserUnit.unit_id) == Unit.id).where(UserUnit.user_id == user_id)
    )
    return StaffAccount(user, sorted(rows.all(), key=lambda unit: unit.code))


async def create_account(db: AsyncSession, actor: Actor, new: NewAccount) -> StaffAccount:
    """A new account with a temporary password the person must change when they first sign in."""
    username, full_name = normal_username(new.username), normal_full_name(new.full_name)
    role = valid_role(new.role)
    check_new_password(new.temporary_password, field="temporary_password", context=(username, full_name))
    password_hash = await _hash(new.temporary_password)
    units = await _units(db, new.unit_ids)
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=password_hash,
        created_at=clock_of(db).now(),
        must_change_password=True,
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise username_taken(username) from None
    assert user.id is not None
    db.add_all(UserUnit(user_id=user.id, unit_id=unit.id) for unit in units)  # type: ignore[arg-type]
    unit_codes = ", ".join(unit.code for unit in units) or "no units"
    record_audit(
        db, actor, AuditAction.create, AUDIT_ENTITY, user.id, detail=f"{username}: {role.value}, {unit_codes}"
    )
    await db.commit()
    return StaffAccount(user, units)


def _end_sign_ins(db: AsyncSession, user: User, why: str) -> None:
    """Every sign-in of this person stops holding, and their sockets close on every instance."""
    user.sign_in_generation += 1
    announce(db, Change(why, frozenset({View.sign_in}), user_id=user.id))


async def reset_password(
    db: AsyncSession, actor: Actor, user_id: int, temporary_password: str
) -> StaffAccount:
    """A new temporary password for someone who forgot theirs: it ends their sign-ins everywhere, and they
    must choose their own when they next sign in."""
    account = await get_account(db, user_id)
    await db.commit()  # no lock is held (SQLite's write lock) during the Argon2 work
    user = account.user
    context = (user.username, user.full_name)
    check_new_password(temporary_password, field="temporary_password", context=context)
    password_hash = await _hash(temporary_password)
    await db.refresh(user)
    user.password_hash, user.must_change_password = password_hash, True
    _end_sign_ins(db, user, "password_reset")
    db.add(user)
    record_audit(db, actor, AuditAction.update, AUDIT_ENTITY, user_id, detail="reset password")
    await db.commit()
    return account


async def deactivate(db: AsyncSession, actor: Actor, user_id: int) -> StaffAccount:
    """The person can no longer sign in, and their sign-ins and sockets end at once. Never deleted: the
    audit trail keeps their name. Nobody deactivates themselves, so an administrator always remains."""
    if user_id == actor.user_id:
        raise NotAllowed("You cannot deactivate your own account; another administrator can.")
    account = await get_account(db, user_id)
    user = account.user
    if user.active:
        user.active = False
        _end_sign_ins(db, user, "deactivated")
        db.add(user)
        record_audit(db, actor, AuditAction.update, AUDIT_ENTITY, user_id, detail="deactivate")
    await db.commit()
    return account


async def reactivate(db: AsyncSession, actor: Actor, user_id: int) -> StaffAccount:
    """The person can sign in again, with the password they had (or a reset one)."""
    account = await get_account(db, user_id)
    user = account.user
    if not user.active:
        user.active = True
        db.add(user)
        record_audit(db, actor, AuditAction.update, AUDIT_ENTITY, user_id, detail="reactivate")
    await db.commit()
    return account


async def change_role(db: AsyncSession, actor: Actor, user_id: int, role: str) -> StaffAccount:
    """A new role for someone whose work changed. What they may do changes at their next request; their
    sockets, admitted under the old role, close and their sign-ins end, so every screen they had open is
    one their new role allows. Not one's own role, so an administrator always remains."""
    new_role = valid_role(role)
    if user_id == actor.user_id:
        raise NotAllowed("You cannot change your own role; another administrator can.")
    account = await get_account(db, user_id)
    user = account.user
    if user.role != new_role:
        old_role, user.role = user.role, new_role
        _end_sign_ins(db, user, "role_changed")
        db.add(user)
        detail = f"role {old_role} -> {new_role}"
        record_audit(db, actor, AuditAction.update, AUDIT_ENTITY, user_id, detail=detail)
    await db.commit()
    return account


class AdminExists(Conflict):
    """create-admin runs once, on a database without an administrator."""


async def create_first_admin(db: AsyncSession, username: str, full_name: str, password: str) -> User:
    """The first administrator of a new installation (`python -m server create-admin`): their own
    password, typed at the command line, so nothing to change at first sign-in. Refused once any
    administrator account exists. Audited with no actor (detail "create-admin")."""
    username, full_name = normal_username(username), normal_full_name(full_name or username)
    check_new_password(password, field="password", context=(username, full_name))
    password_hash = await _hash(password)
    existing = (await db.exec(select(User).where(User.role == Role.admin))).first()
    if existing is not None:
        name = existing.username
        await db.rollback()
        raise AdminExists(
            f"An administrator account already exists ({name}); "
            "sign in as an administrator to create more accounts."
        )
    user = User(
        username=username,
        full_name=full_name,
        role=Role.admin,
        password_hash=password_hash,
        created_at=clock_of(db).now(),
    )
    db.add(user)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise username_taken(username) from None
    record_audit(
        db, None, AuditAction.create, AUDIT_ENTITY, user.id, detail="create-admin", device="command line"
    )
    await db.commit()
    return user
