"""HTTP throughput and latency of verification, against a trivial endpoint of the same server.

Run from the repository root::

    .venv/bin/python benchmarks/http_bench.py [--quick] [--backend sqlite|postgres|both]
        [--postgres] [--connections 8] [--loadgen auto|wrk|python] [--nodelay-shim]
        [--json-out PATH]

For each backend a fresh database (a temporary SQLite file, or a new PostgreSQL database
created and dropped through the ``postgres`` database) is seeded with the command line the
tests use (``tests/cli_support.create_accredited``: this service's NIC, an accredited
university and its API key), then ``python -m diploma_exchange serve --port P --workers N``
runs with 1 worker and 2 workers (``--nodelay-shim`` adds a third run, see ``SERVER_CONFIGS``). One diploma is issued with ``POST /v1/diplomas``; both verification
endpoints must answer ``"verdict": "valid"`` for it before any load.

The load generator is ``wrk`` (one thread, fixed connections, pinned to one CPU with
``taskset``; a Lua script sends the POST body and counts non-200 responses); without
``wrk``, a closed-loop asyncio + httpx generator in a separate process does the same job
(and the output says so). In every round each endpoint gets a warm-up and then a measured
run, in an order that rotates from round to round; the table shows medians over the rounds
and the ratio to ``GET /healthz`` measured on the same server in the same rounds. After the
rounds, probes run on the same server: ``/healthz`` over one connection (a delayed-ACK
stall shows there) and each verification endpoint with more concurrent requests than a
worker has database connections (does the server still answer afterwards?).

Timings are reported, never asserted: see ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
from rich.console import Console
from rich.table import Table

BENCH_DIR: Final = Path(__file__).resolve().parent
ROOT: Final = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT / "tests"))

from run import environment

from cli_support import create_accredited  # tests/cli_support.py
from diploma_exchange.credentials import sample_diploma_data

#: Below the server's 15 database connections per worker (SQLAlchemy's default pool, 5 + 10
#: overflow): from 16 concurrent requests on, POST /v1/verifications deadlocks a worker (see
#: ``probe_concurrency``), so 16 connections would measure a hang, not a rate.
CONNECTIONS: Final = 8
#: Connections of the concurrency probe: twice the pool, held for PROBE_SECONDS.
PROBE_CONNECTIONS: Final = 32
PROBE_SECONDS: Final = 3.0
#: GET /healthz over one keep-alive connection: a median this slow is Nagle's algorithm
#: waiting for the client's delayed ACK (uvicorn --workers N leaves TCP_NODELAY off).
NAGLE_STALL_MS: Final = 30.0
THREADS: Final = 1
DURATION: Final = 10.0
WARMUP: Final = 2.0
ROUNDS: Final = 3
QUICK_DURATION: Final = 3.0
QUICK_WARMUP: Final = 1.0
QUICK_ROUNDS: Final = 1
#: Server configurations: (label, uvicorn workers, TCP_NODELAY shim). The shim is a
#: (label, workers, force TCP_NODELAY with a ``sitecustomize``). The shim row is kept for
#: comparison runs on old commits: ``diploma-exchange serve`` sets TCP_NODELAY itself since
#: the first run of this benchmark found uvicorn's ``--workers N`` path missing it.
SERVER_CONFIGS: Final = (("1", 1, False), ("2", 2, False), ("2+nodelay", 2, True))
NODELAY_SHIM: Final = """\
# Written by benchmarks/http_bench.py: TCP_NODELAY on accepted TCP sockets whatever their
# ``proto`` (uvicorn's --workers N listener reports 0, so asyncio would leave Nagle on).
import asyncio.base_events as _base_events
import socket as _socket


def _set_nodelay(sock):
    if sock.family in {_socket.AF_INET, _socket.AF_INET6} and sock.type == _socket.SOCK_STREAM:
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)


_base_events._set_nodelay = _set_nodelay
"""
#: Seconds a request may take before the load generator counts it as a timeout.
REQUEST_TIMEOUT: Final = 10
SERVER_START_TIMEOUT: Final = 90.0
DEFAULT_JSON_OUT: Final = BENCH_DIR / "results" / "http.json"
DEFAULT_PG_ADMIN_URL: Final = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_ADMIN_ENV: Final = "DIPLOMA_EXCHANGE_BENCH_POSTGRES_URL"
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Endpoint:
    key: str
    method: str
    path: str
    label: str


HEALTHZ: Final = Endpoint("healthz", "GET", "/healthz", "GET /healthz")
VCAPI: Final = Endpoint("vcapi", "POST", "/credentials/verify", "POST /credentials/verify")
V1: Final = Endpoint("v1", "POST", "/v1/verifications", "POST /v1/verifications")
#: The same diploma with its eddsa-jcs-2022 proof alone (the proof set's first proof, which
#: verifies by itself and names the same issued credential): the figure comparable with the
#: runs before diplomas carried a proof set (issue 18).
VCAPI_JCS: Final = Endpoint(
    "vcapi_jcs", "POST", "/credentials/verify", "POST /credentials/verify, JCS proof only"
)
ENDPOINTS: Final = (HEALTHZ, VCAPI_JCS, VCAPI, V1)


# --- load generators -------------------------------------------------------------------------

WRK_LUA: Final = """\
-- Generated by benchmarks/http_bench.py
local body_file = {body_file}
wrk.method = "{method}"
if body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  codes = ""
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if #codes < 80 then
      codes = codes .. status .. " "
    end
  end
end

function done(summary, latency, requests)
  local n, c = 0, ""
  for _, t in ipairs(threads) do
    n = n + t:get("non200")
    c = c .. t:get("codes")
  end
  io.write(string.format("NON200 %d\\n", n))
  io.write(string.format("CODES %s\\n", c))
end
"""

UNITS: Final = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
WRK_PERCENTILE: Final = re.compile(
    r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE
)


def wrk_script(tmp: Path, endpoint: Endpoint, body: bytes | None) -> Path:
    """The Lua script for ``endpoint`` (the body is read from a file next to it)."""
    body_file = ""
    if body is not None:
        path = tmp / f"{endpoint.key}.json"
        path.write_bytes(body)
        body_file = str(path)
    script = tmp / f"{endpoint.key}.lua"
    script.write_text(WRK_LUA.format(body_file=json.dumps(body_file), method=endpoint.method))
    return script


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests, rate, latency percentiles (ms), non-200 and socket errors of a wrk run."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", output)
    if rate is None or total is None:
        raise RuntimeError(f"cannot parse wrk's output:\n{output}")
    percentiles = {
        int(p): float(value) * UNITS[unit] for p, value, unit in WRK_PERCENTILE.findall(output)
    }
    if 50 not in percentiles or 99 not in percentiles:
        raise RuntimeError(f"wrk printed no latency distribution (--latency):\n{output}")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    )
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    non200 = re.search(r"^NON200 (\d+)$", output, re.MULTILINE)
    codes = re.search(r"^CODES (.*)$", output, re.MULTILINE)
    return {
        "requests": int(total.group(1)),
        "seconds": float(total.group(2)) * UNITS[total.group(3)] / 1e3,
        "rps": float(rate.group(1)),
        "p50_ms": percentiles[50],
        "p75_ms": percentiles.get(75),
        "p90_ms": percentiles.get(90),
        "p99_ms": percentiles[99],
        "non200": int(non200.group(1)) if non200 else int(non2xx.group(1)) if non2xx else 0,
        "non200_codes": codes.group(1).split() if codes else [],
        "socket_errors": socket_errors,
    }


class Stalled(RuntimeError):
    """No request completed during a run: the server stopped answering."""


@dataclass(frozen=True, slots=True)
class LoadGenerator:
    """How load is generated: ``wrk`` (pinned with taskset when possible) or the Python one."""

    kind: str  # wrk | python
    cpu: int | None
    connections: int
    threads: int

    def _pin(self) -> list[str]:
        taskset = shutil.which("taskset")
        return [taskset, "-c", str(self.cpu)] if taskset and self.cpu is not None else []

    def describe(self) -> str:
        pinned = f"pinned to CPU {self.cpu}" if self._pin() else "not pinned"
        if self.kind == "wrk":
            return (
                f"wrk, {self.threads} thread, {self.connections} connections, {pinned}, "
                "closed loop (keep-alive)"
            )
        return (
            f"Python asyncio + httpx closed loop (instead of wrk), {self.connections} "
            f"connections, one process, {pinned}"
        )

    def run(
        self,
        url: str,
        endpoint: Endpoint,
        script: Path,
        body: Path | None,
        seconds: float,
        connections: int | None = None,
    ) -> dict[str, Any]:
        """One closed-loop run. Raises Stalled when not a single request completed."""
        connections = connections or self.connections
        if self.kind == "wrk":
            command = [
                *self._pin(),
                "wrk",
                f"-t{self.threads}",
                f"-c{connections}",
                f"-d{seconds:g}s",
                f"--timeout={REQUEST_TIMEOUT}s",
                "--latency",
                "-s",
                str(script),
                url + endpoint.path,
            ]
            parse = parse_wrk
        else:
            spec = {
                "url": url + endpoint.path,
                "method": endpoint.method,
                "body": str(body) if body else None,
                "connections": connections,
                "seconds": seconds,
            }
            command = [*self._pin(), sys.executable, __file__, "--loadgen-child", json.dumps(spec)]

            def parse(output: str) -> dict[str, Any]:
                loaded: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
                return loaded

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 120, check=False
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} exited {done.returncode}: {done.stderr[-2000:]}")
        result = parse(done.stdout)
        if result["requests"] == 0:
            raise Stalled(f"no request of {endpoint.label} completed in {seconds:g} s")
        result["client_cpu_seconds"] = (after.ru_utime - before.ru_utime) + (
            after.ru_stime - before.ru_stime
        )
        return result


def _python_loadgen(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A closed-loop generator: ``connections`` tasks each send a request, wait for the
    answer, and send the next, for ``seconds``."""
    body = Path(spec["body"]).read_bytes() if spec["body"] else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connections = int(spec["connections"])
    latencies: list[float] = []
    codes: dict[int, int] = {}
    errors = 0

    async def main() -> float:
        nonlocal errors
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) as client:
            started = time.perf_counter()
            deadline = started + float(spec["seconds"])

            async def worker() -> None:
                nonlocal errors
                while time.perf_counter() < deadline:
                    start = time.perf_counter()
                    try:
                        response = await client.request(
                            spec["method"], spec["url"], content=body, headers=headers
                        )
                    except httpx.HTTPError:
                        errors += 1
                        continue
                    latencies.append(time.perf_counter() - start)
                    codes[response.status_code] = codes.get(response.status_code, 0) + 1

            await asyncio.gather(*(worker() for _ in range(connections)))
            return time.perf_counter() - started

    seconds = asyncio.run(main())
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3

    non200 = sum(n for code, n in codes.items() if code != 200)
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": pct(0.50),
        "p75_ms": pct(0.75),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "non200": non200,
        "non200_codes": [str(code) for code in codes if code != 200],
        "socket_errors": {"connect": 0, "read": errors, "write": 0, "timeout": 0},
    }


def choose_load_generator(connections: int, console: Console, kind: str = "auto") -> LoadGenerator:
    """wrk when it is installed (or asked for), else the Python generator; pinned to the
    last CPU this process may use."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    cpu = cpus[-1] if cpus else None
    if kind == "python":
        return LoadGenerator("python", cpu, connections, THREADS)
    if shutil.which("wrk"):
        return LoadGenerator("wrk", cpu, connections, THREADS)
    if kind == "wrk":
        raise RuntimeError("wrk is not installed (Debian: apt-get install -y wrk)")
    console.print(
        "[yellow]wrk not found[/yellow] (Debian: apt-get install -y wrk): falling back to a "
        "Python asyncio + httpx closed-loop generator in a separate process; its own overhead "
        "is much larger than wrk's, so it caps the rates of the fast endpoints"
    )
    return LoadGenerator("python", cpu, connections, THREADS)


# --- server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pg_admin_url() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(os.environ.get(PG_ADMIN_ENV, DEFAULT_PG_ADMIN_URL))
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_database(backend: str, tmp: Path) -> Iterator[str]:
    """The URL of a fresh database (the server migrates it), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'http-bench.sqlite3'}"
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from diploma_exchange.db.engine import make_engine

    admin_url = _pg_admin_url()
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"dx_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                stack.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def tree_cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU seconds of a live process and of each live descendant (Linux /proc)."""
    seconds: dict[int, float] = {}
    for process in _descendants(pid):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[process] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return seconds


class Server:
    """``python -m diploma_exchange serve`` in its own process group, log to a file."""

    def __init__(
        self, env: Mapping[str, str], port: int, workers: int, log: Path, label: str = ""
    ) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.workers = workers
        self.label = label or str(workers)
        self.restarts = 0
        self._env, self._port, self._log_path = dict(env), port, log
        self._log = log.open("ab")
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        port, workers = self._port, self.workers
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "diploma_exchange",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=self._env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def restart(self, client: httpx.Client) -> None:
        """Stop the (hung) server and start it again on the same port and database."""
        self._terminate()
        self.restarts += 1
        self.process = self._start()
        self.wait_ready(client)

    def answers(self, client: httpx.Client, timeout: float = 5.0) -> bool:
        """Whether /healthz answers 200 within ``timeout`` seconds."""
        try:
            return client.get(self.url + "/healthz", timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, client: httpx.Client) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited {self.process.returncode}:\n"
                    + self._log_path.read_text(errors="replace")[-3000:]
                )
            try:
                if client.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not answer /healthz in {SERVER_START_TIMEOUT} s")
        # With several workers the first answer comes from one of them: give the others
        # the moment they need to import and bind too (the warm-up covers the rest).
        time.sleep(1.0 * self.workers)

    def cpu_seconds(self) -> dict[int, float]:
        """CPU seconds so far of the server's processes (supervisor and workers), by pid."""
        return tree_cpu_seconds(self.process.pid)

    def _terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group of our own child
                self.process.wait(timeout=10)

    def stop(self) -> None:
        self._terminate()
        self._log.close()


# --- seeding ---------------------------------------------------------------------------------


def seed(env: dict[str, str]) -> str:
    """The NIC, an accredited university (``create_accredited`` of the tests); its API key."""
    created = create_accredited(env, "bench-university", "Bench University")
    if created.returncode != 0:
        raise RuntimeError(f"institutions create failed: {created.stderr}")
    token: str = json.loads(created.stdout)["apiKey"]
    return token


def issue_diploma(client: httpx.Client, url: str, api_key: str) -> dict[str, Any]:
    payload = sample_diploma_data(0).model_dump(mode="json", by_alias=True, exclude_none=True)
    response = client.post(
        url + "/v1/diplomas", json=payload, headers={"Authorization": f"Bearer {api_key}"}
    )
    if response.status_code != 201:
        raise RuntimeError(f"POST /v1/diplomas answered {response.status_code}: {response.text}")
    credential: dict[str, Any] = response.json()["verifiableCredential"]
    return credential


def jcs_only(credential: Mapping[str, Any]) -> dict[str, Any]:
    """``credential`` with the first proof of its proof set alone (its eddsa-jcs-2022 proof)."""
    proof = credential.get("proof")
    return {**credential, "proof": proof[0]} if isinstance(proof, list) else dict(credential)


def check_valid(client: httpx.Client, url: str, bodies: Mapping[str, bytes]) -> dict[str, str]:
    """Both verification endpoints answer 200 with verdict valid for the diploma."""
    verdicts: dict[str, str] = {}
    for endpoint in (VCAPI_JCS, VCAPI, V1):
        response = client.post(
            url + endpoint.path,
            content=bodies[endpoint.key],
            headers={"Content-Type": "application/json"},
        )
        data = response.json()
        verdict = (data.get("report") or {}).get("verdict") if endpoint is not V1 else None
        verdict = verdict or data.get("verdict")
        if response.status_code != 200 or verdict != "valid":
            raise RuntimeError(
                f"{endpoint.label} answered {response.status_code} with verdict {verdict!r}: "
                f"{response.text[:2000]}"
            )
        verdicts[endpoint.key] = verdict
    return verdicts


# --- measurement -----------------------------------------------------------------------------


def measure_server(
    server: Server,
    client: httpx.Client,
    generator: LoadGenerator,
    scripts: Mapping[str, Path],
    bodies: Mapping[str, Path | None],
    rounds: int,
    warmup: float,
    duration: float,
    console: Console,
) -> dict[str, list[dict[str, Any]]]:
    """Per-round results of each endpoint; the order of the endpoints rotates each round.
    A run in which the server stopped answering is recorded as stalled, and the server is
    restarted so that the other figures can still be measured."""
    runs: dict[str, list[dict[str, Any]]] = {e.key: [] for e in ENDPOINTS}
    for round_number in range(rounds):
        shift = round_number % len(ENDPOINTS)
        for endpoint in ENDPOINTS[shift:] + ENDPOINTS[:shift]:
            script, body = scripts[endpoint.key], bodies[endpoint.key]
            try:
                generator.run(server.url, endpoint, script, body, warmup)
                cpu = server.cpu_seconds()
                result = generator.run(server.url, endpoint, script, body, duration)
            except Stalled as exc:
                runs[endpoint.key].append({"stalled": True, "round": round_number + 1})
                console.print(
                    f"  [red]{server.label} worker(s), round {round_number + 1}: {exc}; "
                    "restarting the server[/red]"
                )
                server.restart(client)
                continue
            after = server.cpu_seconds()
            by_process = sorted((after[pid] - cpu.get(pid, 0.0) for pid in after), reverse=True)
            result["server_cpu_seconds"] = sum(by_process)
            # The busiest first: with keep-alive connections, how evenly the kernel handed
            # them to the workers shows here (the supervisor's share is near zero).
            result["server_cpu_seconds_by_process"] = [round(x, 3) for x in by_process]
            result["round"] = round_number + 1
            result["load_average"] = os.getloadavg()[0]
            runs[endpoint.key].append(result)
            console.print(
                f"  {server.label} worker(s), round {round_number + 1}, {endpoint.label}: "
                f"{result['rps']:,.0f} req/s, p50 {result['p50_ms']:.2f} ms, "
                f"p99 {result['p99_ms']:.2f} ms, non-200 {result['non200']}"
            )
    return runs


def summarise(runs: Mapping[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Medians over the rounds that completed, and the ratios to /healthz of the same server."""
    out: dict[str, dict[str, Any]] = {}
    for key, all_rounds in runs.items():
        results = [r for r in all_rounds if not r.get("stalled")]
        stalled = len(all_rounds) - len(results)
        if not results:
            out[key] = {"rounds": all_rounds, "stalled_rounds": stalled, "rps": None}
            continue
        seconds = sum(r["seconds"] for r in results)
        out[key] = {
            "rounds": all_rounds,
            "stalled_rounds": stalled,
            "rps": statistics.median(r["rps"] for r in results),
            "p50_ms": statistics.median(r["p50_ms"] for r in results),
            "p99_ms": statistics.median(r["p99_ms"] for r in results),
            "requests": sum(r["requests"] for r in results),
            "non200": sum(r["non200"] for r in results),
            "socket_errors": sum(sum(r["socket_errors"].values()) for r in results),
            "server_cores": sum(r["server_cpu_seconds"] for r in results) / seconds,
            "busiest_process_cores": sum(r["server_cpu_seconds_by_process"][0] for r in results)
            / seconds,
            "client_cores": sum(r["client_cpu_seconds"] for r in results) / seconds,
        }
    base = out[HEALTHZ.key]
    for figure in out.values():
        if base["rps"] is None or figure["rps"] is None:
            figure["healthz_rps_over_rps"] = figure["p50_over_healthz_p50"] = None
            figure["round_ratios"] = []
            continue
        figure["healthz_rps_over_rps"] = base["rps"] / figure["rps"]
        figure["p50_over_healthz_p50"] = figure["p50_ms"] / base["p50_ms"]
        figure["round_ratios"] = [
            h["rps"] / r["rps"]
            for h, r in zip(base["rounds"], figure["rounds"], strict=True)
            if not h.get("stalled") and not r.get("stalled")
        ]
    return out


def probe_concurrency(
    server: Server,
    client: httpx.Client,
    generator: LoadGenerator,
    scripts: Mapping[str, Path],
    bodies: Mapping[str, Path | None],
    console: Console,
) -> dict[str, dict[str, Any]]:
    """Each verification endpoint under PROBE_CONNECTIONS concurrent requests (more than the
    worker's database pool holds) for PROBE_SECONDS: how many requests completed, and
    whether the server still answers /healthz within 5 s afterwards (restarted if not)."""
    probes: dict[str, dict[str, Any]] = {}
    single = generator.run(
        server.url, HEALTHZ, scripts[HEALTHZ.key], None, PROBE_SECONDS, connections=1
    )
    probes["healthz_one_connection"] = {
        "connections": 1,
        "seconds": PROBE_SECONDS,
        "rps": single["rps"],
        "p50_ms": single["p50_ms"],
        "p99_ms": single["p99_ms"],
        "nagle_stall_suspected": single["p50_ms"] >= NAGLE_STALL_MS,
    }
    console.print(
        f"  probe, {server.label} worker(s), 1 connection, GET /healthz: p50 "
        f"{single['p50_ms']:.2f} ms"
        + (
            " [red](a delayed-ACK stall: TCP_NODELAY is off)[/red]"
            if single["p50_ms"] >= NAGLE_STALL_MS
            else ""
        )
    )
    for endpoint in (VCAPI, V1):
        script, body = scripts[endpoint.key], bodies[endpoint.key]
        try:
            result = generator.run(
                server.url, endpoint, script, body, PROBE_SECONDS, PROBE_CONNECTIONS
            )
            completed, non200 = result["requests"], result["non200"]
        except Stalled:
            completed, non200 = 0, 0
        answers = server.answers(client)
        probes[endpoint.key] = {
            "connections": PROBE_CONNECTIONS,
            "seconds": PROBE_SECONDS,
            "requests_completed": completed,
            "non200": non200,
            "healthz_answers_after": answers,
        }
        colour = "green" if answers else "red"
        console.print(
            f"  probe, {server.label} worker(s), {PROBE_CONNECTIONS} connections, "
            f"{endpoint.label}: {completed} requests in {PROBE_SECONDS:g} s; /healthz "
            f"afterwards: [{colour}]{'answers' if answers else 'NO ANSWER in 5 s'}[/{colour}]"
        )
        if not answers:
            server.restart(client)
    return probes


def run_backend(
    backend: str,
    generator: LoadGenerator,
    rounds: int,
    warmup: float,
    duration: float,
    console: Console,
    configs: Sequence[tuple[str, int, bool]] = SERVER_CONFIGS,
) -> dict[str, Any]:
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="diploma-http-bench-") as tmp_name,
        fresh_database(backend, Path(tmp_name)) as database_url,
        httpx.Client(timeout=30) as client,
    ):
        tmp = Path(tmp_name)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
        env |= {
            "DIPLOMA_EXCHANGE_DATABASE_URL": database_url,
            # did:web refuses IP addresses (as tests/browser does): the public origin, and so
            # the DIDs and status list URLs, name localhost; requests go to 127.0.0.1.
            "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": f"http://localhost:{port}",
            # The load comes from this one host at thousands of requests per second: exempt
            # it from the anonymous verification limit (which would answer 429 within a
            # second), as a deployment exempts its partners' verifiers.
            "DIPLOMA_EXCHANGE_RATE_LIMIT_EXEMPT": '["127.0.0.1/32"]',
        }
        console.print(f"[bold]{backend}[/bold]: seeding (CLI), port {port}")
        api_key = seed(env)
        result: dict[str, Any] = {"workers": {}}
        credential: dict[str, Any] | None = None
        scripts: dict[str, Path] = {}
        body_files: dict[str, Path | None] = {}
        shim = tmp / "nodelay-shim"
        shim.mkdir()
        (shim / "sitecustomize.py").write_text(NODELAY_SHIM)
        for label, workers, nodelay in configs:
            server_env = dict(env)
            if nodelay:
                server_env["PYTHONPATH"] = os.pathsep.join(
                    p for p in (str(shim), env.get("PYTHONPATH", "")) if p
                )
            server = Server(server_env, port, workers, tmp / f"server-{label}.log", label)
            try:
                server.wait_ready(client)
                if credential is None:
                    credential = issue_diploma(client, server.url, api_key)
                    bodies = {
                        VCAPI_JCS.key: json.dumps(
                            {"verifiableCredential": jcs_only(credential)}
                        ).encode(),
                        VCAPI.key: json.dumps({"verifiableCredential": credential}).encode(),
                        V1.key: json.dumps(credential).encode(),
                    }
                    for endpoint in ENDPOINTS:
                        body = bodies.get(endpoint.key)
                        scripts[endpoint.key] = wrk_script(tmp, endpoint, body)
                        body_files[endpoint.key] = (
                            tmp / f"{endpoint.key}.json" if body is not None else None
                        )
                    result["credential_id"] = credential["id"]
                    result["body_bytes"] = {k: len(v) for k, v in bodies.items()}
                verdicts = check_valid(client, server.url, bodies)
                runs = measure_server(
                    server,
                    client,
                    generator,
                    scripts,
                    body_files,
                    rounds,
                    warmup,
                    duration,
                    console,
                )
                probe = probe_concurrency(server, client, generator, scripts, body_files, console)
            finally:
                server.stop()
            result["workers"][label] = {
                "workers": workers,
                "tcp_nodelay_shim": nodelay,
                "verdicts": verdicts,
                "endpoints": summarise(runs),
                "concurrency_probe": probe,
                "server_restarts": server.restarts,
            }
    result["runtime_seconds"] = time.perf_counter() - started
    return result


def run_http_benchmark(
    quick: bool,
    *,
    backends: Sequence[str] = ("sqlite",),
    rounds: int | None = None,
    duration: float | None = None,
    warmup: float | None = None,
    connections: int = CONNECTIONS,
    nodelay_shim: bool = False,
    loadgen: str = "auto",
    console: Console | None = None,
) -> dict[str, Any]:
    """Run the HTTP benchmark and return the results (JSON-ready), for embedding elsewhere."""
    configs = [c for c in SERVER_CONFIGS if nodelay_shim or not c[2]]
    console = console or Console(stderr=True)
    rounds = rounds or (QUICK_ROUNDS if quick else ROUNDS)
    duration = duration or (QUICK_DURATION if quick else DURATION)
    warmup = warmup or (QUICK_WARMUP if quick else WARMUP)
    generator = choose_load_generator(connections, console, loadgen)
    started = time.perf_counter()
    env = environment()
    per_backend = {
        backend: run_backend(backend, generator, rounds, warmup, duration, console, configs)
        for backend in backends
    }
    cores = env["usable_cores"] or env["cores"]
    notes = [
        f"load generator: {generator.describe()}",
        (
            f"the client shares the machine's {cores} cores with the server (and anything else "
            "running): with 2 workers on 2 cores the server and the client compete, so the "
            "2-worker rates are a lower bound of what 2 cores give the server alone; 'server "
            "cores' and 'client cores' are the CPU seconds each used per second of load"
        ),
        (
            "uvicorn as `diploma-exchange serve` starts it: access log on (to a file), "
            "HTTP/1.1 keep-alive"
        ),
        (
            "× /healthz time = /healthz req/s ÷ the endpoint's req/s on the same server, "
            "medians of the same rounds"
        ),
        (
            f"{connections} connections, not 16: each worker has 15 database connections "
            "(SQLAlchemy's default pool) and POST /v1/verifications, an async handler that "
            "runs the synchronous verification on the event loop, deadlocks the worker once "
            "more requests than that are in flight (see the concurrency probe)"
        ),
    ]
    stalls = sorted(
        {
            f"{backend} {workers} worker(s)"
            for backend, result in per_backend.items()
            for workers, per_workers in result["workers"].items()
            if per_workers["concurrency_probe"]["healthz_one_connection"]["nagle_stall_suspected"]
        }
    )
    if stalls:
        notes.append(
            f"{', '.join(stalls)}: GET /healthz over one keep-alive connection takes >= "
            f"{NAGLE_STALL_MS:g} ms: uvicorn binds the socket of --workers N without "
            "IPPROTO_TCP, so asyncio leaves TCP_NODELAY off and each response waits for the "
            "client's delayed ACK (~40 ms on Linux); those rows measure that stall, not the "
            "server's capacity"
        )
    if nodelay_shim:
        notes.append(
            "2+nodelay: 2 workers with a sitecustomize (on the server's PYTHONPATH only) that "
            "sets TCP_NODELAY on every accepted socket: what the service would give once "
            "`serve` binds its socket with IPPROTO_TCP; not the service as shipped"
        )
    return {
        "environment": env,
        "parameters": {
            "quick": quick,
            "rounds": rounds,
            "duration_seconds": duration,
            "warmup_seconds": warmup,
            "connections": connections,
            "threads": generator.threads,
            "load_generator": generator.kind,
            "client_cpu": generator.cpu,
            "server_configs": [
                {"label": label, "workers": workers, "tcp_nodelay_shim": nodelay}
                for label, workers, nodelay in configs
            ],
            "backends": list(backends),
        },
        "notes": notes,
        "backends": per_backend,
        "load_average_at_end": list(os.getloadavg()),
        "runtime_seconds": time.perf_counter() - started,
    }


# --- output ----------------------------------------------------------------------------------


def render(results: Mapping[str, Any], console: Console) -> None:
    env, params = results["environment"], results["parameters"]
    console.print(
        f"[bold]HTTP benchmark[/bold]  {env['cpu']}, {env['cores']} cores, Python "
        f"{env['python']}; {params['rounds']} round(s) of {params['duration_seconds']:g} s "
        f"after {params['warmup_seconds']:g} s warm-up per endpoint, medians; load average "
        f"{env['load_average_at_start'][0]:.2f} at start, {results['load_average_at_end'][0]:.2f} "
        "at end"
    )
    table = Table(title="verification over HTTP vs. GET /healthz on the same server")
    for name, justify in (
        ("backend", "left"),
        ("endpoint", "left"),
        ("workers", "right"),
        ("req/s", "right"),
        ("p50 ms", "right"),
        ("p99 ms", "right"),
        ("× /healthz time", "right"),
        ("non-200", "right"),
        ("server cores (busiest process)", "right"),
        ("client cores", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for backend, result in results["backends"].items():
        for workers, per_workers in result["workers"].items():
            table.add_section()
            for endpoint in ENDPOINTS:
                figure = per_workers["endpoints"][endpoint.key]
                if figure["rps"] is None:
                    table.add_row(
                        backend,
                        endpoint.label,
                        workers,
                        f"[red]stalled in all {figure['stalled_rounds']} rounds[/red]",
                    )
                    continue
                errors = figure["non200"] + figure["socket_errors"]
                if figure["stalled_rounds"]:
                    errors_text = f"[red]{errors}, {figure['stalled_rounds']} stalled[/red]"
                else:
                    errors_text = f"[red]{errors}[/red]" if errors else "0"
                ratio = figure["healthz_rps_over_rps"]
                table.add_row(
                    backend,
                    endpoint.label,
                    workers,
                    f"{figure['rps']:,.0f}",
                    f"{figure['p50_ms']:,.2f}",
                    f"{figure['p99_ms']:,.2f}",
                    "" if endpoint is HEALTHZ or ratio is None else f"{ratio:,.1f}×",
                    errors_text,
                    f"{figure['server_cores']:.2f} ({figure['busiest_process_cores']:.2f})",
                    f"{figure['client_cores']:.2f}",
                )
    console.print(table)
    for note in results["notes"]:
        console.print(f"• {note}")
    for backend, result in results["backends"].items():
        probes = []
        for workers, per_workers in result["workers"].items():
            single = per_workers["concurrency_probe"]["healthz_one_connection"]
            probes.append(
                f"{workers} worker(s) GET /healthz over 1 connection: p50 "
                f"{single['p50_ms']:.2f} ms"
                + (" [red](delayed-ACK stall)[/red]" if single["nagle_stall_suspected"] else "")
            )
            for key, probe in per_workers["concurrency_probe"].items():
                if key not in (VCAPI.key, V1.key):
                    continue
                label = VCAPI.label if key == VCAPI.key else V1.label
                state = "answers" if probe["healthz_answers_after"] else "[red]HUNG[/red]"
                probes.append(
                    f"{workers} worker(s) {label}: {probe['requests_completed']} requests, "
                    f"then /healthz {state}"
                )
        console.print(
            f"{backend}: probes ({PROBE_SECONDS:g} s each; the POST ones with "
            f"{PROBE_CONNECTIONS} connections): " + "; ".join(probes)
        )
        console.print(f"{backend}: {result['runtime_seconds']:,.0f} s")
    console.print(f"whole script: {results['runtime_seconds']:,.0f} s")


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_ROUNDS} round of {QUICK_DURATION:g} s after {QUICK_WARMUP:g} s warm-up",
    )
    parser.add_argument("--json-out", type=Path, default=DEFAULT_JSON_OUT)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="PostgreSQL instead of SQLite (= --backend postgres)",
    )
    parser.add_argument("--rounds", type=int, help=f"rounds (default {ROUNDS})")
    parser.add_argument("--duration", type=float, help=f"seconds per run (default {DURATION:g})")
    parser.add_argument("--warmup", type=float, help=f"warm-up seconds (default {WARMUP:g})")
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument(
        "--nodelay-shim",
        dest="nodelay_shim",
        action="store_true",
        help="add a 2-worker run with TCP_NODELAY forced on (for commits before serve set it)",
    )
    parser.add_argument(
        "--loadgen",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator (auto: wrk when installed, else the Python one)",
    )
    parser.add_argument("--loadgen-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.postgres:
        args.backend = "postgres"
    for name in ("rounds", "duration", "warmup"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            parser.error(f"--{name} must be positive")
    if args.connections < 1:
        parser.error("--connections must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.loadgen_child:
        print(json.dumps(_python_loadgen(json.loads(args.loadgen_child))))
        return 0
    console = Console(width=None if sys.stdout.isatty() else 140)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results = run_http_benchmark(
        args.quick,
        backends=backends,
        rounds=args.rounds,
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        nodelay_shim=args.nodelay_shim,
        loadgen=args.loadgen,
        console=console,
    )
    render(results, console)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    console.print(f"results written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
