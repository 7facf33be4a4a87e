"""Authorization matrix: every route of the application x every role has a declared outcome.

The routes come from the application's own route table, so a new route without a declared
policy fails ``test_every_route_has_a_policy``. One test per database backend builds the
world (two institutions, two graduates, share links, a partner NIC, a recognition
statement), sends every (route, variant) request as every role, and reports all mismatches
at once.

Roles: ``anonymous``; ``graduate_a`` (signed in with diploma A, issued by kaznu);
``graduate_b`` (diploma B, issued by enu); ``kaznu`` and ``enu`` (institution API keys);
``admin`` (the NIC administrator's API key). Graduates have no API key, so on the JSON API
they are anonymous; their ``dx_grad`` cookie only travels to ``/me``.

Expected outcomes:

* ``public``: allowed for everyone (declared on every role of the route);
* ``allow``: the request got past authorization: not 401/403 and not a redirect to
  ``/claim``. A 400/404/409/422 from input validation after the authorization check counts
  as allowed: several bodies are deliberately invalid so that nothing changes state;
* ``deny``: 401/403, or a 303 redirect to ``/claim`` for the graduate pages;
* ``deny-404``: denied by hiding: exactly 404, where the service deliberately does not say
  whether another party's object exists (another institution's diploma, another graduate's
  link).

A 429 or a 5xx never matches any expectation (a rate limit would hide the decision; each
role therefore has its own client address).

Path parameters are filled with real objects: ``{slug}`` is declared twice, once with kaznu
and once with enu, so each institution is checked on its own and on the other's resources;
``{credential_id}`` is diploma A (issued by kaznu); ``{list_id}`` the status list of diploma
A; ``{token}`` a share link of graduate A (``/s/{token}/pin``: one PIN link per role, so the
per-link PIN limit is not hit, answered with the right PIN); ``{link_id}`` a link of graduate
A; ``{code}`` diploma A's claim code (``/claim/{code}``) or ``JP``
(``/v1/recognition/countries/{code}``); ``{partner_id}`` a partner NIC; ``{statement_id}``
a recognition statement for diploma A. ``{key_id}`` is a dummy: the owner/admin check runs
before the key lookup, so allowed roles get 400 and others 401/403.

Requests that change state are ordered by ``phase``: key rotations, claim-code minting and
link revocation run after every read; deleting the partner and signing out run last.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from conftest import PUBLIC_BASE_URL, Tenant
from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings
from diploma_exchange.proofs.secured import secured_digest
from helpers import diploma_payload

ANON, GRAD_A, GRAD_B, KAZNU, ENU, ADMIN = (
    "anonymous",
    "graduate_a",
    "graduate_b",
    "kaznu",
    "enu",
    "admin",
)
ROLES = (ANON, GRAD_A, GRAD_B, KAZNU, ENU, ADMIN)
GRADUATES = (GRAD_A, GRAD_B)
INSTITUTIONS = (KAZNU, ENU)

PUBLIC, ALLOW, DENY, DENY_404 = "public", "allow", "deny", "deny-404"

SKIPPED_PATHS = {"/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"}
CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
LINK_PIN = "4821"
NO_CSRF = "0" * 64


def public() -> dict[str, str]:
    return dict.fromkeys(ROLES, PUBLIC)


def only(*allowed: str, hidden: tuple[str, ...] = ()) -> dict[str, str]:
    """``allowed`` roles allow, ``hidden`` roles get 404, everybody else is denied."""
    return {r: ALLOW if r in allowed else DENY_404 if r in hidden else DENY for r in ROLES}


# --- the world every role acts in -----------------------------------------------------------


@dataclass
class World:
    values: dict[str, str]
    csrf: dict[str, str]
    pin_tokens: dict[str, str]
    credential_a: dict[str, Any]
    clients: dict[str, TestClient] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


#: A body value: a constant or a function of the world and the role.
Value = Any | Callable[[World, str], Any]


@dataclass(frozen=True)
class Policy:
    expect: Mapping[str, str]
    params: Mapping[str, str] = field(default_factory=dict)  # path param -> World.values key
    json: Value = None
    data: Value = None
    content: bytes | None = None
    content_type: str | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    phase: int = 0
    note: str = ""


def role_csrf(world: World, role: str) -> str:
    return world.csrf.get(role, NO_CSRF)


def csrf_form(**extra: str) -> Callable[[World, str], dict[str, str]]:
    def build(world: World, role: str) -> dict[str, str]:
        return {"csrf": role_csrf(world, role), **extra}

    return build


def credential_form(**extra: str) -> Callable[[World, str], dict[str, str]]:
    def build(world: World, role: str) -> dict[str, str]:
        return {"credential": json.dumps(world.credential_a), **extra}

    return build


KAZNU_SLUG = {"slug": "kaznu"}
ENU_SLUG = {"slug": "enu"}
DIPLOMA_A = {"credential_id": "credential_a"}
KEY_COMPROMISE = {"compromisedAt": "2030-01-01T00:00:00Z"}

#: (method, path template, variant) -> policy. Variants name the object the path points at.
POLICIES: dict[tuple[str, str, str], Policy] = {
    # --- meta and DID documents: public
    ("GET", "/healthz", ""): Policy(public()),
    ("GET", "/contexts/diploma-exchange/v1", ""): Policy(public()),
    ("GET", "/schemas/diploma-credential/v1.json", ""): Policy(public()),
    ("GET", "/institutions/{slug}/did.json", "kaznu"): Policy(public(), KAZNU_SLUG),
    ("GET", "/.well-known/did.json", ""): Policy(public()),
    ("GET", "/.well-known/diploma-seal-ca.pem", ""): Policy(public()),
    ("GET", "/institutions/{slug}/key-events", "kaznu"): Policy(public(), KAZNU_SLUG),
    ("GET", "/.well-known/key-events", ""): Policy(public()),
    # --- institutions and keys
    ("POST", "/v1/institutions", ""): Policy(
        only(ADMIN), json={}, note="invalid body: the admin gets 422 after the admin check"
    ),
    ("GET", "/v1/institutions", ""): Policy(public()),
    ("GET", "/v1/institutions/{slug}", "kaznu"): Policy(public(), KAZNU_SLUG),
    ("POST", "/v1/institutions/{slug}/api-keys", "kaznu"): Policy(
        only(ADMIN, KAZNU), KAZNU_SLUG, json={"label": "matrix"}
    ),
    ("POST", "/v1/institutions/{slug}/api-keys", "enu"): Policy(
        only(ADMIN, ENU), ENU_SLUG, json={"label": "matrix"}
    ),
    ("PUT", "/v1/institutions/{slug}/signatories", "kaznu"): Policy(
        only(ADMIN, KAZNU), KAZNU_SLUG, json={"signatories": []}
    ),
    ("PUT", "/v1/institutions/{slug}/signatories", "enu"): Policy(
        only(ADMIN, ENU), ENU_SLUG, json={"signatories": []}
    ),
    ("GET", "/v1/institutions/{slug}/keys", "kaznu"): Policy(public(), KAZNU_SLUG),
    ("POST", "/v1/institutions/{slug}/keys/rotate", "kaznu"): Policy(
        only(ADMIN, KAZNU), KAZNU_SLUG, json={"note": "matrix"}, phase=1
    ),
    ("POST", "/v1/institutions/{slug}/keys/rotate", "enu"): Policy(
        only(ADMIN, ENU), ENU_SLUG, json={"note": "matrix"}, phase=1
    ),
    ("POST", "/v1/institutions/{slug}/keys/{key_id}/compromise", "kaznu"): Policy(
        only(ADMIN, KAZNU),
        {**KAZNU_SLUG, "key_id": "dummy_key"},
        json=KEY_COMPROMISE,
        note="dummy key id: allowed roles get 400 (unknown key) after the owner/admin check",
    ),
    ("POST", "/v1/institutions/{slug}/keys/{key_id}/compromise", "enu"): Policy(
        only(ADMIN, ENU), {**ENU_SLUG, "key_id": "dummy_key"}, json=KEY_COMPROMISE
    ),
    # --- diplomas
    ("POST", "/v1/diplomas", ""): Policy(only(*INSTITUTIONS), json={}, note="422 when allowed"),
    ("POST", "/v1/diplomas/batch", ""): Policy(only(*INSTITUTIONS), json={}),
    ("POST", "/v1/diplomas/batch/csv", ""): Policy(
        only(*INSTITUTIONS), content=b"", content_type="text/csv"
    ),
    ("GET", "/v1/diplomas", ""): Policy(only(*INSTITUTIONS)),
    ("GET", "/v1/diplomas/{credential_id}", "diploma-a"): Policy(
        only(KAZNU, hidden=(ENU,)), DIPLOMA_A
    ),
    ("GET", "/v1/diplomas/{credential_id}/diploma.pdf", "diploma-a"): Policy(
        only(KAZNU, hidden=(ENU,)), DIPLOMA_A
    ),
    ("POST", "/v1/diplomas/{credential_id}/claim-code", "diploma-a"): Policy(
        only(KAZNU, hidden=(ENU,)), DIPLOMA_A, phase=1
    ),
    # --- status
    ("GET", "/status-lists/{list_id}", "list-of-a"): Policy(public(), {"list_id": "list_id"}),
    ("POST", "/v1/diplomas/{credential_id}/status-changes", "diploma-a"): Policy(
        only(KAZNU, hidden=(ENU,)),
        DIPLOMA_A,
        json={"action": "reinstate", "reasonCode": "other"},
        note="reinstating an active diploma: kaznu gets 409 after the issuer check, nothing"
        " changes (an invalid reason code would be refused before the issuer check)",
    ),
    ("GET", "/v1/diplomas/{credential_id}/status-changes", "diploma-a"): Policy(
        only(KAZNU, hidden=(ENU,)), DIPLOMA_A
    ),
    # --- trust
    ("POST", "/v1/institutions/{slug}/accreditations", "kaznu"): Policy(
        only(ADMIN), KAZNU_SLUG, json={}
    ),
    ("POST", "/v1/institutions/{slug}/accreditations/withdraw", "kaznu"): Policy(
        only(ADMIN), KAZNU_SLUG, json={}
    ),
    ("GET", "/v1/institutions/{slug}/accreditations", "kaznu"): Policy(public(), KAZNU_SLUG),
    ("GET", "/trust-list", ""): Policy(public()),
    ("POST", "/v1/partners", ""): Policy(only(ADMIN), json={}),
    ("GET", "/v1/partners", ""): Policy(only(ADMIN)),
    ("DELETE", "/v1/partners/{partner_id}", "partner"): Policy(
        only(ADMIN), {"partner_id": "partner_id"}, phase=2
    ),
    ("POST", "/v1/partners/{partner_id}/trust-list", "partner"): Policy(
        only(ADMIN), {"partner_id": "partner_id"}, json={}
    ),
    ("POST", "/v1/partners/{partner_id}/refresh", "partner"): Policy(
        only(ADMIN), {"partner_id": "partner_id"}, note="no URL configured: 400 when allowed"
    ),
    # --- audit log (NIC administrator only)
    ("GET", "/v1/audit-log", ""): Policy(only(ADMIN)),
    ("GET", "/v1/audit-log/verification", ""): Policy(only(ADMIN)),
    # --- recognition
    ("POST", "/v1/recognition/assessments", ""): Policy(
        public(),
        json={"receivingCountry": "JP", "qualification": {"qualificationType": "kz.bachelor"}},
    ),
    # Who asked for recognition where is not public: the issuing institution and the NIC.
    ("GET", "/v1/recognition/assessments", ""): Policy(
        only(KAZNU, ADMIN, hidden=(ENU,)), query={"diplomaId": "credential_a"}
    ),
    ("GET", "/v1/recognition/assessments/{statement_id}", "statement"): Policy(
        public(), {"statement_id": "statement_id"}
    ),
    ("POST", "/v1/recognition/assessments/{statement_id}/decisions", "statement"): Policy(
        only(ADMIN), {"statement_id": "statement_id"}, json={"decision": "not-a-decision"}
    ),
    ("GET", "/v1/recognition/assessments/{statement_id}/decisions", "statement"): Policy(
        public(), {"statement_id": "statement_id"}
    ),
    ("GET", "/v1/recognition/frameworks", ""): Policy(public()),
    ("GET", "/v1/recognition/countries", ""): Policy(public()),
    ("GET", "/v1/recognition/countries/{code}", "JP"): Policy(public(), {"code": "country"}),
    ("GET", "/v1/recognition/qualification-types/{type_id}", "kz.bachelor"): Policy(
        public(), {"type_id": "qualification_type"}
    ),
    # --- VC-API and verification
    ("POST", "/credentials/issue", ""): Policy(only(*INSTITUTIONS), json={}),
    ("POST", "/credentials/status", ""): Policy(
        only(KAZNU, hidden=(ENU,)),
        json=lambda w, r: {
            "credentialId": w.values["credential_a"],
            "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"},
            "status": False,
        },
        note="reinstating an active diploma: kaznu gets 200 (nothing changes), enu 404",
    ),
    ("POST", "/credentials/verify", ""): Policy(
        public(), json=lambda w, r: {"verifiableCredential": w.credential_a}
    ),
    ("POST", "/presentations/verify", ""): Policy(
        public(),
        json=lambda w, r: {
            "verifiablePresentation": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [w.credential_a],
            }
        },
    ),
    ("POST", "/v1/verifications", ""): Policy(public(), json=lambda w, r: w.credential_a),
    # --- transparency log: public reads (C2SP checkpoint, tiles), the witness protocol
    ("GET", "/log/checkpoint", ""): Policy(public()),
    ("GET", "/log/tile/{level}/{rest:path}", "entries"): Policy(
        public(), {"level": "tile_level", "rest": "tile_rest"}
    ),
    ("GET", "/log/v1/info", ""): Policy(public()),
    ("GET", "/log/v1/proof/inclusion", ""): Policy(public(), query={"index": "0", "treeSize": "1"}),
    ("GET", "/log/v1/proof/consistency", ""): Policy(public(), query={"first": "0", "second": "1"}),
    ("GET", "/log/v1/bundles/{digest}", "diploma-a"): Policy(public(), {"digest": "digest_a"}),
    ("GET", "/v1/diplomas/{credential_id}/log-bundle", "diploma-a"): Policy(
        only(KAZNU, hidden=(ENU,)), DIPLOMA_A
    ),
    ("POST", "/witness/add-checkpoint", ""): Policy(
        public(),
        content=b"old 0\n\nnot a checkpoint",
        content_type="text/plain",
        note="a malformed request: 400 for everyone, nothing stored",
    ),
    ("GET", "/witness/{origin_hash}/checkpoint", ""): Policy(
        public(), {"origin_hash": "origin_hash"}
    ),
    # --- transparency log administration (NIC) and monitoring (NIC or the institution)
    ("POST", "/v1/log/witnesses", ""): Policy(only(ADMIN), json={}),
    ("GET", "/v1/log/witnesses", ""): Policy(only(ADMIN)),
    ("POST", "/v1/log/witnessed-logs", ""): Policy(only(ADMIN), json={}),
    ("GET", "/v1/log/witnessed-logs", ""): Policy(only(ADMIN)),
    ("POST", "/v1/log/checkpoints", ""): Policy(only(ADMIN)),
    ("GET", "/v1/log/monitor", "kaznu"): Policy(only(ADMIN, KAZNU), query={"institution": "kaznu"}),
    # --- web: home, claim
    ("GET", "/", ""): Policy(public()),
    ("GET", "/claim", ""): Policy(public()),
    ("GET", "/claim/{code}", "claim-code-a"): Policy(public(), {"code": "claim_code_a"}),
    ("POST", "/claim", ""): Policy(
        public(),
        data={"code": "00000-00000-00000-00000-00000"},
        note="an unknown code (404 for everyone): a real one would sign the role in",
    ),
    # --- web: the graduate's own page
    ("GET", "/me", ""): Policy(only(*GRADUATES)),
    ("GET", "/me/credential.json", ""): Policy(only(*GRADUATES)),
    ("GET", "/me/diploma.log.json", ""): Policy(only(*GRADUATES)),
    ("POST", "/me/diploma.pdf", ""): Policy(only(*GRADUATES), data=csrf_form()),
    ("GET", "/me/links/new", ""): Policy(only(*GRADUATES)),
    ("POST", "/me/links", ""): Policy(only(*GRADUATES), data=csrf_form(days="30")),
    ("POST", "/me/links/pdf", "link-of-a"): Policy(
        only(GRAD_A, hidden=(GRAD_B,)),
        data=lambda w, r: {"csrf": role_csrf(w, r), "token": w.values["token"]},
    ),
    ("POST", "/me/links/{link_id}/revoke", "link-of-a"): Policy(
        only(GRAD_A, hidden=(GRAD_B,)), {"link_id": "spare_link_id"}, data=csrf_form(), phase=1
    ),
    ("POST", "/me/logout", ""): Policy(only(*GRADUATES), data=csrf_form(), phase=3),
    # --- wallets (OpenID4VCI): the graduate makes offers; a wallet holds the code/token
    ("GET", "/me/wallet", ""): Policy(only(*GRADUATES)),
    ("POST", "/me/wallet/offers", ""): Policy(only(*GRADUATES), data=csrf_form(format="ldp_vc")),
    ("GET", "/.well-known/openid-credential-issuer", ""): Policy(public()),
    ("GET", "/.well-known/oauth-authorization-server", ""): Policy(public()),
    ("GET", "/oid4vci/offers/{code}", "unknown-offer"): Policy(
        public(), {"code": "unknown_id"}, note="not an offer code: 404 for everyone"
    ),
    ("POST", "/oid4vci/token", ""): Policy(
        public(), data={}, note="no grant: 400 invalid_request for everyone"
    ),
    ("POST", "/oid4vci/nonce", ""): Policy(public()),
    ("GET", "/oid4vci/types/diploma", ""): Policy(public()),
    ("POST", "/oid4vci/credential", ""): Policy(
        only(), json={}, note="only a wallet's access token authorizes (401 for every role)"
    ),
    ("GET", "/oid4vci/status-lists/{list_id}", "list-of-a"): Policy(
        public(), {"list_id": "list_id"}
    ),
    # --- wallets (OpenID4VP): anyone may ask a wallet; the handle reads the answer
    ("POST", "/v1/presentation-requests", ""): Policy(public(), json={"fields": ["degree"]}),
    ("GET", "/v1/presentation-requests/{handle}", "unknown"): Policy(
        public(), {"handle": "unknown_id"}, note="not a handle: 404 for everyone"
    ),
    ("GET", "/oid4vp/requests/{request_id}", "unknown"): Policy(
        public(), {"request_id": "unknown_id"}, note="not a request: 404 for everyone"
    ),
    ("POST", "/oid4vp/responses", ""): Policy(
        public(), data={"state": "x"}, note="no such request: 400 for everyone"
    ),
    # --- wallets (VC-API exchanges): the issuer institution (or the graduate's page) makes
    # issuance exchanges, anyone verification ones; the exchange URL is the wallet's bearer
    # capability, the handle the owner's
    ("POST", "/workflows/{workflow_id}/exchanges", "issuance"): Policy(
        only(KAZNU, hidden=(ENU,)),
        {"workflow_id": "wf_issuance"},
        json=lambda w, r: {"variables": {"credentialId": w.values["credential_a"]}},
    ),
    ("POST", "/workflows/{workflow_id}/exchanges", "verification"): Policy(
        public(), {"workflow_id": "wf_verification"}, json={"variables": {"label": "matrix"}}
    ),
    ("GET", "/workflows/{workflow_id}/exchanges/{exchange_id}", "unknown"): Policy(
        public(),
        {"workflow_id": "wf_verification", "exchange_id": "unknown_id"},
        note="not an exchange: 404 for everyone",
    ),
    ("POST", "/workflows/{workflow_id}/exchanges/{exchange_id}", "unknown"): Policy(
        public(),
        {"workflow_id": "wf_issuance", "exchange_id": "unknown_id"},
        json={},
        note="not an exchange: 404 for everyone",
    ),
    ("GET", "/workflows/{workflow_id}/exchanges/{exchange_id}/protocols", "unknown"): Policy(
        public(),
        {"workflow_id": "wf_issuance", "exchange_id": "unknown_id"},
        note="not an exchange: 404 for everyone",
    ),
    ("POST", "/me/wallet/exchanges", ""): Policy(only(*GRADUATES), data=csrf_form()),
    ("POST", "/verify/wallet/lcw", ""): Policy(public()),
    ("GET", "/verify/wallet/lcw/{handle}", "unknown"): Policy(
        public(), {"handle": "unknown_id"}, note="not a handle: 404 for everyone"
    ),
    ("GET", "/verify/wallet", ""): Policy(public()),
    ("POST", "/verify/wallet", ""): Policy(public(), data={"field": "degree"}),
    ("GET", "/verify/wallet/{handle}", "unknown"): Policy(
        public(), {"handle": "unknown_id"}, note="not a handle: 404 for everyone"
    ),
    # --- web: share links of graduate A (anyone holding the link)
    ("GET", "/s/{token}", "link-of-a"): Policy(public(), {"token": "token"}),
    ("POST", "/s/{token}/pin", "pin-link-of-a"): Policy(
        public(), {"token": "pin_token"}, data={"pin": LINK_PIN}
    ),
    ("GET", "/s/{token}/credential.json", "link-of-a"): Policy(public(), {"token": "token"}),
    ("GET", "/s/{token}/report.json", "link-of-a"): Policy(public(), {"token": "token"}),
    ("GET", "/s/{token}/diploma.pdf", "link-of-a"): Policy(public(), {"token": "token"}),
    ("POST", "/s/{token}/statement", "link-of-a"): Policy(
        public(), {"token": "token"}, data={"country": "JP"}
    ),
    # --- web: verifiers
    ("GET", "/compare", ""): Policy(public()),
    ("GET", "/verify", ""): Policy(public()),
    ("POST", "/verify", ""): Policy(public(), data={"x": "nothing uploaded"}),
    ("POST", "/verify/download", ""): Policy(public(), data=credential_form(what="report")),
    ("POST", "/verify/statement", ""): Policy(public(), data=credential_form(country="JP")),
}


# --- the route table ------------------------------------------------------------------------


def application_routes(settings: Settings) -> set[tuple[str, str]]:
    """(method, path) of every API route and HTML page, from the application's route table."""
    app = create_app(settings)
    try:  # FastAPI >= 0.16x keeps included routers unflattened in app.routes
        from fastapi.routing import iter_route_contexts

        entries: Any = list(iter_route_contexts(app.routes))
    except ImportError:  # pragma: no cover - older FastAPI
        entries = app.routes
    routes = set()
    for entry in entries:
        original = getattr(entry, "original_route", entry)
        if not isinstance(original, APIRoute) or entry.path in SKIPPED_PATHS:
            continue
        for method in entry.methods or ():
            if method != "HEAD":
                routes.add((method, entry.path))
    return routes


@pytest.fixture(scope="module")
def route_table() -> set[tuple[str, str]]:
    return application_routes(
        Settings(
            environment="test",
            database_url="sqlite://",
            public_base_url=PUBLIC_BASE_URL,
            key_passphrase="test-passphrase",  # type: ignore[arg-type]
        )
    )


def test_route_table_is_found(route_table: set[tuple[str, str]]) -> None:
    assert len(route_table) > 60
    assert ("GET", "/me") in route_table  # HTML pages are in it
    assert ("POST", "/v1/diplomas") in route_table


def test_every_route_has_a_policy(route_table: set[tuple[str, str]]) -> None:
    declared = {(method, path) for method, path, _ in POLICIES}
    missing = sorted(route_table - declared)
    assert not missing, f"routes without a declared authorization policy: {missing}"


def test_every_policy_names_a_route_and_every_role(route_table: set[tuple[str, str]]) -> None:
    declared = {(method, path) for method, path, _ in POLICIES}
    assert not sorted(declared - route_table), "policies for routes that no longer exist"
    for key, policy in POLICIES.items():
        assert set(policy.expect) == set(ROLES), key
        assert set(policy.expect.values()) <= {PUBLIC, ALLOW, DENY, DENY_404}, key
        if PUBLIC in policy.expect.values():
            assert set(policy.expect.values()) == {PUBLIC}, f"{key}: public is for everyone"
        assert set(re.findall(r"{(\w+)(?::\w+)?}", key[1])) == set(policy.params), key


# --- building the world ---------------------------------------------------------------------


def _client(web: TestClient, i: int) -> TestClient:
    # Each role has its own address, so per-client rate limits never hide a decision.
    return TestClient(
        web.app, base_url=PUBLIC_BASE_URL, follow_redirects=False, client=(f"10.0.0.{i}", 50000)
    )


def _issue(web: TestClient, tenant: Tenant, i: int) -> tuple[dict[str, Any], str]:
    response = web.post("/v1/diplomas", json=diploma_payload(i), headers=tenant.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    return body["verifiableCredential"], body["claim"]["code"]


def _sign_in(client: TestClient, code: str) -> str:
    response = client.post("/claim", data={"code": code})
    assert response.status_code == 303 and response.headers["location"] == "/me", response.text
    page = client.get("/me")
    assert page.status_code == 200
    match = CSRF.search(page.text)
    assert match
    return match.group(1)


def _link(client: TestClient, csrf: str, **form: str) -> tuple[str, str]:
    response = client.post(
        "/me/links",
        data={"csrf": csrf, "days": "30", **form},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], body["url"].rsplit("/", 1)[-1]


@pytest.fixture
def world(
    settings: Settings, engine: Engine, kaznu: Tenant, enu: Tenant, admin_key: str
) -> Iterator[World]:
    with TestClient(
        create_app(settings, engine), base_url=PUBLIC_BASE_URL, follow_redirects=False
    ) as web:
        clients = {role: _client(web, i) for i, role in enumerate(ROLES, start=1)}
        admin = {"Authorization": f"Bearer {admin_key}"}
        headers = {KAZNU: kaznu.headers, ENU: enu.headers, ADMIN: admin}

        credential_a, code_a = _issue(web, kaznu, 0)
        credential_b, code_b = _issue(web, enu, 1)
        csrf = {
            GRAD_A: _sign_in(clients[GRAD_A], code_a),
            GRAD_B: _sign_in(clients[GRAD_B], code_b),
        }
        link_id, token = _link(clients[GRAD_A], csrf[GRAD_A], label="for the matrix")
        spare_link_id, _ = _link(clients[GRAD_A], csrf[GRAD_A], label="to be revoked")
        pin_tokens = {role: _link(clients[GRAD_A], csrf[GRAD_A], pin=LINK_PIN)[1] for role in ROLES}

        status = credential_a["credentialStatus"]
        entries = status if isinstance(status, list) else [status]
        list_id = entries[0]["statusListCredential"].rsplit("/", 1)[-1]

        keys = web.get("/v1/institutions/kaznu/keys").json()
        partner = web.post(
            "/v1/partners",
            json={
                "did": "did:web:nic.example.jp",
                "name": "Partner NIC (test)",
                "countryCode": "JP",
                "publicKeyMultibase": keys[0]["publicKeyMultibase"],
            },
            headers=admin,
        )
        assert partner.status_code == 201, partner.text
        statement = web.post(
            "/v1/recognition/assessments",
            json={"receivingCountry": "JP", "credential": credential_a},
        )
        assert statement.status_code == 201, statement.text

        yield World(
            values={
                "kaznu": kaznu.slug,
                "enu": enu.slug,
                "credential_a": str(credential_a["id"]),
                "credential_b": str(credential_b["id"]),
                "claim_code_a": code_a,
                "list_id": list_id,
                "token": token,
                "link_id": link_id,
                "spare_link_id": spare_link_id,
                "partner_id": partner.json()["id"],
                "statement_id": statement.json()["id"],
                "dummy_key": "no-such-key",
                # An identifier nothing has (not a secret: unlike a claim code, it may be
                # logged, e.g. as a primary key in an SQL statement)
                "unknown_id": "f00dcafe-0000-4000-8000-unknown00000",
                "wf_issuance": "diploma-issuance",
                "wf_verification": "diploma-verification",
                "country": "JP",
                "qualification_type": "kz.bachelor",
                "tile_level": "entries",
                "tile_rest": "000.p/1",
                "digest_a": secured_digest(credential_a),
                "origin_hash": "0" * 64,
            },
            csrf=csrf,
            pin_tokens=pin_tokens,
            credential_a=credential_a,
            clients=clients,
            headers=headers,
        )


# --- the matrix -----------------------------------------------------------------------------


def _resolve(value: Value, world: World, role: str) -> Any:
    return value(world, role) if callable(value) else value


def send(world: World, key: tuple[str, str, str], policy: Policy, role: str) -> httpx.Response:
    method, template, _ = key
    path = template
    for param, source in policy.params.items():
        value = world.pin_tokens[role] if source == "pin_token" else world.values[source]
        path = re.sub("{" + param + r"(?::\w+)?}", value, path)
    headers = dict(world.headers.get(role, {}))
    if policy.content_type:
        headers["Content-Type"] = policy.content_type
    query = {k: world.values.get(v, v) for k, v in policy.query.items()}
    kwargs: dict[str, Any] = {"headers": headers, "params": query}
    if policy.json is not None:
        kwargs["json"] = _resolve(policy.json, world, role)
    if policy.data is not None:
        kwargs["data"] = _resolve(policy.data, world, role)
    if policy.content is not None:
        kwargs["content"] = policy.content
    return world.clients[role].request(method, path, **kwargs)


def outcome(response: httpx.Response) -> str:
    status = response.status_code
    if status == 429 or status >= 500:
        return f"error {status}"
    if status in (401, 403):
        return DENY
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("location", "").split("?")[0]
        if location.removeprefix(PUBLIC_BASE_URL) == "/claim":
            return DENY
    if status == 404:
        return DENY_404  # also "allowed past authorization" where allowing is expected
    return ALLOW


def matches(expected: str, got: str) -> bool:
    if expected in (PUBLIC, ALLOW):
        return got in (ALLOW, DENY_404)  # a 404 from the lookup after the check
    return got == expected


def cells() -> list[tuple[int, tuple[str, str, str], str]]:
    return sorted(
        ((policy.phase, key, role) for key, policy in POLICIES.items() for role in ROLES),
        key=lambda cell: cell[0],
    )


def test_authorization_matrix(world: World) -> None:
    failures = []
    for _, key, role in cells():
        policy = POLICIES[key]
        response = send(world, key, policy, role)
        got = outcome(response)
        expected = policy.expect[role]
        if not matches(expected, got):
            method, path, variant = key
            failures.append(
                f"{method} {path} [{variant or '-'}] as {role}: expected {expected}, "
                f"got {response.status_code} ({got}) {response.text[:160]!r}"
            )
    assert not failures, f"{len(failures)} of {len(cells())} cells differ:\n" + "\n".join(failures)


def test_graduates_see_only_their_own_diploma(world: World) -> None:
    for role, key in ((GRAD_A, "credential_a"), (GRAD_B, "credential_b")):
        download = world.clients[role].get("/me/credential.json")
        assert download.status_code == 200
        assert download.json()["id"] == world.values[key]
    page = world.clients[GRAD_B].get("/me", headers={"Accept": "application/json"})
    assert page.status_code == 200
    assert world.values["token"] not in page.text
    assert world.values["link_id"] not in {link["id"] for link in page.json()["links"]}
