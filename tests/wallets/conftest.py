"""Fixtures for the wallet tests: a client on the service's https origin, a claimed diploma
(the graduate's cookie set on the client) and a test wallet talking to the same service."""

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
class Claimed:
    credential: dict[str, Any]
    csrf: str


def claim_diploma(web: TestClient, tenant: Tenant, i: int = 0) -> Claimed:
    import re

    response = web.post("/v1/diplomas", json=diploma_payload(i), headers=tenant.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    claimed = web.post("/claim", data={"code": body["claim"]["code"]})
    assert claimed.status_code == 303, claimed.text
    page = web.get("/me/wallet")
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert match
    return Claimed(body["verifiableCredential"], match.group(1))


@pytest.fixture
def claimed(web: TestClient, kaznu: Tenant) -> Claimed:
    return claim_diploma(web, kaznu)


def make_offer(
    web: TestClient,
    claimed: Claimed,
    *,
    formats: tuple[str, ...] = ("ldp_vc", "dc+sd-jwt"),
    tx_code: bool = True,
) -> dict[str, Any]:
    data: dict[str, Any] = {"csrf": claimed.csrf, "format": list(formats)}
    if tx_code:
        data["tx_code"] = "1"
    response = web.post("/me/wallet/offers", data=data, headers={"Accept": "application/json"})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
