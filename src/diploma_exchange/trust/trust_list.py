"""Trust lists: a NIC's signed list of the institutions it vouches for.

Modelled on the EU Trusted Lists (ETSI TS 119 612): a scheme operator (the NIC), a sequence
number that only grows, an issue time and a next-update time after which the list is stale,
and one entry per trusted entity with its identity, service status and supporting evidence.
Here the list is a W3C VC 2.0 credential (``TrustListCredential``) signed by the NIC with a
Data Integrity proof; each entity carries its DID, a snapshot of its DID document (so a
partner can verify diplomas without reaching the institution's server) and its signed
accreditation records.

Importing a partner's list checks the signature against the key the operator configured
out of band, never against a key the list itself names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.dids.document import DidDocument, split_did_url
from diploma_exchange.errors import Error, InvalidInput
from diploma_exchange.proofs import eddsa_jcs_2022

TRUST_LIST_TYPE = "TrustListCredential"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/diploma-exchange/v1"]


@dataclass(frozen=True, slots=True)
class TrustedEntity:
    did: str
    name: str
    country: str | None
    status: str  # granted | withdrawn
    did_document: Mapping[str, Any] | None
    accreditations: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class LogDeclaration:
    """The issuance transparency log a NIC declares in its trust list (docs/transparency.md):
    its origin and checkpoint vkey, tiles prefix, and the NIC's own witness key and prefix."""

    origin: str
    vkey: str
    url: str | None = None
    witness_vkey: str | None = None
    witness_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"origin": self.origin, "vkey": self.vkey}
        if self.url:
            out["url"] = self.url
        if self.witness_vkey:
            out["witness"] = {"vkey": self.witness_vkey, "url": self.witness_url}
        return out


def _parse_log_declaration(value: Any) -> LogDeclaration | None:
    """Raises InvalidInput for a malformed declaration (vkeys are checked as C2SP vkeys)."""
    from diploma_exchange.transparency.note import COSIGNATURE_V1, ED25519, NoteError, parse_vkey

    pointer = "/credentialSubject/transparencyLog"
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInput("transparencyLog must be an object", pointer=pointer)
    origin, vkey, url = value.get("origin"), value.get("vkey"), value.get("url")
    witness = value.get("witness") or {}
    if not isinstance(origin, str) or not isinstance(vkey, str) or not isinstance(witness, Mapping):
        raise InvalidInput("transparencyLog needs an origin and a vkey", pointer=pointer)
    witness_vkey, witness_url = witness.get("vkey"), witness.get("url")
    try:
        if parse_vkey(vkey, expected_type=ED25519).name != origin:
            raise InvalidInput("the log's vkey is not named after its origin", pointer=pointer)
        if witness_vkey is not None:
            parse_vkey(str(witness_vkey), expected_type=COSIGNATURE_V1)
    except NoteError as exc:
        raise InvalidInput(f"transparencyLog: {exc.message}", pointer=pointer) from exc
    return LogDeclaration(
        origin,
        vkey,
        url if isinstance(url, str) else None,
        str(witness_vkey) if witness_vkey is not None else None,
        witness_url if isinstance(witness_url, str) else None,
    )


@dataclass(frozen=True, slots=True)
class TrustList:
    """A verified trust list."""

    id: str
    operator: str  # the NIC's DID
    operator_name: str
    sequence_number: int
    issued_at: datetime
    next_update: datetime
    entities: tuple[TrustedEntity, ...]
    transparency_log: LogDeclaration | None = None

    def entity(self, did: str) -> TrustedEntity | None:
        return next((e for e in self.entities if e.did == did), None)


def _xsd(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_trust_list(
    *,
    list_id: str,
    operator: str,
    operator_name: str,
    country: str,
    sequence_number: int,
    issued_at: datetime,
    next_update: datetime,
    entities: Sequence[Mapping[str, Any]],
    transparency_log: LogDeclaration | None = None,
) -> dict[str, Any]:
    """The unsigned TrustListCredential. ``entities`` are JSON objects with ``id`` (DID),
    ``name``, ``country``, ``status``, ``didDocument`` and ``accreditations``; the NIC's
    transparency log, when given, is declared as ``transparencyLog``."""
    if next_update <= issued_at:
        raise InvalidInput("nextUpdate must be after the issue time")
    document: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": list_id,
        "type": ["VerifiableCredential", TRUST_LIST_TYPE],
        "issuer": operator,
        "validFrom": _xsd(issued_at),
        "validUntil": _xsd(next_update),
        "credentialSubject": {
            "id": operator,
            "type": "TrustList",
            "schemeOperator": {"name": operator_name, "addressCountryCode": country},
            "sequenceNumber": sequence_number,
            "listIssueDateTime": _xsd(issued_at),
            "nextUpdate": _xsd(next_update),
            "trustedEntities": [dict(e) for e in entities],
        },
    }
    if transparency_log is not None:
        document["credentialSubject"]["transparencyLog"] = transparency_log.to_json()
    return document


def _time(value: Any, pointer: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date-time", pointer=pointer) from exc
    if parsed.tzinfo is None:
        raise InvalidInput("the date-time needs a time zone", pointer=pointer)
    return parsed


def verify_trust_list(
    document: Mapping[str, Any], *, operator: str, public_key: Ed25519PublicKey
) -> TrustList:
    """Verify a partner NIC's trust list with the key configured for it, and parse it.

    Raises:
        InvalidInput: not a trust list, not issued or not signed by ``operator``, a bad
            signature, or a malformed entry (with a JSON pointer).
    """
    types = document.get("type")
    if not isinstance(types, list) or TRUST_LIST_TYPE not in types:
        raise InvalidInput("the document is not a TrustListCredential", pointer="/type")
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if issuer_id != operator:
        raise InvalidInput(
            f"the trust list is issued by {issuer_id!r}, not by the configured NIC {operator}",
            pointer="/issuer",
        )
    try:
        proof = eddsa_jcs_2022.proof_of(document)
    except Error as exc:
        raise InvalidInput(
            f"the trust list's proof is unusable: {exc.message}", pointer="/proof"
        ) from exc
    if proof is None:
        raise InvalidInput("the trust list is not signed", pointer="/proof")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or split_did_url(method)[0] != operator:
        raise InvalidInput(
            "the trust list is not signed with a key of the configured NIC",
            pointer="/proof/verificationMethod",
        )
    result = eddsa_jcs_2022.verify_proof(document, public_key)
    if not result.verified:
        raise InvalidInput(
            f"the trust list's signature does not verify with the configured key ({result.code})",
            pointer="/proof",
            code="trust-list-signature",
        )
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping):
        raise InvalidInput("credentialSubject is required", pointer="/credentialSubject")
    sequence = subject.get("sequenceNumber")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
        raise InvalidInput(
            "sequenceNumber must be a non-negative integer",
            pointer="/credentialSubject/sequenceNumber",
        )
    raw_entities = subject.get("trustedEntities")
    if not isinstance(raw_entities, list):
        raise InvalidInput(
            "trustedEntities must be a list", pointer="/credentialSubject/trustedEntities"
        )
    entities: list[TrustedEntity] = []
    for index, raw in enumerate(raw_entities):
        pointer = f"/credentialSubject/trustedEntities/{index}"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            raise InvalidInput("each trusted entity needs an id (its DID)", pointer=pointer)
        did_document = raw.get("didDocument")
        if did_document is not None:
            try:
                parsed = DidDocument.from_json(did_document)
            except Error as exc:
                raise InvalidInput(
                    f"the entity's DID document is malformed: {exc.message}",
                    pointer=f"{pointer}/didDocument",
                ) from exc
            if parsed.id != raw["id"]:
                raise InvalidInput(
                    "the entity's DID document is for another DID",
                    pointer=f"{pointer}/didDocument/id",
                )
        accreditations = raw.get("accreditations") or []
        if not isinstance(accreditations, list) or not all(
            isinstance(a, Mapping) for a in accreditations
        ):
            raise InvalidInput(
                "accreditations must be a list of credentials", pointer=f"{pointer}/accreditations"
            )
        entities.append(
            TrustedEntity(
                did=str(raw["id"]),
                name=str(raw.get("name", "")),
                country=raw.get("addressCountryCode")
                if isinstance(raw.get("addressCountryCode"), str)
                else None,
                status=str(raw.get("status", "granted")),
                did_document=did_document if isinstance(did_document, Mapping) else None,
                accreditations=tuple(accreditations),
            )
        )
    operator_info = subject.get("schemeOperator")
    return TrustList(
        id=str(document.get("id", "")),
        operator=operator,
        operator_name=str(operator_info.get("name", ""))
        if isinstance(operator_info, Mapping)
        else "",
        sequence_number=sequence,
        issued_at=_time(subject.get("listIssueDateTime"), "/credentialSubject/listIssueDateTime"),
        next_update=_time(subject.get("nextUpdate"), "/credentialSubject/nextUpdate"),
        entities=tuple(entities),
        transparency_log=_parse_log_declaration(subject.get("transparencyLog")),
    )
