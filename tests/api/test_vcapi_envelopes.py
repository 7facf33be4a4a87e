"""Enveloped verifiable credentials and presentations at the VC-API (VC Data Model 2.0
§4.13.1/§4.13.2, VC-JOSE-COSE §3.3): the token in the ``data:`` URL of ``id`` is verified; an
object that claims to be an envelope but breaks the Data Model's rules (its ``@context``, a
``type`` naming anything else, an ``id`` that is not a ``data:`` URL) holds nothing that could
be verified: 400 ``malformed-envelope`` with the pointer of the member, at both endpoints."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import ECKey

from api.test_verify_formats import b64, foreign_jwt

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def envelope(kind: str, token: str, media_type: str = "application/jwt") -> dict[str, Any]:
    return {"@context": V2, "type": kind, "id": f"data:{media_type},{token}"}


def jwt_presentation(challenge: str, audience: str, context: str | list[str] = V2) -> str:
    """A VC-JWT presentation (``vp`` claim) by a did:jwk holder, of one enveloped credential
    (with that ``@context``), as the W3C VC Data Model suite's fixture is made."""
    key = ECKey.generate_key("P-256")
    public = {k: v for k, v in key.as_dict(private=False).items() if k in ("kty", "crv", "x", "y")}
    did = "did:jwk:" + b64(json.dumps(public, separators=(",", ":")).encode())
    credential, _ = foreign_jwt()
    claims = {
        "iss": did,
        "aud": audience,
        "nonce": challenge,
        "vp": {
            "@context": [V2],
            "type": ["VerifiablePresentation"],
            "holder": did,
            "verifiableCredential": [
                {**envelope("EnvelopedVerifiableCredential", credential), "@context": context}
            ],
        },
    }
    return jws.serialize_compact(
        {"alg": "ES256", "kid": f"{did}#0", "typ": "JWT"}, json.dumps(claims).encode(), key
    )


def verify_vc(client: TestClient, credential: Any) -> Any:
    return client.post("/credentials/verify", json={"verifiableCredential": credential})


def verify_vp(client: TestClient, presentation: Any, challenge: str = "n-1") -> Any:
    return client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": {"challenge": challenge}},
    )


def malformed(response: Any, pointer: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "malformed-envelope", body
    assert body["pointer"] == pointer


#: (what to change, the member it breaks)
BREAKS: list[tuple[str, dict[str, Any], str]] = [
    ("empty-context", {"@context": []}, "@context"),
    ("examples-context-only", {"@context": EXAMPLES}, "@context"),
    ("examples-context-first", {"@context": [EXAMPLES, V2]}, "@context"),
    ("no-context", {"@context": None}, "@context"),
    ("two-types", {"type": ["VerifiableCredential", "EnvelopedVerifiableCredential"]}, "type"),
    ("not-a-data-url", {"id": "eyJhbGciOiJFUzI1NiJ9.e30.sig"}, "id"),
    ("http-url", {"id": "https://example.com/credential.jwt"}, "id"),
    ("no-media-type", {"id": "data:,eyJhbGciOiJFUzI1NiJ9.e30.sig"}, "id"),
    ("empty-token", {"id": "data:application/vc+jwt,"}, "id"),
    ("bad-base64", {"id": "data:application/vc+jwt;base64,!!!"}, "id"),
    ("presentation-media-type", {"id": "data:application/vp+jwt,eyJ9.e30.sig"}, "id"),
]


def test_an_enveloped_credential_is_verified_from_its_data_url(client: TestClient) -> None:
    token, _ = foreign_jwt()
    for media_type in ("application/vc+jwt", "application/jwt"):
        response = verify_vc(client, envelope("EnvelopedVerifiableCredential", token, media_type))
        assert response.status_code == 200, response.text
        assert "proof.signature" in response.json()["checks"]
    encoded = base64.b64encode(token.encode()).decode()
    response = verify_vc(
        client, envelope("EnvelopedVerifiableCredential", encoded, "application/vc+jwt;base64")
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("change", "member"), [b[1:] for b in BREAKS], ids=[b[0] for b in BREAKS])
def test_a_malformed_enveloped_credential_is_refused(
    client: TestClient, change: dict[str, Any], member: str
) -> None:
    token, _ = foreign_jwt()
    document = {**envelope("EnvelopedVerifiableCredential", token), **change}
    document = {k: v for k, v in document.items() if v is not None}
    malformed(verify_vc(client, document), f"/verifiableCredential/{member}")


def test_a_tampered_enveloped_credential_does_not_verify(client: TestClient) -> None:
    token, _ = foreign_jwt()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["credentialSubject"]["degree"] = "PhD"
    forged = ".".join((header, b64(json.dumps(claims).encode()), signature))
    response = verify_vc(client, envelope("EnvelopedVerifiableCredential", forged))
    assert response.status_code == 400, response.text
    assert response.json()["verified"] is False
    assert "proof.signature" in {e["title"] for e in response.json()["errors"]}


def test_an_enveloped_presentation_is_verified_with_its_credentials(client: TestClient) -> None:
    token = jwt_presentation("n-1", "verifier.example")
    response = verify_vp(client, envelope("EnvelopedVerifiablePresentation", token))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is True, result
    assert "presentation.credentials" in result["checks"]
    # bound to the request: another challenge is not verified
    replayed = verify_vp(client, envelope("EnvelopedVerifiablePresentation", token), "n-2")
    assert replayed.status_code == 200 and replayed.json()["verified"] is False


@pytest.mark.parametrize(
    ("change", "member"),
    [
        ({"@context": []}, "@context"),
        ({"@context": [EXAMPLES]}, "@context"),
        ({"id": "not-a-data-url"}, "id"),
        ({"id": "data:application/vc+jwt,eyJ9.e30.sig"}, "id"),
        ({"type": ["EnvelopedVerifiablePresentation", "VerifiablePresentation"]}, "type"),
    ],
)
def test_a_malformed_enveloped_presentation_is_refused(
    client: TestClient, change: dict[str, Any], member: str
) -> None:
    token = jwt_presentation("n-1", "verifier.example")
    document = {**envelope("EnvelopedVerifiablePresentation", token), **change}
    malformed(verify_vp(client, document), f"/verifiablePresentation/{member}")


def test_a_malformed_envelope_inside_a_presentation_fails_it(client: TestClient) -> None:
    token, _ = foreign_jwt()
    bad = {**envelope("EnvelopedVerifiableCredential", token), "@context": [EXAMPLES]}
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [bad],
    }
    response = verify_vp(client, presentation)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is False
    inner = result["report"]["credentials"][0]["checks"]
    assert {c["name"]: c["code"] for c in inner}["format.detected"] == "malformed-envelope"


def test_a_malformed_envelope_inside_a_jwt_presentation_fails_it(client: TestClient) -> None:
    token = jwt_presentation("n-1", "verifier.example", context=[EXAMPLES])
    response = verify_vp(client, envelope("EnvelopedVerifiablePresentation", token))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is False
    envelope_check = next(e for e in result["errors"] if e["title"] == "format.envelope")
    assert envelope_check["type"].endswith("/malformed-envelope")
    assert envelope_check["detail"].startswith("credential 1 of the presentation: ")
