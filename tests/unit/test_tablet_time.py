"""The time a step from a tablet is charted at: the tablet's time of the tap, moved onto the server's clock,
never before the session's previous event nor after the server received it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.errors import InvalidInput
from server.sessions.tablet import TabletStamp, read_stamp

RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_a_tablet_clock_that_is_off_is_corrected_by_its_send_time() -> None:
    behind = timedelta(minutes=7)
    stamp = TabletStamp("tap-000001", RECEIVED, RECEIVED - timedelta(minutes=30) - behind, RECEIVED - behind)
    assert stamp.clock_offset == behind
    assert stamp.when(None) == RECEIVED - timedelta(minutes=30)


def test_the_charted_time_stays_between_the_previous_event_and_the_receipt() -> None:
    early = TabletStamp("tap-000002", RECEIVED, RECEIVED - timedelta(hours=2), RECEIVED)
    assert early.when(RECEIVED - timedelta(minutes=5)) == RECEIVED - timedelta(minutes=5)
    late = TabletStamp("tap-000003", RECEIVED, RECEIVED + timedelta(minutes=2))
    assert late.when(None) == RECEIVED, "without a send time, never after the server heard of it"


def test_without_the_tablets_headers_there_is_no_stamp_and_with_them_they_are_checked() -> None:
    assert read_stamp({}, b"", "/api/sessions/1/finish", RECEIVED) is None
    headers = {"bedside-client-id": "tap-000004", "bedside-sent-at": "2026-03-02T09:59:00Z"}
    with pytest.raises(InvalidInput, match="needs its recorded time"):
        read_stamp(headers, b"", "/api/sessions/1/finish", RECEIVED)


def test_the_same_step_sent_again_has_the_same_digest_whatever_its_csrf_token() -> None:
    def digest(body: bytes) -> str:
        stamp = read_stamp({"bedside-client-id": "tap-000005"}, body, "/sessions/1/finish", RECEIVED)
        assert stamp is not None
        return stamp.digest

    assert digest(b"patient_id=3&_csrf_token=aaa") == digest(b"patient_id=3&_csrf_token=bbb")
    assert digest(b"patient_id=3") != digest(b"patient_id=4")
