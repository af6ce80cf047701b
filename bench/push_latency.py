"""Benchmark: how long a nurse's flag takes to reach a therapist's tablet, end to end.

Starts the real server (uvicorn, embedded default, demo data) on a loopback port, signs in a nurse and a
therapist, opens the therapist's worklist WebSocket, then toggles a patient's availability N times and
measures from the nurse's POST to the card arriving on the socket. Prints the figures; asserts nothing.

    .venv/bin/python bench/push_latency.py [N]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import websockets
from common import free_port, signed_in

ROOT = Path(__file__).resolve().parents[1]
PATIENT = "Vexley, Marlo"


async def run(n: int, base: str) -> list[float]:
    nurse = await signed_in(base, "nina")
    therapist = await signed_in(base, "tara")
    board = (await nurse.get("/board", follow_redirects=True)).text
    marker = board.index(PATIENT)
    patient_id = board[board.rindex('data-patient-id="', 0, marker) :].split('"')[1]
    cookie = "; ".join(f"{k}={v}" for k, v in therapist.cookies.items())
    headers = {"x-csrftoken": nurse.cookies["csrftoken"]}
    timings = []
    async with websockets.connect(
        base.replace("http", "ws") + "/ws/worklist", additional_headers={"Cookie": cookie, "Origin": base}
    ) as tablet:
        await tablet.send('{"type": "resume", "seqs": {}}')  # as the page does on opening
        await tablet.recv()
        for i in range(n):
            action = "unavailable" if i % 2 == 0 else "available"
            started = time.perf_counter()
            await nurse.post(f"/patients/{patient_id}/{action}", data={"kind": "imaging"}, headers=headers)
            while f'id="patient-card-{patient_id}"' not in str(await tablet.recv()):
                pass
            timings.append((time.perf_counter() - started) * 1000)
    await nurse.aclose()
    await therapist.aclose()
    return timings


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "BEDSIDE_DATA_DIR": data_dir}
        server = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--demo", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    httpx.get(base + "/signin", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            timings = asyncio.run(run(n, base))
        finally:
            server.terminate()
            server.wait(10)
    timings.sort()
    print(f"flag -> therapist card over WebSocket, {n} changes (ms):")
    median, p95 = statistics.median(timings), timings[int(0.95 * (n - 1))]
    print(f"  median {median:.1f}  p95 {p95:.1f}  max {timings[-1]:.1f}")


if __name__ == "__main__":
    main()
