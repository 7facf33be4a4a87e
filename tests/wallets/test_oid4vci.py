"""OpenID4VCI 1.0 issuance of a claimed diploma to a wallet: offer -> token -> nonce ->
credential, verified by the service's own verifier; refusals as the specification says."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import PUBLIC_BASE_URL, Tenant
from diploma_exchange.db.models import WalletIssuanceRecord, WalletNonceRecord, WalletOfferRecord
from diploma_exchange.sharing import codes
from wallets.conftest import Claimed, make_offer
from wallets.wallet_client import Wallet, disclosed_names, issuer_claims, local_path

LDP = "UniversityDiploma_ldp_vc"
SD = "UniversityDiploma_dc+sd-jwt"
ISSUER = PUBLIC_BASE_URL


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
    """(name, code) of every check that did not pass."""
    return [(c["name"], c["code"]) for c in report["checks"] if c["status"] != "passed"]


# --- metadata -------------------------------------------------------------------------------


def test_issuer_and_authorization_server_metadata(web: TestClient) -> None:
    meta = web.get("/.well-known/openid-credential-issuer")
    assert meta.status_code == 200
    assert meta.headers["content-type"] == "application/json"
    body = meta.json()
    assert body["credential_issuer"] == ISSUER
    assert body["credential_endpoint"] == f"{ISSUER}/oid4vci/credential"
    assert body["nonce_endpoint"] == f"{ISSUER}/oid4vci/nonce"
    assert "authorization_servers" not in body  # the issuer is its own AS
    configs = body["credential_configurations_supported"]
    assert configs[LDP]["format"] == "ldp_vc"
    assert configs[LDP]["credential_definition"]["type"][0] == "VerifiableCredential"
    assert configs[LDP]["cryptographic_binding_methods_supported"] == ["did:key", "did:jwk"]
    assert configs[SD]["format"] == "dc+sd-jwt"
    assert configs[SD]["vct"].startswith(ISSUER)
    for config in configs.values():
        algs = config["proof_types_supported"]["jwt"]["proof_signing_alg_values_supported"]
        assert "ES256" in algs and "none" not in algs
    server = web.get("/.well-known/oauth-authorization-server").json()
    assert server["issuer"] == ISSUER
    assert server["token_endpoint"] == f"{ISSUER}/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True
    assert server["grant_types_supported"] == [
        "urn:ietf:params:oauth:grant-type:pre-authorized_code"
    ]


# --- the whole flow -------------------------------------------------------------------------


def test_offer_is_made_by_the_graduate_only(web: TestClient, claimed: Claimed) -> None:
    page = web.get("/me/wallet")
    assert "wallet-issuances" not in page.text
    created = web.post(
        "/me/wallet/offers", data={"csrf": claimed.csrf, "format": ["ldp_vc"], "tx_code": "1"}
    )
    assert created.status_code == 201
    assert 'href="openid-credential-offer://?credential_offer_uri=' in created.text
    assert 'src="data:image/png;base64,' in created.text
    assert 'id="wallet-tx-code"' in created.text
    bad = web.post("/me/wallet/offers", data={"csrf": "0" * 64, "format": ["ldp_vc"]})
    assert bad.status_code == 403
    web.cookies.clear()
    assert web.get("/me/wallet").status_code == 303
    assert (
        web.post("/me/wallet/offers", data={"csrf": claimed.csrf, "format": ["ldp_vc"]}).status_code
        == 303
    )


def test_wallet_gets_both_formats_and_the_service_verifies_them(
    web: TestClient, claimed: Claimed, engine: Engine
) -> None:
    offer = make_offer(web, claimed)
    assert offer["byReference"].startswith("openid-credential-offer://?credential_offer_uri=")
    assert offer["byValue"].startswith("openid-credential-offer://?credential_offer=")
    assert offer["credentialOffer"]["grants"][
        "urn:ietf:params:oauth:grant-type:pre-authorized_code"
    ]["tx_code"] == {
        "input_mode": "numeric",
        "length": 6,
        "description": "The code shown on your diploma page next to this offer",
    }
    wallet = Wallet(web)
    # By value and by reference name the same offer.
    assert wallet.read_offer(offer["byValue"]) == wallet.read_offer(offer["byReference"])
    got = wallet.receive(offer["byReference"], offer["txCode"])

    ldp = got[LDP]
    assert isinstance(ldp, dict)
    holder_did = ldp["credentialSubject"]["id"]
    assert holder_did.startswith("did:jwk:")
    original = {k: v for k, v in claimed.credential.items() if k != "proof"}
    copy = {k: v for k, v in ldp.items() if k != "proof"}
    copy["credentialSubject"] = {k: v for k, v in copy["credentialSubject"].items() if k != "id"}
    assert copy == original  # only the subject id was added
    report = verify_json(web, ldp)
    assert report["verdict"] == "valid", failing(report)

    sd = got[SD]
    assert isinstance(sd, str) and sd.endswith("~")
    claims = issuer_claims(sd)
    assert claims["iss"] == claimed.credential["issuer"]["id"]
    assert claims["cnf"]["jwk"] == wallet.public_jwk
    assert claims["status"]["status_list"]["uri"].startswith(f"{ISSUER}/oid4vci/status-lists/")
    assert "dateOfBirth" not in json.dumps(claims)  # only in a disclosure
    assert {"dateOfBirth", "fullName", "diplomaNumber"} <= disclosed_names(sd)
    report = verify_sd_jwt(web, sd)
    assert report["verdict"] == "valid", failing(report)

    with Session(engine) as s:
        rows = s.exec(select(WalletIssuanceRecord)).all()
    assert sorted(r.format for r in rows) == ["dc+sd-jwt", "ldp_vc"]
    page = web.get("/me/wallet")
    assert 'id="wallet-issuances"' in page.text and "dc+sd-jwt" in page.text
    listed = web.get("/me/wallet", headers={"Accept": "application/json"}).json()
    assert {i["format"] for i in listed["issuances"]} == {"ldp_vc", "dc+sd-jwt"}


def test_did_key_binding_for_ldp_vc(web: TestClient, claimed: Claimed) -> None:
    offer = make_offer(web, claimed, formats=("ldp_vc",), tx_code=False)
    wallet = Wallet(web, use_did_key=True)
    got = wallet.receive(offer["byValue"], None)
    assert got[LDP]["credentialSubject"]["id"] == wallet.did
    assert verify_json(web, got[LDP])["verdict"] == "valid"


def test_selective_disclosure_presentation_hides_birth_date_and_grades(
    web: TestClient, claimed: Claimed
) -> None:
    offer = make_offer(web, claimed, formats=("dc+sd-jwt",))
    wallet = Wallet(web)
    sd = wallet.receive(offer["byReference"], offer["txCode"])[SD]
    shown = wallet.present_sd_jwt(
        sd, keep={"fullName"}, audience="https://employer.example", nonce="n-123"
    )
    report = verify_sd_jwt(web, shown, audience="https://employer.example", nonce="n-123")
    assert report["verdict"] == "valid", failing(report)
    text = json.dumps(report)
    assert "2004-07-09" not in text
    # Wrong audience or nonce in the key binding: refused.
    for query in (
        {"audience": "https://other.example", "nonce": "n-123"},
        {"audience": "https://employer.example", "nonce": "other"},
    ):
        assert verify_sd_jwt(web, shown, **query)["verdict"] == "invalid"


def test_tampered_credentials_are_invalid(web: TestClient, claimed: Claimed) -> None:
    offer = make_offer(web, claimed)
    got = Wallet(web).receive(offer["byReference"], offer["txCode"])
    ldp = json.loads(json.dumps(got[LDP]))
    ldp["credentialSubject"]["diplomaNumber"] = "FORGED 1"
    assert verify_json(web, ldp)["verdict"] == "invalid"
    jwt, rest = got[SD].split("~", 1)
    header, _payload, signature = jwt.split(".")
    claims = issuer_claims(got[SD])
    claims["name"] = "Doctor of Everything"
    import base64

    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = f"{header}.{forged_payload}.{signature}~{rest}"
    assert verify_sd_jwt(web, forged)["verdict"] == "invalid"


def test_revoking_the_diploma_reaches_both_wallet_copies(
    web: TestClient, claimed: Claimed, kaznu: Tenant
) -> None:
    offer = make_offer(web, claimed)
    got = Wallet(web).receive(offer["byReference"], offer["txCode"])
    suspended = web.post(
        f"/v1/diplomas/{claimed.credential['id']}/status-changes",
        json={"action": "suspend", "reasonCode": "investigation"},
        headers=kaznu.headers,
    )
    assert suspended.status_code in (200, 201), suspended.text
    report = verify_sd_jwt(web, got[SD])
    assert ("status.suspension", "suspended") in failing(report), failing(report)
    revoked = web.post(
        f"/v1/diplomas/{claimed.credential['id']}/status-changes",
        json={"action": "revoke", "reasonCode": "fraud"},
        headers=kaznu.headers,
    )
    assert revoked.status_code in (200, 201), revoked.text
    report = verify_sd_jwt(web, got[SD])
    assert report["verdict"] == "invalid"
    assert ("status.revocation", "revoked") in failing(report)
    report = verify_json(web, got[LDP])
    assert report["verdict"] == "invalid"
    assert any(name == "status.revocation" for name, _ in failing(report))
    # And a revoked diploma is not issued again.
    offer = make_offer(web, claimed, formats=("ldp_vc",), tx_code=False)
    wallet = Wallet(web)
    meta = wallet.metadata(ISSUER)
    access = wallet.token(wallet.read_offer(offer["byValue"]), None).json()["access_token"]
    proof = wallet.proof(aud=ISSUER, nonce=wallet.nonce(meta))
    refused = wallet.request_credential(meta, access, LDP, proof)
    assert refused.status_code == 400
    assert refused.json()["error"] == "credential_request_denied"


def test_status_list_token_is_served(web: TestClient, claimed: Claimed) -> None:
    offer = make_offer(web, claimed, formats=("dc+sd-jwt",))
    sd = Wallet(web).receive(offer["byReference"], offer["txCode"])[SD]
    uri = issuer_claims(sd)["status"]["status_list"]["uri"]
    response = web.get(local_path(uri))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/statuslist+jwt"
    token = response.text
    header = json.loads(__import__("base64").urlsafe_b64decode(token.split(".")[0] + "==").decode())
    assert header["typ"] == "statuslist+jwt"
    assert web.get("/oid4vci/status-lists/nope").status_code == 404


# --- refusals -------------------------------------------------------------------------------


def oauth_error(response: Any, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["error"] == error, response.json()


def test_pre_authorized_code_is_single_use(web: TestClient, claimed: Claimed) -> None:
    offer = make_offer(web, claimed, tx_code=False)
    wallet = Wallet(web)
    parsed = wallet.read_offer(offer["byValue"])
    assert wallet.token(parsed, None).status_code == 200
    oauth_error(wallet.token(parsed, None), 400, "invalid_grant")
    # The offer behind the reference is gone too.
    assert web.get(local_path(offer["credentialOfferUri"])).status_code == 404


def test_transaction_code_is_required_checked_and_limited(
    web: TestClient, claimed: Claimed, engine: Engine
) -> None:
    offer = make_offer(web, claimed)
    wallet = Wallet(web)
    parsed = wallet.read_offer(offer["byReference"])
    oauth_error(wallet.token(parsed, None), 400, "invalid_request")
    wrong = "000000" if offer["txCode"] != "000000" else "111111"
    for _ in range(4):
        oauth_error(wallet.token(parsed, wrong), 400, "invalid_grant")
    with Session(engine) as s:
        assert s.exec(select(WalletOfferRecord)).one().failed_tx_attempts == 4
    oauth_error(wallet.token(parsed, wrong), 400, "invalid_grant")  # the fifth withdraws it
    oauth_error(wallet.token(parsed, offer["txCode"]), 400, "invalid_grant")
    # An offer without a code refuses one.
    plain = wallet.read_offer(make_offer(web, claimed, tx_code=False)["byValue"])
    oauth_error(wallet.token(plain, "123456"), 400, "invalid_request")


def test_token_request_shape(web: TestClient) -> None:
    oauth_error(web.post("/oid4vci/token", data={}), 400, "invalid_request")
    oauth_error(
        web.post("/oid4vci/token", data={"grant_type": "authorization_code", "code": "x"}),
        400,
        "unsupported_grant_type",
    )
    oauth_error(
        web.post(
            "/oid4vci/token",
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                "pre-authorized_code": "unknown",
            },
        ),
        400,
        "invalid_grant",
    )
    oauth_error(web.post("/oid4vci/token", json={"grant_type": "x"}), 400, "invalid_request")


@pytest.fixture
def granted(web: TestClient, claimed: Claimed) -> tuple[Wallet, dict[str, Any], str]:
    offer = make_offer(web, claimed, tx_code=False)
    wallet = Wallet(web)
    meta = wallet.metadata(ISSUER)
    response = wallet.token(wallet.read_offer(offer["byValue"]), None)
    return wallet, meta, response.json()["access_token"]


def test_credential_endpoint_needs_the_access_token(
    web: TestClient, granted: tuple[Wallet, dict[str, Any], str]
) -> None:
    wallet, meta, _ = granted
    proof = wallet.proof(aud=ISSUER, nonce=wallet.nonce(meta))
    for token in ("", "not-a-token"):
        response = wallet.request_credential(meta, token, LDP, proof)
        oauth_error(response, 401, "invalid_token")
        assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"aud": "https://evil.example"}, "invalid_proof"),
        ({"typ": "JWT"}, "invalid_proof"),
        ({"iat": int(time.time()) - 3600}, "invalid_proof"),
        ({"iat": int(time.time()) + 3600}, "invalid_proof"),
        ({"nonce": None}, "invalid_nonce"),
        ({"nonce": "made-up"}, "invalid_nonce"),
        ({"header": {"alg": "none"}}, "invalid_proof"),
        ({"header": {"kid": "did:web:evil.example#k"}}, "invalid_proof"),
    ],
)
def test_bad_key_proofs_are_refused(
    granted: tuple[Wallet, dict[str, Any], str], change: dict[str, Any], error: str
) -> None:
    wallet, meta, access = granted
    kwargs: dict[str, Any] = {"aud": ISSUER, "nonce": wallet.nonce(meta)}
    kwargs.update(change)
    if kwargs.get("header", {}).get("alg") == "none":
        proof = wallet.proof(aud=ISSUER, nonce=kwargs["nonce"]).rsplit(".", 1)[0] + "."
        import base64

        head = (
            base64.urlsafe_b64encode(
                json.dumps(
                    {"alg": "none", "typ": "openid4vci-proof+jwt", "jwk": wallet.public_jwk}
                ).encode()
            )
            .rstrip(b"=")
            .decode()
        )
        proof = head + "." + proof.split(".")[1] + "."
    else:
        proof = wallet.proof(**kwargs)
    oauth_error(wallet.request_credential(meta, access, SD, proof), 400, error)


def test_tampered_proof_signature_and_private_jwk_are_refused(
    granted: tuple[Wallet, dict[str, Any], str],
) -> None:
    wallet, meta, access = granted
    proof = wallet.proof(aud=ISSUER, nonce=wallet.nonce(meta))
    head, payload, _sig = proof.split(".")
    other = Wallet(wallet.http).proof(aud=ISSUER, nonce="x").split(".")[2]
    oauth_error(
        wallet.request_credential(meta, access, SD, f"{head}.{payload}.{other}"),
        400,
        "invalid_proof",
    )
    private = wallet.key.as_dict(private=True)
    proof = wallet.proof(aud=ISSUER, nonce=wallet.nonce(meta), header={"jwk": private})
    oauth_error(wallet.request_credential(meta, access, SD, proof), 400, "invalid_proof")


def test_nonce_is_single_use(granted: tuple[Wallet, dict[str, Any], str], engine: Engine) -> None:
    wallet, meta, access = granted
    nonce = wallet.nonce(meta)
    first = wallet.request_credential(meta, access, LDP, wallet.proof(aud=ISSUER, nonce=nonce))
    assert first.status_code == 200, first.text
    again = wallet.request_credential(meta, access, SD, wallet.proof(aud=ISSUER, nonce=nonce))
    oauth_error(again, 400, "invalid_nonce")
    with Session(engine) as s:
        row = s.get(WalletNonceRecord, codes.digest(nonce))
        assert row is not None and row.used_at is not None


def test_each_format_is_issued_once_per_offer_and_only_as_offered(
    web: TestClient, claimed: Claimed
) -> None:
    offer = make_offer(web, claimed, formats=("ldp_vc",), tx_code=False)
    wallet = Wallet(web)
    meta = wallet.metadata(ISSUER)
    access = wallet.token(wallet.read_offer(offer["byValue"]), None).json()["access_token"]

    def ask(configuration: str) -> Any:
        proof = wallet.proof(aud=ISSUER, nonce=wallet.nonce(meta))
        return wallet.request_credential(meta, access, configuration, proof)

    oauth_error(ask(SD), 400, "credential_request_denied")
    oauth_error(ask("Other"), 400, "unknown_credential_configuration")
    assert ask(LDP).status_code == 200
    oauth_error(ask(LDP), 400, "credential_request_denied")
    response = web.post(
        "/oid4vci/credential",
        json={"credential_configuration_id": LDP},
        headers={"Authorization": f"Bearer {access}"},
    )
    oauth_error(response, 400, "invalid_proof")
    response = web.post(
        "/oid4vci/credential",
        content=b"{not json",
        headers={"Authorization": f"Bearer {access}", "Content-Type": "application/json"},
    )
    oauth_error(response, 400, "invalid_credential_request")


def test_offers_per_diploma_are_limited_and_audited(
    web: TestClient, claimed: Claimed, engine: Engine
) -> None:
    from diploma_exchange.db.models import AuditEntryRecord

    for _ in range(20):
        make_offer(web, claimed, formats=("ldp_vc",), tx_code=False)
    refused = web.post(
        "/me/wallet/offers",
        data={"csrf": claimed.csrf, "format": ["ldp_vc"]},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 429
    with Session(engine) as s:
        assert len(s.exec(select(WalletOfferRecord)).all()) == 20
        actions = [e.action for e in s.exec(select(AuditEntryRecord)).all()]
    assert actions.count("wallet.offer") == 20


def test_vct_resolves_to_type_metadata(web: TestClient) -> None:
    meta = web.get("/.well-known/openid-credential-issuer").json()
    vct = meta["credential_configurations_supported"][SD]["vct"]
    body = web.get(local_path(vct)).json()
    assert body["vct"] == vct
    sd_of = {tuple(c["path"]): c["sd"] for c in body["claims"]}
    assert sd_of[("credentialSubject", "graduate", "dateOfBirth")] == "always"
    # A course is disclosed whole: the transcript's elements are the disclosures, not the
    # grade inside one (found by @openid4vc's wallet, tests/interop/test_oid4vc_clients.py).
    assert sd_of[("credentialSubject", "transcript", None)] == "always"
    assert sd_of[("credentialSubject", "transcript", None, "grade")] == "never"
    assert sd_of[("name",)] == "never"


def _disclosed_paths(sd_jwt: str) -> tuple[set[tuple[Any, ...]], dict[str, Any]]:
    """The concrete paths of the claims the SD-JWT makes disclosures of, and the claims with
    every disclosure applied (RFC 9901 §7.1, written here from the RFC)."""
    import base64
    import hashlib

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    by_digest = {}
    for text in sd_jwt.split("~")[1:-1]:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        by_digest[b64(hashlib.sha256(text.encode()).digest())] = value
    paths: set[tuple[Any, ...]] = set()

    def walk(node: Any, at: tuple[Any, ...]) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v, (*at, k)) for k, v in node.items() if k not in ("_sd", "_sd_alg")}
            for digest in node.get("_sd", []):
                _, name, value = by_digest[digest]
                paths.add((*at, name))
                out[name] = walk(value, (*at, name))
            return out
        if isinstance(node, list):
            items = []
            for item in node:
                index = len(items)
                if isinstance(item, dict) and set(item) == {"..."}:
                    paths.add((*at, index))
                    items.append(walk(by_digest[item["..."]][1], (*at, index)))
                else:
                    items.append(walk(item, (*at, index)))
            return items
        return node

    return paths, walk(issuer_claims(sd_jwt), ())


def test_type_metadata_sd_matches_the_issued_credential(web: TestClient, claimed: Claimed) -> None:
    """Claim selective disclosure metadata: "always" = the issuer MUST make the selected
    claim disclosable, "never" = MUST NOT; checked on an issued SD-JWT VC."""
    offer = make_offer(web, claimed, formats=("dc+sd-jwt",), tx_code=False)
    sd_jwt = Wallet(web).receive(offer["byValue"], None)[SD]
    disclosed, claims = _disclosed_paths(sd_jwt)
    vct = issuer_claims(sd_jwt)["vct"]
    metadata = web.get(local_path(vct)).json()
    checked = 0
    for claim in metadata["claims"]:
        selected: list[tuple[tuple[Any, ...], Any]] = [((), claims)]
        for segment in claim["path"]:
            if segment is None:
                selected = [
                    ((*at, i), v)
                    for at, node in selected
                    if isinstance(node, list)
                    for i, v in enumerate(node)
                ]
            else:
                selected = [
                    ((*at, segment), node[segment])
                    for at, node in selected
                    if isinstance(node, dict) and segment in node
                ]
        for at, _ in selected:
            checked += 1
            assert (at in disclosed) == (claim["sd"] == "always"), (claim, at)
    assert checked > 20  # every transcript line, the graduate's name, ...
