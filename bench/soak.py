"""Soak: N worklist sockets open and a mixed write load at a fixed rate for minutes; errors and server RSS.

Starts the real server (uvicorn, demo data, a temporary data folder; SQLite, or PostgreSQL with
`--postgres`: it creates and drops its own database). Before it starts, as bench/score_capture.py does,
one screened and consented session of Tara's is opened on each of enough copies of a demo patient for
every score to be a fresh insert. Then:

- N `/ws/worklist` sockets signed in as therapist `tara`, each sending the page's resume hello (the
  worklist's event numbers), kept open and read until the end: every frame counted, the page's unit
  event marks followed (a push marks the number up to which every event of its unit was relayed); an
  event stored in the database that the socket's marks never covered is a missing push (a mark that
  goes back is counted as out of order), a socket closed by the server is an error;
- the server's RSS with those sockets idle (`--idle` seconds), the reference the load is compared with;
- writes sent open-loop at `--rate` per second (they do not wait for each other), alternately a nurse's
  flag (`nina`, the board's htmx POST, `/patients/{id}/unavailable` then `/available` on the demo's
  worklist patients in turn) and a pain score (`tara`, `POST /api/sessions/{id}/scores`, JSON). Every
  answer is checked: a flag 200, a score 201; another status, or no answer in 10 s, is an error
  (at most IN_FLIGHT on the wire at once: the others wait here, that wait in their latency and their 10 s);
- server RSS and CPU (/proc) sampled every `--every` seconds.

After the warm-up (`--warmup` minutes, excluded from latency and drift) the RSS is the reference for the
drift. Prints duration, writes sent/answered/errors by kind, socket errors, frames, p50/p99 per kind,
RSS (idle sockets, after warm-up, end, max), drift, CPU, load average, and PASS or FAIL against issue
#18's target 5: no error of any kind (warm-up included) and RSS within 10 % of its after-warm-up value.

    .venv/bin/python bench/soak.py                                          # 1,000 sockets, 50/s, 10 min
    .venv/bin/python bench/soak.py --minutes 2 --warmup 0.5 --sockets 300   # a short check
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx
import websockets
from common import cpu_seconds, demo_database, free_port, rss_kib, signed_in, start_server, stop
from score_capture import MEASURES, open_sessions

TIMEOUT = 10.0
CONNECT_CONCURRENCY = 200
IN_FLIGHT = 64
"""Requests on the wire at once; the rest wait their turn here, their wait counted in their latency and
their 10 s. httpx's own pool rescans every queued request against every connection on each change: with
hundreds queued, that scan took the whole client and the server sat idle."""
DRIFT_LIMIT = 0.10
SETTLE_SECONDS = 15.0
"""After the last write, wait for the pushes still on their way while frames keep arriving, until no frame
came for this long (and at most SETTLE_AT_MOST); a push not arrived by then counts as missing."""
SETTLE_AT_MOST = 120.0
SEQ = re.compile(r'data-unit="(\d+)" data-seq="(\d+)"')


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the database, before the server starts ----------------------------------------------------------


async def worklist_patients(database_url: str) -> list[int]:
    """The demo's own patients on Tara's worklist (admitted, with an order): the ones the nurse flags."""
    from sqlmodel import col, select
    from sqlmodel.ext.asyncio.session import AsyncSession

    from server.all_models import MassageOrder, Patient  # type: ignore[attr-defined]
    from server.db import make_engine

    engine = make_engine(database_url)
    try:
        async with AsyncSession(engine) as db:
            query = (
                select(Patient.id)
                .join(MassageOrder, col(MassageOrder.patient_id) == col(Patient.id))
                .where(col(Patient.mrn).startswith("DEMO-"), col(Patient.discharged_at).is_(None))
                .distinct()
            )
            return sorted(int(i) for i in (await db.exec(query)).all() if i is not None)
    finally:
        await engine.dispose()


async def unit_numbers(database_url: str) -> dict[int, int]:
    """Every unit's last event number, as stored: what each socket should have seen by the end."""
    from sqlalchemy import text

    from server.db import make_engine

    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, last_event_seq FROM unit"))).all()
            return {int(unit): int(seq) for unit, seq in rows}
    finally:
        await engine.dispose()


# --- the sockets -------------------------------------------------------------------------------------


@dataclass
class Tablet:
    """One worklist socket's record: frames, and per unit the event number its page is marked with. A
    push carries the number up to which every event of its unit was relayed (`RelayedUpTo` in
    server/realtime/broadcast.py), so the mark only grows; one that goes back is counted as late."""

    frames: int = 0
    upto: dict[int, int] = field(default_factory=dict)
    late: int = 0
    """Pushes whose mark was below the page's: out of order."""
    closed: str = ""

    def applied(self, unit_id: int, number: int) -> None:
        upto = self.upto.get(unit_id)
        if upto is not None and number < upto:
            self.late += 1
            return
        self.upto[unit_id] = number

    def missing(self, numbers: dict[int, int]) -> int:
        """Events up to these numbers that the page's marks do not cover yet."""
        return sum(max(0, last - self.upto.get(unit_id, last)) for unit_id, last in numbers.items())


class Ward:
    def __init__(self) -> None:
        self.tablets: list[Tablet] = []
        self.sockets: list[websockets.ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.closing = False

    async def open(self, n: int, url: str, headers: dict[str, str], hello: str) -> float:
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one() -> None:
            async with gate:
                ws = await websockets.connect(
                    url, additional_headers=headers, max_size=None, open_timeout=120, ping_interval=None
                )
                await ws.send(hello)
                first = await ws.recv()
            tablet = Tablet(frames=1, upto={int(u): int(s) for u, s in SEQ.findall(str(first))})
            self.tablets.append(tablet)
            self.sockets.append(ws)
            self.readers.append(asyncio.create_task(self._read(ws, tablet)))

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return time.perf_counter() - started

    async def _read(self, ws: websockets.ClientConnection, tablet: Tablet) -> None:
        try:
            async for message in ws:
                tablet.frames += 1
                for unit, seq in SEQ.findall(message):  # type: ignore[arg-type]
                    tablet.applied(int(unit), int(seq))
        except websockets.ConnectionClosed:
            pass
        if not self.closing:
            tablet.closed = f"closed {ws.close_code}"

    def caught_up(self, numbers: dict[int, int]) -> bool:
        return all(t.closed or t.missing(numbers) == 0 for t in self.tablets)

    def frames(self) -> int:
        return sum(t.frames for t in self.tablets)

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


# --- the writes --------------------------------------------------------------------------------------


@dataclass
class Writes:
    sent: Counter[str] = field(default_factory=Counter)
    answered: Counter[str] = field(default_factory=Counter)
    errors: Counter[tuple[str, str, bool]] = field(default_factory=Counter)
    """(kind, what went wrong, during the warm-up)."""
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"flag": [], "score": []})
    examples: dict[str, str] = field(default_factory=dict)


async def drive(
    writes: Writes,
    nurse: httpx.AsyncClient,
    therapist: httpx.AsyncClient,
    patients: list[int],
    session_ids: list[int],
    rate: float,
    seconds: float,
    warmup_seconds: float,
) -> None:
    """Open loop: write i leaves at start + i/rate whatever the earlier ones are doing; even i flag,
    odd i score. Each patient is flagged unavailable, then available, in turn."""
    htmx = {"x-csrftoken": nurse.cookies["csrftoken"], "HX-Request": "true"}
    api = {"x-csrftoken": therapist.cookies["csrftoken"], "content-type": "application/json"}
    flags = 0
    scores = 0
    turns = asyncio.Semaphore(IN_FLIGHT)
    start = time.perf_counter()

    async def one(kind: str, k: int, warm: bool) -> None:
        if kind == "flag":
            patient_id = patients[k % len(patients)]
            action = "unavailable" if (k // len(patients)) % 2 == 0 else "available"
            url = f"/patients/{patient_id}/{action}"
            request = partial(nurse.post, url, data={"kind": "imaging"}, headers=htmx)
            expected = 200
        else:
            session_id = session_ids[k // len(MEASURES)]
            body = {"client_id": uuid.uuid4().hex, "phase": "pre", "measure": MEASURES[k % 4], "value": 3}
            request = partial(therapist.post, f"/api/sessions/{session_id}/scores", json=body, headers=api)
            expected = 201
        writes.sent[kind] += 1
        began = time.perf_counter()

        async def in_turn() -> httpx.Response:
            async with turns:
                return await request()

        try:
            answer = await asyncio.wait_for(in_turn(), TIMEOUT)
        except TimeoutError:
            writes.errors[(kind, "no answer in 10 s", warm)] += 1
            return
        except Exception as error:
            writes.errors[(kind, type(error).__name__, warm)] += 1
            return
        writes.answered[kind] += 1
        if answer.status_code != expected:
            writes.errors[(kind, f"status {answer.status_code}", warm)] += 1
            writes.examples.setdefault(f"{kind} {answer.status_code}", answer.text[:200])
        elif not warm:
            writes.latencies[kind].append((time.perf_counter() - began) * 1000)

    tasks: set[asyncio.Task[None]] = set()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        warm = time.perf_counter() - start < warmup_seconds
        if i % 2 == 0:
            task = asyncio.create_task(one("flag", flags, warm))
            flags += 1
        else:
            task = asyncio.create_task(one("score", scores, warm))
            scores += 1
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)


@dataclass
class Sample:
    at: float
    rss_kib: int
    cpu_s: float
    load: str


async def sample(pid: int, every: float, into: list[Sample], started: float) -> None:
    while True:
        into.append(Sample(time.perf_counter() - started, rss_kib(pid), cpu_seconds(pid), load_average()))
        await asyncio.sleep(every)


async def loop_lag(into: list[float]) -> None:
    """How late this client's event loop wakes up: a busy client delays its own timestamps too."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.1)
        into.append((time.perf_counter() - before - 0.1) * 1000)


# --- the run -----------------------------------------------------------------------------------------


@dataclass
class Soak:
    sockets: int
    rate: float
    minutes: float
    warmup: float
    every: float
    idle: float


async def soak(base: str, pid: int, database_url: str, session_ids: list[int], s: Soak, log: str) -> bool:
    patients = await worklist_patients(database_url)
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    nurse = await signed_in(base, "nina", timeout=TIMEOUT, limits=limits)
    therapist = await signed_in(base, "tara", timeout=TIMEOUT, limits=limits)
    page = (await therapist.get("/worklist")).text
    live = page[page.index('id="live-seqs"') :].split("</div>", 1)[0]
    hello = json.dumps({"type": "resume", "seqs": {u: int(n) for u, n in SEQ.findall(live)}})
    cookie = "; ".join(f"{k}={v}" for k, v in therapist.cookies.items())
    headers = {"Cookie": cookie, "Origin": base}

    await asyncio.sleep(1.0)
    rss_empty = rss_kib(pid)
    ward = Ward()
    opened_s = await ward.open(s.sockets, base.replace("http", "ws") + "/ws/worklist", headers, hello)
    print(f"{s.sockets} sockets open in {opened_s:.1f} s; idle for {s.idle:g} s...", flush=True)
    cpu_idle = cpu_seconds(pid)
    await asyncio.sleep(s.idle)
    idle_cpu = (cpu_seconds(pid) - cpu_idle) / s.idle * 100
    rss_idle = rss_kib(pid)

    seconds = (s.warmup + s.minutes) * 60
    print(f"writing {s.rate:g}/s for {seconds / 60:g} min ({s.warmup:g} warm-up)...", flush=True)
    samples: list[Sample] = []
    lags: list[float] = []
    writes = Writes()
    frames_before = ward.frames()
    client_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    sampler = asyncio.create_task(sample(pid, s.every, samples, started))
    lagger = asyncio.create_task(loop_lag(lags))
    load_before = load_average()
    await drive(writes, nurse, therapist, patients, session_ids, s.rate, seconds, s.warmup * 60)
    duration = time.perf_counter() - started
    samples.append(Sample(duration, rss_kib(pid), cpu_seconds(pid), load_average()))
    sampler.cancel()
    client_after = resource.getrusage(resource.RUSAGE_SELF)

    numbers = await unit_numbers(database_url)
    settle = last_progress = time.perf_counter()
    seen = ward.frames()
    while (
        not ward.caught_up(numbers)
        and time.perf_counter() - last_progress < SETTLE_SECONDS
        and time.perf_counter() - settle < SETTLE_AT_MOST
    ):
        await asyncio.sleep(0.5)
        if ward.frames() > seen:
            seen, last_progress = ward.frames(), time.perf_counter()
    settle_s = time.perf_counter() - settle
    lagger.cancel()
    frames = ward.frames() - frames_before
    missing = sum(t.missing(numbers) for t in ward.tablets if not t.closed)
    late = sum(t.late for t in ward.tablets)
    await ward.close()
    await nurse.aclose()
    await therapist.aclose()

    warm = [x for x in samples if x.at >= s.warmup * 60] or samples[-1:]
    reference, end = warm[0], samples[-1]
    highest = max(x.rss_kib for x in warm)
    lowest = min(x.rss_kib for x in warm)
    drift_end = (end.rss_kib - reference.rss_kib) / reference.rss_kib
    drift_max = max(highest - reference.rss_kib, reference.rss_kib - lowest) / reference.rss_kib
    measured = end.at - reference.at
    server_cpu = (end.cpu_s - reference.cpu_s) / measured * 100 if measured > 0 else float("nan")
    client_cpu = (
        sum(getattr(client_after, f) - getattr(client_before, f) for f in ("ru_utime", "ru_stime"))
        / duration
        * 100
    )
    socket_errors = Counter(t.closed for t in ward.tablets if t.closed)
    errors = sum(writes.errors.values())
    mib = 1024

    print()
    print(f"soak: {s.sockets} worklist sockets, {s.rate:g} writes/s (flag and score alternately)")
    print(f"duration {duration:.0f} s ({s.warmup:g} min warm-up); sockets opened in {opened_s:.1f} s")
    for kind in ("flag", "score"):
        taken = writes.latencies[kind]
        print(
            f"  {kind:<5} sent {writes.sent[kind]:>6}  answered {writes.answered[kind]:>6}  "
            f"p50 {pct(taken, 0.5):8.1f} ms  p99 {pct(taken, 0.99):8.1f} ms  "
            f"(after warm-up: {len(taken)} right, {len(taken) / (s.minutes * 60):.1f}/s)"
        )
    if writes.errors:
        for (kind, what, during_warmup), count in sorted(writes.errors.items()):
            print(f"  error: {kind} {what}: {count}{' (warm-up)' if during_warmup else ''}")
        for status, text in writes.examples.items():
            print(f"    e.g. {status}: {text!r}")
    print(f"  write errors {errors}; socket errors {sum(socket_errors.values())} {dict(socket_errors) or ''}")
    print(
        f"  frames received during the load {frames} ({frames / max(s.sockets, 1):.0f} per socket); pushes "
        f"missing {missing}, arrived out of order {late}; waited {settle_s:.1f} s after the last write"
    )
    print(
        f"  server RSS: no sockets {rss_empty / mib:.1f} MiB; {s.sockets} idle sockets {rss_idle / mib:.1f} "
        f"MiB (reference); after warm-up {reference.rss_kib / mib:.1f} MiB "
        f"({reference.rss_kib / rss_idle:.2f}x idle); end {end.rss_kib / mib:.1f} MiB; "
        f"min {lowest / mib:.1f}, max {highest / mib:.1f} MiB"
    )
    print(f"  RSS drift after warm-up: end {drift_end * 100:+.1f} %, largest {drift_max * 100:.1f} %")
    print(
        f"  server CPU: idle sockets {idle_cpu:.0f} %, under load {server_cpu:.0f} % of one core; "
        f"client CPU {client_cpu:.0f} %; client loop lag p99 {pct(lags, 0.99):.0f} ms, "
        f"max {max(lags, default=float('nan')):.0f} ms"
    )
    print(f"  load average: before the load {load_before}, at the end {end.load}")
    print("  RSS every sample (s: MiB): " + ", ".join(f"{x.at:.0f}: {x.rss_kib / mib:.1f}" for x in samples))
    if log:
        text = Path(log).read_text(errors="replace")
        for needle in ("QueuePool limit", "database is locked", "could not deliver", "unexpected error in"):
            print(f"  server log: {text.count(needle)} x {needle!r}")
    passed = errors == 0 and not socket_errors and missing == 0 and drift_max <= DRIFT_LIMIT
    verdict = "PASS" if passed else "FAIL"
    print(f"{verdict}: 0 errors of any kind and RSS within {DRIFT_LIMIT:.0%} of its after-warm-up value")
    return passed


def run(postgres: bool, s: Soak, log: str) -> bool:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    scores_needed = int(s.rate * (s.minutes + s.warmup) * 60) // 2 + 1
    with demo_database(postgres, f"bench_soak_{os.getpid()}") as (env, database_url, _):
        print(f"opening {scores_needed // len(MEASURES) + 1} sessions for the scores...", flush=True)
        session_ids = asyncio.run(open_sessions(database_url, scores_needed // len(MEASURES) + 1))
        server = start_server(env, port, log)
        try:
            return asyncio.run(soak(base, server.pid, database_url, session_ids, s, log))
        finally:
            stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50, help="writes per second (flag, score, ...)")
    parser.add_argument("--minutes", type=float, default=10, help="measured, after the warm-up")
    parser.add_argument("--warmup", type=float, default=1, help="minutes of load excluded from the figures")
    parser.add_argument("--every", type=float, default=5, help="seconds between RSS and CPU samples")
    parser.add_argument("--idle", type=float, default=10, help="seconds of idle sockets first")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--server-log", default="", help="write the server's output to this file")
    args = parser.parse_args()
    raise_fd_limit()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} cores, load average {load_average()}")
    s = Soak(args.sockets, args.rate, args.minutes, args.warmup, args.every, args.idle)
    sys.exit(0 if run(args.postgres, s, args.server_log) else 1)


if __name__ == "__main__":
    main()
