"""checks/coverage.py: appended contexts and JSON that hides what the RDF says."""

from __future__ import annotations

from typing import Any

import pytest

from diploma_exchange.verification.checks import coverage
from verification.checks.fakes import examined_after_proof, new_issuer, signed


def status_of(document: dict[str, Any]) -> tuple[str, str]:
    check = coverage.run(examined_after_proof(document))
    return check.status.value, check.code


def test_nothing_appended_is_covered() -> None:
    assert status_of(signed(new_issuer())) == ("passed", "covered")


@pytest.mark.parametrize(
    "appended",
    [
        {"unused": "https://example.org/unused"},
        "https://www.w3.org/ns/credentials/v2",  # a repeated signed context
    ],
)
def test_appended_contexts_without_effect_are_ignored(appended: Any) -> None:
    document = signed(new_issuer())
    document["@context"] = [*document["@context"], appended]
    assert status_of(document) == ("passed", "covered")


@pytest.mark.parametrize(
    "appended",
    [
        {"id": "https://example.org/not-an-id"},  # redefines a keyword alias
        "https://www.w3.org/2018/credentials/v1",
        "https://unknown.example/context",
    ],
)
def test_appended_contexts_that_may_change_meaning_fail(appended: Any) -> None:
    document = signed(new_issuer())
    document["@context"] = [*document["@context"], appended]
    assert status_of(document) == ("failed", "unsigned-context")


def test_rdf_signed_json_must_say_what_the_rdf_says() -> None:
    document = signed(new_issuer(), "eddsa-rdfc-2022", validUntil="2026-01-01T00:00:00Z")
    assert status_of(document) == ("passed", "covered")
    hidden = {k: v for k, v in document.items() if k != "validUntil"}
    hidden["https://www.w3.org/2018/credentials#validUntil"] = {
        "@value": "2026-01-01T00:00:00Z",
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    }
    assert status_of(hidden) == ("failed", "json-differs-from-signed-data")


def test_without_a_verified_proof_it_is_skipped() -> None:
    from diploma_exchange.verification.state import Examined
    from verification.checks.fakes import NOW

    check = coverage.run(Examined(received=signed(new_issuer()), now=NOW))
    assert (check.status.value, check.code) == ("skipped", "proof-not-verified")


def _hidden_valid_until(document: dict[str, Any]) -> dict[str, Any]:
    hidden = {k: v for k, v in document.items() if k != "validUntil"}
    hidden["https://www.w3.org/2018/credentials#validUntil"] = {
        "@value": "2026-01-01T00:00:00Z",
        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
    }
    return hidden


@pytest.mark.parametrize("hide", [False, True])
def test_the_expansion_of_the_rdf_proof_is_reused_with_the_same_verdict(
    hide: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diploma_exchange.proofs import rdfc

    document = signed(new_issuer(), "eddsa-rdfc-2022", validUntil="2026-01-01T00:00:00Z")
    if hide:
        document = _hidden_valid_until(document)
    alone = status_of(document)
    expansions: list[object] = []
    original = coverage.CachingProcessor.expand

    def counted(self: Any, input_: Any, options: Any) -> Any:
        if type(self) is coverage.CachingProcessor:  # not the proof check's own processor
            expansions.append(input_)
        return original(self, input_, options)

    monkeypatch.setattr(coverage.CachingProcessor, "expand", counted)
    with rdfc.sharing_expansions():
        body = {k: v for k, v in document.items() if k != "proof"}
        rdfc.canonize(body)  # what the eddsa-rdfc-2022 proof check does first
        expansions.clear()
        shared = status_of(document)
    assert shared == alone
    assert expansions == []  # coverage expanded nothing itself
    assert alone == (("failed", "json-differs-from-signed-data") if hide else ("passed", "covered"))


def test_a_document_changed_after_its_proof_check_is_expanded_afresh() -> None:
    from diploma_exchange.proofs import rdfc

    document = signed(new_issuer(), "eddsa-rdfc-2022", validUntil="2026-01-01T00:00:00Z")
    with rdfc.sharing_expansions():
        rdfc.canonize({k: v for k, v in document.items() if k != "proof"})
        assert status_of(_hidden_valid_until(document)) == (
            "failed",
            "json-differs-from-signed-data",
        )
