"""Status lists are content-negotiated: the same signed bytes and ETag as application/vc,
application/vc+ld+json, application/ld+json or application/json; 406 for anything else."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import Tenant
from diploma_exchange.api.routes.status_lists import STATUS_LIST_MEDIA_TYPES, negotiate
from helpers import diploma_payload

BASE = "https://diplomas.example.kz"


@pytest.fixture
def list_path(client: TestClient, kaznu: Tenant) -> str:
    issued = client.post("/v1/diplomas", json=diploma_payload(0), headers=kaznu.headers)
    assert issued.status_code == 201, issued.text
    credential: dict[str, Any] = issued.json()["verifiableCredential"]
    url: str = credential["credentialStatus"][0]["statusListCredential"]
    assert url.startswith(BASE)
    return url.removeprefix(BASE)


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        (None, "application/vc"),
        ("*/*", "application/vc"),
        ("application/*", "application/vc"),
        ("application/vc", "application/vc"),
        ("application/vc+ld+json", "application/vc+ld+json"),
        ("application/ld+json", "application/ld+json"),
        (
            'application/ld+json; profile="https://www.w3.org/ns/credentials/v2"',
            "application/ld+json",
        ),
        ("application/json", "application/json"),
        ("application/json, text/plain, */*", "application/json"),  # axios, the suites' client
        ("application/json;q=0.5, application/vc+ld+json", "application/vc+ld+json"),
        ("text/html, application/json;q=0.1", "application/json"),
        ("application/*;q=0.2, application/json;q=0", "application/vc"),
    ],
)
def test_every_media_type_gets_the_same_document_and_etag(
    client: TestClient, list_path: str, accept: str | None, served: str
) -> None:
    reference = client.get(list_path)
    assert reference.status_code == 200
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(list_path, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == served
    assert response.content == reference.content
    assert response.headers["etag"] == reference.headers["etag"]
    assert "BitstringStatusListCredential" in response.json()["type"]
    assert "accept" in response.headers["vary"].lower()
    # a conditional request under any media type revalidates against the same ETag
    again = client.get(list_path, headers={**headers, "If-None-Match": reference.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml", "application/json;q=0, text/*", "image/*"]
)
def test_anything_else_is_406_problem(client: TestClient, list_path: str, accept: str) -> None:
    response = client.get(list_path, headers={"Accept": accept})
    assert response.status_code == 406, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "not-acceptable"
    assert problem["acceptable"] == list(STATUS_LIST_MEDIA_TYPES)


def test_negotiate_prefers_q_then_specificity_then_our_order() -> None:
    offered = STATUS_LIST_MEDIA_TYPES
    assert negotiate("", offered) == "application/vc"
    assert negotiate("application/ld+json, application/json", offered) == "application/ld+json"
    assert negotiate("*/*;q=0.1, application/json;q=0.9", offered) == "application/json"
    assert negotiate("application/json;q=bogus", offered) is None
    assert negotiate("text/plain", offered) is None
