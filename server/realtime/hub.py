"""This instance's open sockets, by channel, each with a bounded outgoing queue.

A tablet that stops reading cannot hold up the others: when its queue is full it is marked stale and
its socket is closed with 1013 ("try again"), so it reconnects and resumes instead of receiving an
incomplete stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Frame:
    """One push: HTML to swap in, and the unit event it shows (a socket skips what its snapshot had)."""

    html: str
    unit_id: int | None = None
    seq: int | None = None
    close_code: int | None = None
    """Instead of HTML: close the socket with this code (the person's sign-in ended)."""


STALE = None
"""Put on a subscriber's queue when it overflowed: the socket must resynchronise."""


class Subscriber:
    def __init__(self, max_backlog: int) -> None:
        self.queue: asyncio.Queue[Frame | None] = asyncio.Queue(maxsize=max_backlog + 1)
        self.max_backlog = max_backlog
        self.stale = False

    def offer(self, frame: Frame) -> None:
        if self.stale:
            return
        if self.queue.qsize() >= self.max_backlog:
            self.stale = True
            self.queue.put_nowait(STALE)
            return
        self.queue.put_nowait(frame)


class LocalHub:
    def __init__(self, max_backlog: int = 100) -> None:
        self.max_backlog = max_backlog
        self._subscribers: dict[str, set[Subscriber]] = {}

    @asynccontextmanager
    async def subscribe(self, channels: Iterable[str]) -> AsyncIterator[Subscriber]:
        subscriber = Subscriber(self.max_backlog)
        names = list(channels)
        for name in names:
            self._subscribers.setdefault(name, set()).add(subscriber)
        try:
            yield subscriber
        finally:
            for name in names:
                listeners = self._subscribers.get(name)
                if listeners is not None:
                    listeners.discard(subscriber)
                    if not listeners:
                        del self._subscribers[name]

    def has_listeners(self, channel: str) -> bool:
        return bool(self._subscribers.get(channel))

    def deliver(self, channel: str, frame: Frame) -> int:
        """Queue one rendered fragment for every socket on the channel; returns how many got it."""
        listeners = list(self._subscribers.get(channel, ()))
        for subscriber in listeners:
            subscriber.offer(frame)
        return len(listeners)

    @property
    def socket_count(self) -> int:
        return len({s for listeners in self._subscribers.values() for s in listeners})
