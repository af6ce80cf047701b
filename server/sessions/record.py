"""What the therapist charts before signing, and the checks it must pass: pure rules, no I/O.

Restricted regions (the order's sites to avoid) and pressure above the order's maximum are refused
unless a reason is recorded with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from server.errors import InvalidInput
from server.patients.models import MassageOrder, SiteRestriction
from server.sessions.body_map import region_keys, restriction_for

POSITIONS = ("supine", "side-lying", "seated", "bed-bound")
RESPONSES = ("more comfortable", "relaxed", "fell asleep", "no change", "discomfort", "distressed")
TEXT_MAX = 2000


@dataclass
class SessionRecord:
    techniques: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    region_reasons: dict[str, str] = field(default_factory=dict)
    pressure: int | None = None
    pressure_reason: str = ""
    position: str = ""
    response: str = ""
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan: str = ""


def check_session_record(
    record: SessionRecord, order: MassageOrder, restrictions: Sequence[SiteRestriction]
) -> SessionRecord:
    """Return the record with only what applies kept (reasons for restricted regions treated)."""
    if not record.techniques:
        raise InvalidInput("Tick the techniques you used.")
    not_allowed = [t for t in record.techniques if t not in order.allowed_techniques]
    if not_allowed:
        raise InvalidInput(f"The order does not allow {', '.join(not_allowed)}.")
    if not record.regions:
        raise InvalidInput("Tap the regions you treated on the body map.")
    known = set(region_keys())
    unknown = [r for r in record.regions if r not in known]
    if unknown:
        raise InvalidInput(f"{', '.join(unknown)} is not a region of the body map.")
    reasons: dict[str, str] = {}
    for region in record.regions:
        restriction = restriction_for(region, restrictions)
        if restriction is None:
            continue
        reason = record.region_reasons.get(region, "").strip()
        if not reason:
            raise InvalidInput(
                f"The order says to avoid {restriction.label}: record why you treated {region}."
            )
        reasons[region] = reason[:200]
    if record.pressure is None or not 1 <= record.pressure <= 5:
        raise InvalidInput("Record the pressure used: a Walton level from 1 to 5.")
    pressure_reason = record.pressure_reason.strip()
    if record.pressure > order.max_pressure and not pressure_reason:
        raise InvalidInput(
            f"Pressure {record.pressure} is above the order's maximum of {order.max_pressure}: "
            "record the reason."
        )
    if record.position not in POSITIONS:
        raise InvalidInput(f"Record the position: {', '.join(POSITIONS)}.")
    if record.response and record.response not in RESPONSES:
        raise InvalidInput(f"Patient response is one of: {', '.join(RESPONSES)}.")
    for label, text in (
        ("Subjective", record.subjective),
        ("Objective", record.objective),
        ("Assessment", record.assessment),
        ("Plan", record.plan),
    ):
        if len(text) > TEXT_MAX:
            raise InvalidInput(f"{label} is {len(text)} characters; keep it under {TEXT_MAX}.")
    return SessionRecord(
        techniques=list(dict.fromkeys(record.techniques)),
        regions=list(dict.fromkeys(record.regions)),
        region_reasons=reasons,
        pressure=record.pressure,
        pressure_reason=pressure_reason if record.pressure > order.max_pressure else "",
        position=record.position,
        response=record.response,
        subjective=record.subjective.strip(),
        objective=record.objective.strip(),
        assessment=record.assessment.strip(),
        plan=record.plan.strip(),
    )
