"""Jinja filters shared by pages, htmx swaps and pushes (they all render through one Environment)."""

from __future__ import annotations

from datetime import date, datetime

from jinja2 import Environment

from server.assets import asset_url
from server.availability.models import FLAG_LABELS
from server.clock import Clock, to_local
from server.patients.break_glass import REASONS as BREAK_GLASS_REASONS
from server.patients.models import WALTON_PRESSURE
from server.sessions.interruptions import INTERRUPTION_REASONS
from server.sessions.rules import NOT_OBTAINABLE_REASONS
from server.sessions.scales import SCALES
from server.sessions.service import RESCHEDULE_REASONS
from server.theme import THEME_CHOICES, THEME_COLOR, NightHours, seconds_to_next_change, shown_theme


def install_filters(env: Environment, clock: Clock) -> None:
    zone = clock.zone

    def local_time(moment: datetime | None) -> str:
        return to_local(moment, zone).strftime("%H:%M") if moment else ""

    def local_datetime(moment: datetime | None) -> str:
        return to_local(moment, zone).strftime("%d %b %Y %H:%M") if moment else ""

    def long_date(day: date | None) -> str:
        return day.strftime("%d %b %Y") if day else ""

    def minutes(seconds: int | None) -> str:
        return f"{(seconds or 0) // 60} min"

    def score_text(score: object) -> str:
        """A score as charted: its value, or 'not obtainable (asleep)', never a blank or a zero."""
        if score is None:
            return "—"
        reason = getattr(score, "not_obtainable_reason", "")
        if reason:
            return f"not obtainable ({NOT_OBTAINABLE_REASONS.get(reason, reason)})"
        return str(getattr(score, "value", ""))

    env.filters["score_text"] = score_text
    env.globals["not_obtainable_reasons"] = NOT_OBTAINABLE_REASONS
    env.globals["reschedule_reasons"] = RESCHEDULE_REASONS
    env.globals["break_glass_reasons"] = BREAK_GLASS_REASONS
    env.filters.update(
        local_time=local_time, local_datetime=local_datetime, long_date=long_date, minutes=minutes
    )
    env.globals["timezone"] = zone
    env.globals["now"] = clock.now
    env.globals["walton"] = WALTON_PRESSURE
    env.globals["scales"] = SCALES
    env.globals["interruption_reasons"] = INTERRUPTION_REASONS
    env.globals["flag_kinds"] = [(kind.value, label) for kind, label in FLAG_LABELS.items()]


def install_theme(env: Environment, clock: Clock, night_hours: NightHours) -> None:
    """What base.html needs to draw the page in its theme from the first paint (see `server.theme`)."""

    def screen_theme(actor: object) -> str:
        return shown_theme(getattr(actor, "theme", "auto"), night_hours, clock)

    env.globals["screen_theme"] = screen_theme
    env.globals["asset_url"] = asset_url
    env.globals["theme_color"] = THEME_COLOR
    env.globals["theme_choices"] = THEME_CHOICES
    env.globals["night_hours_text"] = "{:%H:%M} to {:%H:%M}".format(*night_hours)
    env.globals["seconds_to_theme_change"] = lambda: seconds_to_next_change(night_hours, clock)
