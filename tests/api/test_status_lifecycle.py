"""Revoking, suspending and reinstating diplomas, and the signed status lists that carry it.

The lifecycle through the API (the very next verification sees a change), who may change a
status, the published BitstringStatusListCredential (ETag, bits, proof), how indexes are
allocated, and failing closed when a status list is forged, unavailable or of an unknown type.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.db.models import StatusEventRecord
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.errors import Error, NotFound
from diploma_exchange.proofs import eddsa_jcs_2022, suites
from diploma_exchange.services import institutions
from diploma_exchange.services import status as status_service
from diploma_exchange.status import (
    Bitstring,
    decode_list,
    encode_list,
    parse_status_list_credential,
)
from diploma_exchange.verification import StaticTrustPolicy, verify_credential
from diploma_exchange.verification.report import AUTHENTICITY_POLICY
from helpers import diploma_payload

PROBLEM = "application/problem+json"
LIST_SIZE = 131_072


# --- helpers ---------------------------------------------------------------------------------


def issue(client: TestClient, tenant: Tenant, i: int = 0) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(i), headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def verify(client: TestClient, credential: Mapping[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/verifications", json=credential)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def check(report: Mapping[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in report["checks"] if c["name"] == name]
    assert len(found) == 1, (name, report["checks"])
    return found[0]  # type: ignore[no-any-return]


def change(
    client: TestClient,
    tenant_headers: Mapping[str, str] | None,
    credential_id: str,
    action: str,
    reason: str,
    note: str | None = None,
) -> Any:
    body: dict[str, Any] = {"action": action, "reasonCode": reason}
    if note is not None:
        body["note"] = note
    return client.post(
        f"/v1/diplomas/{credential_id}/status-changes",
        json=body,
        headers=dict(tenant_headers or {}),
    )


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code, body
    return body  # type: ignore[no-any-return]


def entry(credential: Mapping[str, Any], purpose: str) -> dict[str, Any]:
    found = [e for e in credential["credentialStatus"] if e["statusPurpose"] == purpose]
    assert len(found) == 1, credential["credentialStatus"]
    return found[0]  # type: ignore[no-any-return]


def list_path(status_entry: Mapping[str, Any]) -> str:
    url: str = status_entry["statusListCredential"]
    assert url.startswith("https://diplomas.example.kz/status-lists/"), url
    return url.removeprefix("https://diplomas.example.kz")


def did_document(client: TestClient, slug: str) -> DidDocument:
    response = client.get(f"/institutions/{slug}/did.json")
    assert response.status_code == 200, response.text
    return DidDocument.from_json(response.json())


class DocResolver:
    """Resolves exactly the DID documents it was given (what an offline verifier has)."""

    def __init__(self, *documents: DidDocument) -> None:
        self._docs = {d.id: d for d in documents}

    def resolve(self, did: str) -> DidDocument:
        if did not in self._docs:
            raise NotFound(f"unknown DID {did}")
        return self._docs[did]


class FixedLists:
    """A status list provider serving fixed documents by URL."""

    def __init__(self, lists: Mapping[str, Mapping[str, Any]]) -> None:
        self._lists = dict(lists)
        self.asked: list[str] = []

    def get(self, url: str) -> Mapping[str, Any]:
        self.asked.append(url)
        return self._lists[url]


class DeadLists:
    """A status list host that is down."""

    def get(self, url: str) -> Mapping[str, Any]:
        raise Error(f"connection refused fetching {url}")


class ForeignKeySigner:
    """Signs with one institution's key while naming another's verification method."""

    def __init__(self, inner: Any, verification_method: str) -> None:
        self._inner = inner
        self.verification_method = verification_method

    def sign(self, data: bytes) -> bytes:
        return self._inner.sign(data)  # type: ignore[no-any-return]


def published_lists(client: TestClient, credential: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for e in credential["credentialStatus"]:
        response = client.get(list_path(e))
        assert response.status_code == 200, response.text
        out[e["statusListCredential"]] = response.json()
    return out


# --- the lifecycle through the API -----------------------------------------------------------


def test_revocation_is_seen_by_the_very_next_verification(
    client: TestClient, kaznu: Tenant
) -> None:
    credential = issue(client, kaznu)
    cid = credential["id"]
    before = verify(client, credential)
    assert before["verdict"] == "valid", before
    assert check(before, "status.revocation")["status"] == "passed"

    note = "Diploma printed for the wrong graduate; reissued as a new credential."
    revoked = change(client, kaznu.headers, cid, "revoke", "issued-in-error", note)
    assert revoked.status_code == 201, revoked.text
    body = revoked.json()
    assert body["credentialId"] == cid and body["state"] == "revoked"
    assert body["event"]["action"] == "revoke" and body["event"]["reasonCode"] == "issued-in-error"

    after = verify(client, credential)
    assert after["verdict"] == "invalid", after
    revocation = check(after, "status.revocation")
    assert (revocation["status"], revocation["code"]) == ("failed", "revoked")
    assert check(after, "proof.signature")["status"] == "passed"  # the diploma itself is intact
    assert check(after, "status.suspension")["status"] == "passed"

    vc_api = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert vc_api.status_code == 400, vc_api.text
    assert vc_api.headers["content-type"].startswith(PROBLEM)
    problem = vc_api.json()
    assert problem["verified"] is False
    assert any(
        e["title"] == "status.revocation" and e["type"].endswith("/revoked")
        for e in problem["errors"]
    ), problem
    assert "revo" in problem["detail"].lower()

    # revocation is final
    assert_problem(change(client, kaznu.headers, cid, "revoke", "fraud"), 409, "already-revoked")
    assert_problem(change(client, kaznu.headers, cid, "reinstate", "issued-in-error"), 409)
    assert_problem(change(client, kaznu.headers, cid, "suspend", "investigation"), 409)
    assert verify(client, credential)["verdict"] == "invalid"

    history = client.get(f"/v1/diplomas/{cid}/status-changes", headers=kaznu.headers)
    assert history.status_code == 200, history.text
    events = history.json()
    assert len(events) == 1, events  # the refused changes left no trace
    assert events[0]["action"] == "revoke"
    assert events[0]["reasonCode"] == "issued-in-error"
    assert events[0]["note"] == note
    assert events[0]["id"] == body["event"]["id"]


def test_suspend_then_reinstate(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu, 1)
    cid = credential["id"]
    suspended = change(
        client, kaznu.headers, cid, "suspend", "investigation", "plagiarism complaint"
    )
    assert suspended.status_code == 201, suspended.text
    assert suspended.json()["state"] == "suspended"

    report = verify(client, credential)
    assert report["verdict"] == "invalid", report
    suspension = check(report, "status.suspension")
    assert (suspension["status"], suspension["code"]) == ("failed", "suspended")
    assert check(report, "status.revocation")["status"] == "passed"
    assert_problem(
        change(client, kaznu.headers, cid, "suspend", "investigation"), 409, "already-suspended"
    )

    reinstated = change(client, kaznu.headers, cid, "reinstate", "investigation-closed")
    assert reinstated.status_code == 201, reinstated.text
    assert reinstated.json()["state"] == "active"
    again = verify(client, credential)
    assert again["verdict"] == "valid", again
    assert check(again, "status.suspension")["status"] == "passed"
    # reinstating an active diploma is refused
    assert_problem(
        change(client, kaznu.headers, cid, "reinstate", "hold-lifted"), 409, "not-suspended"
    )

    events = client.get(f"/v1/diplomas/{cid}/status-changes", headers=kaznu.headers).json()
    assert [(e["action"], e["reasonCode"]) for e in events] == [
        ("suspend", "investigation"),
        ("reinstate", "investigation-closed"),
    ]
    assert events[0]["note"] == "plagiarism complaint" and events[1]["note"] is None
    assert events[0]["createdAt"] <= events[1]["createdAt"]


def test_history_order_within_one_second(engine: Engine, settings: Settings, kaznu: Tenant) -> None:
    """Alternating suspend/reinstate at one instant: the history must keep the order they happened in."""
    from diploma_exchange.credentials import sample_diploma_data
    from diploma_exchange.services import issuance

    now = datetime.now(UTC).replace(microsecond=0)
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, "kaznu")
        principal = institutions.Principal("institution", "t", record)
        cid = issuance.issue_diplomas(s, settings, principal, [sample_diploma_data(0)]).credentials[
            0
        ]["id"]
        expected = []
        for _ in range(6):
            status_service.change_status(
                s, settings, principal, cid, "suspend", reason_code="investigation", now=now
            )
            status_service.change_status(
                s, settings, principal, cid, "reinstate", reason_code="hold-lifted", now=now
            )
            expected += ["suspend", "reinstate"]
        s.commit()
        actions = [e.action for e in status_service.history(s, principal, cid)]
    assert actions == expected


def test_only_the_issuing_institution_changes_a_status(
    client: TestClient, kaznu: Tenant, enu: Tenant, admin_key: str, engine: Engine
) -> None:
    credential = issue(client, kaznu)
    cid = credential["id"]
    lists_before = published_lists(client, credential)

    # another institution cannot tell KazNU's diploma from a missing one
    assert_problem(change(client, enu.headers, cid, "revoke", "fraud"), 404, "not-found")
    assert_problem(change(client, enu.headers, cid, "suspend", "investigation"), 404, "not-found")
    assert_problem(
        change(client, {"Authorization": f"Bearer {admin_key}"}, cid, "revoke", "fraud"),
        403,
        "forbidden",
    )
    assert_problem(change(client, None, cid, "revoke", "fraud"), 401, "not-authenticated")
    bad_key = {"Authorization": "Bearer dx_AAAAAAAAAAAA_" + "a" * 43}
    assert_problem(change(client, bad_key, cid, "revoke", "fraud"), 401)

    # nothing changed: still valid, no event, the published lists are byte-for-byte the same
    assert verify(client, credential)["verdict"] == "valid"
    with Session(engine) as s:
        assert s.exec(select(StatusEventRecord)).all() == []
    assert published_lists(client, credential) == lists_before
    # ENU cannot read KazNU's history either
    assert client.get(f"/v1/diplomas/{cid}/status-changes", headers=enu.headers).status_code == 404
    assert client.get(f"/v1/diplomas/{cid}/status-changes", headers=kaznu.headers).json() == []


def test_bad_status_change_requests(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    cid = credential["id"]
    wrong_reason = assert_problem(change(client, kaznu.headers, cid, "revoke", "felt-like-it"), 400)
    assert wrong_reason["pointer"] == "/reasonCode"
    # a reason code of another action is not accepted either
    assert (
        assert_problem(change(client, kaznu.headers, cid, "revoke", "hold-lifted"), 400)["pointer"]
        == "/reasonCode"
    )
    assert (
        assert_problem(change(client, kaznu.headers, cid, "suspend", "fraud"), 400)["pointer"]
        == "/reasonCode"
    )
    unknown_action = client.post(
        f"/v1/diplomas/{cid}/status-changes",
        json={"action": "delete", "reasonCode": "fraud"},
        headers=kaznu.headers,
    )
    assert 400 <= unknown_action.status_code < 500 and unknown_action.headers[
        "content-type"
    ].startswith(PROBLEM)
    missing = "urn:uuid:00000000-0000-4000-8000-000000000000"
    assert_problem(change(client, kaznu.headers, missing, "revoke", "fraud"), 404, "not-found")
    assert (
        client.get(f"/v1/diplomas/{missing}/status-changes", headers=kaznu.headers).status_code
        == 404
    )
    assert verify(client, credential)["verdict"] == "valid"
    assert client.get(f"/v1/diplomas/{cid}/status-changes", headers=kaznu.headers).json() == []


# --- the published status list ---------------------------------------------------------------


def test_status_list_is_published_cached_and_signed(
    client: TestClient, kaznu: Tenant, enu: Tenant
) -> None:
    credential = issue(client, kaznu)
    revocation = entry(credential, "revocation")
    path = list_path(revocation)
    index = int(revocation["statusListIndex"])
    assert revocation["id"] == f"{revocation['statusListCredential']}#{index}"

    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"].split(";")[0] == "application/vc"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    cache_control = first.headers["cache-control"]
    assert "max-age=" in cache_control and "no-store" not in cache_control

    not_modified = client.get(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    listed = client.get(path, headers={"If-None-Match": f'"something-else", {etag}'})
    assert listed.status_code == 304
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200

    before = parse_status_list_credential(first.json(), expected_purpose="revocation")
    assert before.bitstring.get(index) == 0
    assert before.bitstring.count_set() == 0

    assert change(client, kaznu.headers, credential["id"], "revoke", "fraud").status_code == 201
    after_response = client.get(path, headers={"If-None-Match": etag})
    assert after_response.status_code == 200  # the old ETag no longer matches
    new_etag = after_response.headers["etag"]
    assert new_etag != etag
    assert client.get(path, headers={"If-None-Match": new_etag}).status_code == 304

    listed_credential = after_response.json()
    bits = decode_list(listed_credential["credentialSubject"]["encodedList"])
    assert bits.length >= LIST_SIZE
    assert bits.get(index) == 1
    assert bits.count_set() == 1  # exactly that diploma's bit, nothing else
    parsed = parse_status_list_credential(listed_credential, expected_purpose="revocation")
    assert parsed.bitstring == bits
    assert parsed.issuer == kaznu.did
    assert parsed.purposes == ("revocation",)
    assert parsed.id == revocation["statusListCredential"]
    assert parsed.bitstring.length >= LIST_SIZE

    # the list credential is signed by KazNU's key, as published in its DID document
    kaznu_doc = did_document(client, "kaznu")
    # (a proof set: eddsa-jcs-2022 and eddsa-rdfc-2022, for verifiers that know only RDFC)
    proofs = listed_credential["proof"]
    assert [p["cryptosuite"] for p in proofs] == ["eddsa-jcs-2022", "eddsa-rdfc-2022"]
    method = proofs[0]["verificationMethod"]
    assert method.startswith(kaznu.did + "#") and proofs[1]["verificationMethod"] == method
    vm = kaznu_doc.verification_method(method)
    assert vm is not None and kaznu_doc.is_assertion_method(method)
    for proof in proofs:
        assert suites.verify_proof(listed_credential, proof, vm.public_key()).verified
    enu_doc = did_document(client, "enu")
    enu_key = enu_doc.verification_method(f"{enu.did}#key-1")
    assert enu_key is not None
    for proof in proofs:
        other = suites.verify_proof(listed_credential, proof, enu_key.public_key())
        assert other.code == "signature-mismatch"

    # the suspension list did not change
    suspension = client.get(list_path(entry(credential, "suspension"))).json()
    assert decode_list(suspension["credentialSubject"]["encodedList"]).count_set() == 0


def test_unknown_status_list_is_404(client: TestClient) -> None:
    response = client.get("/status-lists/00000000-0000-4000-8000-000000000000")
    assert_problem(response, 404, "not-found")


# --- index allocation ------------------------------------------------------------------------


def test_batch_indexes_are_random_distinct_and_in_range(client: TestClient, kaznu: Tenant) -> None:
    response = client.post(
        "/v1/diplomas/batch",
        json={"diplomas": [diploma_payload(i) for i in range(50)]},
        headers=kaznu.headers,
    )
    assert response.status_code == 201, response.text
    credentials = [c["verifiableCredential"] for c in response.json()["credentials"]]
    assert len(credentials) == 50

    pairs: list[tuple[str, int]] = []
    by_purpose: dict[str, list[int]] = {"revocation": [], "suspension": []}
    list_urls: dict[str, set[str]] = {"revocation": set(), "suspension": set()}
    for credential in credentials:
        entries = credential["credentialStatus"]
        assert sorted(e["statusPurpose"] for e in entries) == ["revocation", "suspension"]
        for e in entries:
            assert e["type"] == "BitstringStatusListEntry"
            index = int(e["statusListIndex"])
            assert e["statusListIndex"] == str(index)
            assert 0 <= index < LIST_SIZE
            assert e["id"] == f"{e['statusListCredential']}#{index}"
            pairs.append((e["statusListCredential"], index))
            by_purpose[e["statusPurpose"]].append(index)
            list_urls[e["statusPurpose"]].add(e["statusListCredential"])
    assert len(pairs) == 100
    assert len(set(pairs)) == 100
    # one list per purpose, and they are different lists
    assert len(list_urls["revocation"]) == 1 and len(list_urls["suspension"]) == 1
    assert list_urls["revocation"] != list_urls["suspension"]

    for indexes in by_purpose.values():
        ordered = sorted(indexes)
        assert ordered != list(range(ordered[0], ordered[0] + 50)), "indexes are a contiguous block"
        assert indexes != ordered, "indexes follow issue order"
        gaps = {b - a for a, b in itertools.pairwise(ordered)}
        assert len(gaps) > 10  # not an arithmetic progression either
        assert ordered[-1] - ordered[0] > LIST_SIZE // 4  # spread over the list, not clustered
    # revocation and suspension indexes are drawn independently
    assert by_purpose["revocation"] != by_purpose["suspension"]

    # every diploma of the batch verifies
    assert verify(client, credentials[17])["verdict"] == "valid"


# --- failing closed --------------------------------------------------------------------------


def _offline_verify(
    credential: Mapping[str, Any], resolver: DocResolver, trusted: str, provider: Any
) -> dict[str, Any]:
    """An offline verifier with the issuer's DID document and a status list provider.

    It has no accreditation records, so it asks the authenticity question (signature, key,
    trusted issuer, status): the verdict then turns on the status checks alone.
    """
    report = verify_credential(
        credential,
        resolver=resolver,
        trust=StaticTrustPolicy([trusted]),
        status_lists=provider,
        now=datetime.now(UTC) + timedelta(seconds=1),
        policy=AUTHENTICITY_POLICY,
    )
    return report.to_json()


def test_genuine_lists_verify_offline(client: TestClient, kaznu: Tenant) -> None:
    """The baseline for the forgeries below: real lists, offline, give a valid verdict."""
    credential = issue(client, kaznu)
    lists = FixedLists(published_lists(client, credential))
    report = _offline_verify(
        credential, DocResolver(did_document(client, "kaznu")), kaznu.did, lists
    )
    assert report["verdict"] == "valid", report
    assert sorted(lists.asked) == sorted(
        e["statusListCredential"] for e in credential["credentialStatus"]
    )


def test_forged_status_list_is_unverifiable(
    client: TestClient, kaznu: Tenant, enu: Tenant, engine: Engine, settings: Settings
) -> None:
    credential = issue(client, kaznu)
    revocation = entry(credential, "revocation")
    url = revocation["statusListCredential"]
    index = int(revocation["statusListIndex"])
    genuine = published_lists(client, credential)
    resolver = DocResolver(did_document(client, "kaznu"), did_document(client, "enu"))

    # 1. the real list with one bit flipped (another diploma "revoked"), the old proof kept
    forged = copy.deepcopy(genuine[url])
    bits = decode_list(forged["credentialSubject"]["encodedList"])
    other = (index + 1) % bits.length
    bits.set(other, 1)
    forged["credentialSubject"]["encodedList"] = encode_list(bits)
    assert (
        forged["credentialSubject"]["encodedList"]
        != genuine[url]["credentialSubject"]["encodedList"]
    )
    report = _offline_verify(credential, resolver, kaznu.did, FixedLists({**genuine, url: forged}))
    result = check(report, "status.revocation")
    assert (result["status"], result["code"]) == ("error", "status-list-unverifiable"), result
    assert report["verdict"] == "indeterminate"

    with Session(engine, expire_on_commit=False) as s:
        kaznu_rec = institutions.get_institution(s, "kaznu")
        kaznu_signer = institutions.signer_for(s, settings, kaznu_rec)
        enu_signer = institutions.signer_for(s, settings, institutions.get_institution(s, "enu"))

    # 2. a list signed by ENU's key but claiming KazNU as its issuer
    unsigned = {k: v for k, v in genuine[url].items() if k != "proof"}
    by_enu = eddsa_jcs_2022.add_proof(unsigned, enu_signer, created=datetime.now(UTC))
    assert by_enu["issuer"] == kaznu.did
    report = _offline_verify(credential, resolver, kaznu.did, FixedLists({**genuine, url: by_enu}))
    result = check(report, "status.revocation")
    assert (result["status"], result["code"]) == ("error", "status-list-unverifiable"), result
    assert report["verdict"] == "indeterminate"

    # 3. ENU's key, but the proof names KazNU's verification method
    impostor = ForeignKeySigner(enu_signer, kaznu_signer.verification_method)
    spoofed = eddsa_jcs_2022.add_proof(unsigned, impostor, created=datetime.now(UTC))  # type: ignore[arg-type]
    report = _offline_verify(credential, resolver, kaznu.did, FixedLists({**genuine, url: spoofed}))
    result = check(report, "status.revocation")
    assert (result["status"], result["code"]) == ("error", "status-list-unverifiable"), result
    assert report["verdict"] == "indeterminate"

    # 4. ENU's own, validly signed list (issuer ENU) served for KazNU's diploma
    enu_list = eddsa_jcs_2022.add_proof(
        {**unsigned, "issuer": enu.did}, enu_signer, created=datetime.now(UTC)
    )
    report = _offline_verify(
        credential, resolver, kaznu.did, FixedLists({**genuine, url: enu_list})
    )
    result = check(report, "status.revocation")
    assert (result["status"], result["code"]) == ("error", "status-list-unverifiable"), result
    assert report["verdict"] == "indeterminate"

    # 5. an unsigned list
    report = _offline_verify(
        credential, resolver, kaznu.did, FixedLists({**genuine, url: unsigned})
    )
    result = check(report, "status.revocation")
    assert (result["status"], result["code"]) == ("error", "status-list-unverifiable"), result
    assert report["verdict"] == "indeterminate"

    # and the genuine list, re-signed properly by KazNU, is accepted (the forgeries failed for
    # their forgery, not for something else)
    resigned = eddsa_jcs_2022.add_proof(unsigned, kaznu_signer, created=datetime.now(UTC))
    report = _offline_verify(
        credential, resolver, kaznu.did, FixedLists({**genuine, url: resigned})
    )
    assert report["verdict"] == "valid", report


def test_forged_list_cannot_hide_a_revocation(client: TestClient, kaznu: Tenant) -> None:
    """After a revocation, replaying the list with this diploma's bit cleared (old proof kept)."""
    credential = issue(client, kaznu)
    revocation = entry(credential, "revocation")
    url = revocation["statusListCredential"]
    assert change(client, kaznu.headers, credential["id"], "revoke", "fraud").status_code == 201
    genuine = published_lists(client, credential)
    bits = decode_list(genuine[url]["credentialSubject"]["encodedList"])
    assert bits.get(int(revocation["statusListIndex"])) == 1
    cleared = Bitstring(bits.length)
    forged = copy.deepcopy(genuine[url])
    forged["credentialSubject"]["encodedList"] = encode_list(cleared)
    resolver = DocResolver(did_document(client, "kaznu"))
    report = _offline_verify(credential, resolver, kaznu.did, FixedLists({**genuine, url: forged}))
    assert report["verdict"] == "indeterminate", report
    result = check(report, "status.revocation")
    assert (result["status"], result["code"]) == ("error", "status-list-unverifiable")
    honest = _offline_verify(credential, resolver, kaznu.did, FixedLists(genuine))
    assert honest["verdict"] == "invalid"
    assert check(honest, "status.revocation")["code"] == "revoked"


def test_unavailable_status_list_is_indeterminate(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    report = _offline_verify(
        credential, DocResolver(did_document(client, "kaznu")), kaznu.did, DeadLists()
    )
    assert report["verdict"] == "indeterminate", report
    for name in ("status.revocation", "status.suspension"):
        result = check(report, name)
        assert (result["status"], result["code"]) == ("error", "status-list-unavailable"), result
    # no provider at all: also never valid
    none = _offline_verify(credential, DocResolver(did_document(client, "kaznu")), kaznu.did, None)
    assert none["verdict"] == "indeterminate"
    assert check(none, "status.revocation")["status"] == "error"


def _with_unknown_status_type(
    engine: Engine, settings: Settings, credential: Mapping[str, Any]
) -> dict[str, Any]:
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["credentialStatus"] = [
        {
            "id": "https://status.example.org/credentials/status/3#94567",
            "type": "SomeOtherStatus2030",
        }
    ]
    with Session(engine, expire_on_commit=False) as s:
        signer = institutions.signer_for(s, settings, institutions.get_institution(s, "kaznu"))
    return eddsa_jcs_2022.add_proof(unsigned, signer, created=datetime.now(UTC))


def test_unknown_status_type_is_never_ignored(
    client: TestClient, kaznu: Tenant, engine: Engine, settings: Settings
) -> None:
    credential = issue(client, kaznu)
    signed = _with_unknown_status_type(engine, settings, credential)
    resolver = DocResolver(did_document(client, "kaznu"))
    lists = FixedLists(published_lists(client, credential))

    # A generic VC verifier (no diploma schema): the signature is fine, the status is unknown.
    report = verify_credential(
        signed,
        resolver=resolver,
        trust=StaticTrustPolicy([kaznu.did]),
        status_lists=lists,
        validate_schema=lambda _c: [],
        now=datetime.now(UTC) + timedelta(seconds=1),
        policy=AUTHENTICITY_POLICY,
    ).to_json()
    assert check(report, "proof.signature")["status"] == "passed"
    other = check(report, "status.other")
    assert (other["status"], other["code"]) == ("error", "unsupported-status-type"), other
    assert "SomeOtherStatus2030" in other["message"]
    assert report["verdict"] == "indeterminate", report
    assert lists.asked == []  # nothing was fetched for an entry it does not understand

    # The service's own verification (with the diploma schema, which only allows
    # BitstringStatusListEntry): status.other still errors, and the verdict is never valid.
    api_report = verify(client, signed)
    api_other = check(api_report, "status.other")
    assert (api_other["status"], api_other["code"]) == ("error", "unsupported-status-type")
    assert check(api_report, "proof.signature")["status"] == "passed"
    assert api_report["verdict"] in ("indeterminate", "invalid")
    assert api_report["verdict"] != "valid"


def test_unknown_status_type_alongside_known_entries(
    client: TestClient, kaznu: Tenant, engine: Engine, settings: Settings
) -> None:
    """Known entries are still checked; the unknown one still makes the status unknown."""
    credential = issue(client, kaznu)
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["credentialStatus"] = [
        *credential["credentialStatus"],
        {"id": "urn:uuid:1b9e4e5c-3f0a-4f67-9b73-8e2f0b6c1d2e", "type": "SomeOtherStatus2030"},
    ]
    with Session(engine, expire_on_commit=False) as s:
        signer = institutions.signer_for(s, settings, institutions.get_institution(s, "kaznu"))
    signed = eddsa_jcs_2022.add_proof(unsigned, signer, created=datetime.now(UTC))
    report = verify_credential(
        signed,
        resolver=DocResolver(did_document(client, "kaznu")),
        trust=StaticTrustPolicy([kaznu.did]),
        status_lists=FixedLists(published_lists(client, credential)),
        validate_schema=lambda _c: [],
        now=datetime.now(UTC) + timedelta(seconds=1),
        policy=AUTHENTICITY_POLICY,
    ).to_json()
    assert check(report, "status.revocation")["status"] == "passed"
    other = check(report, "status.other")
    assert (other["status"], other["code"]) == ("error", "unsupported-status-type")
    assert report["verdict"] == "indeterminate"
