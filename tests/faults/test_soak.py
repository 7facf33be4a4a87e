"""Mixed soak: two ``serve`` processes on one PostgreSQL database under a load generator that
issues (single diplomas and small batches), verifies (``/v1/verifications`` and the VC-API
``/credentials/verify``), reads, and revokes, suspends and reinstates, for ``SOAK_SECONDS``
(short in the normal suite; ``make soak`` runs it for minutes).

Afterwards: no 5xx and no dropped connection; exactly the diplomas the clients were told are
issued exist (none lost, none twice); every diploma has its two status indexes, unique per
list; the stored state and the published bits match the clients' record of status changes;
and each server's resident memory did not grow by more than a generous bound after warm-up.
"""

from __future__ import annotations

import collections
import os
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from diploma_exchange.db.engine import make_engine
from diploma_exchange.status import Bitstring
from e2e.test_served import _free_port
from faults.support import (
    Server,
    accredited_institution,
    fresh_postgres_database,
    server_env,
    start_server,
)
from helpers import diploma_payload

SECONDS = float(os.environ.get("SOAK_SECONDS", "12"))
THREADS = int(os.environ.get("SOAK_THREADS", "6"))
SERVERS = 2
#: Memory may grow by this share or this many KiB after warm-up, whichever is larger.
RSS_GROWTH_SHARE = 0.25
RSS_GROWTH_KIB = 40 * 1024
OPERATIONS = {"issue": 20, "batch": 6, "verify": 30, "vcapi": 10, "status": 16, "read": 18}
EXPECTED = {
    "issue": {201},
    "batch": {201},
    "verify": {200},
    "vcapi": {200, 400},  # 400: `verified: false` for a revoked or suspended diploma
    "status": {201},
    "read": {200},
}
NEXT_STATES = {
    "active": [("suspend", "suspended", "investigation"), ("revoke", "revoked", "fraud")],
    "suspended": [("reinstate", "active", "investigation-closed"), ("revoke", "revoked", "fraud")],
}


@dataclass
class Worker:
    """One load thread's record: what it was told, and the diplomas it alone may change."""

    statuses: collections.Counter[tuple[str, int | None]] = field(
        default_factory=collections.Counter
    )
    failures: list[str] = field(default_factory=list)
    issuance_requests: int = 0
    owned: dict[str, str] = field(default_factory=dict)  # credential id -> state


class Soak:
    def __init__(self, servers: list[Server], api_key: str) -> None:
        self.servers = servers
        self.auth = {"Authorization": f"Bearer {api_key}"}
        self.workers = [Worker() for _ in range(THREADS)]
        self.issued: dict[str, dict[str, Any]] = {}  # id -> credential, shared
        self.stable: list[str] = []  # never status-changed: must always verify as valid
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def run(self, n: int) -> None:
        worker, rng = self.workers[n], random.Random(n)
        clients = [httpx.Client(base_url=s.base, timeout=120) for s in self.servers]
        try:
            i = 0
            while not self.stop.is_set():
                i += 1
                op = rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
                if op in ("verify", "vcapi", "read") and not self.issued:
                    op = "issue"
                if op == "status" and not any(s != "revoked" for s in worker.owned.values()):
                    op = "issue"
                client = clients[i % len(clients)]
                try:
                    status = getattr(self, f"_{op}")(client, worker, rng, n * 10_000_000 + i)
                except httpx.HTTPError as exc:
                    status = None
                    worker.failures.append(f"{op}: {exc!r}")
                worker.statuses[(op, status)] += 1
        finally:
            for client in clients:
                client.close()

    def _issued(
        self, worker: Worker, credentials: list[dict[str, Any]], rng: random.Random
    ) -> None:
        worker.issuance_requests += 1
        with self.lock:
            for credential in credentials:
                self.issued[credential["id"]] = credential
                if rng.random() < 0.3:
                    self.stable.append(credential["id"])
                else:
                    worker.owned[credential["id"]] = "active"

    def _issue(self, client: httpx.Client, worker: Worker, rng: random.Random, i: int) -> int:
        response = client.post(
            "/v1/diplomas",
            json=diploma_payload(i),
            headers=self.auth | {"Idempotency-Key": str(uuid.uuid4())},
        )
        if response.status_code == 201:
            self._issued(worker, [response.json()["verifiableCredential"]], rng)
        return response.status_code

    def _batch(self, client: httpx.Client, worker: Worker, rng: random.Random, i: int) -> int:
        body = {"diplomas": [diploma_payload(i * 10 + k) for k in range(rng.randint(2, 5))]}
        response = client.post(
            "/v1/diplomas/batch",
            json=body,
            headers=self.auth | {"Idempotency-Key": str(uuid.uuid4())},
        )
        if response.status_code == 201:
            batch = response.json()["credentials"]
            self._issued(worker, [c["verifiableCredential"] for c in batch], rng)
        return response.status_code

    def _pick(self, rng: random.Random) -> tuple[dict[str, Any], bool]:
        with self.lock:
            if self.stable and rng.random() < 0.5:
                return self.issued[rng.choice(self.stable)], True
            return self.issued[rng.choice(list(self.issued))], False

    def _verify(self, client: httpx.Client, worker: Worker, rng: random.Random, _: int) -> int:
        credential, stable = self._pick(rng)
        response = client.post("/v1/verifications", json=credential)
        if response.status_code == 200 and stable and response.json()["verdict"] != "valid":
            deciding = [
                (c["name"], c["status"], c["code"], c["message"][:200])
                for c in response.json()["checks"]
                if c["mandatory"] and c["status"] != "passed"
            ]
            worker.failures.append(f"verify: {credential['id']} not valid: {deciding}")
        return response.status_code

    def _vcapi(self, client: httpx.Client, worker: Worker, rng: random.Random, _: int) -> int:
        credential, stable = self._pick(rng)
        response = client.post("/credentials/verify", json={"verifiableCredential": credential})
        if stable and (response.status_code != 200 or response.json().get("verified") is not True):
            worker.failures.append(f"vcapi: {credential['id']} not verified: {response.text[:300]}")
        return response.status_code

    def _read(self, client: httpx.Client, worker: Worker, rng: random.Random, _: int) -> int:
        credential, _stable = self._pick(rng)
        if rng.random() < 0.5:
            return client.get(f"/v1/diplomas/{credential['id']}", headers=self.auth).status_code
        url = credential["credentialStatus"][0]["statusListCredential"]
        return client.get("/status-lists/" + url.rsplit("/", 1)[-1]).status_code

    def _status(self, client: httpx.Client, worker: Worker, rng: random.Random, _: int) -> int:
        changeable = [c for c, s in worker.owned.items() if s != "revoked"]
        credential_id = rng.choice(changeable)
        action, new_state, reason = rng.choice(NEXT_STATES[worker.owned[credential_id]])
        response = client.post(
            f"/v1/diplomas/{credential_id}/status-changes",
            json={"action": action, "reasonCode": reason},
            headers=self.auth,
        )
        if response.status_code == 201:
            worker.owned[credential_id] = new_state
        return response.status_code


def _check_database(url: str, soak: Soak) -> dict[str, int]:
    states = {c: s for w in soak.workers for c, s in w.owned.items()}
    states |= dict.fromkeys(soak.stable, "active")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            stored = {
                str(r[0]): str(r[1]) for r in conn.execute(text("SELECT id, state FROM credential"))
            }
            batches = conn.execute(text("SELECT count(*) FROM issuance_batch")).scalar_one()
            allocations = conn.execute(
                text(
                    'SELECT a.credential_id, a.list_id, a."index", l.purpose '
                    "FROM status_allocation a JOIN status_list l ON l.id = a.list_id"
                )
            ).all()
            bits = {
                str(r[0]): Bitstring.from_bytes(bytes(r[1]))
                for r in conn.execute(text("SELECT id, bitstring FROM status_list"))
            }
    finally:
        engine.dispose()

    # No lost and no extra diploma; one batch row per issuance request the clients saw succeed.
    assert set(stored) == set(soak.issued) == set(states), (
        f"lost: {len(set(soak.issued) - set(stored))}, unknown: {len(set(stored) - set(soak.issued))}"
    )
    assert batches == sum(w.issuance_requests for w in soak.workers)
    # Two indexes per diploma (revocation and suspension), unique per list.
    per_credential = collections.Counter(str(r[0]) for r in allocations)
    assert set(per_credential) == set(stored) and set(per_credential.values()) == {2}
    assert len({(r[1], r[2]) for r in allocations}) == len(allocations)
    # The stored state and the published bits are what the clients' status changes made.
    wrong_state = {c: (s, states[c]) for c, s in stored.items() if s != states[c]}
    assert not wrong_state, (
        f"state differs from the clients' record: {list(wrong_state.items())[:5]}"
    )
    for credential_id, list_id, index, purpose in allocations:
        state = states[str(credential_id)]
        bit = bits[str(list_id)].get(int(index))
        if purpose == "revocation":
            assert bit == (state == "revoked"), (credential_id, purpose, state)
        elif state != "revoked":
            assert bit == (state == "suspended"), (credential_id, purpose, state)
    return collections.Counter(states.values())


def test_mixed_soak_on_two_servers(tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        ports = [_free_port() for _ in range(SERVERS)]
        env = server_env(url, ports[0])
        api_key = accredited_institution(env)
        servers: list[Server] = []
        try:
            for n, port in enumerate(ports):
                servers.append(start_server(env, port, tmp_path / f"server-{n}.log"))
            soak = Soak(servers, api_key)
            threads = [threading.Thread(target=soak.run, args=(n,)) for n in range(THREADS)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            try:
                time.sleep(min(5.0, SECONDS * 0.25))  # warm-up: caches, pools, lazy imports
                rss_start = [s.rss_kib() for s in servers]
                time.sleep(max(0.0, SECONDS - (time.monotonic() - started)))
            finally:
                soak.stop.set()
                for thread in threads:
                    thread.join(timeout=180)
            elapsed = time.monotonic() - started
            rss_end = [s.rss_kib() for s in servers]
            alive = [s.process.poll() is None for s in servers]
        finally:
            for server in servers:
                server.stop()

        statuses: collections.Counter[tuple[str, int | None]] = collections.Counter()
        for worker in soak.workers:
            statuses.update(worker.statuses)
        total = sum(statuses.values())
        server_errors = sum(n for (_, status), n in statuses.items() if status and status >= 500)
        dropped = sum(n for (_, s), n in statuses.items() if s is None)
        final_states = _check_database(url, soak)
        print(
            f"\nsoak: {elapsed:.0f}s, {SERVERS} servers, {THREADS} threads, {total} requests "
            f"({total / elapsed:.0f}/s), 5xx: {server_errors}, dropped: {dropped}, "
            f"diplomas: {len(soak.issued)} {dict(final_states)}\n"
            f"  by operation and status: {dict(sorted(statuses.items(), key=str))}\n"
            + "\n".join(
                f"  server {n}: RSS {a / 1024:.1f} MiB after warm-up -> {b / 1024:.1f} MiB "
                f"({(b - a) / 1024:+.1f} MiB)"
                for n, (a, b) in enumerate(zip(rss_start, rss_end, strict=True))
            )
        )

        assert all(alive), "a server process died during the soak"
        assert server_errors == 0 and dropped == 0
        unexpected = {k: n for k, n in statuses.items() if k[1] not in EXPECTED[k[0]]}
        assert not unexpected, f"unexpected answers: {unexpected}"
        failures = [f for w in soak.workers for f in w.failures]
        assert not failures, failures[:5]
        assert final_states["revoked"] and final_states["suspended"] and final_states["active"]
        for a, b in zip(rss_start, rss_end, strict=True):
            assert b - a < max(a * RSS_GROWTH_SHARE, RSS_GROWTH_KIB), (
                f"resident memory grew from {a} KiB to {b} KiB"
            )
