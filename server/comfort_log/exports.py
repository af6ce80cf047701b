"""Exports of the comfort-care log: CSV for spreadsheets, PDF (WeasyPrint) from the print template."""

from __future__ import annotations

import csv
import io

from jinja2 import Environment
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from server.comfort_log.service import ComfortLog
from server.db import PROJECT_ROOT
from server.spreadsheets import spreadsheet_safe

CSV_COLUMNS = [
    "date",
    "state",
    "stop reason",
    "pain before",
    "pain after",
    "change",
    "scale",
    "active minutes",
    "techniques",
    "position",
    "response",
    "note",
    "assessment",
    "amendments",
]


def log_csv(log: ComfortLog, zone_format: callable) -> str:  # type: ignore[valid-type]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in sorted(log.sessions, key=lambda i: i.session.created_at):
        s = item.session
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in [
                zone_format(s.created_at),
                s.state,
                s.stop_reason,
                item.pre.value if item.pre else "",
                item.post.value if item.post else "",
                "" if item.change is None else item.change,
                item.pre.scale if item.pre else "",
                s.active_seconds // 60,
                "; ".join(s.techniques),
                s.position,
                s.response,
                s.note,
                s.soap_assessment,
                " | ".join(f"{a.author_name}: {a.reason}: {a.text}" for a in item.amendments),
            ]
        )
    return out.getvalue()


def log_pdf(env: Environment, context: dict[str, object]) -> bytes:
    """The print template as a PDF. Only inline data: URLs may be fetched: nothing from disk or network."""
    html = env.get_template("pages/comfort_log_print.html").render(**context)
    css = CSS(string=(PROJECT_ROOT / "static" / "css" / "print.css").read_text())
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(stylesheets=[css])
