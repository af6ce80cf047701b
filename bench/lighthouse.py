"""Benchmark: Lighthouse scores of the five screens people use most, signed in, as a tablet loads them.

Starts the real server (demo data, its own temporary data folder) on a free loopback port, signs in the
role each screen is for (therapist: worklist, patient page, session screen; nurse: unit board; hospice:
comfort-care log), starts a session on the therapist's first worklist patient through the app's own form
(so the session screen has something to show), then runs Lighthouse 12.2.3 (bench/node_modules, from
bench/package-lock.json) against Debian's Chromium on each page with that person's session cookie. Tablet
profile: mobile form factor, 800x1280 CSS pixels at 2x, touch, a tablet's user agent, Lighthouse's
default simulated throttling (slow 4G, 4x CPU slowdown). Prints a table per run; asserts nothing.

    bash bench/lighthouse.sh [RUNS] [--reports DIR]

(the shell script installs what is missing, then runs this file with .venv's Python.)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "bench" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bedside-demo"
ACCOUNTS = {"therapist": "tara", "nurse": "nina", "hospice": "hugo"}
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync --disable-dev-shm-usage"
)


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    role: str


@dataclass(frozen=True)
class Scores:
    performance: int
    accessibility: int
    best_practices: int
    kib: float
    cpu: int
    """Lighthouse's benchmark index of the machine during the run: lower means the CPU was busier."""
    below_target: list[str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base)
    client.get("/signin")
    form = {"username": username, "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]}
    response = client.post("/signin", data=form)
    if "bedside_session" not in client.cookies:
        sys.exit(f"signing in {username} failed: {response.status_code}")
    return client


def cookie_header(client: httpx.Client) -> str:
    """The browser's Cookie header for this person: the session and the CSRF cookie."""
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def first_link(html: str, pattern: str) -> str:
    match = re.search(rf'href="({pattern})"', html)
    if match is None:
        sys.exit(f"no link matching {pattern} on the page")
    return match.group(1)


def screens(clients: dict[str, httpx.Client]) -> list[Screen]:
    """Finds each screen's address as a person would: from the page they land on."""
    therapist, nurse, hospice = clients["therapist"], clients["nurse"], clients["hospice"]
    patient = first_link(therapist.get("/worklist").text, r"/patients/\d+")
    started = therapist.post(f"{patient}/sessions", data={"_csrf_token": therapist.cookies["csrftoken"]})
    if started.status_code != 303:
        sys.exit(f"starting a session failed: {started.status_code}")
    board = nurse.get("/board", follow_redirects=True)
    comfort_log = first_link(hospice.get("/comfort-care").text, r"/comfort-care/\d+")
    return [
        Screen("worklist", "/worklist", "therapist"),
        Screen("patient page", patient, "therapist"),
        Screen("session screen", started.headers["location"], "therapist"),
        Screen("unit board", board.url.path, "nurse"),
        Screen("comfort-care log", comfort_log, "hospice"),
    ]


def tablet_user_agent() -> str:
    """A Galaxy Tab S9's (no "Mobile" token, as tablets send), with the Chromium version being run."""
    found = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    version = re.search(r"\d+\.[\d.]+", found)
    chrome = version.group(0) if version else "156.0.0.0"
    return (
        "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{chrome} Safari/537.36"
    )


def lighthouse(url: str, cookie: str, user_agent: str, out: Path) -> dict:
    """One Lighthouse run on one page; returns the JSON report (an HTML one is written beside it)."""
    subprocess.run(
        [
            "node",
            str(LIGHTHOUSE),
            url,
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            "--output=html",
            f"--output-path={out}",
            "--form-factor=mobile",
            "--screenEmulation.mobile",
            "--screenEmulation.width=800",
            "--screenEmulation.height=1280",
            "--screenEmulation.deviceScaleFactor=2",
            f"--emulatedUserAgent={user_agent}",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
    )
    return json.loads(out.with_suffix(".report.json").read_text())


def scores(report: dict) -> Scores:
    if report.get("runtimeError"):
        sys.exit(f"Lighthouse failed on {report['finalDisplayedUrl']}: {report['runtimeError']}")
    if report["finalDisplayedUrl"] != report["requestedUrl"]:
        sys.exit(f"{report['requestedUrl']} ended at {report['finalDisplayedUrl']}: the sign-in did not hold")
    points = {key: round(100 * (report["categories"][key]["score"] or 0)) for key in CATEGORIES}
    below = []
    for key in CATEGORIES:
        if points[key] >= TARGETS[key]:
            continue
        for ref in report["categories"][key]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if audit["score"] is not None and audit["score"] < 1 and (ref["weight"] or key == "performance"):
                shown = audit.get("displayValue", "")
                below.append(f"{key}: {ref['id']} {audit['score']:.2f} {shown}".rstrip())
    return Scores(
        performance=points["performance"],
        accessibility=points["accessibility"],
        best_practices=points["best-practices"],
        kib=report["audits"]["total-byte-weight"]["numericValue"] / 1024,
        cpu=round(report["environment"]["benchmarkIndex"]),
        below_target=below,
    )


HEADER = (
    f"{'page':<18}{'performance':>12}{'accessibility':>14}{'best practices':>15}{'KiB transferred':>16}"
    f"{'CPU index':>10}"
)


def print_table(run: int, results: dict[str, Scores]) -> None:
    print(f"\nRun {run}")
    print(HEADER)
    for name, s in results.items():
        print(
            f"{name:<18}{s.performance:>12}{s.accessibility:>14}{s.best_practices:>15}{s.kib:>16.1f}{s.cpu:>10}"
        )
    for name, s in results.items():
        for line in s.below_target:
            print(f"  below target, {name}: {line}")


def print_ranges(runs: list[dict[str, Scores]]) -> None:
    def span(values: list[float], digits: int = 0) -> str:
        low, high = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
        return low if low == high else f"{low}-{high}"

    print(f"\nRanges over {len(runs)} runs")
    print(HEADER)
    for name in runs[0]:
        rows = [run[name] for run in runs]
        print(
            f"{name:<18}{span([r.performance for r in rows]):>12}{span([r.accessibility for r in rows]):>14}"
            f"{span([r.best_practices for r in rows]):>15}{span([r.kib for r in rows], 1):>16}"
            f"{span([r.cpu for r in rows]):>10}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=1, help="how many times to measure every page")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's HTML and JSON reports in this folder")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists() or not Path(CHROMIUM).exists():
        sys.exit("Lighthouse or Chromium is missing: run bash bench/lighthouse.sh")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        reports = args.reports or Path(data_dir) / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "BEDSIDE_DATA_DIR": str(Path(data_dir) / "data")}
        server = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--demo", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        clients: dict[str, httpx.Client] = {}
        try:
            for _ in range(600):
                try:
                    httpx.get(base + "/signin", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            clients.update({role: signed_in(base, username) for role, username in ACCOUNTS.items()})
            cookies = {role: cookie_header(client) for role, client in clients.items()}
            pages = screens(clients)
            user_agent = tablet_user_agent()
            runs: list[dict[str, Scores]] = []
            for run in range(1, args.runs + 1):
                results = {}
                for page in pages:
                    out = reports / f"{page.name.replace(' ', '-')}-{run}"
                    report = lighthouse(base + page.path, cookies[page.role], user_agent, out)
                    results[page.name] = scores(report)
                print_table(run, results)
                runs.append(results)
            if len(runs) > 1:
                print_ranges(runs)
            if args.reports:
                print(f"\nReports: {args.reports}")
        finally:
            for client in clients.values():
                client.close()
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
