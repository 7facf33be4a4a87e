"""What the second proof costs: issuing a diploma with the eddsa-jcs-2022 proof alone versus
with the proof set (eddsa-jcs-2022 + eddsa-rdfc-2022 by the same key) that the service issues
by default (``issue_rdfc_proof``).

Run from the repository root::

    .venv/bin/python benchmarks/proof_set_bench.py [--rounds 7] [--min-time 1.0] [--json-out P]

Both figures are measured in the same run with interleaved rounds (round 1 of each, then
round 2 of each, ...) on the same sample diploma (with its two status entries), so the ratio
holds on a loaded machine even when the absolute rates do not. What is timed is
``services.issuance.secure_document``: the signing step of single, batch and bulk issuance
(the database work around it is the same for both). Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from diploma_exchange.config import Settings
from diploma_exchange.credentials import (
    IssuerProfile,
    build_diploma_credential,
    sample_diploma_data,
)
from diploma_exchange.proofs.keys import Signer, generate_private_key
from diploma_exchange.services.signing import rdfc_proof_limits, secure_document
from diploma_exchange.status import make_status_entry

ISSUER = "did:web:diplomas.example.edu:institutions:demo"


def _credential() -> dict[str, Any]:
    now = datetime(2026, 7, 1, 12, tzinfo=UTC)
    profile = IssuerProfile(id=ISSUER, name="Demo University", country_code="KZ")
    credential = build_diploma_credential(
        sample_diploma_data(0),
        issuer=profile,
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        valid_from=now,
    )
    credential["credentialStatus"] = [
        make_status_entry(f"https://diplomas.example.edu/status/{purpose}/1", index, purpose)
        for index, purpose in ((1234, "revocation"), (5678, "suspension"))
    ]
    return credential


def _rate(call: Callable[[], Any], min_time: float) -> float:
    count, started = 0, time.perf_counter()
    while True:
        call()
        count += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_time:
            return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=1.0)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    signer = Signer(generate_private_key(), f"{ISSUER}#key-1")
    credential = _credential()
    now = datetime(2026, 7, 1, 12, tzinfo=UTC)
    limits = rdfc_proof_limits(Settings(environment="test"))
    assert limits is not None
    figures: dict[str, Callable[[], Any]] = {
        "eddsa-jcs-2022 alone": lambda: secure_document(credential, signer, now, None),
        "proof set (jcs + rdfc)": lambda: secure_document(credential, signer, now, limits),
    }
    for call in figures.values():  # warm up (context caches, imports)
        _rate(call, 0.2)
    rates: dict[str, list[float]] = {name: [] for name in figures}
    for _ in range(args.rounds):
        for name, call in figures.items():
            rates[name].append(_rate(call, args.min_time))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    jcs, both = medians["eddsa-jcs-2022 alone"], medians["proof set (jcs + rdfc)"]
    result = {
        "diplomas_per_second": medians,
        "ms_per_diploma": {name: 1000 / rate for name, rate in medians.items()},
        "cost_ratio_proof_set_vs_jcs": jcs / both,
        "rounds": rates,
    }
    for name, rate in medians.items():
        print(f"{name:28s} {rate:9.1f} diplomas/s  {1000 / rate:7.2f} ms each")
    print(f"signing cost of the proof set: {jcs / both:.1f}x the eddsa-jcs-2022 proof alone")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
