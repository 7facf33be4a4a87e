"""What the fault tests share: real ``serve`` processes in their own process group (so that a
SIGKILL takes the whole server, workers included), a fresh database on the suite's
PostgreSQL, and a private PostgreSQL cluster that a test may stop and start at will."""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from cli_support import create_accredited
from conftest import _drop_postgres, _make_postgres, _postgres_url
from vector_files import in_ci


def unavailable(message: str) -> None:
    """Skip the test, or fail it under CI (CI must not pass by skipping fault tests)."""
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def server_env(database_url: str, public_port: int, **extra: str) -> dict[str, str]:
    """A clean environment for ``diploma-exchange`` with the fault tests' settings:
    batches up to the 2000-diploma limit fit the body limit, and loopback clients are
    exempt from the anonymous-verification rate limit (the load comes from one address)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    env |= {
        "DIPLOMA_EXCHANGE_DATABASE_URL": database_url,
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": f"http://localhost:{public_port}",
        "DIPLOMA_EXCHANGE_MAX_BODY_BYTES": str(16 * 1024 * 1024),
        "DIPLOMA_EXCHANGE_RATE_LIMIT_EXEMPT": '["127.0.0.1/32"]',
    }
    env |= extra
    return env


def accredited_institution(env: dict[str, str]) -> str:
    """Create the NIC and an accredited university with the CLI; return its API key."""
    created = create_accredited(env, "kaznu", "Al-Farabi Kazakh National University")
    assert created.returncode == 0, created.stderr
    return str(json.loads(created.stdout)["apiKey"])


@dataclass
class Server:
    """A ``diploma-exchange serve`` process leading its own process group."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown handler, no rollback, no flush."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # leftovers of the group (a worker that ignored SIGTERM)

    def rss_kib(self) -> int:
        """Resident memory (VmRSS) of the server process, in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError(f"no VmRSS for pid {self.process.pid}")


def start_server(env: dict[str, str], port: int, log: Path, *, timeout: float = 60) -> Server:
    """Start ``serve`` on ``port`` and return once ``/healthz`` answers 200."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "diploma_exchange", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"server on port {port} did not start:\n{server.output()}")
        time.sleep(0.1)


@contextmanager
def serving(env: dict[str, str], port: int, log: Path) -> Iterator[Server]:
    server = start_server(env, port, log)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the suite's PostgreSQL (dropped afterwards)."""
    base = _postgres_url()
    if base is None:
        unavailable("PostgreSQL is not reachable (set DIPLOMA_EXCHANGE_TEST_POSTGRES_URL)")
        raise AssertionError("unreachable")
    url, engine, name = _make_postgres(base)
    engine.dispose()
    try:
        yield url
    finally:
        _drop_postgres(base, name)


# --- a private PostgreSQL cluster -----------------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


@dataclass
class PrivateCluster:
    """A throw-away PostgreSQL cluster in a temporary folder, owned by the ``postgres`` user."""

    bin: Path
    data: Path
    port: int
    as_postgres: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return result

    def start(self) -> None:
        self.pg_ctl("-w", "-l", str(self.data.parent / "postgres.log"), "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-w", "-m", mode, "stop")


@contextmanager
def private_cluster(port: int) -> Iterator[PrivateCluster]:
    """initdb + pg_ctl a cluster on 127.0.0.1:``port`` (trust auth, no fsync), run as the
    ``postgres`` OS user (through ``runuser`` when the tests run as root). Always removed."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        unavailable("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
        raise AssertionError("unreachable")
    try:
        postgres = pwd.getpwnam("postgres")
    except KeyError:
        unavailable("there is no `postgres` OS user to run a private cluster")
        raise AssertionError("unreachable") from None
    if os.geteuid() == 0:
        as_postgres = ["runuser", "-u", "postgres", "--"]
    elif os.geteuid() == postgres.pw_uid:
        as_postgres = []
    else:
        unavailable("a private PostgreSQL cluster needs to run as root or as `postgres`")
        raise AssertionError("unreachable")
    # Not under pytest's tmp_path: its folders are private to root, and the cluster runs as
    # `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="dx-faults-pg-"))
    cluster = PrivateCluster(bin_dir, folder / "data", port, as_postgres)
    started = False
    try:
        os.chown(folder, postgres.pw_uid, postgres.pw_gid)
        init = subprocess.run(
            [*as_postgres, str(bin_dir / "initdb"), "-D", str(cluster.data), "-U", "postgres",
             "-A", "trust", "--no-sync", "-E", "UTF8"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert init.returncode == 0, init.stdout + init.stderr
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{folder}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        cluster.start()
        started = True
        yield cluster
    finally:
        if started:
            cluster.pg_ctl("-w", "-m", "immediate", "stop", check=False)
        shutil.rmtree(folder, ignore_errors=True)


def database_name(url: str) -> str:
    return str(make_url(url).database)
