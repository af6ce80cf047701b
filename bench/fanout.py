"""Benchmark: one nurse's flag fanned out to N open worklist sockets, beside two bare baselines.

In one run, for each N in `--sockets`, three servers each in their own process, driven by the same
light client (the `websockets` asyncio client, N sockets in this process):

- **bare**: a `websockets` server that broadcasts a same-size text frame to every socket (`broadcast`);
- **channels**: a bare Litestar app (uvicorn) whose sockets follow one channel of Litestar's channels
  plugin (memory backend); a POST publishes the frame;
- **bedside**: the real server (`python -m server serve --demo`, embedded SQLite in a temporary data
  folder), N worklist sockets signed in as therapist `tara`, each sending the page's resume hello first
  (`--hello page`: the numbers the page was drawn with, as a tablet does; `--hello empty`: a first open,
  the whole worklist); the nurse `nina` flags a patient with the board's htmx POST
  (`/patients/{id}/unavailable` then `/available`, alternately). The sockets are spread over
  `--sign-ins` separate sign-ins of `tara` (64 by default; socket i uses sign-in i mod 64), made once at
  set-up through the sign-in form, four at a time: so each sign-in's session row, channel and checks are
  shared by N/64 sockets, not by all of them, and no per-sign-in cache flatters the figures. The server
  runs with BEDSIDE_LOCK_MINUTES=30: nobody touches these tablets during a run, which may outlast the
  default 3 minutes (they would lock, and their sockets close, as they should).

Measured per server: the time to open all N sockets (handshake, hello and first frame: the snapshot on
Bedside), server RSS per idle socket (RSS after opening minus before, over N), then a **shift change**:
every socket is dropped at once (its TCP connection aborted, as a deploy or a Wi-Fi handover does) and
all N reconnect at once, each sending the page's hello again (the numbers it last applied); timed from
the drop until the last socket has its catch-up frame, i.e. until every tablet is current again; the
server's CPU time per socket over the opening and over the shift change is printed too (on a shared
machine a steadier figure than the times). Then
`--rounds` flags one after another: from the POST (or the bare server's trigger) to the fragment on the
*last* socket (each socket's reader timestamps its frame), every fragment delivered, and server CPU per
broadcast (utime+stime from /proc/<pid>/stat over the rounds); idle server CPU with every socket open
is measured over IDLE_SECONDS before the shift change. Prints a table and the ratios to bare; asserts nothing.

    .venv/bin/python bench/fanout.py                      # 100 and 1,000 sockets (about 2 min)
    .venv/bin/python bench/fanout.py --sockets 5000       # optional, slower
    .venv/bin/python bench/fanout.py --only bedside --sockets 1000 --hello empty
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import websockets
from common import cpu_seconds, free_port, rss_kib, signed_in

ROOT = Path(__file__).resolve().parents[1]
PATIENT = "Vexley, Marlo"
PAYLOAD_BYTES = 1500
"""The baselines' frame: about the size of a worklist card push."""
CONNECT_CONCURRENCY = 200
SIGN_INS = 64
"""Separate sign-ins of the therapist the Bedside sockets are spread over (`--sign-ins`)."""
SIGN_IN_CONCURRENCY = 4
IDLE_SECONDS = 5.0
"""Server CPU with every socket open and nothing happening, over this long (`--idle`): the sign-in check
and presence heartbeat run every 30 s per socket or instance, so a fair figure needs `--idle 35`."""
idle_seconds = IDLE_SECONDS
PROFILE_DIR = os.environ.get("FANOUT_PROFILE", "")
"""Set: py-spy records each server over its broadcast rounds (raw stacks, one file per server and N)."""


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- the two baselines, each run as `fanout.py --serve bare|channels PORT` in its own process ---------


def serve_bare(port: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    clients: set[object] = set()

    async def handler(ws) -> None:  # type: ignore[no-untyped-def]
        if ws.request.path == "/trigger":
            async for message in ws:
                broadcast(clients, message)  # type: ignore[arg-type]
                await ws.send("ok")
            return
        clients.add(ws)
        try:
            async for _ in ws:
                pass
        finally:
            clients.discard(ws)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, ping_interval=20, backlog=4096):
            await asyncio.Future()

    asyncio.run(main())


def serve_channels(port: int) -> None:
    import uvicorn
    from litestar import Litestar, WebSocket, post, websocket
    from litestar.channels import ChannelsPlugin
    from litestar.channels.backends.memory import MemoryChannelsBackend

    plugin = ChannelsPlugin(backend=MemoryChannelsBackend(), channels=["flags"])

    @websocket("/ws")
    async def follow(socket: WebSocket, channels: ChannelsPlugin) -> None:
        await socket.accept()
        await socket.receive_text()  # the hello
        await socket.send_text("ready")
        async with (
            channels.start_subscription(["flags"]) as subscriber,
            subscriber.run_in_background(socket.send_text),
        ):
            while True:
                try:
                    await socket.receive_text()
                except Exception:
                    return

    @post("/broadcast", status_code=200)
    async def publish(data: dict[str, str], channels: ChannelsPlugin) -> str:
        channels.publish(data["text"], ["flags"])
        return "ok"

    app = Litestar([follow, publish], plugins=[plugin])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=4096)


# --- the client ----------------------------------------------------------------------------------------


@dataclass
class Round:
    started: float = 0.0
    arrivals: list[float] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    expected: int = 0


@dataclass
class Result:
    name: str
    sockets: int
    connect_s: float
    rss_per_socket_kib: float
    last_ms: list[float]
    all_ms: list[float]
    delivered: int
    expected: int
    cpu_ms: float
    idle_cpu_percent: float
    shift_s: float
    open_cpu_ms: float
    shift_cpu_ms: float
    note: str = ""


class Crowd:
    """N client sockets; each reader timestamps the first frame of the current round that has `needle`."""

    def __init__(self, needle: str) -> None:
        self.needle = needle
        self.round = Round()
        self.sockets: list[websockets.ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []

    async def open(
        self, n: int, url: str, headers: list[dict[str, str]], hello: str | None, first_frame: bool
    ) -> float:
        """Open n sockets (socket i with headers[i mod len]); seconds until each has its first frame."""
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(i: int) -> None:
            async with gate:
                ws = await websockets.connect(
                    url,
                    additional_headers=headers[i % len(headers)],
                    max_size=None,
                    open_timeout=120,
                    ping_interval=None,
                )
                if hello is not None:
                    await ws.send(hello)
                if first_frame:
                    await ws.recv()
            self.sockets.append(ws)
            self.readers.append(asyncio.create_task(self._read(i, ws)))

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return time.perf_counter() - started

    async def shift_change(
        self, n: int, url: str, headers: list[dict[str, str]], hello: str | None, first_frame: bool
    ) -> float:
        """Drop every socket at once (abort, no closing handshake) and reopen n; seconds from the drop
        until the last socket has its first frame (its catch-up: the tablet is current again)."""
        started = time.perf_counter()
        for ws in self.sockets:
            ws.transport.abort()
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        self.sockets, self.readers = [], []
        await self.open(n, url, headers, hello, first_frame)
        return time.perf_counter() - started

    async def _read(self, i: int, ws: websockets.ClientConnection) -> None:
        try:
            async for message in ws:
                now = time.perf_counter()
                r = self.round
                if i not in r.seen and self.needle in message:  # type: ignore[operator]
                    r.seen.add(i)
                    r.arrivals.append(now - r.started)
                    if len(r.seen) >= r.expected:
                        r.done.set()
        except websockets.ConnectionClosed:
            pass

    async def rounds(
        self, count: int, trigger: Callable[[int], Awaitable[None]], timeout: float
    ) -> tuple[list[float], list[float], int]:
        last, everyone, delivered = [], [], 0
        for k in range(count):
            self.round = Round(expected=len(self.sockets))
            self.round.started = time.perf_counter()
            await trigger(k)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.round.done.wait(), timeout)
            arrivals = self.round.arrivals
            delivered += len(arrivals)
            if arrivals:
                last.append(max(arrivals) * 1000)
                everyone += [a * 1000 for a in arrivals]
            await asyncio.sleep(0.05)
        return last, everyone, delivered

    async def close(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def wait_port(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def profile(pid: int, name: str) -> subprocess.Popen[bytes] | None:
    """py-spy recording the server into FANOUT_PROFILE, if set; stopped with SIGINT."""
    if not PROFILE_DIR:
        return None
    out = Path(PROFILE_DIR) / f"{name}.txt"
    beside = Path(sys.executable).parent / "py-spy"
    py_spy = str(beside) if beside.exists() else shutil.which("py-spy") or "py-spy"
    args = [py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "-o", str(out)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def measure(
    name: str, pid: int, n: int, rounds: int, crowd: Crowd, open_args: tuple, trigger, note: str = ""
) -> Result:  # type: ignore[no-untyped-def, type-arg]
    await asyncio.sleep(0.5)
    rss_before = rss_kib(pid)
    spy = profile(pid, f"{name}-{n}-open")
    open_cpu = cpu_seconds(pid)
    connect_s = await crowd.open(n, *open_args)
    open_cpu = cpu_seconds(pid) - open_cpu
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
    await asyncio.sleep(1.0)
    rss_after = rss_kib(pid)
    idle_before = cpu_seconds(pid)
    await asyncio.sleep(idle_seconds)
    idle = (cpu_seconds(pid) - idle_before) / idle_seconds * 100
    spy = profile(pid, f"{name}-{n}-shift")
    shift_cpu = cpu_seconds(pid)
    shift_s = await crowd.shift_change(n, *open_args)
    shift_cpu = cpu_seconds(pid) - shift_cpu
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
    await asyncio.sleep(1.0)
    await trigger(-1)  # a warm-up broadcast, not counted
    await asyncio.sleep(0.5)
    spy = profile(pid, f"{name}-{n}")
    if spy is not None:
        await asyncio.sleep(1.0)
    cpu_before = cpu_seconds(pid)
    last, everyone, delivered = await crowd.rounds(rounds, trigger, timeout=30 + n / 50)
    cpu = cpu_seconds(pid) - cpu_before
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)
    await crowd.close()
    return Result(
        name, n, connect_s, (rss_after - rss_before) / n, last, everyone, delivered, n * rounds,
        cpu * 1000 / rounds, idle, shift_s, open_cpu * 1000 / n, shift_cpu * 1000 / n, note,
    )  # fmt: skip


async def run_bare(n: int, rounds: int) -> Result:
    port = free_port()
    server = start([sys.executable, __file__, "--serve", "bare", str(port)])
    try:
        wait_port(port)
        url = f"ws://127.0.0.1:{port}"
        payload = "x" * PAYLOAD_BYTES
        async with websockets.connect(url + "/trigger", max_size=None) as control:

            async def trigger(k: int) -> None:
                await control.send(f"round-{k} {payload}")
                await control.recv()

            crowd = Crowd("round-")
            return await measure(
                "bare", server.pid, n, rounds, crowd, (url + "/ws", [{}], None, False), trigger
            )
    finally:
        server.terminate()
        server.wait(10)


async def run_channels(n: int, rounds: int) -> Result:
    port = free_port()
    server = start([sys.executable, __file__, "--serve", "channels", str(port)])
    try:
        wait_port(port)
        base = f"http://127.0.0.1:{port}"
        payload = "x" * PAYLOAD_BYTES
        async with httpx.AsyncClient(base_url=base) as http:

            async def trigger(k: int) -> None:
                (await http.post("/broadcast", json={"text": f"round-{k} {payload}"})).raise_for_status()

            crowd = Crowd("round-")
            hello = '{"type": "resume", "seqs": {}}'
            return await measure(
                "channels",
                server.pid,
                n,
                rounds,
                crowd,
                (base.replace("http", "ws") + "/ws", [{}], hello, True),
                trigger,
            )
    finally:
        server.terminate()
        server.wait(10)


async def sign_ins_of(base: str, username: str, count: int) -> list[httpx.AsyncClient]:
    """`count` separate sign-ins of one account, a few at a time: the sign-in throttle counts each
    attempt until it succeeds, and more than its free failures in flight at once would be refused."""
    gate = asyncio.Semaphore(SIGN_IN_CONCURRENCY)

    async def one() -> httpx.AsyncClient:
        async with gate:
            return await signed_in(base, username)

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def run_bedside(
    n: int, rounds: int, hello_mode: str, sign_ins: int, extra_env: dict[str, str]
) -> Result:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "BEDSIDE_DATA_DIR": data_dir, "BEDSIDE_LOCK_MINUTES": "30", **extra_env}
        server = start([sys.executable, "-m", "server", "serve", "--demo", "--port", str(port)], env)
        try:
            wait_port(port)
            nurse = await signed_in(base, "nina")
            tablets = await sign_ins_of(base, "tara", max(1, sign_ins))
            therapist = tablets[0]
            board = (await nurse.get("/board", follow_redirects=True)).text
            marker = board.index(PATIENT)
            patient_id = board[board.rindex('data-patient-id="', 0, marker) :].split('"')[1]
            page = (await therapist.get("/worklist")).text
            if hello_mode == "page":
                live = page[page.index('id="live-seqs"') :].split("</div>", 1)[0]
                seqs = {u: int(s) for u, s in re.findall(r'data-unit="(\d+)" data-seq="(\d+)"', live)}
            else:
                seqs = {}
            hello = json.dumps({"type": "resume", "seqs": seqs})
            headers = [
                {"Cookie": "; ".join(f"{k}={v}" for k, v in tablet.cookies.items()), "Origin": base}
                for tablet in tablets
            ]
            htmx = {"x-csrftoken": nurse.cookies["csrftoken"], "HX-Request": "true"}

            async def trigger(k: int) -> None:
                action = "unavailable" if k % 2 == 0 else "available"
                response = await nurse.post(
                    f"/patients/{patient_id}/{action}", data={"kind": "imaging"}, headers=htmx
                )
                response.raise_for_status()

            crowd = Crowd(f'id="patient-card-{patient_id}"')
            url = base.replace("http", "ws") + "/ws/worklist"
            result = await measure(
                "bedside",
                server.pid,
                n,
                rounds,
                crowd,
                (url, headers, hello, True),
                trigger,
                f"hello {hello_mode}, {len(tablets)} sign-ins",
            )
            await nurse.aclose()
            for tablet in tablets:
                await tablet.aclose()
            return result
        finally:
            server.terminate()
            server.wait(20)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(results: list[Result]) -> None:
    print()
    print(
        f"{'server':<9} {'sockets':>7} {'open s':>7} {'KiB/sock':>8} {'last p50':>8} {'last p99':>8} "
        f"{'all p50':>8} {'all p99':>8} {'delivered':>13} {'CPU ms/bc':>9} {'idle CPU':>8} "
        f"{'shift s':>7} {'open CPU':>8} {'shift CPU':>9}"
    )
    for r in results:
        print(
            f"{r.name:<9} {r.sockets:>7} {r.connect_s:>7.2f} {r.rss_per_socket_kib:>8.1f} "
            f"{pct(r.last_ms, 0.5):>8.1f} {pct(r.last_ms, 0.99):>8.1f} {pct(r.all_ms, 0.5):>8.1f} "
            f"{pct(r.all_ms, 0.99):>8.1f} {r.delivered:>6}/{r.expected:<6} {r.cpu_ms:>9.1f} "
            f"{r.idle_cpu_percent:>7.1f}% {r.shift_s:>7.2f} {r.open_cpu_ms:>8.2f} {r.shift_cpu_ms:>9.2f}  "
            f"{r.note}"
        )
    by = {(r.name, r.sockets): r for r in results}
    for n in sorted({r.sockets for r in results}):
        bare = by.get(("bare", n))
        if bare is None:
            continue
        for name in ("channels", "bedside"):
            other = by.get((name, n))
            if other is None:
                continue
            p99 = pct(other.last_ms, 0.99) / pct(bare.last_ms, 0.99)
            print(
                f"{name}/bare at {n}: last-socket p99 {p99:.1f}x, "
                f"p50 {pct(other.last_ms, 0.5) / pct(bare.last_ms, 0.5):.1f}x, "
                f"CPU per broadcast {other.cpu_ms / max(bare.cpu_ms, 0.01):.1f}x, "
                f"open {other.connect_s / bare.connect_s:.1f}x, "
                f"shift change {other.shift_s / bare.shift_s:.1f}x, "
                f"server CPU per socket opened {other.open_cpu_ms / max(bare.open_cpu_ms, 0.01):.1f}x, "
                f"reopened {other.shift_cpu_ms / max(bare.shift_cpu_ms, 0.01):.1f}x"
            )
    print(
        "(ms; 'last' = POST to the frame on the last socket, per round; 'all' = every socket's frame; "
        "'shift s' = every socket dropped at once until the last reconnected one is current; "
        "'open CPU', 'shift CPU' = server CPU ms per socket opened, per socket dropped and reopened)"
    )


async def main_async(args: argparse.Namespace) -> None:
    results = []
    for n in args.sockets:
        rounds = args.rounds or (20 if n <= 100 else 10 if n <= 1000 else 5)
        for name in args.only:
            print(f"{name}: {n} sockets, {rounds} rounds...", flush=True)
            if name == "bare":
                result = await run_bare(n, rounds)
            elif name == "channels":
                result = await run_channels(n, rounds)
            else:
                result = await run_bedside(n, rounds, args.hello, args.sign_ins, {})
            results.append(result)
            report([result])
    report(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sockets", default="100,1000", help="comma-separated socket counts")
    parser.add_argument("--rounds", type=int, default=0, help="flags per count (default 20, 10, 5 by size)")
    parser.add_argument("--only", default="bare,channels,bedside")
    parser.add_argument("--hello", choices=("page", "empty"), default="page")
    parser.add_argument("--sign-ins", type=int, default=SIGN_INS, help="tara's sign-ins the sockets share")
    parser.add_argument("--idle", type=float, default=IDLE_SECONDS, help="seconds of idle CPU measured")
    parser.add_argument("--serve", nargs=2, metavar=("KIND", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    global idle_seconds
    idle_seconds = args.idle
    raise_fd_limit()
    if args.serve:
        kind, port = args.serve
        (serve_bare if kind == "bare" else serve_channels)(int(port))
        return
    args.sockets = [int(s) for s in args.sockets.split(",")]
    args.only = args.only.split(",")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
