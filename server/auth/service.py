"""Sign-in and loading the signed-in user."""

from __future__ import annotations

import asyncio
from collections.abc import Collection

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import Role, ThemeChoice, User, UserUnit
from server.auth.passwords import (
    DUMMY_HASH,
    check_new_password,
    check_new_pin,
    hash_password,
    verify_password,
)
from server.auth.throttle import SignInThrottle, TooManyAttempts
from server.changes import Change, View, announce
from server.errors import BedsideError, InvalidInput


class SignInFailed(BedsideError):
    status_code = 401


PIN_TRIES = 5
"""Wrong PINs that end the sign-in: after them only the password (a full sign-in) lets the person in."""


class WrongPin(SignInFailed):
    def __init__(self, tries_left: int) -> None:
        tries = "1 try" if tries_left == 1 else f"{tries_left} tries"
        super().__init__(f"That PIN is not right. {tries} left before you must sign in with your password.")
        self.tries_left = tries_left


class PinTriesUsedUp(BedsideError):
    """The caller ends the sign-in: a full sign-in with the password is needed."""

    status_code = 429

    def __init__(self) -> None:
        super().__init__(f"Signed out after {PIN_TRIES} wrong PINs. Sign in with your username and password.")


async def load_actor(db: AsyncSession, user_id: int, device: str = "") -> Actor | None:
    """The person and their units in one query: every request and socket handshake loads its actor."""
    return (await load_actors(db, {user_id}, device)).get(user_id)


async def load_actors(db: AsyncSession, user_ids: Collection[int], device: str = "") -> dict[int, Actor]:
    """The active ones of these people, with their units, in one query: sockets opening together are
    admitted with one read."""
    rows = (
        await db.exec(
            select(User, UserUnit.unit_id)
            .outerjoin(UserUnit, col(UserUnit.user_id) == col(User.id))
            .where(col(User.id).in_(sorted(user_ids)))
        )
    ).all()
    users: dict[int, User] = {}
    units: dict[int, set[int]] = {}
    for user, unit_id in rows:
        users[user.id] = user
        if unit_id is not None:
            units.setdefault(user.id, set()).add(unit_id)
    return {
        user_id: Actor(
            user_id=user_id,
            username=user.username,
            full_name=user.full_name,
            role=Role(user.role),
            unit_ids=frozenset(units.get(user_id, ())),
            device=device,
            sign_in_generation=user.sign_in_generation,
            must_change_password=user.must_change_password,
            unlocks_by_pin=user.pin_hash is not None and user.pin_failures < PIN_TRIES,
            theme=user.theme,
        )
        for user_id, user in users.items()
        if user.active
    }


async def sign_in(
    db: AsyncSession, throttle: SignInThrottle, username: str, password: str, address: str, device: str
) -> Actor:
    """Check the password, unless this account or address must wait; every attempt is audited."""
    username = username.strip().lower()

    async def refuse(outcome: str) -> None:
        record_audit(
            db, None, AuditAction.execute, "sign_in", outcome=outcome, username=username[:64], device=device
        )
        await db.commit()

    try:
        await throttle.attempt(username, address)
    except TooManyAttempts:
        await refuse("throttled")
        raise
    user = (await db.exec(select(User).where(User.username == username))).first()
    await db.commit()  # no lock is held (SQLite's write lock) during the Argon2 work
    valid = await asyncio.to_thread(verify_password, user.password_hash if user else DUMMY_HASH, password)
    if user is None or not user.active or not valid:
        await refuse("failure")
        raise SignInFailed("That username and password do not match an active account.")
    assert user.id is not None
    if user.pin_failures:
        user.pin_failures = 0  # the password proves the person again: their PIN works again
        db.add(user)
        await db.flush()
    actor = await load_actor(db, user.id, device)
    assert actor is not None
    record_audit(db, actor, AuditAction.execute, "sign_in")
    await db.commit()
    await throttle.succeeded(username, address)
    return actor


async def sign_out(db: AsyncSession, actor: Actor) -> None:
    """The sign-in ends here and on every tablet still showing it: their sockets are closed after commit."""
    record_audit(db, actor, AuditAction.execute, "sign_out")
    announce(db, Change("signed_out", frozenset({View.sign_in}), user_id=actor.user_id))
    await db.commit()


async def lock(db: AsyncSession, actor: Actor, detail: str = "") -> None:
    """The tablet hides the person's screens: this sign-in's sockets close, on every instance. `detail`
    says why when the person did not tap Lock themselves (nobody touched the tablet)."""
    record_audit(db, actor, AuditAction.execute, "lock", detail=detail)
    views = frozenset({View.sign_in})
    announce(db, Change("locked", views, user_id=actor.user_id, sign_in_id=actor.sign_in_id or None))
    await db.commit()


async def unlock(
    db: AsyncSession, throttle: SignInThrottle, actor: Actor, password: str, address: str
) -> None:
    """The same person, with their password; wrong guesses count like wrong sign-ins, and once the account
    must wait (`TooManyAttempts`) the caller ends the sign-in: a full sign-in is needed."""
    await throttle.attempt(actor.username, address)
    user = await db.get(User, actor.user_id)
    await db.commit()
    if user is None or not await asyncio.to_thread(verify_password, user.password_hash, password):
        record_audit(db, actor, AuditAction.execute, "unlock", outcome="failure")
        await db.commit()
        raise SignInFailed("That password is not right.")
    await throttle.succeeded(actor.username, address)
    record_audit(db, actor, AuditAction.execute, "unlock")
    await db.commit()


async def own_account_confirmed(
    db: AsyncSession,
    throttle: SignInThrottle,
    actor: Actor,
    password: str,
    address: str,
    what: str,
    refusal: str,
) -> User:
    """The person's own account, once they have typed its password again (counted like a sign-in
    attempt); a wrong one is audited as a failed change of `what` and refused with `refusal`."""
    await throttle.attempt(actor.username, address)
    user = await db.get(User, actor.user_id)
    assert user is not None
    await db.commit()  # no lock is held (SQLite's write lock) during the Argon2 work
    if not await asyncio.to_thread(verify_password, user.password_hash, password):
        record_audit(db, actor, AuditAction.update, what, actor.user_id, outcome="failure")
        await db.commit()
        raise SignInFailed(refusal)
    return user


async def change_password(
    db: AsyncSession,
    throttle: SignInThrottle,
    actor: Actor,
    current: str,
    new: str,
    repeated: str,
    address: str,
) -> int:
    """A new password ends every other sign-in of this person at once (their sessions stop holding and
    their sockets close on every instance); the caller renews the sign-in it was made from, with the
    generation returned. It also ends a temporary password set by an administrator."""
    check_new_password(new, field="new_password", context=(actor.username, actor.full_name))
    if new != repeated:
        raise InvalidInput("repeat_password: the two new passwords are not the same.")
    if current == new:
        raise InvalidInput("new_password: choose a password different from the current one.")
    refusal = "current_password: that is not your current password."
    user = await own_account_confirmed(db, throttle, actor, current, address, "password", refusal)
    user.password_hash = await asyncio.to_thread(hash_password, new)
    user.sign_in_generation += 1
    detail = "temporary password replaced" if user.must_change_password else ""
    user.must_change_password = False
    db.add(user)
    record_audit(db, actor, AuditAction.update, "password", actor.user_id, detail=detail)
    announce(db, Change("password_changed", frozenset({View.sign_in}), user_id=actor.user_id))
    await db.commit()
    await throttle.succeeded(actor.username, address)
    return user.sign_in_generation


async def unlock_with_pin(db: AsyncSession, actor: Actor, pin: str) -> None:
    """The same person, with their PIN. The try is counted on the account in one UPDATE before the PIN is
    checked, so guesses sent in parallel (or from reloaded pages) all count; the fifth wrong one
    (`PinTriesUsedUp`) makes the caller end the sign-in, and the PIN stays off until a full sign-in."""
    users = User.__table__.c  # type: ignore[attr-defined]
    counted = (
        await db.exec(  # type: ignore[call-overload]
            update(User)
            .where(
                col(User.id) == actor.user_id,
                col(User.pin_hash).is_not(None),
                col(User.pin_failures) < PIN_TRIES,
            )
            .values(pin_failures=users.pin_failures + 1)
            .returning(users.pin_failures, users.pin_hash)
        )
    ).first()
    await db.commit()  # the try is counted before the Argon2 work, and no lock is held during it
    if counted is None:
        record_audit(db, actor, AuditAction.execute, "unlock", outcome="failure", detail="PIN")
        await db.commit()
        raise PinTriesUsedUp()
    failures, pin_hash = int(counted[0]), str(counted[1])
    if await asyncio.to_thread(verify_password, pin_hash, pin):
        await db.exec(update(User).where(col(User.id) == actor.user_id).values(pin_failures=0))  # type: ignore[call-overload]
        record_audit(db, actor, AuditAction.execute, "unlock", detail="PIN")
        await db.commit()
        return
    record_audit(db, actor, AuditAction.execute, "unlock", outcome="failure", detail="PIN")
    await db.commit()
    if failures >= PIN_TRIES:
        raise PinTriesUsedUp()
    raise WrongPin(PIN_TRIES - failures)


async def set_pin(
    db: AsyncSession,
    throttle: SignInThrottle,
    actor: Actor,
    password: str,
    pin: str,
    repeated: str,
    address: str,
) -> None:
    """A PIN unlocks every later lock of this person's sign-ins, so setting one asks for the password:
    someone who finds a tablet left unlocked cannot give themselves a way back in. The PIN is hashed like
    a password and never stored, logged or audited in clear."""
    check_new_pin(pin, repeated)
    refusal = "password: that is not your password."
    user = await own_account_confirmed(db, throttle, actor, password, address, "pin", refusal)
    detail = "changed" if user.pin_hash else "set"
    user.pin_hash = await asyncio.to_thread(hash_password, pin)
    user.pin_failures = 0
    db.add(user)
    record_audit(db, actor, AuditAction.update, "pin", actor.user_id, detail=detail)
    await db.commit()
    await throttle.succeeded(actor.username, address)


async def choose_theme(db: AsyncSession, actor: Actor, choice: str) -> None:
    """Keep the person's screen theme with their account (a shared tablet shows each person theirs).
    Not audited: it says nothing about a patient and changes no one's access."""
    if choice not in ThemeChoice.__members__:
        raise InvalidInput(f"There is no screen theme called {choice[:20]}; choose Day, Night or Automatic.")
    user = await db.get(User, actor.user_id)
    if user is None:
        raise InvalidInput("This account no longer exists.")
    user.theme = choice
    db.add(user)
    await db.commit()
