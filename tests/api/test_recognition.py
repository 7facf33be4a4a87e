"""Recognition assessments through the API: verified first, NIC-signed statements that the
service's own verifier accepts, decisions and appeals, framework data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cli_support import run_cli, write
from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.recognition.statement import diploma_digest
from helpers import diploma_payload, set_at

OUTCOMES = {
    "comparable",
    "comparable-with-non-substantial-differences",
    "substantial-difference",
    "insufficient-information",
}


def issue(client: TestClient, tenant: Tenant, i: int = 0) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(i), headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def assess(client: TestClient, body: dict[str, Any]) -> Any:
    return client.post("/v1/recognition/assessments", json=body)


def test_assess_a_verified_diploma_and_verify_the_statement(
    client: TestClient, kaznu: Tenant, nic: str
) -> None:
    diploma = issue(client, kaznu)
    response = assess(client, {"credential": diploma, "receivingCountry": "KR"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["outcome"] in OUTCOMES and body["outcome"] != "insufficient-information"
    assert body["assessment"]["comparable_type"] == "kr.bachelor"
    assert body["verification"]["verdict"] == "valid"
    statement = body["statement"]
    assert statement["issuer"] == nic
    assert "RecognitionStatementCredential" in statement["type"]
    assert statement["relatedResource"] == [
        {"id": diploma["id"], "digestMultibase": diploma_digest(diploma)}
    ]
    articles = [b.get("article") for b in statement["credentialSubject"]["legalBasis"]]
    assert "III.2" in articles  # only article numbers verified against the treaty text
    # the service's own verifier accepts the statement
    report = client.post("/v1/verifications", json=statement).json()
    assert report["verdict"] == "valid", [c for c in report["checks"] if c["status"] != "passed"]
    # a tampered statement is not
    forged = set_at(statement, "/credentialSubject/outcome", "comparable")
    if forged != statement:
        assert client.post("/v1/verifications", json=forged).json()["verdict"] == "invalid"
    # stored, listable per diploma, and readable as a page
    listed = client.get(
        "/v1/recognition/assessments", params={"diplomaId": diploma["id"]}, headers=kaznu.headers
    ).json()
    assert [s["id"] for s in listed] == [statement["id"]]
    page = client.get(
        f"/v1/recognition/assessments/{statement['id']}", headers={"Accept": "text/html"}
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert body["outcome"] in page.text and "Legal basis" in page.text


def test_an_invalid_diploma_is_not_assessed(client: TestClient, kaznu: Tenant, nic: str) -> None:
    diploma = issue(client, kaznu)
    forged = set_at(diploma, "/credentialSubject/achievement/creditsAvailable", 360)
    response = assess(client, {"credential": forged, "receivingCountry": "KR"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "diploma-not-verified"
    assert body["report"]["verdict"] == "invalid"
    failing = {c["name"]: c["status"] for c in body["failingChecks"]}
    assert failing["proof.signature"] == "failed"


def test_described_qualification_and_missing_information(client: TestClient, nic: str) -> None:
    response = assess(
        client,
        {
            "qualification": {
                "country": "KZ",
                "qualificationType": "kz.specialist",
                "lengthYears": 5,
                "credits": 300,
                "creditSystem": "KZ-ECTS",
            },
            "receivingCountry": "JP",
        },
    )
    # self-declared facts: an advisory comparison, unsigned and not stored
    assert response.status_code == 200, response.text
    advisory = response.json()
    assert advisory["kind"] == "advisory-comparison" and advisory["factsVerified"] is False
    assert advisory["statement"] is None and advisory["id"] is None
    assert "self-declared" in advisory["notice"]
    assert advisory["assessment"]["source_type"] == "kz.specialist"
    vague = assess(client, {"qualification": {"lengthYears": 4}, "receivingCountry": "KR"})
    assert vague.status_code == 200
    assessment = vague.json()["assessment"]
    assert assessment["outcome"] == "insufficient-information"
    assert "country" in assessment["missing"]
    neither = assess(client, {"receivingCountry": "KR"})
    assert neither.status_code == 400
    nowhere = assess(
        client,
        {
            "qualification": {"country": "KZ", "qualificationType": "kz.bachelor"},
            "receivingCountry": "ZZ",
        },
    )
    assert nowhere.status_code == 400 and nowhere.json()["pointer"] == "/receivingCountry"


def test_decisions_and_appeals_are_kept(
    client: TestClient, nic: str, admin_key: str, kaznu: Tenant
) -> None:
    statement = assess(
        client, {"credential": issue(client, kaznu), "receivingCountry": "AU"}
    ).json()["statement"]
    url = f"/v1/recognition/assessments/{statement['id']}/decisions"
    officer = {"Authorization": f"Bearer {admin_key}"}
    assert client.post(url, json={"decision": "accepted"}, headers=kaznu.headers).status_code == 403
    assert client.post(url, json={"decision": "amended"}, headers=officer).status_code == 400
    assert (
        client.post(
            url, json={"decision": "amended", "reasons": "thesis not included"}, headers=officer
        ).status_code
        == 201
    )
    assert (
        client.post(
            url, json={"decision": "appeal", "appealNote": "thesis attached"}, headers=officer
        ).status_code
        == 201
    )
    assert (
        client.post(
            url, json={"decision": "accepted", "reasons": "appeal upheld"}, headers=officer
        ).status_code
        == 201
    )
    history = client.get(url).json()
    assert [d["decision"] for d in history] == ["amended", "appeal", "accepted"]
    assert history[1]["appealNote"] == "thesis attached"
    page = client.get(
        f"/v1/recognition/assessments/{statement['id']}", headers={"Accept": "text/html"}
    ).text
    assert "appeal upheld" in page


def test_frameworks_are_browsable(client: TestClient) -> None:
    reference = client.get("/v1/recognition/frameworks").json()
    assert {"isced2011", "iscedF2013", "eqf", "qfEhea", "aqrf"} <= set(reference)
    assert any(f["code"] == "0613" for f in reference["iscedF2013"])
    assert len(reference["eqf"]) == 8
    countries = {c["code"]: c for c in client.get("/v1/recognition/countries").json()}
    assert {"KZ", "KR", "JP", "RU", "AU", "EU"} <= set(countries)
    assert "kz.master-scientific-pedagogical" in countries["KZ"]["qualificationTypes"]
    kz = client.get("/v1/recognition/countries/kz").json()
    assert kz["code"] == "KZ" and kz["qualification_types"]
    specialist = client.get("/v1/recognition/qualification-types/kz.specialist").json()
    assert specialist["id"] == "kz.specialist" and specialist["sources"]
    assert all(s["url"].startswith("http") and s["quote"] for s in specialist["sources"])
    assert client.get("/v1/recognition/qualification-types/kz.wizard").status_code == 404
    assert client.get("/v1/recognition/countries/ZZ").status_code == 404


def test_cli_assess(
    client: TestClient, kaznu: Tenant, nic: str, settings: Settings, tmp_path: Path
) -> None:
    """The CLI verifies the diploma against the same registry and gives the API's outcome."""
    credential = issue(client, kaznu)
    diploma = write(tmp_path, "diploma.json", credential)
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": settings.database_url,
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": settings.public_base_url,
    }
    result = run_cli("assess", str(diploma), "--to", "KR", "--json", "--offline", env=env)
    assert result.returncode == 0, result.stderr
    assessment = json.loads(result.stdout)
    assert assessment["comparable_type"] == "kr.bachelor"
    assert assessment["factsVerified"] is True and assessment["advisory"] is False
    api = assess(client, {"credential": credential, "receivingCountry": "KR"}).json()
    assert api["outcome"] == assessment["outcome"]
    assert api["assessment"]["criteria"] == assessment["criteria"]
    human = run_cli("assess", str(diploma), "--to", "JP", "--offline", "--lang", "ru", env=env)
    assert human.returncode == 0 and "jp.bachelor" in human.stdout
    assert "Итог" in human.stdout
    # elsewhere (no registry): not verified, so not assessed as fact; exit 2 = indeterminate
    elsewhere = run_cli(
        "assess",
        str(diploma),
        "--to",
        "KR",
        "--offline",
        env={"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"},
    )
    assert elsewhere.returncode == 2, elsewhere.stdout + elsewhere.stderr
    assert "not valid" in elsewhere.stdout + elsewhere.stderr
    # a described qualification: the advisory comparison, never a signed statement
    neither = run_cli("assess", "--to", "KR", env=env)
    assert neither.returncode == 64
    unsigned = run_cli(
        "assess", "--to", "KR", "--from", "KZ", "--type", "kz.bachelor", "--statement", env=env
    )
    assert unsigned.returncode == 64


#: Hand-described qualifications, each as the API body, the CLI options and the web form.
SAME_INPUTS = [
    (
        {"country": "UA", "qualificationType": "ua.specialist", "lengthYears": 5},
        "NL",
        None,
        ["--from", "UA", "--type", "ua.specialist", "--length-years", "5"],
        {"awarding": "UA", "type": "ua.specialist", "length_years": "5"},
    ),
    (
        {"country": "KZ", "qualificationType": "kz.specialist"},
        "CA",
        "admission-doctorate",
        ["--from", "KZ", "--type", "kz.specialist"],
        {"awarding": "KZ", "type": "kz.specialist"},
    ),
    (
        {
            "country": "CN",
            "qualificationType": "cn.bachelor",
            "credits": 150,
            "creditsMax": 170,
            "creditSystem": "ECTS",
        },
        "KZ",
        None,
        [
            "--from",
            "CN",
            "--type",
            "cn.bachelor",
            "--credits",
            "150-170",
            "--credit-system",
            "ECTS",
        ],
        {"awarding": "CN", "type": "cn.bachelor", "credits": "150-170", "credit_system": "ECTS"},
    ),
    (
        {"country": "CA", "qualificationType": "ca.bachelor-honours"},
        "NL",
        None,
        ["--from", "CA", "--type", "ca.bachelor-honours"],
        {"awarding": "CA", "type": "ca.bachelor-honours"},
    ),
    (
        {
            "country": "CA",
            "qualificationType": "ca.bachelor-honours",
            "institutionType": "university",
        },
        "NL",
        None,
        ["--from", "CA", "--type", "ca.bachelor-honours", "--institution-type", "university"],
        {"awarding": "CA", "type": "ca.bachelor-honours", "institution_type": "university"},
    ),
    (
        {"country": "KZ", "qualificationType": "kz.bachelor", "completed": False, "credits": 90},
        "DE",
        None,
        ["--from", "KZ", "--type", "kz.bachelor", "--not-completed", "--credits", "90"],
        {"awarding": "KZ", "type": "kz.bachelor", "completed": "false", "credits": "90"},
    ),
]


def _essence(assessment: dict[str, Any]) -> tuple[Any, ...]:
    return (
        assessment["outcome"],
        assessment["comparable_types"],
        assessment["receiving_level"],
        assessment["missing"],
        assessment["credits_recognised"],
        {k: c["status"] for k, c in assessment["criteria"].items()},
    )


def test_the_same_input_gives_the_same_outcome_in_the_api_cli_and_web(
    client: TestClient, tmp_path: Path
) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"}
    seen = set()
    for body, to, purpose, options, form in SAME_INPUTS:
        request: dict[str, Any] = {"qualification": body, "receivingCountry": to}
        if purpose:
            request["purpose"] = purpose
        api = assess(client, request)
        assert api.status_code == 200, api.text
        expected = _essence(api.json()["assessment"])
        seen.add(expected[0])
        cli = run_cli(
            "assess",
            "--to",
            to,
            *options,
            *(["--purpose", purpose] if purpose else []),
            "--json",
            env=env,
        )
        assert cli.returncode == 0, cli.stderr
        assert _essence(json.loads(cli.stdout)) == expected, options
        page = client.get(
            "/compare", params={**form, "country": to, **({"purpose": purpose} if purpose else {})}
        )
        assert page.status_code == 200
        assert f'data-outcome="{expected[0]}"' in page.text, form
        assert "Advisory comparison" in page.text
    # the table exercises ranges, purpose, partial credits, conditions and studies not completed
    assert {
        "comparable-with-non-substantial-differences",
        "substantial-difference",
        "insufficient-information",
        "not-a-completed-qualification",
    } <= seen


def test_new_inputs_reach_the_engine_and_bad_ones_are_named(client: TestClient) -> None:
    purpose_only = assess(
        client,
        {
            "qualification": {"country": "KZ", "qualificationType": "kz.specialist"},
            "receivingCountry": "CA",
            "purpose": "admission-doctorate",
        },
    ).json()["assessment"]
    assert purpose_only["comparable_types"] == ["ca.master"]
    assert purpose_only["purposeOfRecognition"] == "admission-doctorate"
    general = assess(
        client,
        {
            "qualification": {"country": "KZ", "qualificationType": "kz.specialist"},
            "receivingCountry": "CA",
        },
    ).json()["assessment"]
    assert general["comparable_types"] == ["ca.bachelor-honours"]
    tier = assess(
        client,
        {
            "qualification": {
                "country": "CN",
                "qualificationType": "cn.bachelor",
                "institutionTier": "project-211",
            },
            "receivingCountry": "NL",
        },
    ).json()["assessment"]
    assert tier["outcome"] != "insufficient-information"
    field = assess(
        client,
        {
            "qualification": {
                "country": "KZ",
                "qualificationType": "kz.bachelor",
                "iscedField": "0613",
            },
            "receivingCountry": "RU",
            "requiredField": "0912",
        },
    ).json()["assessment"]
    assert field["criteria"]["field"]["status"] == "differs"
    for body, pointer in (
        ({"purpose": "tourism"}, "/purpose"),
        (
            {"qualification": {"country": "KZ", "institutionType": "castle"}},
            "/qualification/institutionType",
        ),
        (
            {"qualification": {"country": "KZ", "credits": 240, "creditsMax": 180}},
            "/qualification/creditsMax",
        ),
        ({"requiredField": "x1"}, "/requiredField"),
    ):
        request = {"receivingCountry": "KR", "qualification": {"country": "KZ"}, **body}
        response = assess(client, request)
        assert response.status_code in (400, 422), (body, response.text)
        problem = response.json()
        assert problem.get("pointer") == pointer or any(
            e.get("pointer") == pointer for e in problem.get("errors", [])
        ), problem


def test_every_country_is_listed_by_its_own_code(client: TestClient) -> None:
    countries = {c["code"]: c for c in client.get("/v1/recognition/countries").json()}
    assert {"NL", "DE", "CA", "US", "GB", "UA", "CH", "NO", "FR", "PL", "CZ"} <= set(countries)
    assert countries["EU"]["group"] is True and countries["NL"]["group"] is False
    assert countries["NL"]["names"]["ru"] and countries["NL"]["framework"]["id"]
    for code in ("NL", "DE", "CA"):
        response = assess(
            client,
            {
                "qualification": {"country": "KZ", "qualificationType": "kz.bachelor"},
                "receivingCountry": code,
            },
        )
        assert response.status_code == 200
        types = response.json()["assessment"]["comparable_types"]
        assert types and all(t.startswith(code.lower() + ".") for t in types), types


def test_an_unknown_qualification_type_names_the_known_ones(client: TestClient) -> None:
    response = assess(
        client,
        {
            "qualification": {"country": "CN", "qualificationType": "cn.zhuanke"},
            "receivingCountry": "AU",
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown-qualification-type"
    assert body["pointer"] == "/qualification/qualificationType"
    assert "cn.graduation-certificate-zhuanke" in body["detail"]
