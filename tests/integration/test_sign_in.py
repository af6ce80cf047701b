"""Sign-in, sign-out and what anonymous visitors get."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlmodel import select

from server import db
from server.audit.models import AuditEvent
from server.settings import Settings
from tests.clock import set_clock
from tests.conftest import As
from tests.factories import World


async def audit_rows(settings: Settings) -> list[AuditEvent]:
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, set_clock())() as session:
        rows = list((await session.exec(select(AuditEvent))).all())
    await engine.dispose()
    return rows


async def test_therapist_signs_in_and_lands_on_the_worklist(client: AsyncTestClient, world: World) -> None:
    therapist = As(client, "therapist")
    await therapist.sign_in()
    home = await therapist.get("/", follow_redirects=False)
    assert home.headers["location"] == "/worklist"
    page = await therapist.get("/worklist")
    assert page.status_code == 200
    assert "Today's worklist" in page.text


async def test_wrong_password_is_refused_with_a_message_and_audited(
    client: AsyncTestClient, world: World, settings: Settings
) -> None:
    nurse = As(client, "nurse")
    await nurse.get("/signin")
    response = await nurse.post("/signin", data={"username": "nurse", "password": "wrong"})
    assert response.status_code == 401
    assert "do not match an active account" in response.text
    assert (await nurse.get("/board", follow_redirects=False)).headers["location"] == "/signin"
    failures = [
        e for e in await audit_rows(settings) if e.entity_type == "sign_in" and e.outcome == "failure"
    ]
    assert [e.username for e in failures] == ["nurse"]


async def test_sign_in_issues_a_new_session_id(client: AsyncTestClient, world: World) -> None:
    """A session id planted before sign-in must not become a signed-in session (fixation)."""
    therapist = As(client, "therapist")
    await therapist.get("/signin")
    therapist.cookies["bedside_session"] = "a" * 64
    await therapist.post("/signin", data={"username": "therapist", "password": "correct horse battery"})
    assert therapist.cookies["bedside_session"] != "a" * 64
    planted = As(client, "attacker")
    planted.cookies = {"bedside_session": "a" * 64}
    assert (await planted.get("/worklist", follow_redirects=False)).status_code in (302, 303)


async def test_sign_out_ends_the_session(sign_in_as, world: World) -> None:  # type: ignore[no-untyped-def]
    nurse = await sign_in_as("nurse")
    old_cookies = dict(nurse.cookies)
    response = await nurse.post("/signout")
    assert response.status_code == 303
    nurse.cookies = old_cookies
    assert (await nurse.get("/board", follow_redirects=False)).headers["location"] == "/signin"


async def test_anonymous_pages_redirect_and_api_answers_401(client: AsyncTestClient, world: World) -> None:
    anonymous = As(client, "nobody")
    page = await anonymous.get(f"/patients/{world.patient_ids['ada']}", follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"] == "/signin"
    api = await anonymous.get(f"/api/units/{world.unit_ids['4W']}/patients")
    assert api.status_code == 401
    assert api.json()["detail"] == "Sign in first."
    schema = await anonymous.get("/schema/openapi.json", follow_redirects=False)
    assert schema.headers["location"] == "/signin"


async def test_a_file_answered_after_the_sign_in_does_not_put_back_the_old_session(
    client: AsyncTestClient, world: World
) -> None:
    """The sign-in page's style sheet or service worker can still be on its way when the sign-in answers
    with a new session id; those answers set no session cookie, so they cannot sign the tablet out."""
    therapist = As(client, "therapist")
    await therapist.get("/signin")
    before_sign_in = dict(therapist.cookies)
    await therapist.sign_in()
    for path in ("/static/css/bedside.css", "/sw.js", "/manifest.webmanifest", "/favicon.ico", "/offline"):
        client.cookies.clear()
        for name, value in before_sign_in.items():
            client.cookies.set(name, value)
        late = await client.get(path)
        assert late.status_code == 200, path
        assert "bedside_session" not in late.headers.get("set-cookie", ""), path
    page = await therapist.get("/worklist")
    assert page.status_code == 200 and "Today's worklist" in page.text
