"""An instance takes on only BEDSIDE_MAX_WRITES_IN_HAND writes at once: the next is refused at once with
503 and Retry-After, stores nothing, and says so in the shape its caller reads (JSON for the API, the
message fragment for a tap); the writes taken on finish as usual. Against a real server whose database
is held by the test, so the writes taken on wait there; on SQLite and, in the PostgreSQL pass, on
PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest

from server.settings import ConfigurationError, Settings
from tests.browser.conftest import Server, demo_server
from tests.integration.test_parallel_writes import count, patient_named, signed_in

IN_HAND = 2
FAMILIES = ("Vexley", "Thackery", "Armitage", "Rennick")
"""Flagged in each round, and made available again between rounds: every write then has work to do (and a
lock to wait for), none is answered early with "already flagged"."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with demo_server(
        tmp_path_factory.mktemp("overload"), "bedside_overload", BEDSIDE_MAX_WRITES_IN_HAND=str(IN_HAND)
    ) as running:
        yield running


@asynccontextmanager
async def database_held(database_url: str) -> AsyncIterator[None]:
    """Every unit row locked (PostgreSQL), or SQLite's write lock taken, by a transaction of the test's:
    a write that reaches the database waits there until the block ends."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.split("///", 1)[1], timeout=30, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    postgres = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    transaction = postgres.transaction()
    await transaction.start()
    await postgres.execute("SELECT id FROM unit FOR UPDATE")
    try:
        yield
    finally:
        await transaction.rollback()
        await postgres.close()


async def answered_while_held(
    server: Server, writes: list[asyncio.Task[httpx.Response]]
) -> tuple[list[httpx.Response], list[asyncio.Task[httpx.Response]]]:
    """The answers that came back while the database was held, and the writes still waiting there."""
    refused: list[httpx.Response] = []
    waiting = set(writes)
    async with asyncio.timeout(20):
        while len(refused) < len(writes) - IN_HAND:
            done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            refused += [task.result() for task in done]
    await asyncio.sleep(0.3)  # time for one more answer, if the instance wrongly took on a third
    assert not any(task.done() for task in waiting), "only the writes beyond what it has in hand answered"
    return refused, sorted(waiting, key=writes.index)


async def all_available(nina: httpx.AsyncClient, patients: list[int]) -> None:
    for patient in patients:
        assert (await nina.post(f"/patients/{patient}/available")).status_code in (200, 303)


async def test_writes_beyond_those_in_hand_are_refused_at_once_and_store_nothing(server: Server) -> None:
    nina = await signed_in(server, "nina")
    try:
        patients = [await patient_named(nina, family) for family in FAMILIES]
        flagged = "SELECT count(*) FROM availability_flag WHERE cleared_at IS NULL"
        before = await count(server, flagged)

        async with database_held(server.database_url):
            writes = [
                asyncio.create_task(nina.post(f"/api/patients/{p}/flags", json={"kind": "imaging"}))
                for p in patients
            ]
            refused, waiting = await answered_while_held(server, writes)
        for answer in refused:
            assert answer.status_code == 503 and answer.headers["retry-after"] == "2"
            assert answer.json() == {
                "status_code": 503,
                "detail": "Bedside is busy right now, so nothing was stored. Try again in a moment.",
            }
        assert [(await task).status_code for task in waiting] == [201] * IN_HAND
        assert await count(server, flagged) == before + IN_HAND, "nothing of a refused write was stored"

        await all_available(nina, patients)
        async with database_held(server.database_url):
            taps = [
                asyncio.create_task(
                    nina.post(
                        f"/patients/{p}/unavailable", data={"kind": "imaging"}, headers={"HX-Request": "true"}
                    )
                )
                for p in patients
            ]
            refused, waiting = await answered_while_held(server, taps)
        for answer in refused:
            assert answer.status_code == 503 and answer.headers["retry-after"] == "2"
            assert answer.headers["hx-retarget"] == "#messages"
            assert "Bedside is busy right now, so nothing was stored" in answer.text
        assert [(await task).status_code for task in waiting] == [200] * IN_HAND
        assert await count(server, flagged) == before + IN_HAND

        await all_available(nina, patients)
        async with database_held(server.database_url):
            writes = [
                asyncio.create_task(nina.post(f"/api/patients/{p}/flags", json={"kind": "dialysis"}))
                for p in patients[: IN_HAND + 1]
            ]
            refused, waiting = await answered_while_held(server, writes)  # its hands are full
            sign_out = asyncio.create_task(nina.post("/signout"))  # answered once it has what it needs
        assert (await sign_out).status_code == 303, "signing out (and locking) is never refused"
        await asyncio.gather(*waiting)
    finally:
        await nina.aclose()


def test_the_writes_in_hand_default_to_32_and_are_checked() -> None:
    assert Settings.from_env({}).max_writes_in_hand == 32
    assert Settings.from_env({"BEDSIDE_MAX_WRITES_IN_HAND": "8"}).max_writes_in_hand == 8
    for wrong, says in (("0", "use 1 or more"), ("many", "whole number")):
        with pytest.raises(ConfigurationError, match=says) as refused:
            Settings.from_env({"BEDSIDE_MAX_WRITES_IN_HAND": wrong})
        assert "BEDSIDE_MAX_WRITES_IN_HAND" in str(refused.value)
