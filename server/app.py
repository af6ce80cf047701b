"""create_app(settings): plugins, middleware and routes. Nothing else lives here."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response
from litestar.channels import ChannelsBackend, ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import ResponseHeader, State
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig
from redis.asyncio import Redis

from server import db
from server.audit import controller as audit_controller
from server.auth import controller as auth_controller
from server.auth.session_store import DatabaseStore
from server.auth.sessions import make_session_auth
from server.availability import api as availability_api
from server.availability import controller as availability_controller
from server.availability.service import announce_expired_flags
from server.clock import Clock
from server.comfort_log import controller as comfort_log_controller
from server.errors import BedsideError
from server.health import healthz, readyz
from server.patients import api as patients_api
from server.patients import controller as patients_controller
from server.patients import order_controller
from server.realtime import controller as realtime_controller
from server.realtime.broadcast import EVENTS_CHANNEL, Broadcaster
from server.realtime.hub import LocalHub
from server.sessions import api as sessions_api
from server.sessions import controller as sessions_controller
from server.settings import Settings
from server.templating import install_filters
from server.web import is_htmx

PROJECT_ROOT = db.PROJECT_ROOT
log = logging.getLogger("bedside")

SECURITY_HEADERS = [
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="no-referrer"),
    ResponseHeader(name="Cache-Control", value="no-store"),
    ResponseHeader(
        name="Content-Security-Policy",
        value="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
]

ROUTES: list[Any] = [
    healthz, readyz,
    auth_controller.signin_page, auth_controller.signin, auth_controller.signout, auth_controller.home,
    patients_controller.worklist_page, patients_controller.my_board, patients_controller.board_page,
    patients_controller.comfort_care_page, patients_controller.patient_page,
    patients_controller.choose_pain_scale, patients_controller.downtime_worklist,
    order_controller.new_order_page, order_controller.write_order, order_controller.edit_order_page,
    order_controller.edit_order, order_controller.add_restriction, order_controller.move_order,
    order_controller.remove_restriction,
    availability_controller.mark_unavailable, availability_controller.mark_available,
    sessions_controller.start_session, sessions_controller.session_page, sessions_controller.record_screening,
    sessions_controller.record_consent, sessions_controller.record_score, sessions_controller.finish_massage,
    sessions_controller.stop_session, sessions_controller.pause_session, sessions_controller.resume_session,
    sessions_controller.sign_session, sessions_controller.amend_session,
    sessions_controller.interrupt_session, sessions_controller.acknowledge_interruption,
    sessions_controller.reschedule_session,
    audit_controller.audit_log_page,
    comfort_log_controller.comfort_log_page, comfort_log_controller.comfort_log_print,
    comfort_log_controller.comfort_log_pdf, comfort_log_controller.comfort_log_csv,
    patients_api.unit_patients, availability_api.create_flag, availability_api.clear_flag,
    sessions_api.api_start_session, sessions_api.api_get_session, sessions_api.api_screening,
    sessions_api.api_consent, sessions_api.api_record_score, sessions_api.api_finish,
    sessions_api.api_stop, sessions_api.api_pause, sessions_api.api_resume,
    sessions_api.api_sign, sessions_api.api_amend, sessions_api.api_reschedule,
    realtime_controller.worklist_socket, realtime_controller.board_socket, realtime_controller.patient_socket,
    realtime_controller.comfort_log_socket,
]  # fmt: skip


def error_response(request: Request, status_code: int, message: str) -> Response:
    """Domain errors and refusals in one place: JSON for the API, an inline message for htmx, else a page."""
    if request.url.path.startswith("/api/"):
        return Response({"status_code": status_code, "detail": message}, status_code=status_code)
    if is_htmx(request):
        return Template(
            "partials/message.html",
            context={"message": message, "level": "error"},
            status_code=status_code,
            headers={"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"},
        )
    return Template("pages/error.html", context={"message": message}, status_code=status_code)


def handle_bedside_error(request: Request, exc: BedsideError) -> Response:
    return error_response(request, exc.status_code, exc.message)


def handle_not_signed_in(request: Request, exc: NotAuthorizedException) -> Response:
    if request.url.path.startswith("/api/"):
        return error_response(request, 401, "Sign in first.")
    if is_htmx(request):
        return Response(content=None, status_code=401, headers={"HX-Redirect": "/signin"})
    return Redirect("/signin", status_code=303)


def handle_forbidden(request: Request, exc: PermissionDeniedException) -> Response:
    return error_response(request, 403, str(exc.detail))


def handle_invalid_request(request: Request, exc: ValidationException) -> Response:
    return error_response(request, 400, f"The request could not be read: {exc.detail}")


def provide_broadcaster(state: State) -> Broadcaster:
    return state.broadcaster  # type: ignore[no-any-return]


def make_jinja_env(clock: Clock) -> Environment:
    env = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_filters(env, clock)
    return env


def make_channels_backend(settings: Settings) -> ChannelsBackend:
    """The broker between instances: in-process by default; PostgreSQL LISTEN/NOTIFY or Redis to scale out.
    A new backend (and Redis client) per app: Litestar's Redis backend is not reusable after shutdown."""
    if settings.pubsub == "postgres":
        return AsyncPgChannelsBackend(dsn=settings.postgres_dsn())
    if settings.pubsub == "redis":
        return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url), key_prefix="BEDSIDE")
    return MemoryChannelsBackend()


def make_session_store(settings: Settings, state: State, clock: Clock) -> Store:
    store = settings.resolved_session_store()
    if store == "redis":
        return RedisStore.with_client(url=settings.redis_url, namespace="bedside_sessions")
    if store == "database":
        return DatabaseStore(lambda: state.session_maker, clock)
    return FileStore(settings.data_dir / "sessions")


async def sweep_expired_flags(app: Litestar, interval: float) -> None:
    """Announce flags that reached their 'until' time; every instance sweeps, one wins each flag."""
    while True:
        await asyncio.sleep(interval)
        try:
            async with app.state.session_maker() as session:
                patient_ids = await announce_expired_flags(session, app.state.clock.now())
            for patient_id in patient_ids:
                await app.state.broadcaster.patient_changed(patient_id)
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
    jinja_env = make_jinja_env(clock)
    channels = ChannelsPlugin(backend=make_channels_backend(settings), channels=[EVENTS_CHANNEL])
    session_auth = make_session_auth(settings.session_max_age, settings.secure_cookies)
    state = State(
        {"settings": settings, "clock": clock, "jinja_env": jinja_env, "hub": LocalHub(max_backlog=100)}
    )

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        if settings.resolved_migrate_on_start():
            await asyncio.to_thread(db.migrate, database_url)
        engine = db.make_engine(database_url, settings.db_pool_size, settings.db_max_overflow)
        await db.check_migrated(engine, database_url)
        app.state.session_maker = db.make_session_maker(engine, clock)
        app.state.broadcaster = Broadcaster(
            channels, jinja_env, app.state.session_maker, app.state.hub, clock
        )
        background = [
            asyncio.create_task(app.state.broadcaster.relay()),
            asyncio.create_task(sweep_expired_flags(app, settings.expiry_sweep_seconds)),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await engine.dispose()

    return Litestar(
        route_handlers=[
            *ROUTES,
            create_static_files_router(
                path="/static", directories=[PROJECT_ROOT / "static"], include_in_schema=False
            ),
        ],
        lifespan=[lifespan],
        state=state,
        dependencies={
            "db_session": Provide(db.provide_db_session),
            "broadcaster": Provide(provide_broadcaster, sync_to_thread=False),
        },
        plugins=[channels, HTMXPlugin()],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(jinja_env)),
        csrf_config=CSRFConfig(
            secret=secret,
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="strict",
        ),
        stores={"sessions": make_session_store(settings, state, clock)},
        on_app_init=[session_auth.on_app_init],
        exception_handlers={
            BedsideError: handle_bedside_error,
            NotAuthorizedException: handle_not_signed_in,
            PermissionDeniedException: handle_forbidden,
            ValidationException: handle_invalid_request,
        },
        response_headers=SECURITY_HEADERS,
        debug=settings.debug,
    )
