"""Recognition statements: an assessment, signed by the NIC as a verifiable credential.

The statement names the source diploma by id and by digest (VC 2.0 ``relatedResource`` with
``digestMultibase`` of the diploma's RFC 8785 form), so it cannot be moved onto another
diploma, and cites the Tokyo Convention provisions it relies on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from diploma_exchange.proofs.jcs import canonicalize
from diploma_exchange.proofs.multibase import encode_base64url

STATEMENT_TYPE = "RecognitionStatementCredential"
CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/diploma-exchange/v1"]
TOKYO_CONVENTION = (
    "Convention on the Recognition of Qualifications concerning Higher Education in the "
    "Asia-Pacific Region (Tokyo, 2011)"
)
TOKYO_TEXT_URL = (
    "https://webarchive.unesco.org/web/20210922020408/http://portal.unesco.org/en/ev.php-"
    "URL_ID=48975&URL_DO=DO_TOPIC&URL_SECTION=201.html"
)
#: Provisions a statement relies on. Article numbers marked "inferred" follow the Lisbon
#: Convention's numbering (see the fact base); the substance of each is sourced.
LEGAL_BASIS: dict[str, dict[str, str]] = {
    "III.2": {
        "summary": "procedures and criteria are transparent, coherent, reliable, fair and non-discriminatory",
        "numbering": "confirmed",
    },
    "III.3": {
        "summary": "the body undertaking the assessment must demonstrate that an application does not meet the requirements (burden of proof)",
        "numbering": "inferred",
    },
    "III.5": {
        "summary": "decision within a reasonable time, with reasons when recognition is withheld, and a right of appeal",
        "numbering": "inferred",
    },
    "VI.1": {
        "summary": "higher education qualifications conferred in another Party are recognised unless a substantial difference can be shown",
        "numbering": "inferred",
    },
}


def diploma_digest(credential: Mapping[str, Any]) -> str:
    """``digestMultibase`` (sha2-256, base64url, ``u`` prefix) of the credential's JCS form,
    proof included: the exact document that was assessed."""
    digest = hashlib.sha256(canonicalize(credential)).digest()
    # multihash: 0x12 (sha2-256), 0x20 (32 bytes), then the digest
    return encode_base64url(bytes([0x12, 0x20]) + digest)


def legal_basis(outcome: str) -> list[dict[str, str]]:
    """The provisions a statement with this outcome cites."""
    articles = ["VI.1", "III.2", "III.3"]
    if outcome in ("substantial-difference", "insufficient-information"):
        articles.append("III.5")
    return [
        {
            "instrument": TOKYO_CONVENTION,
            "article": article,
            "summary": LEGAL_BASIS[article]["summary"],
            "articleNumbering": LEGAL_BASIS[article]["numbering"],
            "source": TOKYO_TEXT_URL,
        }
        for article in articles
    ]


def build_statement(
    *,
    statement_id: str,
    nic: str,
    issued_at: datetime,
    receiving_country: str,
    assessment: Mapping[str, Any],
    diploma: Mapping[str, Any] | None,
    qualification: Mapping[str, Any],
) -> dict[str, Any]:
    """The unsigned RecognitionStatementCredential."""
    subject: dict[str, Any] = {
        "type": "RecognitionStatement",
        "receivingCountry": receiving_country,
        "outcome": assessment.get("outcome"),
        "qualification": dict(qualification),
        "assessment": dict(assessment),
        "legalBasis": legal_basis(str(assessment.get("outcome"))),
    }
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
