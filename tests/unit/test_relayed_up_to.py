"""A push tells its page the number every earlier event of the unit has been relayed up to, so a page that
disconnects between two pushes that arrived the other way round still resumes from before the missing one."""

from __future__ import annotations

from server.realtime.broadcast import RelayedUpTo


def test_in_order_each_push_is_as_of_its_own_event() -> None:
    relayed = RelayedUpTo()
    assert [relayed.record(4, seq) for seq in (10, 11, 12)] == [10, 11, 12]


def test_out_of_order_a_push_is_as_of_the_last_event_with_nothing_missing_before_it() -> None:
    relayed = RelayedUpTo()
    assert relayed.record(4, 99) == 99
    assert relayed.record(4, 101) == 99, "100 has not been relayed: a page resuming gets 100 and 101"
    assert relayed.record(4, 102) == 99
    assert relayed.record(4, 100) == 102, "the gap is filled"
    assert relayed.record(7, 5) == 5, "each unit counts on its own"
    assert relayed.record(4, 100) == 102, "a repeat changes nothing"


def test_a_number_that_never_comes_is_given_up_after_enough_later_ones() -> None:
    relayed = RelayedUpTo()
    relayed.record(4, 1)
    marks = [relayed.record(4, seq) for seq in range(3, 3 + RelayedUpTo.GIVE_UP_AFTER + 1)]
    assert set(marks[:-1]) == {1}, "2 is waited for"
    assert marks[-1] == 2 + RelayedUpTo.GIVE_UP_AFTER + 1, "then skipped: its publish failed"
