"""Wallets and an institution whose issuing key is P-256 (or P-384): OpenID4VCI issues its
SD-JWT VC signed ES256 (ES384) and its ``ldp_vc`` copy with its ECDSA suites, both by that
key; the issuer metadata says so; revocation reaches both copies; an OpenID4VP presentation
of the SD-JWT VC verifies. Holders prove possession with ES256 or Ed25519 (RFC 9864), never
with ``none`` or an HMAC."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey
from sqlalchemy.engine import Engine
from sqlmodel import Session

from conftest import PUBLIC_BASE_URL, Tenant
from diploma_exchange.config import Settings
from diploma_exchange.dids.did_key import did_key_from_public_key
from diploma_exchange.proofs import keys
from diploma_exchange.proofs.multibase import decode_base58btc
from diploma_exchange.services import institutions, trust
from diploma_exchange.trust.accreditation import Scope
from wallets.conftest import Claimed, claim_diploma, make_offer
from wallets.wallet_client import (
    Wallet,
    b64url,
    b64url_json,
    issuer_claims,
    local_path,
    open_presentation_request,
)

LDP = "UniversityDiploma_ldp_vc"
SD = "UniversityDiploma_dc+sd-jwt"
ISSUER = PUBLIC_BASE_URL
#: Per issuing key type: the JWS alg of its SD-JWT VCs and the length of their signatures.
JOSE = {"P-256": ("ES256", 64), "P-384": ("ES384", 96)}


@dataclass
class Ed25519Wallet(Wallet):
    """The test wallet with an Ed25519 key, signing with the fully specified JWS alg
    ``Ed25519`` of RFC 9864 (key proofs and key-binding JWTs alike)."""

    ed_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def okp(self) -> OKPKey:
        return OKPKey.import_key(self.ed_key)

    @property
    def public_jwk(self) -> dict[str, Any]:
        jwk = self.okp.as_dict(private=False)
        return {k: jwk[k] for k in ("kty", "crv", "x")}

    @property
    def did(self) -> str:
        return did_key_from_public_key(self.ed_key.public_key())

    def sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        header = {**header, "alg": "Ed25519"}
        return jws.serialize_compact(
            header, json.dumps(claims).encode(), self.okp, algorithms=["Ed25519"]
        )


def jose_header(token: str) -> dict[str, Any]:
    head = token.split(".", 1)[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))  # type: ignore[no-any-return]


def signature_bytes(token: str) -> bytes:
    sig = token.split("~", 1)[0].split(".")[2]
    return base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))


def verify_sd_jwt(web: TestClient, token: str, **query: str) -> dict[str, Any]:
    response = web.post(
        "/v1/verifications",
        content=token.encode(),
        headers={"Content-Type": "application/dc+sd-jwt"},
        params=query,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def verify_json(web: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    response = web.post("/v1/verifications", json=credential)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def failing(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["name"], c["code"]) for c in report["checks"] if c["status"] != "passed"]


def checks(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["name"]: (c["status"], c["code"]) for c in report["checks"]}


@dataclass
class EcInstitution:
    tenant: Tenant
    kind: str
    #: the verification method of its issuing (P-256/P-384) key
    method: str


@pytest.fixture(params=["P-256", "P-384"])
def ec_institution(
    request: pytest.FixtureRequest, engine: Engine, settings: Settings, nic: str
) -> EcInstitution:
    """An accredited university registered with a P-256 (P-384) issuing key."""
    kind = keys.KeyType(request.param)
    with Session(engine, expire_on_commit=False) as s:
        record, key = institutions.register_institution(
            s, settings, slug="kbtu", name="Kazakh-British Technical University", key_type=kind
        )
        _, token = institutions.create_api_key(
            s, role=institutions.ROLE_INSTITUTION, institution=record
        )
        trust.accredit(
            s,
            settings,
            record,
            scope=Scope(),
            accrediting_body="IAAR (test)",
            valid_from=datetime(2015, 1, 1, tzinfo=UTC),
        )
        s.commit()
    assert institutions.key_type_of(key) is kind
    return EcInstitution(
        Tenant("kbtu", record.did, token), kind.value, f"{record.did}#{key.key_id}"
    )


@pytest.fixture
def ec_claimed(web: TestClient, ec_institution: EcInstitution) -> Claimed:
    return claim_diploma(web, ec_institution.tenant)


def test_issuer_metadata_lists_the_algs_of_every_key_type(web: TestClient) -> None:
    configs = web.get("/.well-known/openid-credential-issuer").json()[
        "credential_configurations_supported"
    ]
    sd_algs = configs[SD]["credential_signing_alg_values_supported"]
    assert set(sd_algs) == {"EdDSA", "ES256", "ES384"}
    suites = configs[LDP]["credential_signing_alg_values_supported"]
    assert {"eddsa-jcs-2022", "ecdsa-jcs-2019", "ecdsa-rdfc-2019"} <= set(suites)
    for config in configs.values():
        proof_algs = config["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]
        assert {"ES256", "Ed25519"} <= set(proof_algs)
        assert not {"none", "HS256", "HS384", "HS512"} & set(proof_algs)


def test_both_formats_are_signed_by_the_ecdsa_key_and_verify(
    web: TestClient, ec_institution: EcInstitution, ec_claimed: Claimed
) -> None:
    alg, signature_length = JOSE[ec_institution.kind]
    # The diploma itself is ECDSA-signed by that key.
    assert {p["verificationMethod"] for p in ec_claimed.credential["proof"]} == {
        ec_institution.method
    }
    offer = make_offer(web, ec_claimed)
    wallet = Wallet(web)
    meta = wallet.metadata(ISSUER)
    got = wallet.receive(offer["byReference"], offer["txCode"])

    sd = got[SD]
    header = jose_header(sd)
    assert (header["alg"], header["kid"], header["typ"]) == (
        alg,
        ec_institution.method,
        "dc+sd-jwt",
    )
    assert (
        alg
        in meta["credential_configurations_supported"][SD][
            "credential_signing_alg_values_supported"
        ]
    )
    assert len(signature_bytes(sd)) == signature_length  # P1363 r || s of the curve
    assert issuer_claims(sd)["iss"] == ec_institution.tenant.did
    report = verify_sd_jwt(web, sd)
    assert report["verdict"] == "valid", failing(report)
    assert checks(report)["proof.signature"][0] == "passed"
    assert checks(report)["status.revocation"] == ("passed", "not-revoked")

    ldp = got[LDP]
    assert [p["cryptosuite"] for p in ldp["proof"]] == ["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]
    assert {p["verificationMethod"] for p in ldp["proof"]} == {ec_institution.method}
    assert len(decode_base58btc(ldp["proof"][0]["proofValue"])) == signature_length
    assert {p["cryptosuite"] for p in ldp["proof"]} <= set(
        meta["credential_configurations_supported"][LDP]["credential_signing_alg_values_supported"]
    )
    assert ldp["credentialSubject"]["id"].startswith("did:jwk:")
    report = verify_json(web, ldp)
    assert report["verdict"] == "valid", failing(report)

    # Its Token Status List is signed by the same key with the same alg.
    status = web.get(local_path(issuer_claims(sd)["status"]["status_list"]["uri"]))
    assert status.status_code == 200
    assert jose_header(status.text)["alg"] == alg
    assert jose_header(status.text)["kid"] == ec_institution.method


def test_a_tampered_ecdsa_signature_or_alg_fails(
    web: TestClient, ec_institution: EcInstitution, ec_claimed: Claimed
) -> None:
    offer = make_offer(web, ec_claimed, formats=("dc+sd-jwt",), tx_code=False)
    sd = Wallet(web).receive(offer["byValue"], None)[SD]
    jwt, rest = sd.split("~", 1)
    head, payload, sig = jwt.split(".")
    flipped = bytearray(signature_bytes(sd))
    flipped[7] ^= 0x01
    tampered = f"{head}.{payload}.{b64url(bytes(flipped))}~{rest}"
    report = verify_sd_jwt(web, tampered)
    assert report["verdict"] == "invalid"
    assert checks(report)["proof.signature"] == ("failed", "bad-signature")
    # The same signature under the other ECDSA alg (or the right alg on a changed payload).
    other = "ES384" if ec_institution.kind == "P-256" else "ES256"
    relabelled = f"{b64url_json({**jose_header(sd), 'alg': other})}.{payload}.{sig}~{rest}"
    assert verify_sd_jwt(web, relabelled)["verdict"] == "invalid"
    claims = issuer_claims(sd)
    claims["name"] = "Doctor of Everything"
    forged = f"{head}.{b64url_json(claims)}.{sig}~{rest}"
    report = verify_sd_jwt(web, forged)
    assert report["verdict"] == "invalid"
    assert checks(report)["proof.signature"] == ("failed", "bad-signature")


def test_revoking_the_diploma_reaches_both_ecdsa_wallet_copies(
    web: TestClient, ec_institution: EcInstitution, ec_claimed: Claimed
) -> None:
    offer = make_offer(web, ec_claimed)
    got = Wallet(web).receive(offer["byReference"], offer["txCode"])
    revoked = web.post(
        f"/v1/diplomas/{ec_claimed.credential['id']}/status-changes",
        json={"action": "revoke", "reasonCode": "fraud"},
        headers=ec_institution.tenant.headers,
    )
    assert revoked.status_code in (200, 201), revoked.text
    report = verify_sd_jwt(web, got[SD])
    assert report["verdict"] == "invalid"
    assert ("status.revocation", "revoked") in failing(report)
    report = verify_json(web, got[LDP])
    assert report["verdict"] == "invalid"
    assert any(name == "status.revocation" for name, _ in failing(report)), failing(report)


def ask(web: TestClient, **body: Any) -> dict[str, Any]:
    response = web.post("/v1/presentation-requests", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def answer(web: TestClient, request: dict[str, Any], vp_token: Any) -> Any:
    return web.post(
        local_path(request["response_uri"]),
        data={"vp_token": json.dumps(vp_token), "state": request["state"]},
    )


def presentation_result(web: TestClient, made: dict[str, Any]) -> dict[str, Any]:
    response = web.get(f"/v1/presentation-requests/{made['handle']}")
    assert response.status_code == 200
    return response.json()["result"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("wallet_kind", ["ES256", "Ed25519"])
def test_openid4vp_presentation_of_the_ecdsa_sd_jwt_vc_verifies(
    web: TestClient, ec_institution: EcInstitution, ec_claimed: Claimed, wallet_kind: str
) -> None:
    wallet = Wallet(web) if wallet_kind == "ES256" else Ed25519Wallet(web)
    offer = make_offer(web, ec_claimed, formats=("dc+sd-jwt",), tx_code=False)
    sd = wallet.receive(offer["byValue"], None)[SD]
    assert issuer_claims(sd)["cnf"]["jwk"] == wallet.public_jwk
    made = ask(web, fields=["qualification", "full_name"], formats=["dc+sd-jwt"])
    request = open_presentation_request(web, made["authorizationRequest"])
    formats = request["client_metadata"]["vp_formats_supported"]["dc+sd-jwt"]
    assert JOSE[ec_institution.kind][0] in formats["sd-jwt_alg_values"]
    assert wallet_kind in formats["kb-jwt_alg_values"]
    shown = wallet.present_sd_jwt(
        sd, keep={"fullName"}, audience=request["client_id"], nonce=request["nonce"]
    )
    assert jose_header(shown.rsplit("~", 1)[1])["alg"] == wallet_kind
    response = answer(web, request, {"diploma": [shown]})
    assert response.status_code == 200, response.text
    seen = presentation_result(web, made)
    assert seen["verdict"] == "valid", seen
    assert "Aigerim Abenova" in json.dumps(seen["presentations"][0]["disclosed"])


def _unsigned_kb(alg: str, *, audience: str, nonce: str, presented: str, secret: bytes) -> str:
    """A key-binding JWT with ``alg`` none (empty signature) or HS256 (an HMAC with
    ``secret``): what a verifier must never accept."""
    sd_hash = b64url(hashlib.sha256(presented.encode()).digest())
    signing_input = (
        b64url_json({"alg": alg, "typ": "kb+jwt"})
        + "."
        + b64url_json(
            {"aud": audience, "nonce": nonce, "iat": int(time.time()), "sd_hash": sd_hash}
        )
    )
    if alg == "none":
        return signing_input + "."
    return signing_input + "." + b64url(hmac.new(secret, signing_input.encode(), "sha256").digest())


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_key_binding_and_key_proofs_with_none_or_hmac_are_refused(
    web: TestClient, ec_institution: EcInstitution, ec_claimed: Claimed, alg: str
) -> None:
    wallet = Wallet(web)
    offer = make_offer(web, ec_claimed, formats=("dc+sd-jwt",), tx_code=False)
    meta = wallet.metadata(ISSUER)
    access = wallet.token(wallet.read_offer(offer["byValue"]), None).json()["access_token"]
    # A key proof with alg none / HS256 (keyed with the public JWK's bytes) is refused...
    nonce = wallet.nonce(meta)
    signing_input = (
        b64url_json({"alg": alg, "typ": "openid4vci-proof+jwt", "jwk": wallet.public_jwk})
        + "."
        + b64url_json({"aud": ISSUER, "iat": int(time.time()), "nonce": nonce})
    )
    secret = json.dumps(wallet.public_jwk).encode()
    mac = b64url(hmac.new(secret, signing_input.encode(), "sha256").digest())
    proof = signing_input + "." + ("" if alg == "none" else mac)
    refused = wallet.request_credential(meta, access, SD, proof)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == "invalid_proof"
    assert "alg must be one of" in refused.json()["error_description"]
    # ... and an ES256 one is accepted.
    proof = wallet.proof(aud=ISSUER, nonce=wallet.nonce(meta))
    issued = wallet.request_credential(meta, access, SD, proof)
    assert issued.status_code == 200, issued.text
    sd = issued.json()["credentials"][0]["credential"]
    # A presentation whose key binding is unsigned or HMAC'd never verifies.
    made = ask(web, formats=["dc+sd-jwt"])
    request = open_presentation_request(web, made["authorizationRequest"])
    presented = sd
    kb = _unsigned_kb(
        alg,
        audience=request["client_id"],
        nonce=request["nonce"],
        presented=presented,
        secret=secret,
    )
    assert answer(web, request, {"diploma": [presented + kb]}).status_code == 200
    seen = presentation_result(web, made)
    assert seen["verdict"] == "invalid", seen
    assert checks(seen["presentations"][0])["proof.holder-binding"] == (
        "failed",
        "insecure-algorithm",
    )


def test_the_service_signs_jose_with_the_alg_of_the_key() -> None:
    ed = keys.Signer(keys.generate_private_key(), "did:example:a#1")
    p256 = keys.EcdsaSigner(keys.generate_ec_private_key(keys.KeyType.P256), "did:example:a#2")
    p384 = keys.EcdsaSigner(keys.generate_ec_private_key(keys.KeyType.P384), "did:example:a#3")
    assert [keys.jws_algorithm(s) for s in (ed, p256, p384)] == ["EdDSA", "ES256", "ES384"]
    # Each signer's signature is the JWS signature of its alg (joserfc verifies it).
    from joserfc.jwk import ECKey

    for signer, public in (
        (ed, OKPKey.import_key(ed.public_key)),
        (p256, ECKey.import_key(p256.public_key)),
        (p384, ECKey.import_key(p384.public_key)),
    ):
        alg = keys.jws_algorithm(signer)
        signing_input = b64url_json({"alg": alg}) + "." + b64url(b"payload")
        token = signing_input + "." + b64url(signer.sign(signing_input.encode()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            assert jws.deserialize_compact(token, public, algorithms=[alg]).payload == b"payload"
