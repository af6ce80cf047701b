"""Massage orders as the ordering physician writes them: create, edit, hold, resume, discontinue,
and the sites to avoid. A session can start only on an active order."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.changes import CARD_VIEWS, record_change
from server.clock import clock_of
from server.errors import Conflict, InvalidInput, NotFound
from server.patients.models import (
    FREQUENCIES,
    INDICATIONS,
    REGIONS,
    RESTRICTION_REASONS,
    SIDES,
    TECHNIQUES,
    MassageOrder,
    OrderStatus,
    Patient,
    SiteRestriction,
)
from server.patients.service import check_admitted, get_patient_for


@dataclass
class OrderDetails:
    """What the physician fills in; checked by `check_order_details` before anything is stored."""

    indication: str = ""
    allowed_techniques: list[str] = field(default_factory=list)
    frequency: str = ""
    duration_minutes: int | None = None
    max_pressure: int | None = None
    platelet_threshold: int | None = None
    end_date: date | None = None


def check_order_details(details: OrderDetails, start: date) -> None:
    if details.indication not in INDICATIONS:
        raise InvalidInput(f"Choose the indication: {', '.join(INDICATIONS)}.")
    unknown = [t for t in details.allowed_techniques if t not in TECHNIQUES]
    if unknown or not details.allowed_techniques:
        raise InvalidInput(
            "Allow at least one technique from the list"
            + (f" ({', '.join(unknown)} is not one)." if unknown else ".")
        )
    if details.frequency not in FREQUENCIES:
        raise InvalidInput(f"Choose how often: {', '.join(FREQUENCIES)}.")
    if details.duration_minutes is None or not 5 <= details.duration_minutes <= 90:
        raise InvalidInput("Session length must be between 5 and 90 minutes.")
    if details.max_pressure is None or not 1 <= details.max_pressure <= 5:
        raise InvalidInput("Maximum pressure must be a Walton level from 1 to 5.")
    if details.platelet_threshold is not None and not 1 <= details.platelet_threshold <= 500:
        raise InvalidInput("A platelet threshold is given in 10^9/L, between 1 and 500.")
    if details.end_date is not None and details.end_date < start:
        raise InvalidInput("The end date is before the start date.")


async def _order_for(db: AsyncSession, actor: Actor, order_id: int) -> tuple[MassageOrder, Patient]:
    order = await db.get(MassageOrder, order_id)
    if order is None:
        raise NotFound("No such massage order.")
    return order, await get_patient_for(db, actor, order.patient_id)


async def _changed(
    db: AsyncSession,
    actor: Actor,
    patient: Patient,
    order: MassageOrder,
    action: AuditAction,
    detail: str,
    kind: str = "order_changed",
) -> None:
    """`kind` is "order_written" or "order_resumed" when the patient joins the therapists' worklists."""
    await record_change(db, kind, unit_id=patient.unit_id, patient_id=patient.id, views=CARD_VIEWS)  # type: ignore[arg-type]
    record_audit(db, actor, action, "MassageOrder", order.id, patient_id=patient.id, detail=detail)
    await db.commit()


ONE_LIVE_ORDER = "This patient already has an order; edit it, or discontinue it before writing a new one."
"""The database keeps one live (active or held) order per patient; a second is refused with this."""


async def create_order(
    db: AsyncSession, actor: Actor, patient_id: int, details: OrderDetails, *, today: date
) -> MassageOrder:
    patient = await get_patient_for(db, actor, patient_id)
    check_admitted(patient)
    check_order_details(details, today)
    order = MassageOrder(
        **asdict(details),
        patient_id=patient_id,
        ordering_clinician_id=actor.user_id,
        ordering_clinician_name=actor.full_name,
        start_date=today,
        created_at=clock_of(db).now(),
    )
    db.add(order)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict(ONE_LIVE_ORDER) from None
    await _changed(db, actor, patient, order, AuditAction.create, "order written", "order_written")
    return order


async def update_order(db: AsyncSession, actor: Actor, order_id: int, details: OrderDetails) -> MassageOrder:
    order, patient = await _order_for(db, actor, order_id)
    if order.status == OrderStatus.discontinued:
        raise Conflict("A discontinued order cannot be changed; write a new one.")
    check_order_details(details, order.start_date)
    order.indication, order.allowed_techniques = details.indication, details.allowed_techniques
    order.frequency, order.duration_minutes = details.frequency, details.duration_minutes  # type: ignore[assignment]
    order.max_pressure, order.platelet_threshold = details.max_pressure, details.platelet_threshold  # type: ignore[assignment]
    order.end_date = details.end_date
    db.add(order)
    await _changed(db, actor, patient, order, AuditAction.update, "order edited")
    return order


ALLOWED_MOVES = {
    "hold": ({OrderStatus.active}, OrderStatus.on_hold),
    "resume": ({OrderStatus.on_hold}, OrderStatus.active),
    "discontinue": ({OrderStatus.active, OrderStatus.on_hold}, OrderStatus.discontinued),
}


async def change_order_status(db: AsyncSession, actor: Actor, order_id: int, move: str) -> MassageOrder:
    order, patient = await _order_for(db, actor, order_id)
    if move not in ALLOWED_MOVES:
        raise InvalidInput(f"An order can be put on hold, resumed or discontinued, not {move!r}.")
    allowed_from, target = ALLOWED_MOVES[move]
    if target != OrderStatus.discontinued:
        check_admitted(patient)
    if order.status not in allowed_from:
        raise Conflict(
            f"This order is {order.status.replace('_', ' ')}; it cannot be {target.replace('_', ' ')}."
        )
    order.status = target
    db.add(order)
    kind = "order_resumed" if move == "resume" else "order_changed"
    await _changed(db, actor, patient, order, AuditAction.update, f"order {target}", kind)
    return order


async def add_restriction(
    db: AsyncSession, actor: Actor, order_id: int, *, region: str, side: str, reason: str
) -> SiteRestriction:
    order, patient = await _order_for(db, actor, order_id)
    if order.status == OrderStatus.discontinued:
        raise Conflict("A discontinued order cannot be changed.")
    if region not in REGIONS:
        raise InvalidInput("Choose the body region from the list.")
    if side not in SIDES:
        raise InvalidInput("Side is left, right, both, or none.")
    if reason not in RESTRICTION_REASONS:
        raise InvalidInput("Choose why the site must be avoided.")
    restriction = SiteRestriction(order_id=order_id, region=region, side=side, reason=reason)
    db.add(restriction)
    await db.flush()
    await _changed(db, actor, patient, order, AuditAction.create, f"avoid {restriction.label}")
    return restriction


async def remove_restriction(db: AsyncSession, actor: Actor, restriction_id: int) -> SiteRestriction:
    restriction = await db.get(SiteRestriction, restriction_id)
    if restriction is None:
        raise NotFound("No such site restriction.")
    order, patient = await _order_for(db, actor, restriction.order_id)
    if order.status == OrderStatus.discontinued:
        raise Conflict("A discontinued order cannot be changed.")
    await db.delete(restriction)
    await _changed(db, actor, patient, order, AuditAction.delete, f"no longer avoid {restriction.label}")
    return restriction
