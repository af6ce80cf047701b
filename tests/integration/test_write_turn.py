"""SQLite's one writer at a time: the instance's write transactions take their turn in arrival order
(`server.db.WriteTurn`) instead of sleeping in SQLite's busy handler, and a turn always comes back, even
from a transaction cancelled halfway."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server import db
from tests import databases

pytestmark = pytest.mark.skipif(bool(databases.ADMIN_DSN), reason="SQLite's write lock only")


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE tap (n INTEGER)"))
    yield engine
    await engine.dispose()


async def test_writers_wait_their_turn_in_arrival_order_and_start_when_it_ends(engine: AsyncEngine) -> None:
    order: list[str] = []
    first_may_commit = asyncio.Event()

    async def first() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO tap VALUES (1)"))
            order.append("first wrote")
            await first_may_commit.wait()
            await connection.commit()

    async def later(n: int) -> None:
        async with engine.connect() as connection:
            await connection.execute(text(f"INSERT INTO tap VALUES ({n})"))
            order.append(f"writer {n}")
            await connection.commit()

    holding = asyncio.create_task(first())
    while not order:
        await asyncio.sleep(0.01)
    waiting = []
    for n in (2, 3, 4):
        waiting.append(asyncio.create_task(later(n)))
        await asyncio.sleep(0.02)  # they arrive in this order
    await asyncio.sleep(0.2)
    assert order == ["first wrote"], "nobody writes while a write transaction is open"
    started = time.monotonic()
    first_may_commit.set()
    await asyncio.gather(holding, *waiting)
    assert order == ["first wrote", "writer 2", "writer 3", "writer 4"]
    assert time.monotonic() - started < 1.0, "each began as the one before ended, not after a busy sleep"


async def test_a_reader_does_not_wait_for_a_writer(engine: AsyncEngine) -> None:
    async with engine.connect() as writing:
        await writing.execute(text("INSERT INTO tap VALUES (1)"))
        async with engine.execution_options(**{db.READ_ONLY: True}).connect() as reading:
            counted = await asyncio.wait_for(reading.scalar(text("SELECT count(*) FROM tap")), 1.0)
        assert counted == 0, "the reader sees what was committed before"
        await writing.commit()


async def test_a_transaction_cancelled_halfway_gives_its_turn_back(engine: AsyncEngine) -> None:
    inside = asyncio.Event()

    async def abandoned() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO tap VALUES (1)"))
            inside.set()
            await asyncio.sleep(60)  # a request whose client went away

    task = asyncio.create_task(abandoned())
    await inside.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    async with engine.connect() as connection:
        await asyncio.wait_for(connection.execute(text("INSERT INTO tap VALUES (2)")), 2.0)
        await connection.commit()
        assert await connection.scalar(text("SELECT group_concat(n) FROM tap")) == "2"
