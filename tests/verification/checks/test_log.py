"""checks/log.py: the issuer NIC's transparency log decides ``issuance.log``; each verdict of
the log becomes passed, failed or error with the log's code, and a log that does not cover the
issuer leaves the check skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from diploma_exchange.errors import DidResolutionError
from diploma_exchange.proofs.keys import generate_private_key
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.transparency import merkle
from diploma_exchange.transparency.bundle import (
    BundleEntry,
    LogBundle,
    LogStatus,
    LogVerdict,
    TrustedLog,
    WitnessPolicy,
    verify_bundle,
)
from diploma_exchange.transparency.checkpoint import Checkpoint, sign_checkpoint
from diploma_exchange.transparency.entries import IssuanceEntry, KeyEntry, encode_entry
from diploma_exchange.transparency.note import NoteSigner
from diploma_exchange.verification.checks import log
from verification.checks.fakes import examined_after_proof, new_issuer, signed

LOGGED = datetime(2025, 1, 1, 12, tzinfo=UTC)


class FakeLog:
    """A log holding the given entries in one signed checkpoint; answers with a bundle check,
    as a verifier abroad does."""

    def __init__(self, entries: list[bytes], covered: set[str], *, down: bool = False):
        self.signer = NoteSigner("nic.example/log", generate_private_key())
        self.entries = entries
        self.covered = covered
        self.down = down

    def check(self, *, issuer: str, verification_method: str, digest: str) -> LogVerdict | None:
        if self.down:
            raise DidResolutionError("https://nic.example/log is unreachable")
        if issuer not in self.covered:
            return None
        hashes = [merkle.leaf_hash(e) for e in self.entries]
        reader = merkle.ListHashReader(hashes)
        size = len(hashes)
        note = sign_checkpoint(
            Checkpoint("nic.example/log", size, merkle.root_of(hashes)), self.signer
        )
        bundle = LogBundle(
            "nic.example/log",
            note,
            tuple(
                BundleEntry(i, e, tuple(merkle.inclusion_proof(reader, i, size)))
                for i, e in enumerate(self.entries)
            ),
        )
        return verify_bundle(
            bundle,
            credential_digest=digest,
            issuer=issuer,
            verification_method=verification_method,
            trusted_logs=[TrustedLog("nic.example/log", (self.signer.verifier,))],
            policy=WitnessPolicy(),
            now=LOGGED + timedelta(days=1),
        )


def _issuance(document: dict, at: datetime = LOGGED) -> bytes:  # type: ignore[type-arg]
    issuer = document["issuer"]
    method = document["proof"]["verificationMethod"]
    return encode_entry(IssuanceEntry(at, issuer, method, secured_digest(document)))


def _compromise(document: dict, at: datetime, effective: datetime) -> bytes:  # type: ignore[type-arg]
    method = document["proof"]["verificationMethod"]
    return encode_entry(
        KeyEntry(at, document["issuer"], method, "compromised", effective, "z6Mk", "ab" * 32)
    )


def result(document: dict, source: FakeLog | None) -> tuple[str, str]:  # type: ignore[type-arg]
    check = log.run(examined_after_proof(document), source)
    return check.status.value, check.code


def test_in_the_log_passes() -> None:
    document = signed(new_issuer())
    source = FakeLog([_issuance(document)], {document["issuer"]})
    assert result(document, source) == ("passed", "log.included")


def test_signed_but_not_in_the_log_is_invalid() -> None:
    document, other = signed(new_issuer()), signed(new_issuer())
    source = FakeLog([_issuance(other)], {document["issuer"], other["issuer"]})
    # The log lookup itself says "not included" for this service's own log; a bundle without
    # the entry cannot tell (indeterminate).
    assert result(document, source) == ("error", "log.not-in-bundle")


@pytest.mark.parametrize(
    ("order", "logged"),
    [
        ("after", LOGGED),  # logged after the compromise entry
        ("before", LOGGED + timedelta(hours=2)),  # logged before it, but after its effect
    ],
)
def test_logged_after_its_key_was_compromised_is_invalid(order: str, logged: datetime) -> None:
    document = signed(new_issuer())
    compromise = _compromise(document, LOGGED, effective=LOGGED + timedelta(hours=1))
    issuance = _issuance(document, logged)
    entries = [compromise, issuance] if order == "after" else [issuance, compromise]
    source = FakeLog(entries, {document["issuer"]})
    assert result(document, source) == ("failed", "log.after-key-event")


def test_logged_before_a_later_compromise_stays_valid() -> None:
    document = signed(new_issuer())
    entries = [
        _issuance(document, LOGGED),
        _compromise(document, LOGGED + timedelta(days=1), LOGGED + timedelta(days=1)),
    ]
    assert result(document, FakeLog(entries, {document["issuer"]})) == ("passed", "log.included")


def test_not_covered_skipped_unreachable_is_an_error() -> None:
    document = signed(new_issuer())
    assert result(document, None) == ("skipped", "no-transparency-log")
    assert result(document, FakeLog([], set())) == ("skipped", "issuer-publishes-no-log")
    down = FakeLog([], {document["issuer"]}, down=True)
    assert result(document, down) == ("error", "log.unavailable")


def test_a_failed_verdict_passes_through_with_its_details() -> None:
    document = signed(new_issuer())

    class Says:
        def check(self, **_: str) -> LogVerdict:
            return LogVerdict(LogStatus.FAILED, "log.not-included", "not there", {"origin": "o"})

    check = log.run(examined_after_proof(document), Says())
    assert (check.status.value, check.code, check.details) == (
        "failed",
        "log.not-included",
        {"origin": "o"},
    )


def test_documents_that_are_not_issuances_are_not_looked_up() -> None:
    document = signed(new_issuer(), type=["VerifiableCredential", "RecognitionStatementCredential"])
    source = FakeLog([], {document["issuer"]})
    assert result(document, source) == ("skipped", "not-a-logged-credential")
