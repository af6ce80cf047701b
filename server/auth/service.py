"""Sign-in and loading the signed-in user."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import Role, User, UserUnit
from server.auth.passwords import DUMMY_HASH, verify_password
from server.changes import Change, View, announce
from server.errors import BedsideError


class SignInFailed(BedsideError):
    status_code = 401


async def load_actor(db: AsyncSession, user_id: int, device: str = "") -> Actor | None:
    user = await db.get(User, user_id)
    if user is None or not user.active:
        return None
    unit_rows = await db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == user_id))
    return Actor(
        user_id=user_id,
        username=user.username,
        full_name=user.full_name,
        role=Role(user.role),
        unit_ids=frozenset(unit_rows.all()),
        device=device,
    )


async def sign_in(db: AsyncSession, username: str, password: str, device: str) -> Actor:
    """Check the password; every attempt, failed or not, is audited."""
    username = username.strip().lower()
    user = (await db.exec(select(User).where(User.username == username))).first()
    valid = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not user.active or not valid:
        record_audit(
            db, None, AuditAction.execute, "sign_in", outcome="failure", username=username[:64], device=device
        )
        await db.commit()
        raise SignInFailed("That username and password do not match an active account.")
    assert user.id is not None
    actor = await load_actor(db, user.id, device)
    assert actor is not None
    record_audit(db, actor, AuditAction.execute, "sign_in")
    await db.commit()
    return actor


async def sign_out(db: AsyncSession, actor: Actor) -> None:
    """The sign-in ends here and on every tablet still showing it: their sockets are closed after commit."""
    record_audit(db, actor, AuditAction.execute, "sign_out")
    announce(db, Change("signed_out", frozenset({View.sign_in}), user_id=actor.user_id))
    await db.commit()
