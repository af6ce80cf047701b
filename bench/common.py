"""What every benchmark here needs: a free port, a process's CPU time and memory, a signed-in client."""

from __future__ import annotations

import os
import socket
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
