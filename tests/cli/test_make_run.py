"""`make run` is safe to repeat: the demo says where a running one is instead of re-seeding,
refuses a port another program holds, prints every link with the port asked for, and
installs only what the service runs on."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest

from cli_support import run_cli

ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = ("pytest", "mypy", "ruff", "playwright", "schemathesis", "hypothesis", "pip-audit")


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"status": "ok"}).encode()
        self.send_response(200 if self.path == "/healthz" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def running_server() -> Iterator[int]:
    """Something answering like a running diploma-exchange (its health check) on a port."""
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def other_program() -> Iterator[int]:
    """A port held by a program that is not this service (it accepts and says nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        yield listener.getsockname()[1]


def test_a_second_run_points_to_the_first_and_changes_nothing(
    tmp_path: Path, running_server: int
) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db"}
    result = run_cli("demo", "--port", str(running_server), env=env, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"already running at http://localhost:{running_server}/" in result.stdout
    assert not (tmp_path / "demo.db").exists()  # nothing seeded, no claim link replaced


def test_a_port_taken_by_another_program_is_named(tmp_path: Path, other_program: int) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db"}
    result = run_cli("demo", "--port", str(other_program), env=env, cwd=ROOT)
    assert result.returncode == 64, result.stdout + result.stderr
    assert f"port {other_program}" in result.stderr and "PORT=" in result.stderr
    assert not (tmp_path / "demo.db").exists()


def test_every_printed_link_uses_the_port_and_repeats(tmp_path: Path) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db"}
    first = run_cli("demo", "--no-serve", "--port", "8011", env=env, cwd=ROOT)
    assert first.returncode == 0, first.stdout + first.stderr
    links = re.findall(r"https?://[^\s']+", first.stdout)
    assert links and all(
        link == "http://localhost:8011" or link.startswith("http://localhost:8011/")
        for link in links
    ), links
    # the command line on this data is told the base URL (else it re-signs status lists
    # under http://localhost:8000, which is not where this demo's credentials point)
    assert "export DIPLOMA_EXCHANGE_PUBLIC_BASE_URL=http://localhost:8011\n" in first.stdout
    claims = [link for link in links if "/claim/" in link]
    assert claims
    second = run_cli("demo", "--no-serve", "--port", "8011", env=env, cwd=ROOT)
    assert second.returncode == 0, second.stderr
    # the same links again: the first run's printed claim links still work
    assert [
        link for link in re.findall(r"https?://[^\s']+", second.stdout) if "/claim/" in link
    ] == claims


def test_another_port_on_existing_demo_data_is_pointed_out(tmp_path: Path) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db"}
    assert run_cli("demo", "--no-serve", "--port", "8011", env=env, cwd=ROOT).returncode == 0
    moved = run_cli("demo", "--no-serve", "--port", "8022", env=env, cwd=ROOT)
    assert moved.returncode == 0, moved.stderr
    assert "created for another address" in moved.stdout
    again = run_cli("demo", "--no-serve", "--port", "8011", env=env, cwd=ROOT)
    assert "another address" not in again.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_make_run_serves_on_the_port_it_prints(tmp_path: Path) -> None:
    """`make run PORT=...` really serves: the demo binds 127.0.0.1 and answers its printed
    health link (before: the bind address was overwritten by the DIDs' host, "localhost%3A<port>",
    and uvicorn exited with "Name or service not known" after printing the links)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    env["DIPLOMA_EXCHANGE_DATABASE_URL"] = f"sqlite:///{tmp_path}/demo.db"
    server = subprocess.Popen(
        [sys.executable, "-m", "diploma_exchange", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        answer = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2.0)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        exited = server.poll()
        assert answer is not None and answer.status_code == 200, (
            f"the demo server never answered (exit code {exited})"
        )
        assert answer.json()["status"] == "ok"
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"http://localhost:{port}/healthz" in output, output


def test_make_run_installs_only_the_runtime_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run_rule = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "$(RUN_STAMP)" in run_rule and "--port $(PORT)" in run_rule
    runtime_rule = makefile.split("$(RUN_STAMP): ", 1)[1].split("\n\n", 1)[0]
    assert "--require-hashes -r requirements-runtime.lock" in runtime_rule
    test_rule = makefile.split("\ntest:", 1)[1].split("\n", 1)[0]
    assert "$(STAMP)" in test_rule and "RUN_STAMP" not in test_rule


def test_the_runtime_lock_is_up_to_date_and_has_no_test_tools() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "runtime_lock", ROOT / "tools" / "runtime_lock.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (ROOT / "requirements-runtime.lock").read_text(encoding="utf-8")
    assert text == module.runtime_lock(), "run `python tools/runtime_lock.py` (or `make lock`)"
    pinned = set(re.findall(r"^([a-z0-9][a-z0-9._-]*)==", text, re.MULTILINE))
    assert {"fastapi", "uvicorn", "cryptography", "sqlalchemy"} <= pinned
    assert not pinned & set(TEST_TOOLS)
    full = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    for block in text.split("\n")[4:]:  # every runtime pin and hash is the full lock's
        if block.strip():
            assert block in full
