"""Score scales and their validation: pure rules, no I/O.

Each value is checked against its scale; an out-of-range or missing value is refused with a
message a therapist can act on, and nothing is stored.
"""

from __future__ import annotations

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


def validate_score(scale_code: str, value: object, measure: str = "pain") -> int:
    """Return the value as an int if it is on the scale; raise a clear error otherwise."""
    scale = get_scale(scale_code)
    label = MEASURES.get(measure, measure).lower()
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ScoreMissing(f"Choose a {label} score: {scale.range_text} on the {scale.name}.")
    if isinstance(value, bool):
        raise ScoreOutOfRange(f"A {label} score must be {scale.range_text}.")
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None or number not in scale.allowed:
        raise ScoreOutOfRange(
            f"{value} is not a {label} score on the {scale.name}: it must be {scale.range_text}."
        )
    return number
