"""The CCG predecessors of Bitstring Status List, as DCC / Learner Credential Wallet issuers
published them: a ``StatusList2021Entry`` pointing at a ``StatusList2021Credential`` and a
``RevocationList2020Status`` at a ``RevocationList2020Credential`` (VC 1.1, prefix-less
base64url GZIP lists, ``Ed25519Signature2020`` proofs). The same rules hold: the list the entry
names, signed by the issuer, current; otherwise unknown (error), never "fine"."""

from __future__ import annotations

import base64
import gzip
from datetime import timedelta
from typing import Any

import pytest

from diploma_exchange.proofs import linked_data_signatures as ld
from diploma_exchange.status import Bitstring
from diploma_exchange.verification.checks import status
from verification.checks.fakes import (
    NOW,
    DidKeyOnly,
    FakeStatusLists,
    examined_after_proof,
    new_issuer,
    signed,
)

URL = "https://status.example/lists/2021"
SIZE = 131_072
STATUS_LIST_2021 = "https://w3id.org/vc/status-list/2021/v1"
REVOCATION_LIST_2020 = "https://w3id.org/vc-revocation-list-2020/v1"


def encoded(revoked: tuple[int, ...], *, padded: bool = False) -> str:
    bits = Bitstring(SIZE)
    for index in revoked:
        bits.set(index, 1)
    raw = base64.urlsafe_b64encode(gzip.compress(bits.to_bytes()))
    text = raw.decode() if padded else raw.rstrip(b"=").decode()
    return text


def legacy_list(
    issuer: Any,
    kind: str,
    *,
    revoked: tuple[int, ...] = (),
    url: str = URL,
    expires: Any = None,
    padded: bool = False,
) -> dict[str, Any]:
    context, credential_type, subject_type = {
        "StatusList2021Entry": (STATUS_LIST_2021, "StatusList2021Credential", "StatusList2021"),
        "RevocationList2020Status": (
            REVOCATION_LIST_2020,
            "RevocationList2020Credential",
            "RevocationList2020",
        ),
    }[kind]
    subject: dict[str, Any] = {
        "id": f"{url}#list",
        "type": subject_type,
        "encodedList": encoded(revoked, padded=padded),
    }
    if kind == "StatusList2021Entry":
        subject["statusPurpose"] = "revocation"
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            context,
            ld.ED25519_2020_CONTEXT,
        ],
        "id": url,
        "type": ["VerifiableCredential", credential_type],
        "issuer": issuer.did,
        "issuanceDate": (NOW - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": subject,
    }
    if expires is not None:
        document["expirationDate"] = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    options = {
        "type": ld.ED25519_SIGNATURE_2020,
        "created": (NOW - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": issuer.signer.verification_method,
        "proofPurpose": "assertionMethod",
    }
    return {**document, "proof": ld.create_ed25519_signature_2020(document, options, issuer.signer)}


def entry(kind: str, index: int = 7) -> dict[str, Any]:
    if kind == "RevocationList2020Status":
        return {
            "id": f"{URL}#{index}",
            "type": kind,
            "revocationListIndex": str(index),
            "revocationListCredential": URL,
        }
    return {
        "id": f"{URL}#{index}",
        "type": kind,
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": URL,
    }


def revocation(issuer: Any, kind: str, lists: dict[str, Any]) -> tuple[str, str]:
    document = signed(issuer, credentialStatus=entry(kind))
    checks = status.run(
        examined_after_proof(document), resolver=DidKeyOnly(), provider=FakeStatusLists(lists)
    )
    check = next(c for c in checks if c.name.value == "status.revocation")
    assert not any(c.name.value == "status.other" for c in checks), checks
    return check.status.value, check.code


KINDS = ["StatusList2021Entry", "RevocationList2020Status"]


@pytest.mark.parametrize("kind", KINDS)
def test_revoked_and_not_revoked(kind: str) -> None:
    issuer = new_issuer()
    assert revocation(issuer, kind, {URL: legacy_list(issuer, kind)}) == (
        "passed",
        "not-revoked",
    )
    assert revocation(issuer, kind, {URL: legacy_list(issuer, kind, revoked=(7,))}) == (
        "failed",
        "revoked",
    )
    # base64 with padding (some issuers) reads the same
    padded = legacy_list(issuer, kind, revoked=(7,), padded=True)
    assert revocation(issuer, kind, {URL: padded}) == ("failed", "revoked")


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_refusals_as_bitstring_lists(kind: str) -> None:
    issuer, other = new_issuer(), new_issuer()
    # another issuer's list
    assert revocation(issuer, kind, {URL: legacy_list(other, kind)}) == (
        "error",
        "status-list-unverifiable",
    )
    # a list of another URL
    elsewhere = legacy_list(issuer, kind, url="https://status.example/lists/other")
    assert revocation(issuer, kind, {URL: elsewhere}) == ("error", "status-list-unverifiable")
    # a list changed after signing (a revoked bit cleared)
    tampered = legacy_list(issuer, kind, revoked=(7,))
    tampered["credentialSubject"]["encodedList"] = encoded(())
    assert revocation(issuer, kind, {URL: tampered}) == ("error", "status-list-unverifiable")
    # an expired list (VC 1.1 expirationDate)
    stale = legacy_list(issuer, kind, expires=NOW - timedelta(hours=1))
    assert revocation(issuer, kind, {URL: stale}) == ("error", "status-list-expired")
    # a Bitstring-typed entry does not accept a legacy list, nor the reverse
    other_kind = KINDS[1 - KINDS.index(kind)]
    assert revocation(issuer, kind, {URL: legacy_list(issuer, other_kind)}) == (
        "error",
        "status-list-invalid",
    )
