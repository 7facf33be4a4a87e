"""Recognition statements: an assessment, signed by the NIC as a verifiable credential.

The statement names the source diploma by id and by digest (VC 2.0 ``relatedResource`` with
``digestMultibase`` of the diploma's RFC 8785 form), so it cannot be moved onto another
diploma, and cites the Tokyo Convention provisions it relies on: article numbers only where
they were verified against the treaty text, each with its source and quotation (data in
``conventions.json``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from diploma_exchange.proofs.jcs import canonicalize
from diploma_exchange.proofs.multibase import encode_base64url
from diploma_exchange.recognition.frameworks import FrameworkRegistry, load_registry

STATEMENT_TYPE = "RecognitionStatementCredential"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/diploma-exchange/v1"]


def diploma_digest(credential: Mapping[str, Any]) -> str:
    """``digestMultibase`` (sha2-256, base64url, ``u`` prefix) of the credential's JCS form,
    proof included: the exact document that was assessed."""
    digest = hashlib.sha256(canonicalize(credential)).digest()
    # multihash: 0x12 (sha2-256), 0x20 (32 bytes), then the digest
    return encode_base64url(bytes([0x12, 0x20]) + digest)


def legal_basis(outcome: str, registry: FrameworkRegistry | None = None) -> list[dict[str, Any]]:
    """The provisions a statement relies on, from ``conventions.json``: each with its article
    number (only where verified against the treaty text), topic, source and quotation.

    Every statement cites the fairness of procedures (Art. III.2) and the principle of
    recognition unless a substantial difference is shown; a statement that withholds or
    limits recognition also cites where the burden of proof lies.
    """
    reg = registry or load_registry()
    tokyo = reg.instrument("tokyo")
    wanted = ["recognition unless", "III.2", "consequences of recognition"]
    if outcome in (
        "substantial-difference",
        "insufficient-information",
        "partial-recognition",
        "not-a-completed-qualification",
    ):
        wanted.append("burden of proof")
    out: list[dict[str, Any]] = []
    for provision in tokyo.provisions:
        if not any(w == provision.article or w in provision.topic for w in wanted):
            continue
        for citation in provision.sources[:1]:
            source = reg.source(citation.source)
            entry: dict[str, Any] = {
                "instrument": tokyo.name,
                "topic": provision.topic,
                "quote": citation.quote,
                "source": source.url,
                "sourceTitle": source.title,
                "checked": source.checked.isoformat(),
            }
            if provision.article is not None:
                entry["article"] = provision.article
            out.append(entry)
    return out


def build_statement(
    *,
    statement_id: str,
    nic: str,
    issued_at: datetime,
    receiving_country: str,
    assessment: Mapping[str, Any],
    diploma: Mapping[str, Any] | None,
    qualification: Mapping[str, Any],
    purpose: str | None = None,
) -> dict[str, Any]:
    """The unsigned RecognitionStatementCredential (``purpose``: why recognition was sought,
    when the requester said so; the comparison may hold for that purpose only)."""
    subject: dict[str, Any] = {
        "type": "RecognitionStatement",
        "receivingCountry": receiving_country,
        "outcome": assessment.get("outcome"),
        "qualification": dict(qualification),
        "assessment": dict(assessment),
        "legalBasis": legal_basis(str(assessment.get("outcome"))),
    }
    if purpose is not None:
        subject["purposeOfRecognition"] = purpose
    credential: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": statement_id,
        "type": ["VerifiableCredential", STATEMENT_TYPE],
        "issuer": nic,
        "validFrom": issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": subject,
    }
    if diploma is not None:
        credential["relatedResource"] = [
            {"id": str(diploma.get("id", "")), "digestMultibase": diploma_digest(diploma)}
        ]
        holder = diploma.get("credentialSubject")
        if isinstance(holder, Mapping) and isinstance(holder.get("id"), str):
            subject["id"] = holder["id"]
    return credential
