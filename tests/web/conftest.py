"""Fixtures for the browser front end: a client on the service's own https origin (so the
Secure cookies are sent back), and a diploma with its claim code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from conftest import PUBLIC_BASE_URL, Tenant
from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings
from helpers import diploma_payload


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(
        create_app(settings, engine), base_url=PUBLIC_BASE_URL, follow_redirects=False
    ) as c:
        yield c


@dataclass
class Issued:
    credential: dict[str, Any]
    claim_code: str
    claim_url: str


def issue(web: TestClient, tenant: Tenant, i: int = 0, **changes: Any) -> Issued:
    payload = {**diploma_payload(i), **changes}
    response = web.post("/v1/diplomas", json=payload, headers=tenant.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    return Issued(body["verifiableCredential"], body["claim"]["code"], body["claim"]["url"])


@pytest.fixture
def issued(web: TestClient, kaznu: Tenant) -> Issued:
    return issue(web, kaznu)
