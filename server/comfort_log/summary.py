"""The comfort-care summary and the pain trend: pure calculations on the sessions of a period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean, median

MEANINGFUL_DROP = 2
"""A drop of two points or more on the 0-10 scale is taken as clinically meaningful."""


@dataclass(frozen=True)
class SessionPain:
    when: datetime
    pre: int | None
    post: int | None
    stopped_reason: str = ""
    post_not_obtainable: bool = False


@dataclass(frozen=True)
class PeriodSummary:
    sessions: int
    scored_pairs: int
    median_pre: float | None
    median_post: float | None
    mean_change: float | None
    share_meaningful_drop: float | None
    stopped_by_reason: dict[str, int] = field(default_factory=dict)
    post_not_obtainable: int = 0
    """Sessions whose post score could not be had: counted here, left out of the averages."""


def summarise(rows: list[SessionPain]) -> PeriodSummary:
    """Averages use sessions with both a pre and a post score; stopped sessions are counted by reason."""
    pairs = [(r.pre, r.post) for r in rows if r.pre is not None and r.post is not None]
    changes = [post - pre for pre, post in pairs]  # type: ignore[operator]
    return PeriodSummary(
        sessions=len(rows),
        scored_pairs=len(pairs),
        median_pre=median(p for p, _ in pairs) if pairs else None,  # type: ignore[type-var]
        median_post=median(q for _, q in pairs) if pairs else None,  # type: ignore[type-var]
        mean_change=round(mean(changes), 1) if changes else None,
        share_meaningful_drop=round(sum(1 for c in changes if c <= -MEANINGFUL_DROP) / len(changes), 2)
        if changes
        else None,
        stopped_by_reason=dict(Counter(r.stopped_reason for r in rows if r.stopped_reason)),
        post_not_obtainable=sum(1 for r in rows if r.post_not_obtainable),
    )


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    value: int
    label: str


@dataclass(frozen=True)
class TrendChart:
    """Coordinates for the server-drawn SVG: 0-10 on the y axis, sessions in time order on the x axis."""

    width: int
    height: int
    pre: list[ChartPoint]
    post: list[ChartPoint]
    y_ticks: list[tuple[float, int]]


def trend_chart(rows: list[SessionPain], width: int = 640, height: int = 240) -> TrendChart:
    ordered = sorted((r for r in rows if r.pre is not None or r.post is not None), key=lambda r: r.when)
    left, right, top, bottom = 40, 16, 16, 32
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / max(1, len(ordered) - 1) if len(ordered) > 1 else plot_w / 2)

    def y(v: int) -> float:
        return top + plot_h * (1 - v / 10)

    pre = [
        ChartPoint(x(i), y(r.pre), r.pre, r.when.strftime("%d %b"))
        for i, r in enumerate(ordered)
        if r.pre is not None
    ]
    post = [
        ChartPoint(x(i), y(r.post), r.post, r.when.strftime("%d %b"))
        for i, r in enumerate(ordered)
        if r.post is not None
    ]
    return TrendChart(width, height, pre, post, [(y(v), v) for v in (0, 2, 4, 6, 8, 10)])
