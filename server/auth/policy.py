"""The one policy table: which role may do what. Every route and socket names one entry of it (a test
walks the app's route table); guards and socket admission are built from it, never written by hand.

Roles say what kind of work; units and patients narrow it further in the services (`get_patient_for`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.auth.actor import Actor
from server.auth.models import Role

Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]

CLINICAL_READERS = frozenset({Role.therapist, Role.nurse, Role.physician, Role.hospice})
"""Who may read a patient's chart on their own units (admins manage users and audit, not charts)."""

POLICY: dict[str, frozenset[Role]] = {
    "account.use": frozenset(Role),
    "account.sign_in": frozenset(Role),
    "account.password": frozenset(Role),
    "account.pin": frozenset(Role),
    "worklist.read": frozenset({Role.therapist}),
    "board.read": frozenset({Role.nurse, Role.physician}),
    "board.print": frozenset({Role.nurse, Role.physician, Role.therapist}),
    "comfort_care.list": frozenset({Role.hospice}),
    "chart.read": CLINICAL_READERS,
    "comfort_log.read": CLINICAL_READERS,
    "pain_scale.choose": frozenset({Role.therapist}),
    "orders.write": frozenset({Role.physician}),
    "availability.write": frozenset({Role.nurse}),
    "session.chart": frozenset({Role.therapist}),
    "session.interrupt": frozenset({Role.nurse}),
    "break_glass.open": CLINICAL_READERS,
    "audit.read": frozenset({Role.admin}),
    "break_glass.review": frozenset({Role.admin}),
    "schema.read": frozenset(Role),
    "staff.manage": frozenset({Role.admin}),
    "units.manage": frozenset({Role.admin}),
    "units.read": frozenset(Role),
    "patients.admit": frozenset({Role.nurse, Role.admin}),
    "patients.transfer": frozenset({Role.nurse, Role.admin}),
    "patients.discharge": frozenset({Role.nurse, Role.admin}),
}
ADMISSION = POLICY["patients.admit"]
"""Who admits, transfers and discharges: nurses on their own units (checked by the service), admins on all."""
COMFORT_CARE_ONLY = frozenset({Role.hospice})
"""Roles that read only comfort-care patients' records (on their units, like everyone)."""
WHILE_LOCKED = frozenset({"account.sign_in"})
"""A locked tablet still allows its own sign-in: unlocking it, or signing out to switch user."""
WHILE_PASSWORD_TEMPORARY = frozenset({"account.sign_in", "account.password"})
"""Someone signed in with a temporary password may only choose their own (or sign out)."""
PUBLIC = "public"
"""Sign-in, health probes and static files: no sign-in needed, and no patient data behind them."""


def reads_patient(actor: Actor, unit_id: int, comfort_care: bool) -> bool:
    """Whether this person may see this patient at all: their units, and for hospice staff only
    comfort-care patients. Every patient read goes through `patients.service.get_patient_for`, or
    `read_patient_for` for one patient's record, which also honours a break-the-glass grant."""
    return actor.works_on(unit_id) and (actor.role not in COMFORT_CARE_ONLY or comfort_care)


def may_break_the_glass(actor: Actor, unit_id: int, comfort_care: bool) -> bool:
    """Whether this person may open this patient outside their units by giving a reason (break the glass):
    clinical readers only, for reading only, and hospice staff for comfort-care patients only, as on their
    own units. Admins never: they have no chart access at all. The grant is checked in
    `patients.service.read_patient_for`."""
    return (
        actor.role in CLINICAL_READERS
        and not actor.works_on(unit_id)
        and (actor.role not in COMFORT_CARE_ONLY or comfort_care)
    )


def roles_for(permission: str) -> frozenset[Role]:
    return POLICY[permission]


class TabletLocked(NotAuthorizedException):
    """Signed in, but the tablet is locked: the person must unlock it first."""


class PasswordChangeRequired(PermissionDeniedException):
    """Signed in with a temporary password set by an administrator: pages send the person to
    /account/password, the API refuses with 403."""


def check(actor: Actor | None, permission: str) -> Actor:
    """The actor, if signed in with a role the permission allows; else the refusal to show them."""
    if not isinstance(actor, Actor):
        raise NotAuthorizedException("Sign in first.")
    if actor.locked and permission not in WHILE_LOCKED:
        raise TabletLocked("This tablet is locked; unlock it first.")
    if actor.must_change_password and permission not in WHILE_PASSWORD_TEMPORARY:
        raise PasswordChangeRequired("Change your temporary password first.")
    roles = roles_for(permission)
    if actor.role not in roles:
        raise PermissionDeniedException(
            f"A {actor.role} account cannot do this; it needs the role {' or '.join(sorted(roles))}."
        )
    return actor


def requires(permission: str) -> Guard:
    """A Litestar guard for one entry of the table (it raises for an unknown name at import time)."""
    roles_for(permission)

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        """Async though it awaits nothing: Litestar runs a plain function guard in a worker thread."""
        check(connection.scope.get("user"), permission)

    guard.permission = permission  # type: ignore[attr-defined]
    return guard
