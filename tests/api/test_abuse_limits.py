"""Abuse limits on anonymous verification and recognition: per client address and global,
shared by every worker (database or Redis), 429 problem details with Retry-After."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from conftest import Tenant
from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings
from helpers import diploma_payload

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, flushed by these tests


def _client(app: Any, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))


def _address() -> str:
    """A fresh client address: counters are per address and per minute."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{1 + secrets.randbelow(250)}"


def _limited(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update=changes)


def _verify(client: TestClient, credential: dict[str, Any]) -> Any:
    return client.post("/v1/verifications", json=credential)


@pytest.fixture
def credential(client: TestClient, kaznu: Tenant) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(), headers=kaznu.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def assert_limited(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "rate-limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # the IETF RateLimit fields name the limit reached and when it resets
    policy = response.headers["RateLimit-Policy"]
    assert policy.startswith('"') and ";q=" in policy and ";w=60" in policy
    assert response.headers["RateLimit"].endswith(f";r=0;t={response.headers['Retry-After']}")


def _early_in_a_minute() -> None:
    """The limits count per clock minute: a sequence that crosses a minute boundary starts a
    new count half-way (on a loaded machine a proof-set verification takes a second or more).
    Start with at least 25 seconds of the minute left."""
    import time
    from datetime import UTC, datetime

    second = datetime.now(UTC).second
    if second > 35:
        time.sleep(61 - second)


def test_verification_is_limited_per_client_address(
    settings: Settings, engine: Engine, credential: dict[str, Any]
) -> None:
    app = create_app(_limited(settings, verify_per_client_per_minute=3), engine)
    _early_in_a_minute()
    with _client(app, _address()) as first, _client(app, _address()) as second:
        for _ in range(3):
            assert _verify(first, credential).status_code == 200
        assert_limited(_verify(first, credential))
        assert_limited(first.post("/credentials/verify", json={"verifiableCredential": credential}))
        # another client is not affected
        assert _verify(second, credential).status_code == 200


def test_verification_has_a_global_limit(
    settings: Settings, engine: Engine, credential: dict[str, Any]
) -> None:
    app = create_app(_limited(settings, verify_global_per_minute=4), engine)
    _early_in_a_minute()
    clients = [_client(app, _address()) for _ in range(5)]
    statuses = [_verify(c, credential).status_code for c in clients]
    assert statuses == [200, 200, 200, 200, 429]


def test_the_count_is_shared_by_every_worker(
    settings: Settings, engine: Engine, credential: dict[str, Any]
) -> None:
    """Two application instances (two workers) on one database count together."""
    limited = _limited(settings, verify_per_client_per_minute=3)
    address = _address()
    worker_a = _client(create_app(limited, engine), address)
    worker_b = _client(create_app(limited, engine), address)
    assert _verify(worker_a, credential).status_code == 200
    assert _verify(worker_b, credential).status_code == 200
    assert _verify(worker_a, credential).status_code == 200
    assert_limited(_verify(worker_b, credential))


def test_recognition_assessments_are_limited(settings: Settings, engine: Engine, nic: str) -> None:
    app = create_app(_limited(settings, recognition_per_client_per_minute=2), engine)
    body = {
        "qualification": {"country": "KZ", "qualificationType": "kz.bachelor"},
        "receivingCountry": "AU",
    }
    with _client(app, _address()) as c:
        # advisory comparisons (self-declared facts: unsigned, 200) count too
        assert c.post("/v1/recognition/assessments", json=body).status_code == 200
        assert c.post("/v1/recognition/assessments", json=body).status_code == 200
        refused = c.post("/v1/recognition/assessments", json=body)
        assert_limited(refused)
        # reading is not limited
        assert c.get("/v1/recognition/countries").status_code == 200
        # the page's advisory comparison shares the same limits (an empty form is free)
        assert c.get("/compare").status_code == 200
        page = c.get("/compare", params={"awarding": "KZ", "type": "kz.bachelor", "country": "AU"})
        assert page.status_code == 429 and page.headers["retry-after"]


def test_exempt_networks_are_not_limited(
    settings: Settings, engine: Engine, credential: dict[str, Any]
) -> None:
    app = create_app(
        _limited(settings, verify_per_client_per_minute=1, rate_limit_exempt=["10.0.0.0/8"]),
        engine,
    )
    with _client(app, _address()) as exempt, _client(app, "192.0.2.7") as other:
        assert all(_verify(exempt, credential).status_code == 200 for _ in range(4))
        assert _verify(other, credential).status_code == 200
        assert_limited(_verify(other, credential))


def test_a_refused_request_changes_nothing(
    settings: Settings, engine: Engine, nic: str, credential: dict[str, Any]
) -> None:
    from sqlmodel import Session, func, select

    from diploma_exchange.db.models import RecognitionStatementRecord

    app = create_app(_limited(settings, recognition_per_client_per_minute=1), engine)
    body = {"credential": credential, "receivingCountry": "AU"}
    with _client(app, _address()) as c:
        assert c.post("/v1/recognition/assessments", json=body).status_code == 201
        assert_limited(c.post("/v1/recognition/assessments", json=body))
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(RecognitionStatementRecord)).one() == 1


# --- Redis --------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> Iterator[str]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def test_redis_counts_across_workers(
    settings: Settings, engine: Engine, credential: dict[str, Any], redis_url: str
) -> None:
    limited = _limited(settings, verify_per_client_per_minute=3, rate_limit_redis_url=redis_url)
    address = _address()
    worker_a = _client(create_app(limited, engine), address)
    worker_b = _client(create_app(limited, engine), address)
    assert [_verify(w, credential).status_code for w in (worker_a, worker_b, worker_a)] == [
        200,
        200,
        200,
    ]
    assert_limited(_verify(worker_b, credential))
    import redis

    keys = redis.Redis.from_url(redis_url).keys("dx:rl:verify:client:*")
    assert len(keys) == 1 and address.encode() not in keys[0]  # addresses are hashed


def test_unreachable_redis_fails_open_for_verification_and_closed_for_claims(
    settings: Settings, engine: Engine, credential: dict[str, Any]
) -> None:
    broken = _limited(
        settings, verify_per_client_per_minute=1, rate_limit_redis_url="redis://127.0.0.1:9/0"
    )
    with _client(create_app(broken, engine), _address()) as c:
        # verification keeps working without its limiter ...
        assert _verify(c, credential).status_code == 200
        assert _verify(c, credential).status_code == 200
        # ... but guessing claim codes is refused while attempts cannot be counted
        refused = c.post("/claim", data={"code": "ABCDE-FGHJK-MNPQR-STVWX-YZ012"})
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["Retry-After"]) >= 1


def test_an_unreachable_database_is_a_503_for_guarded_limits_and_open_for_load_shedding() -> None:
    from diploma_exchange.db.engine import make_engine
    from diploma_exchange.errors import ServiceUnavailable
    from diploma_exchange.services import ratelimit

    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1")
    limiter = ratelimit.DatabaseRateLimiter(engine)
    shed = ratelimit.Limit("verify:client", 1, 60, fail_open=True)
    limiter.check(shed, "10.0.0.1", "too many")  # let through: verification decides alone
    with pytest.raises(ServiceUnavailable) as raised:
        limiter.check(ratelimit.CLAIM_PER_CLIENT, "10.0.0.1", "too many")
    assert raised.value.code == "database-unavailable" and raised.value.retry_after >= 1
    engine.dispose()
