"""Read-only public traffic can go to a read replica (DATABASE_READ_URL); writes never do."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from conftest import Tenant
from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings
from helpers import diploma_payload


def test_verification_and_public_reads_use_the_replica_writes_the_primary(
    settings: Settings, engine: Engine, kaznu: Tenant
) -> None:
    replica_settings = settings.model_copy(update={"database_read_url": settings.database_url})
    app = create_app(replica_settings, engine)
    replica: Engine = app.state.read_engine
    assert replica is not engine
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.split()[0].upper())

    event.listen(replica, "before_cursor_execute", record)
    try:
        with TestClient(app) as client:
            issued = client.post("/v1/diplomas", json=diploma_payload(0), headers=kaznu.headers)
            assert issued.status_code == 201
            assert seen == []  # issuance wrote to the primary only
            credential = issued.json()["verifiableCredential"]
            report = client.post("/v1/verifications", json=credential)
            assert report.json()["verdict"] == "valid"
            vcapi = client.post("/credentials/verify", json={"verifiableCredential": credential})
            assert vcapi.status_code == 200
            list_url = credential["credentialStatus"][0]["statusListCredential"]
            assert client.get(list_url.split("diplomas.example.kz", 1)[1]).status_code == 200
            assert client.get("/institutions/kaznu/did.json").status_code == 200
    finally:
        event.remove(replica, "before_cursor_execute", record)
        replica.dispose()
    assert seen and set(seen) <= {"SELECT", "PRAGMA"}, set(seen)
