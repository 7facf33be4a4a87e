"""JSON-LD safe mode: undefined terms are reported with pointers, offline only."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange.credentials import (
    CONTEXTS,
    ContextNotBundled,
    ensure_defined_terms,
    find_undefined_terms,
    sample_diploma_credential,
)
from diploma_exchange.errors import InvalidCredential, UndefinedTerm
from vector_files import require

PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-jcs-2022",
    "created": "2026-06-30T10:00:00Z",
    "verificationMethod": "did:web:alatau-tech.edu.kz#key-1",
    "proofPurpose": "assertionMethod",
    "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKods5D",
}
STATUS = {
    "id": "https://alatau-tech.edu.kz/status/1#7",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "7",
    "statusListCredential": "https://alatau-tech.edu.kz/status/1",
}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pyld's own (network) loader and any socket connection fail the test loudly."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(jsonld, "_default_document_loader", refuse, raising=False)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


@pytest.mark.parametrize("i", range(10))
def test_samples_have_no_undefined_terms(i: int) -> None:
    doc = sample_diploma_credential(i)
    assert find_undefined_terms(doc) == []
    ensure_defined_terms(doc)


def test_signed_credential_with_status_is_clean() -> None:
    doc = {**sample_diploma_credential(0), "credentialStatus": STATUS, "proof": PROOF}
    assert find_undefined_terms(doc) == []
    assert find_undefined_terms({**doc, "proof": [PROOF, PROOF]}) == []


@pytest.mark.parametrize(
    ("path", "term"),
    [
        ([], "favouriteColour"),
        (["credentialSubject"], "favouriteColour"),
        (["credentialSubject", "graduate"], "nickname"),
        (["credentialSubject", "achievement"], "term"),  # defined on the subject only
        (["credentialSubject", "transcript", 3], "teacher"),
        (["issuer", "address"], "building"),
    ],
)
def test_undefined_term_is_reported_with_pointer(path: list[str | int], term: str) -> None:
    doc = sample_diploma_credential(0)
    target: Any = doc
    for part in path:
        target = target[part]
    target[term] = "x"
    details = find_undefined_terms(doc)
    pointer = "".join(f"/{p}" for p in [*path, term])
    assert [d.pointer for d in details] == [pointer]
    assert term in details[0].message and details[0].code == "undefined-term"
    with pytest.raises(UndefinedTerm) as caught:
        ensure_defined_terms(doc)
    assert caught.value.pointer == pointer


def test_several_undefined_terms_all_reported() -> None:
    doc = sample_diploma_credential(1)
    doc["favouriteColour"] = "red"
    doc["credentialSubject"]["favouriteColour"] = "blue"
    doc["credentialSubject"]["graduate"]["shoeSize"] = 42
    assert {d.pointer for d in find_undefined_terms(doc)} == {
        "/favouriteColour",
        "/credentialSubject/favouriteColour",
        "/credentialSubject/graduate/shoeSize",
    }


def test_undefined_type_is_reported() -> None:
    doc = sample_diploma_credential(0)
    doc["type"] = [*doc["type"], "FancyDiploma"]
    details = find_undefined_terms(doc)
    assert [d.pointer for d in details] == ["/type/3"]
    assert "FancyDiploma" in details[0].message


def test_issuer_dependent_terms_are_reported() -> None:
    """With the undefined-terms context nothing is dropped; the @vocab IRIs are found."""
    doc = sample_diploma_credential(0)
    doc["@context"] = [*doc["@context"], "https://www.w3.org/ns/credentials/undefined-terms/v2"]
    doc["credentialSubject"]["favouriteColour"] = "red"
    doc["type"] = [*doc["type"], "FancyDiploma"]
    pointers = {d.pointer for d in find_undefined_terms(doc)}
    assert pointers == {"/credentialSubject/favouriteColour", "/type/3"}


def test_proof_can_be_excluded() -> None:
    doc = {**sample_diploma_credential(0), "proof": {**PROOF, "signatureColour": "gold"}}
    assert [d.pointer for d in find_undefined_terms(doc)] == ["/proof/signatureColour"]
    assert find_undefined_terms(doc, include_proof=False) == []


def test_non_bundled_context_errors_without_network() -> None:
    doc = sample_diploma_credential(0)
    doc["@context"] = [*doc["@context"], "https://example.com/contexts/extra.jsonld"]
    with pytest.raises(ContextNotBundled) as caught:
        find_undefined_terms(doc)
    assert "https://example.com/contexts/extra.jsonld is not bundled" in str(caught.value)


def test_protected_term_redefinition_is_invalid() -> None:
    doc = sample_diploma_credential(0)
    doc["@context"] = [*doc["@context"], {"name": "https://example.com/name"}]
    with pytest.raises(InvalidCredential):
        find_undefined_terms(doc)


def test_input_is_not_mutated() -> None:
    doc = sample_diploma_credential(0)
    doc["credentialSubject"]["favouriteColour"] = "red"
    before = copy.deepcopy(doc)
    find_undefined_terms(doc)
    assert doc == before


def test_ob_validator_sample_expands_without_dropped_terms() -> None:
    """1EdTech's validator sample (OB 3.0.3 contexts) is clean through our loader."""
    sample = json.loads(require("openbadges/validator-samples/simple.json").read_text())
    missing = [u for u in sample["@context"] if isinstance(u, str) and u not in CONTEXTS]
    if missing:
        pytest.skip(f"sample needs contexts that are not bundled: {missing}")
    assert find_undefined_terms(sample) == []


@pytest.mark.parametrize(
    "name",
    [
        "basicOpenBadgeCredential-03-sample-openbadgecredential.json",
        "achievementAlignmentCase-01-achievement-alignment-case.json",
    ],
)
def test_ob_spec_examples_are_clean(name: str) -> None:
    sample = json.loads(require(f"openbadges/spec-examples/{name}").read_text())
    missing = [u for u in sample["@context"] if isinstance(u, str) and u not in CONTEXTS]
    if missing:
        pytest.skip(f"example needs contexts that are not bundled: {missing}")
    assert find_undefined_terms(sample) == []
