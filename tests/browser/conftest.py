"""Fixtures for the real-browser tests: a served instance over HTTP, Debian's Chromium driven
by Playwright (never a downloaded browser), diplomas issued over the API, and screenshots.

Chromium comes from ``CHROMIUM`` (default ``/usr/bin/chromium``). When it, or the Playwright
package, is missing the tests skip locally and fail under ``CI=true``, so that CI cannot pass
by silently skipping them. Screenshots go to ``SCREENSHOT_DIR`` (default
``<repo>/test-artifacts/screenshots``), one full-page PNG per step: ``<test>-<step>.png``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import log_scan
from cli_support import create_accredited
from helpers import diploma_payload
from vector_files import in_ci

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

REPO = Path(__file__).resolve().parents[2]
INSTITUTION = "Al-Farabi Kazakh National University"


def _missing(message: str) -> None:
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Served:
    base: str
    api_key: str = field(repr=False)
    tmp: Path

    @property
    def log(self) -> Path:
        return self.tmp / "server.log"


@dataclass(frozen=True)
class Issued:
    credential: dict[str, Any]
    claim_code: str
    claim_url: str
    payload: dict[str, Any]

    @property
    def holder_names(self) -> list[str]:
        """Every spelling of the graduate's name (none may leak on a refused link)."""
        names: dict[str, str] = self.payload["full_name"]
        return [n for n in names.values() if n]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("browser")
    port = _free_port()
    # did:web refuses IP addresses, so the public origin is localhost; the browser uses it
    # everywhere (claim and share URLs are built from it) so cookies always match.
    base = f"http://localhost:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    env.update(
        {
            "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp}/browser.db",
            "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": base,
        }
    )
    created = create_accredited(env, "kaznu", INSTITUTION)
    assert created.returncode == 0, f"creating the institution failed: {created.stderr}"
    api_key = json.loads(created.stdout)["apiKey"]
    log_scan.record("api-key", api_key)
    log_scan.watch(tmp / "server.log")  # scanned for secrets at the end of the session
    log = (tmp / "server.log").open("wb", buffering=0)
    server = subprocess.Popen(
        [sys.executable, "-m", "diploma_exchange", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts it slowly
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(
                    "server did not start:\n" + (tmp / "server.log").read_text(errors="replace")
                )
            time.sleep(0.2)
        yield Served(base, api_key, tmp)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


_next_diploma = iter(range(100, 10_000))


@pytest.fixture
def issue(served: Served) -> Callable[[], Issued]:
    """Issue a fresh diploma (a different graduate each call) and return it with its claim."""

    def _issue() -> Issued:
        payload = diploma_payload(next(_next_diploma))
        response = httpx.post(
            f"{served.base}/v1/diplomas",
            json=payload,
            headers={"Authorization": f"Bearer {served.api_key}"},
            timeout=30,
        )
        assert response.status_code == 201, f"issuing failed: {response.text}"
        body = response.json()
        claim = body["claim"]
        assert claim and claim["url"].startswith(served.base + "/claim/"), claim
        return Issued(body["verifiableCredential"], claim["code"], claim["url"], payload)

    return _issue


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).is_file():
        _missing(f"Chromium not found at {executable} (apt-get install chromium, or set CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=executable, args=["--no-sandbox"], headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


def _screenshot_dir() -> Path:
    configured = os.environ.get("SCREENSHOT_DIR")
    directory = Path(configured) if configured else REPO / "test-artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``shot(page, "step")`` saves a full-page screenshot named after the test and step."""
    directory = _screenshot_dir()
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    count = iter(range(1, 100))

    def _shot(page: Page, step: str) -> Path:
        path = directory / f"{test}-{next(count):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


TIMEOUT_MS = 15_000


@dataclass
class _Opened:
    """The contexts one test opened, for closing and for diagnosing a failure."""

    served: Served
    contexts: list[BrowserContext]

    def diagnose(self, test: str) -> str:
        notes = []
        pages = [page for context in self.contexts for page in context.pages]
        for n, page in enumerate(pages, 1):
            path = _screenshot_dir() / f"{test}-failed-{n}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                notes.append(f"page {n} was at {page.url}; screenshot {path}")
            except Exception as exc:  # noqa: BLE001 - best effort: the page may be gone
                notes.append(f"page {n}: no screenshot ({exc})")
        lines = self.served.log.read_text(errors="replace").splitlines()
        notes.append("server log (last 40 lines):")
        notes.extend(lines[-40:])
        return "\n".join(notes)


_OPENED = pytest.StashKey[_Opened]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    opened = item.stash.get(_OPENED, None)
    if report.when == "call" and report.failed and opened is not None:
        test = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name)
        report.sections.append(("browser diagnostics", opened.diagnose(test)))
    return report


@pytest.fixture
def new_context(
    browser: Browser, served: Served, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context(**options)``: a browser context in English, closed after the test. When
    the test fails, every open page is screenshotted (``<test>-failed-<n>.png``) and the end of
    the server's log joins the report (its temporary directory does not outlive the run)."""
    opened = _Opened(served, [])
    request.node.stash[_OPENED] = opened

    def _new(**options: Any) -> BrowserContext:
        context = browser.new_context(locale="en-US", **options)
        context.set_default_timeout(TIMEOUT_MS)
        opened.contexts.append(context)
        return context

    yield _new
    for context in opened.contexts:
        context.close()
