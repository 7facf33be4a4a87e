"""checks/keys.py: was the key allowed to sign when the proof was made (and who says when)?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from diploma_exchange.dids.key_log import KeyWindow
from diploma_exchange.proofs import suites
from diploma_exchange.verification.checks import keys
from diploma_exchange.verification.checks.keys import parse_proof_time
from diploma_exchange.verification.lookups import IssuanceEvidence
from verification.checks.fakes import (
    NOW,
    SIGNED_AT,
    DidKeyOnly,
    FakeHistory,
    RevokedKeyResolver,
    examined_after_proof,
    new_issuer,
    signed,
)


def window(issuer: Any, **moments: datetime) -> FakeHistory:
    return FakeHistory(
        {
            issuer.did: {
                issuer.method: KeyWindow(
                    issuer.method,
                    issuer.method.rsplit("#", 1)[1],
                    moments.pop("added", datetime(2024, 1, 1, tzinfo=UTC)),
                    **moments,
                )
            }
        }
    )


def status(document: dict[str, Any], **options: Any) -> tuple[str, str]:
    examined = examined_after_proof(document)
    examined.issuance = options.pop("evidence", None)
    check = keys.run(
        examined,
        resolver=options.pop("resolver", DidKeyOnly()),
        history=options.pop("history", None),
    )
    return check.status.value, check.code


def test_created_is_read_with_or_without_an_offset() -> None:
    assert parse_proof_time("2025-01-10T00:00:00Z") == datetime(2025, 1, 10, tzinfo=UTC)
    assert parse_proof_time("2025-01-10T00:00:00") == datetime(2025, 1, 10, tzinfo=UTC)
    assert parse_proof_time("2025-01-10T05:00:00+05:00") == datetime(2025, 1, 10, tzinfo=UTC)
    assert parse_proof_time("10 January 2025") is None


def test_a_key_never_revoked_is_valid_without_created() -> None:
    issuer = new_issuer()
    unsigned = {k: v for k, v in signed(issuer).items() if k != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": issuer.method,
        "proofPurpose": "assertionMethod",
    }
    document = {
        **unsigned,
        "proof": suites.SUITES["eddsa-jcs-2022"].create_proof(unsigned, options, issuer.signer),
    }
    assert "created" not in document["proof"]
    assert status(document) == ("passed", "no-signing-time")
    # a retired key with no signing time: cannot tell
    assert status(document, history=window(issuer, retired_at=SIGNED_AT)) == (
        "error",
        "unknown-signing-time",
    )


def test_within_the_window_and_after_retirement() -> None:
    issuer = new_issuer()
    retired = window(issuer, retired_at=SIGNED_AT + timedelta(days=1))
    assert status(signed(issuer), history=retired) == ("passed", "valid-at-signing")
    late = signed(issuer, created=SIGNED_AT + timedelta(days=2))
    assert status(late, history=retired) == ("failed", "after-retirement")


def test_created_in_the_future() -> None:
    issuer = new_issuer()
    assert status(signed(issuer, created=NOW + timedelta(days=1))) == (
        "failed",
        "created-in-future",
    )


def test_a_compromised_key_needs_an_issuance_record_for_earlier_dates() -> None:
    issuer = new_issuer()
    compromised = window(issuer, compromised_at=SIGNED_AT + timedelta(days=1))
    document = signed(issuer)  # claims a time before the compromise: may be back-dated
    assert status(document, history=compromised) == ("error", "signing-time-unprovable")
    record = IssuanceEvidence(issuer.did, SIGNED_AT, "the register")
    assert status(document, history=compromised, evidence=record) == (
        "passed",
        "valid-at-signing",
    )
    # the register's time wins over the proof's own claim
    late = IssuanceEvidence(issuer.did, SIGNED_AT + timedelta(days=3), "the register")
    assert status(document, history=compromised, evidence=late) == ("failed", "after-compromise")


def test_a_did_document_revoked_key() -> None:
    issuer = new_issuer()
    resolver = RevokedKeyResolver(SIGNED_AT - timedelta(days=1))
    assert status(signed(issuer), resolver=resolver) == ("failed", "after-compromise")
    earlier = RevokedKeyResolver(SIGNED_AT + timedelta(days=1))
    assert status(signed(issuer), resolver=earlier) == ("error", "signing-time-unprovable")


def test_a_key_missing_from_the_history() -> None:
    issuer, other = new_issuer(), new_issuer()
    history = window(other)
    history.windows_by_did[issuer.did] = {}
    assert status(signed(issuer), history=history) == ("error", "key-not-in-history")
