"""verifier.py: the declared order, policies, and nothing read before the proof verified."""

from __future__ import annotations

from diploma_exchange.verification import Lookups, Verifier
from diploma_exchange.verification.lookups import StaticTrustPolicy
from diploma_exchange.verification.report import AUTHENTICITY_POLICY, CheckName, Verdict
from diploma_exchange.verification.verifier import ORDER
from verification.checks.fakes import NOW, DidKeyOnly, FakeRecords, new_issuer, signed


def verifier(*trusted: str, records: FakeRecords | None = None) -> Verifier:
    return Verifier(
        Lookups(resolver=DidKeyOnly(), trust=StaticTrustPolicy(trusted), issuance=records)
    )


def test_the_report_follows_the_declared_order() -> None:
    issuer = new_issuer()
    report = verifier(issuer.did).verify(signed(issuer), now=NOW)
    names = [c.name for c in report.checks]
    assert names == [n for n in ORDER if n in names]
    assert report.verdict is Verdict.VALID, report.to_json()
    assert report.format is not None


def test_a_check_outside_the_policy_is_skipped_not_run() -> None:
    issuer = new_issuer()
    report = verifier(issuer.did).verify(signed(issuer), policy=AUTHENTICITY_POLICY, now=NOW)
    schema = report.check(CheckName.FORMAT_SCHEMA)
    assert schema is not None and schema.code == "not-in-policy"
    assert report.verdict is Verdict.VALID


def test_nothing_is_read_when_no_proof_verified() -> None:
    issuer = new_issuer()
    document = signed(issuer, validUntil="2020-01-01T00:00:00Z")
    document["proof"]["cryptosuite"] = "unknown-2099"
    report = verifier(issuer.did).verify(document, now=NOW)
    assert report.verdict is Verdict.INDETERMINATE
    period = report.check(CheckName.VALIDITY_PERIOD)
    assert period is not None and period.code == "proof-not-verified"


def test_never_issued_by_a_covered_issuer_is_invalid() -> None:
    issuer = new_issuer()
    records = FakeRecords(covered={issuer.did})
    report = verifier(issuer.did, records=records).verify(signed(issuer), now=NOW)
    assert report.verdict is Verdict.INVALID
    records.record(signed(issuer))
    assert verifier(issuer.did, records=records).verify(signed(issuer), now=NOW).valid
