"""Pages that show patients: the therapist's worklist, the nurses' unit board, the bedside chart."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from server.auth.models import Role
from server.auth.policy import ADMISSION, requires
from server.errors import NotAllowed
from server.openapi import page
from server.patients import service
from server.presence.service import therapists_present
from server.realtime.stream import page_markers
from server.web import AppClock, DbSession, SignedIn


@dataclass
class ScaleForm:
    scale: str = ""


class PatientPages(Controller):
    path = "/"

    @get("/worklist", guards=[requires("worklist.read")], responses=page())
    async def worklist_page(self, db: DbSession, actor: SignedIn, clock: AppClock) -> Template:
        now, today = clock.reading()
        live_seqs = await page_markers(db, sorted(actor.unit_ids))
        cards = await service.therapist_worklist(db, actor, now, today)
        context = {"cards": cards, "today": today, "live_seqs": live_seqs}
        return Template("pages/worklist.html", context=context)

    @get("/board", guards=[requires("board.read")], status_code=303, responses=page())
    async def my_board(self, actor: SignedIn) -> Redirect:
        units = sorted(actor.unit_ids)
        if not units:
            raise NotAllowed("Your account is not assigned to a unit yet; ask an administrator.")
        return Redirect(f"/units/{units[0]}/board", status_code=303)

    @get("/units/{unit_id:int}/board", guards=[requires("board.read")], responses=page(404))
    async def board_page(
        self, db: DbSession, actor: SignedIn, clock: AppClock, unit_id: FromPath[int]
    ) -> Template:
        live_seqs = await page_markers(db, [unit_id])
        unit, cards = await service.unit_board(db, actor, unit_id, *clock.reading())
        present = await therapists_present(db, unit_id, clock.now())
        context = {"unit": unit, "cards": cards, "can_flag": actor.role == Role.nurse, "present": present}
        context["live_seqs"] = live_seqs
        context["can_admit"] = actor.role in ADMISSION
        return Template("pages/board.html", context={**context, "unit_id": unit_id})

    @get("/units/{unit_id:int}/board/print", guards=[requires("board.print")], responses=page(404))
    async def downtime_worklist(
        self, db: DbSession, actor: SignedIn, clock: AppClock, unit_id: FromPath[int]
    ) -> Template:
        """One tap prints the unit's worklist on paper, for when the network or the server is down."""
        unit, cards = await service.unit_board(db, actor, unit_id, *clock.reading())
        printed = {"printed_at": clock.now(), "printed_by": actor.full_name}
        return Template("pages/board_print.html", context={"unit": unit, "cards": cards, **printed})

    @get("/comfort-care", guards=[requires("comfort_care.list")], responses=page())
    async def comfort_care_page(self, db: DbSession, actor: SignedIn, clock: AppClock) -> Template:
        cards = await service.comfort_care_patients(db, actor, *clock.reading())
        return Template("pages/comfort_care.html", context={"cards": cards})

    @get("/patients/{patient_id:int}", guards=[requires("chart.read")], responses=page(404))
    async def patient_page(
        self, db: DbSession, actor: SignedIn, clock: AppClock, patient_id: FromPath[int]
    ) -> Template:
        chart = await service.patient_chart(db, actor, patient_id, *clock.reading())
        return Template("pages/patient.html", context={"chart": chart, "card": chart.card})

    @post(
        "/patients/{patient_id:int}/pain-scale",
        guards=[requires("pain_scale.choose")],
        status_code=303,
        responses=page(404, 422),
    )
    async def choose_pain_scale(
        self, db: DbSession, actor: SignedIn, patient_id: FromPath[int], data: URLEncodedBody[ScaleForm]
    ) -> Redirect:
        await service.choose_pain_scale(db, actor, patient_id, data.scale)
        return Redirect(f"/patients/{patient_id}", status_code=303)
