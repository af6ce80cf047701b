"""Score values are checked against their scale before anything is stored."""

from __future__ import annotations

import pytest

from server.sessions.scales import ScoreMissing, ScoreOutOfRange, validate_score


@pytest.mark.parametrize("value", [0, 5, 10, "7", " 3 "])
def test_numeric_scale_accepts_whole_numbers_from_0_to_10(value: object) -> None:
    assert validate_score("nrs", value) == int(str(value).strip())


@pytest.mark.parametrize(
    "value", [-1, 11, 100, "eleven", 3.5, 5.0, True, "1_0", "\uff11\uff10", "\u0665", "+5", "5.0", "0x5"]
)
def test_numeric_scale_refuses_values_off_the_scale_with_the_range_in_the_message(value: object) -> None:
    with pytest.raises(ScoreOutOfRange) as refused:
        validate_score("nrs", value)
    assert "a whole number from 0 to 10" in refused.value.message


@pytest.mark.parametrize("value", [None, "", "  "])
def test_missing_value_asks_for_a_score(value: object) -> None:
    with pytest.raises(ScoreMissing) as refused:
        validate_score("nrs", value)
    assert refused.value.message.startswith("Choose a pain score")


def test_faces_scale_takes_only_its_six_faces() -> None:
    assert validate_score("faces", 4) == 4
    with pytest.raises(ScoreOutOfRange) as refused:
        validate_score("faces", 3)
    assert "one of 0, 2, 4, 6, 8, 10" in refused.value.message


def test_observed_scales_total_0_to_10() -> None:
    assert validate_score("painad", 10) == 10
    with pytest.raises(ScoreOutOfRange):
        validate_score("flacc", 11)


def test_other_symptoms_name_themselves_in_the_message() -> None:
    with pytest.raises(ScoreOutOfRange) as refused:
        validate_score("nrs", 12, measure="anxiety")
    assert "anxiety score" in refused.value.message


def test_observed_scale_total_is_the_sum_of_five_items_scored_0_to_2() -> None:
    from server.sessions.scales import total_from_items

    total, items = total_from_items(
        "flacc", {"face": 2, "legs": "1", "activity": 0, "cry": 2, "consolability": 1}
    )
    assert total == 6 and items["legs"] == 1
    with pytest.raises(ScoreMissing):
        total_from_items("flacc", {"face": 2})
    with pytest.raises(ScoreOutOfRange):
        total_from_items(
            "painad", {"breathing": 3, "vocalization": 0, "face": 0, "body": 0, "consolability": 0}
        )
