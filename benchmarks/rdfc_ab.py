"""Same-process A/B of the RDFC speed-ups: pyld's context processing memoised
(:mod:`diploma_exchange.jsonld_contexts`) and one expansion shared by the proof check and
``proof.coverage`` in a verification (:func:`diploma_exchange.proofs.rdfc.sharing_expansions`).

Run from the repository root::

    .venv/bin/python benchmarks/rdfc_ab.py [--rounds 9] [--calls 20]

"off" is plain pyld (the memo disabled as with another pyld version, no sharing); "on" is the
service as shipped. Each figure is the median CPU time (``time.process_time``) over
``--rounds`` rounds of ``--calls`` calls, the off and on variants of every figure interleaved
round by round, so that a change of machine load hits both. Timings are reported, never
asserted; every variant is checked to give the same result first.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # the benchmark diploma, issuer and dates
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from diploma_exchange import jsonld_contexts
from diploma_exchange.dids.did_web import VerificationKey, build_did_document
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.proofs import eddsa_jcs_2022, rdfc, suites
from diploma_exchange.proofs.keys import Signer
from diploma_exchange.verification import StaticTrustPolicy, verifier, verify_credential


@contextlib.contextmanager
def _no_sharing() -> Iterator[None]:
    yield


@contextlib.contextmanager
def variant(on: bool) -> Iterator[None]:
    """Plain pyld (``on`` False) or the service as shipped (``on`` True)."""
    saved = (jsonld_contexts.ENABLED, verifier.sharing_expansions)
    jsonld_contexts.ENABLED = on  # type: ignore[misc]
    verifier.sharing_expansions = rdfc.sharing_expansions if on else _no_sharing  # type: ignore[assignment]
    try:
        yield
    finally:
        jsonld_contexts.ENABLED, verifier.sharing_expansions = saved  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()

    private_key = Ed25519PrivateKey.generate()
    public_key = private_key.public_key()
    signer = Signer(private_key, f"{run.ISSUER_DID}#{run.KEY_FRAGMENT}")
    diploma = run.bench_diploma()
    rdfc_signed = suites.add_proof(diploma, "eddsa-rdfc-2022", signer, created=run.CREATED)
    # The proof set the service issues by default: eddsa-jcs-2022 + eddsa-rdfc-2022.
    proof_set = suites.add_proof(
        eddsa_jcs_2022.add_proof(diploma, signer, created=run.CREATED),
        "eddsa-rdfc-2022",
        signer,
        created=run.CREATED,
    )
    did_document = DidDocument.from_json(
        build_did_document(
            run.ISSUER_DID, [VerificationKey(run.KEY_FRAGMENT, signer.public_key_multibase)]
        )
    )
    resolver = run.StaticResolver(did_document)
    trust = StaticTrustPolicy([run.ISSUER_DID])
    accredited = run.StaticAccreditations(run.ISSUER_DID)

    def full(document: dict[str, Any]) -> Any:
        return verify_credential(
            document,
            resolver=resolver,
            trust=trust,
            now=run.VERIFIED_AT,
            accreditations=accredited,
        )

    figures: dict[str, Callable[[], Any]] = {
        "eddsa-rdfc-2022 verify_proof": lambda: bool(
            suites.verify_proof(rdfc_signed, rdfc_signed["proof"], public_key)
        ),
        "eddsa-rdfc-2022 add_proof": lambda: suites.add_proof(
            diploma, "eddsa-rdfc-2022", signer, created=run.CREATED
        )["proof"]["proofValue"],
        "verify_credential, rdfc proof": lambda: full(rdfc_signed).to_json(),
        "verify_credential, jcs+rdfc proof set": lambda: full(proof_set).to_json(),
        "rdfc.canonize(diploma)": lambda: rdfc.canonize(diploma),
    }
    for name, figure in figures.items():
        with variant(False):
            off = figure()
        with variant(True):
            on = figure()
        if off != on:
            raise RuntimeError(f"{name}: the two variants disagree")
    if not full(proof_set):
        raise RuntimeError("the proof-set diploma does not verify")

    rounds: dict[tuple[str, bool], list[float]] = {}
    for _ in range(args.rounds):
        for name, figure in figures.items():
            for on in (False, True):
                with variant(on):
                    started = time.process_time()
                    for _ in range(args.calls):
                        figure()
                    elapsed = (time.process_time() - started) / args.calls * 1e3
                rounds.setdefault((name, on), []).append(elapsed)
    width = max(len(name) for name in figures)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{'figure':{width}}  {'off ms':>8}  {'on ms':>8}  off/on   (CPU, median of "
        f"{args.rounds} x {args.calls})"
    )
    for name in figures:
        off_ms = statistics.median(rounds[(name, False)])
        on_ms = statistics.median(rounds[(name, True)])
        print(f"{name:{width}}  {off_ms:8.2f}  {on_ms:8.2f}  {off_ms / on_ms:5.2f}x")


if __name__ == "__main__":
    main()
