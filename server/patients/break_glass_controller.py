"""Break the glass, as pages: the reason a clinician gives to read a patient outside their units, and
the administrators' list of those accesses. The rules are in `patients.break_glass`."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from server.auth.policy import requires
from server.errors import InvalidInput
from server.openapi import page
from server.patients import break_glass
from server.web import DbSession, SignedIn, parse_day


@dataclass
class ReasonForm:
    reason: str = ""
    detail: str = ""
    then: str = ""
    """The page that asked for the reason, opened again once access is granted."""


def reason_page(
    patient_id: int, then: str, *, form: ReasonForm | None = None, message: str = "", status_code: int = 403
) -> Template:
    """The page a clinician sees instead of a patient outside their units: it names no patient data."""
    context = {
        "patient_id": patient_id,
        "form": form or ReasonForm(then=then),
        "message": message,
        "reasons": break_glass.REASONS,
        "detail_max": break_glass.DETAIL_MAX,
        "minutes": int(break_glass.GRANT_LENGTH.total_seconds() // 60),
    }
    return Template("pages/break_glass.html", context=context, status_code=status_code)


def page_to_open(patient_id: int, then: str) -> str:
    """One of this patient's own read pages and nothing else (never a redirect away); else the chart."""
    pages = {f"/patients/{patient_id}", f"/comfort-care/{patient_id}", f"/comfort-care/{patient_id}/print"}
    return then if then in pages else f"/patients/{patient_id}"


class BreakGlassPages(Controller):
    path = "/patients/{patient_id:int}/break-glass"
    guards = [requires("break_glass.open")]

    @post("/", status_code=303, responses=page(404, 409, 422))
    async def break_the_glass(
        self, db: DbSession, actor: SignedIn, patient_id: FromPath[int], data: URLEncodedBody[ReasonForm]
    ) -> Redirect | Template:
        then = page_to_open(patient_id, data.then)
        try:
            await break_glass.break_the_glass(db, actor, patient_id, data.reason, data.detail)
        except InvalidInput as refused:
            return reason_page(patient_id, then, form=data, message=refused.message, status_code=422)
        return Redirect(then, status_code=303)


class BreakGlassReview(Controller):
    path = "/admin/break-glass"
    guards = [requires("break_glass.review")]

    @get("/", responses=page(422))
    async def break_glass_list(
        self,
        db: DbSession,
        actor: SignedIn,
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
    ) -> Template:
        first, last = parse_day(start, "start"), parse_day(end, "end")
        accesses = await break_glass.break_glass_accesses(db, actor, first, last)
        context = {"accesses": accesses, "start": first, "end": last}
        return Template("pages/break_glass_list.html", context=context)
