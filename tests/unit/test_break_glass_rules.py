"""Who may break the glass, and what a reason must say: rules without I/O."""

from __future__ import annotations

import pytest

from server.auth.actor import Actor
from server.auth.models import Role
from server.auth.policy import may_break_the_glass
from server.errors import InvalidInput
from server.patients.break_glass import DETAIL_MAX, check_reason

OWN_UNIT, OTHER_UNIT = 1, 2


def person(role: Role) -> Actor:
    return Actor(1, role.value, role.value.title(), role, frozenset({OWN_UNIT}))


@pytest.mark.parametrize("role", [Role.therapist, Role.nurse, Role.physician])
def test_clinicians_break_the_glass_outside_their_units_only(role: Role) -> None:
    assert may_break_the_glass(person(role), OTHER_UNIT, comfort_care=False)
    assert may_break_the_glass(person(role), OTHER_UNIT, comfort_care=True)
    assert not may_break_the_glass(person(role), OWN_UNIT, comfort_care=False), "no reason needed at home"


def test_hospice_breaks_the_glass_for_comfort_care_patients_only() -> None:
    assert may_break_the_glass(person(Role.hospice), OTHER_UNIT, comfort_care=True)
    assert not may_break_the_glass(person(Role.hospice), OTHER_UNIT, comfort_care=False)


def test_admins_never_break_the_glass() -> None:
    assert not may_break_the_glass(person(Role.admin), OTHER_UNIT, comfort_care=True)


def test_a_reason_needs_one_of_the_list_and_a_detail_within_its_maximum() -> None:
    assert check_reason(" emergency ", "  Code blue on 5 East ") == ("emergency", "Code blue on 5 East")
    assert check_reason("other", "x" * DETAIL_MAX)[1] == "x" * DETAIL_MAX
    for reason, detail, field in [
        ("", "Covering", "reason"),
        ("curious", "Covering", "reason"),
        ("covering", "   ", "detail"),
        ("covering", "x" * (DETAIL_MAX + 1), "detail"),
    ]:
        with pytest.raises(InvalidInput, match=field):
            check_reason(reason, detail)
