"""What a tablet downloads: answers compressed, the app's files at addresses with their digest, kept for a
year, and a first visit to the worklist small enough for a weak ward Wi-Fi."""

from __future__ import annotations

import hashlib
import re

from server.assets import IMMUTABLE, STATIC
from server.auth.sessions import SESSION_COOKIE
from tests.conftest import As, until_frame_with
from tests.factories import PASSWORD, World

ASSET = re.compile(r'(?:href|src)="(/static/v/([0-9a-f]{12})/([^"]+))"')
GZIP = {"accept-encoding": "gzip"}


def assets_of(page: str) -> list[tuple[str, str, str]]:
    return ASSET.findall(page)


async def test_pages_swaps_and_json_are_compressed(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist: As = await sign_in_as("therapist")
    page = await therapist.get("/worklist", headers=GZIP)
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in page.headers["vary"].lower()
    assert page.num_bytes_downloaded < len(page.content) / 3, "HTML shrinks to well under a third"
    patient = world.patient_ids["ada"]
    swap = await therapist.get(f"/patients/{patient}", headers={**GZIP, "hx-request": "true"})
    assert swap.status_code == 200 and swap.headers["content-encoding"] == "gzip"
    listed = await therapist.get(f"/api/units/{world.unit_ids['4W']}/patients", headers=GZIP)
    assert listed.status_code == 200 and listed.headers["content-encoding"] == "gzip"
    assert listed.json(), "decoded as before"


async def test_the_app_files_carry_their_digest_and_are_kept_for_a_year(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist: As = await sign_in_as("therapist")
    page = (await therapist.get("/worklist")).text
    found = assets_of(page)
    names = {name for _, _, name in found}
    assert {"css/bedside.css", "vendor/htmx.min.js", "js/bedside.js"} <= names, names
    assert "/static/css/" not in page and "/static/js/" not in page, "no address without its digest"
    for url, digest, name in found:
        assert digest == hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12], name
        response = await therapist.get(url, headers=GZIP)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE, url
        assert "set-cookie" not in response.headers, "a file never touches the sign-in"
        assert response.content == (STATIC / name).read_bytes()
        if name.endswith((".css", ".js")):
            assert response.headers["content-encoding"] == "gzip", url


async def test_an_address_from_before_a_deployment_gets_the_file_but_not_for_keeps(client) -> None:  # type: ignore[no-untyped-def]
    outdated = await client.get("/static/v/000000000000/css/bedside.css")
    assert outdated.status_code == 200
    assert outdated.headers["cache-control"] == "no-cache"
    assert outdated.content == (STATIC / "css/bedside.css").read_bytes()
    plain = await client.get("/static/css/bedside.css")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"


async def test_nothing_outside_the_static_folder_is_served(client) -> None:  # type: ignore[no-untyped-def]
    for path in (
        "/static/v/000000000000/../../server/settings.py",
        "/static/v/000000000000/%2e%2e/%2e%2e/server/settings.py",
        "/static/v/000000000000/css",
        "/static/v/000000000000/css/nothing-here.css",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "BaseSettings" not in response.text and "class Settings" not in response.text


async def test_the_sign_in_cookie_is_never_sent_from_another_site(client, world: World) -> None:  # type: ignore[no-untyped-def]
    """SameSite=Strict: what keeps compressed pages safe from guessing attacks made from another site."""
    person = As(client, "therapist")
    await person.get("/signin")
    response = await person.post("/signin", data={"username": "therapist", "password": PASSWORD})
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}="))
    assert "samesite=strict" in cookie.lower()


async def test_the_worklist_first_visit_is_at_most_60_kb_on_the_wire(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist: As = await sign_in_as("therapist")
    page = await therapist.get("/worklist", headers=GZIP)
    total = page.num_bytes_downloaded
    for url, _, _ in assets_of(page.text):
        total += (await therapist.get(url, headers=GZIP)).num_bytes_downloaded
    manifest = await therapist.get("/manifest.webmanifest", headers=GZIP)
    total += manifest.num_bytes_downloaded
    assert total <= 60 * 1024, f"{total / 1024:.1f} KiB"


async def test_a_flag_swap_and_its_pushes_are_each_under_5_kb(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    therapist, nurse = await sign_in_as("therapist"), await sign_in_as("nurse")
    west, patient = world.unit_ids["4W"], world.patient_ids["ada"]
    with (
        await therapist.websocket("/ws/worklist") as worklist,
        await nurse.websocket(f"/ws/units/{west}/board") as board,
    ):
        worklist.receive_text(timeout=5)
        board.receive_text(timeout=5)
        swap = await nurse.post(
            f"/patients/{patient}/unavailable",
            data={"kind": "procedure", "note": "PICC line"},
            htmx=True,
            headers=GZIP,
        )
        assert swap.status_code == 200 and "Procedure" in swap.text
        assert swap.num_bytes_downloaded <= 5 * 1024
        card = until_frame_with(worklist, f'id="patient-card-{patient}"')
        row = until_frame_with(board, f'id="board-row-{patient}"')
    assert len(card.encode()) <= 5 * 1024 and len(row.encode()) <= 5 * 1024, "uncompressed"
