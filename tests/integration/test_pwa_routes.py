"""The installable app's routes: the manifest and its icons, the service worker at the site root, the
favicon, and the offline page, all public, none with anyone's data."""

from __future__ import annotations

import json
import re
from datetime import datetime, time

from server.pwa import MANIFEST_MEDIA_TYPE, shell
from tests.factories import World
from tests.integration.test_security_headers import assert_protected

PATIENT_PAGES = re.compile(r"^/(worklist|patients|api|ws|admin|units|sessions|audit|staff|account)")


async def test_the_manifest_makes_bedside_installable(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(MANIFEST_MEDIA_TYPE)
    manifest = json.loads(response.text)
    assert manifest["name"] == manifest["short_name"] == "Bedside"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert (manifest["theme_color"], manifest["background_color"]) == ("#0b5c7a", "#f6f5f2")
    icons = {(icon["sizes"], icon["purpose"], icon["type"]): icon["src"] for icon in manifest["icons"]}
    assert {
        ("192x192", "any", "image/png"),
        ("512x512", "any", "image/png"),
        ("512x512", "maskable", "image/png"),
        ("any", "any", "image/svg+xml"),
    } <= set(icons)
    for (_, _, media_type), src in icons.items():
        icon = await client.get(src)
        assert icon.status_code == 200, src
        assert icon.headers["content-type"].startswith(media_type), src
        if media_type == "image/png":
            assert icon.content.startswith(b"\x89PNG\r\n\x1a\n"), src
    assert_protected(response)


async def test_the_service_worker_is_served_from_the_root_and_never_kept_stale(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert "__BEDSIDE_" not in response.text, "the shell and version are filled in"
    assert re.search(r'var CACHE = "bedside-shell-[0-9a-f]{16}"', response.text)
    assert json.dumps(shell()) in response.text
    assert_protected(response)


async def test_the_shell_holds_no_patient_page_and_every_file_in_it_exists(client) -> None:  # type: ignore[no-untyped-def]
    assert [url for url in shell() if PATIENT_PAGES.match(url)] == []
    assert [url for url in shell() if not url.startswith("/static/")] == ["/offline", "/manifest.webmanifest"]
    for url in shell():
        response = await client.get(url)
        assert response.status_code == 200, url


async def test_the_favicon_is_the_app_icon(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/")
    assert_protected(response)


async def test_the_offline_page_is_public_and_names_no_one(client, sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    anonymous = await client.get("/offline", follow_redirects=False)
    assert anonymous.status_code == 200
    assert "No network" in anonymous.text and 'href="/"' in anonymous.text
    assert_protected(anonymous)
    assert anonymous.headers["cache-control"] == "no-store"
    therapist = await sign_in_as("therapist")
    signed_in = await therapist.get("/offline", follow_redirects=False)
    assert signed_in.status_code == 200
    assert "Therapist" not in signed_in.text, "the same page for everyone: no name on it"
    assert "Sign out" not in signed_in.text


async def test_every_page_links_the_manifest_and_the_icon(client, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(datetime.combine(clock.today(), time(12), tzinfo=clock.tzinfo))  # by day: the manifest's colour
    page = (await client.get("/signin")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="icon"' in page and 'name="theme-color" content="#0b5c7a"' in page
