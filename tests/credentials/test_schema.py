"""The committed JSON Schema and ``validate_credential``: named error scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from diploma_exchange.credentials import (
    ensure_valid_credential,
    generate_json_schema,
    sample_diploma_credential,
    validate_credential,
)
from diploma_exchange.credentials.schema import (
    json_pointer,
    load_json_schema,
    main,
    render_json_schema,
)
from diploma_exchange.errors import InvalidCredential
from helpers import apply_scenario, load_scenarios

SCENARIOS = load_scenarios("credentials/scenarios/schema_errors.json")
_apply = apply_scenario


def test_committed_schema_matches_generator() -> None:
    committed = load_json_schema()
    assert committed == generate_json_schema(), (
        "schemas/diploma-credential-v1.schema.json is out of date; run "
        "python -m diploma_exchange.credentials.schema --write"
    )
    assert main([]) == 0, "run python -m diploma_exchange.credentials.schema --write"


def test_schema_header() -> None:
    schema = json.loads(render_json_schema())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://w3id.org/diploma-exchange/schemas/diploma-credential/v1.json"
    assert schema["properties"]["@context"]["prefixItems"][0] == {
        "const": "https://www.w3.org/ns/credentials/v2"
    }
    types = json.dumps(schema["properties"]["type"])
    assert "VerifiableCredential" in types and "OpenBadgeCredential" in types


@pytest.mark.parametrize("i", range(10))
def test_samples_are_valid(i: int) -> None:
    doc = sample_diploma_credential(i)
    assert validate_credential(doc) == []
    ensure_valid_credential(doc)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_error_scenario(scenario: dict[str, Any]) -> None:
    doc = _apply(sample_diploma_credential(0), scenario)
    details = validate_credential(doc)
    pointers = {d.pointer: d for d in details}
    assert scenario["pointer"] in pointers, details
    detail = pointers[scenario["pointer"]]
    assert detail.code == scenario["code"], detail
    assert detail.message


def test_all_errors_are_reported_at_once() -> None:
    doc = sample_diploma_credential(0)
    for name in ("extra_subject", "bad_isced_f_letters", "missing_name", "bad_birth_date"):
        doc = _apply(doc, next(s for s in SCENARIOS if s["name"] == name))
    pointers = {d.pointer for d in validate_credential(doc)}
    assert {
        "/credentialSubject/favouriteColour",
        "/credentialSubject/achievement/iscedFieldCode",
        "/name",
        "/credentialSubject/graduate/dateOfBirth",
    } <= pointers


def test_ensure_valid_credential_raises_with_details() -> None:
    doc = _apply(sample_diploma_credential(1), SCENARIOS[0])
    with pytest.raises(InvalidCredential) as caught:
        ensure_valid_credential(doc)
    assert caught.value.pointer == "/name"
    assert [d.pointer for d in caught.value.details] == ["/name"]


def test_signed_and_status_forms_are_accepted() -> None:
    doc = sample_diploma_credential(2)
    entry = {
        "id": "https://esil-university.edu.kz/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://esil-university.edu.kz/status/1",
    }
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": "2026-06-30T10:00:00Z",
        "verificationMethod": "did:web:esil-university.edu.kz#key-1",
        "proofPurpose": "assertionMethod",
        "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKods5D2UvPdCTmNp6T",
    }
    for status in (entry, [entry, {**entry, "statusPurpose": "suspension"}]):
        for signed in (proof, [proof]):
            assert validate_credential({**doc, "credentialStatus": status, "proof": signed}) == []


def test_not_an_object() -> None:
    assert validate_credential([]) != []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "pointer"),
    [([], ""), (["a/b", "c~d", 0], "/a~1b/c~0d/0"), (["@context"], "/@context")],
)
def test_json_pointer_escaping(path: list[str | int], pointer: str) -> None:
    assert json_pointer(path) == pointer


DOCS = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def _block(language: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"```{language}\n") + len(language) + 4
    return text[start : text.index("```", start)]


def test_documented_example_is_valid() -> None:
    from diploma_exchange.credentials import find_undefined_terms, parse_graduating_class

    example = json.loads(_block("json"))
    assert validate_credential(example) == []
    assert find_undefined_terms(example) == []
    built = sample_diploma_credential(0)
    built["credentialSubject"]["transcript"] = built["credentialSubject"]["transcript"][:2]
    assert example == built, "docs/schema.md example drifted from sample 0"
    assert len(parse_graduating_class(_block("csv"))) == 1
