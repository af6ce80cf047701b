"""The one place session fragments are rendered: the session page includes them, htmx swaps and pushes
call these. The interruption overlay is a full-screen fragment pushed to the therapist's own channel."""

from __future__ import annotations

import uuid

from jinja2 import Environment

from server.patients.models import Patient
from server.sessions.body_map import body_map_shapes, region_keys, restriction_for
from server.sessions.models import Interruption, MassageSession
from server.sessions.record import POSITIONS, RESPONSES
from server.sessions.scales import FACES_LABELS, OBSERVED_ITEMS, SCALES
from server.sessions.screening import SCREENING_ITEMS, STOP_ONLY
from server.sessions.service import SessionView

STOP_REASONS = ("Contraindication found", "Patient declined", "Clinical change", "Patient unwell", "Other")
SESSION_PANEL = "partials/session_panel.html"
INTERRUPTION_OVERLAY = "partials/interruption_overlay.html"
SESSION_TIMER = "partials/session_timer.html"


def panel_context(view: SessionView) -> dict[str, object]:
    return {
        "view": view,
        "scale": SCALES[view.patient.pain_scale],
        "client_id": uuid.uuid4().hex,
        "screening_items": SCREENING_ITEMS,
        "stop_only": STOP_ONLY,
        "stop_reasons": STOP_REASONS,
        "anxiety_client_id": uuid.uuid4().hex,
        "not_obtainable_client_id": uuid.uuid4().hex,
        "observed_items": OBSERVED_ITEMS.get(view.patient.pain_scale),
        "faces_labels": FACES_LABELS,
        "positions": POSITIONS,
        "responses": RESPONSES,
        "body_shapes": body_map_shapes(),
        "region_keys": region_keys(),
        "restricted": {key: r for key in region_keys() if (r := restriction_for(key, view.restrictions))},
    }


def render_session_panel(env: Environment, view: SessionView, *, oob: bool = False) -> str:
    return env.get_template(SESSION_PANEL).render(**panel_context(view), oob=oob)


def render_session_timer(env: Environment, massage_session: MassageSession, *, oob: bool) -> str:
    return env.get_template(SESSION_TIMER).render(s=massage_session, oob=oob)


def render_interruption_overlay(env: Environment, pending: list[tuple[Interruption, Patient]]) -> str:
    """Full-screen while anything is pending; an empty placeholder otherwise (so a push also clears it)."""
    return env.get_template(INTERRUPTION_OVERLAY).render(pending=pending)
