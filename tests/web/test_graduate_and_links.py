"""Graduates claim diplomas and manage verification links; verifiers open them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import Tenant
from diploma_exchange.db.models import (
    ClaimCodeRecord,
    RateLimitRecord,
    ShareLinkEventRecord,
    ShareLinkRecord,
    WebSessionRecord,
)
from diploma_exchange.sharing import codes
from web.conftest import Issued, issue

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
SHARE = re.compile(r'id="share-url" type="text" readonly value="([^"]+)"')


def claim(web: TestClient, code: str) -> None:
    response = web.post("/claim", data={"code": code})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/me"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    assert "Path=/me" in cookie


def csrf_of(web: TestClient) -> str:
    page = web.get("/me")
    assert page.status_code == 200
    match = CSRF.search(page.text)
    assert match
    return match.group(1)


def make_link(web: TestClient, **form: str) -> str:
    response = web.post("/me/links", data={"csrf": csrf_of(web), "days": "30", **form})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/me/links/new"
    response = web.get("/me/links/new")
    assert response.status_code == 200, response.text
    match = SHARE.search(response.text)
    assert match
    return match.group(1).removeprefix("https://diplomas.example.kz")


def link_rows(engine: Engine) -> list[ShareLinkRecord]:
    with Session(engine) as s:
        return list(s.exec(select(ShareLinkRecord)).all())


def test_issuance_returns_a_one_time_claim_code_stored_hashed(
    web: TestClient, issued: Issued, engine: Engine
) -> None:
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{5}-){4}[0-9A-HJKMNP-TV-Z]{5}", issued.claim_code)
    assert issued.claim_url.endswith("/claim/" + issued.claim_code)
    with Session(engine) as s:
        rows = s.exec(select(ClaimCodeRecord)).all()
    assert len(rows) == 1
    assert rows[0].code_sha256 == codes.digest(issued.claim_code)
    assert issued.claim_code not in repr(rows[0].model_dump())


def test_claim_page_never_claims_on_get(web: TestClient, issued: Issued) -> None:
    page = web.get(issued.claim_url.removeprefix("https://diplomas.example.kz"))
    assert page.status_code == 200
    assert issued.claim_code in page.text
    assert "set-cookie" not in page.headers
    claim(web, issued.claim_code)  # still unused


def test_claim_is_single_use_and_gives_the_graduate_page(
    web: TestClient, issued: Issued, settings: object
) -> None:
    claim(web, issued.claim_code.lower().replace("-", " "))  # forgiving about format
    page = web.get("/me")
    assert page.status_code == 200
    assert "Әбенова Әйгерім Серікқызы" in page.text or "Aigerim Abenova" in page.text
    again = web.post("/claim", data={"code": issued.claim_code})
    assert again.status_code == 410
    assert "already used" in again.text
    download = web.get("/me/credential.json")
    assert download.status_code == 200
    assert download.json() == issued.credential
    assert "attachment" in download.headers["content-disposition"]


def test_claim_errors_are_clear_and_do_not_sign_in(web: TestClient, issued: Issued) -> None:
    unknown = web.post("/claim", data={"code": "00000-00000-00000-00000-00000"})
    assert unknown.status_code == 404
    assert "not known" in unknown.text
    malformed = web.post("/claim", data={"code": "<script>"})
    assert malformed.status_code == 400
    assert "<script>" not in malformed.text  # echoed back escaped
    assert "set-cookie" not in malformed.headers
    assert web.get("/me").status_code == 303


def test_expired_and_replaced_claim_codes(
    web: TestClient, issued: Issued, kaznu: Tenant, engine: Engine
) -> None:
    fresh = web.post(f"/v1/diplomas/{issued.credential['id']}/claim-code", headers=kaznu.headers)
    assert fresh.status_code == 201
    replaced = web.post("/claim", data={"code": issued.claim_code})
    assert replaced.status_code == 410
    assert "replaced" in replaced.text
    with Session(engine) as s:
        s.execute(
            update(ClaimCodeRecord).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        s.commit()
    expired = web.post("/claim", data={"code": fresh.json()["code"]})
    assert expired.status_code == 410
    assert "expired" in expired.text


def test_claim_codes_only_for_the_issuing_institution(
    web: TestClient, issued: Issued, enu: Tenant
) -> None:
    other = web.post(f"/v1/diplomas/{issued.credential['id']}/claim-code", headers=enu.headers)
    assert other.status_code == 404


def test_claim_attempts_are_rate_limited(web: TestClient, engine: Engine, issued: Issued) -> None:
    statuses = [
        web.post("/claim", data={"code": f"00000-00000-00000-00000-0000{i % 10}"}).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [404] * 10
    assert statuses[10] == 429
    limited = web.post("/claim", data={"code": issued.claim_code})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    with Session(engine) as s:
        buckets = s.exec(select(RateLimitRecord)).all()
    assert all("testclient" not in b.bucket for b in buckets)  # client addresses hashed


def test_share_link_lifecycle_with_access_log(
    web: TestClient, issued: Issued, engine: Engine
) -> None:
    claim(web, issued.claim_code)
    path = make_link(web, label="University of Tokyo admissions")
    token = path.rsplit("/", 1)[-1]
    assert len(token) >= 43  # 256 bits
    [row] = link_rows(engine)
    assert row.token_sha256 == codes.digest(token) and row.label == "University of Tokyo admissions"

    viewer = TestClient(web.app, base_url=str(web.base_url), follow_redirects=False)
    page = viewer.get(path)
    assert page.status_code == 200
    assert 'data-verdict="valid"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src" not in page.headers["content-security-policy"]
    assert viewer.get(path + "/credential.json").json() == issued.credential
    assert viewer.get(path + "/report.json").json()["verdict"] == "valid"
    as_json = viewer.get(path, headers={"Accept": "application/json"})
    assert as_json.json()["verification"]["verdict"] == "valid"
    assert as_json.json()["credential"] == issued.credential

    me = web.get("/me").text
    assert "University of Tokyo admissions" in me
    assert "opened 2 times, 2 downloads" in me

    # The viewer cannot revoke: revocation needs the graduate's session and CSRF token.
    assert viewer.post(f"/me/links/{row.id}/revoke").status_code == 303  # to /claim
    assert viewer.get(path).status_code == 200

    revoke = web.post(f"/me/links/{row.id}/revoke", data={"csrf": csrf_of(web)})
    assert revoke.status_code == 303
    gone = viewer.get(path)
    assert gone.status_code == 410
    assert "withdrawn" in gone.text
    assert "Aigerim" not in gone.text and "Әбенова" not in gone.text
    assert viewer.get(path + "/credential.json").status_code == 410
    problem = viewer.get(path, headers={"Accept": "application/json"})
    assert problem.status_code == 410
    assert problem.json()["code"] == "link-revoked"
    with Session(engine) as s:
        events = [e.event for e in s.exec(select(ShareLinkEventRecord)).all()]
    assert events.count("opened") == 3 and "refused" in events


def test_revoking_needs_a_valid_csrf_token(web: TestClient, issued: Issued, engine: Engine) -> None:
    claim(web, issued.claim_code)
    make_link(web)
    [row] = link_rows(engine)
    forged = web.post(f"/me/links/{row.id}/revoke", data={"csrf": "0" * 64})
    assert forged.status_code == 403
    assert link_rows(engine)[0].revoked_at is None


def test_graduates_cannot_touch_each_others_links(
    web: TestClient, kaznu: Tenant, engine: Engine
) -> None:
    first, second = issue(web, kaznu, 0), issue(web, kaznu, 1)
    claim(web, first.claim_code)
    make_link(web, label="mine")
    [row] = link_rows(engine)
    other = TestClient(web.app, base_url=str(web.base_url), follow_redirects=False)
    claim(other, second.claim_code)
    token = CSRF.search(other.get("/me").text)
    assert token
    attempt = other.post(f"/me/links/{row.id}/revoke", data={"csrf": token.group(1)})
    assert attempt.status_code == 404
    assert link_rows(engine)[0].revoked_at is None
    assert "mine" not in other.get("/me").text


def test_expired_link_is_410_and_says_it_is_the_link_not_the_diploma(
    web: TestClient, issued: Issued, engine: Engine
) -> None:
    claim(web, issued.claim_code)
    path = make_link(web)
    with Session(engine) as s:
        s.execute(
            update(ShareLinkRecord).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        s.commit()
    gone = web.get(path)
    assert gone.status_code == 410
    assert "The link has expired." in gone.text
    assert "says nothing about the diploma itself" in gone.text


@pytest.mark.parametrize("days", ["0", "366", "abc"])
def test_link_expiry_is_bounded(web: TestClient, issued: Issued, days: str) -> None:
    claim(web, issued.claim_code)
    response = web.post("/me/links", data={"csrf": csrf_of(web), "days": days})
    assert response.status_code == 400
    assert "between 1 and 365" in response.text or "how many days" in response.text


def test_pin_protected_link(web: TestClient, issued: Issued, engine: Engine) -> None:
    claim(web, issued.claim_code)
    path = make_link(web, pin="4821")
    [row] = link_rows(engine)
    assert row.pin_hash and row.pin_hash.startswith("scrypt$") and "4821" not in row.pin_hash

    viewer = TestClient(web.app, base_url=str(web.base_url), follow_redirects=False)
    asks = viewer.get(path)
    assert asks.status_code == 200 and 'name="pin"' in asks.text
    assert "Aigerim" not in asks.text
    assert viewer.get(path + "/credential.json").status_code == 303  # back to the PIN form
    wrong = viewer.post(path + "/pin", data={"pin": "0000"})
    assert wrong.status_code == 403
    right = viewer.post(path + "/pin", data={"pin": "4821"})
    assert right.status_code == 303
    assert f"Path={path}" in right.headers["set-cookie"]
    assert 'data-verdict="valid"' in viewer.get(path).text
    # A different browser without the cookie is still asked.
    stranger = TestClient(web.app, base_url=str(web.base_url), follow_redirects=False)
    assert 'name="pin"' in stranger.get(path).text
    # JSON clients send the PIN in a header.
    assert stranger.get(path, headers={"Accept": "application/json"}).status_code == 403
    ok = stranger.get(path, headers={"Accept": "application/json", "X-Link-PIN": "4821"})
    assert ok.status_code == 200 and ok.json()["verification"]["verdict"] == "valid"


def test_pin_guessing_is_rate_limited_then_locks_the_link(
    web: TestClient, issued: Issued, engine: Engine
) -> None:
    claim(web, issued.claim_code)
    path = make_link(web, pin="4821")
    viewer = TestClient(web.app, base_url=str(web.base_url), follow_redirects=False)
    statuses = [viewer.post(path + "/pin", data={"pin": f"{i:04d}"}).status_code for i in range(6)]
    assert statuses == [403] * 5 + [429]
    # Even the right PIN waits for the window.
    assert viewer.post(path + "/pin", data={"pin": "4821"}).status_code == 429
    with Session(engine) as s:
        s.execute(update(ShareLinkRecord).values(failed_pin_attempts=9))
        s.exec(RateLimitRecord.__table__.delete())  # type: ignore[attr-defined]
        s.commit()
    locked = viewer.post(path + "/pin", data={"pin": "1111"})
    assert locked.status_code == 410
    assert viewer.get(path).status_code == 410
    assert "locked" in web.get("/me").text.lower()


def test_sign_out_everywhere(web: TestClient, issued: Issued, engine: Engine) -> None:
    claim(web, issued.claim_code)
    response = web.post("/me/logout", data={"csrf": csrf_of(web), "everywhere": "1"})
    assert response.status_code == 303
    assert web.get("/me").status_code == 303
    with Session(engine) as s:
        assert all(r.revoked_at for r in s.exec(select(WebSessionRecord)).all())


def test_markup_in_credential_text_is_shown_as_text(web: TestClient, kaznu: Tenant) -> None:
    hostile = {
        "en": '<script>alert("x")</script><img src=x onerror=alert(1)>',
        "kk": "{{ 7*7 }}",
        "ru": "Иван</dd><h1>Forged</h1>",
    }
    diploma = issue(web, kaznu, 0, full_name=hostile)
    claim(web, diploma.claim_code)
    path = make_link(web, label='<b onmouseover="x">label</b>')
    for lang in ("en", "kk", "ru"):
        page = web.get(f"{path}?lang={lang}").text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "<h1>Forged</h1>" not in page
        assert "&lt;script&gt;" in page or "{{ 7*7 }}" in page or "&lt;/dd&gt;" in page
        assert "49" not in re.findall(r"class=\"holder\">([^<]*)", page)
    me = web.get("/me").text
    assert '<b onmouseover="x">' not in me and "&lt;b onmouseover=" in me


def test_languages_switch_and_stick(web: TestClient, issued: Issued) -> None:
    claim(web, issued.claim_code)
    path = make_link(web)
    kk = web.get(path + "?lang=kk")
    assert '<html lang="kk">' in kk.text and "Жарамды" in kk.text
    assert "dx_lang=kk" in kk.headers["set-cookie"]
    assert '<html lang="kk">' in web.get(path).text  # the cookie keeps it
    ru = web.get(path, headers={"Accept-Language": "ru-RU,ru;q=0.9"}, cookies={"dx_lang": ""})
    assert '<html lang="ru">' in ru.text and "Действителен" in ru.text


def test_recognition_statement_for_a_picked_country(web: TestClient, issued: Issued) -> None:
    claim(web, issued.claim_code)
    path = make_link(web)
    page = web.get(path + "?country=JP").text
    assert 'data-outcome="comparable"' in page
    assert "Bachelor" in page
    statement = web.post(path + "/statement", data={"country": "JP"})
    assert statement.status_code == 200
    body = statement.json()
    assert "RecognitionStatementCredential" in body["type"] and body["proof"]


def test_unknown_link_is_404(web: TestClient) -> None:
    assert web.get("/s/" + "A" * 43).status_code == 404
    assert web.get("/s/short").status_code == 404
