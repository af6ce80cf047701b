"""The body map: our own front and back outline, one shape per treatable region.

A region key is "left forearm" for regions with a side, "chest" for midline ones. The same key is drawn
on the front and the back where both show it. Shapes are (x, y, width, height) rectangles, or a circle
for the head, on a 440 x 350 canvas: front figure centred at x=100, back figure at x=320.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from server.patients.models import SiteRestriction

MIDLINE = ("head", "neck", "chest", "abdomen", "upper back", "lower back")

# Region -> (x, y, w, h) on the front figure for the patient's right side (drawn on the viewer's left).
_RIGHT_SIDE = {
    "shoulder": (42, 66, 23, 22),
    "upper arm": (40, 88, 22, 45),
    "forearm": (36, 133, 22, 45),
    "hand": (34, 178, 24, 22),
    "hip": (70, 161, 30, 22),
    "thigh": (70, 183, 28, 60),
    "knee": (70, 243, 28, 20),
    "lower leg": (72, 263, 24, 60),
    "foot": (70, 323, 28, 16),
}
_FRONT_MIDLINE = {"neck": (90, 52, 20, 14), "chest": (65, 66, 70, 50), "abdomen": (70, 116, 60, 45)}
_BACK_MIDLINE = {"neck": (310, 52, 20, 14), "upper back": (285, 66, 70, 50), "lower back": (290, 116, 60, 45)}


@dataclass(frozen=True)
class Shape:
    key: str
    view: str
    x: float
    y: float
    w: float
    h: float
    circle: bool = False


def _mirror(x: float, w: float) -> float:
    return 200 - x - w


def body_map_shapes() -> list[Shape]:
    shapes = [
        Shape("head", "front", 100, 30, 22, 0, circle=True),
        Shape("head", "back", 320, 30, 22, 0, circle=True),
    ]
    shapes += [Shape(k, "front", *box) for k, box in _FRONT_MIDLINE.items()]
    shapes += [Shape(k, "back", *box) for k, box in _BACK_MIDLINE.items()]
    for region, (x, y, w, h) in _RIGHT_SIDE.items():
        shapes.append(Shape(f"right {region}", "front", x, y, w, h))
        shapes.append(Shape(f"left {region}", "front", _mirror(x, w), y, w, h))
        # From behind, the patient's left is on the viewer's left.
        shapes.append(Shape(f"left {region}", "back", 220 + x, y, w, h))
        shapes.append(Shape(f"right {region}", "back", 220 + _mirror(x, w), y, w, h))
    return shapes


def region_keys() -> list[str]:
    keys = list(MIDLINE)
    for region in _RIGHT_SIDE:
        keys += [f"left {region}", f"right {region}"]
    return keys


def restriction_for(key: str, restrictions: Iterable[SiteRestriction]) -> SiteRestriction | None:
    """The order's restriction that covers this region, if any (no side or 'both' covers either side)."""
    side, _, region = key.partition(" ") if key not in MIDLINE else ("", "", key)
    if key in MIDLINE:
        region = key
    for restriction in restrictions:
        if restriction.region != region:
            continue
        if restriction.side in ("", "both") or restriction.side == side:
            return restriction
    return None
