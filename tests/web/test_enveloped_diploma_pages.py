"""A diploma issued as a VC-JOSE-COSE enveloped credential (``options.envelope`` at the
VC-API) on the graduate's pages: the page shows what the payload says, the downloads are named
by the payload's id, and the verifier behind a share link reads it as valid."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi.testclient import TestClient

from api.test_issue_and_verify import another_graduate
from conftest import Tenant
from web.conftest import issue
from web.test_graduate_and_links import claim, make_link


def test_enveloped_diploma_on_the_graduates_pages(web: TestClient, kaznu: Tenant) -> None:
    diploma = issue(web, kaznu).credential
    unsigned = another_graduate(
        {k: v for k, v in diploma.items() if k not in ("proof", "id", "credentialStatus")}
    )
    response = web.post(
        "/credentials/issue",
        json={"credential": unsigned, "options": {"envelope": "application/vc+jwt"}},
        headers=kaznu.headers,
    )
    assert response.status_code == 201, response.text
    envelope = response.json()["verifiableCredential"]
    part = envelope["id"].split(",", 1)[1].split(".")[1]
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    code = web.post(f"/v1/diplomas/{payload['id']}/claim-code", headers=kaznu.headers)
    assert code.status_code == 201, code.text
    claim(web, code.json()["code"])
    page = web.get("/me")
    assert page.status_code == 200
    qualification = payload["credentialSubject"]["achievement"]["name"]
    assert isinstance(qualification, str) and qualification
    assert qualification in page.text
    download = web.get("/me/credential.json")
    assert download.status_code == 200
    assert json.loads(download.content) == envelope
    uuid = payload["id"].rsplit(":", 1)[-1]
    assert f"diploma-{uuid}.json" in download.headers["content-disposition"]
    link = make_link(web)
    shared = web.get(link, headers={"Accept": "application/json"})
    assert shared.status_code == 200, shared.text
    assert shared.json()["verification"]["verdict"] == "valid"
