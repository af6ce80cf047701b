"""What the OpenAPI document says each route answers, and the schema pages served from our own files.

Every handler names the refusals it can really give (`api(404, 409, 422)`, `page(404)`); the mapping
below adds those every guarded route can give (400, 401, 403) in the shape `app.error_response` sends
them: JSON `ApiError` under /api, HTML elsewhere (a page, or for htmx a message fragment), and "not
signed in" as a 303 to the sign-in page for pages. A handler that is not plain JSON or a template says
its own `media_type` (htmx fragments, CSV, PDF).
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

import msgspec
from litestar import Litestar, Request
from litestar.enums import MediaType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Example
from litestar.params import Body
from litestar.router import Router
from litestar.routes import HTTPRoute

from server.overload import NEVER_REFUSED, WRITES

CSV = "text/csv"
PDF = "application/pdf"
HTML = MediaType.HTML
SCHEMA_PATH = "/schema"


class ApiError(msgspec.Struct):
    """Every refusal of the JSON API: the status again and a sentence a person can act on."""

    status_code: int
    detail: str


WHY: dict[int, str] = {
    400: "The request could not be read: a parameter or body of the wrong type or shape; nothing was stored.",
    401: "Not signed in.",
    403: "The signed-in role or units do not cover this, or the CSRF header is missing; nothing was stored.",
    404: "No such record (or an id no record can have).",
    409: "The record's current state does not allow this (or it names another patient); nothing was stored.",
    422: "A value is missing, unknown or out of range; nothing was stored.",
}
EVERY_ROUTE = (400, 401, 403)
"""Unreadable input, not signed in, and refused by the policy table or the CSRF check."""


def api(*codes: int) -> dict[int, ResponseSpec]:
    """A JSON API route's refusals: `ApiError` bodies, with the codes every route can give."""
    return {
        code: ResponseSpec(data_container=ApiError, description=WHY[code], generate_examples=False)
        for code in sorted({*EVERY_ROUTE, *codes})
    }


def json_body(struct: type, summary: str, example: dict[str, Any]) -> Any:
    """A JSON body type whose OpenAPI entry carries one worked example, for a module-level alias:
    `AdmissionBody = json_body(AdmissionDetails, "Admit to 4 West", {...})`, then `data: AdmissionBody`."""
    return Annotated[struct, Body(examples=[Example(summary=summary, value=example)])]


def page(*codes: int) -> dict[int, ResponseSpec]:
    """A page, form post or htmx step's refusals: HTML (a page; for htmx a message fragment with the same
    status). Not signed in is a 303 to /signin (htmx: 401 with HX-Redirect and no body)."""
    return {
        **public_page(*codes),
        303: ResponseSpec(
            data_container=None,
            description="See other: the next page after a form post, or /signin when not signed in.",
        ),
        401: ResponseSpec(
            data_container=None, description="Not signed in, for an htmx request: HX-Redirect to /signin."
        ),
    }


def public_page(*codes: int) -> dict[int, ResponseSpec]:
    """A page open without signing in (sign-in itself): HTML refusals only."""
    return {code: html_refusal(WHY[code]) for code in sorted({400, 403, *codes})}


def html_refusal(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=str, description=description, media_type=HTML, generate_examples=False)


BUSY = (
    "Busy: this instance already has as many writes in hand as it can finish promptly; refused at once, "
    "nothing stored. Retry-After says when to send it again (server/overload.py)."
)


def document_busy(app: Litestar) -> None:
    """Every write route can be refused with 503 when its instance is busy (`server.overload`), except
    those never refused (sign out, lock): added here to each one's documented answers, before the
    document is first built."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path in NEVER_REFUSED:
            continue
        for handler in route.route_handlers:
            if not handler.http_methods & WRITES:
                continue
            if route.path.startswith("/api/"):
                busy = ResponseSpec(data_container=ApiError, description=BUSY, generate_examples=False)
            else:
                busy = html_refusal(BUSY)
            handler.responses = {**(handler.responses or {}), 503: busy}


class SwaggerFromStatic(OpenAPIRenderPlugin):
    """Swagger UI from our own /static/vendor (copied from npm at install), started by our own script:
    no CDN, no inline script or style, so the app's one strict CSP holds on this page too."""

    def __init__(self, vendor: str = "/static/vendor/swagger-ui", path: str = "/") -> None:
        super().__init__(path=path, favicon="", style="")
        self.js_url = f"{vendor}/swagger-ui-bundle.js"
        self.css_url = f"{vendor}/swagger-ui.css"
        self.init_url = "/static/js/schema.js"

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = escape(openapi_schema["info"]["title"])
        spec_url = escape(self.get_openapi_json_route(request))
        csrf = request.app.csrf_config
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} API</title>
<link rel="stylesheet" href="{self.css_url}">
</head>
<body>
<div id="swagger-ui" data-spec-url="{spec_url}" data-csrf-cookie="{csrf.cookie_name if csrf else ""}"
     data-csrf-header="{csrf.header_name if csrf else ""}"></div>
<script src="{self.js_url}"></script>
<script src="{self.init_url}"></script>
</body>
</html>
""".encode()


def openapi_config(version: str, guards: list[Any]) -> OpenAPIConfig:
    """The document at /schema/openapi.json and its UI at /schema, behind the given guards."""
    return OpenAPIConfig(
        title="Bedside",
        version=version,
        description=(
            "Bedside's pages and JSON API. Every call needs a signed-in session cookie (sign in at /signin) "
            "and, for POST, the `x-csrftoken` header equal to the `csrftoken` cookie. Refusals under /api "
            "are JSON `{status_code, detail}`; pages answer HTML."
        ),
        path=SCHEMA_PATH,
        render_plugins=[SwaggerFromStatic(), JsonRenderPlugin()],
        openapi_router=Router(SCHEMA_PATH, route_handlers=[], guards=guards, include_in_schema=False),
    )
