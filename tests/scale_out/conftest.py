"""Real instances for scale-out tests: uvicorn processes on loopback ports sharing one PostgreSQL database
(created for the test and dropped after) and a broker (PostgreSQL LISTEN/NOTIFY or Redis)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis

from server.demo import DEMO_PASSWORD
from tests import databases
from tests.browser.conftest import free_port
from tests.clock import server_env

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("BEDSIDE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/scale_out/" in str(item.fspath):
            item.add_marker(pytest.mark.scale_out)


@dataclass
class Instance:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(15)


@dataclass
class Cluster:
    database_url: str
    env: dict[str, str]
    tmp: Path
    instances: list[Instance] = field(default_factory=list)

    def start(self, name: str, command: list[str] | None = None) -> Instance:
        """Start an instance: plain uvicorn by default, or the given command (host and port are added)."""
        port = free_port()
        log = self.tmp / f"{name}.log"
        env = {**self.env, "BEDSIDE_DATA_DIR": str(self.tmp / name)}
        command = command or [sys.executable, "-m", "tests.serve", "serve"]
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        instance = Instance(f"http://127.0.0.1:{port}", process, log)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(instance.url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"instance {name} did not become ready:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        self.instances.append(instance)
        return instance


def make_cluster(tmp_path: Path, pubsub: str, session_store: str) -> Iterator[Cluster]:
    name = databases.new_database_name("bedside_cluster")
    databases.create_database(name)
    url = databases.database_url(name, databases.ADMIN_DSN)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BEDSIDE_PUBSUB": pubsub,
        "BEDSIDE_SESSION_STORE": session_store,
        "BEDSIDE_REDIS_URL": REDIS_URL,
        "BEDSIDE_SECRET_KEY": "cluster-secret-" + "x" * 40,
        "BEDSIDE_EXPIRY_SWEEP_SECONDS": "0.2",
        **server_env(),
    }
    subprocess.run(
        [sys.executable, "-m", "tests.serve", "demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    if session_store == "redis":
        forget_sign_in_attempts()
    cluster = Cluster(url, env, tmp_path)
    try:
        yield cluster
    finally:
        for instance in cluster.instances:
            instance.stop()
        databases.drop_database(name)


def forget_sign_in_attempts() -> None:
    """Redis outlives a cluster: counts of failed sign-ins from an earlier run must not throttle this one."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        for key in client.scan_iter("bedside_sign_in_attempts*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture(scope="module", params=["postgres", "redis"])
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two real instances, a and b, once per broker (sessions shared the same way); tests use
    different patients so they do not see each other's changes."""
    store = "redis" if request.param == "redis" else "database"
    for cluster in make_cluster(tmp_path_factory.mktemp(request.param), request.param, store):
        cluster.start("a")
        cluster.start("b")
        yield cluster


def sign_in(instance: Instance, username: str) -> httpx.Client:
    client = httpx.Client(base_url=instance.url)
    client.get("/signin")
    response = client.post(
        "/signin",
        data={"username": username, "password": DEMO_PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
    )
    assert response.status_code == 303, response.text
    return client
