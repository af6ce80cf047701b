"""The snapshot cache renders a screen once for the sockets that ask at the same time, keeps it for its
age only, and lets each socket render its own when that one rendering fails. Shared reads answer a
socket only with a read begun after it asked (so after it subscribed)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from server.realtime.snapshots import SharedReads, SnapshotCache
from tests.clock import TEST_NOW

NOW = TEST_NOW


async def test_sockets_asking_at_once_share_one_rendering() -> None:
    cache, renders = SnapshotCache(), []

    async def render() -> str:
        renders.append(1)
        await asyncio.sleep(0.01)
        return "<section>"

    results = await asyncio.gather(*(cache.get_or_render("k", NOW, render) for _ in range(50)))
    assert len(renders) == 1 and {html for html, _ in results} == {"<section>"}
    assert sum(rendered for _, rendered in results) == 1


async def test_an_entry_is_kept_for_its_age_only_and_per_key() -> None:
    cache = SnapshotCache(max_age=timedelta(seconds=10))
    cache.put("k", NOW, "old")
    assert cache.get("k", NOW + timedelta(seconds=9)) == "old"
    assert cache.get("k", NOW + timedelta(seconds=10)) is None
    assert cache.get("other", NOW) is None


async def test_a_failed_rendering_lets_the_waiting_sockets_render_their_own() -> None:
    cache, calls = SnapshotCache(), []

    async def failing() -> str:
        calls.append("failed")
        await asyncio.sleep(0.01)
        raise RuntimeError("database gone")

    async def working() -> str:
        calls.append("worked")
        return "<section>"

    first = asyncio.create_task(cache.get_or_render("k", NOW, failing))
    await asyncio.sleep(0)
    second = asyncio.create_task(cache.get_or_render("k", NOW, working))
    with pytest.raises(RuntimeError):
        await first
    assert await second == ("<section>", True) and calls == ["failed", "worked"]


async def test_a_full_cache_drops_aged_entries_first() -> None:
    cache = SnapshotCache(max_age=timedelta(seconds=10), max_entries=2)
    cache.put("a", NOW - timedelta(seconds=20), "a")
    cache.put("b", NOW, "b")
    cache.put("c", NOW, "c")
    assert cache.get("a", NOW) is None and cache.get("b", NOW) == "b" and cache.get("c", NOW) == "c"


async def test_a_shared_read_answers_only_sockets_that_asked_before_it_began() -> None:
    reads, asked, began = SharedReads(), [], []
    running = asyncio.Event()
    release = asyncio.Event()

    async def read() -> int:
        began.append(len(asked))  # how many sockets had asked when this read began
        running.set()
        await release.wait()
        return len(began)

    async def socket() -> int:
        asked.append(1)
        return int(await reads.read("units 4", read))

    first = asyncio.create_task(socket())
    await running.wait()
    later = [asyncio.create_task(socket()) for _ in range(20)]  # they ask while the first read runs
    await asyncio.sleep(0.01)
    release.set()
    assert await first == 1, "the first read answers the socket that asked before it began"
    assert set(await asyncio.gather(*later)) == {2}, "the sockets that asked meanwhile share the next read"
    assert began == [1, 21] and reads.reads == 2


async def test_sockets_sharing_a_failed_read_each_read_alone() -> None:
    reads, calls = SharedReads(), []
    running = asyncio.Event()

    async def failing() -> str:
        calls.append("shared")
        running.set()
        await asyncio.sleep(0.01)
        raise RuntimeError("database gone")

    async def alone() -> str:
        calls.append("alone")
        return "numbers"

    leader = asyncio.create_task(reads.read("k", failing))
    await running.wait()
    waiting = asyncio.create_task(reads.read("k", failing))
    joined = asyncio.create_task(reads.read("k", alone))
    with pytest.raises(RuntimeError):
        await leader
    assert await joined == "numbers"
    with pytest.raises(RuntimeError):
        await waiting  # it led the next read, which failed too


async def test_a_shared_read_is_given_what_every_socket_sharing_it_asked_for() -> None:
    """Sign-ins: each socket asks for its own session; the sockets that asked meanwhile are read together."""
    reads, given = SharedReads(), []
    running, release = asyncio.Event(), asyncio.Event()

    async def read(session_ids: set[str]) -> dict[str, str]:
        given.append(sorted(session_ids))
        running.set()
        await release.wait()
        return {session_id: session_id.upper() for session_id in session_ids}

    first = asyncio.create_task(reads.read_for("sign-ins", "a", read))
    await running.wait()
    later = [asyncio.create_task(reads.read_for("sign-ins", s, read)) for s in "bcd"]
    await asyncio.sleep(0.01)
    release.set()
    assert await first == {"a": "A"}
    assert all(answer == {"b": "B", "c": "C", "d": "D"} for answer in await asyncio.gather(*later))
    assert given == [["a"], ["b", "c", "d"]] and reads.reads == 2
