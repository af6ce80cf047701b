"""The physician's order screens: write, edit, hold, resume, discontinue; add and remove sites to avoid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from litestar import Controller, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from server.auth.policy import requires
from server.errors import InvalidInput, NotFound
from server.openapi import page
from server.patients import models, orders
from server.patients.models import MassageOrder
from server.patients.service import get_patient_for
from server.web import AppClock, DbSession, SignedIn


@dataclass
class OrderForm:
    indication: str = ""
    allowed_techniques: list[str] | str = field(default_factory=list)
    frequency: str = ""
    duration_minutes: str = ""
    max_pressure: str = ""
    platelet_threshold: str = ""
    end_date: str = ""

    def details(self) -> orders.OrderDetails:
        techniques = (
            [self.allowed_techniques] if isinstance(self.allowed_techniques, str) else self.allowed_techniques
        )
        return orders.OrderDetails(
            indication=self.indication,
            allowed_techniques=list(techniques),
            frequency=self.frequency,
            duration_minutes=_number(self.duration_minutes, "Session length"),
            max_pressure=_number(self.max_pressure, "Maximum pressure"),
            platelet_threshold=_number(self.platelet_threshold, "Platelet threshold"),
            end_date=_date(self.end_date),
        )


@dataclass
class RestrictionForm:
    region: str = ""
    side: str = ""
    reason: str = ""


def _number(value: str, what: str) -> int | None:
    if not str(value).strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{what} must be a whole number.") from None


def _date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("Give the end date as a date, like 2026-12-31.") from None


def form_context(patient_id: int, order: MassageOrder | None) -> dict[str, object]:
    return {
        "patient_id": patient_id,
        "order": order,
        "indications": models.INDICATIONS,
        "techniques": models.TECHNIQUES,
        "frequencies": models.FREQUENCIES,
        "walton": models.WALTON_PRESSURE,
        "regions": models.REGIONS,
        "sides": models.SIDES,
        "reasons": models.RESTRICTION_REASONS,
    }


WRITE = page(404, 409, 422)


class OrderPages(Controller):
    """Only physicians write orders; what changes on the cards is told by the order services."""

    path = "/"
    guards = [requires("orders.write")]

    @get("/patients/{patient_id:int}/orders/new", responses=page(404))
    async def new_order_page(self, db: DbSession, actor: SignedIn, patient_id: FromPath[int]) -> Template:
        patient = await get_patient_for(db, actor, patient_id)
        return Template(
            "pages/order_form.html", context={**form_context(patient_id, None), "patient": patient}
        )

    @post("/patients/{patient_id:int}/orders", status_code=303, responses=WRITE)
    async def write_order(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        patient_id: FromPath[int],
        data: URLEncodedBody[OrderForm],
    ) -> Redirect:
        await orders.create_order(db, actor, patient_id, data.details(), today=clock.today())
        return Redirect(f"/patients/{patient_id}", status_code=303)

    @get("/orders/{order_id:int}/edit", responses=page(404))
    async def edit_order_page(self, db: DbSession, actor: SignedIn, order_id: FromPath[int]) -> Template:
        order = await db.get(MassageOrder, order_id)
        if order is None:
            raise NotFound("No such massage order.")
        patient = await get_patient_for(db, actor, order.patient_id)
        context = {**form_context(order.patient_id, order), "patient": patient}
        return Template("pages/order_form.html", context=context)

    @post("/orders/{order_id:int}", status_code=303, responses=WRITE)
    async def edit_order(
        self, db: DbSession, actor: SignedIn, order_id: FromPath[int], data: URLEncodedBody[OrderForm]
    ) -> Redirect:
        order = await orders.update_order(db, actor, order_id, data.details())
        return Redirect(f"/patients/{order.patient_id}", status_code=303)

    @post("/orders/{order_id:int}/{move:str}", status_code=303, responses=WRITE)
    async def move_order(
        self, db: DbSession, actor: SignedIn, order_id: FromPath[int], move: FromPath[str]
    ) -> Redirect:
        order = await orders.change_order_status(db, actor, order_id, move)
        return Redirect(f"/patients/{order.patient_id}", status_code=303)

    @post("/orders/{order_id:int}/restrictions", status_code=303, responses=WRITE)
    async def add_restriction(
        self, db: DbSession, actor: SignedIn, order_id: FromPath[int], data: URLEncodedBody[RestrictionForm]
    ) -> Redirect:
        await orders.add_restriction(
            db, actor, order_id, region=data.region, side=data.side, reason=data.reason
        )
        return Redirect(f"/orders/{order_id}/edit", status_code=303)

    @post("/restrictions/{restriction_id:int}/delete", status_code=303, responses=WRITE)
    async def remove_restriction(
        self, db: DbSession, actor: SignedIn, restriction_id: FromPath[int]
    ) -> Redirect:
        restriction = await orders.remove_restriction(db, actor, restriction_id)
        return Redirect(f"/orders/{restriction.order_id}/edit", status_code=303)
