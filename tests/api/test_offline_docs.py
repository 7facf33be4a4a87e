"""The API documentation at /docs works offline: Swagger UI is served from this package's
own files, and nothing on the page (or its policy) points to another origin."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

EXTERNAL = re.compile(
    r"(?:https?:)?//(?!localhost[:/]|testserver[:/])[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE
)


def test_docs_reference_no_external_url(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.text
    assert not EXTERNAL.findall(html), EXTERNAL.findall(html)
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    assert any(a.endswith("swagger-ui.css") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/"), asset  # this origin only
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 0
    assert "/openapi.json" in html
    csp = page.headers["content-security-policy"]
    assert "http" not in csp  # no other origin may be loaded from
    assert "frame-ancestors 'none'" in csp


def test_vendored_swagger_ui_carries_its_licence(client: TestClient) -> None:
    licence = client.get("/static/vendor/swagger-ui/LICENSE")
    assert licence.status_code == 200 and "Apache License" in licence.text


def test_oauth2_redirect_page_is_local(client: TestClient) -> None:
    page = client.get("/docs/oauth2-redirect")
    assert page.status_code == 200
    assert not EXTERNAL.findall(page.text)
