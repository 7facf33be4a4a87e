"""What the checks of one verification learn and hand on to each other.

The proof checks run first and decide what every later check may read: :attr:`Examined.secured`,
the document exactly as the issuer's proof secures it (:mod:`diploma_exchange.proofs.secured`).
It is ``None`` until a proof bound to the issuer has verified; the later checks then report that
they had nothing signed to read instead of reading the received document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from diploma_exchange.dids.document import DidDocument
from diploma_exchange.verification.lookups import IssuanceEvidence, TrustDecision
from diploma_exchange.verification.report import Check


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    """The issuer's identifier (VC 2.0 allows a string or an object with ``id``)."""
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


@dataclass(frozen=True, slots=True)
class ProofOutcome:
    """One proof of a (possibly multi-proof) credential: its signature check and, when its
    verification method resolved, what the binding and key checks need."""

    proof: Mapping[str, Any]
    signature: Check
    method: str | None = None
    document: DidDocument | None = None
    controller: str | None = None


@dataclass
class Examined:
    """The credential under verification and what the checks established so far."""

    received: Mapping[str, Any]
    now: datetime
    issuer: str | None = None
    proofs: list[ProofOutcome] = field(default_factory=list)
    #: The verified proof that binds the credential to its issuer.
    issuer_proof: ProofOutcome | None = None
    #: The received document as the issuer's proof secures it (None: nothing verified).
    secured: Mapping[str, Any] | None = None
    #: Hex SHA-256 of the secured document (the "issued here" key), when computable.
    secured_digest: str | None = None
    issuance: IssuanceEvidence | None = None
    trust: TrustDecision | None = None

    @property
    def view(self) -> Mapping[str, Any]:
        """What a check that must report something even without a verified proof reads: the
        secured document when there is one, else the received document."""
        return self.secured if self.secured is not None else self.received


__all__ = ["Examined", "ProofOutcome", "issuer_id"]
