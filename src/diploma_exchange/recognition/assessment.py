"""Comparability assessment of a foreign (or domestic) qualification: a pure function.

Method (Lisbon / Tokyo Conventions; ENIC-NARIC EAR manual ch. 10): a qualification is
recognised unless the assessing party shows a *substantial difference*. The engine maps by
qualification **type** and ISCED 2011 programme code, never by a national level number alone
(Thai bachelor = TQF:HEd 2, Australian bachelor = AQF 7, Indian bachelor = NHEQF 5.5 or 6).

Outcome rules (documented decisions):

* missing country / undeterminable type -> ``insufficient-information`` with ``missing``
  naming exactly the fields that were needed; the engine never guesses.
* a criterion that ``differs`` substantially -> ``substantial-difference`` (reasons given).
* a criterion that differs non-substantially, a match that is only the nearest type (no
  identical type in the receiving system), or an ``unknown`` on level, workload,
  purpose-and-access or quality-assurance -> ``comparable-with-non-substantial-differences``.
  In particular an unknown QA status is **not** a substantial difference (the burden of proof
  lies with the assessing party, Tokyo Art. III.3 / Lisbon Art. III.3) but it keeps the
  outcome below plain ``comparable`` until it is confirmed.
* an unaccredited institution (``institution_accredited=False``) -> substantial difference.
* a sourced comparison statement (``data/comparisons.json``) caps the outcome at what the
  source allows and may name the comparable type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from diploma_exchange.recognition.errors import UnknownReference
from diploma_exchange.recognition.frameworks import (
    CreditSystem,
    FrameworkRegistry,
    GradingScale,
    QualificationType,
    load_registry,
)

Outcome = Literal[
    "comparable",
    "comparable-with-non-substantial-differences",
    "substantial-difference",
    "insufficient-information",
]
Status = Literal["met", "differs", "unknown"]
CRITERIA = ("level", "workload", "field", "purpose-and-access", "quality-assurance")
_SEVERITY: dict[str, int] = {
    "comparable": 0,
    "comparable-with-non-substantial-differences": 1,
    "substantial-difference": 2,
    "insufficient-information": 3,
}
#: Which receiving categories to try, in order, for a source category.
_FALLBACK: dict[str, tuple[str, ...]] = {
    "short-cycle": ("short-cycle",),
    "bachelor": ("bachelor",),
    "bachelor-honours": ("bachelor-honours", "bachelor"),
    "long-first-degree": ("long-first-degree", "master"),
    "master": ("master",),
    "doctorate": ("doctorate",),
    "higher-doctorate": ("higher-doctorate", "doctorate"),
}
#: Category of the next cycle a qualification normally gives access to.
_NEXT_CYCLE: dict[str, str] = {
    "short-cycle": "bachelor",
    "bachelor": "master",
    "bachelor-honours": "doctorate",
    "long-first-degree": "doctorate",
    "master": "doctorate",
}
#: A workload shortfall larger than one full-time year is treated as substantial.
_SUBSTANTIAL_SHORTFALL_ECTS = 60.0
_ECTS_PER_YEAR = 60.0
_TOKYO_SOURCE = (
    "Tokyo Convention 2011, Art. III.3 and VI.1 (substance per NZ MFAT treaty summary; "
    "https://www.treaties.mfat.govt.nz/search/details/t/3845/3160)"
)
_EAR_SOURCE = (
    "ENIC-NARIC EAR manual, ch. 10 (http://ear.enic-naric.net/emanual/Chapter10/introduction.aspx)"
)
_OB_DOCTORATES = ("DoctoralDegree", "ResearchDoctorate", "ProfessionalDoctorate")


@dataclass(frozen=True)
class Step:
    """One step of the reasoning, with where it comes from and how sure it is."""

    text: str
    sources: tuple[str, ...] = ()
    confidence: str = "inferred"


@dataclass(frozen=True)
class Criterion:
    """One of the five elements of a substantial-difference test."""

    status: Status
    reason: str
    substantial: bool = False


@dataclass(frozen=True)
class CreditConversion:
    """Credits converted to ECTS (a range unless the factor is exact) and to the receiving system."""

    value: float
    system: str
    ects_min: float | None
    ects_max: float | None
    receiving_system: str | None = None
    receiving_min: float | None = None
    receiving_max: float | None = None
    sources: tuple[str, ...] = ()
    confidence: str = "inferred"
    note: str | None = None

    @property
    def is_range(self) -> bool:
        """Whether the ECTS value is a range rather than one number."""
        return self.ects_min != self.ects_max


@dataclass(frozen=True)
class Qualification:
    """What is being assessed. Every field except the country may be unknown."""

    country: str | None
    qualification_type: str | None
    achievement_type: str | None = None
    isced_level: str | None = None
    isced_field: str | None = None
    nqf_level: str | None = None
    credits: float | None = None
    credit_system: str | None = None
    length_years: float | None = None
    award_date: date | None = None
    grade: str | None = None
    grading_scale: str | None = None
    institution_accredited: bool | None = None

    @classmethod
    def from_credential(
        cls, credential: Mapping[str, Any], *, accredited: bool | None = None
    ) -> Qualification:
        """Read a diploma credential (our VC 2.0 / OB 3.0 profile, docs/schema.md).

        Missing or malformed optional fields become ``None``; nothing is raised for them, so
        that :func:`assess` can report them as missing. ``accredited`` is the QA status from the
        verification report (``issuer.accreditation``).
        """
        subject = _mapping(credential.get("credentialSubject"))
        achievement = _mapping(subject.get("achievement"))
        issuer = _mapping(credential.get("issuer"))
        address = _mapping(issuer.get("address"))
        nqf = _mapping(achievement.get("nqfLevel"))
        credits = _mapping(achievement.get("credits"))
        country = address.get("addressCountryCode")
        value = credits.get("value", achievement.get("creditsAvailable"))
        grade, scale = _overall_result(subject, achievement)
        return cls(
            country=country.upper() if isinstance(country, str) else None,
            qualification_type=None,
            achievement_type=_str(achievement.get("achievementType")),
            isced_level=_str(achievement.get("iscedLevel")),
            isced_field=_str(achievement.get("iscedFieldCode")),
            nqf_level=_str(nqf.get("level")),
            credits=float(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else None,
            credit_system=_str(credits.get("system")),
            length_years=_duration_years(_str(achievement.get("officialLength"))),
            award_date=_date(
                _str(credential.get("awardedDate")) or _str(credential.get("validFrom"))
            ),
            grade=grade,
            grading_scale=scale,
            institution_accredited=accredited,
        )


@dataclass(frozen=True)
class Assessment:
    """The result of :func:`assess`; never truthy by accident (no ``__bool__``: compare ``outcome``)."""

    outcome: Outcome
    source_type: str | None
    comparable_type: str | None
    receiving_country: str
    receiving_level: str | None = None
    isced_level: str | None = None
    eqf_level: str | None = None
    aqrf_level: str | None = None
    steps: tuple[Step, ...] = ()
    credits: CreditConversion | None = None
    grade_guidance: str | None = None
    criteria: dict[str, Criterion] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    data_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict."""
        return asdict(self)

    def to_json(self) -> str:
        """Serialise to JSON (stable key order)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------------------------------
# public functions


def convert_credits(
    value: float,
    system: str,
    registry: FrameworkRegistry | None = None,
    *,
    cycle: str | None = None,
    receiving_system: str | None = None,
) -> CreditConversion:
    """Convert ``value`` credits of ``system`` to ECTS, and optionally to ``receiving_system``.

    Systems with a level-dependent factor (``KZ-national-legacy``) use ``cycle`` (``bachelor``,
    ``master``, ``doctorate``, ``practice``) when given, otherwise the range over all cycles,
    so the result is a range and never a false single number. Systems without a standard
    factor (e.g. Chinese credits) give ``ects_min = ects_max = None``.
    Raises :class:`UnknownReference` for an unknown system and ``ValueError`` for a negative value.
    """
    if value < 0:
        raise ValueError(f"credits must not be negative, got {value}")
    reg = registry or load_registry()
    cs = reg.credit_system(system)
    lo, hi, note = _factor(cs, cycle)
    ects_min = None if lo is None else round(value * lo, 2)
    ects_max = None if hi is None else round(value * hi, 2)
    rs_id: str | None = None
    r_min = r_max = None
    if receiving_system is not None:
        rs = reg.credit_system(receiving_system)
        rs_id = rs.id
        rlo, rhi, _ = _factor(rs, cycle)
        if ects_min is not None and ects_max is not None and rlo and rhi:
            r_min, r_max = round(ects_min / rhi, 2), round(ects_max / rlo, 2)
    return CreditConversion(
        value=value,
        system=cs.id,
        ects_min=ects_min,
        ects_max=ects_max,
        receiving_system=rs_id,
        receiving_min=r_min,
        receiving_max=r_max,
        sources=cs.sources,
        confidence=cs.confidence,
        note=note,
    )


def grade_position(grade: str, scale: str, registry: FrameworkRegistry | None = None) -> str:
    """Describe where ``grade`` sits on ``scale`` relative to its pass mark.

    ``scale`` is a registry scale id (``kz-gpa-4``, ``ru-5-point``, ``ph-1-5``, ...) or an
    explicit ``"MIN-MAX"`` / ``"MIN-MAX;pass=P"`` range. The answer is a position (lower,
    middle, upper part of the passing range), never a converted grade.
    Raises ``ValueError`` when the grade or scale cannot be read, and
    :class:`UnknownReference` for an unknown scale id.
    """
    lo, hi, pass_mark, higher_better, letters = _scale(scale, registry)
    points = _grade_points(grade, letters)
    if not (min(lo, hi) <= points <= max(lo, hi)):
        raise ValueError(f"grade {grade!r} is outside the scale {_num(lo)}–{_num(hi)}")
    label = f"{grade} on {_num(lo)}–{_num(hi)}"
    if pass_mark is None:
        share = (points - lo) / (hi - lo) if higher_better else (hi - points) / (hi - lo)
        return f"{label} (pass mark unknown): {_part(share)} of the scale"
    label += (
        f", pass {pass_mark:.1f}" if pass_mark == int(pass_mark) else f", pass {_num(pass_mark)}"
    )
    best = hi if higher_better else lo
    passed = points >= pass_mark if higher_better else points <= pass_mark
    if not passed:
        return f"{label}: below the pass mark"
    if best == pass_mark:
        return f"{label}: at the pass mark"
    share = (points - pass_mark) / (best - pass_mark)
    if share >= 1:
        return f"{label}: the best grade on the scale"
    return f"{label}: {_part(share)} of the passing range"


def assess(
    qualification: Qualification,
    receiving_country: str,
    registry: FrameworkRegistry | None = None,
    *,
    required_field: str | None = None,
) -> Assessment:
    """Assess ``qualification`` for recognition in ``receiving_country``.

    ``required_field`` (an ISCED-F code) makes the field a criterion, e.g. for access to a
    programme in that field; otherwise the field is reported but does not change the outcome.
    Raises :class:`UnknownReference` if ``receiving_country`` has no data (a caller error);
    every problem with the qualification itself is reported in the result instead.
    """
    reg = registry or load_registry()
    receiving = reg.country(receiving_country)
    steps: list[Step] = []
    base = {"receiving_country": receiving.code, "data_version": reg.data_version}

    # 1. Resolve the awarding system and the qualification type.
    country_code = qualification.country.upper() if qualification.country else None
    stype: QualificationType | None = None
    if qualification.qualification_type is not None:
        if not reg.has_type(qualification.qualification_type):
            return _insufficient(
                base,
                steps,
                ("qualification_type",),
                f"Unknown qualification type {qualification.qualification_type!r}.",
            )
        stype = reg.qualification_type(qualification.qualification_type)
        if country_code is not None and country_code != stype.country_code:
            return _insufficient(
                base,
                steps,
                ("country",),
                f"Country {country_code} conflicts with type {stype.id} "
                f"({stype.country_code}); correct one of them.",
            )
        country_code = stype.country_code
    if country_code is None:
        return _insufficient(
            base,
            steps,
            ("country", "qualification_type"),
            "Neither the awarding country nor the qualification type is known.",
        )
    if not reg.has_country(country_code):
        return _insufficient(
            base,
            steps,
            ("country",),
            f"No frameworks data for the awarding country {country_code}.",
        )
    source_country = reg.country(country_code)
    if stype is None:
        stype, why = _infer_type(qualification, source_country.qualification_types)
        if stype is None:
            needed = ["qualification_type"]
            if not any(
                (qualification.achievement_type, qualification.isced_level, qualification.nqf_level)
            ):
                needed.append("isced_level")
            return _insufficient(base, steps, tuple(needed), why)
        steps.append(
            Step(
                f"Qualification type inferred as {stype.id} ({stype.names.en}) {why}.",
                stype.sources,
                stype.confidence,
            )
        )
    else:
        steps.append(
            Step(
                f"Qualification type {stype.id}: {stype.names.en}.", stype.sources, stype.confidence
            )
        )
    if stype.notes:
        steps.append(Step(f"Note on {stype.id}: {stype.notes}", stype.sources, stype.confidence))
    steps.extend(_legal_basis(reg, source_country.code, receiving.code))
    level_warnings = _consistency(qualification, stype)
    if (
        stype.country_code == "KZ"
        and qualification.award_date is not None
        and qualification.award_date.year <= 2018
        and (qualification.credit_system or "").lower() not in ("kz-national", "kz-national-legacy")
    ):
        steps.append(
            Step(
                "Awarded before the credit reform (believed 2018 [I]): check whether the credits are "
                "pre-reform Kazakh national credits (KZ-national-legacy, x1.5-4.8 by level), not 1:1 ECTS.",
                reg.credit_system("KZ-national-legacy").sources,
                "inferred",
            )
        )
    steps.extend(Step(w, stype.sources, "inferred") for w in level_warnings)

    # 2. Find the comparable receiving type (sourced statement first, then by category).
    statement = reg.comparison(stype.id, receiving.code)
    target: QualificationType | None
    nearest_only = False
    if statement is not None:
        target = (
            reg.qualification_type(statement.comparable_type) if statement.comparable_type else None
        )
        steps.append(Step(statement.note, statement.sources, statement.confidence))
    else:
        target, nearest_only = _match(
            stype,
            receiving.qualification_types,
            reg,
            qualification.isced_field,
            qualification.length_years,
        )
    if target is not None:
        steps.append(
            Step(
                f"Comparable type in {receiving.code}: {target.id} ({target.names.en}"
                f"{', ' + receiving.framework.id + ' level ' + target.nqf_level if target.nqf_level else ''}).",
                target.sources,
                target.confidence,
            )
        )
        if nearest_only:
            steps.append(
                Step(
                    f"{receiving.code} has no {stype.category} type; {target.id} is the nearest type at "
                    f"the same ISCED level ({target.isced_level}).",
                    (_EAR_SOURCE,),
                    "inferred",
                )
            )
        if stype.category == "higher-doctorate" and target.category != "higher-doctorate":
            steps.append(
                Step(
                    f"{stype.names.en} is a higher doctorate (habilitation-type) with no direct "
                    f"equivalent in {receiving.code}; it is at least comparable to {target.id}.",
                    stype.sources,
                    stype.confidence,
                )
            )

    treaties = [
        g
        for g in reg.agreements_between(source_country.code, receiving.code)
        if source_country.code != receiving.code
        and target is not None
        and stype.category in g.covers_categories
        and target.category == stype.category
    ]
    for g in treaties:
        steps.append(
            Step(
                f"{g.name} establishes the equivalence of {stype.category} qualifications between its "
                "parties; undocumented details do not lower the outcome.",
                g.sources,
                g.confidence,
            )
        )

    # 3. Criteria.
    credits = _credits(qualification, stype, reg, receiving.primary_credit_system)
    criteria: dict[str, Criterion] = {
        "level": _level(stype, target, level_warnings, nearest_only),
        "workload": _workload(qualification, stype, target, credits, reg),
        "field": _field(qualification, reg, required_field),
        "purpose-and-access": _purpose(stype, target, reg),
        "quality-assurance": _qa(qualification.institution_accredited),
    }
    missing: list[str] = []
    if qualification.institution_accredited is None:
        missing.append("institution_accredited")
    if qualification.isced_field is None:
        missing.append("isced_field")

    # 4. Outcome.
    reasons = [
        f"{name}: {c.reason}"
        for name, c in criteria.items()
        if c.status == "differs" and c.substantial
    ]
    if statement is not None and statement.outcome == "substantial-difference":
        reasons.append(f"sourced comparison: {statement.note}")
    if target is None and not reasons:
        reasons.append(f"no comparable qualification type in {receiving.code} for {stype.id}")
    outcome: Outcome
    if reasons:
        outcome = "substantial-difference"
    elif (
        nearest_only
        or any(c.status == "differs" for c in criteria.values())
        or any(criteria[n].status == "unknown" for n in _capping_unknowns(bool(treaties)))
    ):
        outcome = "comparable-with-non-substantial-differences"
    else:
        outcome = "comparable"
    if statement is not None and _SEVERITY[statement.outcome] > _SEVERITY[outcome]:
        outcome = statement.outcome
    steps.append(Step(f"Outcome: {outcome}.", (_TOKYO_SOURCE, _EAR_SOURCE), "authoritative"))

    grade_guidance = None
    if qualification.grade is not None:
        grade_guidance = _guidance(qualification, source_country.grading_scales, reg)
    eqf = stype.eqf_level or (target.eqf_level if target is not None else None)
    aqrf = stype.aqrf_level or (target.aqrf_level if target is not None else None)
    return Assessment(
        outcome=outcome,
        source_type=stype.id,
        comparable_type=target.id if target is not None else None,
        receiving_level=target.nqf_level if target is not None else None,
        isced_level=stype.isced,
        eqf_level=eqf,
        aqrf_level=aqrf,
        steps=tuple(steps),
        credits=credits,
        grade_guidance=grade_guidance,
        criteria=criteria,
        missing=tuple(missing),
        reasons=tuple(reasons),
        **base,
    )


def _capping_unknowns(treaty: bool) -> tuple[str, ...]:
    """Criteria whose ``unknown`` keeps the outcome below ``comparable``.

    An agreement that establishes equivalence between the two systems settles level,
    workload and purpose; quality assurance must still be known.
    """
    if treaty:
        return ("quality-assurance",)
    return ("level", "workload", "purpose-and-access", "quality-assurance")


# ---------------------------------------------------------------------------------------
# resolution and matching


def _insufficient(
    base: Mapping[str, Any], steps: list[Step], missing: Sequence[str], why: str
) -> Assessment:
    steps.append(Step(f"{why} Provide: {', '.join(missing)}.", (_EAR_SOURCE,), "authoritative"))
    return Assessment(
        outcome="insufficient-information",
        source_type=None,
        comparable_type=None,
        steps=tuple(steps),
        criteria={n: Criterion("unknown", "not assessed: " + why) for n in CRITERIA},
        missing=tuple(missing),
        **base,
    )


def _infer_type(
    q: Qualification, types: Sequence[QualificationType]
) -> tuple[QualificationType | None, str]:
    used: list[str] = []
    candidates = list(types)
    if q.achievement_type:
        used.append(f"achievementType {q.achievement_type}")
        wanted = {q.achievement_type} | (
            set(_OB_DOCTORATES) if q.achievement_type in _OB_DOCTORATES else set()
        )
        candidates = [t for t in candidates if wanted & set(t.achievement_types)]
    if q.isced_level:
        used.append(f"ISCED {q.isced_level}")
        candidates = [t for t in candidates if t.isced_level == q.isced_level[0]]
        exact = [t for t in candidates if t.isced == q.isced_level]
        candidates = exact if len(q.isced_level) == 3 and exact else candidates
    if q.nqf_level:
        used.append(f"NQF level {q.nqf_level}")
        candidates = [t for t in candidates if t.nqf_level is None or t.nqf_level == q.nqf_level]
    if not used:
        return None, "The qualification type is not given and there is nothing to infer it from."
    if len(candidates) > 1 and q.length_years is not None:
        used.append(f"length {_num(q.length_years)} years")
        candidates = [
            t
            for t in candidates
            if t.length_years is None
            or t.length_years.min - 0.25 <= q.length_years <= t.length_years.max + 0.25
        ]
    if len(candidates) > 1 and q.credits is not None and q.credit_system is not None:
        used.append(f"{_num(q.credits)} {q.credit_system} credits")
        candidates = [
            t
            for t in candidates
            if t.credits is None or t.credits.min <= q.credits <= t.credits.max
        ]
    if len(candidates) == 1:
        return candidates[0], "from " + ", ".join(used)
    if not candidates:
        return None, f"No qualification type matches {', '.join(used)}."
    ids = ", ".join(t.id for t in candidates)
    return (
        None,
        f"The type is ambiguous ({ids}) given {', '.join(used)}; give qualification_type, length_years or credits.",
    )


def _match(
    source: QualificationType,
    types: Sequence[QualificationType],
    reg: FrameworkRegistry,
    isced_field: str | None,
    length_years: float | None = None,
) -> tuple[QualificationType | None, bool]:
    """The best receiving type and whether it is only the nearest (not the same) kind.

    Types restricted to some fields (6-year Japanese medical bachelor) only match a
    qualification in one of those fields.
    """
    for i, category in enumerate(_FALLBACK[source.category]):
        candidates = [
            t
            for t in types
            if t.category == category
            and t.degree
            and (not t.fields or any((isced_field or "").startswith(f) for f in t.fields))
        ]
        if candidates:
            best = max(candidates, key=lambda t: _score(source, t, reg, length_years))
            # Honours -> bachelor is the sourced placement (Nuffic: level 6), not a fallback.
            honours = source.category == "bachelor-honours" and category == "bachelor"
            return best, i > 0 and not honours
    return None, False


def _score(
    source: QualificationType,
    cand: QualificationType,
    reg: FrameworkRegistry,
    length_years: float | None = None,
) -> tuple[float, ...]:
    """Rank candidates: same access to the next cycle, then length, then the default type."""
    access = 0.0
    if source.access_known and cand.access_known:
        access = 1.0 if _gives_next_cycle(source, reg) == _gives_next_cycle(cand, reg) else 0.0
    overlap = 0.0
    if length_years is not None and cand.length_years:
        lo_c, hi_c = cand.length_years.min, cand.length_years.max
        inside = lo_c - 0.25 <= length_years <= hi_c + 0.25
        overlap = 1.0 if inside else -min(abs(length_years - lo_c), abs(length_years - hi_c))
    elif source.length_years and cand.length_years:
        lo = max(source.length_years.min, cand.length_years.min)
        hi = min(source.length_years.max, cand.length_years.max)
        overlap = 1.0 if lo <= hi else -abs(source.length_years.max - cand.length_years.max)
    return (access, overlap, 1.0 if cand.default_for_category else 0.0)


def _gives_next_cycle(t: QualificationType, reg: FrameworkRegistry) -> bool:
    """Whether ``t`` gives access to a type of the next cycle or beyond (ids checked on load)."""
    nxt = _NEXT_CYCLE.get(t.category)
    if nxt is None:
        return False
    return any(
        reg.has_type(target) and _rank(reg.qualification_type(target).category) >= _rank(nxt)
        for target in t.access_to
    )


def _rank(category: str) -> int:
    return {
        "short-cycle": 5,
        "bachelor": 6,
        "bachelor-honours": 6,
        "long-first-degree": 7,
        "master": 7,
        "doctorate": 8,
        "higher-doctorate": 9,
    }[category]


# ---------------------------------------------------------------------------------------
# criteria


def _consistency(q: Qualification, t: QualificationType) -> list[str]:
    warnings = []
    if q.isced_level and q.isced_level[0] != t.isced_level:
        warnings.append(
            f"The stated ISCED level {q.isced_level} does not fit {t.id} (ISCED {t.isced}); check the document."
        )
    doctoral = q.achievement_type in _OB_DOCTORATES and set(_OB_DOCTORATES) & set(
        t.achievement_types
    )
    unusual = q.achievement_type and q.achievement_type not in t.achievement_types
    if unusual and t.achievement_types and not doctoral:
        warnings.append(
            f"achievementType {q.achievement_type} is unusual for {t.id} "
            f"(expected {', '.join(t.achievement_types)})."
        )
    return warnings


def _level(
    s: QualificationType, t: QualificationType | None, warnings: list[str], nearest: bool
) -> Criterion:
    if warnings and any("ISCED" in w for w in warnings):
        return Criterion("unknown", warnings[0])
    if t is None:
        return Criterion(
            "differs",
            f"no qualification type of the receiving system is comparable to {s.id} "
            f"(ISCED {s.isced_level}) under the data and sourced comparisons applied; "
            "consider partial recognition as periods of study",
            True,
        )
    if s.isced_level != t.isced_level:
        sub = s.isced_level < t.isced_level
        return Criterion("differs", f"ISCED {s.isced} vs {t.isced}", sub)
    if nearest:
        return Criterion(
            "met",
            f"same ISCED level {s.isced_level}; {s.category} vs {t.category} ({s.isced} vs {t.isced})",
        )
    return Criterion("met", f"same ISCED level {s.isced_level} and type category ({s.category})")


def _ects_of_type(t: QualificationType, reg: FrameworkRegistry) -> tuple[float, float] | None:
    if t.credits is not None:
        conv = convert_credits(t.credits.min, t.credits.system, reg, cycle=_cycle(t))
        conv_max = convert_credits(t.credits.max, t.credits.system, reg, cycle=_cycle(t))
        if conv.ects_min is not None and conv_max.ects_max is not None:
            return conv.ects_min, conv_max.ects_max
    if t.length_years is not None:
        return t.length_years.min * _ECTS_PER_YEAR, t.length_years.max * _ECTS_PER_YEAR
    return None


def _credits(
    q: Qualification, t: QualificationType, reg: FrameworkRegistry, receiving_system: str | None
) -> CreditConversion | None:
    if q.credits is None:
        return None
    system = q.credit_system or (t.credits.system if t.credits else None)
    if system is None:
        return None
    try:
        return convert_credits(
            q.credits, system, reg, cycle=_cycle(t), receiving_system=receiving_system
        )
    except UnknownReference:
        return CreditConversion(
            q.credits, system, None, None, note=f"unknown credit system {system!r}"
        )


def _workload(
    q: Qualification,
    s: QualificationType,
    t: QualificationType | None,
    conv: CreditConversion | None,
    reg: FrameworkRegistry,
) -> Criterion:
    if conv is not None and conv.ects_min is not None and conv.ects_max is not None:
        src: tuple[float, float] | None = (conv.ects_min, conv.ects_max)
        basis = f"{_num(conv.value)} {conv.system} credits = {_range(conv.ects_min, conv.ects_max)} ECTS"
    elif q.length_years is not None:
        src = (q.length_years * _ECTS_PER_YEAR, q.length_years * _ECTS_PER_YEAR)
        basis = f"{_num(q.length_years)} years of full-time study (~{_num(src[0])} ECTS)"
    else:
        src = _ects_of_type(s, reg)
        basis = f"typical workload of {s.id} (~{_range(*src)} ECTS)" if src else ""
    if t is None:
        return Criterion("unknown", "no comparable type to compare the workload with")
    if src is None:
        return Criterion(
            "unknown", f"workload of {s.id} unknown (no credits or length given or in the data)"
        )
    want = _ects_of_type(t, reg)
    if want is None:
        return Criterion("unknown", f"typical workload of {t.id} unknown")
    if src[1] >= want[0]:
        return Criterion("met", f"{basis}; {t.id} typically {_range(*want)} ECTS")
    shortfall = want[0] - src[1]
    return Criterion(
        "differs",
        f"{basis}; {t.id} requires at least {_num(want[0])} ECTS "
        f"(short by at least {_num(shortfall)} ECTS)",
        shortfall > _SUBSTANTIAL_SHORTFALL_ECTS,
    )


def _field(q: Qualification, reg: FrameworkRegistry, required: str | None) -> Criterion:
    if q.isced_field is None:
        return Criterion("unknown", "field of study (ISCED-F) not given")
    try:
        f = reg.iscedf_field(q.isced_field)
    except UnknownReference:
        return Criterion("unknown", f"{q.isced_field!r} is not an ISCED-F 2013 code")
    if required is None:
        return Criterion("met", f"ISCED-F {f.code} {f.name} (no field requirement)")
    if q.isced_field.startswith(required) or required.startswith(q.isced_field):
        return Criterion("met", f"ISCED-F {f.code} {f.name} matches the required field {required}")
    sub = q.isced_field[:2] != required[:2]
    return Criterion(
        "differs", f"ISCED-F {f.code} {f.name} differs from the required field {required}", sub
    )


def _purpose(
    s: QualificationType, t: QualificationType | None, reg: FrameworkRegistry
) -> Criterion:
    if t is None:
        return Criterion("unknown", "no comparable type")
    if not s.degree and t.degree:
        sub = s.category != "short-cycle"
        return Criterion(
            "differs",
            f"{s.names.en} certifies completion of studies but confers no degree, "
            f"whereas {t.id} is a degree",
            sub,
        )
    t_next = _gives_next_cycle(t, reg)
    if not s.access_known:
        if t_next:
            return Criterion(
                "unknown",
                f"whether {s.id} gives access to the next cycle is not documented; {t.id} does",
            )
        return Criterion("met", f"{t.id} gives no access the source may lack")
    s_next = _gives_next_cycle(s, reg)
    if t_next and not s_next:
        return Criterion("differs", f"{s.id} gives no access to the next cycle; {t.id} does", True)
    return Criterion(
        "met", f"both give access to further study ({', '.join(s.access_to) or 'none needed'})"
    )


def _qa(accredited: bool | None) -> Criterion:
    if accredited is True:
        return Criterion("met", "the institution is accredited / quality assured")
    if accredited is False:
        return Criterion(
            "differs", "the awarding institution is not accredited or recognised", True
        )
    return Criterion(
        "unknown",
        "accreditation status not established; not itself a substantial "
        "difference (burden of proof on the assessing party)",
    )


def _legal_basis(reg: FrameworkRegistry, source: str, receiving: str) -> list[Step]:
    steps: list[Step] = []
    a, b = reg.country(source), reg.country(receiving)
    for name in ("tokyo", "lisbon", "global"):
        ca, cb = a.convention(name), b.convention(name)
        if ca is None or cb is None or source == receiving:
            continue
        statuses = {ca.status, cb.status}
        if statuses == {"party"}:
            steps.append(
                Step(
                    f"Both {source} and {receiving} are parties to the {name.title()} Convention.",
                    ca.sources + cb.sources,
                    "authoritative",
                )
            )
        elif statuses <= {"party", "ratified-not-in-force", "acceding"}:
            steps.append(
                Step(
                    f"{name.title()} Convention: {source} {ca.status}, {receiving} {cb.status}; "
                    "check entry into force before citing it.",
                    ca.sources + cb.sources,
                    "inferred",
                )
            )
    for g in reg.agreements_between(source, receiving):
        if source != receiving:
            steps.append(Step(f"Agreement {g.name}: {g.scope}.", g.sources, g.confidence))
    return steps


# ---------------------------------------------------------------------------------------
# credits and grades helpers


def _cycle(t: QualificationType) -> str:
    return {
        "short-cycle": "bachelor",
        "bachelor": "bachelor",
        "bachelor-honours": "bachelor",
        "long-first-degree": "bachelor",
        "master": "master",
    }.get(t.category, "doctorate")


def _factor(cs: CreditSystem, cycle: str | None) -> tuple[float | None, float | None, str | None]:
    if cs.ects_factor_by_cycle:
        if cycle is not None and cycle in cs.ects_factor_by_cycle:
            r = cs.ects_factor_by_cycle[cycle]
            return (
                r.min,
                r.max,
                f"{cs.id}: level-dependent factor for {cycle} x{_num(r.min)}-{_num(r.max)}",
            )
        lo = min(r.min for r in cs.ects_factor_by_cycle.values())
        hi = max(r.max for r in cs.ects_factor_by_cycle.values())
        return (
            lo,
            hi,
            f"{cs.id}: cycle unknown, range over all level-dependent factors x{_num(lo)}-{_num(hi)}",
        )
    if cs.ects_factor is None:
        return None, None, f"{cs.id}: no standard ECTS conversion"
    return cs.ects_factor.min, cs.ects_factor.max, None


def _scale(
    scale: str, registry: FrameworkRegistry | None
) -> tuple[float, float, float | None, bool, dict[str, float]]:
    m = re.fullmatch(
        r"\s*(-?\d+(?:\.\d+)?)\s*[-–]\s*(-?\d+(?:\.\d+)?)\s*(?:[;:,]\s*(?:pass\s*=?\s*)?(-?\d+(?:\.\d+)?))?\s*",
        scale,
    )
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if lo == hi:
            raise ValueError(f"grading scale {scale!r} is empty")
        return lo, hi, float(m.group(3)) if m.group(3) else None, True, {}
    g: GradingScale = (registry or load_registry()).grading_scale(scale)
    return (
        g.min,
        g.max,
        g.pass_mark,
        g.higher_is_better,
        {lt.grade.upper(): lt.points for lt in g.letters},
    )


def _grade_points(grade: str, letters: Mapping[str, float]) -> float:
    key = grade.strip().upper().replace("−", "-")
    if key in letters:
        return letters[key]
    try:
        return float(key.replace(",", "."))
    except ValueError:
        raise ValueError(f"cannot read grade {grade!r}") from None


def _guidance(
    q: Qualification, scales: Sequence[GradingScale], reg: FrameworkRegistry
) -> str | None:
    assert q.grade is not None  # caller checked; not input validation
    candidates = [q.grading_scale] if q.grading_scale else [s.id for s in scales]
    for scale in candidates:
        try:
            return grade_position(q.grade, scale, reg)
        except (ValueError, UnknownReference):
            continue
    return None


def _part(share: float) -> str:
    return "lower part" if share < 1 / 3 else "middle part" if share < 2 / 3 else "upper part"


def _num(x: float) -> str:
    return f"{x:g}"


def _range(lo: float, hi: float) -> str:
    return _num(lo) if lo == hi else f"{_num(lo)}–{_num(hi)}"


# ---------------------------------------------------------------------------------------
# credential reading helpers


def _mapping(x: Any) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def _str(x: Any) -> str | None:
    return x if isinstance(x, str) and x else None


def _duration_years(d: str | None) -> float | None:
    m = re.fullmatch(r"P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?", d or "")
    if not d or not m or not (m.group(1) or m.group(2)):
        return None
    return round(float(m.group(1) or 0) + float(m.group(2) or 0) / 12, 2)


def _date(s: str | None) -> date | None:
    if not s:
        return None
    try:
        return datetime.fromisoformat(s).date()
    except ValueError:
        return None


def _overall_result(
    subject: Mapping[str, Any], achievement: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    results = subject.get("result")
    if not isinstance(results, list) or not results:
        return None, None
    first = _mapping(results[0])
    value = _str(first.get("value"))
    ref = first.get("resultDescription")
    scale = None
    descriptions = achievement.get("resultDescription")
    for rd in descriptions if isinstance(descriptions, list) else []:
        rd = _mapping(rd)
        if (
            rd.get("id") == ref
            and rd.get("valueMin") is not None
            and rd.get("valueMax") is not None
        ):
            scale = f"{rd['valueMin']}-{rd['valueMax']}"
            if rd.get("requiredValue") is not None:
                scale += f";pass={rd['requiredValue']}"
    return value, scale
