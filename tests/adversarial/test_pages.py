"""Finding 10 and 7 of issue 12: the page of an invalid diploma looks invalid; every HTML
response carries the security headers; the web forms that verify or sign are behind the same
shared limits as the API."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from conftest import PUBLIC_BASE_URL, Tenant
from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings
from web.conftest import issue


@pytest.fixture
def web(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(
        create_app(settings, engine), base_url=PUBLIC_BASE_URL, follow_redirects=False
    ) as c:
        yield c


def tampered(credential: dict[str, Any]) -> dict[str, Any]:
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["graduate"]["fullName"]["en"] = "Mallory Forger"
    return forged


def test_an_invalid_diploma_is_not_presented_as_a_diploma(web: TestClient, kaznu: Tenant) -> None:
    forged = tampered(issue(web, kaznu).credential)
    for lang in ("en", "ru", "kk"):
        page = web.post(f"/verify?lang={lang}", data={"json": json.dumps(forged)}).text
        assert 'data-verdict="invalid"' in page
        warning = page.index('data-warning="invalid"')
        assert warning < page.index('id="h-checks"')  # the warning comes first
        visible = re.sub(r'value="[^"]*"', "", page)  # the report download posts the file back
        assert "Mallory Forger" not in visible  # nothing from the file shown as the diploma
        assert 'id="h-diploma"' not in page and 'id="h-issuer"' not in page
        assert 'name="country"' not in page  # no comparison offered
        assert "downloads.credential" not in page
        assert 'value="credential"' not in page  # no "original signed diploma" download
    english = web.post("/verify?lang=en", data={"json": json.dumps(forged)}).text
    assert "Original signed diploma" not in english and "not a valid diploma" in english


def test_an_indeterminate_diploma_is_shown_as_unverified_claims(
    web: TestClient, engine: Engine, settings: Settings
) -> None:
    from conftest import _tenant

    unaccredited = _tenant(engine, settings, "unaccredited", "Unaccredited University", False)
    credential = issue(web, unaccredited).credential
    page = web.post("/verify?lang=en", data={"json": json.dumps(credential)}).text
    assert 'data-verdict="indeterminate"' in page
    assert "What the file claims (not verified)" in page
    assert 'name="country"' not in page


def _sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_every_html_response_has_the_security_headers(web: TestClient, kaznu: Tenant) -> None:
    """Over the route table: every GET route, asked for HTML, with placeholder parameters
    (most answer 404 or 400 pages: those are HTML too and must carry the headers)."""
    issued = issue(web, kaznu)
    statement = web.post(
        "/v1/recognition/assessments",
        json={"credential": issued.credential, "receivingCountry": "KR"},
    )
    from test_authorization_matrix import application_routes

    paths = {
        _sample_path(path)
        for method, path in application_routes(web.app.state.settings)  # type: ignore[attr-defined]
        if method == "GET"
    }
    if statement.status_code == 201:
        paths.add(f"/v1/recognition/assessments/{statement.json()['id']}")
    paths |= {"/docs", "/redoc", "/no-such-page"}
    html_seen: list[str] = []
    for path in sorted(paths):
        response = web.get(path, headers={"Accept": "text/html"})
        assert response.headers.get("x-content-type-options") == "nosniff", path
        if response.headers.get("content-type", "").startswith("text/html"):
            html_seen.append(path)
            csp = response.headers.get("content-security-policy", "")
            assert "frame-ancestors 'none'" in csp, path
            assert response.headers.get("x-frame-options") == "DENY", path
            assert response.headers.get("referrer-policy") == "no-referrer", path
    assert {"/", "/verify", "/claim", "/docs"} <= set(html_seen), html_seen


def test_the_recognition_statement_page_has_the_headers(web: TestClient, kaznu: Tenant) -> None:
    issued = issue(web, kaznu)
    created = web.post(
        "/v1/recognition/assessments",
        json={"credential": issued.credential, "receivingCountry": "KR"},
    )
    assert created.status_code == 201, created.text
    page = web.get(
        f"/v1/recognition/assessments/{created.json()['id']}", headers={"Accept": "text/html"}
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_the_web_statement_form_shares_the_apis_recognition_limit(
    settings: Settings, engine: Engine, kaznu: Tenant
) -> None:
    limited = settings.model_copy(update={"recognition_per_client_per_minute": 2})
    with TestClient(
        create_app(limited, engine), base_url=PUBLIC_BASE_URL, follow_redirects=False
    ) as c:
        credential = issue(c, kaznu).credential
        body = {"credential": credential, "receivingCountry": "KR"}
        assert c.post("/v1/recognition/assessments", json=body).status_code == 201
        form = {"credential": json.dumps(credential), "country": "KR"}
        assert c.post("/verify/statement", data=form).status_code == 200
        refused = c.post("/verify/statement", data=form)
        assert refused.status_code == 429
        assert refused.headers["retry-after"]
        assert c.post("/v1/recognition/assessments", json=body).status_code == 429


def test_the_upload_form_shares_the_apis_verification_limit(
    settings: Settings, engine: Engine, kaznu: Tenant
) -> None:
    limited = settings.model_copy(update={"verify_per_client_per_minute": 2})
    with TestClient(
        create_app(limited, engine), base_url=PUBLIC_BASE_URL, follow_redirects=False
    ) as c:
        credential = issue(c, kaznu).credential
        assert c.post("/v1/verifications", json=credential).status_code == 200
        assert c.post("/verify", data={"json": json.dumps(credential)}).status_code == 200
        assert c.post("/verify", data={"json": json.dumps(credential)}).status_code == 429
        assert c.post("/v1/verifications", json=credential).status_code == 429
