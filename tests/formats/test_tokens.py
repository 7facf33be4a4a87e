"""VC-JWT, VC-JOSE, SD-JWT VC, COSE and the IETF Token Status List, with keys made here
(did:jwk issuers, so resolution is offline): each failure asserts the check that failed."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.jwk import ECKey

from diploma_exchange.formats import (
    EnvelopeOptions,
    FormatName,
    StaticFetcher,
    open_envelope,
)
from diploma_exchange.verification.report import CheckName, CheckStatus
from formats.support import NOW, RESOLVER, codes, verify


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    def __init__(self) -> None:
        self.key = ECKey.generate_key("P-256")
        public = {
            k: v
            for k, v in self.key.as_dict(private=False).items()
            if k in ("kty", "crv", "x", "y")
        }
        self.did = "did:jwk:" + b64(json.dumps(public, separators=(",", ":")).encode())
        self.public = public

    def sign(self, claims: dict[str, Any], typ: str | None = "JWT", **header: Any) -> str:
        head = {"alg": "ES256", "kid": f"{self.did}#0", **header}
        if typ:
            head["typ"] = typ
        return jws.serialize_compact(
            head, json.dumps(claims).encode(), self.key, algorithms=["ES256"]
        )


def check(envelope: Any, name: CheckName) -> Any:
    return next(c for c in envelope.checks if c.name is name)


def open_(token: str | bytes, **options: Any) -> Any:
    data = token.encode() if isinstance(token, str) else token
    fetcher = options.pop("fetcher", None)
    return open_envelope(
        data, resolver=RESOLVER, now=NOW, fetcher=fetcher, options=EnvelopeOptions(**options)
    )


def vc(issuer: str, **extra: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential", "VerifiableDiploma"],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:student", "degree": "BSc"},
        **extra,
    }


def test_vc_jwt_1_1_maps_claims_and_verifies() -> None:
    issuer = Issuer()
    nbf = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    token = issuer.sign(
        {
            "iss": issuer.did,
            "sub": "did:example:student",
            "nbf": nbf,
            "jti": "urn:uuid:1",
            "vc": vc(issuer.did),
        }
    )
    envelope = open_(token)
    assert envelope.format.name is FormatName.VC_JWT
    report = verify(token, trusted=[issuer.did])
    assert report.verdict.value == "valid", codes(report)
    assert report.format is not None and report.format["name"] == "vc-jwt"
    assert report.format["version"] == "1.1"
    assert verify(token).verdict.value == "indeterminate"  # nobody vouches for the issuer
    assert envelope.credential["issuer"] == issuer.did and envelope.credential["id"] == "urn:uuid:1"
    assert check(envelope, CheckName.FORMAT_ENVELOPE).status is CheckStatus.PASSED


def test_vc_jwt_claims_set_the_credential() -> None:
    """VC Data Model 1.1 §6.3.1: the claims set the properties; what they replaced is named."""
    issuer = Issuer()
    token = issuer.sign(
        {
            "iss": issuer.did,
            "sub": "did:example:other",
            "vc": {**vc(issuer.did, id="urn:uuid:template"), "issuer": "did:example:template"},
            "jti": "urn:uuid:real",
        }
    )
    envelope = open_(token)
    envelope_check = check(envelope, CheckName.FORMAT_ENVELOPE)
    assert envelope_check.code == "decoded-from-claims"
    assert len(envelope_check.details["replaced"]) == 3
    assert envelope.credential["issuer"] == issuer.did
    assert envelope.credential["credentialSubject"]["id"] == "did:example:other"
    assert envelope.credential["id"] == "urn:uuid:real"
    assert verify(token, trusted=[issuer.did]).verdict.value == "valid"


def test_vc_jwt_malformed_date_claim_fails() -> None:
    issuer = Issuer()
    token = issuer.sign({"iss": issuer.did, "nbf": "yesterday", "vc": vc(issuer.did)})
    assert check(open_(token), CheckName.FORMAT_ENVELOPE).code == "conflicting-claims"
    assert verify(token, trusted=[issuer.did]).verdict.value == "invalid"


def test_vc_jose_conflicting_claims_fail() -> None:
    issuer, other = Issuer(), Issuer()
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": other.did,
        "credentialSubject": {"id": "did:example:s"},
    }
    token = issuer.sign({**credential, "iss": issuer.did}, typ="vc+jwt")
    assert check(open_(token), CheckName.FORMAT_ENVELOPE).code == "conflicting-claims"


def test_vc_jwt_tampered_payload_fails_signature() -> None:
    issuer = Issuer()
    head, _, sig = issuer.sign({"iss": issuer.did, "vc": vc(issuer.did)}).split(".")
    forged = b64(json.dumps({"iss": issuer.did, "vc": vc(issuer.did, name="forged")}).encode())
    envelope = open_(f"{head}.{forged}.{sig}")
    assert check(envelope, CheckName.PROOF_SIGNATURE).code == "bad-signature"
    report = verify(f"{head}.{forged}.{sig}", trusted=[issuer.did])
    assert envelope.credential is None and report.verdict.value == "invalid"
    assert codes(report)["validity.period"] == ("skipped", "proof-not-verified")


def test_signed_by_another_did_breaks_key_binding() -> None:
    issuer, other = Issuer(), Issuer()
    token = other.sign({"iss": issuer.did, "vc": vc(issuer.did)})
    envelope = open_(token)
    assert check(envelope, CheckName.PROOF_SIGNATURE).status is CheckStatus.PASSED
    assert check(envelope, CheckName.PROOF_KEY_BINDING).code == "key-not-controlled-by-issuer"
    assert verify(token, trusted=[issuer.did]).verdict.value == "invalid"


def test_hmac_and_none_are_refused() -> None:
    issuer = Issuer()
    payload = b64(json.dumps({"iss": issuer.did, "vc": vc(issuer.did)}).encode())
    head = b64(json.dumps({"alg": "none", "kid": issuer.did + "#0"}).encode())
    envelope = open_(f"{head}.{payload}.")
    assert check(envelope, CheckName.PROOF_SIGNATURE).code == "insecure-algorithm"


def test_vc_jose_payload_is_the_credential() -> None:
    issuer = Issuer()
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer.did,
        "credentialSubject": {"id": "did:example:s"},
    }
    token = issuer.sign({**credential, "iat": 1}, typ="vc+jwt")
    envelope = open_(token)
    assert envelope.format.name is FormatName.VC_JOSE
    assert envelope.credential == credential
    report = verify(token, trusted=[issuer.did])
    assert report.verdict.value == "valid", codes(report)
    expired = verify(issuer.sign({**credential, "exp": 2}, typ="vc+jwt"), trusted=[issuer.did])
    assert codes(expired)["validity.period"] == ("failed", "expired")


# --- SD-JWT VC ------------------------------------------------------------------------------


def disclosure(*parts: Any) -> tuple[str, str]:
    text = b64(json.dumps(["salt-" + str(parts[0]), *parts]).encode())
    return text, b64(hashlib.sha256(text.encode()).digest())


def sd_jwt(
    issuer: Issuer, holder: ECKey | None = None, *, extra_digest: bool = False
) -> tuple[str, list[str]]:
    given, d1 = disclosure("given_name", "Aigerim")
    degree, d2 = disclosure("degree", "MSc")
    claims: dict[str, Any] = {
        "iss": issuer.did,
        "vct": "https://nic.kz/diploma",
        "iat": int(NOW.timestamp()) - 60,
        "_sd": [d1, d2, b64(b"decoy" * 7)],
        "_sd_alg": "sha-256",
    }
    if holder is not None:
        claims["cnf"] = {
            "jwk": {
                k: v
                for k, v in holder.as_dict(private=False).items()
                if k in ("kty", "crv", "x", "y")
            }
        }
    token = issuer.sign(claims, typ="dc+sd-jwt")
    return token, [given, degree]


def kb_jwt(holder: ECKey, presented: str, **claims: Any) -> str:
    sd_hash = b64(hashlib.sha256(presented.encode()).digest())
    body = {
        "iat": int(NOW.timestamp()),
        "aud": "https://verifier.example",
        "nonce": "n-1",
        "sd_hash": sd_hash,
        **claims,
    }
    return jws.serialize_compact(
        {"alg": "ES256", "typ": "kb+jwt"}, json.dumps(body).encode(), holder, algorithms=["ES256"]
    )


def test_sd_jwt_vc_disclosures_and_key_binding() -> None:
    issuer, holder = Issuer(), ECKey.generate_key("P-256")
    token, disclosures = sd_jwt(issuer, holder)
    presented = "~".join([token, *disclosures]) + "~"
    whole = presented + kb_jwt(holder, presented)
    envelope = open_(whole, audience="https://verifier.example", nonce="n-1")
    assert envelope.format.name is FormatName.SD_JWT_VC
    assert envelope.credential["given_name"] == "Aigerim" and "_sd" not in envelope.credential
    assert check(envelope, CheckName.PROOF_HOLDER_BINDING).code == "holder-bound"
    report = verify(whole, trusted=[issuer.did], audience="https://verifier.example", nonce="n-1")
    assert report.verdict.value == "valid", codes(report)
    replayed = verify(whole, trusted=[issuer.did], audience="https://verifier.example", nonce="x")
    assert codes(replayed)["proof.holder-binding"] == ("failed", "wrong-nonce")
    assert replayed.verdict.value == "invalid"


def test_sd_jwt_partial_disclosure_hides_the_rest() -> None:
    issuer = Issuer()
    token, disclosures = sd_jwt(issuer)
    envelope = open_(token + "~" + disclosures[1] + "~")
    assert "given_name" not in envelope.credential and envelope.credential["degree"] == "MSc"
    assert check(envelope, CheckName.PROOF_HOLDER_BINDING).status is CheckStatus.SKIPPED


def test_sd_jwt_forged_disclosure_fails() -> None:
    issuer = Issuer()
    token, _ = sd_jwt(issuer)
    forged, _ = disclosure("degree", "PhD")
    envelope = open_(token + "~" + forged + "~")
    assert check(envelope, CheckName.PROOF_DISCLOSURES).code == "invalid-disclosures"
    assert verify(token + "~" + forged + "~", trusted=[issuer.did]).verdict.value == "invalid"


@pytest.mark.parametrize(
    ("claims", "options", "code"),
    [
        (
            {"aud": "https://other.example"},
            {"audience": "https://verifier.example"},
            "wrong-audience",
        ),
        ({"nonce": "replayed"}, {"nonce": "n-1"}, "wrong-nonce"),
        (
            {"iat": int((NOW - timedelta(hours=1)).timestamp())},
            {"nonce": "n-1"},
            "stale-key-binding",
        ),
        # Nobody asked for a fresh presentation: an older KB-JWT only dates it.
        ({"iat": int((NOW - timedelta(hours=1)).timestamp())}, {}, "holder-signed"),
        ({"sd_hash": "AAAA"}, {}, "sd-hash-mismatch"),
    ],
)
def test_sd_jwt_key_binding_failures(
    claims: dict[str, Any], options: dict[str, Any], code: str
) -> None:
    issuer, holder = Issuer(), ECKey.generate_key("P-256")
    token, disclosures = sd_jwt(issuer, holder)
    presented = "~".join([token, *disclosures]) + "~"
    envelope = open_(presented + kb_jwt(holder, presented, **claims), **options)
    assert check(envelope, CheckName.PROOF_HOLDER_BINDING).code == code


def test_sd_jwt_missing_key_binding_when_required() -> None:
    issuer = Issuer()
    token, disclosures = sd_jwt(issuer, ECKey.generate_key("P-256"))
    envelope = open_("~".join([token, *disclosures]) + "~", nonce="n-1")
    assert check(envelope, CheckName.PROOF_HOLDER_BINDING).code == "missing-key-binding"


# --- COSE -----------------------------------------------------------------------------------


def test_vc_cose_sign1() -> None:
    issuer = Issuer()
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer.did,
        "credentialSubject": {"id": "did:example:s"},
    }
    protected = cbor2.dumps({1: -7, 4: f"{issuer.did}#0".encode(), 16: "application/vc+cose"})
    payload = json.dumps(credential).encode()
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    private = issuer.key.private_key
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(private.sign(to_sign, ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    message = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    envelope = open_(message)
    assert envelope.format.name is FormatName.VC_COSE
    report = verify(message, trusted=[issuer.did])
    assert report.verdict.value == "valid", codes(report)
    tampered = cbor2.dumps(
        cbor2.CBORTag(
            18, [protected, {}, payload.replace(b"did:example:s", b"did:example:x"), signature]
        )
    )
    assert check(open_(tampered), CheckName.PROOF_SIGNATURE).code == "bad-signature"


# --- IETF Token Status List -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "check_name", "code"),
    [
        (0, CheckName.STATUS_REVOCATION, "not-revoked"),
        (1, CheckName.STATUS_REVOCATION, "revoked"),
        (2, CheckName.STATUS_SUSPENSION, "suspended"),
    ],
)
def test_token_status_list(value: int, check_name: CheckName, code: str) -> None:
    issuer = Issuer()
    uri = "https://nic.example/status/1"
    bits = bytearray(16)
    index = 13  # 2 bits per entry: byte 3, bits 2-3
    bits[index * 2 // 8] |= value << (index * 2 % 8)
    status_token = issuer.sign(
        {
            "iss": issuer.did,
            "sub": uri,
            "iat": 1,
            "status_list": {"bits": 2, "lst": b64(zlib.compress(bytes(bits)))},
        },
        typ="statuslist+jwt",
    )
    token = issuer.sign(
        {"iss": issuer.did, "vct": "x", "status": {"status_list": {"idx": index, "uri": uri}}},
        typ="dc+sd-jwt",
    )
    envelope = open_(token + "~")
    assert envelope.status_entries[0].uri == uri
    checks = envelope.check_status(StaticFetcher({uri: status_token.encode()}))
    assert next(c for c in checks if c.name is check_name).code == code
    report = verify(token + "~", trusted=[issuer.did], documents={uri: status_token.encode()})
    assert codes(report)[check_name.value][1] == code
    assert report.verdict.value == ("valid" if value == 0 else "invalid"), codes(report)
    unfetched = verify(token + "~", trusted=[issuer.did])
    assert codes(unfetched)["status.revocation"] == ("error", "status-not-fetched")


def test_status_list_bomb_is_refused() -> None:
    from diploma_exchange.errors import LimitExceeded
    from diploma_exchange.status.token_status_list import decompress_status_list

    with pytest.raises(LimitExceeded):
        decompress_status_list(zlib.compress(bytes(64 * 1024 * 1024)), 1)
