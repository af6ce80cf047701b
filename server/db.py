"""Database engine, the per-request session, and migrations.

Services receive an `AsyncSession` and commit their own use case; the changes they record are
published only after that commit, by `unit_of_work`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from litestar.datastructures import State
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from server import limits  # noqa: F401 - registers the text-length check on every flush
from server.changes import take_committed
from server.clock import Clock

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite") and "///" in url:
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)


QUIET_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine")
"""Database drivers log each statement with its values at DEBUG: patient data. They stay at WARNING
whatever the app's level, and SQL errors are logged without their parameters (`hide_parameters`)."""


def make_engine(url: str, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    ensure_sqlite_folder(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 15}, hide_parameters=True)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()
            dbapi_connection.isolation_level = None  # transactions begin below, not in the driver

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
            """Every use case reads, then writes: taking SQLite's write lock at the start makes parallel
            requests wait their turn (busy_timeout) instead of failing on a stale snapshot."""
            read_only = connection.get_execution_options().get(READ_ONLY, False)
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_async_engine(
        url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, hide_parameters=True
    )


READ_ONLY = "bedside_read_only"
"""Sessions opened with this execution option only read: on SQLite they begin without the write lock."""


def make_session_maker(engine: AsyncEngine, clock: Clock) -> async_sessionmaker[AsyncSession]:
    """Every session carries the app's clock, so whatever it writes is stamped by the same "now"."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False, info={"clock": clock})


@asynccontextmanager
async def unit_of_work(state: State) -> AsyncIterator[AsyncSession]:
    """A database session whose committed changes are published when it closes: the one step after
    the commit that tells the tablets. Whatever was not committed is rolled back and never published."""
    async with state.session_maker() as session:
        try:
            yield session
        finally:
            await state.publisher.publish(take_committed(session))


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    """One unit of work per request (services commit their own use case)."""
    async with unit_of_work(state) as session:
        yield session


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database to the newest migration.

    Alembic's env.py runs its own event loop, so the upgrade runs in a worker thread: callable alike
    from plain code, from a running loop's thread, or from `asyncio.to_thread`.
    """
    ensure_sqlite_folder(url)
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(command.upgrade, alembic_config(url), "head").result()


class DatabaseBehind(RuntimeError):
    """The database has not been migrated to what this code needs."""


async def check_migrated(engine: AsyncEngine, url: str) -> None:
    """Refuse to start against a database that is behind the code's migrations, saying what to run."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    async with engine.connect() as connection:
        current = await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    if current != head:
        raise DatabaseBehind(
            f"The database is at migration {current or 'none'} but this version of Bedside needs {head}. "
            "Run `python -m server migrate` (with the same DATABASE_URL) before starting the instances."
        )
