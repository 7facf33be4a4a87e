"""Recognition on the pages: purpose and required field on the verification page, and the
advisory comparison of a qualification described by hand (/compare), with the API's outcome."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from web.conftest import Issued
from web.test_graduate_and_links import claim, make_link


def test_the_compare_form_is_labelled_and_lists_every_country_and_type(web: TestClient) -> None:
    page = web.get("/compare")
    assert page.status_code == 200
    for name in ("awarding", "type", "credits", "institution_type", "country", "purpose", "field"):
        assert f'name="{name}"' in page.text
    assert "<script" not in page.text
    for code in ("NL", "DE", "CA", "UA", "KZ"):
        assert f'value="{code}"' in page.text
    assert 'value="ua.specialist"' in page.text  # former types too (older paper diplomas)
    assert "Advisory comparison" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_a_described_qualification_gets_the_apis_advisory_outcome(web: TestClient) -> None:
    form = {"awarding": "CN", "type": "cn.bachelor", "country": "NL"}
    page = web.get("/compare", params=form)
    api = web.post(
        "/v1/recognition/assessments",
        json={
            "qualification": {"country": "CN", "qualificationType": "cn.bachelor"},
            "receivingCountry": "NL",
        },
    ).json()["assessment"]
    assert api["outcome"] == "insufficient-information"
    assert f'data-outcome="{api["outcome"]}"' in page.text
    # the missing fact is named with the document that supplies it
    assert "Missing information" in page.text
    tiered = web.get("/compare", params={**form, "institution_tier": "project-211"}).text
    assert 'data-outcome="insufficient-information"' not in tiered
    ru = web.get("/compare", params={**form, "lang": "ru"}).text
    assert "Консультативное сопоставление" in ru and "Недостающие сведения" in ru


def test_purpose_and_ranges_in_the_form(web: TestClient) -> None:
    doctoral = web.get(
        "/compare",
        params={
            "awarding": "KZ",
            "type": "kz.specialist",
            "country": "CA",
            "purpose": "admission-doctorate",
        },
    ).text
    assert "Master" in doctoral and "Purpose of recognition" in doctoral
    ranged = web.get(
        "/compare", params={"awarding": "UA", "type": "ua.specialist", "country": "NL"}
    ).text
    assert "6–7" in ranged
    partial = web.get(
        "/compare",
        params={
            "awarding": "KZ",
            "type": "kz.bachelor",
            "completed": "false",
            "credits": "90",
            "country": "DE",
        },
    ).text
    assert 'data-outcome="not-a-completed-qualification"' in partial


def test_bad_input_in_the_form_is_a_clear_error_and_nothing_is_compared(web: TestClient) -> None:
    page = web.get(
        "/compare",
        params={"awarding": "KZ", "type": "kz.bachelor", "credits": "240-180", "country": "DE"},
    )
    assert page.status_code == 400
    assert 'id="compare-error"' in page.text and "data-outcome" not in page.text
    unknown = web.get("/compare", params={"awarding": "KZ", "country": "ZZ"})
    assert unknown.status_code == 400


def test_purpose_on_the_verification_page_and_in_the_signed_statement(
    web: TestClient, issued: Issued
) -> None:
    claim(web, issued.claim_code)
    path = make_link(web)
    page = web.get(
        path, params={"country": "CA", "purpose": "admission-doctorate", "field": "0613"}
    )
    assert page.status_code == 200
    assert 'name="purpose"' in page.text and 'value="admission-doctorate" selected' in page.text
    assert 'name="purpose" value="admission-doctorate"' in page.text  # carried to the statement
    statement = web.post(
        path + "/statement",
        data={"country": "CA", "purpose": "admission-doctorate", "field": "0613"},
    )
    assert statement.status_code == 200
    body = json.loads(statement.text)
    assert body["credentialSubject"]["purposeOfRecognition"] == "admission-doctorate"
    assert body["credentialSubject"]["assessment"]["criteria"]["field"]["status"] != "unknown"
    # a purpose outside the vocabulary is ignored, as an unknown country is
    ignored = web.get(path, params={"country": "CA", "purpose": "tourism"})
    assert ignored.status_code == 200 and 'value="tourism"' not in ignored.text
