"""The upload page takes every format the API takes (content decides), shows what it is, and
posts a non-JSON credential back as an EnvelopedVerifiableCredential that verifies again."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from web.test_verify_upload import check_status, upload, verdict

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "foreign" / "envelopes"
VC_JWT = (CORPUS / "tbd-ssi-service" / "tbd-integration-application.jwt").read_text().strip()


def test_a_jwt_file_is_read_by_its_content(web: TestClient) -> None:
    page = upload(web, VC_JWT.encode(), "diploma.json", "application/json")
    assert page.status_code == 200  # type: ignore[attr-defined]
    text = page.text  # type: ignore[attr-defined]
    assert verdict(text) == "indeterminate"  # authentic; nobody vouches for the issuer
    assert check_status(text, "proof.signature") == "passed"
    assert check_status(text, "format.detected") == "passed"


def test_a_pasted_jwt_and_its_resubmission(web: TestClient) -> None:
    page = web.post("/verify", data={"json": VC_JWT})
    assert page.status_code == 200
    assert check_status(page.text, "proof.signature") == "passed"
    hidden = re.search(r'name="credential" value="([^"]*)"', page.text)
    assert hidden, "the download form carries the credential"
    again = json.loads(html.unescape(hidden.group(1)))
    assert again["type"] == "EnvelopedVerifiableCredential"
    assert again["id"].endswith(VC_JWT)
    report = web.post("/verify/download", data={"credential": json.dumps(again), "what": "report"})
    assert report.status_code == 200
    assert report.json()["format"]["name"] == "vc-jwt"


def test_a_json_answer_names_the_format(web: TestClient) -> None:
    answer = web.post("/verify", data={"json": VC_JWT}, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["verification"]["format"]["name"] == "vc-jwt"
    # What is shown is the decoded, verified payload, not the token.
    assert body["credential"]["@context"][0] == "https://www.w3.org/2018/credentials/v1"


def test_text_that_is_no_credential(web: TestClient) -> None:
    answer = web.post(
        "/verify", data={"json": "hello there"}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 400 and answer.json()["code"] == "invalid-input"
