"""create_app(settings): plugins, middleware and routes. Nothing else lives here."""

from __future__ import annotations

import asyncio
import logging
import tomllib
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response
from litestar.channels import ChannelsBackend, ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig
from redis.asyncio import Redis

from server import db, openapi
from server.assets import AssetRoutes
from server.audit.controller import AuditPages
from server.auth.controller import AccountPages
from server.auth.policy import PasswordChangeRequired, TabletLocked, requires
from server.auth.session_store import DatabaseStore
from server.auth.sessions import SocketSignIns, make_session_auth
from server.auth.sockets import SignInWatch
from server.auth.throttle import SignInThrottle
from server.availability.api import FlagApi
from server.availability.controller import FlagPages
from server.availability.service import announce_expired_flags, any_flag_expired
from server.clock import Clock
from server.comfort_log import live as comfort_log_live
from server.comfort_log.controller import ComfortLogPages
from server.errors import BedsideError, OutsideYourUnits
from server.health import HealthRoutes
from server.overload import WritesInHand
from server.patients import live as patients_live
from server.patients.admission_api import AdmissionApi
from server.patients.admission_controller import AdmissionPages
from server.patients.api import PatientApi
from server.patients.break_glass_controller import BreakGlassPages, BreakGlassReview, reason_page
from server.patients.controller import PatientPages
from server.patients.order_controller import OrderPages
from server.presence import live as presence_live
from server.presence.live import PresenceBook
from server.pwa import PwaRoutes
from server.realtime.broadcast import EVENTS_CHANNEL, Publisher
from server.realtime.hub import LocalHub
from server.realtime.snapshots import SharedReads, SnapshotCache
from server.security import screen_request, security_headers
from server.sessions import live as sessions_live
from server.sessions.api import SessionApi
from server.sessions.controller import InterruptionPages, SessionPages
from server.settings import Settings
from server.staff.api import StaffApi
from server.staff.controller import StaffPages
from server.templating import install_filters, install_theme
from server.theme import NightHours
from server.units.api import UnitsApi
from server.units.controller import UnitPages
from server.web import is_htmx, provide_actor, provide_clock

PROJECT_ROOT = db.PROJECT_ROOT
log = logging.getLogger("bedside")


COMPRESSION_LEVEL = 6
"""gzip for every answer over 500 bytes (pages, swaps, JSON, style sheets, scripts): level 6 gives nearly
all of level 9's saving for far less CPU per request. Safe from BREACH-style guessing because no request
from another site carries the sign-in (the session cookie is SameSite=Strict) and the CSRF token of a
page drawn for such a request is a new random one each time."""

ROUTES: list[Any] = [
    HealthRoutes, PwaRoutes, AssetRoutes, AccountPages, AuditPages, BreakGlassReview, StaffPages, StaffApi,
    PatientPages, BreakGlassPages, PatientApi, OrderPages, FlagPages, FlagApi,
    SessionPages, SessionApi, InterruptionPages, ComfortLogPages,
    UnitPages, UnitsApi, AdmissionPages, AdmissionApi,
    patients_live.PatientLive, comfort_log_live.ComfortLogLive,
]  # fmt: skip
"""Every controller: pages and API per area, and the sockets. Each route names its policy entry."""

LIVE_AREAS = [
    patients_live.FRAGMENTS,
    sessions_live.FRAGMENTS,
    comfort_log_live.FRAGMENTS,
    presence_live.FRAGMENTS,
]
"""Each area's fragments that follow committed changes to the tablets."""


def app_version() -> str:
    """The version the OpenAPI document states: the project's own, from pyproject.toml."""
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as project:
        return str(tomllib.load(project)["project"]["version"])


def error_response(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """Domain errors and refusals in one place: JSON for the API, an inline message for htmx, else a page."""
    headers = headers or {}
    if request.url.path.startswith("/api/"):
        return Response(
            {"status_code": status_code, "detail": message}, status_code=status_code, headers=headers
        )
    if is_htmx(request):
        return Template(
            "partials/message.html",
            context={"message": message, "level": "error"},
            status_code=status_code,
            headers={**headers, "HX-Retarget": "#messages", "HX-Reswap": "innerHTML"},
        )
    return Template(
        "pages/error.html", context={"message": message}, status_code=status_code, headers=headers
    )


def handle_bedside_error(request: Request, exc: BedsideError) -> Response:
    return error_response(request, exc.status_code, exc.message, exc.headers)


def handle_outside_units(request: Request, exc: OutsideYourUnits) -> Response:
    """A clinician who opens a patient's page outside their units is asked for a reason (break the glass)
    rather than only refused; the API, htmx requests and unsafe methods get the plain refusal."""
    if request.method != "GET" or request.url.path.startswith("/api/") or is_htmx(request):
        return handle_bedside_error(request, exc)
    return reason_page(exc.patient_id, request.url.path)


def handle_not_signed_in(request: Request, exc: NotAuthorizedException) -> Response:
    """Not signed in: to the sign-in page. Signed in on a locked tablet: to the unlock page."""
    locked = isinstance(exc, TabletLocked)
    if request.url.path.startswith("/api/"):
        return error_response(request, 401, str(exc.detail) if locked else "Sign in first.")
    where = "/unlock" if locked else "/signin"
    if is_htmx(request):
        return Response(content=None, status_code=401, media_type="text/html", headers={"HX-Redirect": where})
    return Redirect(where, status_code=303)


def handle_forbidden(request: Request, exc: PermissionDeniedException) -> Response:
    return error_response(request, 403, str(exc.detail))


def handle_temporary_password(request: Request, exc: PasswordChangeRequired) -> Response:
    """Signed in with an administrator's temporary password: pages go to choosing one's own, the API and
    htmx calls are refused (htmx is told where to go)."""
    if request.url.path.startswith("/api/"):
        return error_response(request, 403, str(exc.detail))
    if is_htmx(request):
        return Response(content=None, status_code=403, headers={"HX-Redirect": "/account/password"})
    return Redirect("/account/password", status_code=303)


def handle_invalid_request(request: Request, exc: ValidationException) -> Response:
    return error_response(request, 400, f"The request could not be read: {exc.detail}")


def handle_unexpected(request: Request, exc: Exception) -> Response:
    """A bug, not bad input: the traceback goes to the log (SQL values are hidden by the engine, and the
    route is named by its handler, not its URL), the person gets a plain apology and the usual headers."""
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return error_response(request, exc.status_code, str(exc.detail))
    handler = request.scope.get("route_handler")
    log.error(
        "unexpected error in %s %s", request.method, getattr(handler, "handler_name", "?"), exc_info=exc
    )
    return error_response(request, 500, "Something went wrong on our side; nothing was stored. Try again.")


def make_jinja_env(clock: Clock, night_hours: NightHours) -> Environment:
    env = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_filters(env, clock)
    install_theme(env, clock, night_hours)
    return env


def make_channels_backend(settings: Settings) -> ChannelsBackend:
    """The broker between instances: in-process by default; PostgreSQL LISTEN/NOTIFY or Redis to scale out.
    A new backend (and Redis client) per app: Litestar's Redis backend is not reusable after shutdown."""
    if settings.pubsub == "postgres":
        return AsyncPgChannelsBackend(dsn=settings.postgres_dsn())
    if settings.pubsub == "redis":
        return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url), key_prefix="BEDSIDE")
    return MemoryChannelsBackend()


def make_store(settings: Settings, state: State, clock: Clock, name: str) -> Store:
    """A store shared by every instance (BEDSIDE_SESSION_STORE): sign-in sessions, or sign-in counts."""
    store = settings.resolved_session_store()
    if store == "redis":
        return RedisStore.with_client(url=settings.redis_url, namespace=f"bedside_{name}")
    if store == "database":
        writing, reading = (lambda: state.session_maker), (lambda: state.read_session_maker)
        return DatabaseStore(writing, clock, namespace=name, read_session_maker=reading)
    return FileStore(settings.data_dir / name)


async def sweep_expired_flags(app: Litestar, interval: float) -> None:
    """Announce flags that reached their 'until' time; every instance sweeps, one wins each flag."""
    while True:
        await asyncio.sleep(interval)
        try:
            now = app.state.clock.now()
            async with app.state.read_session_maker() as reading:
                if not await any_flag_expired(reading, now):
                    continue
            async with db.unit_of_work(app.state) as session:
                await announce_expired_flags(session, now)
        except Exception:
            log.exception("sweeping expired flags failed; trying again")


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Litestar:
    """The app. `clock` is the one source of "now" (default: the wall clock in BEDSIDE_TIMEZONE)."""
    settings = settings or Settings.from_env()
    settings.check()
    clock = clock or Clock(settings.timezone)
    if clock.zone != settings.timezone:
        raise ValueError(f"The clock's zone {clock.zone} is not BEDSIDE_TIMEZONE {settings.timezone}.")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    secret = settings.resolved_secret_key()
    database_url = settings.resolved_database_url()
    jinja_env = make_jinja_env(clock, settings.resolved_night_hours())
    channels = ChannelsPlugin(backend=make_channels_backend(settings), channels=[EVENTS_CHANNEL])
    idle_seconds = min(settings.idle_minutes * 60, settings.session_max_age)
    session_auth = make_session_auth(idle_seconds, settings.secure_cookies)
    state = State(
        {
            "settings": settings,
            "clock": clock,
            "jinja_env": jinja_env,
            "hub": LocalHub(max_backlog=100),
            "presence": PresenceBook(),
            "snapshots": SnapshotCache(),
            "shared_reads": SharedReads(),
            "sign_in_watch": SignInWatch(),
            "socket_sign_ins": SocketSignIns(),
            "writes_in_hand": WritesInHand(settings.max_writes_in_hand),
        }
    )
    sessions_store = make_store(settings, state, clock, "sessions")
    state.sign_in_throttle = SignInThrottle(make_store(settings, state, clock, "sign_in_attempts"), clock)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        if settings.resolved_migrate_on_start():
            await asyncio.to_thread(db.migrate, database_url)
        engine = db.make_engine(database_url, settings.db_pool_size, settings.db_max_overflow)
        await db.check_migrated(engine, database_url)
        app.state.session_maker = db.make_session_maker(engine, clock)
        reading = db.make_read_engine(database_url, engine, settings.db_pool_size, settings.db_max_overflow)
        app.state.read_session_maker = db.make_session_maker(reading, clock)
        app.state.publisher = Publisher(
            channels,
            jinja_env,
            app.state.read_session_maker,
            app.state.hub,
            LIVE_AREAS,
        )
        stop = asyncio.Event()
        presence = asyncio.create_task(app.state.presence.keep_alive(app.state, stop))
        sign_in_watch = asyncio.create_task(app.state.sign_in_watch.run(app.state, sessions_store, stop))
        background = [
            asyncio.create_task(app.state.publisher.relay()),
            asyncio.create_task(sweep_expired_flags(app, settings.expiry_sweep_seconds)),
        ]
        try:
            yield
        finally:
            stop.set()
            await presence
            await sign_in_watch
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await reading.dispose()
            await engine.dispose()

    app = Litestar(
        route_handlers=[
            *ROUTES,
            create_static_files_router(
                path="/static",
                directories=[PROJECT_ROOT / "static"],
                include_in_schema=False,
                cache_control=CacheControlHeader(no_cache=True),
            ),
        ],
        lifespan=[lifespan],
        state=state,
        dependencies={
            "db": Provide(db.provide_db_session),
            "actor": Provide(provide_actor, sync_to_thread=False),
            "clock": Provide(provide_clock, sync_to_thread=False),
        },
        middleware=[state.writes_in_hand.middleware],
        plugins=[channels, HTMXPlugin()],
        compression_config=CompressionConfig(backend="gzip", gzip_compress_level=COMPRESSION_LEVEL),
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(jinja_env)),
        csrf_config=CSRFConfig(
            secret=secret,
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="strict",
        ),
        stores={"sessions": sessions_store},
        on_app_init=[session_auth.on_app_init],
        exception_handlers={
            BedsideError: handle_bedside_error,
            OutsideYourUnits: handle_outside_units,
            NotAuthorizedException: handle_not_signed_in,
            PermissionDeniedException: handle_forbidden,
            PasswordChangeRequired: handle_temporary_password,
            ValidationException: handle_invalid_request,
            Exception: handle_unexpected,
        },
        openapi_config=openapi.openapi_config(app_version(), guards=[requires("schema.read")]),
        before_send=[security_headers(settings.secure_cookies)],
        before_request=screen_request,
        debug=settings.debug,
    )
    openapi.document_busy(app)
    return app
