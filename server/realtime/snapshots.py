"""Screens rendered for sockets' first frame, shared by every socket that opens at the same point.

A shift change reopens every tablet at once, and each one that sends no numbers (a first open, history
pruned) needs the whole screen: without this, each rendered it again from the database. An entry is
keyed by what the screen shows (its kind, units, day) and the units' event numbers it was read at, so a
new event makes it unreachable (the next socket renders afresh). Entries also expire after `max_age` on
the app's clock: a screen also follows the time (what is rescheduled "for later"), not only events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from typing import Any

SNAPSHOT_MAX_AGE = timedelta(seconds=10)
SNAPSHOT_ENTRIES = 256


class SnapshotCache:
    def __init__(self, max_age: timedelta = SNAPSHOT_MAX_AGE, max_entries: int = SNAPSHOT_ENTRIES) -> None:
        self.max_age, self.max_entries = max_age, max_entries
        self._entries: dict[Hashable, tuple[datetime, Any]] = {}
        self._pending: dict[Hashable, asyncio.Future[Any]] = {}
        self.hits = 0
        self.renders = 0

    def get(self, key: Hashable, now: datetime) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or not entry[0] <= now < entry[0] + self.max_age:
            return None
        self.hits += 1
        return entry[1]

    async def get_or_render(
        self, key: Hashable, now: datetime, render: Callable[[], Awaitable[Any]]
    ) -> tuple[Any, bool]:
        """The value for `key` and whether it was rendered by this call. Sockets that ask while it is
        being rendered wait for that rendering instead of starting their own (a ward opening at once
        would otherwise all miss together); if it fails, each renders its own."""
        cached = self.get(key, now)
        if cached is not None:
            return cached, False
        pending = self._pending.get(key)
        if pending is not None:
            value = await asyncio.shield(pending)
            if value is not None:
                self.hits += 1
                return value, False
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        value = None
        try:
            value = await render()
            self.put(key, now, value)
            return value, True
        finally:
            if self._pending.get(key) is future:
                del self._pending[key]
            future.set_result(value)

    def put(self, key: Hashable, now: datetime, value: Any) -> None:
        """Keep `value`; once full, entries older than `max_age` go, and if none has, all of them."""
        self.renders += 1
        if len(self._entries) >= self.max_entries:
            self._entries = {k: e for k, e in self._entries.items() if now < e[0] + self.max_age}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
        self._entries[key] = (now, value)


class SharedReads:
    """Reads shared by the sockets that ask for the same thing at once (their units' event numbers, a
    unit's presence, their sign-ins), each read begun only after every socket it answers had asked, so
    after each had subscribed: whatever is published later reaches the socket as a push. One read per
    key runs at a time; sockets that ask meanwhile share the next one, which is given everything they
    asked for (`read_for`). A ward's tablets reopening together then cost a few reads, not one each. If a
    shared read fails, each of its sockets reads alone."""

    def __init__(self) -> None:
        self._next: dict[Hashable, tuple[set[Any], asyncio.Future[Any]]] = {}
        self._running: dict[Hashable, asyncio.Lock] = {}
        self.reads = 0

    async def read(self, key: Hashable, read: Callable[[], Awaitable[Any]]) -> Any:
        """The same answer for every socket that asks: `read` needs nothing from them."""
        return await self.read_for(key, None, lambda _: read())

    async def read_for(
        self, key: Hashable, item: Hashable, read: Callable[[set[Any]], Awaitable[Any]]
    ) -> Any:
        """One answer for `item` and the items of every socket sharing the read: `read` gets them all."""
        joined = self._next.get(key)
        if joined is not None:
            items, shared = joined
            items.add(item)
            try:
                return await asyncio.shield(shared)
            except Exception:
                return await read({item})
        batch: tuple[set[Any], asyncio.Future[Any]] = ({item}, asyncio.get_running_loop().create_future())
        self._next[key] = batch
        items, future = batch
        try:
            async with self._running.setdefault(key, asyncio.Lock()):
                if self._next.get(key) is batch:
                    del self._next[key]  # who asks from now on waits for the next read
                self.reads += 1
                value = await read(items)
        except BaseException as failure:
            if self._next.get(key) is batch:
                del self._next[key]
            future.set_exception(RuntimeError(f"shared read failed: {failure!r}"))
            future.exception()  # retrieved: nobody may have joined
            raise
        future.set_result(value)
        return value
