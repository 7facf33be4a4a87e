"""Recognition assessments checked against published sources.

Every file in ``cases/`` is one scenario: a qualification, a receiving country and what the
sources say the assessment should find, with each source's address and a short quotation.
``expected`` may give a value or a list of acceptable values (a list where the sources leave
room, explained in ``confidence_note``). ``confidence`` is ``sourced`` when the expectation is
a published comparison or a fact stated in the quoted sources, and ``inferred`` when it applies
the Convention's method (recognition unless a substantial difference) to sourced facts.

The scenario-set tests (shape, sources, coverage of every country as receiving and awarding
system) run without the engine; the assessment tests run every scenario through it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from diploma_exchange.recognition import Qualification, assess, load_registry
from diploma_exchange.recognition.assessment import OUTCOMES

CASES_DIR = Path(__file__).parent / "cases"

STATUSES = {"met", "differs", "unknown"}
CRITERIA = {"level", "workload", "field", "purpose-and-access", "quality-assurance"}
QUALIFICATION_FIELDS = {
    "country",
    "qualification_type",
    "achievement_type",
    "isced_level",
    "isced_field",
    "nqf_level",
    "credits",
    "credits_max",
    "credit_system",
    "length_years",
    "award_date",
    "grade",
    "grading_scale",
    "institution_accredited",
    "purpose",
    "institution_type",
    "institution_tier",
    "prior_qualification",
    "completed",
}
EXPECTED_FIELDS = {
    "outcome",
    "comparable_type",
    "comparable_types",
    "receiving_level",
    "eqf_range",
    "isced_level",
    "criteria",
    "missing",
    "credits",
    "credits_recognised",
    "contradiction",
    "purposes",
    "category_missing",
}
CONFIDENCE = {"sourced", "inferred"}
#: What the scenario set must exercise, by tag, and how often at least.
REQUIRED_TAGS = {
    "range": 3,
    "condition": 6,
    "purpose": 2,
    "partial": 6,
    "not-completed": 2,
    "insufficient": 6,
    "contradiction": 3,
    "category-missing": 2,
}
MIN_CASES = 150
URL = re.compile(r"https?://\S+")


def _load() -> list[dict[str, Any]]:
    scenarios = []
    for path in sorted(CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["_file"] = path.name
        scenarios.append(data)
    return scenarios


SCENARIOS = _load()
IDS = [s["name"] for s in SCENARIOS]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _awarding_country(qualification: dict[str, Any]) -> str | None:
    qtype = qualification.get("qualification_type")
    if isinstance(qtype, str) and "." in qtype:
        return qtype.split(".", 1)[0].upper()
    country = qualification.get("country")
    return country if isinstance(country, str) else None


# --------------------------------------------------------------------------------------
# The scenario set itself


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_is_well_formed(scenario: dict[str, Any]) -> None:
    registry = load_registry()
    assert scenario["_file"] == f"{scenario['name']}.json", "file name must be the scenario name"
    assert isinstance(scenario.get("description"), str) and scenario["description"].strip()
    assert scenario.get("confidence") in CONFIDENCE
    qualification = scenario["qualification"]
    unknown = set(qualification) - QUALIFICATION_FIELDS
    assert not unknown, f"unknown qualification fields {sorted(unknown)}"
    qtype = qualification.get("qualification_type")
    assert qtype is None or registry.has_type(qtype), f"unknown qualification_type {qtype!r}"
    receiving = scenario["receiving_country"]
    assert registry.has_country(receiving), f"unknown receiving country {receiving!r}"

    expected = scenario["expected"]
    assert not set(expected) - EXPECTED_FIELDS, (
        f"unknown expectations {set(expected) - EXPECTED_FIELDS}"
    )
    outcomes = _as_list(expected["outcome"])
    assert outcomes and set(outcomes) <= set(OUTCOMES), f"bad expected outcome {outcomes}"
    named = _as_list(expected.get("comparable_type") or []) + list(
        expected.get("comparable_types", [])
    )
    for ctype in named:
        assert registry.has_type(ctype), f"unknown comparable type {ctype!r}"
        assert ctype.split(".")[0].upper() == receiving, f"{ctype} is not a {receiving} type"
    for criterion, status in expected.get("criteria", {}).items():
        assert criterion in CRITERIA, f"unknown criterion {criterion!r}"
        assert set(_as_list(status)) <= STATUSES
    if "insufficient-information" in outcomes:
        assert outcomes == ["insufficient-information"]
        assert expected.get("missing"), "an insufficient-information case names the missing facts"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_cites_a_source_with_a_quotation(scenario: dict[str, Any]) -> None:
    sources = scenario.get("source")
    assert isinstance(sources, list) and sources, "every scenario cites at least one source"
    for source in sources:
        address = source.get("url") or source.get("ref") or ""
        assert URL.search(address), f"a source needs its address: {source}"
        assert isinstance(source.get("quote"), str) and len(source["quote"].strip()) >= 10, source


def test_scenario_set_covers_every_country_both_ways() -> None:
    registry = load_registry()
    assert len(SCENARIOS) >= MIN_CASES, f"{len(SCENARIOS)} scenarios, want >= {MIN_CASES}"
    assert len(set(IDS)) == len(IDS), "scenario names are unique"
    receiving = {s["receiving_country"] for s in SCENARIOS}
    awarding = {_awarding_country(s["qualification"]) for s in SCENARIOS}
    countries = {c.code for c in registry.countries() if not c.group}
    assert not countries - receiving, f"never receiving: {sorted(countries - receiving)}"
    assert not countries - awarding, f"never awarding: {sorted(countries - awarding)}"
    tags: dict[str, int] = defaultdict(int)
    for s in SCENARIOS:
        for tag in s.get("tags", []):
            tags[tag] += 1
    short = {t: (tags[t], n) for t, n in REQUIRED_TAGS.items() if tags[t] < n}
    assert not short, f"too few scenarios for (have, want): {short}"


# --------------------------------------------------------------------------------------
# The engine against the scenarios


def _qualification(fields: dict[str, Any]) -> Qualification:
    values = dict(fields)
    if isinstance(values.get("award_date"), str):
        values["award_date"] = date.fromisoformat(values["award_date"])
    return Qualification(**values)


def _describe(a: Any) -> str:
    criteria = {name: c.status for name, c in a.criteria.items()}
    return (
        f"outcome={a.outcome!r} types={a.comparable_types!r} level={a.receiving_level!r} "
        f"eqf={a.eqf_range} isced={a.isced_level!r} criteria={criteria} missing={a.missing!r} "
        f"purposes={[(p.purpose, p.outcome) for p in a.purposes]} "
        f"steps={[s.text for s in a.steps]}"
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_assessment_matches_sources(scenario: dict[str, Any]) -> None:
    expected = scenario["expected"]
    a = assess(_qualification(scenario["qualification"]), scenario["receiving_country"])
    seen = _describe(a)

    assert a.outcome in _as_list(expected["outcome"]), seen
    if "comparable_type" in expected:
        if expected["comparable_type"] is None:
            assert a.comparable_type is None, seen
        else:
            assert a.comparable_type in _as_list(expected["comparable_type"]), seen
    for ctype in expected.get("comparable_types", []):
        assert ctype in a.comparable_types, f"{ctype} not among the comparable types: {seen}"
    if "receiving_level" in expected:
        assert a.receiving_level in _as_list(expected["receiving_level"]), seen
    if "eqf_range" in expected:
        assert str(a.eqf_range) == expected["eqf_range"], seen
    if expected.get("isced_level") is not None:
        assert a.isced_level is not None and str(a.isced_level)[0] == expected["isced_level"], seen
    for name, status in expected.get("criteria", {}).items():
        assert a.criteria[name].status in _as_list(status), f"{name}: {seen}"
    if expected["outcome"] == "insufficient-information":
        absent = set(expected["missing"]) - set(a.missing)
        assert not absent, f"missing facts not named: {sorted(absent)}; {seen}"
        assert all(f.document["en"] for f in a.missing_facts), seen
    if expected.get("contradiction"):
        assert a.contradictions, seen
    if "category_missing" in expected:
        assert a.category_missing is expected["category_missing"], seen
    if "credits_recognised" in expected:
        cr = a.credits_recognised
        assert cr is not None and cr.ects_min is not None, seen
        assert (cr.ects_min, cr.ects_max) == (
            expected["credits_recognised"]["min"],
            expected["credits_recognised"]["max"],
        ), seen
    for purpose, outcome in expected.get("purposes", {}).items():
        got = {p.purpose: p.outcome for p in a.purposes}
        assert got.get(purpose) in _as_list(outcome), f"{purpose}: {seen}"
    if "credits" in expected:
        bounds = expected["credits"]
        credits = a.credits
        assert credits is not None and credits.ects_min is not None, seen
        assert credits.ects_max is not None and credits.ects_min < credits.ects_max, seen
        assert credits.ects_min >= bounds["ects_min_at_least"], f"{credits!r} vs {bounds}"
        assert credits.ects_max <= bounds["ects_max_at_most"], f"{credits!r} vs {bounds}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_every_step_cites_a_source_in_three_languages(scenario: dict[str, Any]) -> None:
    a = assess(_qualification(scenario["qualification"]), scenario["receiving_country"])
    assert a.steps, f"no reasoning steps: {_describe(a)}"
    for step in a.steps:
        assert step.sources, f"step without a source: {step.text}"
        assert all(ref.url.startswith("http") and ref.quote for ref in step.sources), step
        assert set(step.texts) == {"en", "ru", "kk"} and all(step.texts.values()), step
    for name, criterion in a.criteria.items():
        assert set(criterion.texts) == {"en", "ru", "kk"}, name
        assert criterion.texts["en"] == criterion.reason, name
