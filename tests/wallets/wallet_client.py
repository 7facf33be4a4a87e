"""A small OpenID4VCI / OpenID4VP wallet written for the tests, from the specifications
(not from this service's code): it reads a credential offer, fetches the issuer's metadata,
exchanges the pre-authorized code, gets a c_nonce, proves possession of its own P-256 key
and stores the credential; it presents SD-JWT VCs with a key-binding JWT."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import ECKey

from diploma_exchange.dids.did_key import did_key_from_public_key
from diploma_exchange.proofs.keys import Signer
from diploma_exchange.proofs.linked_data_signatures import (
    ED25519_2020_CONTEXT,
    create_ed25519_signature_2020,
)
from diploma_exchange.proofs.suites import add_proof

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Wallet:
    http: TestClient
    use_did_key: bool = False
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    @property
    def key(self) -> ECKey:
        return ECKey.import_key(self.private_key)

    @property
    def public_jwk(self) -> dict[str, Any]:
        jwk = self.key.as_dict(private=False)
        return {k: jwk[k] for k in ("kty", "crv", "x", "y")}

    @property
    def did(self) -> str:
        return did_key_from_public_key(self.private_key.public_key())

    def sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        return jws.serialize_compact(
            header, json.dumps(claims).encode(), self.key, algorithms=["ES256"]
        )

    # --- issuance -----------------------------------------------------------------------

    def read_offer(self, offer_link: str) -> dict[str, Any]:
        assert offer_link.startswith("openid-credential-offer://?")
        query = parse_qs(urlsplit(offer_link).query)
        if "credential_offer" in query:
            return json.loads(query["credential_offer"][0])  # type: ignore[no-any-return]
        response = self.http.get(local_path(query["credential_offer_uri"][0]))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        return response.json()  # type: ignore[no-any-return]

    def metadata(self, issuer: str) -> dict[str, Any]:
        parts = urlsplit(issuer)
        meta = self.http.get(f"/.well-known/openid-credential-issuer{parts.path}").json()
        assert meta["credential_issuer"] == issuer
        return meta  # type: ignore[no-any-return]

    def token(self, offer: dict[str, Any], tx_code: str | None) -> Any:
        issuer = offer["credential_issuer"]
        servers = self.http.get("/.well-known/oauth-authorization-server").json()
        assert servers["issuer"] == issuer
        grant = offer["grants"][PRE_AUTH]
        form = {"grant_type": PRE_AUTH, "pre-authorized_code": grant["pre-authorized_code"]}
        if tx_code is not None:
            form["tx_code"] = tx_code
        return self.http.post(local_path(servers["token_endpoint"]), data=form)

    def nonce(self, meta: dict[str, Any]) -> str:
        response = self.http.post(local_path(meta["nonce_endpoint"]))
        assert response.status_code == 200
        assert "no-store" in response.headers["cache-control"]
        return response.json()["c_nonce"]  # type: ignore[no-any-return]

    def proof(
        self,
        *,
        aud: str,
        nonce: str | None,
        iat: int | None = None,
        typ: str = "openid4vci-proof+jwt",
        header: dict[str, Any] | None = None,
    ) -> str:
        head: dict[str, Any] = {"alg": "ES256", "typ": typ}
        if self.use_did_key:
            head["kid"] = f"{self.did}#{self.did.removeprefix('did:key:')}"
        else:
            head["jwk"] = self.public_jwk
        head.update(header or {})
        claims: dict[str, Any] = {"aud": aud, "iat": iat if iat is not None else int(time.time())}
        if nonce is not None:
            claims["nonce"] = nonce
        return self.sign(head, claims)

    def request_credential(
        self, meta: dict[str, Any], access_token: str, configuration: str, proof: str
    ) -> Any:
        return self.http.post(
            local_path(meta["credential_endpoint"]),
            json={"credential_configuration_id": configuration, "proofs": {"jwt": [proof]}},
            headers={"Authorization": f"Bearer {access_token}"},
        )

    def receive(
        self, offer_link: str, tx_code: str | None, configurations: list[str] | None = None
    ) -> dict[str, Any]:
        """offer -> metadata -> token -> (nonce -> credential) per configuration."""
        offer = self.read_offer(offer_link)
        meta = self.metadata(offer["credential_issuer"])
        response = self.token(offer, tx_code)
        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "Bearer"
        access = response.json()["access_token"]
        out = {}
        for configuration in configurations or offer["credential_configuration_ids"]:
            assert configuration in meta["credential_configurations_supported"]
            proof = self.proof(aud=meta["credential_issuer"], nonce=self.nonce(meta))
            answer = self.request_credential(meta, access, configuration, proof)
            assert answer.status_code == 200, answer.text
            out[configuration] = answer.json()["credentials"][0]["credential"]
        return out

    # --- presentation (SD-JWT VC with key binding) ----------------------------------------

    def present_sd_jwt(
        self, sd_jwt: str, *, keep: set[str] | None, audience: str, nonce: str
    ) -> str:
        """The SD-JWT with only the disclosures whose claim name (or, for array elements,
        whose value's ``code``/``identityType``) is in ``keep`` (all when None), and a KB-JWT."""
        issuer_jwt, *disclosures = sd_jwt.split("~")[:-1]
        chosen = []
        for text in disclosures:
            value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            name = value[1] if len(value) == 3 else None
            if keep is None or name in keep or (name is None and "elements" in keep):
                chosen.append(text)
        presented = "~".join([issuer_jwt, *chosen]) + "~"
        sd_hash = b64url(hashlib.sha256(presented.encode()).digest())
        kb = self.sign(
            {"alg": "ES256", "typ": "kb+jwt"},
            {"aud": audience, "nonce": nonce, "iat": int(time.time()), "sd_hash": sd_hash},
        )
        return presented + kb


def disclosed_names(sd_jwt: str) -> set[str]:
    names = set()
    for text in sd_jwt.split("~")[1:]:
        if not text or text.count(".") == 2:
            continue
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if len(value) == 3:
            names.add(value[1])
    return names


def issuer_claims(sd_jwt: str) -> dict[str, Any]:
    payload = sd_jwt.split("~", 1)[0].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def verify_request_object(http: TestClient, token: str) -> dict[str, Any]:
    """Check a Request Object the way a wallet does for the decentralized_identifier prefix:
    typ, the signature with the key the kid names in the client's DID document."""
    from joserfc.jwk import OKPKey

    head_b64, payload_b64, _ = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(head_b64 + "=" * (-len(head_b64) % 4)))
    claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    assert header["typ"] == "oauth-authz-req+jwt"
    assert claims["client_id"].startswith("decentralized_identifier:did:web:")
    did = claims["client_id"].removeprefix("decentralized_identifier:")
    assert header["kid"].startswith(did + "#")
    document = http.get("/.well-known/did.json").json()
    assert document["id"] == did
    method = next(m for m in document["verificationMethod"] if m["id"] == header["kid"])
    if "publicKeyJwk" in method:
        key = OKPKey.import_key(method["publicKeyJwk"])
    else:
        from diploma_exchange.proofs.keys import public_key_from_multikey

        key = OKPKey.import_key(public_key_from_multikey(method["publicKeyMultibase"]))
    jws.deserialize_compact(token, key, algorithms=["EdDSA", "Ed25519"])
    return claims  # type: ignore[no-any-return]


def open_presentation_request(http: TestClient, link: str) -> dict[str, Any]:
    assert link.startswith("openid4vp://?")
    query = parse_qs(urlsplit(link).query)
    response = http.get(local_path(query["request_uri"][0]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/oauth-authz-req+jwt")
    claims = verify_request_object(http, response.text)
    assert claims["client_id"] == query["client_id"][0]
    assert claims["response_mode"] == "direct_post"
    return claims


def present_ldp_vc(
    wallet: Wallet, credential: dict[str, Any], *, domain: str, challenge: str
) -> dict[str, Any]:
    """A Data Integrity VP (ecdsa-jcs-2019, proofPurpose authentication) of ``credential``
    by a did:key wallet, bound to ``domain`` and ``challenge``."""

    from diploma_exchange.proofs.keys import EcdsaSigner
    from diploma_exchange.proofs.suites import add_proof

    did = wallet.did
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did,
        "verifiableCredential": [credential],
    }
    signer = EcdsaSigner(wallet.private_key, f"{did}#{did.removeprefix('did:key:')}")
    return add_proof(
        presentation,
        "ecdsa-jcs-2019",
        signer,
        created=datetime.now(UTC).replace(microsecond=0),
        proof_purpose="authentication",
        extra_options={"domain": domain, "challenge": challenge},
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- VC-API exchanges (the Learner Credential Wallet's protocol) -------------------------------


class DidWallet:
    """An LCW-like wallet: an Ed25519 did:key, presentations signed Ed25519Signature2020."""

    def __init__(self, http: TestClient | httpx.Client) -> None:
        self.http = http
        key = Ed25519PrivateKey.generate()
        self.did = did_key_from_public_key(key.public_key())
        self.signer = Signer(key, f"{self.did}#{self.did.removeprefix('did:key:')}")

    def present(
        self,
        *,
        challenge: str,
        domain: str,
        credentials: list[dict[str, Any]] | None = None,
        holder: str | None = None,
    ) -> dict[str, Any]:
        presentation: dict[str, Any] = {
            "@context": ["https://www.w3.org/2018/credentials/v1", ED25519_2020_CONTEXT],
            "type": ["VerifiablePresentation"],
            "holder": holder or self.did,
        }
        if credentials:
            presentation["@context"] = ["https://www.w3.org/ns/credentials/v2"]
            presentation["verifiableCredential"] = credentials
            return add_proof(
                presentation,
                "eddsa-jcs-2022",
                self.signer,
                created=datetime.now(UTC).replace(microsecond=0),
                proof_purpose="authentication",
                extra_options={"domain": domain, "challenge": challenge},
            )
        options = {
            "type": "Ed25519Signature2020",
            "created": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "verificationMethod": self.signer.verification_method,
            "proofPurpose": "authentication",
            "challenge": challenge,
            "domain": domain,
        }
        proof = create_ed25519_signature_2020(presentation, options, self.signer)
        return {**presentation, "proof": proof}

    def open_link(self, wallet_url: str) -> str:
        """The exchange URL in an LCW link (``request={"protocols": {"vcapi": ...}}``)."""
        parts = urlsplit(wallet_url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://lcw.app/request.html"
        request = json.loads(parse_qs(parts.query)["request"][0])
        assert request["credentialRequestOrigin"] == origin_of(request["protocols"]["vcapi"])
        return request["protocols"]["vcapi"]  # type: ignore[no-any-return]

    def start(self, url: str) -> dict[str, Any]:
        response = self.http.post(local_path(url), json={})
        assert response.status_code == 200, response.text
        return response.json()["verifiablePresentationRequest"]  # type: ignore[no-any-return]

    def answer(self, vpr: dict[str, Any], presentation: dict[str, Any]) -> Any:
        endpoint = vpr["interact"]["service"][0]["serviceEndpoint"]
        return self.http.post(local_path(endpoint), json={"verifiablePresentation": presentation})
