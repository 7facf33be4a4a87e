"""Profiles behind the benchmark's gaps: where the time of a verification and of a bulk
issuance goes. Writes cProfile summaries (top functions by own time and by cumulative time)
to ``benchmarks/results/profiles/``.

Run from the repository root::

    .venv/bin/python benchmarks/profiles.py
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench

OUT = Path(__file__).resolve().parent / "results" / "profiles"


def _profile(name: str, fn: Callable[[], object], number: int, note: str) -> float:
    for _ in range(min(number, 50)):
        fn()
    started = time.perf_counter()
    for _ in range(number):
        fn()
    per_call_us = (time.perf_counter() - started) / number * 1e6
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(number):
        fn()
    profiler.disable()
    text = io.StringIO()
    text.write(f"{name}: {per_call_us:.0f} us per call without the profiler ({note})\n\n")
    stats = pstats.Stats(profiler, stream=text)
    text.write("== by own time ==\n")
    stats.sort_stats("tottime").print_stats(20)
    text.write("== by cumulative time ==\n")
    stats.sort_stats("cumtime").print_stats(25)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.txt").write_text(text.getvalue())
    return per_call_us


def main() -> int:
    from diploma_exchange.dids.did_web import VerificationKey, build_did_document
    from diploma_exchange.dids.document import DidDocument
    from diploma_exchange.proofs import eddsa_jcs_2022
    from diploma_exchange.proofs.keys import Signer
    from diploma_exchange.verification import verify_credential

    key = Ed25519PrivateKey.generate()
    signer = Signer(key, f"{bench.ISSUER_DID}#{bench.KEY_FRAGMENT}")
    signed = eddsa_jcs_2022.add_proof(bench.bench_diploma(), signer, created=bench.CREATED)
    document = DidDocument.from_json(
        build_did_document(
            bench.ISSUER_DID, [VerificationKey(bench.KEY_FRAGMENT, signer.public_key_multibase)]
        )
    )
    resolver = bench.StaticResolver(document)
    trust = bench.StaticTrustPolicy([bench.ISSUER_DID])
    accredited = bench.StaticAccreditations(bench.ISSUER_DID)
    message = bench.hash_data(bench.bench_diploma(), signer)
    signature = key.sign(message)
    public = key.public_key()
    bare = _profile("ed25519_verify", lambda: public.verify(signature, message), 3000, "baseline")
    full = _profile(
        "verify_credential_in_process",
        lambda: verify_credential(
            signed, resolver=resolver, trust=trust, now=bench.VERIFIED_AT, accreditations=accredited
        ),
        2000,
        "static resolver, trust and accreditation; no database",
    )
    print(f"full in-process verification {full:.0f} us vs bare Ed25519 verify {bare:.0f} us")

    from diploma_exchange.config import Settings
    from diploma_exchange.credentials import sample_diploma_data
    from diploma_exchange.db.engine import make_engine, upgrade
    from diploma_exchange.services import institutions, issuance, verification
    from diploma_exchange.services import trust as trust_service
    from diploma_exchange.trust.accreditation import Scope

    with tempfile.TemporaryDirectory(prefix="dx-profile-") as tmp:
        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{tmp}/p.db",
            public_base_url="https://bench.example.kz",
            key_passphrase="profile",  # type: ignore[arg-type]
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
            service = _profile(
                "verify_with_database",
                lambda: verification.verify(session, settings, credential),
                1000,
                "services.verification.verify on SQLite: DID, keys, key log, accreditation "
                "and both status lists from the database",
            )
            print(f"service verification with SQLite look-ups {service:.0f} us")
            batch = [sample_diploma_data(i) for i in range(2000)]
            chunk = _profile(
                "issue_2000_in_process",
                lambda: (
                    issuance.issue_diplomas(session, settings, principal, batch),
                    session.rollback(),
                ),
                3,
                "issue_diplomas of 2,000 diplomas in one process, rolled back",
            )
            print(f"issue 2,000 in one process: {chunk / 1e6:.2f} s")
        engine.dispose()
    print(f"written to {OUT}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
