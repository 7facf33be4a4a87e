"""The clean-shape cache of the JSON-LD term check never hides an undefined term."""

from __future__ import annotations

import copy

from diploma_exchange.credentials import find_undefined_terms, sample_diploma_credential
from diploma_exchange.credentials.jsonld import term_shape


def test_values_do_not_change_the_shape_but_keys_and_types_do() -> None:
    a, b = sample_diploma_credential(0), copy.deepcopy(sample_diploma_credential(0))
    b["credentialSubject"]["graduate"]["fullName"]["en"] = "Someone Else"
    assert term_shape(a) == term_shape(b)
    b["credentialSubject"]["graduate"]["nickname"] = "x"
    assert term_shape(a) != term_shape(b)
    c = copy.deepcopy(a)
    c["type"] = [*c["type"], "MadeUpCredential"]
    assert term_shape(a) != term_shape(c)
    d = copy.deepcopy(a)
    d["@context"] = [*d["@context"][:2]]
    assert term_shape(a) != term_shape(d)


def test_cached_clean_shape_does_not_hide_new_terms() -> None:
    clean = sample_diploma_credential(3)
    assert find_undefined_terms(clean) == []
    assert find_undefined_terms(clean) == []  # served from the cache
    added_key = copy.deepcopy(clean)
    added_key["credentialSubject"]["achievement"]["secretSauce"] = True
    assert [d.pointer for d in find_undefined_terms(added_key)] == [
        "/credentialSubject/achievement/secretSauce"
    ]
    added_type = copy.deepcopy(clean)
    added_type["credentialSubject"]["type"] = ["AchievementSubject", "UndefinedSubjectType"]
    assert find_undefined_terms(added_type), "an undefined type value must be reported"
    dropped_context = copy.deepcopy(clean)
    dropped_context["@context"] = dropped_context["@context"][:2]
    assert find_undefined_terms(dropped_context), (
        "without the project context its terms are undefined"
    )
