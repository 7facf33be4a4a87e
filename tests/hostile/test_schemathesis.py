"""Schemathesis over the OpenAPI document: every operation, hostile and valid-looking input.

Each operation gets a fresh copy of one seeded SQLite database (two issued diplomas, a
partner NIC, a recognition statement) and a bounded, derandomised Hypothesis budget of
generated requests, both schema-conforming and schema-violating ("negative"). A third of the
requests aim at real objects (path parameters of the seeded world) so that the handlers run
past their look-ups, and every request carries the API key of a role allowed to call the
operation, so that authenticated operations are reached too.

Every response must: not be a 5xx; have a status code and a content type the document
declares for the operation; and match the declared schema for that status. Errors are
therefore declared on every route (``api/problem_docs.py``). Only operations with path
parameters get the real-object examples ("a third" of their budget); the others use all of it
on generated input.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from conftest import PUBLIC_BASE_URL, Tenant
from diploma_exchange.api.app import create_app
from diploma_exchange.api.deps import get_admin
from diploma_exchange.cli import openapi_document
from diploma_exchange.config import Settings
from diploma_exchange.db.engine import make_engine, upgrade
from diploma_exchange.services import institutions, trust
from diploma_exchange.trust.accreditation import Scope
from hostile.world import World, seed_world

#: Examples per operation. With ~45 operations this keeps the module well under a minute.
MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
DOCUMENT = openapi_document()
#: OpenID4VCI / OpenID4VP endpoints answer protocol errors in the OAuth 2.0 format their
#: specifications prescribe (``{"error": ..., "error_description": ...}``, RFC 6749 §5.2),
#: not problem+json; their error answers are tested in tests/wallets. Fuzzed here: never a
#: server error.
OAUTH_PROTOCOL_PREFIXES = (
    "/oid4vci/",
    "/oid4vp/",
    "/.well-known/openid-credential-issuer",
    "/.well-known/oauth-authorization-server",
)


def _oauth_protocol(path: str) -> bool:
    return path.startswith(OAUTH_PROTOCOL_PREFIXES)


OPERATIONS = [
    (method.upper(), path, operation["operationId"])
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]


def _settings(url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=url,
        public_base_url=PUBLIC_BASE_URL,
        key_passphrase="test-passphrase",  # type: ignore[arg-type]
        # Abuse limits would answer 429 before the handlers run (429 is declared, but the
        # point here is to reach the handlers).
        verify_per_client_per_minute=100_000,
        recognition_per_client_per_minute=100_000,
        recognition_global_per_minute=100_000,
    )


def _depends_on(dependant: Any, call: Any) -> bool:
    return dependant.call is call or any(_depends_on(d, call) for d in dependant.dependencies)


def _admin_only(app: FastAPI, method: str, path: str) -> bool:
    """Whether the route needs the NIC administrator's key (else the institution's is sent)."""
    for entry in iter_route_contexts(app.routes):
        # The OpenAPI document drops path convertors: /log/tile/{level}/{rest:path}.
        if re.sub(r":\w+}", "}", entry.path) == path and method in (entry.methods or ()):
            return _depends_on(entry.original_route.dependant, get_admin)
    raise AssertionError(f"no route {method} {path}")


@dataclass
class Template:
    path: Path
    world: World


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """One migrated and seeded SQLite file, copied for each operation (seeding costs keys)."""
    path = tmp_path_factory.mktemp("schemathesis") / "template.db"
    settings = _settings(f"sqlite:///{path}")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as s:
        institutions.register_institution(s, settings, slug="nic", name="Test NIC", kind="nic")
        record, _ = institutions.register_institution(s, settings, slug="kaznu", name="KazNU")
        _, token = institutions.create_api_key(
            s, role=institutions.ROLE_INSTITUTION, institution=record
        )
        _, admin_key = institutions.create_api_key(s, role=institutions.ROLE_ADMIN)
        trust.accredit(
            s,
            settings,
            record,
            scope=Scope(),
            accrediting_body="IAAR (test)",
            valid_from=record.created_at,
        )
        s.commit()
    with TestClient(create_app(settings, engine)) as client:
        world = seed_world(client, Tenant("kaznu", record.did, token), admin_key)
    engine.dispose()
    return Template(path, world)


@pytest.fixture
def app(template: Template, tmp_path: Path) -> Iterator[FastAPI]:
    copy = tmp_path / "api.db"
    shutil.copyfile(template.path, copy)
    settings = _settings(f"sqlite:///{copy}")
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.mark.parametrize(
    ("method", "path"), [(m, p) for m, p, _ in OPERATIONS], ids=[o for *_, o in OPERATIONS]
)
def test_operation_never_fails_and_keeps_its_contract(
    app: FastAPI, template: Template, method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operation = schema[path][method]
    world = template.world
    headers = world.admin if _admin_only(app, method, path) else world.institution
    real = {
        name: world.values[name]
        for name in (p.name for p in operation.path_parameters)
        if name in world.values
    }
    strategies: list[Any] = [
        operation.as_strategy(generation_mode=mode)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    ]
    if real:
        strategies.append(operation.as_strategy(path_parameters=real))

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        case.validate_response(
            response, checks=[not_a_server_error] if _oauth_protocol(path) else CHECKS
        )

    run()


#: Error bodies a protocol prescribes: c2sp.org/tlog-witness answers a stale old size with
#: 409 and the size it knows as ``text/x.tlog.size``.
PROTOCOL_ERRORS = {("POST", "/witness/add-checkpoint", "409"): "text/x.tlog.size"}


PROBLEM_OPERATIONS = [(m, p, o) for m, p, o in OPERATIONS if not _oauth_protocol(p)]


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p, _ in PROBLEM_OPERATIONS],
    ids=[o for *_, o in PROBLEM_OPERATIONS],
)
def test_operation_declares_the_problems_any_request_can_meet(method: str, path: str) -> None:
    """Every operation can meet a malformed request (400), a rate limit (429) or an
    unreachable database (503); the last two never show up while fuzzing, so the document
    is checked for them, and every error it declares is problem+json."""
    responses = DOCUMENT["paths"][path][method.lower()]["responses"]
    for status in ("400", "429", "503"):
        assert status in responses, f"{method} {path} does not declare {status}"
        content = responses[status]["content"]
        assert content["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/ProblemDetails"
        }
    for status in ("429", "503"):
        assert "Retry-After" in responses[status]["headers"]
    errors = {s: r for s, r in responses.items() if s.startswith(("4", "5"))}
    for status, response in errors.items():
        if (method, path, status) in PROTOCOL_ERRORS:
            assert list(response["content"]) == [PROTOCOL_ERRORS[(method, path, status)]]
            continue
        assert list(response.get("content", {})) == ["application/problem+json"], (
            f"{method} {path} declares {status} as something else than problem+json"
        )
