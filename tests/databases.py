"""Test databases: a SQLite file per test by default, or a fresh PostgreSQL database per test when
BEDSIDE_TEST_POSTGRES names a server (e.g. postgresql://postgres@127.0.0.1:5432/test).

Each PostgreSQL database is cloned from one migrated template (CREATE DATABASE … TEMPLATE) and dropped
after the test, so the suite leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import asyncpg

ADMIN_DSN = os.environ.get("BEDSIDE_TEST_POSTGRES", "")
DEFAULT_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def _run(coroutine_factory) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(lambda: asyncio.run(coroutine_factory())).result()


def admin_execute(sql: str, admin_dsn: str = "") -> None:
    async def run() -> None:
        connection = await asyncpg.connect(admin_dsn or ADMIN_DSN or DEFAULT_ADMIN_DSN)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    _run(run)


def database_url(name: str, admin_dsn: str = "") -> str:
    base = (admin_dsn or ADMIN_DSN or DEFAULT_ADMIN_DSN).rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"


def new_database_name(prefix: str) -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def create_database(name: str, template: str | None = None) -> None:
    admin_execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(name: str) -> None:
    admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
