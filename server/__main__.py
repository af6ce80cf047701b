"""Command line: `python -m server serve|migrate|demo|create-admin`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence

from server.clock import Clock
from server.settings import Settings


def read_password() -> str:
    """From a prompt, typed twice, at a terminal; else one line of standard input (a script's pipe).
    Never from the command line, where it would stay in the shell's history and the process list."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password (12 characters or more): ")
        if getpass.getpass("Password again: ") != first:
            raise SystemExit("create-admin: the two passwords are not the same; nothing was created.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


async def create_admin(database_url: str, clock: Clock, username: str, full_name: str, password: str) -> str:
    from server.db import make_engine, make_session_maker
    from server.errors import BedsideError
    from server.staff.service import create_first_admin

    engine = make_engine(database_url)
    try:
        async with make_session_maker(engine, clock)() as db:
            user = await create_first_admin(db, username, full_name, password)
    except BedsideError as refused:
        raise SystemExit(f"create-admin: {refused.message} Nothing was created.") from None
    finally:
        await engine.dispose()
    return f"Administrator '{user.username}' ({user.full_name}) created. Sign in at /signin."


def main(argv: Sequence[str] | None = None, clock: Clock | None = None) -> None:
    """`clock` is for a test harness that runs a real server in another year; by default the wall clock."""
    parser = argparse.ArgumentParser(prog="python -m server", description="Bedside server")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the app with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="create the synthetic demo data first")
    commands.add_parser("migrate", help="bring the database to the newest migration")
    commands.add_parser("demo", help="create synthetic demo data (never real people)")
    admin = commands.add_parser(
        "create-admin",
        help="create the first administrator on a new database (password from a prompt or stdin)",
    )
    admin.add_argument("--username", required=True)
    admin.add_argument("--full-name", default="", help="the person's name (default: the username)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    clock = clock or Clock(settings.timezone)

    from server import db

    if args.command == "migrate":
        db.migrate(settings.resolved_database_url())
        print("Database is up to date.")
        return
    if args.command == "create-admin":
        password = read_password()
        db.migrate(settings.resolved_database_url())
        print(asyncio.run(create_admin(settings.resolved_database_url(), clock, args.username,
                                       args.full_name, password)))  # fmt: skip
        return
    if args.command in ("demo", "serve") and (args.command == "demo" or args.demo):
        from server.demo import DemoRefused, create_demo_data

        db.migrate(settings.resolved_database_url())
        try:
            print(asyncio.run(create_demo_data(settings.resolved_database_url(), clock)))
        except DemoRefused as refused:
            sys.exit(f"Refused: {refused}")
        if args.command == "demo":
            return
    import uvicorn

    from server.app import create_app

    uvicorn.run(
        create_app(settings, clock),
        host=args.host,
        port=args.port,
        proxy_headers=True,
        ws_ping_interval=settings.ws_ping_seconds,
        ws_ping_timeout=settings.ws_ping_seconds,
        ws_per_message_deflate=False,  # compressing each push per socket: a quarter of a fan-out's CPU
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
