"""Sockets that open at the same time are admitted with one read of their sessions and people, not one
each; each still gets its own session, and one whose sign-in is gone gets none."""

from __future__ import annotations

import asyncio

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.auth.actor import Actor
from server.auth.sessions import SESSION_COOKIE, SocketSignIns
from tests.conftest import As
from tests.factories import World


async def test_sockets_opening_together_share_one_read_of_their_sign_ins(
    app: Litestar, client: AsyncTestClient, world: World
) -> None:
    therapist, nurse, colleague = As(client, "therapist"), As(client, "nurse"), As(client, "therapist")
    for person in (therapist, nurse, colleague):
        await person.sign_in()
    assert (await colleague.post("/signout")).status_code == 303
    state, store = app.state, app.stores.get("sessions")
    sign_ins: SocketSignIns = state.socket_sign_ins
    asking = [therapist, nurse, colleague, therapist] * 10

    async def open_together() -> list[tuple[bytes | None, dict[int, Actor]]]:
        return await asyncio.gather(
            *(sign_ins.read(state, store, person.cookies[SESSION_COOKIE]) for person in asking)
        )

    answers = client.blocking_portal.call(open_together)  # on the app's loop, where its connections live

    assert sign_ins.reads <= 2, "the first socket's read, then one for all that asked meanwhile"
    for person, (stored, people) in zip(asking, answers, strict=True):
        if person is colleague:
            assert stored is None, "a signed-out session is not admitted"
            continue
        assert stored is not None
        user_id = next(u for u, actor in people.items() if actor.username == person.username)
        assert f'"user_id":{user_id}'.encode() in stored.replace(b" ", b"")
