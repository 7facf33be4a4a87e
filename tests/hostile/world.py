"""Shared helpers for the hostile-input tests: a seeded world and row counts of every table.

``row_counts`` counts the rows of every table in ``SQLModel.metadata``, so "nothing was
written" is checked against the whole schema, including tables added after these tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from conftest import Tenant
from helpers import diploma_payload

PROBLEM = "application/problem+json"

#: Tables whose rows may change on a refused request without it being a "write": abuse
#: counters are incremented *before* the request is judged (that is their point).
COUNTER_TABLES = frozenset({"rate_limit"})


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table, for every table the application defines (counters excluded)."""
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name not in COUNTER_TABLES]
    assert len(tables) > 10, "the models are not imported: SQLModel.metadata is nearly empty"
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables
        }


@dataclass
class World:
    """Real objects to aim requests at (path parameters, credentials, headers)."""

    admin: dict[str, str]
    institution: dict[str, str]
    credential: dict[str, Any]
    values: dict[str, str]


def seed_world(client: TestClient, kaznu: Tenant, admin_key: str) -> World:
    """Two issued diplomas, a partner NIC and a recognition statement, through the API."""
    admin = {"Authorization": f"Bearer {admin_key}"}
    batch = client.post(
        "/v1/diplomas/batch",
        json={"diplomas": [diploma_payload(0), diploma_payload(1)]},
        headers=kaznu.headers,
    )
    assert batch.status_code == 201, batch.text
    credential = batch.json()["credentials"][0]["verifiableCredential"]
    status = credential["credentialStatus"]
    entries = status if isinstance(status, list) else [status]
    keys = client.get(f"/v1/institutions/{kaznu.slug}/keys").json()
    partner = client.post(
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
    statement = client.post(
        "/v1/recognition/assessments", json={"receivingCountry": "JP", "credential": credential}
    )
    assert statement.status_code == 201, statement.text
    return World(
        admin=admin,
        institution=kaznu.headers,
        credential=credential,
        values={
            "slug": kaznu.slug,
            "credential_id": str(credential["id"]),
            "list_id": entries[0]["statusListCredential"].rsplit("/", 1)[-1],
            "key_id": keys[0]["id"].rsplit("#", 1)[-1],
            "partner_id": partner.json()["id"],
            "statement_id": statement.json()["id"],
            "code": "JP",
            "type_id": "kz.bachelor",
        },
    )
