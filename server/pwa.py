"""What makes Bedside an installable app on the tablet: the web app manifest, the icon at /favicon.ico, the
service worker at the site root (so its scope is the whole site) and the page it shows when the network is
down. All public, none with patient data or even the signed-in person's name."""

from __future__ import annotations

import hashlib
import json

from litestar import Controller, get
from litestar.response import File, Response, Template

from server.assets import asset_url
from server.auth.policy import PUBLIC
from server.db import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
TEMPLATES = PROJECT_ROOT / "templates"
THEME_COLOR = "#0b5c7a"
"""--primary in static/css/bedside.css (light scheme): the tablet's title bar."""
BACKGROUND_COLOR = "#f6f5f2"
"""--bg in static/css/bedside.css: the splash screen while the app starts."""
OFFLINE_PAGE = "/offline"
SHELL_FILES = (
    "css/bedside.css",
    "js/bedside.js",
    "js/theme.js",
    "vendor/htmx.min.js",
    "vendor/ws.js",
    "vendor/idb.umd.js",
    "js/outbox.js",
    "icons/bedside.svg",
    "icons/bedside-192.png",
    "icons/bedside-512.png",
    "icons/bedside-maskable-512.png",
)
"""The files every page loads, kept by the service worker with the offline page and the manifest. The only
page with patient data it ever keeps is the session being charted, in a cache of its own (one entry,
replaced by the next session, deleted at sign-out and lock): see static/js/sw.js."""


def shell() -> list[str]:
    """The shell's addresses as the pages ask for them (with each file's digest)."""
    return [OFFLINE_PAGE, "/manifest.webmanifest", *(asset_url(name) for name in SHELL_FILES)]


def manifest() -> dict[str, object]:
    return {
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
            _icon("icons/bedside-192.png", "192x192", "image/png", "any"),
            _icon("icons/bedside-512.png", "512x512", "image/png", "any"),
            _icon("icons/bedside-maskable-512.png", "512x512", "image/png", "maskable"),
            _icon("icons/bedside.svg", "any", "image/svg+xml", "any"),
        ],
    }


def _icon(name: str, sizes: str, media_type: str, purpose: str) -> dict[str, str]:
    return {"src": asset_url(name), "sizes": sizes, "type": media_type, "purpose": purpose}


MANIFEST_MEDIA_TYPE = "application/manifest+json"
JAVASCRIPT = "text/javascript; charset=utf-8"


def service_worker_source() -> str:
    """static/js/sw.js with the shell's list and a version filled in. The version is a digest of the
    worker, of the shell's addresses (each carries its file's digest), the offline page's templates and the
    manifest, so any change to them makes a new worker, which the tablets install on their next visit, and
    which drops the old cache."""
    source = (STATIC / "js" / "sw.js").read_text()
    urls = shell()
    digest = hashlib.sha256(source.encode())
    digest.update(json.dumps(urls).encode())
    for template in ("base.html", "pages/offline.html"):
        digest.update((TEMPLATES / template).read_bytes())
    digest.update(json.dumps(manifest(), sort_keys=True).encode())
    return source.replace("__BEDSIDE_SHELL__", json.dumps(urls)).replace(
        "__BEDSIDE_VERSION__", digest.hexdigest()[:16]
    )


class PwaRoutes(Controller):
    path = "/"
    opt = {"policy": PUBLIC}

    @get("/manifest.webmanifest", exclude_from_auth=True, include_in_schema=False)
    async def manifest(self) -> Response[bytes]:
        """What the tablet needs to install Bedside as an app."""
        return Response(json.dumps(manifest(), indent=2).encode(), media_type=MANIFEST_MEDIA_TYPE)

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
