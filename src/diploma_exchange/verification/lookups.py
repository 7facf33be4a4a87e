"""What the verifier asks the outside world, as protocols (the domain core imports no database).

Each question has one protocol here; the service answers them from its registry and the
database, the CLI from files, the local registry and the network, tests from fakes. None of
them may raise for a bad credential: a look-up that cannot answer raises
:class:`~diploma_exchange.errors.Error` (the check reports "could not check") or returns
``None`` ("nobody knows"), as each protocol says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from diploma_exchange.dids.key_log import KeyWindow
from diploma_exchange.errors import ErrorDetail
from diploma_exchange.transparency.bundle import LogVerdict
from diploma_exchange.trust.accreditation import AccreditationRecord


@dataclass(frozen=True, slots=True)
class TrustDecision:
    """Whether an issuer is vouched for: True, False (known to be untrusted) or None (unknown).

    ``vouches_for_accreditation`` is set when whoever vouches takes responsibility for the
    issuer's standing as a whole (the operator's ``--trust-issuer``): the accreditation check
    is then waived with that reason instead of looked up.
    """

    trusted: bool | None
    code: str
    message: str
    source: str | None = None
    vouches_for_accreditation: bool = False


class TrustPolicy(Protocol):
    """Answers "who vouches for this issuer?"."""

    def evaluate(self, issuer_did: str, credential: Mapping[str, Any]) -> TrustDecision: ...


class StaticTrustPolicy:
    """Trusts exactly the given issuer DIDs (the CLI's ``--trust-issuer``: the operator vouches
    for the issuer, accreditation included); others unknown."""

    def __init__(
        self, trusted: Sequence[str], source: str = "the operator (--trust-issuer)"
    ) -> None:
        self._trusted = frozenset(trusted)
        self._source = source

    def evaluate(self, issuer_did: str, credential: Mapping[str, Any]) -> TrustDecision:
        if issuer_did in self._trusted:
            return TrustDecision(
                True,
                "trusted-by-operator",
                f"the issuer is trusted by {self._source}",
                self._source,
                vouches_for_accreditation=True,
            )
        return TrustDecision(
            None,
            "unknown-issuer",
            "the issuer is not an institution this verifier knows; nobody vouches for it",
        )


class KeyHistory(Protocol):
    """Signing windows of a DID's keys, or None when no history is known for that DID."""

    def windows(self, did: str) -> Mapping[str, KeyWindow] | None: ...


class AccreditationSource(Protocol):
    """Verified accreditation records of an institution, or None when nobody this verifier
    trusts has published any for it."""

    def accreditations(self, did: str) -> list[AccreditationRecord] | None: ...


class StatusListProvider(Protocol):
    """Fetches a status list credential by URL; raises ``Error`` when it cannot.

    ``candidates`` (optional) returns every copy the provider can read for a URL (a file the
    operator supplied, the local registry's, a fetched one), newest first, so the checker
    can refuse a stale copy when a fresher one exists.
    """

    def get(self, url: str) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class IssuanceEvidence:
    """A record that the issuer's service issued exactly this credential."""

    issuer: str
    issued_at: datetime
    source: str
    reference: str | None = None


class IssuanceRecords(Protocol):
    """Records of what an issuer's service issued (this service's registry; later a
    transparency log).

    ``covers(did)`` is True when the source knows *every* credential the issuer ever issued,
    so that a credential it does not know was not issued (``not-issued-here``).
    ``find`` returns the evidence for a secured digest (:func:`proofs.secured.secured_digest`)
    or None. Both raise :class:`~diploma_exchange.errors.Error` when the source cannot be read.
    """

    def covers(self, issuer_did: str) -> bool: ...

    def find(self, issuer_did: str, digest: str) -> IssuanceEvidence | None: ...


class IssuanceLog(Protocol):
    """The issuance transparency logs a verifier trusts (c2sp tlog; docs/transparency.md).

    ``check`` returns None when no trusted log covers ``issuer`` (the check does not apply),
    else the log's verdict on the credential with this secured digest, signed with
    ``verification_method``: included, not included, logged after its key ended, or why it
    cannot be told. It raises :class:`~diploma_exchange.errors.Error` when the log cannot be
    read.
    """

    def check(self, *, issuer: str, verification_method: str, digest: str) -> LogVerdict | None: ...


#: Validates a credential's structure: credential in, problems out, never raising.
SchemaValidator = Callable[[Mapping[str, Any]], list[ErrorDetail]]


__all__ = [
    "AccreditationSource",
    "IssuanceEvidence",
    "IssuanceLog",
    "IssuanceRecords",
    "KeyHistory",
    "SchemaValidator",
    "StaticTrustPolicy",
    "StatusListProvider",
    "TrustDecision",
    "TrustPolicy",
]
