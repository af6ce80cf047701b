"""Score scales and their validation: pure rules, no I/O.

Each value is checked against its scale; an out-of-range or missing value is refused with a
message a therapist can act on, and nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.errors import InvalidInput


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    allowed: tuple[int, ...]
    observed: bool = False
    """Scored by the clinician watching the patient, not reported by the patient."""

    @property
    def range_text(self) -> str:
        if self.allowed == tuple(range(self.allowed[0], self.allowed[-1] + 1)):
            return f"a whole number from {self.allowed[0]} to {self.allowed[-1]}"
        return "one of " + ", ".join(str(v) for v in self.allowed)


SCALES: dict[str, Scale] = {
    "nrs": Scale("nrs", "0-10 numeric rating scale", tuple(range(11))),
    "faces": Scale("faces", "Wong-Baker FACES", (0, 2, 4, 6, 8, 10)),
    "painad": Scale("painad", "PAINAD", tuple(range(11)), observed=True),
    "flacc": Scale("flacc", "FLACC", tuple(range(11)), observed=True),
}

MEASURES = {"pain": "Pain", "anxiety": "Anxiety", "fatigue": "Fatigue", "nausea": "Nausea"}


class ScoreOutOfRange(InvalidInput):
    pass


class ScoreMissing(InvalidInput):
    pass


def get_scale(code: str) -> Scale:
    try:
        return SCALES[code]
    except KeyError:
        raise InvalidInput(f"Unknown scale {code!r}; use one of {', '.join(SCALES)}.") from None


def whole_number(value: object) -> int | None:
    """A score as typed or tapped: an integer, or plain ASCII digits. Not 5.0, "1_0", full-width or
    Arabic-Indic digits, or True, all of which Python's int() would take."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}", value.strip()):
        return int(value.strip())
    return None


def validate_score(scale_code: str, value: object, measure: str = "pain") -> int:
    """Return the value as an int if it is on the scale; raise a clear error otherwise."""
    scale = get_scale(scale_code)
    label = MEASURES.get(measure, measure).lower()
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ScoreMissing(f"Choose a {label} score: {scale.range_text} on the {scale.name}.")
    number = whole_number(value)
    if number is None or number not in scale.allowed:
        raise ScoreOutOfRange(
            f"{value} is not a {label} score on the {scale.name}: it must be {scale.range_text}."
        )
    return number


OBSERVED_ITEMS: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "painad": {
        "breathing": ("Breathing", "normal", "occasional laboured breathing", "noisy, laboured, long pauses"),
        "vocalization": (
            "Negative vocalization",
            "none",
            "occasional moan or groan",
            "repeated calling out, crying",
        ),
        "face": ("Facial expression", "smiling or inexpressive", "sad, frightened, frowning", "grimacing"),
        "body": (
            "Body language",
            "relaxed",
            "tense, distressed pacing, fidgeting",
            "rigid, fists clenched, striking out",
        ),
        "consolability": (
            "Consolability",
            "no need to console",
            "distracted or reassured by voice or touch",
            "unable to console or distract",
        ),
    },
    "flacc": {
        "face": (
            "Face",
            "no particular expression",
            "occasional grimace or frown",
            "frequent frown, clenched jaw",
        ),
        "legs": ("Legs", "normal or relaxed", "uneasy, restless, tense", "kicking or legs drawn up"),
        "activity": (
            "Activity",
            "lying quietly, moves easily",
            "squirming, shifting, tense",
            "arched, rigid or jerking",
        ),
        "cry": ("Cry", "no cry", "moans or whimpers", "crying steadily, screams, sobs"),
        "consolability": (
            "Consolability",
            "content, relaxed",
            "reassured by touch or talking",
            "difficult to console",
        ),
    },
}
"""Observed scales: five items scored 0, 1 or 2 from what the clinician sees; the total is 0 to 10."""

FACES_LABELS = {
    0: "no hurt",
    2: "hurts a little",
    4: "hurts a little more",
    6: "hurts even more",
    8: "hurts a whole lot",
    10: "hurts worst",
}
"""Plain labels under our own drawn faces."""


def total_from_items(scale_code: str, items: dict[str, object] | None) -> tuple[int, dict[str, int]]:
    """Check every item of an observed scale is scored 0, 1 or 2, and return the total with the items."""
    definition = OBSERVED_ITEMS.get(scale_code)
    if definition is None:
        raise InvalidInput(f"The {get_scale(scale_code).name} is not scored item by item.")
    items = items or {}
    missing = [label for key, (label, *_rest) in definition.items() if str(items.get(key, "")).strip() == ""]
    if missing:
        raise ScoreMissing(f"Score every item of the {get_scale(scale_code).name}: {', '.join(missing)}.")
    clean: dict[str, int] = {}
    for key, (label, *_rest) in definition.items():
        value = whole_number(items[key])
        if value not in (0, 1, 2):
            raise ScoreOutOfRange(f"{label} is scored 0, 1 or 2 (got {items[key]}).")
        clean[key] = value  # type: ignore[assignment]
    return sum(clean.values()), clean
