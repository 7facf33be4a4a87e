"""OpenID4VCI 1.0 and OpenID4VP 1.0 end to end with an independent wallet: the OpenWallet
Foundation's ``@openid4vc/openid4vci`` and ``@openid4vc/openid4vp`` (with ``@sd-jwt/core``,
``dcql`` and ``jose``; ``node/oid4vc_wallet.mjs``) against the running service over https.

The graduate claims the diploma and makes an offer with a transaction code (as on ``/me/wallet``);
the wallet library takes it from the ``openid-credential-offer://`` link to both credentials,
bound to its own key; a verifier's DCQL requests made through ``/v1/presentation-requests``
are answered by the library with the SD-JWT VC. Refusals: a wrong transaction code, a replayed
pre-authorized code, a key proof for another audience, an unknown / spent c_nonce, a stale
proof; a tampered disclosure, a key binding for another request's nonce or another audience,
and a replayed response."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from helpers import diploma_payload
from interop_support import RunningService

LDP = "UniversityDiploma_ldp_vc"
SD = "UniversityDiploma_dc+sd-jwt"
EITHER = "eitherFormat"  # the default request: the fields of the page, either format
REQUESTS = ("honest", "tampered", "replayedNonce", "wrongAudience", EITHER)


def _claims(compact: str) -> dict[str, Any]:
    payload = compact.split("~", 1)[0].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def _graduate_offer(client: httpx.Client, service: RunningService) -> dict[str, Any]:
    """A diploma issued by the university, claimed by its graduate, who offers it to a wallet
    in both formats with a transaction code, then as an SD-JWT VC alone without one."""
    issued = client.post("/v1/diplomas", json=diploma_payload(7), headers=service.headers)
    assert issued.status_code == 201, issued.text
    claimed = client.post("/claim", data={"code": issued.json()["claim"]["code"]})
    assert claimed.status_code == 303, claimed.text
    page = client.get("/me/wallet")
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert page.status_code == 200 and match, page.text[-2000:]
    offer = client.post(
        "/me/wallet/offers",
        data={"csrf": match.group(1), "format": ["ldp_vc", "dc+sd-jwt"], "tx_code": "1"},
        headers={"Accept": "application/json"},
    )
    assert offer.status_code == 201, offer.text
    made: dict[str, Any] = offer.json()
    made["diploma"] = issued.json()["verifiableCredential"]
    second = client.post(
        "/me/wallet/offers",
        data={"csrf": match.group(1), "format": ["dc+sd-jwt"]},
        headers={"Accept": "application/json"},
    )
    assert second.status_code == 201, second.text
    assert second.json()["txCode"] is None
    made["second"] = second.json()
    return made


def _run_wallet(
    harness: Path, service: RunningService, work: Path, given: dict[str, Any]
) -> dict[str, Any]:
    (work / "in.json").write_text(json.dumps(given))
    done = subprocess.run(
        [
            shutil.which("node") or "node",
            str(harness / "oid4vc_wallet.mjs"),
            str(work / "in.json"),
            str(work / "out.json"),
        ],
        cwd=harness,
        env={"PATH": "/usr/bin:/bin", "NODE_EXTRA_CA_CERTS": str(service.ca)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    out: dict[str, Any] = json.loads((work / "out.json").read_text())
    assert "error" not in out, (out["error"], out.get("errorResponse"))
    return out


@pytest.fixture(scope="module")
def wallet(
    node_harness: Path, service: RunningService, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    with service.client() as client:
        offer = _graduate_offer(client, service)
        requests = {}
        for name in REQUESTS:
            asked = {"fields": ["qualification", "full_name"], "formats": ["dc+sd-jwt"]}
            made = client.post("/v1/presentation-requests", json={} if name == EITHER else asked)
            assert made.status_code == 201, made.text
            requests[name] = made.json()
    work = tmp_path_factory.mktemp("oid4vc")
    out = _run_wallet(
        node_harness,
        service,
        work,
        {
            "service": service.base,
            "offer": offer["byReference"],
            "txCode": offer["txCode"],
            "offerByValue": offer["second"]["byValue"],
            "requests": {n: r["authorizationRequest"] for n, r in requests.items()},
        },
    )
    with service.client() as client:
        out["results"] = {}
        for name, made in requests.items():
            seen = client.get(f"/v1/presentation-requests/{made['handle']}")
            assert seen.status_code == 200, seen.text
            out["results"][name] = seen.json()
        issuance = out["issuance"]
        out["reports"] = {
            LDP: client.post("/v1/verifications", json=issuance["ldp"]).json(),
            SD: client.post(
                "/v1/verifications",
                content=issuance["sdJwt"].encode(),
                headers={"Content-Type": "application/dc+sd-jwt"},
            ).json(),
        }
        # The university revokes the diploma: the wallet reads it in the same status list.
        revoked = client.post(
            f"/v1/diplomas/{offer['diploma']['id']}/status-changes",
            json={"action": "revoke", "reasonCode": "issued-in-error"},
            headers=service.headers,
        )
        assert revoked.status_code == 201, revoked.text
    again = _run_wallet(
        node_harness, service, work, {"service": service.base, "statusOf": issuance["sdJwt"]}
    )
    out["statusAfterRevocation"] = again["status"]
    out["offer"] = offer
    return out


def _statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in report["checks"]}


def _every_check_passed(report: dict[str, Any]) -> None:
    # The interop service's university is accredited by its NIC: every check passes and the
    # default policy's verdict is valid.
    statuses = _statuses(report)
    open_checks = {n for n, s in statuses.items() if s not in ("passed", "skipped")}
    assert open_checks == set(), report["checks"]
    assert statuses.get("proof.signature") == "passed", report["checks"]
    assert report["verdict"] == "valid", report


def test_library_resolves_the_offer_and_both_metadata(
    wallet: dict[str, Any], service: RunningService
) -> None:
    issuance = wallet["issuance"]
    assert issuance["offer"] == wallet["offer"]["credentialOffer"]
    assert issuance["credentialIssuer"] == service.base
    assert issuance["authorizationServers"] == [service.base]
    assert issuance["tokenType"] == "Bearer"
    # Recognised as OpenID4VCI 1.0 (not a draft), both configurations conformant to their
    # format's metadata requirements (the library silently drops those that are not).
    assert issuance["metadataVersion"] == "V1"
    assert issuance["knownConfigurations"] == [LDP, SD]


def test_ldp_vc_is_bound_to_the_wallet_did_and_verifies(wallet: dict[str, Any]) -> None:
    issuance = wallet["issuance"]
    assert issuance["ldpProofHeader"]["typ"] == "openid4vci-proof+jwt"
    assert issuance["ldpProofHeader"]["kid"] == wallet["holder"]["didJwk"] + "#0"
    credential = issuance["ldp"]
    assert credential["credentialSubject"]["id"] == wallet["holder"]["didJwk"]
    assert credential["id"] == wallet["offer"]["diploma"]["id"]
    _every_check_passed(wallet["reports"][LDP])


def _wallet_accepts(check: dict[str, Any], diploma: dict[str, Any]) -> None:
    assert check["typ"] == "dc+sd-jwt"
    assert check["issuerIsKidDid"] and check["vctMatches"] and check["boundToWallet"], check
    assert check["typeMetadataVct"].endswith("/oid4vci/types/diploma")
    # What the Type Metadata says is (not) selectively disclosable is what the credential does.
    assert check["typeMetadataMismatches"] == [], check["typeMetadataMismatches"]
    graduate = "credentialSubject.graduate."
    wanted = {graduate + "fullName", graduate + "dateOfBirth", "credentialSubject.diplomaNumber"}
    assert wanted <= set(check["disclosable"]), check
    assert check["fullName"] == diploma["credentialSubject"]["graduate"]["fullName"]
    # Its status, read by the wallet in the IETF Token Status List it points at (signature,
    # typ and sub checked by jose): valid (0), in a 2-bit list (revoked / suspended).
    status = check["status"]
    assert status["mediaType"] == "application/statuslist+jwt"
    assert (status["bits"], status["value"], status["tokenIssuerIsKidDid"]) == (2, 0, True)


def test_sd_jwt_vc_is_bound_to_the_wallet_key_and_verifies(wallet: dict[str, Any]) -> None:
    issuance = wallet["issuance"]
    assert issuance["sdProofHeader"]["jwk"] == wallet["holder"]["publicJwk"]
    claims = _claims(issuance["sdJwt"])
    assert claims["cnf"]["jwk"] == wallet["holder"]["publicJwk"]
    # @sd-jwt/core verified it with the key the issuer's did:web names (the wallet's check).
    _wallet_accepts(issuance["sdJwtCheck"], wallet["offer"]["diploma"])
    _every_check_passed(wallet["reports"][SD])


def test_wallet_reads_the_revocation_in_the_status_list(wallet: dict[str, Any]) -> None:
    status = wallet["statusAfterRevocation"]
    assert (status["bits"], status["value"]) == (2, 1), status  # 0x01: revoked


def test_offer_by_value_without_transaction_code(wallet: dict[str, Any]) -> None:
    second = wallet["issuanceByValue"]
    assert second["offer"] == wallet["offer"]["second"]["credentialOffer"]
    assert second["credentialConfigurationId"] == SD
    _wallet_accepts(second["check"], wallet["offer"]["diploma"])


@pytest.mark.parametrize(
    ("case", "status", "error"),
    [
        ("wrongTxCode", 400, "invalid_grant"),
        ("replayedCode", 400, "invalid_grant"),
        ("wrongAudience", 400, "invalid_proof"),
        ("unknownNonce", 400, "invalid_nonce"),
        ("replayedNonce", 400, "invalid_nonce"),
        ("staleProof", 400, "invalid_proof"),
        ("unknownAccessToken", 401, "invalid_token"),
    ],
)
def test_issuance_refusals_use_the_spec_error_codes(
    wallet: dict[str, Any], case: str, status: int, error: str
) -> None:
    refused = wallet["issuance"]["refused"][case]
    assert (refused["status"], refused["error"]) == (status, error), refused
    if status == 401:  # RFC 6750 §3: the challenge, as the library parsed it
        assert refused["wwwAuthenticate"][0]["scheme"] == "Bearer", refused
        assert refused["wwwAuthenticate"][0]["error"] == error, refused


def test_library_presents_only_the_asked_claims_and_the_service_verifies(
    wallet: dict[str, Any],
) -> None:
    honest = wallet["presentation"]["honest"]
    request = honest["request"]
    assert request["client"]["prefix"] == "decentralized_identifier"
    assert request["responseMode"] == "direct_post"
    assert request["version"] == 100  # the library's number for OpenID4VP 1.0 final
    assert honest["response"]["status"] == 200, honest["response"]
    disclosed = [p for p in honest["presentation"].split("~")[1:-1]]
    names = [json.loads(base64.urlsafe_b64decode(d + "=" * (-len(d) % 4)))[1] for d in disclosed]
    assert names == ["fullName"]  # the qualification is always shown; nothing else
    seen = wallet["results"]["honest"]
    assert seen["state"] == "answered"
    result = seen["result"]
    report = result["presentations"][0]
    assert report["query"] == "diploma"
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["proof.holder-binding"]["status"] == "passed", checks["proof.holder-binding"]
    assert checks["proof.disclosures"]["details"]["disclosed"] == ["fullName"]
    _every_check_passed(report)
    # A valid diploma's disclosed claims are read out: nothing the request asked for is missing.
    assert report["missingClaims"] == []
    assert result["verdict"] == report["verdict"]


def test_default_request_with_either_format_is_answered(wallet: dict[str, Any]) -> None:
    sent = wallet["presentation"][EITHER]
    query = sent["request"]["query"]
    assert [c["format"] for c in query["credentials"]] == ["dc+sd-jwt", "ldp_vc"]
    assert len(query["credential_sets"][0]["options"]) == 2
    assert sent["request"]["canBeSatisfied"] is True  # dcql: the SD-JWT VC option suffices
    # The ldp_vc option names the diploma's types as expanded IRIs (OpenID4VP 1.0 §B.1.1), so
    # dcql matches the wallet's ldp_vc as well (its types expanded by jsonld).
    assert sent["ldp"]["matches"] is True, sent["ldp"]
    assert sent["response"]["status"] == 200, sent["response"]
    report = wallet["results"][EITHER]["result"]["presentations"][0]
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["proof.holder-binding"]["status"] == "passed", checks["proof.holder-binding"]
    _every_check_passed(report)


def test_replayed_response_is_refused(wallet: dict[str, Any]) -> None:
    replay = wallet["presentation"]["replay"]
    assert (replay["status"], replay["body"]["error"]) == (400, "invalid_request"), replay


@pytest.mark.parametrize("case", ["tampered", "replayedNonce", "wrongAudience"])
def test_forged_presentations_are_invalid(wallet: dict[str, Any], case: str) -> None:
    sent = wallet["presentation"][case]
    assert sent["response"]["status"] in (200, 400), sent["response"]
    result = wallet["results"][case].get("result")
    assert result is not None and result["verdict"] == "invalid", wallet["results"][case]
