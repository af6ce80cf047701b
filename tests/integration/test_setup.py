"""Settings, migrations and demo data: what a fresh install does."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import inspect
from sqlmodel import col, func, select

from server import db
from server.all_models import metadata
from server.auth.models import Role, User
from server.demo import create_demo_data
from server.patients.models import MassageOrder, Patient, SiteRestriction, Unit
from server.sessions.models import MassageSession
from server.settings import Settings
from tests.clock import set_clock


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = settings.resolved_secret_key()
    assert len(first) == 64 and Settings(data_dir=tmp_path).resolved_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert Settings(data_dir=tmp_path, secret_key="given").resolved_secret_key() == "given"


def test_settings_come_from_the_environment_with_embedded_defaults(tmp_path: Path) -> None:
    default = Settings.from_env({})
    assert default.database_url == "" and default.resolved_migrate_on_start() is True
    assert Settings(data_dir=tmp_path).resolved_database_url().startswith("sqlite+aiosqlite:///")
    custom = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+asyncpg://h/db",
            "BEDSIDE_TIMEZONE": "Europe/Oslo",
            "BEDSIDE_SECURE_COOKIES": "true",
        }
    )
    assert custom.resolved_database_url() == "postgresql+asyncpg://h/db"
    assert custom.timezone == "Europe/Oslo" and custom.secure_cookies is True


async def test_migrations_create_every_table_of_the_models(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    await asyncio.to_thread(db.migrate, url)
    engine = db.make_engine(url)
    async with engine.connect() as connection:
        tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    await engine.dispose()
    assert set(metadata.tables) <= tables


async def test_demo_data_is_synthetic_complete_and_created_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    await asyncio.to_thread(db.migrate, url)
    banner = await create_demo_data(url, set_clock())
    assert "password 'bedside-demo'" in banner
    assert "already present" in await create_demo_data(url, set_clock())
    engine = db.make_engine(url)
    async with db.make_session_maker(engine, set_clock())() as session:
        assert (await session.exec(select(func.count()).select_from(Unit))).one() == 2
        patients = (await session.exec(select(Patient))).all()
        roles = set((await session.exec(select(User.role))).all())
        orders = (await session.exec(select(MassageOrder))).all()
        restricted = (await session.exec(select(func.count(col(SiteRestriction.id))))).one()
        history = (await session.exec(select(func.count(col(MassageSession.id))))).one()
    await engine.dispose()
    assert len(patients) == 12
    assert all(p.mrn.startswith("DEMO-") for p in patients), "demo records are marked as not real"
    assert any(p.comfort_care for p in patients) and any(p.non_verbal for p in patients)
    assert roles == {r.value for r in Role}
    assert len(orders) == 12 and all(o.status == "active" for o in orders) and restricted >= 5
    assert history == 15, "three invented past sessions per comfort-care patient, for the demo log"


async def test_the_integrity_migration_closes_superseded_flags_and_keeps_them(tmp_path: Path) -> None:
    """Before 0007 a patient could have several uncleared flags (expired or replaced); the migration
    closes the older ones at the time the next was set, deletes nothing, and then enforces one."""
    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(lambda: command.upgrade(db.alembic_config(url), "0006"))
    with sqlite3.connect(path) as old:  # foreign keys off: only the flags matter here
        old.executemany(
            "INSERT INTO availability_flag (id, patient_id, kind, note, set_by_id, set_at)"
            " VALUES (?, 1, ?, '', 1, ?)",
            [(1, "imaging", "2026-01-01 09:00:00.000000"), (2, "sleeping", "2026-01-01 10:00:00.000000")],
        )
    await asyncio.to_thread(db.migrate, url)
    with sqlite3.connect(path) as migrated:
        rows = migrated.execute("SELECT id, cleared_at FROM availability_flag ORDER BY id").fetchall()
    assert rows == [(1, "2026-01-01 10:00:00.000000"), (2, None)]
