"""The contraindication screen before every session, and consent: pure rules, no I/O.

Each item is answered no (clear), modify (go ahead, adapted: a precaution shown for the rest of the
session) or stop ("do no harm": the session ends as stopped with that reason).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.errors import InvalidInput

SCREENING_ITEMS: dict[str, str] = {
    "fever": "Fever (38 °C or higher)",
    "dvt": "New or suspected DVT",
    "low_platelets": "Low platelets (below the order's threshold)",
    "fracture": "New fracture",
    "wound": "Open wound or fresh incision in the area",
    "unstable": "Clinically unstable, per the nurse",
    "declines": "Patient declines today",
}
ANSWERS = ("no", "modify", "stop")
STOP_ONLY = {"declines"}
"""Items where the only answers are no and stop."""

CONSENT_BY = ("patient", "surrogate")


@dataclass(frozen=True)
class ScreeningOutcome:
    answers: dict[str, str]
    stop_reason: str
    precautions: list[str]


def evaluate_screening(answers: dict[str, str]) -> ScreeningOutcome:
    """Check every item is answered; the first 'stop' stops the session, each 'modify' adds a precaution."""
    missing = [label for item, label in SCREENING_ITEMS.items() if answers.get(item) not in ANSWERS]
    if missing:
        raise InvalidInput(
            "Answer every screening question before touching the patient: " + "; ".join(missing) + "."
        )
    for item in STOP_ONLY:
        if answers[item] == "modify":
            raise InvalidInput(f"{SCREENING_ITEMS[item]}: the answer is yes (stop) or no.")
    clean = {item: answers[item] for item in SCREENING_ITEMS}
    stops = [SCREENING_ITEMS[item] for item, answer in clean.items() if answer == "stop"]
    precautions = [
        f"{SCREENING_ITEMS[item]}: adapt, and avoid the area" for item, a in clean.items() if a == "modify"
    ]
    return ScreeningOutcome(clean, stops[0] if stops else "", precautions)


def check_consent(by: str, surrogate_name: str) -> str:
    if by not in CONSENT_BY:
        raise InvalidInput("Record who agreed: the patient, or a named surrogate.")
    name = (surrogate_name or "").strip()
    if by == "surrogate" and not name:
        raise InvalidInput("Give the surrogate's name.")
    if len(name) > 120:
        raise InvalidInput("The surrogate's name is too long.")
    return name if by == "surrogate" else ""
