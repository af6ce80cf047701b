"""The one place patient fragments are rendered: the page includes them, htmx swaps and pushes call these."""

from __future__ import annotations

from jinja2 import Environment

from server.patients.models import Unit
from server.patients.service import PatientCard

WORKLIST_CARD = "partials/worklist_card.html"
BOARD_ROW = "partials/board_row.html"
AVAILABILITY_BANNER = "partials/availability_banner.html"
WORKLIST = "partials/worklist.html"
BOARD = "partials/board.html"


def render_worklist_card(env: Environment, card: PatientCard, *, oob: bool) -> str:
    return env.get_template(WORKLIST_CARD).render(card=card, oob=oob)


def render_board_row(env: Environment, card: PatientCard, *, oob: bool, can_flag: bool = True) -> str:
    return env.get_template(BOARD_ROW).render(card=card, oob=oob, can_flag=can_flag)


def render_availability_banner(env: Environment, card: PatientCard, *, oob: bool) -> str:
    return env.get_template(AVAILABILITY_BANNER).render(card=card, oob=oob)


def render_worklist(env: Environment, cards: list[PatientCard], *, oob: bool) -> str:
    return env.get_template(WORKLIST).render(cards=cards, oob=oob)


def render_board(env: Environment, unit: Unit, cards: list[PatientCard], *, oob: bool, can_flag: bool) -> str:
    return env.get_template(BOARD).render(unit=unit, cards=cards, oob=oob, can_flag=can_flag)


def card_id(patient_id: int) -> str:
    return f"patient-card-{patient_id}"


def board_row_id(patient_id: int) -> str:
    return f"board-row-{patient_id}"


def render_joining(list_id: str, fragment: str) -> str:
    """A card or row that joins a list (an admission, a transfer in, a new order): added at its end."""
    return f'<div hx-swap-oob="beforeend:#{list_id}">{fragment}</div>'


def render_leaving(element_id: str) -> str:
    """A card or row that leaves a list (a transfer out, a discharge, an order that ended): removed."""
    return f'<div hx-swap-oob="delete:#{element_id}"></div>'
