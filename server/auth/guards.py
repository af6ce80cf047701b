"""Role guards: which role may use which route. Every route but sign-in and static files has one.

The policy in one table, so a reader (and the route-matrix test) can see it at a glance.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from server.auth.actor import Actor
from server.auth.models import Role

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]

CLINICAL_READERS = (Role.therapist, Role.nurse, Role.physician, Role.hospice)
"""Who may read a patient's chart on their own units (admins manage users and audit, not charts)."""


def requires_role(*roles: Role) -> Guard:
    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        actor = connection.scope.get("user")
        if not isinstance(actor, Actor):
            raise NotAuthorizedException("Sign in first.")
        if actor.role not in roles:
            raise PermissionDeniedException(
                f"A {actor.role} account cannot do this; it needs the role {' or '.join(roles)}."
            )

    guard.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return guard


any_signed_in = requires_role(*Role)
