"""Every response carries the security headers, errors and static files too; impossible ids are 404."""

from __future__ import annotations

from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.clock import SetClock
from server.security import CONTENT_SECURITY_POLICY
from server.settings import Settings
from tests.factories import World

TOO_BIG = [2**31, 2**63, 10**30, 0]


def assert_protected(response) -> None:  # type: ignore[no-untyped-def]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("number", TOO_BIG)
async def test_an_id_no_record_can_have_is_a_404_not_a_500(sign_in_as, world: World, number: int) -> None:  # type: ignore[no-untyped-def]
    therapist = await sign_in_as("therapist")
    page = await therapist.get(f"/patients/{number}")
    assert page.status_code == 404 and "no such record" in page.text
    api = await therapist.get(f"/api/sessions/{number}")
    assert api.status_code == 404 and api.json()["detail"] == "There is no such record."
    assert_protected(page)
    assert_protected(api)


async def test_static_files_unknown_paths_and_refusals_carry_the_headers(
    client, sign_in_as, world: World
) -> None:  # type: ignore[no-untyped-def]
    assert_protected(await client.get("/static/css/bedside.css"))
    assert_protected(await client.get("/no-such-page"))
    assert_protected(await client.get("/worklist", follow_redirects=False))
    nurse = await sign_in_as("nurse")
    refused = await nurse.post(f"/api/patients/{world.patient_ids['ada']}/flags", json={"kind": "nonsense"})
    assert refused.status_code == 422
    assert_protected(refused)
    assert "strict-transport-security" not in refused.headers, "HSTS only behind TLS"


async def test_hsts_is_sent_when_the_cookies_are_secure(
    settings: Settings, clock: SetClock, world: World
) -> None:
    behind_tls = create_app(replace(settings, secure_cookies=True), clock)
    async with AsyncTestClient(app=behind_tls, base_url="https://testserver.local") as client:
        response = await client.get("/signin")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert_protected(response)
