"""What makes Bedside an installable app on the tablet: the web app manifest, the icon at /favicon.ico, the
service worker at the site root (so its scope is the whole site) and the page it shows when the network is
down. All public, none with patient data or even the signed-in person's name."""

from __future__ import annotations

import hashlib
import json
from functools import cache

from litestar import Controller, get
from litestar.response import File, Response, Template

from server.auth.policy import PUBLIC
from server.db import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
TEMPLATES = PROJECT_ROOT / "templates"
THEME_COLOR = "#0b5c7a"
"""--primary in static/css/bedside.css (light scheme): the tablet's title bar."""
BACKGROUND_COLOR = "#f6f5f2"
"""--bg in static/css/bedside.css: the splash screen while the app starts."""
OFFLINE_PAGE = "/offline"
SHELL = (
    OFFLINE_PAGE,
    "/manifest.webmanifest",
    "/static/css/bedside.css",
    "/static/js/bedside.js",
    "/static/js/theme.js",
    "/static/vendor/htmx.min.js",
    "/static/vendor/ws.js",
    "/static/vendor/idb.umd.js",
    "/static/js/outbox.js",
    "/static/icons/bedside.svg",
    "/static/icons/bedside-192.png",
    "/static/icons/bedside-512.png",
    "/static/icons/bedside-maskable-512.png",
)
"""Everything the service worker keeps in its shell cache: the offline page and the files every page loads.
The only page with patient data it ever keeps is the session being charted, in a cache of its own (one
entry, replaced by the next session, deleted at sign-out and lock): see static/js/sw.js."""
MANIFEST = {
    "id": "/",
    "name": "Bedside",
    "short_name": "Bedside",
    "description": "Medical massage therapy charting at the bedside.",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "orientation": "any",
    "theme_color": THEME_COLOR,
    "background_color": BACKGROUND_COLOR,
    "icons": [
        {"src": "/static/icons/bedside-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": "/static/icons/bedside-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {
            "src": "/static/icons/bedside-maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": "/static/icons/bedside.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
    ],
}
MANIFEST_MEDIA_TYPE = "application/manifest+json"
JAVASCRIPT = "text/javascript; charset=utf-8"


@cache
def service_worker_source() -> str:
    """static/js/sw.js with the shell's list and a version filled in. The version is a digest of the
    worker and of every file in the shell (and the offline page's templates), so any change to them makes
    a new worker, which the tablets install on their next visit, and which drops the old cache."""
    source = (STATIC / "js" / "sw.js").read_text()
    digest = hashlib.sha256(source.encode())
    for url in SHELL:
        if url.startswith("/static/"):
            digest.update((STATIC / url.removeprefix("/static/")).read_bytes())
    for template in ("base.html", "pages/offline.html"):
        digest.update((TEMPLATES / template).read_bytes())
    digest.update(json.dumps(MANIFEST, sort_keys=True).encode())
    return source.replace("__BEDSIDE_SHELL__", json.dumps(list(SHELL))).replace(
        "__BEDSIDE_VERSION__", digest.hexdigest()[:16]
    )


class PwaRoutes(Controller):
    path = "/"
    opt = {"policy": PUBLIC}

    @get("/manifest.webmanifest", exclude_from_auth=True, include_in_schema=False)
    async def manifest(self) -> Response[bytes]:
        """What the tablet needs to install Bedside as an app."""
        return Response(json.dumps(MANIFEST, indent=2).encode(), media_type=MANIFEST_MEDIA_TYPE)

    @get("/sw.js", exclude_from_auth=True, include_in_schema=False)
    async def service_worker(self) -> Response[str]:
        """From the site root, so it may answer for every page; `no-cache` so a new one is found at once."""
        return Response(service_worker_source(), media_type=JAVASCRIPT, headers={"Cache-Control": "no-cache"})

    @get("/favicon.ico", exclude_from_auth=True, include_in_schema=False)
    async def favicon(self) -> File:
        """For clients that ask for the icon at the old place, before reading the page's <link rel=icon>."""
        return File(
            STATIC / "icons" / "bedside-192.png",
            content_disposition_type="inline",
            media_type="image/png",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @get(OFFLINE_PAGE, exclude_from_auth=True, include_in_schema=False)
    async def offline(self) -> Template:
        """The page the service worker shows when a page cannot be reached. Not signed in (no name, no
        patient): the same for everyone, so it may be kept on a shared tablet."""
        return Template("pages/offline.html")
