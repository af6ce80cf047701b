"""The signed-in person acting through a request or socket, as services see them."""

from __future__ import annotations

from dataclasses import dataclass

from server.auth.models import Role


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    full_name: str
    role: Role
    unit_ids: frozenset[int]
    device: str = ""
    """Where the request came from (client address and browser), for the audit trail."""
    sign_in_generation: int = 0
    """The account's count of password changes: a sign-in made under another count no longer holds."""
    sign_in_id: str = ""
    """This sign-in (one tablet's session), so that locking it closes its sockets and no others."""
    locked: bool = False
    """The tablet is locked: nothing but unlocking or signing out until the person unlocks it."""
    must_change_password: bool = False
    """Signed in with a temporary password set by an administrator: nothing but choosing their own."""
    unlocks_by_pin: bool = False
    """The person has set a PIN and it still works (fewer than 5 wrong since): the lock screen asks for it."""
    theme: str = "auto"
    """Their screens' theme: day, night or automatic by the hospital's night hours (`server.theme`)."""

    def works_on(self, unit_id: int) -> bool:
        return unit_id in self.unit_ids
