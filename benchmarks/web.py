"""Web benchmark: the dashboard and the API served by uvicorn over a demo region of millions of
events, measured from HTTP clients on loopback.

The demo region (``build_demo``, side tables included) is built once per size into
``benchmarks/.cache/web-demo-<events>-v<schema>`` and reused. For each worker count the app runs
in a subprocess (``uvicorn --factory sujuva.web.app:create_app``) over that store with a fresh
SQLite app database and the demo accounts, and then:

* sequential: for the coordinator and the analyst, each page is requested once (cold, the
  figure is reported apart) and then 30 times in a row; p50/p95 of the wall time per request
  and of the app's own time from the ``Server-Timing`` header;
* concurrent: 20 signed-in users (threads, one httpx client each, half coordinators and half
  analysts) loop over the same pages for 60 s: requests, errors (any status but 200), p50/p95.

Repeated identical requests are served from the app's in-process result cache, so the warm
figures measure rendering and the cache, the cold ones the analytics.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

DEFAULT_EVENTS = 5_000_000
SEQUENTIAL_REPEATS = 30
USERS = 20
DURATION_S = 60.0
WORKERS = (1, 2)
ROLES = ("coordinator", "analyst")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TIMING = re.compile(r"dur=([0-9.]+)")


@dataclass(frozen=True)
class Region:
    """The cached demo store: its data folder, busiest path, latest complete quarter, and the
    organisations by activity (for the demo accounts)."""

    data_dir: Path
    events: int
    path: str
    quarter: str
    organisations: list[str]


def prepare_region(cache: Path, events: int) -> Region:
    """Build the demo region of ``events`` events once (``build_demo`` is idempotent)."""
    from sujuva.config import override_settings, reset_settings
    from sujuva.services import dashboard, overview
    from sujuva.services.demo import build_demo
    from sujuva.store.build import SCHEMA_VERSION
    from sujuva.store.store import Store

    folder = cache / f"web-demo-{events}-v{SCHEMA_VERSION}"
    reset_settings()
    settings = override_settings(data_dir=folder / "data", demo_dir=folder / "files")
    started = time.perf_counter()
    result = build_demo(size="large", events=events, settings=settings)
    if not result.reused:
        print(f"built the demo region in {time.perf_counter() - started:.0f} s", flush=True)
    with Store(settings.data_dir).connect() as con:
        busiest = con.execute(
            "SELECT p.name FROM events e JOIN paths p ON p.code = e.path_code "
            "GROUP BY p.name ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    quarter = overview.latest_complete_quarter(settings=settings)
    region = Region(
        data_dir=settings.data_dir,
        events=result.info.events,
        path=busiest[0] if busiest else dashboard.paths(settings=settings)[0],
        quarter=quarter.isoformat() if quarter else "",
        organisations=dashboard.organisations_by_activity(settings=settings),
    )
    reset_settings()
    return region


def pages(region: Region) -> dict[str, str]:
    """Label → URL of every page measured."""
    p, q = region.path, region.quarter
    return {
        "/overview": "/overview",
        "/paths/<p>?start=<q>": f"/paths/{p}?start={q}",
        "/paths/<p>?reach=own": f"/paths/{p}?reach=own",
        "/paths/<p>/map.svg": (
            f"/paths/{p}/map.svg?reach=all&start={q}&activities=100&arcs=80&label=frequency"
        ),
        "/paths/<p>/compare": f"/paths/{p}/compare",
        "/data": "/data",
        "/api/v1/.../tables/arcs": f"/api/v1/paths/{p}/tables/arcs?start={q}",
        "/pilots/1": "/pilots/1",
        "/network": "/network",
        "/challenges": "/challenges",
        "/target": "/target",
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class AppServer:
    """uvicorn in a subprocess over the region's store with a fresh SQLite app database."""

    def __init__(self, region: Region, workers: int, folder: Path) -> None:
        self.region, self.workers, self.folder = region, workers, folder
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.logins: dict[str, str] = {}

    def __enter__(self) -> AppServer:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        database_url = f"sqlite:///{self.folder / 'app.sqlite'}"
        self._accounts(database_url)
        env = os.environ.copy()
        env.update(
            {
                "SUJUVA_DATA_DIR": str(self.region.data_dir),
                "SUJUVA_DATABASE_URL": database_url,
                "SUJUVA_SESSION_SECRET": "benchmark-session-secret-" + "x" * 32,
            }
        )
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "sujuva.web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        log = (self.folder / "server.log").open("wb")
        self.process = subprocess.Popen(
            args, cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped:\n{self.log()[-3000:]}")
            try:
                if httpx.get(self.base_url + "/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not answer within 120 s")
            time.sleep(0.2)
        return self

    def _accounts(self, database_url: str) -> None:
        from sujuva.config import override_settings, reset_settings
        from sujuva.services import accounts, challenges, members, pilots, targets
        from sujuva.store.appdb import dispose_engine, upgrade_database

        reset_settings()
        settings = override_settings(data_dir=self.region.data_dir, database_url=database_url)
        upgrade_database(settings=settings)
        found = accounts.ensure_demo_accounts(
            organisations=self.region.organisations, settings=settings
        )
        self.logins = {login.username: login.password for login in found}
        settings = override_settings(demo_dir=self.region.data_dir.parent / "files")
        pilots.ensure_demo_pilots(settings=settings)
        members.ensure_demo_members(settings=settings)
        challenges.ensure_demo_challenges(settings=settings)
        targets.ensure_demo_jobs(settings=settings)
        dispose_engine(settings=settings)
        reset_settings()

    def log(self) -> str:
        return (self.folder / "server.log").read_text(errors="replace")

    def memory_mib(self) -> float | None:
        """Resident memory of the server and its workers (needs psutil)."""
        try:
            import psutil
        except ImportError:
            return None
        if self.process is None:
            return None
        parent = psutil.Process(self.process.pid)
        members = [parent, *parent.children(recursive=True)]
        return sum(m.memory_info().rss for m in members) / 2**20

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def signed_in(server: AppServer, username: str) -> httpx.Client:
    """An httpx client signed in through the login form (with its CSRF token)."""
    client = httpx.Client(base_url=server.base_url, timeout=300)
    token = CSRF.search(client.get("/login").text)
    if token is None:
        raise SystemExit("the login page has no CSRF token")
    answer = client.post(
        "/login",
        data={
            "username": username,
            "password": server.logins[username],
            "csrf_token": token.group(1),
        },
    )
    if answer.status_code != 303:
        raise SystemExit(f"{username} could not sign in: {answer.status_code}")
    return client


def timed_get(client: httpx.Client, url: str) -> tuple[int, float, float | None]:
    """Status, wall milliseconds, and the app's milliseconds from ``Server-Timing``."""
    started = time.perf_counter()
    answer = client.get(url)
    wall = (time.perf_counter() - started) * 1000
    found = TIMING.search(answer.headers.get("server-timing", ""))
    return answer.status_code, wall, float(found.group(1)) if found else None


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def sequential(server: AppServer, region: Region) -> list[dict[str, Any]]:
    """Each page per role: one cold request, then ``SEQUENTIAL_REPEATS`` timed ones."""
    rows = []
    for role in ROLES:
        with closing(signed_in(server, role)) as client:
            for label, url in pages(region).items():
                status, cold, cold_app = timed_get(client, url)
                if status != 200:
                    raise SystemExit(f"{role} GET {url} -> {status}")
                walls, apps, errors = [], [], 0
                for _ in range(SEQUENTIAL_REPEATS):
                    status, wall, app = timed_get(client, url)
                    errors += status != 200
                    walls.append(wall)
                    if app is not None:
                        apps.append(app)
                rows.append(
                    {
                        "role": role,
                        "page": label,
                        "url": url,
                        "cold_ms": cold,
                        "cold_app_ms": cold_app,
                        "requests": len(walls),
                        "errors": errors,
                        "p50_ms": statistics.median(walls),
                        "p95_ms": percentile(walls, 0.95),
                        "app_p50_ms": statistics.median(apps) if apps else None,
                        "app_p95_ms": percentile(apps, 0.95) if apps else None,
                    }
                )
                print(_sequential_line(rows[-1]), flush=True)
    return rows


def concurrent(server: AppServer, region: Region) -> dict[str, Any]:
    """``USERS`` signed-in users looping over the pages for ``DURATION_S`` seconds."""
    urls = list(pages(region).values())
    clients = [signed_in(server, ROLES[i % len(ROLES)]) for i in range(USERS)]
    latencies: list[list[float]] = [[] for _ in clients]
    failures: list[list[str]] = [[] for _ in clients]
    start = threading.Barrier(USERS + 1)
    stop_at = 0.0

    def user(index: int) -> None:
        client = clients[index]
        start.wait()
        step = index  # users start at different pages
        while time.perf_counter() < stop_at:
            url = urls[step % len(urls)]
            step += 1
            try:
                status, wall, _ = timed_get(client, url)
            except httpx.HTTPError as exc:
                failures[index].append(f"{url}: {exc!r}")
                continue
            latencies[index].append(wall)
            if status != 200:
                failures[index].append(f"{url}: HTTP {status}")

    threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
    for thread in threads:
        thread.start()
    stop_at = time.perf_counter() + DURATION_S
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for client in clients:
        client.close()
    walls = [w for per_user in latencies for w in per_user]
    errors = [f for per_user in failures for f in per_user]
    return {
        "users": USERS,
        "seconds": elapsed,
        "requests": len(walls),
        "errors": len(errors),
        "error_examples": errors[:5],
        "requests_per_s": len(walls) / elapsed,
        "p50_ms": statistics.median(walls) if walls else None,
        "p95_ms": percentile(walls, 0.95) if walls else None,
        "max_ms": max(walls) if walls else None,
    }


def _warm_all_workers(server: AppServer, region: Region) -> None:
    """Warm every page in each worker: fresh connections land on different workers."""
    for role in ROLES:
        with closing(signed_in(server, role)) as client:
            cookies = client.cookies
            for _ in range(3 * server.workers):
                with httpx.Client(base_url=server.base_url, cookies=cookies, timeout=300) as fresh:
                    for url in pages(region).values():
                        fresh.get(url)


def run_web(cache: Path, events: int = DEFAULT_EVENTS) -> dict[str, Any]:
    """Build or reuse the region, then measure each worker count; return all figures."""
    region = prepare_region(cache, events)
    print(
        f"\nWeb benchmark: {region.events:,} events, path {region.path}, "
        f"quarter {region.quarter}, {os.cpu_count()} cores",
        flush=True,
    )
    runs = []
    for workers in WORKERS:
        print(f"\n{workers} worker(s): sequential, {SEQUENTIAL_REPEATS} warm requests per page")
        with AppServer(region, workers, cache / f"web-server-{workers}") as server:
            load_before = os.getloadavg()[0]
            rows = sequential(server, region)
            _warm_all_workers(server, region)
            print(
                f"{workers} worker(s): {USERS} concurrent users for {DURATION_S:.0f} s", flush=True
            )
            load = concurrent(server, region)
            print(_load_line(workers, load), flush=True)
            runs.append(
                {
                    "workers": workers,
                    "sequential": rows,
                    "concurrent": load,
                    "server_rss_mib": server.memory_mib(),
                    # other work on the machine skews the figures: the 1-minute load average
                    "load_average_before": load_before,
                    "load_average_after": os.getloadavg()[0],
                }
            )
    return {
        "cores": os.cpu_count(),
        "events": region.events,
        "path": region.path,
        "quarter": region.quarter,
        "runs": runs,
    }


def _ms(value: float | None) -> str:
    return f"{value:>8.1f}" if value is not None else f"{'-':>8}"


SEQUENTIAL_HEAD = (
    f"{'role':12} {'page':26} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} "
    f"{'app p50':>8} {'app p95':>8} {'errors':>6}"
)


def _sequential_line(row: dict[str, Any]) -> str:
    return (
        f"{row['role']:12} {row['page']:26} {_ms(row['cold_ms'])} {_ms(row['p50_ms'])} "
        f"{_ms(row['p95_ms'])} {_ms(row['app_p50_ms'])} {_ms(row['app_p95_ms'])} "
        f"{row['errors']:>6}"
    )


def _load_line(workers: int, load: dict[str, Any]) -> str:
    return (
        f"{workers} worker(s), {load['users']} users, {load['seconds']:.0f} s: "
        f"{load['requests']:,} requests ({load['requests_per_s']:.1f}/s), "
        f"{load['errors']} errors, p50 {_ms(load['p50_ms']).strip()} ms, "
        f"p95 {_ms(load['p95_ms']).strip()} ms, max {_ms(load['max_ms']).strip()} ms"
    )


def table(found: dict[str, Any]) -> str:
    """The figures as a short plain-text table."""
    lines = [
        f"Web benchmark: {found['events']:,} events, path {found['path']}, "
        f"quarter {found['quarter']}, {found['cores']} cores; "
        f"sequential = 1 cold + {SEQUENTIAL_REPEATS} warm requests per page (wall time on "
        "loopback; app = Server-Timing)",
    ]
    for run in found["runs"]:
        memory = run["server_rss_mib"]
        lines += [
            "",
            f"{run['workers']} worker(s)"
            + (f", server RSS {memory:.0f} MiB after the load" if memory else "")
            + f", load average {run['load_average_before']:.1f} → "
            f"{run['load_average_after']:.1f}",
            SEQUENTIAL_HEAD,
        ]
        lines += [_sequential_line(row) for row in run["sequential"]]
        lines.append(_load_line(run["workers"], run["concurrent"]))
    return "\n".join(lines)


def save_web(found: dict[str, Any], results: Path) -> Path:
    """Write ``web-<events>.json`` and ``web-<events>.txt`` (the table) to ``results``."""
    results.mkdir(parents=True, exist_ok=True)
    stem = results / f"web-{found['events']}"
    stem.with_suffix(".json").write_text(json.dumps(found, indent=2))
    stem.with_suffix(".txt").write_text(table(found) + "\n")
    return stem.with_suffix(".json")
