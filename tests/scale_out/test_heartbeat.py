"""A tablet that goes silent (Wi-Fi gone, device asleep) is found by the heartbeat and cleaned up."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import httpx

from tests.scale_out.conftest import Cluster, sign_in

SILENT_CLIENT = textwrap.dedent("""
    import asyncio, sys, websockets
    async def main():
        headers = {"Cookie": sys.argv[2], "Origin": sys.argv[3]}
        async with websockets.connect(sys.argv[1], additional_headers=headers):
            print("connected", flush=True)
            await asyncio.sleep(3600)
    asyncio.run(main())
""")


def sockets_on(url: str) -> int:
    return int(httpx.get(url + "/readyz", timeout=5).json()["sockets"])


def test_a_silent_tablet_is_dropped_by_the_heartbeat_and_its_socket_cleaned_up(cluster: Cluster) -> None:
    cluster.env["BEDSIDE_WS_PING_SECONDS"] = "1"
    instance = cluster.start("heartbeat", command=[sys.executable, "-m", "tests.serve", "serve"])
    therapist = sign_in(instance, "tara")
    cookies = "; ".join(f"{k}={v}" for k, v in therapist.cookies.items())
    client = subprocess.Popen(
        [sys.executable, "-c", SILENT_CLIENT, instance.ws_url + "/ws/worklist", cookies, instance.url],
        stdout=subprocess.PIPE,
    )
    try:
        assert client.stdout is not None and client.stdout.readline().strip() == b"connected"
        assert sockets_on(instance.url) == 1
        client.send_signal(signal.SIGSTOP)  # the tablet stops answering, as a dead one does
        deadline = time.monotonic() + 10
        while sockets_on(instance.url) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert sockets_on(instance.url) == 0
    finally:
        client.send_signal(signal.SIGCONT)
        client.kill()
        client.wait(5)
