"""Benchmark: pain-score capture, `POST /api/sessions/{id}/scores` (JSON, fresh inserts), at a fixed rate.

Starts the real server (uvicorn, demo data, its own temp data dir) on SQLite, or on PostgreSQL with
`--postgres` (it creates and drops its own database). Before the server starts it opens, directly in the
database, one screened and consented session for each of many copies of a demo patient (one session per
patient is all the app allows); every POST is then a fresh pre score (pain, anxiety, fatigue, nausea of
one session each). Requests go out open-loop at each rate (they do not wait for each other) and the
figures are p50/p95/p99 latency, errors and the server's CPU time per request (/proc/<pid>/stat).

Side by side, two baselines at the same rates: **bare** does the same durable insert (one row, one commit
per request) with plain sqlite3 (WAL, same disk) or asyncpg, with no HTTP; **stack** is the floor of the
fixed stack for the same work: a Litestar app under the same uvicorn, with no middleware, whose handler
takes the JSON body and inserts one row through an SQLAlchemy async session on the same driver (aiosqlite
or asyncpg, `server.db.make_engine`) and commits. The ratios to them are the figures that survive a noisy
machine; Bedside's CPU per request cannot go below the stack's. Prints the figures; asserts nothing.

    .venv/bin/python bench/score_capture.py [--postgres] [--rates 100,200] [--seconds 10]
    .venv/bin/python bench/score_capture.py --only bedside --rates 25     # Bedside alone
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from common import ROOT, cpu_seconds, demo_database, free_port, start_server, stop

sys.path.insert(0, str(ROOT))
MEASURES = ("pain", "anxiety", "fatigue", "nausea")
TIMEOUT = 10.0


@dataclass
class Figures:
    name: str
    rate: int
    sent: int
    latencies: list[float]
    errors: int
    cpu_ms_per_request: float | None
    achieved: float

    def p99(self) -> float:
        return self.pick(0.99)

    def pick(self, q: float) -> float:
        ok = sorted(self.latencies)
        return ok[min(len(ok) - 1, int(q * len(ok)))] if ok else float("nan")

    def line(self, bare: Figures | None = None, stack: Figures | None = None) -> str:
        p50, p95, p99 = self.pick(0.50), self.pick(0.95), self.pick(0.99)
        cpu = f"{self.cpu_ms_per_request:6.2f}" if self.cpu_ms_per_request is not None else "     -"
        ratio = ""
        if bare is not None and bare.latencies:
            ratio += f"  p99/bare {p99 / bare.p99():5.1f}x"
        if stack is not None and stack.latencies:
            ratio += f"  p99/stack {p99 / stack.p99():5.1f}x"
            if stack.cpu_ms_per_request and self.cpu_ms_per_request:
                ratio += f"  cpu/stack {self.cpu_ms_per_request / stack.cpu_ms_per_request:4.1f}x"
        return (
            f"{self.name:<8} {self.rate:>4}/s  sent {self.sent:>5}  done {self.achieved:6.1f}/s  "
            f"p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms  errors {self.errors:>4}  "
            f"cpu/req {cpu} ms{ratio}"
        )


async def open_loop(
    rate: int, seconds: float, send: Callable[[int], Awaitable[bool]]
) -> tuple[list[float], int, int, float]:
    """Fire request i at start + i/rate, whatever the earlier ones are doing."""
    latencies: list[float] = []
    errors = 0
    n = int(rate * seconds)
    start = time.perf_counter()

    async def one(i: int) -> None:
        nonlocal errors
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        began = time.perf_counter()
        try:
            ok = await asyncio.wait_for(send(i), TIMEOUT)
        except Exception:
            ok = False
        if ok:
            latencies.append((time.perf_counter() - began) * 1000)
        else:
            errors += 1

    await asyncio.gather(*(one(i) for i in range(n)))
    return latencies, errors, n, n / (time.perf_counter() - start)


# --- the database: demo data, then one open session per copied patient ------------------------------


async def open_sessions(database_url: str, count: int) -> list[int]:
    """Copies of one demo patient, each with its order and a screened, consented session of Tara's."""
    from datetime import timedelta

    from sqlmodel import select
    from sqlmodel.ext.asyncio.session import AsyncSession

    from server.all_models import MassageOrder, MassageSession, Patient, User  # type: ignore[attr-defined]
    from server.clock import Clock
    from server.db import make_engine
    from server.sessions.models import SessionState

    engine = make_engine(database_url)
    now = Clock("UTC").now() - timedelta(minutes=5)
    ids: list[int] = []
    try:
        async with AsyncSession(engine, expire_on_commit=False) as db:
            tara = (await db.exec(select(User).where(User.username == "tara"))).one()
            model = (await db.exec(select(Patient).where(Patient.mrn == "DEMO-1001"))).one()
            order = (await db.exec(select(MassageOrder).where(MassageOrder.patient_id == model.id))).one()
            patient_fields = model.model_dump(exclude={"id", "mrn"})
            order_fields = order.model_dump(exclude={"id", "patient_id"})
            sessions = []
            for i in range(count):
                patient = Patient(**patient_fields, mrn=f"BENCH-{i:06d}")
                db.add(patient)
                await db.flush()
                copy = MassageOrder(**order_fields, patient_id=patient.id)
                db.add(copy)
                await db.flush()
                session = MassageSession(
                    patient_id=patient.id,
                    order_id=copy.id,
                    therapist_id=tara.id,
                    state=SessionState.screening,
                    created_at=now,
                    screened_at=now,
                    consent_at=now,
                    consent_by="patient",
                )
                db.add(session)
                sessions.append(session)
            await db.commit()
            ids = [s.id for s in sessions]  # type: ignore[misc]
    finally:
        await engine.dispose()
    return ids


# --- Bedside -----------------------------------------------------------------------------------------


async def bedside_round(base: str, pid: int, session_ids: list[int], rate: int, seconds: float) -> Figures:
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=TIMEOUT) as client:
        await client.get("/signin")
        response = await client.post(
            "/signin",
            data={"username": "tara", "password": "bedside-demo", "_csrf_token": client.cookies["csrftoken"]},
        )
        assert response.status_code == 303, response.text
        headers = {"x-csrftoken": client.cookies["csrftoken"], "content-type": "application/json"}
        failures: dict[int, str] = {}

        async def send(i: int) -> bool:
            session_id = session_ids[i // len(MEASURES)]
            body = {"client_id": uuid.uuid4().hex, "phase": "pre", "measure": MEASURES[i % 4], "value": 3}
            answer = await client.post(f"/api/sessions/{session_id}/scores", json=body, headers=headers)
            if answer.status_code != 201 and len(failures) < 3:
                failures[answer.status_code] = answer.text[:200]
            return answer.status_code == 201

        cpu_before = cpu_seconds(pid)
        latencies, errors, sent, achieved = await open_loop(rate, seconds, send)
        cpu = (cpu_seconds(pid) - cpu_before) * 1000 / sent
        for status, text in failures.items():
            print(f"    e.g. {status}: {text}")
    return Figures("bedside", rate, sent, latencies, errors, cpu, achieved)


# --- the bare baseline: one durable insert per request ----------------------------------------------


async def bare_sqlite_round(path: Path, rate: int, seconds: float) -> Figures:
    """sqlite3 in a thread (as aiosqlite does), WAL, default synchronous: one INSERT and COMMIT each."""
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS score (id INTEGER PRIMARY KEY, client_id TEXT UNIQUE, session_id INT,"
        " phase TEXT, measure TEXT, value INT, recorded_at TEXT, UNIQUE (session_id, phase, measure))"
    )
    lock = asyncio.Lock()

    def insert(i: int) -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO score (client_id, session_id, phase, measure, value, recorded_at)"
            " VALUES (?, ?, 'pre', ?, 3, datetime('now'))",
            (uuid.uuid4().hex, rate * 1_000_000 + i // 4, MEASURES[i % 4]),
        )
        connection.execute("COMMIT")

    async def send(i: int) -> bool:
        async with lock:  # one writer at a time, as SQLite allows
            await asyncio.to_thread(insert, i)
        return True

    latencies, errors, sent, achieved = await open_loop(rate, seconds, send)
    connection.close()
    return Figures("bare", rate, sent, latencies, errors, None, achieved)


async def bare_postgres_round(dsn: str, rate: int, seconds: float) -> Figures:
    import asyncpg

    pool = await asyncpg.create_pool(dsn, min_size=5, max_size=10)
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS bare_score (id serial PRIMARY KEY, client_id text UNIQUE, session_id int,"
        " phase text, measure text, value int, recorded_at timestamptz, UNIQUE (session_id, phase, measure))"
    )

    async def send(i: int) -> bool:
        await pool.execute(
            "INSERT INTO bare_score (client_id, session_id, phase, measure, value, recorded_at)"
            " VALUES ($1, $2, 'pre', $3, 3, now())",
            uuid.uuid4().hex,
            rate * 1_000_000 + i // 4,
            MEASURES[i % 4],
        )
        return True

    latencies, errors, sent, achieved = await open_loop(rate, seconds, send)
    await pool.close()
    return Figures("bare", rate, sent, latencies, errors, None, achieved)


# --- the stack's floor: the same uvicorn and Litestar, one ORM insert per request, nothing else -------


def serve_stack(port: int, database_url: str) -> None:
    """`score_capture.py --serve-stack PORT URL`: no sessions, CSRF, guards, audit, pushes or rendering."""
    import uvicorn
    from litestar import Litestar, post
    from sqlalchemy import Column, Integer, MetaData, String, Table, UniqueConstraint, insert
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from server.db import make_engine

    engine = make_engine(database_url)
    table = Table(
        "stack_score",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("client_id", String, unique=True),
        Column("session_id", Integer),
        Column("phase", String),
        Column("measure", String),
        Column("value", Integer),
        UniqueConstraint("session_id", "phase", "measure"),
    )
    session_maker = async_sessionmaker(engine, expire_on_commit=False)

    async def create_table() -> None:
        async with engine.begin() as connection:
            await connection.run_sync(table.metadata.create_all)

    @post("/scores/{session_id:int}", status_code=201)
    async def record(session_id: int, data: dict[str, object]) -> dict[str, object]:
        async with session_maker() as db:
            row = {key: data[key] for key in ("client_id", "phase", "measure", "value")}
            row["session_id"] = session_id
            await db.execute(insert(table).values(**row))
            await db.commit()
        return row

    app = Litestar([record], on_startup=[create_table])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


async def stack_round(base: str, pid: int, rate: int, seconds: float) -> Figures:
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=TIMEOUT) as client:

        async def send(i: int) -> bool:
            body = {"client_id": uuid.uuid4().hex, "phase": "pre", "measure": MEASURES[i % 4], "value": 3}
            answer = await client.post(f"/scores/{rate * 1_000_000 + i // 4}", json=body)
            return answer.status_code == 201

        cpu_before = cpu_seconds(pid)
        latencies, errors, sent, achieved = await open_loop(rate, seconds, send)
        cpu = (cpu_seconds(pid) - cpu_before) * 1000 / sent
    return Figures("stack", rate, sent, latencies, errors, cpu, achieved)


def start_stack(database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, __file__, "--serve-stack", str(port), database_url]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            httpx.post(f"http://127.0.0.1:{port}/scores/0", json={}, timeout=1)
            return server, f"http://127.0.0.1:{port}"
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the stack baseline did not start")


# --- the run -----------------------------------------------------------------------------------------


def profile(pid: int, seconds: float, path: str) -> subprocess.Popen[bytes]:
    """py-spy on the server for one Bedside round (raw stacks, one line per stack, for grep and sort)."""
    py_spy = Path(sys.executable).parent / "py-spy"
    command = [str(py_spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--format", "raw"]
    return subprocess.Popen([*command, "--nonblocking", "--gil", "-o", path], stdout=subprocess.DEVNULL)


def run(postgres: bool, rates: list[int], seconds: float, py_spy: str = "", only: str = "") -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    needed = sum(int(r * seconds) for r in rates)
    database = demo_database(postgres, f"bench_score_{os.getpid()}", ROOT / "bench")
    with database as (env, database_url, data_dir):
        session_ids = asyncio.run(open_sessions(database_url, needed // len(MEASURES) + 1))
        stack_url = database_url if postgres else f"sqlite+aiosqlite:///{data_dir / 'stack.db'}"
        stack, stack_base = start_stack(stack_url) if not only else (None, "")
        server = start_server(env, port)
        try:
            rows = []
            offset = 0
            for rate in rates:
                ids = session_ids[offset // len(MEASURES) :]
                offset += int(rate * seconds)
                baselines = []
                if stack is not None:
                    if postgres:
                        bare_dsn = database_url.replace("+asyncpg", "")
                        baselines.append(asyncio.run(bare_postgres_round(bare_dsn, rate, seconds)))
                    else:
                        baselines.append(asyncio.run(bare_sqlite_round(data_dir / "bare.db", rate, seconds)))
                    baselines.append(asyncio.run(stack_round(stack_base, stack.pid, rate, seconds)))
                spy = profile(server.pid, seconds, f"{py_spy}.{rate}") if py_spy else None
                ours = asyncio.run(bedside_round(base, server.pid, ids, rate, seconds))
                if spy is not None:
                    spy.wait(30)
                rows.append((baselines, ours))
        finally:
            for process in (server, stack):
                if process is not None:
                    stop(process)
    print(f"\nscore POST, {'PostgreSQL' if postgres else 'SQLite (WAL)'}, {seconds:g} s per rate:")
    for baselines, ours in rows:
        for baseline in baselines:
            print(baseline.line(baselines[0] if baseline is not baselines[0] else None))
        print(ours.line(*baselines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rates", default="100,200")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--py-spy", default="", help="profile each Bedside round into PATH.<rate> (raw)")
    parser.add_argument("--only", choices=["bedside"], default="", help="skip the baselines")
    parser.add_argument("--serve-stack", nargs=2, metavar=("PORT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_stack:
        serve_stack(int(args.serve_stack[0]), args.serve_stack[1])
        return
    run(args.postgres, [int(r) for r in args.rates.split(",")], args.seconds, args.py_spy, args.only)


if __name__ == "__main__":
    main()
