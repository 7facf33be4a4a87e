"""Every format at the API's doors: compact tokens as raw bodies of their media types, JSON
strings and wrappers, baked images and files as uploads, the VC-API's string and enveloped
forms, presentations; and a JWT signed with an institution's own key that it never issued."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import ECKey
from sqlmodel import Session

from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.formats.inputs import PNG_MAGIC
from diploma_exchange.services import institutions
from helpers import diploma_payload

V1 = "https://www.w3.org/2018/credentials/v1"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def foreign_jwt() -> tuple[str, str]:
    """A VC-JWT of a foreign issuer (a did:jwk nobody here vouches for)."""
    key = ECKey.generate_key("P-256")
    public = {k: v for k, v in key.as_dict(private=False).items() if k in ("kty", "crv", "x", "y")}
    did = "did:jwk:" + b64(json.dumps(public, separators=(",", ":")).encode())
    claims = {
        "iss": did,
        "nbf": 1767225600,
        "jti": "urn:uuid:6f1c",
        "vc": {
            "@context": [V1],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:graduate", "degree": "BSc"},
        },
    }
    token = jws.serialize_compact(
        {"alg": "ES256", "kid": f"{did}#0", "typ": "JWT"}, json.dumps(claims).encode(), key
    )
    return token, did


def checks(report: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: f"{c['status']}:{c['code']}" for c in report["checks"]}


@pytest.mark.parametrize(
    "media_type", ["application/jwt", "application/vc+jwt", "text/plain", "application/json"]
)
def test_a_compact_jwt_in_any_of_its_media_types(client: TestClient, media_type: str) -> None:
    token, did = foreign_jwt()
    body = json.dumps(token) if media_type == "application/json" else token
    response = client.post("/v1/verifications", content=body, headers={"Content-Type": media_type})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["format"]["name"] == "vc-jwt" and report["format"]["version"] == "1.1"
    assert checks(report)["proof.signature"] == "passed:verified"
    assert report["issuer"] == did
    # Authentic and intact, but nobody this NIC trusts vouches for the issuer.
    assert report["verdict"] == "indeterminate"


def test_wrapped_and_uploaded(client: TestClient) -> None:
    token, _ = foreign_jwt()
    wrapped = client.post("/v1/verifications", json={"verifiableCredential": token})
    assert wrapped.status_code == 200 and wrapped.json()["format"]["name"] == "vc-jwt"
    uploaded = client.post(
        "/v1/verifications", files={"file": ("diploma.jwt", token.encode(), "application/jwt")}
    )
    assert uploaded.status_code == 200 and uploaded.json()["format"]["name"] == "vc-jwt"


def _png_with(text: str) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = chunk(b"IHDR", struct.pack(">II", 1, 1) + bytes([8, 0, 0, 0, 0]))
    badge = chunk(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00" + text.encode())
    return PNG_MAGIC + header + badge + chunk(b"IEND", b"")


def test_a_baked_image(client: TestClient) -> None:
    token, _ = foreign_jwt()
    response = client.post(
        "/v1/verifications", files={"file": ("badge.png", _png_with(token), "image/png")}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["format"]["container"] == "png"
    assert checks(report)["proof.signature"] == "passed:verified"


def test_vc_api_takes_a_string_and_an_enveloped_credential(client: TestClient) -> None:
    token, _ = foreign_jwt()
    as_string = client.post("/credentials/verify", json={"verifiableCredential": token})
    enveloped = client.post(
        "/credentials/verify",
        json={
            "verifiableCredential": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": "EnvelopedVerifiableCredential",
                "id": f"data:application/jwt,{token}",
            }
        },
    )
    for response in (as_string, enveloped):
        # Read and its signature checked: verified at the VC-API (proof, validity, status),
        # with the issuer nobody vouches for reported as a warning.
        assert response.status_code == 200 and response.json()["verified"] is True
        assert "proof.signature" in response.json()["checks"]
        assert "issuer.trust" in {w["title"] for w in response.json()["warnings"]}
    trusted_only = client.post(
        "/credentials/verify",
        json={"verifiableCredential": token, "options": {"policy": "default"}},
    )
    assert trusted_only.status_code == 400 and trusted_only.json()["verified"] is False
    assert trusted_only.json()["code"] == "credential-indeterminate"


def test_a_presentation_of_this_services_diploma(client: TestClient, kaznu: Tenant) -> None:
    issued = client.post("/v1/diplomas", json=diploma_payload(0), headers=kaznu.headers)
    credential = issued.json()["verifiableCredential"]
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [credential],
    }
    response = client.post("/presentations/verify", json={"verifiablePresentation": presentation})
    assert response.status_code == 200, response.text
    report = response.json()["report"]
    assert report["verdict"] == "valid"
    assert checks(report)["presentation.credentials"] == "passed:credentials-valid"
    assert report["credentials"][0]["verdict"] == "valid"
    # Holder binding asked for, but the presentation is not signed by its holder.
    bound = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": {"challenge": "n-1"}},
    )
    assert bound.status_code == 200 and bound.json()["verified"] is False  # VC-API: 200 always
    assert checks(bound.json()["report"])["proof.holder-binding"] == "failed:missing-holder-proof"


def test_a_jwt_signed_with_an_institutions_key_that_it_never_issued(
    client: TestClient, kaznu: Tenant, engine: Any, settings: Settings
) -> None:
    """A leaked key (or an insider) can sign a JWT "diploma"; the register of what this
    service issued says it was never issued: invalid, whatever the signature."""
    with Session(engine) as s:
        record = institutions.find_institution_by_did(s, kaznu.did)
        assert record is not None
        signer = institutions.signer_for(s, settings, record)
    header = {"alg": "EdDSA", "kid": signer.verification_method, "typ": "JWT"}
    claims = {
        "iss": kaznu.did,
        "nbf": 1767225600,
        "vc": {"@context": [V1], "type": ["VerifiableCredential"], "credentialSubject": {}},
    }
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    token = f"{signing_input}.{b64(signer.sign(signing_input.encode()))}"
    response = client.post(
        "/v1/verifications", content=token, headers={"Content-Type": "application/jwt"}
    )
    report = response.json()
    assert checks(report)["proof.signature"] == "passed:verified"
    assert checks(report)["proof.key-binding"] == "passed:issuer-key"
    assert checks(report)["issuance.record"] == "failed:not-issued-here"
    assert report["verdict"] == "invalid"


@pytest.mark.parametrize(
    ("body", "media_type", "status", "code"),
    [
        (b"not a credential", "text/plain", 400, "invalid-input"),
        (b"\xd2\x84\xff\xff", "application/vc+cose", 400, "malformed-cose"),
        (b"<a/>", "application/xml", 400, "unsupported-upload"),
        (b"x", "application/x-unknown", 415, "unsupported-media-type"),
    ],
)
def test_what_is_no_credential_is_refused(
    client: TestClient, body: bytes, media_type: str, status: int, code: str
) -> None:
    response = client.post("/v1/verifications", content=body, headers={"Content-Type": media_type})
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
