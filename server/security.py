"""Protections every response gets, in one place: security headers on everything the app sends
(pages, API, static files, errors and 500s alike); before any handler runs, ids that cannot exist are
refused and JSON bodies are read strictly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import BodyKwarg
from litestar.types import Message, Scope

from server.errors import NotFound

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}
HSTS = "max-age=31536000; includeSubDomains"
LARGEST_ID = 2**31 - 1
"""Id columns are INTEGER: 32-bit on PostgreSQL (64-bit on SQLite), so a larger id is no record on either,
and PostgreSQL's driver would refuse to even compare it (a 500)."""


def security_headers(behind_tls: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A before-send hook: it runs for every message the app sends, so no response leaves without them
    (a header a response sets itself, such as a file's own Cache-Control, is kept). Asynchronous because
    Litestar runs a plain function hook in a worker thread, for every message: every WebSocket frame of
    a push to 1,000 tablets paid a thread hop for a hook that ignores it."""
    headers = {**SECURITY_HEADERS, **({"Strict-Transport-Security": HSTS} if behind_tls else {})}

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        present = MutableScopeHeaders.from_message(message)
        for name, value in headers.items():
            if name not in present:
                present[name] = value

    return add_headers


async def screen_request(request: Request) -> None:
    """The app's before-request hook: both checks below, for every route."""
    refuse_ids_out_of_range(request)
    await read_json_body_strictly(request)


def refuse_ids_out_of_range(request: Request) -> None:
    """A path id no database row can have is a 404 here, not a 500 from the database driver."""
    for value in request.path_params.values():
        if isinstance(value, int) and not 0 < value <= LARGEST_ID:
            raise NotFound("There is no such record.")


async def read_json_body_strictly(request: Request) -> None:
    """A JSON body must have the types its schema states: Litestar converts bodies leniently (`"5"` or
    `true` would pass for a number), so it is decoded here once more, strictly, and refused (400) if it
    does not fit. Values are then checked by the services, which name the field (422)."""
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return
    body_kwarg = data.kwarg_definition
    if isinstance(body_kwarg, BodyKwarg) and body_kwarg.media_type != RequestEncodingType.JSON:
        return
    body = await request.body()
    if not body.strip():
        return
    try:
        msgspec.json.decode(body, type=data.annotation, strict=True)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise ValidationException(str(error)) from None
