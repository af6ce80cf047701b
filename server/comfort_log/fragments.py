"""The one place the comfort-care log's body is rendered: its page and print view include the partial,
its socket and pushes call this."""

from __future__ import annotations

from jinja2 import Environment

from server.comfort_log.service import ComfortLog

COMFORT_LOG_BODY = "partials/comfort_log_body.html"


def render_comfort_log_body(env: Environment, log: ComfortLog, *, oob: bool) -> str:
    return env.get_template(COMFORT_LOG_BODY).render(log=log, oob=oob)
