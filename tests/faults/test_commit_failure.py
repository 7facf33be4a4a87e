"""The database fails at the very end, on COMMIT (a restart, a failover, a dropped connection):
the client must not be told "201 Created" for a diploma that was never stored. It gets a 503
it can retry, and the retry with the same Idempotency-Key issues the diploma once.

(FastAPI runs the exit code of ``yield`` dependencies after the response is sent unless
they are declared with ``scope="function"``; the request session commits there.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from conftest import Tenant
from helpers import diploma_payload


@pytest.fixture
def failing_commit(engine: Engine) -> Iterator[dict[str, bool]]:
    """Make the DBAPI ``commit`` raise the driver's own OperationalError while switched on."""
    dialect: Any = engine.dialect
    original = dialect.do_commit
    switch = {"on": False}

    def do_commit(dbapi_connection: Any) -> None:
        if switch["on"]:
            raise dialect.loaded_dbapi.OperationalError(
                "server closed the connection unexpectedly (simulated)"
            )
        original(dbapi_connection)

    dialect.do_commit = do_commit
    try:
        yield switch
    finally:
        dialect.do_commit = original


def _stored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM credential")).scalar_one())


def test_a_failed_commit_is_a_503_and_the_retry_issues_once(
    client: TestClient, kaznu: Tenant, engine: Engine, failing_commit: dict[str, bool]
) -> None:
    headers = kaznu.headers | {"Idempotency-Key": "commit-failure-1"}
    failing_commit["on"] = True
    response = client.post("/v1/diplomas", json=diploma_payload(0), headers=headers)
    failing_commit["on"] = False

    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == str(response.json()["retryAfter"])
    assert response.json()["code"] == "database-unavailable"
    assert _stored(engine) == 0

    retry = client.post("/v1/diplomas", json=diploma_payload(0), headers=headers)
    assert retry.status_code == 201, retry.text
    assert retry.headers.get("Idempotent-Replayed") is None
    replay = client.post("/v1/diplomas", json=diploma_payload(0), headers=headers)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == retry.json()["id"]
    assert _stored(engine) == 1


def test_a_failed_commit_on_a_page_is_a_503_page(
    client: TestClient, engine: Engine, failing_commit: dict[str, bool]
) -> None:
    failing_commit["on"] = True
    # A well-formed share-link token that does not exist: the page queries the database.
    response = client.get("/s/" + "x" * 32, headers={"Accept": "text/html"})
    failing_commit["on"] = False
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert int(response.headers["retry-after"]) >= 1
