"""The one place patient fragments are rendered: the page includes them, htmx swaps and pushes call these."""

from __future__ import annotations

from jinja2 import Environment

from server.patients.service import PatientCard

WORKLIST_CARD = "partials/worklist_card.html"
BOARD_ROW = "partials/board_row.html"
AVAILABILITY_BANNER = "partials/availability_banner.html"
WORKLIST = "partials/worklist.html"


def render_worklist_card(env: Environment, card: PatientCard, *, oob: bool) -> str:
    return env.get_template(WORKLIST_CARD).render(card=card, oob=oob)


def render_board_row(env: Environment, card: PatientCard, *, oob: bool, can_flag: bool = True) -> str:
    return env.get_template(BOARD_ROW).render(card=card, oob=oob, can_flag=can_flag)


def render_availability_banner(env: Environment, card: PatientCard, *, oob: bool) -> str:
    return env.get_template(AVAILABILITY_BANNER).render(card=card, oob=oob)


def render_worklist(env: Environment, cards: list[PatientCard], *, oob: bool) -> str:
    return env.get_template(WORKLIST).render(cards=cards, oob=oob)
