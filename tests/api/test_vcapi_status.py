"""VC-API ``POST /credentials/status`` (updateCredentialStatus): an institution revokes,
suspends and reinstates its diplomas through the same path as ``/v1/diplomas/{id}/status-changes``
(status list bit, history, audit, transparency log); bad requests change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.test_status_lifecycle import assert_problem, check, entry, issue, verify
from conftest import Tenant
from diploma_exchange.db.models import AuditEntryRecord, CredentialRecord, LogLeafRecord

PATH = "/credentials/status"


def update(
    client: TestClient,
    tenant: Tenant | None,
    credential_id: str,
    purpose: str,
    status: Any,
    **kw: Any,
) -> Any:
    body: dict[str, Any] = {
        "credentialId": credential_id,
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": purpose, **kw},
        "status": status,
    }
    return client.post(PATH, json=body, headers=tenant.headers if tenant else {})


def history(client: TestClient, tenant: Tenant, credential_id: str) -> list[str]:
    response = client.get(f"/v1/diplomas/{credential_id}/status-changes", headers=tenant.headers)
    assert response.status_code == 200, response.text
    return [e["action"] for e in response.json()]


def test_revocation_through_the_vcapi(client: TestClient, kaznu: Tenant, engine: Engine) -> None:
    credential = issue(client, kaznu)
    cid = credential["id"]
    revocation = entry(credential, "revocation")
    response = update(
        client,
        kaznu,
        cid,
        "revocation",
        True,
        statusListCredential=revocation["statusListCredential"],
        statusListIndex=revocation["statusListIndex"],
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"credentialId": cid, "state": "revoked", "changed": True}
    assert check(verify(client, credential), "status.revocation")["status"] == "failed"
    assert history(client, kaznu, cid) == ["revoke"]
    # Asking again changes nothing; revocation is final.
    again = update(client, kaznu, cid, "revocation", True)
    assert again.json()["changed"] is False
    assert_problem(update(client, kaznu, cid, "revocation", False), 409, "already-revoked")
    assert history(client, kaznu, cid) == ["revoke"]
    with Session(engine) as session:
        record = session.get(CredentialRecord, cid)
        assert record is not None
        leaves = session.exec(
            select(LogLeafRecord).where(
                LogLeafRecord.kind == "status", LogLeafRecord.digest == record.secured_digest
            )
        ).all()
        assert len(leaves) == 1
        actions = [a.action for a in session.exec(select(AuditEntryRecord)).all()]
        assert actions.count("diploma.revoke") == 1


def test_suspension_and_reinstatement(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    cid = credential["id"]
    assert update(client, kaznu, cid, "suspension", False).json()["changed"] is False
    suspended = update(client, kaznu, cid, "suspension", True)
    assert suspended.json() == {"credentialId": cid, "state": "suspended", "changed": True}
    assert check(verify(client, credential), "status.suspension")["status"] == "failed"
    reinstated = update(client, kaznu, cid, "suspension", False)
    assert reinstated.json() == {"credentialId": cid, "state": "active", "changed": True}
    assert check(verify(client, credential), "status.suspension")["status"] == "passed"
    assert history(client, kaznu, cid) == ["suspend", "reinstate"]


def test_earlier_list_form(client: TestClient, kaznu: Tenant) -> None:
    credential = issue(client, kaznu)
    body = {
        "credentialId": credential["id"],
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "1"}],
    }
    response = client.post(PATH, json=body, headers=kaznu.headers)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "revoked"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"type": "StatusList2021Entry"}, 400, "unsupported-status-type"),
        ({"statusPurpose": "refresh"}, 400, "unsupported-status-purpose"),
        ({"statusListIndex": "999999"}, 400, "status-entry-mismatch"),
        ({"statusListCredential": "https://elsewhere.example/list"}, 400, "status-entry-mismatch"),
        ({"status": "yes"}, 422, None),
        ({"extra": 1}, 422, None),
        ({"credentialId": "urn:uuid:00000000-0000-4000-8000-000000000000"}, 404, None),
    ],
)
def test_bad_requests_change_nothing(
    client: TestClient, kaznu: Tenant, change: dict[str, Any], status: int, code: str | None
) -> None:
    credential = issue(client, kaznu)
    body: dict[str, Any] = {
        "credentialId": credential["id"],
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
        "status": True,
    }
    for key, value in change.items():
        if key in ("type", "statusPurpose", "statusListIndex", "statusListCredential"):
            body["credentialStatus"][key] = value
        else:
            body[key] = value
    assert_problem(client.post(PATH, json=body, headers=kaznu.headers), status, code)
    assert history(client, kaznu, credential["id"]) == []


def test_only_the_issuer(client: TestClient, kaznu: Tenant, enu: Tenant, admin_key: str) -> None:
    credential = issue(client, kaznu)
    assert_problem(update(client, None, credential["id"], "revocation", True), 401)
    assert_problem(update(client, enu, credential["id"], "revocation", True), 404)
    admin = client.post(
        PATH,
        json={
            "credentialId": credential["id"],
            "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
            "status": True,
        },
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert_problem(admin, 403)
    assert history(client, kaznu, credential["id"]) == []
