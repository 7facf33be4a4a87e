"""Authentication, registration, batches (all-or-nothing, idempotent, CSV) and request limits."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from conftest import Tenant
from diploma_exchange.db.models import ApiKeyRecord, CredentialRecord
from helpers import diploma_payload

PROBLEM = "application/problem+json"


def count_credentials(engine: Any) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(CredentialRecord)).one())


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://w3id.org/diploma-exchange/problems/")
    assert body["detail"]
    if code:
        assert body["code"] == code, body
    return body  # type: ignore[no-any-return]


def test_issuing_needs_an_api_key(client: TestClient) -> None:
    assert_problem(client.post("/v1/diplomas", json=diploma_payload()), 401, "not-authenticated")
    bad = {"Authorization": "Bearer dx_AAAAAAAAAAAA_" + "a" * 43}
    assert_problem(client.post("/v1/diplomas", json=diploma_payload(), headers=bad), 401)
    assert_problem(
        client.post(
            "/v1/diplomas", json=diploma_payload(), headers={"Authorization": "Bearer nonsense"}
        ),
        401,
    )


def test_admin_registers_institution_and_key_is_shown_once(
    client: TestClient, admin_key: str, engine: Any
) -> None:
    headers = {"Authorization": f"Bearer {admin_key}"}
    response = client.post(
        "/v1/institutions",
        json={
            "slug": "satbayev",
            "name": "Satbayev University",
            "nameTranslations": {"kk": "Сәтбаев университеті"},
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    token = body["apiKey"]["apiKey"]
    assert body["institution"]["did"] == "did:web:diplomas.example.kz:institutions:satbayev"
    with Session(engine) as s:
        stored = s.exec(select(ApiKeyRecord)).all()
    assert all(token not in (r.secret_sha256, r.prefix) for r in stored)
    # the secret is everything after "dx_<12-char prefix>_" (it may itself contain "_")
    secret = token[len("dx_") + 12 + 1 :]
    assert len(secret) == 43
    assert not any(secret in json.dumps(r.model_dump(mode="json")) for r in stored)
    # the new key works
    issued = client.post(
        "/v1/diplomas", json=diploma_payload(), headers={"Authorization": f"Bearer {token}"}
    )
    assert issued.status_code == 201, issued.text
    # and listing institutions never shows keys
    listing = client.get("/v1/institutions").text
    assert token not in listing and "PRIVATE" not in listing
    assert_problem(
        client.post("/v1/institutions", json={"slug": "satbayev", "name": "x"}, headers=headers),
        409,
    )


def test_institution_cannot_register_institutions(client: TestClient, kaznu: Tenant) -> None:
    response = client.post(
        "/v1/institutions", json={"slug": "fake", "name": "Fake"}, headers=kaznu.headers
    )
    assert_problem(response, 403, "forbidden")


def test_admin_cannot_issue(client: TestClient, admin_key: str) -> None:
    response = client.post(
        "/v1/diplomas", json=diploma_payload(), headers={"Authorization": f"Bearer {admin_key}"}
    )
    assert_problem(response, 403)


def test_batch_is_all_or_nothing(client: TestClient, kaznu: Tenant, engine: Any) -> None:
    good = [diploma_payload(i) for i in range(3)]
    bad = [*good[:2], {**good[2], "birth_date": "not-a-date"}]
    response = client.post("/v1/diplomas/batch", json={"diplomas": bad}, headers=kaznu.headers)
    body = assert_problem(response, 422)
    assert any(e["pointer"].startswith("/diplomas/2/") for e in body["errors"]), body
    assert count_credentials(engine) == 0
    response = client.post("/v1/diplomas/batch", json={"diplomas": good}, headers=kaznu.headers)
    assert response.status_code == 201, response.text
    assert response.json()["count"] == 3
    assert count_credentials(engine) == 3


def test_idempotency_key_replays_instead_of_issuing_twice(
    client: TestClient, kaznu: Tenant, engine: Any
) -> None:
    body = {"diplomas": [diploma_payload(i) for i in range(2)]}
    headers = {**kaznu.headers, "Idempotency-Key": "class-of-2026-cs"}
    first = client.post("/v1/diplomas/batch", json=body, headers=headers)
    second = client.post("/v1/diplomas/batch", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json()["replayed"] is True
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert [c["id"] for c in first.json()["credentials"]] == [
        c["id"] for c in second.json()["credentials"]
    ]
    signed = [c["verifiableCredential"] for c in first.json()["credentials"]]
    assert signed == [c["verifiableCredential"] for c in second.json()["credentials"]]
    # A replay answers with the same claim codes (derived again: they are stored hashed) and
    # changes nothing: the codes already handed to the graduates keep working.
    first_codes = [c["claim"]["code"] for c in first.json()["credentials"]]
    second_codes = [c["claim"]["code"] for c in second.json()["credentials"]]
    assert first_codes == second_codes
    assert client.post("/claim", data={"code": first_codes[0]}).status_code in (200, 303)
    # once claimed, a replay has no code for that diploma (it is not a second way in)
    third = client.post("/v1/diplomas/batch", json=body, headers=headers).json()
    assert third["credentials"][0]["claim"] is None
    assert third["credentials"][1]["claim"]["code"] == first_codes[1]
    assert client.post("/claim", data={"code": first_codes[1]}).status_code in (200, 303)
    assert count_credentials(engine) == 2
    other = {"diplomas": [diploma_payload(5)]}
    assert_problem(
        client.post("/v1/diplomas/batch", json=other, headers=headers),
        409,
        "idempotency-key-reused",
    )
    assert count_credentials(engine) == 2


def test_csv_graduating_class(
    client: TestClient, kaznu: Tenant, engine: Any, project_root: Any
) -> None:
    csv_text = (project_root / "examples" / "graduating-class.csv").read_text(encoding="utf-8")
    rows = len(csv_text.strip().splitlines()) - 1
    response = client.post(
        "/v1/diplomas/batch/csv",
        files={"file": ("class.csv", csv_text.encode(), "text/csv")},
        headers=kaznu.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["count"] == rows
    # the same class again, without an Idempotency-Key: refused row by row, nothing issued
    again = client.post(
        "/v1/diplomas/batch/csv",
        content=csv_text.encode(),
        headers={**kaznu.headers, "Content-Type": "text/csv"},
    )
    problem = assert_problem(again, 409, "diploma-already-issued")
    assert [e["pointer"] for e in problem["errors"]] == [f"/rows/{i + 1}" for i in range(rows)]
    assert {e["code"] for e in problem["errors"]} == {"diploma-already-issued"}
    assert count_credentials(engine) == rows
    # asked for explicitly, with its reason: re-issued, each linked to the one it replaces,
    # which is revoked as superseded
    raw = client.post(
        "/v1/diplomas/batch/csv",
        params={"reissue_reason": "name corrected after a court order"},
        content=csv_text.encode(),
        headers={**kaznu.headers, "Content-Type": "text/csv"},
    )
    assert raw.status_code == 201, raw.text
    assert count_credentials(engine) == 2 * rows
    old_ids = [c["id"] for c in response.json()["credentials"]]
    new_ids = [c["id"] for c in raw.json()["credentials"]]
    with Session(engine) as session:
        for old_id, new_id in zip(old_ids, new_ids, strict=True):
            old, new = session.get(CredentialRecord, old_id), session.get(CredentialRecord, new_id)
            assert old is not None and new is not None
            assert old.state == "revoked"
            assert (new.reissue_of, new.reissue_reason) == (
                old_id,
                "name corrected after a court order",
            )
    response = raw
    for credential in response.json()["credentials"]:
        report = client.post("/v1/verifications", json=credential["verifiableCredential"]).json()
        assert report["verdict"] == "valid"


def test_bad_csv_reports_every_row_and_issues_nothing(
    client: TestClient, kaznu: Tenant, engine: Any, project_root: Any
) -> None:
    import csv
    import io

    rows = list(
        csv.DictReader(
            io.StringIO(
                (project_root / "examples" / "graduating-class.csv").read_text(encoding="utf-8")
            )
        )
    )
    rows[1]["birth_date"] = "31.02.2001"
    rows[2]["birth_date"] = "2001-02-31"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    response = client.post(
        "/v1/diplomas/batch/csv",
        content=buffer.getvalue().encode(),
        headers={**kaznu.headers, "Content-Type": "text/csv"},
    )
    body = assert_problem(response, 400)
    pointers = [e["pointer"] for e in body["errors"]]
    assert len([p for p in pointers if "birth_date" in p]) == 2, pointers
    assert count_credentials(engine) == 0


def test_body_size_limit(client: TestClient, kaznu: Tenant, settings: Any) -> None:
    huge = b'{"diplomas": [' + b'"x",' * (settings.max_body_bytes // 4) + b'"x"]}'
    response = client.post(
        "/v1/diplomas/batch",
        content=huge,
        headers={**kaznu.headers, "Content-Type": "application/json"},
    )
    assert_problem(response, 413, "limit-exceeded")


def test_json_depth_limit(client: TestClient) -> None:
    deep = "[" * 100 + "]" * 100
    response = client.post(
        "/v1/verifications", content=deep, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413, "limit-exceeded")


def test_duplicate_keys_are_rejected(client: TestClient) -> None:
    body = '{"@context": [], "id": "urn:a", "id": "urn:b"}'
    response = client.post(
        "/v1/verifications", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "duplicate-key")


def test_malformed_json(client: TestClient) -> None:
    response = client.post(
        "/v1/verifications", content="{nope", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "invalid-input")


def test_batch_size_limit(client: TestClient, kaznu: Tenant, settings: Any, engine: Any) -> None:
    settings.max_batch_size = 2
    body = {"diplomas": [diploma_payload(i) for i in range(3)]}
    response = client.post("/v1/diplomas/batch", json=body, headers=kaznu.headers)
    assert_problem(response, 413, "limit-exceeded")
    assert count_credentials(engine) == 0


def test_validation_errors_are_problem_details_with_pointers(
    client: TestClient, kaznu: Tenant
) -> None:
    payload = diploma_payload()
    payload.pop(next(iter(payload)))
    response = client.post("/v1/diplomas", json=payload, headers=kaznu.headers)
    body = assert_problem(response, 422, "request-validation")
    assert body["errors"] and all(e["pointer"].startswith("/") for e in body["errors"])


def test_unknown_route_is_problem(client: TestClient) -> None:
    assert_problem(client.get("/nope"), 404, "not-found")
