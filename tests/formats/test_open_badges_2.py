"""Open Badges 2.0 through the verifier: hosted and signed assertions with the issuer's
documents served by a stored fetcher, baked into PNG and SVG; each failure asserts its check."""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import RSAKey

from diploma_exchange.formats.inputs import PNG_MAGIC
from formats.support import codes, verify

OB2 = "https://w3id.org/openbadges/v2"
ISSUER = "https://badges.example.edu/issuer"
BADGE = "https://badges.example.edu/badges/bsc"
KEY = "https://badges.example.edu/keys/1"
REVOCATIONS = "https://badges.example.edu/revocations"


class Issuer:
    def __init__(self, *, key_revoked: bool = False, revoked: tuple[str, ...] = ()) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        key_document: dict[str, Any] = {
            "@context": OB2,
            "type": "CryptographicKey",
            "id": KEY,
            "owner": ISSUER,
            "publicKeyPem": pem.decode(),
        }
        if key_revoked:
            key_document["revoked"] = True
        self.documents = {
            ISSUER: {
                "@context": OB2,
                "type": "Issuer",
                "id": ISSUER,
                "name": "Example University",
                "url": "https://badges.example.edu",
                "publicKey": KEY,
                "revocationList": REVOCATIONS,
            },
            BADGE: {"@context": OB2, "type": "BadgeClass", "id": BADGE, "issuer": ISSUER},
            KEY: key_document,
            REVOCATIONS: {
                "@context": OB2,
                "type": "RevocationList",
                "id": REVOCATIONS,
                "revokedAssertions": [
                    {"id": r, "revocationReason": "issued in error"} for r in revoked
                ],
            },
        }

    def served(self, **extra: Any) -> dict[str, bytes]:
        return {url: json.dumps(doc).encode() for url, doc in {**self.documents, **extra}.items()}

    def sign(self, assertion: dict[str, Any]) -> str:
        key = RSAKey.import_key(self.private)
        return jws.serialize_compact({"alg": "RS256"}, json.dumps(assertion).encode(), key)


def assertion(ident: str = "urn:uuid:0b4e7a9c", **extra: Any) -> dict[str, Any]:
    return {
        "@context": OB2,
        "type": "Assertion",
        "id": ident,
        "recipient": {"type": "email", "hashed": False, "identity": "student@example.edu"},
        "badge": BADGE,
        "verification": {"type": "SignedBadge", "creator": KEY},
        "issuedOn": "2026-01-15T10:00:00Z",
        **extra,
    }


def test_a_signed_assertion_is_valid_for_a_trusted_issuer() -> None:
    issuer = Issuer()
    token = issuer.sign(assertion())
    report = verify(token, trusted=[ISSUER], documents=issuer.served())
    assert report.verdict.value == "valid", codes(report)
    assert report.format is not None and report.format["name"] == "open-badges-2"
    assert codes(report)["status.revocation"] == ("passed", "not-revoked")
    assert verify(token, documents=issuer.served()).verdict.value == "indeterminate"


def test_without_the_issuers_documents_nothing_can_be_said() -> None:
    report = verify(Issuer().sign(assertion()), trusted=[ISSUER])
    assert codes(report)["proof.signature"] == ("error", "unresolvable-key")
    assert report.verdict.value == "indeterminate"


@pytest.mark.parametrize(
    ("make", "name", "outcome"),
    [
        (
            lambda i: (i.sign(assertion()).rsplit(".", 1)[0] + ".AAAA", i.served()),
            "proof.signature",
            ("failed", "bad-signature"),
        ),
        (
            lambda i: (Issuer().sign(assertion()), i.served()),
            "proof.signature",
            ("failed", "bad-signature"),
        ),
        (
            lambda i: (i.sign(assertion(expires="2026-02-01T00:00:00Z")), i.served()),
            "validity.period",
            ("failed", "expired"),
        ),
        (
            lambda i: (
                i.sign(assertion("urn:uuid:gone")),
                Issuer(revoked=("urn:uuid:gone",)).served(),
            ),
            "proof.signature",
            ("failed", "bad-signature"),
        ),
    ],
)
def test_failures(make: Any, name: str, outcome: tuple[str, str]) -> None:
    token, documents = make(Issuer())
    report = verify(token, trusted=[ISSUER], documents=documents)
    assert codes(report)[name] == outcome
    assert report.verdict.value == "invalid"


def test_a_revoked_assertion() -> None:
    issuer = Issuer(revoked=("urn:uuid:gone",))
    report = verify(
        issuer.sign(assertion("urn:uuid:gone")), trusted=[ISSUER], documents=issuer.served()
    )
    assert codes(report)["status.revocation"] == ("failed", "revoked")
    assert report.verdict.value == "invalid"


def test_a_revoked_key() -> None:
    issuer = Issuer(key_revoked=True)
    report = verify(issuer.sign(assertion()), trusted=[ISSUER], documents=issuer.served())
    assert codes(report)["key.validity"] == ("failed", "key-revoked")


def test_a_key_the_issuer_does_not_list() -> None:
    issuer = Issuer()
    profile = {**issuer.documents[ISSUER], "publicKey": "https://badges.example.edu/keys/other"}
    report = verify(
        issuer.sign(assertion()), trusted=[ISSUER], documents=issuer.served(**{ISSUER: profile})
    )
    assert codes(report)["proof.key-binding"] == ("failed", "key-not-controlled-by-issuer")


HOSTED_ID = "https://badges.example.edu/assertions/42"


def hosted(**extra: Any) -> dict[str, Any]:
    return assertion(HOSTED_ID, verification={"type": "hosted"}, **extra)


def test_a_hosted_assertion_is_its_issuers_copy() -> None:
    issuer = Issuer()
    documents = issuer.served(**{HOSTED_ID: hosted()})
    report = verify(json.dumps(hosted()), trusted=[ISSUER], documents=documents)
    assert report.verdict.value == "valid", codes(report)
    assert codes(report)["proof.signature"] == ("passed", "hosted-verified")
    assert codes(report)["key.validity"] == ("passed", "hosted")


def test_a_hosted_assertion_that_differs_from_the_issuers_copy() -> None:
    issuer = Issuer()
    documents = issuer.served(**{HOSTED_ID: hosted()})
    changed = hosted(issuedOn="2020-01-01T00:00:00Z")
    report = verify(json.dumps(changed), trusted=[ISSUER], documents=documents)
    assert codes(report)["proof.signature"] == ("failed", "hosted-copy-differs")
    assert report.verdict.value == "invalid"


def test_a_hosted_assertion_on_another_host() -> None:
    issuer = Issuer()
    elsewhere = "https://evil.example/assertions/42"
    copy = assertion(elsewhere, verification={"type": "hosted"})
    report = verify(
        json.dumps(copy), trusted=[ISSUER], documents=issuer.served(**{elsewhere: copy})
    )
    assert codes(report)["proof.key-binding"] == ("failed", "hosted-elsewhere")


def test_blockcerts_style_dates_are_read() -> None:
    issuer = Issuer()
    token = issuer.sign(assertion(issuedOn="2026-01-15"))
    assert codes(verify(token, trusted=[ISSUER], documents=issuer.served()))["validity.period"] == (
        "passed",
        "within-period",
    )


# --- baked badges -------------------------------------------------------------------------


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bake_png(text: str, *, compressed: bool = False) -> bytes:
    header = chunk(b"IHDR", struct.pack(">II", 1, 1) + bytes([8, 0, 0, 0, 0]))
    body = zlib.compress(text.encode()) if compressed else text.encode()
    badge = chunk(b"iTXt", b"openbadges\x00" + bytes([int(compressed), 0]) + b"\x00\x00" + body)
    return (
        PNG_MAGIC
        + header
        + badge
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def bake_svg(token: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        f'<openbadges:assertion verify="{token}"/><rect width="1" height="1"/></svg>'
    ).encode()


@pytest.mark.parametrize("bake", [bake_png, lambda t: bake_png(t, compressed=True), bake_svg])
def test_baked_signed_badges(bake: Any) -> None:
    issuer = Issuer()
    report = verify(bake(issuer.sign(assertion())), trusted=[ISSUER], documents=issuer.served())
    assert report.verdict.value == "valid", codes(report)
    assert report.format is not None and report.format["container"] in ("png", "svg")


def test_a_baked_badge_that_was_changed() -> None:
    issuer = Issuer()
    head, payload, signature = issuer.sign(assertion()).split(".")
    forged = bake_png(f"{head}.{payload[:-4]}AAAA.{signature}")
    report = verify(forged, trusted=[ISSUER], documents=issuer.served())
    assert report.verdict.value == "invalid"
