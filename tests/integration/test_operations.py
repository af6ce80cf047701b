"""What operations staff rely on: health probes, refusing a database behind the code, clear config errors."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server import db
from server.app import create_app
from server.settings import ConfigurationError, Settings
from tests import databases
from tests.clock import set_clock


async def test_liveness_and_readiness_probes_answer_without_signing_in(app: Litestar) -> None:
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "database": "ok", "broker": "ok", "sockets": "0"}


async def test_readiness_fails_when_the_broker_listener_is_lost(settings: Settings) -> None:
    """The LISTEN connection dies under a running instance (pub/sub through PostgreSQL): the instance is
    still alive (healthz) but no longer ready (readyz), so the load balancer stops sending tablets to it."""
    name = databases.new_database_name("bedside_listener")
    databases.create_database(name, template=None)
    try:
        url = databases.database_url(name, databases.ADMIN_DSN)
        await asyncio.to_thread(db.migrate, url)
        on_postgres = replace(settings, database_url=url, pubsub="postgres", session_store="database")
        async with AsyncTestClient(app=create_app(on_postgres, set_clock())) as client:
            assert (await client.get("/readyz")).status_code == 200
            await asyncio.to_thread(
                databases.admin_execute,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND query ILIKE 'LISTEN%'",
            )
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["broker"] == "no round trip within 2 s" and ready.json()["database"] == "ok"
    finally:
        databases.drop_database(name)


async def test_an_instance_refuses_to_start_on_a_database_behind_the_migrations(
    tmp_path, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    if databases.ADMIN_DSN:
        name = databases.new_database_name("bedside_behind")
        databases.create_database(name)
        url = databases.database_url(name)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    try:
        await asyncio.to_thread(command.upgrade, db.alembic_config(url), "0001")
        behind = replace(settings, database_url=url, migrate_on_start=False)
        with pytest.raises(BaseException) as refused:
            async with AsyncTestClient(app=create_app(behind, set_clock())):
                pass
        reason = innermost(refused.value)
        assert isinstance(reason, db.DatabaseBehind)
        head = ScriptDirectory.from_config(db.alembic_config(url)).get_current_head()
        assert "at migration 0001" in str(reason) and f"needs {head}" in str(reason)
        assert "python -m server migrate" in str(reason)
    finally:
        if databases.ADMIN_DSN:
            databases.drop_database(name)


def innermost(error: BaseException) -> BaseException:
    """The startup error itself, out of the task groups that carry it."""
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


def test_configuration_mistakes_are_refused_with_what_to_set() -> None:
    with pytest.raises(ConfigurationError, match="BEDSIDE_PUBSUB='kafka'"):
        Settings.from_env({"BEDSIDE_PUBSUB": "kafka"})
    with pytest.raises(ConfigurationError, match="set BEDSIDE_REDIS_URL"):
        Settings.from_env({"BEDSIDE_PUBSUB": "redis"})
    with pytest.raises(ConfigurationError, match="needs DATABASE_URL to point at PostgreSQL"):
        Settings.from_env({"BEDSIDE_PUBSUB": "postgres"})
    postgres = Settings.from_env({"DATABASE_URL": "postgresql+asyncpg://db.example/bedside"})
    assert postgres.resolved_session_store() == "database" and postgres.resolved_migrate_on_start() is False
    assert postgres.postgres_dsn() == "postgresql://db.example/bedside"
