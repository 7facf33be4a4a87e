"""checks/issuance.py: a key alone does not issue; the issuer's register does."""

from __future__ import annotations

from diploma_exchange.verification.checks import issuance
from verification.checks.fakes import FakeRecords, examined_after_proof, new_issuer, signed


def status(document: dict, records: FakeRecords | None) -> tuple[str, str]:  # type: ignore[type-arg]
    check = issuance.run(examined_after_proof(document), records)
    return check.status.value, check.code


def test_recorded_is_issued() -> None:
    issuer = new_issuer()
    document = signed(issuer)
    records = FakeRecords()
    records.record(document)
    examined = examined_after_proof(document)
    check = issuance.run(examined, records)
    assert (check.status.value, check.code) == ("passed", "issued")
    assert examined.issuance is not None


def test_signed_but_never_issued() -> None:
    issuer = new_issuer()
    records = FakeRecords(covered={issuer.did})
    assert status(signed(issuer), records) == ("failed", "not-issued-here")


def test_appended_context_does_not_change_what_was_issued() -> None:
    issuer = new_issuer()
    document = signed(issuer)
    records = FakeRecords()
    records.record(document)
    document["@context"] = [*document["@context"], {"unused": "https://example.org/u"}]
    assert status(document, records) == ("passed", "issued")


def test_an_issuer_without_a_register_is_skipped_and_a_broken_one_is_an_error() -> None:
    issuer = new_issuer()
    assert status(signed(issuer), None)[0] == "skipped"
    assert status(signed(issuer), FakeRecords()) == ("skipped", "issuer-keeps-no-records-here")
    assert status(signed(issuer), FakeRecords(broken=True)) == (
        "error",
        "issuance-records-unavailable",
    )


def test_another_issuers_record_does_not_count() -> None:
    issuer, other = new_issuer(), new_issuer()
    document = signed(issuer)
    records = FakeRecords(covered={issuer.did})
    records.record(document)
    evidence = next(iter(records.issued.values()))
    records.issued = {k: type(evidence)(other.did, evidence.issued_at, "x") for k in records.issued}
    assert status(document, records) == ("failed", "not-issued-here")
