"""Fake look-ups and a small signed credential for the check modules' unit tests."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from diploma_exchange.dids.did_key import (
    did_key_document,
    did_key_from_public_key,
    resolve_did_key,
)
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.dids.key_log import KeyWindow
from diploma_exchange.errors import DidResolutionError, Error
from diploma_exchange.proofs import keys, suites
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.trust.accreditation import AccreditationRecord
from diploma_exchange.verification.lookups import IssuanceEvidence, TrustDecision
from diploma_exchange.verification.state import Examined

NOW = datetime(2025, 6, 1, tzinfo=UTC)
SIGNED_AT = datetime(2025, 1, 10, tzinfo=UTC)


@dataclass
class Issuer:
    did: str
    signer: keys.Signer

    @property
    def method(self) -> str:
        return self.signer.verification_method


def new_issuer() -> Issuer:
    private_key = keys.generate_private_key()
    did = did_key_from_public_key(private_key.public_key())
    return Issuer(did, keys.Signer(private_key, f"{did}#{did.removeprefix('did:key:')}"))


def credential(issuer: Issuer, **fields: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        "type": ["VerifiableCredential"],
        "issuer": issuer.did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:holder"},
        **fields,
    }


def signed(
    issuer: Issuer, suite: str = "eddsa-jcs-2022", created: datetime = SIGNED_AT, **fields: Any
) -> dict[str, Any]:
    return suites.add_proof(credential(issuer, **fields), suite, issuer.signer, created=created)


class DidKeyOnly:
    """Resolves did:key; everything else is unresolvable."""

    def resolve(self, did: str) -> DidDocument:
        if did.startswith("did:key:"):
            return resolve_did_key(did)
        raise DidResolutionError(f"cannot resolve {did}")


class RevokedKeyResolver:
    """did:key documents whose key is marked ``revoked`` at a moment."""

    def __init__(self, revoked: datetime) -> None:
        self.revoked = revoked

    def resolve(self, did: str) -> DidDocument:
        document = copy.deepcopy(did_key_document(did))
        for method in document["verificationMethod"]:
            method["revoked"] = self.revoked.strftime("%Y-%m-%dT%H:%M:%SZ")
        return DidDocument.from_json(document)


@dataclass
class FakeHistory:
    windows_by_did: dict[str, dict[str, KeyWindow]] = field(default_factory=dict)

    def windows(self, did: str) -> Mapping[str, KeyWindow] | None:
        return self.windows_by_did.get(did)


@dataclass
class FakeRecords:
    covered: set[str] = field(default_factory=set)
    issued: dict[str, IssuanceEvidence] = field(default_factory=dict)
    broken: bool = False

    def covers(self, issuer_did: str) -> bool:
        if self.broken:
            raise Error("the register is down", code="unavailable")
        return issuer_did in self.covered

    def find(self, issuer_did: str, digest: str) -> IssuanceEvidence | None:
        found = self.issued.get(digest)
        return found if found is not None and found.issuer == issuer_did else None

    def record(self, document: Mapping[str, Any], at: datetime = SIGNED_AT) -> None:
        issuer = document["issuer"]
        did = issuer["id"] if isinstance(issuer, Mapping) else issuer
        self.covered.add(did)
        self.issued[secured_digest(document)] = IssuanceEvidence(did, at, "the fake register")


@dataclass
class FakeTrust:
    decision: TrustDecision

    def evaluate(self, issuer_did: str, credential: Mapping[str, Any]) -> TrustDecision:
        return self.decision


@dataclass
class FakeAccreditations:
    records: list[AccreditationRecord] | None

    def accreditations(self, did: str) -> list[AccreditationRecord] | None:
        return self.records


@dataclass
class FakeStatusLists:
    lists: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    def get(self, url: str) -> Mapping[str, Any]:
        base = url.split("#", 1)[0]
        if base not in self.lists:
            raise Error(f"no list at {base}", code="status-list-unavailable")
        return self.lists[base]


def examined_after_proof(document: dict[str, Any], now: datetime = NOW) -> Examined:
    """The state after the proof checks passed on ``document`` (as the verifier leaves it)."""
    from diploma_exchange.verification.checks import proof
    from diploma_exchange.verification.state import issuer_id

    examined = Examined(received=document, now=now, issuer=issuer_id(document))
    signature, binding = proof.run(examined, DidKeyOnly())
    assert signature.status.value == "passed" and binding.status.value == "passed", (
        signature,
        binding,
    )
    return examined
