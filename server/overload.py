"""An instance takes on only as many writes at once as it can finish promptly (BEDSIDE_MAX_WRITES_IN_HAND);
the next is refused at once with 503 and Retry-After, and nothing of it is stored.

Without this an overload collapsed instead of levelling off (bench/soak.py): writes queued for a database
connection, outlived the patience of the tablets that sent them, and the instance spent itself on
answers nobody was waiting for while its memory grew with the queue. Refused at the door instead, a
session step stays in the tablet's outbox and is sent again a moment later, a nurse's tap says the server
is busy (static/js/bedside.js), and the writes taken on stay fast. Signing out and locking a tablet are
never refused: they protect patient data.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from server.errors import BedsideError

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NEVER_REFUSED = frozenset({"/signout", "/lock"})
RETRY_AFTER_SECONDS = 2


class Busy(BedsideError):
    status_code = 503

    def __init__(self) -> None:
        super().__init__("Bedside is busy right now, so nothing was stored. Try again in a moment.")
        self.headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


class WritesInHand:
    """The writes this instance is working on, and how many it refused."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0
        self.refused = 0

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def take_or_refuse(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["method"] not in WRITES or scope["path"] in NEVER_REFUSED:
                await app(scope, receive, send)
                return
            if self.count >= self.limit:
                self.refused += 1
                raise Busy()
            self.count += 1
            try:
                await app(scope, receive, send)
            finally:
                self.count -= 1

        return take_or_refuse
