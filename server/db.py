"""Database engine, the per-request session, and migrations.

Services receive an `AsyncSession` and commit their own use case; the changes they record are
published only after that commit, by `unit_of_work`.
"""

from __future__ import annotations

import asyncio
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
from sqlalchemy.util import await_
from sqlalchemy.util.concurrency import in_greenlet
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


SQLITE_BUSY_SECONDS = 15


class WriteTurn:
    """SQLite lets one connection write at a time. Without this, a request that finds the write lock taken
    waits in SQLite's busy handler, which sleeps 1 to 100 ms between tries however soon the lock is free:
    at a few dozen writes a second the median answer took 0.35-2.2 s. Here the instance's write
    transactions take their turn in arrival order and start the moment the previous one ends.

    Taken when a write transaction begins, given back when it commits or rolls back (or its connection
    goes back to the pool, is invalidated or closed). A turn not given within the busy timeout is not
    waited for longer: the transaction then waits in SQLite's busy handler as before."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: object | None = None

    def take(self, holder: object) -> None:
        """Called from SQLAlchemy's synchronous `begin` event, inside the async session's greenlet."""
        if self._holder is holder or not in_greenlet():
            return
        if await_(self._wait_for_turn()):
            self._holder = holder

    async def _wait_for_turn(self) -> bool:
        """`asyncio.timeout`, not `wait_for`: the latter waits in a task of its own, and a caller cancelled
        as that task gets the lock would leave the lock taken with nobody to give it back."""
        try:
            async with asyncio.timeout(SQLITE_BUSY_SECONDS):
                await self._lock.acquire()
        except TimeoutError:
            return False
        return True

    def give_back(self, holder: object | None) -> None:
        """`holder` is None for a connection the pool has already invalidated: it held nothing."""
        if holder is not None and self._holder is holder:
            self._holder = None
            self._lock.release()


def make_engine(url: str, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    ensure_sqlite_folder(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_SECONDS},
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
        )
        turn = WriteTurn()

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
            cursor.close()
            dbapi_connection.isolation_level = None  # transactions begin below, not in the driver

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
            """Every use case reads, then writes: taking SQLite's write lock at the start makes parallel
            requests wait their turn (busy_timeout) instead of failing on a stale snapshot."""
            if connection.get_execution_options().get(READ_ONLY, False):
                connection.exec_driver_sql("BEGIN")
                return
            holder = connection.connection.dbapi_connection
            turn.take(holder)
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                turn.give_back(holder)
                raise

        @event.listens_for(engine.sync_engine, "commit")
        @event.listens_for(engine.sync_engine, "rollback")
        def _transaction_ends(connection) -> None:  # type: ignore[no-untyped-def]
            if connection.invalidated or connection.closed:
                return  # asking for its DBAPI connection would reconnect; the pool's events give back
            turn.give_back(connection.connection.dbapi_connection)

        @event.listens_for(engine.sync_engine.pool, "checkin")
        @event.listens_for(engine.sync_engine.pool, "invalidate")
        @event.listens_for(engine.sync_engine.pool, "close")
        def _connection_leaves(dbapi_connection, *_args) -> None:  # type: ignore[no-untyped-def]
            turn.give_back(dbapi_connection)

        return engine
    return create_async_engine(
        url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, hide_parameters=True
    )


READ_ONLY = "bedside_read_only"
"""Sessions opened with this execution option only read: on SQLite they begin without the write lock."""


def make_read_engine(
    url: str, engine: AsyncEngine, pool_size: int = 10, max_overflow: int = 10
) -> AsyncEngine:
    """The engine for sessions that only read. On SQLite, a pool of its own: writers waiting for their
    turn hold their pool's connections, and the reads of every request (its sign-in) and of every socket
    must not wait behind them. On PostgreSQL, the same pool (connections cost the server there)."""
    if url.startswith("sqlite"):
        return make_engine(url, pool_size, max_overflow).execution_options(**{READ_ONLY: True})
    return engine.execution_options(**{READ_ONLY: True})


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
