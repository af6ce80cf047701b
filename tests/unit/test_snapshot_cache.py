"""The snapshot cache renders a screen once for the sockets that ask at the same time, keeps it for its
age only, and lets each socket render its own when that one rendering fails."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from server.realtime.snapshots import SnapshotCache
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
