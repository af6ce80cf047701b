"""Day and night themes: which one a page is drawn in, decided on the server so the first paint is right.

A tablet carried into a dark patient room must not light it up: the page's <html> already carries the
theme (and `color-scheme`, and the browser bar's colour) when it arrives, so there is no white flash
while a script would work it out. The choice is the person's (day, night, or automatic by the hospital's
clock); with no one signed in (sign-in page, errors) the clock decides.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from server.auth.models import ThemeChoice
from server.clock import Clock

NightHours = tuple[time, time]
THEME_COLOR = {"day": "#0b5c7a", "night": "#1c1611"}
"""The browser bar's colour (`<meta name="theme-color">`) for each theme: the header's, so nothing glows."""
THEME_CHOICES = [
    (ThemeChoice.day.value, "Day"),
    (ThemeChoice.night.value, "Night"),
    (ThemeChoice.auto.value, "Automatic"),
]
"""The three choices as offered on screen, in this order."""


def is_night(moment: time, hours: NightHours) -> bool:
    """Whether a wall-clock time falls in the night; a night such as 21:00-07:00 runs across midnight."""
    start, end = hours
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def shown_theme(choice: str, hours: NightHours, clock: Clock) -> str:
    """ "day" or "night": the person's explicit choice, else the hospital's clock against the night hours."""
    if choice in (ThemeChoice.day, ThemeChoice.night):
        return str(choice)
    local = clock.local(clock.now())
    return "night" if is_night(local.time().replace(tzinfo=None), hours) else "day"


def seconds_to_next_change(hours: NightHours, clock: Clock) -> int:
    """How long until the night starts or ends, by the hospital's clock: an open page on "Automatic"
    switches then without being reloaded (bedside's theme script). At least one second."""
    local = clock.local(clock.now())
    candidates = []
    for boundary in hours:
        at = datetime.combine(local.date(), boundary, tzinfo=local.tzinfo)
        if at <= local:
            at = datetime.combine(local.date() + timedelta(days=1), boundary, tzinfo=local.tzinfo)
        candidates.append(at)
    return max(1, int(min(candidates).timestamp() - local.timestamp()) + 1)
