"""Server-side sessions kept in the database, so every instance behind the load balancer shares them."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from litestar.stores.base import Store
from sqlalchemy import LargeBinary, delete
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Column, Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.clock import Clock

GET_MANY_CHUNK = 500
"""Keys per query in `get_many`: well under every database's limit of bound parameters."""


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    key: str = Field(primary_key=True, max_length=200)
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    expires_at: datetime | None = Field(default=None, index=True)


def _seconds(value: int | timedelta | None) -> int | None:
    return int(value.total_seconds()) if isinstance(value, timedelta) else value


class DatabaseStore(Store):
    """A Litestar store on the `web_session` table, its keys prefixed by `namespace` so that sessions and
    sign-in counts share it apart. The session maker is looked up at call time because the engine is
    created when the app starts."""

    def __init__(
        self,
        session_maker: Callable[[], async_sessionmaker[AsyncSession]],
        clock: Clock,
        namespace: str = "",
        read_session_maker: Callable[[], async_sessionmaker[AsyncSession]] | None = None,
    ) -> None:
        self._session_maker = session_maker
        self._read_session_maker = read_session_maker or session_maker
        self._clock = clock
        self._prefix = f"{namespace}:" if namespace else ""

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        key = self._prefix + key
        data = value.encode() if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        expires_at = self._clock.now() + timedelta(seconds=seconds) if seconds else None
        async with self._session_maker()() as db:
            row = await db.get(WebSession, key)
            if row is None:
                row = WebSession(key=key, value=data, expires_at=expires_at)
            else:
                row.value, row.expires_at = data, expires_at
            db.add(row)
            await db.commit()

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        """A plain read when nothing is to change: on SQLite it then never waits for, nor holds, the
        write lock (every request and every open socket's sign-in check reads its session)."""
        key = self._prefix + key
        if not renew_for:
            async with self._read_session_maker()() as reading:
                found = await reading.exec(
                    select(WebSession.value, WebSession.expires_at).where(WebSession.key == key)
                )
                row = found.first()
                if row is None or row.expires_at is None or row.expires_at > self._clock.now():
                    return None if row is None else row.value
        async with self._session_maker()() as db:
            row = await db.get(WebSession, key)
            if row is None:
                return None
            if row.expires_at is not None and row.expires_at <= self._clock.now():
                await db.delete(row)
                await db.commit()
                return None
            seconds = _seconds(renew_for)
            if seconds and row.expires_at is not None:
                row.expires_at = self._clock.now() + timedelta(seconds=seconds)
                db.add(row)
                await db.commit()
            return row.value

    async def read_in(self, reading: AsyncSession, key: str) -> bytes | None:
        """`get` within a read the caller has open, never renewing: a socket's admission reads the session
        and the person it names in one transaction."""
        found = await reading.exec(
            select(WebSession.value, WebSession.expires_at).where(WebSession.key == self._prefix + key)
        )
        return self._unexpired(found.first())

    async def get_many(self, keys: Collection[str]) -> dict[str, bytes]:
        """The unexpired values of these keys, in one read per `GET_MANY_CHUNK` keys: every open socket's
        sign-in is checked at once this way, not with one read each."""
        async with self._read_session_maker()() as reading:
            return await self.read_many_in(reading, keys)

    async def read_many_in(self, reading: AsyncSession, keys: Collection[str]) -> dict[str, bytes]:
        """`get_many` within a read the caller has open."""
        wanted = sorted(keys)
        values: dict[str, bytes] = {}
        for start in range(0, len(wanted), GET_MANY_CHUNK):
            prefixed = [self._prefix + key for key in wanted[start : start + GET_MANY_CHUNK]]
            found = await reading.exec(
                select(WebSession.key, WebSession.value, WebSession.expires_at).where(
                    col(WebSession.key).in_(prefixed)
                )
            )
            for row in found.all():
                value = self._unexpired(row)
                if value is not None:
                    values[row.key.removeprefix(self._prefix)] = value
        return values

    def _unexpired(self, row: Any) -> bytes | None:
        if row is None or (row.expires_at is not None and row.expires_at <= self._clock.now()):
            return None
        return bytes(row.value)

    async def delete(self, key: str) -> None:
        async with self._session_maker()() as db:
            await db.exec(delete(WebSession).where(WebSession.key == self._prefix + key))  # type: ignore[arg-type]
            await db.commit()

    async def delete_all(self) -> None:
        async with self._session_maker()() as db:
            await db.exec(delete(WebSession).where(col(WebSession.key).startswith(self._prefix)))
            await db.commit()

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        async with self._session_maker()() as db:
            row = await db.get(WebSession, self._prefix + key)
        if row is None or row.expires_at is None:
            return None
        return max(0, int((row.expires_at - self._clock.now()).total_seconds()))

    async def delete_expired(self) -> None:
        async with self._session_maker()() as db:
            ours = col(WebSession.key).startswith(self._prefix)
            await db.exec(delete(WebSession).where(ours, col(WebSession.expires_at) <= self._clock.now()))
            await db.commit()
