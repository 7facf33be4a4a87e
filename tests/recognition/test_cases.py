"""Recognition assessments checked against published sources.

Every file in ``cases/`` is one scenario: a qualification, a receiving country and what the
sources say the assessment should find, with the sources quoted. ``expected`` may give a value
or a list of acceptable values (a list where the sources leave room, explained in
``confidence_note``). ``confidence`` is ``sourced`` when the expectation rests only on [S]
facts (see /work/shared/research/frameworks.md) and ``inferred`` when it needs an [I] fact or a
judgement the sources do not make directly.

The scenario-set tests (shape, sources, coverage) run without the engine; the assessment tests
are skipped until ``diploma_exchange.recognition.assessment`` exists.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

CASES_DIR = Path(__file__).parent / "cases"

OUTCOMES = {
    "comparable",
    "comparable-with-non-substantial-differences",
    "substantial-difference",
    "insufficient-information",
}
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
    "credit_system",
    "length_years",
    "award_date",
    "grade",
    "grading_scale",
    "institution_accredited",
}
CONFIDENCE = {"sourced", "inferred"}

#: The type ids the engine is specified to know.
KNOWN_TYPES = {
    "kz.bachelor", "kz.specialist", "kz.master-profile", "kz.master-scientific-pedagogical",
    "kz.phd", "kz.candidate-of-sciences", "kz.doctor-of-sciences",
    "ru.bachelor", "ru.specialist", "ru.master", "ru.candidate-of-sciences", "ru.doctor-of-sciences",
    "cn.bachelor", "cn.master", "cn.doctorate", "cn.graduation-certificate-undergraduate",
    "kr.associate", "kr.bachelor", "kr.master", "kr.doctorate",
    "jp.junior-college-associate", "jp.bachelor", "jp.master", "jp.doctorate",
    "au.associate-degree", "au.bachelor", "au.bachelor-honours", "au.master-coursework",
    "au.master-research", "au.doctorate",
    "nz.bachelor", "nz.bachelor-honours", "nz.master", "nz.doctorate",
    "tr.associate", "tr.bachelor", "tr.master", "tr.doctorate",
    "am.bachelor", "am.master", "am.researcher",
    "mn.bachelor", "mn.master", "mn.doctorate",
    "uz.bachelor", "uz.master", "uz.phd", "uz.dsc",
    "kg.bachelor", "kg.specialist", "kg.master",
    "vn.bachelor", "vn.master", "vn.doctorate",
    "in.bachelor-3y", "in.bachelor-4y", "in.master", "in.phd",
    "my.bachelor", "my.master", "my.doctorate",
    "id.d3", "id.s1", "id.s2", "id.s3",
    "th.bachelor", "th.master", "th.doctorate",
    "ph.bachelor", "ph.master", "ph.doctorate",
    "eu.short-cycle", "eu.bachelor", "eu.master", "eu.doctorate",
    # in the engine's registry beyond the list in the brief
    "cn.graduation-certificate-zhuanke", "jp.bachelor-6y", "mn.diploma",
}  # fmt: skip

#: Types whose assessment is known to be hard; each must appear in at least one scenario.
TRICKY_TYPES = {
    "kz.specialist",
    "kz.candidate-of-sciences",
    "kz.doctor-of-sciences",
    "ru.candidate-of-sciences",
    "ru.doctor-of-sciences",
    "au.bachelor-honours",
    "nz.bachelor-honours",
    "in.bachelor-3y",
    "in.bachelor-4y",
    "cn.graduation-certificate-undergraduate",
    "cn.bachelor",
    "kr.associate",
    "jp.junior-college-associate",
    "au.associate-degree",
    "tr.associate",
    "kz.master-profile",
    "kz.master-scientific-pedagogical",
}
#: Kazakh types that need five receiving countries, each also assessed in reverse.
KZ_CORE_TYPES = (
    "kz.bachelor",
    "kz.specialist",
    "kz.master-profile",
    "kz.master-scientific-pedagogical",
    "kz.phd",
)
MIN_CASES = 40
MIN_PAIRS = 5


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


def _type_country(qualification: dict[str, Any]) -> str | None:
    qtype = qualification.get("qualification_type")
    if isinstance(qtype, str) and "." in qtype:
        return qtype.split(".", 1)[0].upper()
    country = qualification.get("country")
    return country if isinstance(country, str) else None


# --------------------------------------------------------------------------------------
# The scenario set itself


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_is_well_formed(scenario: dict[str, Any]) -> None:
    assert scenario["_file"] == f"{scenario['name']}.json", "file name must be the scenario name"
    assert isinstance(scenario.get("description"), str) and scenario["description"].strip()
    assert scenario.get("confidence") in CONFIDENCE
    qualification = scenario["qualification"]
    unknown = set(qualification) - QUALIFICATION_FIELDS
    assert not unknown, f"unknown qualification fields {sorted(unknown)}"
    qtype = qualification.get("qualification_type")
    assert qtype is None or qtype in KNOWN_TYPES, f"unknown qualification_type {qtype!r}"
    receiving = scenario["receiving_country"]
    assert isinstance(receiving, str) and len(receiving) == 2 and receiving.isupper()

    expected = scenario["expected"]
    outcomes = _as_list(expected["outcome"])
    assert outcomes and set(outcomes) <= OUTCOMES, f"bad expected outcome {outcomes}"
    if "comparable_type" in expected and expected["comparable_type"] is not None:
        for ctype in _as_list(expected["comparable_type"]):
            assert ctype in KNOWN_TYPES, f"unknown comparable_type {ctype!r}"
            assert ctype.split(".")[0].upper() == receiving, f"{ctype} is not a {receiving} type"
    if expected.get("isced_level") is not None:
        assert expected["isced_level"] in {"5", "6", "7", "8"}
    for criterion, status in expected.get("criteria", {}).items():
        assert criterion in CRITERIA, f"unknown criterion {criterion!r}"
        assert set(_as_list(status)) <= STATUSES
    if "insufficient-information" in outcomes:
        assert outcomes == ["insufficient-information"]
        assert expected.get("missing"), "an insufficient-information case names the missing fields"
        assert set(expected["missing"]) <= QUALIFICATION_FIELDS
    if "credits" in expected:
        assert expected["credits"].get("range") is True


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_cites_a_source(scenario: dict[str, Any]) -> None:
    sources = scenario.get("source")
    assert isinstance(sources, list) and sources, "every scenario cites at least one source"
    for source in sources:
        assert isinstance(source.get("ref"), str) and source["ref"].strip(), source
        assert isinstance(source.get("quote"), str) and source["quote"].strip(), source


def test_scenario_set_coverage() -> None:
    assert len(SCENARIOS) >= MIN_CASES, f"{len(SCENARIOS)} scenarios, want >= {MIN_CASES}"
    assert len(set(IDS)) == len(IDS), "scenario names are unique"

    used_types = {s["qualification"].get("qualification_type") for s in SCENARIOS}
    assert not TRICKY_TYPES - used_types, (
        f"tricky types without a scenario: {sorted(TRICKY_TYPES - used_types)}"
    )

    # Kazakh type -> receiving country -> the counterpart types the sources name there
    forward: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    # (source country, qualification type) pairs assessed for Kazakhstan
    reverse: set[tuple[str | None, str | None]] = set()
    for s in SCENARIOS:
        qual, receiving = s["qualification"], s["receiving_country"]
        qtype = qual.get("qualification_type")
        ctype = s["expected"].get("comparable_type")
        if qtype in KZ_CORE_TYPES and receiving != "KZ" and ctype is not None:
            forward[qtype][receiving].update(_as_list(ctype))
        if receiving == "KZ":
            reverse.add((_type_country(qual), qtype))

    gaps = []
    for kz_type in KZ_CORE_TYPES:
        countries = forward[kz_type]
        if len(countries) < MIN_PAIRS:
            gaps.append(f"{kz_type}: only {sorted(countries)} as receiving countries")
        both_ways = {
            country
            for country, counterparts in countries.items()
            if any((country, counterpart) in reverse for counterpart in counterparts)
        }
        if len(both_ways) < MIN_PAIRS:
            gaps.append(f"{kz_type}: only {sorted(both_ways)} assessed in both directions")
    assert not gaps, "; ".join(gaps)

    insufficient = [s for s in SCENARIOS if s["expected"]["outcome"] == "insufficient-information"]
    assert len(insufficient) >= 3
    assert any("country" in s["expected"]["missing"] for s in insufficient)
    assert any("ambiguous" in s.get("tags", []) for s in insufficient)
    assert any(
        s["qualification"].get("institution_accredited") is False
        and s["expected"]["outcome"] == "substantial-difference"
        and s["expected"]["criteria"]["quality-assurance"] == "differs"
        for s in SCENARIOS
    )
    assert any(
        s["qualification"].get("credit_system") == "KZ-national-legacy"
        and "credits" in s["expected"]
        for s in SCENARIOS
    )


# --------------------------------------------------------------------------------------
# The engine against the scenarios

ENGINE = "diploma_exchange.recognition.assessment"


def _engine_missing() -> bool:
    try:
        return importlib.util.find_spec(ENGINE) is None
    except ModuleNotFoundError:
        return True


needs_engine = pytest.mark.skipif(_engine_missing(), reason=f"{ENGINE} is not there yet")


def _qualification(fields: dict[str, Any]) -> Any:
    module = importlib.import_module(ENGINE)
    values = dict(fields)
    if isinstance(values.get("award_date"), str):
        values["award_date"] = date.fromisoformat(values["award_date"])
    return module.Qualification(**values)


def _assess(scenario: dict[str, Any]) -> Any:
    module = importlib.import_module(ENGINE)
    return module.assess(_qualification(scenario["qualification"]), scenario["receiving_country"])


def _describe(assessment: Any) -> str:
    criteria = {
        name: getattr(criterion, "status", criterion)
        for name, criterion in (getattr(assessment, "criteria", None) or {}).items()
    }
    steps = [getattr(step, "text", str(step)) for step in getattr(assessment, "steps", ())]
    return (
        f"outcome={getattr(assessment, 'outcome', None)!r} "
        f"comparable_type={getattr(assessment, 'comparable_type', None)!r} "
        f"isced_level={getattr(assessment, 'isced_level', None)!r} criteria={criteria} "
        f"missing={getattr(assessment, 'missing', None)!r} steps={steps}"
    )


@needs_engine
@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_assessment_matches_sources(scenario: dict[str, Any]) -> None:
    expected = scenario["expected"]
    assessment = _assess(scenario)
    seen = _describe(assessment)

    assert assessment.outcome in _as_list(expected["outcome"]), seen

    if "comparable_type" in expected:
        if expected["comparable_type"] is None:
            assert assessment.comparable_type is None, seen
        else:
            assert assessment.comparable_type in _as_list(expected["comparable_type"]), seen

    if expected.get("isced_level") is not None:
        assert assessment.isced_level is not None, seen
        assert str(assessment.isced_level)[0] == expected["isced_level"], seen

    for name, status in expected.get("criteria", {}).items():
        assert name in assessment.criteria, f"criterion {name!r} missing: {seen}"
        assert assessment.criteria[name].status in _as_list(status), f"{name}: {seen}"

    if expected["outcome"] == "insufficient-information":
        assert assessment.missing, seen
        absent = set(expected["missing"]) - set(assessment.missing)
        assert not absent, f"missing fields not named: {sorted(absent)}; {seen}"

    if "credits" in expected:
        bounds = expected["credits"]
        credits = assessment.credits
        assert credits is not None, seen
        assert credits.ects_min is not None and credits.ects_max is not None, seen
        assert credits.ects_min < credits.ects_max, f"a range, not one number: {credits!r}"
        assert credits.ects_min >= bounds["ects_min_at_least"], f"{credits!r} vs {bounds}"
        assert credits.ects_max <= bounds["ects_max_at_most"], f"{credits!r} vs {bounds}"


@needs_engine
@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_every_step_cites_a_source(scenario: dict[str, Any]) -> None:
    assessment = _assess(scenario)
    steps = list(assessment.steps)
    assert steps, f"no reasoning steps: {_describe(assessment)}"
    unsourced = [getattr(step, "text", str(step)) for step in steps if not step.sources]
    assert not unsourced, f"steps without a source: {unsourced}"


FRAMEWORKS = "diploma_exchange.recognition.frameworks"


@pytest.mark.skipif(
    importlib.util.find_spec(FRAMEWORKS) is None, reason=f"{FRAMEWORKS} is not there yet"
)
def test_scenario_types_are_in_the_registry() -> None:
    registry = importlib.import_module(FRAMEWORKS).load_registry()
    named: set[str] = set()
    for s in SCENARIOS:
        qtype = s["qualification"].get("qualification_type")
        if qtype is not None:
            named.add(qtype)
        ctype = s["expected"].get("comparable_type")
        if ctype is not None:
            named.update(_as_list(ctype))
    unknown = sorted(t for t in named if not registry.has_type(t))
    assert not unknown, f"types the registry does not know: {unknown}"
    countries = {s["receiving_country"] for s in SCENARIOS}
    absent = sorted(c for c in countries if not registry.has_country(c))
    assert not absent, f"receiving countries the registry does not know: {absent}"
