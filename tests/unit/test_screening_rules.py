"""The screen before touch: every item answered; stop stops, modify adds a precaution."""

from __future__ import annotations

import pytest

from server.errors import InvalidInput
from server.sessions.screening import SCREENING_ITEMS, check_consent, evaluate_screening

CLEAR = dict.fromkeys(SCREENING_ITEMS, "no")


def test_all_clear_has_no_stop_and_no_precaution() -> None:
    outcome = evaluate_screening(CLEAR)
    assert outcome.stop_reason == "" and outcome.precautions == [] and outcome.answers == CLEAR


def test_first_stop_answer_gives_the_stop_reason() -> None:
    outcome = evaluate_screening({**CLEAR, "fracture": "stop", "declines": "stop"})
    assert outcome.stop_reason == "New fracture"


def test_modify_answers_become_precautions() -> None:
    outcome = evaluate_screening({**CLEAR, "fever": "modify", "wound": "modify"})
    assert outcome.stop_reason == ""
    assert [p.split(":")[0] for p in outcome.precautions] == [
        "Fever (38 °C or higher)",
        "Open wound or fresh incision in the area",
    ]


@pytest.mark.parametrize("answers", [{}, {**CLEAR, "dvt": "maybe"}, {**CLEAR, "declines": "modify"}])
def test_incomplete_or_odd_answers_are_refused(answers: dict[str, str]) -> None:
    with pytest.raises(InvalidInput):
        evaluate_screening(answers)


def test_unknown_items_are_not_recorded() -> None:
    assert "shoe_size" not in evaluate_screening({**CLEAR, "shoe_size": "no"}).answers


def test_consent_needs_a_named_surrogate() -> None:
    assert check_consent("patient", "ignored") == ""
    assert check_consent("surrogate", " Rowan ") == "Rowan"
    for by, name in [("surrogate", ""), ("nobody", ""), ("", "Rowan")]:
        with pytest.raises(InvalidInput):
            check_consent(by, name)
