"""Pages that show patients: the therapist's worklist, the nurses' unit board, the bedside chart."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.guards import CLINICAL_READERS, requires_role
from server.auth.models import Role
from server.errors import NotAllowed
from server.patients import service
from server.realtime.presence import therapists_present
from server.web import actor_of, now_and_today


@get("/worklist", guards=[requires_role(Role.therapist)])
async def worklist_page(request: Request, db_session: NamedDependency[AsyncSession]) -> Template:
    now, today = now_and_today(request)
    cards = await service.therapist_worklist(db_session, actor_of(request), now, today)
    return Template("pages/worklist.html", context={"cards": cards, "today": today})


@get("/board", guards=[requires_role(Role.nurse, Role.physician)])
async def my_board(request: Request) -> Redirect:
    units = sorted(actor_of(request).unit_ids)
    if not units:
        raise NotAllowed("Your account is not assigned to a unit yet; ask an administrator.")
    return Redirect(f"/units/{units[0]}/board")


@get("/units/{unit_id:int}/board", guards=[requires_role(Role.nurse, Role.physician)])
async def board_page(
    request: Request, unit_id: FromPath[int], db_session: NamedDependency[AsyncSession]
) -> Template:
    now, today = now_and_today(request)
    actor = actor_of(request)
    unit, cards = await service.unit_board(db_session, actor, unit_id, now, today)
    return Template(
        "pages/board.html",
        context={
            "unit": unit,
            "cards": cards,
            "can_flag": actor.role == Role.nurse,
            "unit_id": unit_id,
            "present": await therapists_present(db_session, unit_id, now),
        },
    )


@get("/units/{unit_id:int}/board/print", guards=[requires_role(Role.nurse, Role.physician, Role.therapist)])
async def downtime_worklist(
    request: Request, unit_id: FromPath[int], db_session: NamedDependency[AsyncSession]
) -> Template:
    """One tap prints the unit's worklist on paper, for when the network or the server is down."""
    now, today = now_and_today(request)
    actor = actor_of(request)
    unit, cards = await service.unit_board(db_session, actor, unit_id, now, today)
    return Template(
        "pages/board_print.html",
        context={"unit": unit, "cards": cards, "printed_at": now, "printed_by": actor.full_name},
    )


@get("/comfort-care", guards=[requires_role(Role.hospice)])
async def comfort_care_page(request: Request, db_session: NamedDependency[AsyncSession]) -> Template:
    now, today = now_and_today(request)
    cards = await service.comfort_care_patients(db_session, actor_of(request), now, today)
    return Template("pages/comfort_care.html", context={"cards": cards})


@get("/patients/{patient_id:int}", guards=[requires_role(*CLINICAL_READERS)])
async def patient_page(
    request: Request, patient_id: FromPath[int], db_session: NamedDependency[AsyncSession]
) -> Template:
    now, today = now_and_today(request)
    chart = await service.patient_chart(db_session, actor_of(request), patient_id, now, today)
    return Template("pages/patient.html", context={"chart": chart, "card": chart.card})


@dataclass
class ScaleForm:
    scale: str = ""


@post("/patients/{patient_id:int}/pain-scale", guards=[requires_role(Role.therapist)], status_code=303)
async def choose_pain_scale(
    request: Request,
    patient_id: FromPath[int],
    data: URLEncodedBody[ScaleForm],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    await service.choose_pain_scale(db_session, actor_of(request), patient_id, data.scale)
    return Redirect(f"/patients/{patient_id}", status_code=303)
