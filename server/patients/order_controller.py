"""The physician's order screens: write, edit, hold, resume, discontinue; add and remove sites to avoid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.guards import requires_role
from server.auth.models import Role
from server.errors import InvalidInput, NotFound
from server.patients import orders
from server.patients.models import (
    FREQUENCIES,
    INDICATIONS,
    REGIONS,
    RESTRICTION_REASONS,
    SIDES,
    TECHNIQUES,
    WALTON_PRESSURE,
    MassageOrder,
)
from server.patients.service import get_patient_for
from server.realtime.broadcast import Broadcaster
from server.web import actor_of, now_and_today

physician_only = [requires_role(Role.physician)]


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
        "indications": INDICATIONS,
        "techniques": TECHNIQUES,
        "frequencies": FREQUENCIES,
        "walton": WALTON_PRESSURE,
        "regions": REGIONS,
        "sides": SIDES,
        "reasons": RESTRICTION_REASONS,
    }


@get("/patients/{patient_id:int}/orders/new", guards=physician_only)
async def new_order_page(
    request: Request, patient_id: FromPath[int], db_session: NamedDependency[AsyncSession]
) -> Template:
    patient = await get_patient_for(db_session, actor_of(request), patient_id)
    return Template("pages/order_form.html", context={**form_context(patient_id, None), "patient": patient})


@post("/patients/{patient_id:int}/orders", guards=physician_only, status_code=303)
async def write_order(
    request: Request,
    patient_id: FromPath[int],
    data: URLEncodedBody[OrderForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Redirect:
    _, today = now_and_today(request)
    await orders.create_order(db_session, actor_of(request), patient_id, data.details(), today=today)
    await broadcaster.patient_changed(patient_id)
    return Redirect(f"/patients/{patient_id}", status_code=303)


@get("/orders/{order_id:int}/edit", guards=physician_only)
async def edit_order_page(
    request: Request, order_id: FromPath[int], db_session: NamedDependency[AsyncSession]
) -> Template:
    order = await db_session.get(MassageOrder, order_id)
    if order is None:
        raise NotFound("No such massage order.")
    patient = await get_patient_for(db_session, actor_of(request), order.patient_id)
    return Template(
        "pages/order_form.html", context={**form_context(order.patient_id, order), "patient": patient}
    )


@post("/orders/{order_id:int}", guards=physician_only, status_code=303)
async def edit_order(
    request: Request,
    order_id: FromPath[int],
    data: URLEncodedBody[OrderForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Redirect:
    order = await orders.update_order(db_session, actor_of(request), order_id, data.details())
    await broadcaster.patient_changed(order.patient_id)
    return Redirect(f"/patients/{order.patient_id}", status_code=303)


@post("/orders/{order_id:int}/{move:str}", guards=physician_only, status_code=303)
async def move_order(
    request: Request,
    order_id: FromPath[int],
    move: FromPath[str],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Redirect:
    order = await orders.change_order_status(db_session, actor_of(request), order_id, move)
    await broadcaster.patient_changed(order.patient_id)
    return Redirect(f"/patients/{order.patient_id}", status_code=303)


@post("/orders/{order_id:int}/restrictions", guards=physician_only, status_code=303)
async def add_restriction(
    request: Request,
    order_id: FromPath[int],
    data: URLEncodedBody[RestrictionForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Redirect:
    await orders.add_restriction(
        db_session, actor_of(request), order_id, region=data.region, side=data.side, reason=data.reason
    )
    order = await db_session.get(MassageOrder, order_id)
    assert order is not None
    await broadcaster.patient_changed(order.patient_id)
    return Redirect(f"/orders/{order_id}/edit", status_code=303)


@post("/restrictions/{restriction_id:int}/delete", guards=physician_only, status_code=303)
async def remove_restriction(
    request: Request,
    restriction_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Redirect:
    restriction = await orders.remove_restriction(db_session, actor_of(request), restriction_id)
    order = await db_session.get(MassageOrder, restriction.order_id)
    assert order is not None
    await broadcaster.patient_changed(order.patient_id)
    return Redirect(f"/orders/{restriction.order_id}/edit", status_code=303)
