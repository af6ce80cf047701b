"""One slow tablet cannot hold up the others: its queue is bounded and it is told to resynchronise."""

from __future__ import annotations

from server.realtime.hub import STALE, LocalHub


async def test_a_tablet_that_stops_reading_is_marked_stale_and_the_others_get_everything() -> None:
    hub = LocalHub(max_backlog=5)
    async with hub.subscribe(["worklist-unit-1"]) as slow, hub.subscribe(["worklist-unit-1"]) as fast:
        received = []
        for n in range(20):
            hub.deliver("worklist-unit-1", f"card {n}")
            received.append(await fast.queue.get())
        assert received == [f"card {n}" for n in range(20)]
        assert slow.stale
        backlog = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
        assert backlog[:5] == [f"card {n}" for n in range(5)] and backlog[-1] is STALE and len(backlog) == 6


async def test_sockets_leave_their_channels_when_they_close() -> None:
    hub = LocalHub()
    async with hub.subscribe(["board-unit-1", "user-7"]):
        assert hub.has_listeners("board-unit-1") and hub.socket_count == 1
    assert not hub.has_listeners("board-unit-1") and not hub.has_listeners("user-7") and hub.socket_count == 0
    assert hub.deliver("board-unit-1", "row") == 0
