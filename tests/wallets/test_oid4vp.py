"""OpenID4VP 1.0 with DCQL: a verifier asks for a diploma and the fields it needs; the test
wallet answers with an SD-JWT VC presentation bound to the request; the service verifies and
keeps the report; replays, other requests' nonces and wrong audiences are refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from wallets.conftest import Claimed, make_offer
from wallets.wallet_client import Wallet, local_path, open_presentation_request

SD = "UniversityDiploma_dc+sd-jwt"


@pytest.fixture
def holder(web: TestClient, claimed: Claimed) -> tuple[Wallet, str]:
    offer = make_offer(web, claimed, formats=("dc+sd-jwt",), tx_code=False)
    wallet = Wallet(web)
    return wallet, wallet.receive(offer["byValue"], None)[SD]


def ask(web: TestClient, **body: Any) -> dict[str, Any]:
    response = web.post("/v1/presentation-requests", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def answer(web: TestClient, request: dict[str, Any], vp_token: Any) -> Any:
    return web.post(
        local_path(request["response_uri"]),
        data={"vp_token": json.dumps(vp_token), "state": request["state"]},
    )


def result(web: TestClient, made: dict[str, Any]) -> dict[str, Any]:
    response = web.get(f"/v1/presentation-requests/{made['handle']}")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_request_object_asks_by_dcql(web: TestClient, claimed: Claimed) -> None:
    made = ask(web, fields=["qualification", "full_name"], formats=["dc+sd-jwt"])
    assert made["authorizationRequest"].startswith(
        "openid4vp://?client_id=decentralized_identifier"
    )
    request = open_presentation_request(web, made["authorizationRequest"])
    assert request["response_type"] == "vp_token"
    query = request["dcql_query"]["credentials"][0]
    assert query["format"] == "dc+sd-jwt"
    assert query["meta"]["vct_values"][0].endswith("/oid4vci/types/diploma")
    assert [c["path"] for c in query["claims"]] == [
        ["name"],
        ["credentialSubject", "graduate", "fullName"],
    ]
    assert result(web, made)["state"] == "pending"
    bad = web.post("/v1/presentation-requests", json={"fields": ["shoe_size"]})
    assert bad.status_code == 400


def test_wallet_presents_only_what_was_asked_and_the_report_is_kept(
    web: TestClient, holder: tuple[Wallet, str]
) -> None:
    wallet, sd = holder
    made = ask(web, fields=["qualification", "full_name"], formats=["dc+sd-jwt"])
    request = open_presentation_request(web, made["authorizationRequest"])
    shown = wallet.present_sd_jwt(
        sd, keep={"fullName"}, audience=request["client_id"], nonce=request["nonce"]
    )
    response = answer(web, request, {"diploma": [shown]})
    assert response.status_code == 200, response.text
    assert response.json() == {}
    seen = result(web, made)
    assert seen["state"] == "answered"
    assert seen["result"]["verdict"] == "valid", seen["result"]
    presentation = seen["result"]["presentations"][0]
    assert presentation["missingClaims"] == []
    disclosed = json.dumps(presentation["disclosed"])
    assert "2004-07-09" not in disclosed  # date of birth not shown
    assert "Aigerim Abenova" in disclosed
    # The same answer again (a replay) is refused: one answer per request.
    again = answer(web, request, {"diploma": [shown]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_request"


def test_missing_fields_are_reported_incomplete(
    web: TestClient, holder: tuple[Wallet, str]
) -> None:
    wallet, sd = holder
    made = ask(web, fields=["qualification", "date_of_birth"], formats=["dc+sd-jwt"])
    request = open_presentation_request(web, made["authorizationRequest"])
    shown = wallet.present_sd_jwt(
        sd, keep={"fullName"}, audience=request["client_id"], nonce=request["nonce"]
    )
    assert answer(web, request, {"diploma": [shown]}).status_code == 200
    seen = result(web, made)["result"]
    assert seen["verdict"] == "incomplete"
    assert seen["presentations"][0]["missingClaims"] == ["date_of_birth"]


def test_presentation_for_another_request_or_audience_is_invalid(
    web: TestClient, holder: tuple[Wallet, str]
) -> None:
    wallet, sd = holder
    first = ask(web, formats=["dc+sd-jwt"])
    second = ask(web, formats=["dc+sd-jwt"])
    one = open_presentation_request(web, first["authorizationRequest"])
    two = open_presentation_request(web, second["authorizationRequest"])
    assert one["nonce"] != two["nonce"]
    made_for_one = wallet.present_sd_jwt(
        sd, keep=None, audience=one["client_id"], nonce=one["nonce"]
    )
    assert answer(web, two, {"diploma": [made_for_one]}).status_code == 200
    assert result(web, second)["result"]["verdict"] == "invalid"
    third = ask(web, formats=["dc+sd-jwt"])
    three = open_presentation_request(web, third["authorizationRequest"])
    wrong_audience = wallet.present_sd_jwt(
        sd,
        keep=None,
        audience="decentralized_identifier:did:web:evil.example",
        nonce=three["nonce"],
    )
    assert answer(web, three, {"diploma": [wrong_audience]}).status_code == 200
    assert result(web, third)["result"]["verdict"] == "invalid"
    # Without key binding at all: invalid too (holder binding is required).
    fourth = ask(web, formats=["dc+sd-jwt"])
    four = open_presentation_request(web, fourth["authorizationRequest"])
    assert answer(web, four, {"diploma": [sd]}).status_code == 200
    assert result(web, fourth)["result"]["verdict"] != "valid"


def test_malformed_responses_are_refused(web: TestClient, holder: tuple[Wallet, str]) -> None:
    made = ask(web, formats=["dc+sd-jwt"])
    request = open_presentation_request(web, made["authorizationRequest"])
    bad = answer(web, request, {"other": ["x"]})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
    unknown = web.post("/oid4vp/responses", data={"vp_token": "{}", "state": "nope"})
    assert unknown.status_code == 400
    assert web.get("/v1/presentation-requests/not-a-handle").status_code == 404
    assert web.get("/oid4vp/requests/nope").status_code == 404
    # An answered request's object is no longer served.
    assert web.get(local_path(made["requestUri"])).status_code == 410


def test_upload_page_asks_a_wallet_and_shows_the_report(
    web: TestClient, holder: tuple[Wallet, str]
) -> None:
    import re

    wallet, sd = holder
    assert 'href="/verify/wallet"' in web.get("/verify").text
    form = web.get("/verify/wallet")
    assert form.status_code == 200 and 'name="field"' in form.text
    page = web.post("/verify/wallet", data={"field": ["qualification", "full_name"]})
    assert page.status_code == 201, page.text
    link = re.search(r'id="vp-request" type="text" readonly value="([^"]+)"', page.text)
    result_link = re.search(r'id="vp-result" href="([^"]+)"', page.text)
    assert link and result_link
    pending = web.get(result_link.group(1))
    assert 'id="vp-state"' in pending.text
    request = open_presentation_request(web, link.group(1).replace("&amp;", "&"))
    offered = {q["format"] for q in request["dcql_query"]["credentials"]}
    assert offered == {"dc+sd-jwt", "ldp_vc"}
    shown = wallet.present_sd_jwt(
        sd, keep={"fullName"}, audience=request["client_id"], nonce=request["nonce"]
    )
    assert answer(web, request, {"diploma": [shown]}).status_code == 200
    done = web.get(result_link.group(1))
    assert 'id="vp-verdict"' in done.text and "valid" in done.text
    assert "Aigerim Abenova" in done.text


def _expanded_types(credential: dict[str, Any]) -> list[str]:
    from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]

    from diploma_exchange.credentials.contexts import document_loader

    expanded = jsonld.expand(credential, {"documentLoader": document_loader})
    return list(expanded[0]["@type"])


def test_data_integrity_presentation_of_the_ldp_vc(web: TestClient, claimed: Claimed) -> None:
    from wallets.wallet_client import present_ldp_vc

    offer = make_offer(web, claimed, formats=("ldp_vc",), tx_code=False)
    wallet = Wallet(web, use_did_key=True)
    credential = wallet.receive(offer["byValue"], None)["UniversityDiploma_ldp_vc"]
    made = ask(web, fields=["qualification", "full_name"], formats=["ldp_vc"])
    request = open_presentation_request(web, made["authorizationRequest"])
    query_id = request["dcql_query"]["credentials"][0]["id"]
    # OpenID4VP 1.0 §B.1.1: type_values are expanded type IRIs; the diploma's expanded @type
    # includes one alternative (a DCQL wallet such as OWF's dcql matches them so; found by
    # tests/interop/test_oid4vc_clients.py).
    alternatives = request["dcql_query"]["credentials"][0]["meta"]["type_values"]
    expanded = _expanded_types(credential)
    assert any(set(types) <= set(expanded) for types in alternatives), (alternatives, expanded)
    vp = present_ldp_vc(wallet, credential, domain=request["client_id"], challenge=request["nonce"])
    assert answer(web, request, {query_id: [vp]}).status_code == 200
    seen = result(web, made)["result"]
    assert seen["verdict"] == "valid", seen
    assert seen["presentations"][0]["missingClaims"] == []
    # The same presentation for another request (another challenge): invalid.
    other = ask(web, fields=["qualification"], formats=["ldp_vc"])
    request = open_presentation_request(web, other["authorizationRequest"])
    assert answer(web, request, {query_id: [vp]}).status_code == 200
    assert result(web, other)["result"]["verdict"] == "invalid"
