"""What every benchmark here needs: a free port, a process's CPU time and memory, a signed-in client, a
throwaway demo database and the real server on it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

TICKS = os.sysconf("SC_CLK_TCK")
DEMO_PASSWORD = "bedside-demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its waited-for children (uvicorn runs in one process)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / TICKS


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def signed_in(
    base: str, username: str, timeout: float = 60, limits: httpx.Limits | None = None
) -> httpx.AsyncClient:
    """A demo account signed in through the sign-in form, as a tablet does (CSRF token from its cookie)."""
    pool = {"limits": limits} if limits is not None else {}
    client = httpx.AsyncClient(base_url=base, timeout=timeout, **pool)
    await client.get("/signin")
    response = await client.post(
        "/signin",
        data={"username": username, "password": DEMO_PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
    )
    assert response.status_code == 303, response.text
    return client


ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def demo_database(
    postgres: bool, name: str, parent: Path | None = None
) -> Iterator[tuple[dict[str, str], str, Path]]:
    """A throwaway data folder (in `parent`, or the system's temporary folder) with the demo loaded: on
    SQLite in that folder, or on a fresh PostgreSQL database `name`, dropped afterwards. Yields the
    server's environment, the database URL and the folder."""

    async def admin(sql: str) -> None:
        import asyncpg

        connection = await asyncpg.connect(POSTGRES_ADMIN)
        await connection.execute(sql)
        await connection.close()

    with tempfile.TemporaryDirectory(prefix=f"{name}-", dir=parent) as data_dir:
        env = {**os.environ, "BEDSIDE_DATA_DIR": data_dir}
        database_url = f"sqlite+aiosqlite:///{Path(data_dir) / 'bedside.db'}"
        if postgres:
            asyncio.run(admin(f"CREATE DATABASE {name}"))
            database_url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
            env["DATABASE_URL"] = database_url
        try:
            subprocess.run([sys.executable, "-m", "server", "demo"], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
            yield env, database_url, Path(data_dir)
        finally:
            if postgres:
                asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def start_server(env: dict[str, str], port: int, log: str = "") -> subprocess.Popen[bytes]:
    """The real server on `port`, once it answers; its output to the file `log`, or nowhere."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - the server's, closed with it
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the process to end (uvicorn's graceful shutdown), and kill it if it has not in 20 s."""
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(20)
    if process.poll() is None:
        process.kill()
