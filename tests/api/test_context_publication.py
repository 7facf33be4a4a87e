"""The diploma context as the service publishes it (issue 14): the bundled bytes, as
``application/ld+json``, cacheable with an ETag, CORS-readable; the digests in
docs/deployment.md are the digests of those bytes; docs/w3id/.htaccess redirects only to
routes the service has."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi.testclient import TestClient

from diploma_exchange.credentials.contexts import (
    DIPLOMA_CONTEXT_URL,
    context_bytes,
    context_digests,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_context_is_served_byte_for_byte_as_json_ld(client: TestClient) -> None:
    response = client.get("/contexts/diploma-exchange/v1")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.content == context_bytes(DIPLOMA_CONTEXT_URL)
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert response.headers["access-control-allow-origin"] == "*"
    sri = "sha384-" + base64.b64encode(hashlib.sha384(response.content).digest()).decode()
    assert sri == context_digests(DIPLOMA_CONTEXT_URL)["digestSRI"]
    tag = response.headers["etag"]
    again = client.get("/contexts/diploma-exchange/v1", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    changed = client.get("/contexts/diploma-exchange/v1", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


def test_digest_multibase_is_the_sha256_multihash() -> None:
    value = context_digests(DIPLOMA_CONTEXT_URL)["digestMultibase"]
    assert value.startswith("u")
    decoded = base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4))
    assert (
        decoded == bytes([0x12, 0x20]) + hashlib.sha256(context_bytes(DIPLOMA_CONTEXT_URL)).digest()
    )


def test_deployment_guide_names_the_published_digests() -> None:
    text = (DOCS / "deployment.md").read_text(encoding="utf-8")
    digests = context_digests(DIPLOMA_CONTEXT_URL)
    assert f"`{digests['digestSRI']}`" in text
    assert f"`{digests['digestMultibase']}`" in text


def test_w3id_redirects_target_routes_of_the_service(client: TestClient) -> None:
    rules = re.findall(
        r"^RewriteRule \^(\S+)\$ https://diplomas\.example\.kz(/\S*) \[R=302,L\]$",
        (DOCS / "w3id" / ".htaccess").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert {pattern for pattern, _ in rules} == {
        "v1",
        "vocab",
        r"schemas/diploma-credential/v1\.json",
        "problems/.*",
    }
    for _, target in rules:
        assert client.get(target).status_code == 200, target
    # the identifiers the service writes into diplomas are the ones redirected
    assert DIPLOMA_CONTEXT_URL == "https://w3id.org/diploma-exchange/v1"
