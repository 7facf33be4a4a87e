"""VC-API exchanges as the Learner Credential Wallet uses them (W3C CCG VC-API §Exchanges,
Verifiable Presentation Request): issuance to a DID-authenticated wallet, verification of a
presented diploma, single use, expiry, and refusal of wrong challenges, domains and holders.

The wallet here is written from those specifications and from LCW's behaviour (it posts
``{}``, reads the request, signs a presentation with ``Ed25519Signature2020`` by its
``did:key``, posts it to ``interact.service[0].serviceEndpoint``), not from this service."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.db.models import AuditEntryRecord, VcApiExchangeRecord
from diploma_exchange.errors import Conflict
from diploma_exchange.services import exchanges
from wallets.conftest import Claimed
from wallets.wallet_client import DidWallet, local_path

ISSUANCE = "/workflows/diploma-issuance/exchanges"
VERIFICATION = "/workflows/diploma-verification/exchanges"


def graduate_exchange(web: TestClient, claimed: Claimed) -> dict[str, Any]:
    response = web.post(
        "/me/wallet/exchanges", data={"csrf": claimed.csrf}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    return body  # type: ignore[no-any-return]


def receive(web: TestClient, claimed: Claimed, wallet: DidWallet) -> dict[str, Any]:
    """The whole LCW issuance: link -> {} -> request -> DID authentication -> diploma."""
    made = graduate_exchange(web, claimed)
    url = wallet.open_link(made["walletUrl"])
    vpr = wallet.start(url)
    answer = wallet.answer(vpr, wallet.present(challenge=vpr["challenge"], domain=vpr["domain"]))
    assert answer.status_code == 200, answer.text
    credentials = answer.json()["verifiablePresentation"]["verifiableCredential"]
    assert len(credentials) == 1
    return credentials[0]  # type: ignore[no-any-return]


def test_issuance_to_the_learner_credential_wallet(web: TestClient, claimed: Claimed) -> None:
    wallet = DidWallet(web)
    made = graduate_exchange(web, claimed)
    url = wallet.open_link(made["walletUrl"])
    assert url == made["id"] == made["protocols"]["vcapi"]
    assert made["deepLink"].startswith("dccrequest://request?request=")
    # The interaction URL answers with the protocols (LCW's ?iuv=1), as does /protocols.
    assert web.get(local_path(made["interactionUrl"])).json() == {"protocols": {"vcapi": url}}
    assert web.get(local_path(url) + "/protocols").json() == {"protocols": {"vcapi": url}}
    vpr = wallet.start(url)
    assert vpr["query"][0]["type"] == "DIDAuthentication"
    assert vpr["domain"] == "https://diplomas.example.kz"
    assert {s["serviceEndpoint"] for s in vpr["interact"]["service"]} == {url}
    # Asking again (the wallet retried) gives the same request.
    assert wallet.start(url) == vpr
    vp = wallet.present(challenge=vpr["challenge"], domain=vpr["domain"])
    answer = wallet.answer(vpr, vp)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    credential = answer.json()["verifiablePresentation"]["verifiableCredential"][0]
    assert credential["credentialSubject"]["id"] == wallet.did
    assert credential["id"] == claimed.credential["id"]
    verified = web.post("/credentials/verify", json={"verifiableCredential": credential})
    assert verified.status_code == 200 and verified.json()["verified"] is True, verified.text
    # Single use: the same presentation again is refused, nothing more is issued.
    problem(wallet.answer(vpr, vp), 409, "exchange-complete")
    problem(web.post(local_path(url), json={}), 409, "exchange-complete")
    # The graduate's pages list where the diploma went.
    me = web.get("/me", headers={"Accept": "application/json"}).json()
    assert [(d["protocol"], d["holder"]) for d in me["walletDeliveries"]] == [
        ("vc-api", wallet.did)
    ]
    page = web.get("/me")
    assert 'id="me-wallet-deliveries"' in page.text and wallet.did[:40] in page.text
    listed = web.get("/me/wallet", headers={"Accept": "application/json"}).json()
    assert listed["issuances"][0]["protocol"] == "vc-api"


def test_issuance_page_shows_the_lcw_qr_code(web: TestClient, claimed: Claimed) -> None:
    page = web.post("/me/wallet/exchanges", data={"csrf": claimed.csrf})
    assert page.status_code == 201
    assert 'id="wallet-lcw-link" href="https://lcw.app/request.html?request=' in page.text
    assert "data:image/png;base64," in page.text
    assert problem(
        web.post(
            "/me/wallet/exchanges", data={"csrf": "0" * 64}, headers={"Accept": "application/json"}
        ),
        403,
        "csrf-failed",
    )


@pytest.mark.parametrize("wrong", ["challenge", "domain", "holder"])
def test_did_authentication_must_match(web: TestClient, claimed: Claimed, wrong: str) -> None:
    wallet = DidWallet(web)
    made = graduate_exchange(web, claimed)
    vpr = wallet.start(made["id"])
    challenge = "another-challenge" if wrong == "challenge" else vpr["challenge"]
    domain = "https://evil.example" if wrong == "domain" else vpr["domain"]
    holder = DidWallet(web).did if wrong == "holder" else None
    vp = wallet.present(challenge=challenge, domain=domain, holder=holder)
    body = problem(wallet.answer(vpr, vp), 403, "did-authentication-failed")
    assert "proof.holder-binding" in body["detail"] or "proof.key-binding" in body["detail"]
    # The exchange is spent: a correct answer afterwards gets nothing.
    good = wallet.present(challenge=vpr["challenge"], domain=vpr["domain"])
    problem(wallet.answer(vpr, good), 409, "exchange-complete")
    assert web.get("/me", headers={"Accept": "application/json"}).json()["walletDeliveries"] == []


def test_tampered_did_authentication_is_refused(web: TestClient, claimed: Claimed) -> None:
    wallet = DidWallet(web)
    made = graduate_exchange(web, claimed)
    vpr = wallet.start(made["id"])
    vp = wallet.present(challenge=vpr["challenge"], domain=vpr["domain"])
    vp["holder"] = DidWallet(web).did  # signed for one DID, now claiming another
    problem(wallet.answer(vpr, vp), 403, "did-authentication-failed")


def test_institution_creates_issuance_exchanges(
    web: TestClient, kaznu: Tenant, enu: Tenant, claimed: Claimed
) -> None:
    credential_id = claimed.credential["id"]
    body = {"variables": {"credentialId": credential_id}}
    problem(web.post(ISSUANCE, json=body), 401, "not-authenticated")
    problem(web.post(ISSUANCE, json=body, headers=enu.headers), 404, "diploma-not-found")
    problem(
        web.post("/workflows/nonsense/exchanges", json=body, headers=kaznu.headers),
        404,
        "workflow-not-found",
    )
    problem(
        web.post(ISSUANCE, json={"variables": {}}, headers=kaznu.headers),
        400,
        "exchange-credential-id",
    )
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    problem(
        web.post(ISSUANCE, json={**body, "expires": past}, headers=kaznu.headers),
        400,
        "exchange-expires",
    )
    response = web.post(ISSUANCE, json=body, headers=kaznu.headers)
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["location"] == made["id"]
    assert "vc_request_url=" in made["directWalletUrl"]
    # The owner reads the state with its handle; nobody else can.
    path = local_path(made["id"])
    problem(web.get(path), 403, "exchange-handle")
    problem(web.get(path, headers={"Authorization": "Bearer nope"}), 403, "exchange-handle")
    owner = {"Authorization": f"Bearer {made['handle']}"}
    assert web.get(path, headers=owner).json()["state"] == "pending"
    wallet = DidWallet(web)
    vpr = wallet.start(made["id"])
    assert web.get(path, headers=owner).json()["state"] == "active"
    answer = wallet.answer(vpr, wallet.present(challenge=vpr["challenge"], domain=vpr["domain"]))
    assert answer.status_code == 200, answer.text
    seen = web.get(path, headers=owner).json()
    assert seen["state"] == "complete" and seen["sequence"] == 2
    assert seen["variables"]["results"]["didAuthentication"]["holder"] == wallet.did


def test_revoked_diploma_is_not_issued(web: TestClient, kaznu: Tenant, claimed: Claimed) -> None:
    wallet = DidWallet(web)
    made = graduate_exchange(web, claimed)
    vpr = wallet.start(made["id"])
    revoked = web.post(
        f"/v1/diplomas/{claimed.credential['id']}/status-changes",
        json={"action": "revoke", "reasonCode": "fraud"},
        headers=kaznu.headers,
    )
    assert revoked.status_code in (200, 201), revoked.text
    vp = wallet.present(challenge=vpr["challenge"], domain=vpr["domain"])
    problem(wallet.answer(vpr, vp), 403, "diploma-revoked")
    problem(
        web.post(
            "/me/wallet/exchanges",
            data={"csrf": claimed.csrf},
            headers={"Accept": "application/json"},
        ),
        409,
        "diploma-revoked",
    )


def test_bad_bodies_change_nothing(web: TestClient, claimed: Claimed) -> None:
    made = graduate_exchange(web, claimed)
    path = local_path(made["id"])
    problem(web.post(path, json={"hello": 1}), 400, "exchange-body")
    problem(web.post(path, json={"verifiablePresentation": "eyJ..."}), 400, "exchange-presentation")
    problem(
        web.post(path, json={"verifiablePresentationRequest": {}}),
        400,
        "exchange-request-unsupported",
    )
    problem(web.post(local_path(made["id"]) + "x", json={}), 404, "exchange-not-found")
    problem(
        web.post(path.replace("diploma-issuance", "diploma-verification"), json={}),
        404,
        "exchange-not-found",
    )
    owner = {"Authorization": f"Bearer {made['handle']}"}
    assert web.get(path, headers=owner).json()["state"] == "pending"


def test_exchanges_expire(engine: Engine, settings: Settings, web: TestClient) -> None:
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    with Session(engine) as session:
        made = exchanges.create_verification(session, settings, now=past)
        session.commit()
    problem(web.post(local_path(made.url), json={}), 410, "exchange-expired")
    owner = {"Authorization": f"Bearer {made.handle}"}
    assert web.get(local_path(made.url), headers=owner).json()["state"] == "invalid"


# --- verification --------------------------------------------------------------------------


def ask(web: TestClient, label: str = "Admissions, KazNU") -> dict[str, Any]:
    response = web.post(VERIFICATION, json={"variables": {"label": label}})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def result(web: TestClient, made: dict[str, Any]) -> dict[str, Any]:
    response = web.get(
        local_path(made["id"]), headers={"Authorization": f"Bearer {made['handle']}"}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_verifier_asks_a_wallet_for_the_diploma(web: TestClient, claimed: Claimed) -> None:
    wallet = DidWallet(web)
    diploma = receive(web, claimed, wallet)
    made = ask(web)
    assert result(web, made)["state"] == "pending"
    vpr = wallet.start(wallet.open_link(made["walletUrl"]))
    query = vpr["query"][0]
    assert query["type"] == "QueryByExample"
    assert query["credentialQuery"][0]["example"]["type"] == ["DiplomaCredential"]
    assert query["credentialQuery"][0]["reason"] == "Admissions, KazNU"
    vp = wallet.present(challenge=vpr["challenge"], domain=vpr["domain"], credentials=[diploma])
    answer = wallet.answer(vpr, vp)
    assert answer.status_code == 200 and answer.json() == {}, answer.text
    seen = result(web, made)
    assert seen["state"] == "complete"
    outcome = seen["variables"]["results"]["presentDiploma"]
    assert outcome["verdict"] == "valid", outcome["report"]
    assert outcome["subjectBinding"] == "bound"
    assert outcome["holder"] == wallet.did
    checks = {c["name"]: c["status"] for c in outcome["report"]["checks"]}
    assert checks["proof.holder-binding"] == "passed"
    # A replay of the same presentation is refused; the result stays.
    problem(wallet.answer(vpr, vp), 409, "exchange-complete")
    assert result(web, made)["variables"]["results"]["presentDiploma"]["verdict"] == "valid"


@pytest.mark.parametrize("wrong", ["challenge", "domain"])
def test_presentation_for_another_exchange_is_invalid(
    web: TestClient, claimed: Claimed, wrong: str
) -> None:
    wallet = DidWallet(web)
    diploma = receive(web, claimed, wallet)
    made = ask(web)
    vpr = wallet.start(made["id"])
    vp = wallet.present(
        challenge="stale" if wrong == "challenge" else vpr["challenge"],
        domain="https://evil.example" if wrong == "domain" else vpr["domain"],
        credentials=[diploma],
    )
    assert wallet.answer(vpr, vp).status_code == 200
    outcome = result(web, made)["variables"]["results"]["presentDiploma"]
    assert outcome["verdict"] == "invalid"
    checks = {c["name"]: c["status"] for c in outcome["report"]["checks"]}
    assert checks["proof.holder-binding"] == "failed"


def test_someone_elses_diploma_is_invalid(web: TestClient, claimed: Claimed) -> None:
    """A valid diploma bound to one DID, presented (and validly signed) by another."""
    owner = DidWallet(web)
    diploma = receive(web, claimed, owner)
    thief = DidWallet(web)
    made = ask(web)
    vpr = thief.start(made["id"])
    vp = thief.present(challenge=vpr["challenge"], domain=vpr["domain"], credentials=[diploma])
    assert thief.answer(vpr, vp).status_code == 200
    outcome = result(web, made)["variables"]["results"]["presentDiploma"]
    assert outcome["subjectBinding"] == "mismatch"
    assert outcome["verdict"] == "invalid"


def test_tampered_diploma_is_invalid(web: TestClient, claimed: Claimed) -> None:
    wallet = DidWallet(web)
    diploma = receive(web, claimed, wallet)
    diploma["credentialSubject"]["name"] = "Someone Else"
    made = ask(web)
    vpr = wallet.start(made["id"])
    vp = wallet.present(challenge=vpr["challenge"], domain=vpr["domain"], credentials=[diploma])
    assert wallet.answer(vpr, vp).status_code == 200
    assert result(web, made)["variables"]["results"]["presentDiploma"]["verdict"] == "invalid"


def test_a_presentation_without_a_diploma_is_incomplete(web: TestClient, claimed: Claimed) -> None:
    wallet = DidWallet(web)
    made = ask(web)
    vpr = wallet.start(made["id"])
    vp = wallet.present(challenge=vpr["challenge"], domain=vpr["domain"])
    assert wallet.answer(vpr, vp).status_code == 200
    outcome = result(web, made)["variables"]["results"]["presentDiploma"]
    assert outcome["verdict"] in ("incomplete", "invalid", "indeterminate")
    assert outcome["verdict"] != "valid"


def test_exchange_state_changes_are_recorded(
    engine: Engine, web: TestClient, claimed: Claimed
) -> None:
    wallet = DidWallet(web)
    receive(web, claimed, wallet)
    with Session(engine) as session:
        records = session.exec(select(VcApiExchangeRecord)).all()
        assert [(r.state, r.holder) for r in records] == [("complete", wallet.did)]
        # Only digests of the exchange id and handle are stored.
        assert all(len(r.exchange_sha256) == 64 and len(r.handle_sha256) == 64 for r in records)
        actions = [a.action for a in session.exec(select(AuditEntryRecord)).all()]
        assert "wallet.exchange" in actions and "wallet.issue" in actions


def test_a_second_wallet_gets_nothing(web: TestClient, claimed: Claimed) -> None:
    first, second = DidWallet(web), DidWallet(web)
    made = graduate_exchange(web, claimed)
    vpr = first.start(made["id"])
    a = first.answer(vpr, first.present(challenge=vpr["challenge"], domain=vpr["domain"]))
    b = second.answer(vpr, second.present(challenge=vpr["challenge"], domain=vpr["domain"]))
    assert sorted([a.status_code, b.status_code]) == [200, 409]


def test_verifier_page_asks_the_lcw(web: TestClient, claimed: Claimed) -> None:
    wallet = DidWallet(web)
    diploma = receive(web, claimed, wallet)
    page = web.post("/verify/wallet/lcw")
    assert page.status_code == 201, page.text
    link = re.search(r'id="vp-lcw-link" href="([^"]+)"', page.text)
    result_link = re.search(r'id="vp-result" href="([^"]+)"', page.text)
    assert link and result_link
    url = wallet.open_link(html.unescape(link.group(1)))
    assert 'id="vp-state"' in web.get(result_link.group(1)).text
    vpr = wallet.start(url)
    vp = wallet.present(challenge=vpr["challenge"], domain=vpr["domain"], credentials=[diploma])
    assert wallet.answer(vpr, vp).status_code == 200
    done = web.get(result_link.group(1))
    assert 'id="vp-verdict"' in done.text and "valid" in done.text
    assert "proof.holder-binding" in done.text
    problem(
        web.get("/verify/wallet/lcw/" + "x" * 43, headers={"Accept": "application/json"}),
        404,
        "exchange-not-found",
    )


def test_the_direct_lcw_link_skips_the_request(
    web: TestClient, kaznu: Tenant, claimed: Claimed
) -> None:
    """LCW's older link (``vc_request_url`` + ``challenge``): the wallet posts its DID
    authentication straight away, without asking for the request first."""
    made = web.post(
        ISSUANCE,
        json={"variables": {"credentialId": claimed.credential["id"]}},
        headers=kaznu.headers,
    ).json()
    query = parse_qs(urlsplit(made["directWalletUrl"]).query)
    url, challenge = query["vc_request_url"][0], query["challenge"][0]
    wallet = DidWallet(web)
    vp = wallet.present(challenge=challenge, domain="https://diplomas.example.kz")
    answer = web.post(local_path(url), json={"verifiablePresentation": vp})
    assert answer.status_code == 200, answer.text
    credential = answer.json()["verifiablePresentation"]["verifiableCredential"][0]
    assert credential["credentialSubject"]["id"] == wallet.did
    assert [p["cryptosuite"] for p in credential["proof"]] == ["eddsa-jcs-2022", "eddsa-rdfc-2022"]


def test_the_claim_is_the_conditional_update(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch, web: TestClient
) -> None:
    """Two answers that both saw the exchange open (the race window, simulated by not
    checking the state read first): only the conditional update decides, and the second
    gets ``exchange-complete`` without its presentation being verified or stored."""
    with Session(engine) as session:
        made = exchanges.create_verification(session, settings)
        session.commit()
    exchange_id = made.exchange_id
    wallet = DidWallet(web)
    vpr = wallet.start(made.url)
    first = wallet.present(challenge=vpr["challenge"], domain=vpr["domain"])
    second = DidWallet(web).present(challenge=vpr["challenge"], domain=vpr["domain"])
    monkeypatch.setattr(exchanges, "_open", lambda record, now: None)
    for attempt, vp in enumerate((first, second)):
        with Session(engine) as session:
            try:
                exchanges.participate(
                    session,
                    settings,
                    "diploma-verification",
                    exchange_id,
                    {"verifiablePresentation": vp},
                )
                session.commit()
                assert attempt == 0
            except Conflict as exc:
                assert attempt == 1 and exc.code == "exchange-complete"
                session.rollback()
    with Session(engine) as session:
        record = session.exec(select(VcApiExchangeRecord)).one()
        assert record.state == "complete" and record.holder == wallet.did and record.sequence == 2


def test_a_holderless_presentation_is_refused_by_the_exchange(
    web: TestClient, claimed: Claimed
) -> None:
    """The VC-API's /presentations/verify accepts a presentation that names no holder (VC Data
    Model 2.0 makes ``holder`` optional); an exchange asking for a diploma does not: nothing
    would bind the diploma to whoever signed."""
    from diploma_exchange.proofs.suites import add_proof

    wallet = DidWallet(web)
    diploma = receive(web, claimed, wallet)
    made = ask(web)
    vpr = wallet.start(made["id"])
    holderless = add_proof(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [diploma],
        },
        "eddsa-jcs-2022",
        wallet.signer,
        created=datetime.now(UTC).replace(microsecond=0),
        proof_purpose="authentication",
        extra_options={"domain": vpr["domain"], "challenge": vpr["challenge"]},
    )
    wallet.answer(vpr, holderless)
    outcome = result(web, made)["variables"]["results"]["presentDiploma"]
    assert outcome["verdict"] != "valid", outcome
    codes = {c["name"]: c["code"] for c in outcome["report"]["checks"]}
    assert codes["proof.key-binding"] == "missing-holder"
