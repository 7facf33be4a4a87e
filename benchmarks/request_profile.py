"""Where one HTTP verification spends its time in the server process: the framework's share.

Run from the repository root::

    .venv/bin/python benchmarks/request_profile.py [--requests 300] [--proof-set]

A fresh SQLite database with an accredited university and one issued diploma; then, in this
one process and interleaved round by round, (a) ``services.verification.verify`` with a new
session per call, as a request has, (b) ``POST /credentials/verify`` and (c) ``GET /healthz``
through the ASGI application with Starlette's in-process ``TestClient`` (no sockets, no
uvicorn: the framework's routing, dependencies, body parsing, response model and
middleware). CPU time medians (all threads) are printed, and a cProfile of (a) is written to
``benchmarks/results/profiles/verify_service_new_session.txt``. Timings are reported, never
asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

OUT = Path(__file__).resolve().parent / "results" / "profiles"


def _cpu_us(fn: Callable[[], object], number: int) -> float:
    started = time.process_time()
    for _ in range(number):
        fn()
    return (time.process_time() - started) / number * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=300, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--proof-set", action="store_true", help="verify the proof-set diploma as issued"
    )
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from diploma_exchange.api.app import create_app
    from diploma_exchange.config import Settings
    from diploma_exchange.credentials import sample_diploma_data
    from diploma_exchange.db.engine import make_engine, upgrade
    from diploma_exchange.services import institutions, issuance, verification
    from diploma_exchange.services import trust as trust_service
    from diploma_exchange.trust.accreditation import Scope

    with tempfile.TemporaryDirectory(prefix="dx-request-profile-") as tmp:
        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{tmp}/p.db",
            public_base_url="https://bench.example.kz",
            key_passphrase="profile",  # type: ignore[arg-type]
            rate_limit_exempt=["127.0.0.1/32"],  # as the HTTP benchmark's load generator
        )
        engine = make_engine(settings.database_url)
        upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            institutions.register_institution(session, settings, slug="nic", name="N", kind="nic")
            record, _ = institutions.register_institution(session, settings, slug="u", name="U")
            trust_service.accredit(
                session,
                settings,
                record,
                scope=Scope(isced_levels=("6", "7", "8")),
                accrediting_body="profile",
                valid_from=datetime(2016, 1, 1, tzinfo=UTC),
            )
            principal = institutions.Principal("institution", "profile", record)
            credential = issuance.issue_diplomas(
                session, settings, principal, [sample_diploma_data(0)]
            ).credentials[0]
            session.commit()
        if not args.proof_set and isinstance(credential.get("proof"), list):
            credential = {**credential, "proof": credential["proof"][0]}
        body = json.dumps({"verifiableCredential": credential}).encode()

        def service() -> object:
            with Session(engine) as session:
                return verification.verify(session, settings, credential)

        with TestClient(create_app(settings, engine), client=("127.0.0.1", 50000)) as client:

            def request() -> object:
                response = client.post(
                    "/credentials/verify",
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code}: {response.text[:2000]}")
                return response

            def healthz() -> object:
                return client.get("/healthz")

            request()
            figures: dict[str, Callable[[], object]] = {
                "service verify (new session)": service,
                "POST /credentials/verify (ASGI, in-process)": request,
                "GET /healthz (ASGI, in-process)": healthz,
            }
            rounds: dict[str, list[float]] = {name: [] for name in figures}
            for name, fn in figures.items():
                _cpu_us(fn, max(args.requests // 10, 5))  # warm up
            for _ in range(args.rounds):
                for name, fn in figures.items():
                    rounds[name].append(_cpu_us(fn, args.requests))
            # The handler runs in a worker thread (cProfile sees one thread): the profile is
            # the service call a request makes, in this thread.
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                service()
            profiler.disable()
        engine.dispose()
    medians = {name: statistics.median(values) for name, values in rounds.items()}
    for name, us in medians.items():
        print(f"{name:48s} {us:9.0f} us CPU")
    verify_us = medians["service verify (new session)"]
    request_us = medians["POST /credentials/verify (ASGI, in-process)"]
    healthz_us = medians["GET /healthz (ASGI, in-process)"]
    print(
        f"framework and body handling around the verification: {request_us - verify_us:.0f} us "
        f"({(request_us - verify_us) / request_us:.0%} of the request); request rate / "
        f"/healthz rate (CPU, no server or sockets): {healthz_us / request_us:.0%}"
    )
    text = io.StringIO()
    text.write(f"services.verification.verify, new session each, {args.requests} calls\n")
    text.write(json.dumps(medians, indent=2) + "\n\n")
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumtime").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    OUT.mkdir(parents=True, exist_ok=True)
    name = "verify_service_new_session" + ("_proof_set" if args.proof_set else "")
    (OUT / f"{name}.txt").write_text(text.getvalue())
    print(f"profile written to {OUT / name}.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
