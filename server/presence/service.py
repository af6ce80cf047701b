"""Which therapists have a tablet connected, per unit, shared by every instance through the database.

A row per therapist, unit and instance that has their sockets open (`server.presence.live.PresenceBook`),
refreshed by the instance's one heartbeat; a row not seen for PRESENCE_TTL (an instance that died without
cleaning up) no longer counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.changes import Change, View, announce

PRESENCE_TTL = timedelta(seconds=90)
PRESENCE_REFRESH_SECONDS = 30.0


class TabletPresence(SQLModel, table=True):
    __tablename__ = "tablet_presence"

    id: int | None = Field(default=None, primary_key=True)
    socket_id: str = Field(index=True, max_length=40)
    user_id: int = Field(foreign_key="care_user.id")
    full_name: str = Field(max_length=120)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    connected_at: datetime
    seen_at: datetime


async def tablet_connected(
    db: AsyncSession, actor: Actor, socket_id: str, now: datetime, unit_ids: frozenset[int]
) -> None:
    """Rows for `unit_ids` (the units this person was not yet shown on from this instance)."""
    db.add_all(
        TabletPresence(
            socket_id=socket_id,
            user_id=actor.user_id,
            full_name=actor.full_name,
            unit_id=u,
            connected_at=now,
            seen_at=now,
        )
        for u in sorted(unit_ids)
    )
    _announce(db, unit_ids)
    await db.commit()


async def tablet_seen(db: AsyncSession, socket_ids: list[str], now: datetime) -> None:
    """One write for every row this instance keeps up."""
    await db.exec(
        update(TabletPresence).where(col(TabletPresence.socket_id).in_(socket_ids)).values(seen_at=now)
    )  # type: ignore[call-overload]
    await db.commit()


async def tablet_disconnected(db: AsyncSession, socket_id: str, unit_ids: frozenset[int]) -> None:
    """Drop the rows for `unit_ids` (where this person has no socket left on this instance)."""
    await db.exec(
        delete(TabletPresence).where(
            col(TabletPresence.socket_id) == socket_id, col(TabletPresence.unit_id).in_(unit_ids)
        )
    )  # type: ignore[call-overload]
    _announce(db, unit_ids)
    await db.commit()


def _announce(db: AsyncSession, unit_ids: frozenset[int]) -> None:
    for unit_id in sorted(unit_ids):
        announce(db, Change("presence", frozenset({View.presence}), unit_id=unit_id))


async def therapists_present(db: AsyncSession, unit_id: int, now: datetime) -> list[str]:
    rows = await db.exec(
        select(TabletPresence.full_name)
        .where(TabletPresence.unit_id == unit_id, col(TabletPresence.seen_at) > now - PRESENCE_TTL)
        .distinct()
        .order_by(col(TabletPresence.full_name))
    )
    return list(rows.all())
