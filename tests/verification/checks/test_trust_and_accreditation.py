"""checks/trust.py and checks/accreditation.py: who vouches, and accreditation at issue date."""

from __future__ import annotations

from datetime import UTC, datetime

from diploma_exchange.trust.accreditation import AccreditationRecord, Scope
from diploma_exchange.verification.checks import accreditation, trust
from diploma_exchange.verification.lookups import StaticTrustPolicy, TrustDecision
from verification.checks.fakes import (
    FakeAccreditations,
    FakeTrust,
    examined_after_proof,
    new_issuer,
    signed,
)


def record(did: str, **changes: object) -> AccreditationRecord:
    fields: dict[str, object] = {
        "id": "urn:uuid:1",
        "nic": "did:web:nic.example",
        "institution": did,
        "status": "accredited",
        "scope": Scope(),
        "valid_from": datetime(2020, 1, 1, tzinfo=UTC),
        "valid_until": None,
        "accrediting_body": "IAAR",
        **changes,
    }
    return AccreditationRecord(**fields)  # type: ignore[arg-type]


def test_trust_decisions_map_to_statuses() -> None:
    document = signed(new_issuer())
    for trusted, expected in ((True, "passed"), (False, "failed"), (None, "error")):
        examined = examined_after_proof(document)
        decision = TrustDecision(trusted, "code", "message")
        assert trust.run(examined, FakeTrust(decision)).status.value == expected
        assert examined.trust is decision


def test_the_operator_vouching_waives_accreditation() -> None:
    issuer = new_issuer()
    examined = examined_after_proof(signed(issuer))
    assert trust.run(examined, StaticTrustPolicy([issuer.did])).status.value == "passed"
    check = accreditation.run(examined, None)
    assert (check.status.value, check.code, check.waived) == (
        "skipped",
        "vouched-by-operator",
        True,
    )


def test_accreditation_at_the_issue_date() -> None:
    issuer = new_issuer()
    examined = examined_after_proof(signed(issuer))  # validFrom 2025-01-01
    examined.trust = TrustDecision(True, "registered", "known")
    accredited = FakeAccreditations([record(issuer.did)])
    assert accreditation.run(examined, accredited).status.value == "passed"
    later = FakeAccreditations([record(issuer.did, valid_from=datetime(2025, 6, 1, tzinfo=UTC))])
    assert accreditation.run(examined, later).status.value == "failed"
    assert accreditation.run(examined, FakeAccreditations(None)).code == "no-accreditation-source"
    assert accreditation.run(examined, None).code == "accreditation-unavailable"
