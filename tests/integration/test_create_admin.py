"""The first run of a hospital's own installation: `python -m server create-admin` makes the first
administrator on an empty database, with a password typed at a prompt or piped in, never on the command
line, and refuses once an administrator exists."""

from __future__ import annotations

import asyncio
import io
import sys
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlmodel import select

from server import db
from server.__main__ import main
from server.app import create_app
from server.auth.models import Role, User
from server.clock import SetClock
from server.settings import Settings
from tests import databases
from tests.clock import TEST_TIMEZONE, set_clock
from tests.conftest import As
from tests.factories import World
from tests.integration.test_sign_in import audit_rows

PASSWORD = "the night desk keeps watch"


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The command reads its settings from the environment, as on a server: here, the test's database."""
    monkeypatch.setenv("BEDSIDE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BEDSIDE_TIMEZONE", TEST_TIMEZONE)
    return settings


def typed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Standard input that is not a terminal: a line piped in by a script."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


async def command(argv: list[str], clock: SetClock) -> None:
    """`python -m server ARGV`, in a thread of its own as at a shell (it runs its own event loop)."""
    await asyncio.to_thread(main, argv, clock)


async def users(settings: Settings) -> list[User]:
    engine = db.make_engine(settings.resolved_database_url())
    async with db.make_session_maker(engine, set_clock())() as session:
        found = list((await session.exec(select(User))).all())
    await engine.dispose()
    return found


async def test_create_admin_on_an_empty_database_makes_an_administrator_who_signs_in(
    environment: Settings,
    clock: SetClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    typed(monkeypatch, PASSWORD + "\n")
    await command(["create-admin", "--username", "Grace", "--full-name", "Grace Ilunga"], clock)
    assert "Administrator 'grace' (Grace Ilunga) created" in capsys.readouterr().out
    [admin] = await users(environment)
    assert (admin.username, admin.role, admin.active, admin.must_change_password, admin.demo) == (
        "grace", Role.admin, True, False, False,
    )  # fmt: skip
    [event] = [e for e in await audit_rows(environment) if e.entity_type == "user"]
    assert (event.user_id, event.action, event.entity_id, event.detail) == (
        None,
        "C",
        str(admin.id),
        "create-admin",
    )

    async with AsyncTestClient(app=create_app(environment, clock), raise_server_exceptions=False) as client:
        grace = As(client, "grace")
        await grace.sign_in(PASSWORD)
        home = await grace.get("/", follow_redirects=False)
        assert home.headers["location"] == "/admin/audit"
        assert "Staff accounts" in (await grace.get("/admin/users")).text


async def test_create_admin_is_refused_once_an_administrator_exists(
    environment: Settings, world: World, clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await users(environment)
    typed(monkeypatch, PASSWORD + "\n")
    with pytest.raises(SystemExit) as refused:
        await command(["create-admin", "--username", "grace"], clock)
    assert isinstance(refused.value.code, str), "a message and a non-zero exit status"
    assert "An administrator account already exists (admin)" in refused.value.code
    assert len(await users(environment)) == len(before)


async def test_a_second_create_admin_is_refused(
    environment: Settings, clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed(monkeypatch, PASSWORD + "\n")
    await command(["create-admin", "--username", "grace"], clock)
    typed(monkeypatch, PASSWORD + "\n")
    with pytest.raises(SystemExit) as refused:
        await command(["create-admin", "--username", "other"], clock)
    assert "already exists" in str(refused.value.code)
    assert [u.username for u in await users(environment)] == ["grace"]


async def test_the_password_is_never_taken_from_the_command_line(
    environment: Settings,
    clock: SetClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    typed(monkeypatch, "")
    with pytest.raises(SystemExit) as refused:
        await command(["create-admin", "--username", "grace", "--password", PASSWORD], clock)
    assert refused.value.code == 2 and "unrecognized arguments: --password" in capsys.readouterr().err
    assert await users(environment) == []


async def test_a_common_or_short_password_is_refused_and_nothing_is_created(
    environment: Settings, clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for password, why in (("password1234", "too common"), ("short", "12 to 128 characters")):
        typed(monkeypatch, password + "\n")
        with pytest.raises(SystemExit) as refused:
            await command(["create-admin", "--username", "grace"], clock)
        assert "password: " in str(refused.value.code) and why in str(refused.value.code)
    assert await users(environment) == []


async def test_at_a_terminal_the_password_is_asked_twice_and_must_match(
    environment: Settings, clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stdin", terminal)
    answers = iter([PASSWORD, "something else entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(SystemExit) as refused:
        await command(["create-admin", "--username", "grace"], clock)
    assert "not the same" in str(refused.value.code)
    answers = iter([PASSWORD, PASSWORD])
    await command(["create-admin", "--username", "grace"], clock)
    assert [u.username for u in await users(environment)] == ["grace"]


@pytest.mark.skipif(bool(databases.ADMIN_DSN), reason="a new SQLite file: the embedded default's first run")
async def test_create_admin_migrates_a_new_database_first(
    tmp_path: Path, clock: SetClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEDSIDE_DATA_DIR", str(tmp_path / "new"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("BEDSIDE_TIMEZONE", TEST_TIMEZONE)
    typed(monkeypatch, PASSWORD + "\n")
    await command(["create-admin", "--username", "grace"], clock)
    assert [u.full_name for u in await users(Settings(data_dir=tmp_path / "new"))] == ["grace"]
