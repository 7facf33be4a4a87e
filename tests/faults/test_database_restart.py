"""PostgreSQL restarts under load: while it is down every request gets an answer, either a
success or a 503 with ``Retry-After`` (problem+json with the stable code
``database-unavailable`` from the API, an error page from the HTML front end), never a 500 or a
dropped connection; once it is back the same server process answers normally again, and no
diploma a client was told is issued is missing.

The database is a private cluster started for this test (the suite's shared PostgreSQL is
never restarted).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import httpx
from sqlalchemy import text

from diploma_exchange.db.engine import make_engine
from e2e.test_served import _free_port
from faults.support import accredited_institution, private_cluster, server_env, serving
from helpers import diploma_payload

OUTAGE_SECONDS = 2.0
LOAD_THREADS = ("issue", "issue", "verify", "read", "page")
SUCCESS = {"issue": {201}, "verify": {200}, "read": {200}, "page": {404}}


@dataclass(frozen=True)
class Outcome:
    kind: str
    at: float
    status: int | None  # None: no HTTP answer at all
    content_type: str = ""
    code: str | None = None
    retry_after: str | None = None
    error: str | None = None


def _outcome(kind: str, response: httpx.Response) -> Outcome:
    code = None
    if "json" in response.headers.get("content-type", ""):
        try:
            code = response.json().get("code")
        except ValueError:
            code = "<not json>"
    return Outcome(
        kind,
        time.monotonic(),
        response.status_code,
        response.headers.get("content-type", ""),
        code,
        response.headers.get("retry-after"),
    )


class Load:
    """Threads that issue, verify, read and open pages until stopped, recording every answer."""

    def __init__(self, base: str, api_key: str, credential: dict[str, Any]) -> None:
        self.base = base
        self.auth = {"Authorization": f"Bearer {api_key}"}
        self.credential = credential
        self.outcomes: list[Outcome] = []
        self.issued: dict[str, str] = {}  # Idempotency-Key -> credential id, when 201
        self.unanswered: dict[str, dict[str, Any]] = {}  # key -> body, when 503
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(kind, n))
            for n, kind in enumerate(LOAD_THREADS)
        ]

    def __enter__(self) -> Self:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _record(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def _run(self, kind: str, n: int) -> None:
        step: Callable[[httpx.Client, int], Outcome] = getattr(self, f"_{kind}")
        with httpx.Client(base_url=self.base, timeout=60) as client:
            i = 0
            while not self.stop.is_set():
                i += 1
                try:
                    self._record(step(client, n * 100_000 + i))
                except httpx.HTTPError as exc:
                    self._record(Outcome(kind, time.monotonic(), None, error=repr(exc)))

    def _issue(self, client: httpx.Client, i: int) -> Outcome:
        key, body = str(uuid.uuid4()), diploma_payload(i)
        response = client.post(
            "/v1/diplomas", json=body, headers=self.auth | {"Idempotency-Key": key}
        )
        with self._lock:
            if response.status_code == 201:
                self.issued[key] = response.json()["id"]
            else:
                self.unanswered[key] = body
        return _outcome("issue", response)

    def _verify(self, client: httpx.Client, _: int) -> Outcome:
        response = client.post("/v1/verifications", json=self.credential)
        if response.status_code == 200:
            assert response.json()["verdict"] == "valid", response.text
        return _outcome("verify", response)

    def _read(self, client: httpx.Client, i: int) -> Outcome:
        status_list = self.credential["credentialStatus"][0]["statusListCredential"]
        path = [
            f"/v1/diplomas/{self.credential['id']}",
            "/healthz",
            "/status-lists/" + status_list.rsplit("/", 1)[-1],
        ][i % 3]
        return _outcome("read", client.get(path, headers=self.auth))

    def _page(self, client: httpx.Client, _: int) -> Outcome:
        # A well-formed share-link token that does not exist: the page looks it up (404).
        # Paced: link opening is rate-limited per client (120 a minute).
        time.sleep(0.25)
        response = client.get("/s/" + "x" * 32, headers={"Accept": "text/html"})
        return _outcome("page", response)


def _first_success_after(outcomes: list[Outcome], kind: str, moment: float) -> float | None:
    times = [
        o.at for o in outcomes if o.kind == kind and o.at > moment and o.status in SUCCESS[kind]
    ]
    return min(times) if times else None


def test_postgres_restart_under_load_gives_503_then_recovers(tmp_path: Path) -> None:
    with private_cluster(_free_port()) as cluster:
        port = _free_port()
        env = server_env(cluster.url, port)
        api_key = accredited_institution(env)
        with serving(env, port, tmp_path / "server.log") as server:
            seed = httpx.post(
                f"{server.base}/v1/diplomas",
                json=diploma_payload(0),
                headers={"Authorization": f"Bearer {api_key}"},
                timeout=60,
            )
            assert seed.status_code == 201, seed.text
            with Load(server.base, api_key, seed.json()["verifiableCredential"]) as load:
                time.sleep(2)
                down = time.monotonic()
                cluster.stop("fast")
                time.sleep(OUTAGE_SECONDS)
                cluster.start()
                up = time.monotonic()
                deadline = up + 60
                while time.monotonic() < deadline and any(
                    _first_success_after(load.outcomes, kind, up) is None for kind in SUCCESS
                ):
                    time.sleep(0.1)
                time.sleep(1)  # and a little more normal traffic
            assert server.process.poll() is None, "the server process died"

            outcomes = list(load.outcomes)
            during = [o for o in outcomes if down <= o.at <= up]
            unavailable = [o for o in outcomes if o.status == 503]
            recovered = {kind: _first_success_after(outcomes, kind, up) for kind in SUCCESS}
            print(
                f"\n{len(outcomes)} requests, {len(during)} while the database was down, "
                f"{len(unavailable)} answered 503; first success after the restart: "
                + ", ".join(
                    f"{k} +{(t - up):.2f}s" if t else f"{k} never" for k, t in recovered.items()
                )
            )

            dropped = [o for o in outcomes if o.status is None]
            assert not dropped, f"requests without an answer: {dropped[:5]}"
            wrong = [o for o in outcomes if o.status not in SUCCESS[o.kind] | {503}]
            assert not wrong, f"answers other than success or 503: {wrong[:5]}"
            assert unavailable, "no request saw the outage: the test did not test anything"
            for o in unavailable:
                assert o.retry_after is not None and int(o.retry_after) >= 1, o
                if o.kind == "page":
                    assert o.content_type.startswith("text/html"), o
                else:
                    assert o.content_type.startswith("application/problem+json"), o
                    assert o.code == "database-unavailable", o
            assert all(recovered.values()), f"no success after the restart: {recovered}"

            # The issuances that got a 503 are retried with their Idempotency-Key: each is
            # issued now or replayed (when its commit had gone through), never twice.
            for key, body in load.unanswered.items():
                retry = httpx.post(
                    f"{server.base}/v1/diplomas",
                    json=body,
                    headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": key},
                    timeout=60,
                )
                assert retry.status_code == 201, retry.text
                load.issued[key] = retry.json()["id"]
            expected = set(load.issued.values()) | {seed.json()["id"]}
            engine = make_engine(cluster.url)
            with engine.connect() as conn:
                stored = {str(r[0]) for r in conn.execute(text("SELECT id FROM credential"))}
            engine.dispose()
            assert stored == expected
        log = (tmp_path / "server.log").read_text(errors="replace")
        assert "database unavailable on" in log
        assert "Traceback" not in log, log[-4000:]
        assert api_key not in log
