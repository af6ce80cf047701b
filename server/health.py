"""Liveness and readiness for the load balancer. No patient data; open to unauthenticated probes."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Response
from sqlalchemy import text

from server.auth.policy import PUBLIC


class HealthRoutes(Controller):
    path = "/"
    opt = {"policy": PUBLIC}

    @get("/healthz", exclude_from_auth=True, exclude_from_csrf=True, include_in_schema=False)
    async def healthz(self) -> dict[str, str]:
        """The process is up and serving."""
        return {"status": "ok"}

    @get("/readyz", exclude_from_auth=True, include_in_schema=False)
    async def readyz(self, request: Request) -> Response[dict[str, str]]:
        return await readiness(request)


async def readiness(request: Request) -> Response[dict[str, str]]:
    """Ready for traffic: the database answers and an event makes the round trip through the broker."""
    checks = {"database": "ok", "broker": "ok"}
    try:
        async with request.app.state.session_maker() as db:
            await db.exec(text("SELECT 1"))  # type: ignore[call-overload]
    except Exception as error:
        checks["database"] = f"unreachable: {type(error).__name__}"
    if not await request.app.state.publisher.broker_round_trip():
        checks["broker"] = "no round trip within 2 s"
    ready = all(v == "ok" for v in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        **checks,
        "sockets": str(request.app.state.hub.socket_count),
    }
    return Response(body, status_code=200 if ready else 503)
