"""Comparability assessment of a foreign (or domestic) qualification: a pure function.

Method (Tokyo and Lisbon Conventions; ENIC-NARIC EAR manual ch. 10): a qualification is
recognised unless the assessing party shows a *substantial difference*, judged "in relation
to the function of the qualification and the purpose for which recognition is sought". The
engine works like an evaluator:

1. It identifies the qualification by **type** (given, or inferred from achievement type,
   ISCED level, national level, length, credits and awarding institution) and checks the
   facts against each other. A contradiction in a fact that decides the answer (type, ISCED
   level, national level, length, credits) gives ``insufficient-information`` naming the
   facts in conflict and the documents that settle them; it never picks one side.
2. A **published comparison** (``data/comparisons.json``) is a rule with conditions (awarding
   institution type or status, prior qualification, field, purpose, length, credits, award
   date). Rules whose conditions hold decide; rules that would differ on a fact not given
   give ``insufficient-information`` (or, when only the purpose is open, an answer per
   purpose: ``comparable-for-purpose``). A rule may name several comparable types (a range:
   "level 6 or 7 depending on the programme") and credits recognised (partial recognition).
3. Without a published comparison, the engine compares by type category and ISCED level with
   the receiving country's own types. A category the receiving country does not have is said
   so explicitly (with both levels), never reported as a bare "level difference".
4. Certificates of study (programme not completed) are ``not-a-completed-qualification``:
   no comparable type, the credits recognisable as periods of study.

Outcome rules otherwise as before: a substantial difference in a criterion, an unaccredited
institution, or a rule saying so -> ``substantial-difference``; an unknown QA status is not a
substantial difference (the burden of proof lies with the assessing party) but keeps the
outcome below plain ``comparable``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from diploma_exchange.recognition import messages as msg
from diploma_exchange.recognition.errors import UnknownReference
from diploma_exchange.recognition.frameworks import (
    INSTITUTION_TYPES,
    PURPOSES,
    Citation,
    Conditions,
    Country,
    CreditSystem,
    FrameworkRegistry,
    GradingScale,
    Outcome,
    QualificationType,
    Rule,
    RuleResult,
    load_registry,
)

Status = Literal["met", "differs", "unknown"]
CRITERIA = ("level", "workload", "field", "purpose-and-access", "quality-assurance")
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]
_SEVERITY: dict[str, int] = {
    "comparable": 0,
    "comparable-with-non-substantial-differences": 1,
    "comparable-for-purpose": 2,
    "partial-recognition": 3,
    "not-a-completed-qualification": 4,
    "substantial-difference": 5,
    "insufficient-information": 6,
}
#: Which receiving categories to try, in order, for a source category.
_FALLBACK: dict[str, tuple[str, ...]] = {
    "short-cycle": ("short-cycle",),
    "bachelor": ("bachelor",),
    "bachelor-honours": ("bachelor-honours", "bachelor"),
    "long-first-degree": ("long-first-degree",),
    "master": ("master",),
    "doctorate": ("doctorate",),
    "higher-doctorate": ("higher-doctorate", "doctorate"),
}
_RANK: dict[str, int] = {
    "certificate-of-study": 4,
    "short-cycle": 5,
    "bachelor": 6,
    "bachelor-honours": 6,
    "long-first-degree": 7,
    "master": 7,
    "doctorate": 8,
    "higher-doctorate": 9,
}
#: Purpose -> the category the comparable qualification must give access to.
_PURPOSE_ACCESS: dict[str, str] = {
    "admission-master": "master",
    "admission-doctorate": "doctorate",
}
#: A workload shortfall larger than one full-time year is treated as substantial.
_SUBSTANTIAL_SHORTFALL_ECTS = 60.0
_ECTS_PER_YEAR = 60.0
#: Tolerance when comparing a stated length with a type's length (one semester).
_LENGTH_TOLERANCE = 0.5
_OB_DOCTORATES = ("DoctoralDegree", "ResearchDoctorate", "ProfessionalDoctorate")
#: Open Badges achievement types and the categories they can stand for.
_ACHIEVEMENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "AssociateDegree": ("short-cycle",),
    "BachelorDegree": ("bachelor", "bachelor-honours", "long-first-degree"),
    "MasterDegree": ("master", "long-first-degree"),
    "DoctoralDegree": ("doctorate", "higher-doctorate"),
    "ResearchDoctorate": ("doctorate", "higher-doctorate"),
    "ProfessionalDoctorate": ("doctorate",),
}


@dataclass(frozen=True)
class Reference:
    """Where a step comes from: an authoritative source and the words quoted from it."""

    url: str
    title: str
    publisher: str
    quote: str
    checked: str


@dataclass(frozen=True)
class Step:
    """One step of the reasoning (English ``text``; ``texts`` has en/ru/kk), with sources."""

    text: str
    sources: tuple[Reference, ...] = ()
    confidence: str = "inferred"
    texts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Criterion:
    """One of the five elements of a substantial-difference test."""

    status: Status
    reason: str
    substantial: bool = False
    texts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Contradiction:
    """Facts of the input that cannot all be true."""

    fields: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class MissingFact:
    """A fact the assessment needs, and the document that supplies it (en/ru/kk)."""

    field: str
    name: dict[str, str]
    document: dict[str, str]


@dataclass(frozen=True)
class LevelRange:
    """A level, or a range of levels, in a named framework."""

    framework: str
    min: str
    max: str

    @property
    def is_range(self) -> bool:
        """Whether the sources give more than one level."""
        return self.min != self.max

    def __str__(self) -> str:
        return self.min if not self.is_range else f"{self.min}–{self.max}"


@dataclass(frozen=True)
class PurposeOption:
    """What a comparison gives for one purpose of recognition."""

    purpose: str
    outcome: str
    comparable_types: tuple[str, ...] = ()


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
    sources: tuple[Reference, ...] = ()
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
    #: Upper bound when the credits are known only as a range (``credits`` is then the lower).
    credits_max: float | None = None
    credit_system: str | None = None
    length_years: float | None = None
    award_date: date | None = None
    grade: str | None = None
    grading_scale: str | None = None
    institution_accredited: bool | None = None
    #: Why recognition is sought (``admission-doctorate``, ``employment``, ...).
    purpose: str | None = None
    #: Kind of awarding institution (``university``, ``university-of-applied-sciences``, ...).
    institution_type: str | None = None
    #: Status of the awarding institution where a comparison depends on it (``project-211``).
    institution_tier: str | None = None
    #: The qualification that gave access to this one: a type id (``cn.bachelor``) or a category.
    prior_qualification: str | None = None
    #: False for studies that did not complete the programme (certificate of study, transcript).
    completed: bool | None = None

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
    """The result of :func:`assess`; never truthy by accident (no ``__bool__``: compare ``outcome``).

    ``comparable_type`` is set when exactly one type is comparable; ``comparable_types`` lists
    all (several when the sources give a range). ``receiving_level`` is the level in the
    receiving framework as text ("6", or "6–7" for a range); ``level`` the same as a range.
    """

    outcome: str
    source_type: str | None
    comparable_type: str | None
    receiving_country: str
    comparable_types: tuple[str, ...] = ()
    receiving_level: str | None = None
    level: LevelRange | None = None
    isced_level: str | None = None
    eqf_level: str | None = None
    eqf_range: LevelRange | None = None
    aqrf_level: str | None = None
    depends_on: str | None = None
    purposes: tuple[PurposeOption, ...] = ()
    category_missing: bool = False
    credits_recognised: CreditConversion | None = None
    steps: tuple[Step, ...] = ()
    credits: CreditConversion | None = None
    grade_guidance: str | None = None
    criteria: dict[str, Criterion] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    missing_facts: tuple[MissingFact, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()
    reasons: tuple[str, ...] = ()
    summary: dict[str, str] = field(default_factory=dict)
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
    value_max: float | None = None,
) -> CreditConversion:
    """Convert ``value`` credits of ``system`` (to ``value_max`` for a range) to ECTS, and
    optionally to ``receiving_system``.

    Systems with a level-dependent factor (``KZ-national-legacy``) use ``cycle`` (``bachelor``,
    ``master``, ``doctorate``, ``practice``) when given, otherwise the range over all cycles,
    so the result is a range and never a false single number. Systems without a standard
    factor (e.g. Chinese credits) give ``ects_min = ects_max = None``.
    Raises :class:`UnknownReference` for an unknown system and ``ValueError`` for a negative
    value or a maximum below the value.
    """
    if value < 0:
        raise ValueError(f"credits must not be negative, got {value}")
    top = value if value_max is None else value_max
    if top < value:
        raise ValueError(f"credits maximum {top} is below the minimum {value}")
    reg = registry or load_registry()
    cs = reg.credit_system(system)
    lo, hi, note = _factor(cs, cycle)
    ects_min = None if lo is None else round(value * lo, 2)
    ects_max = None if hi is None else round(top * hi, 2)
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
        sources=_refs(reg, cs.sources),
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


class _Run:
    """The state of one assessment: registry, receiving system, steps and the base fields."""

    def __init__(self, reg: FrameworkRegistry, receiving: Country) -> None:
        self.reg = reg
        self.receiving = receiving
        self.steps: list[Step] = []

    def step(
        self,
        code: str,
        citations: Sequence[Citation] = (),
        confidence: str = "authoritative",
        **params: object,
    ) -> None:
        texts = msg.render(code, **params)
        if not citations:
            # Procedural steps rest on the Convention's principles (burden of proof, fairness).
            citations = _outcome_sources(self.reg)
        self.steps.append(Step(texts["en"], _refs(self.reg, citations), confidence, texts))

    def base(self) -> dict[str, Any]:
        return {"receiving_country": self.receiving.code, "data_version": self.reg.data_version}

    def name(self, t: QualificationType) -> msg.Localized:
        return msg.Localized(
            f"{t.names.en} [{t.id}]",
            f"{t.names.ru or t.names.en} [{t.id}]",
            f"{t.names.kk or t.names.ru or t.names.en} [{t.id}]",
        )

    def country_name(self, c: Country) -> msg.Localized:
        return msg.Localized(c.names.en, c.names.ru, c.names.kk)


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
    run = _Run(reg, reg.country(receiving_country))
    q = qualification

    # 1. The awarding system and the qualification type.
    stype, early = _resolve(run, q)
    if early is not None:
        return early
    assert stype is not None  # _resolve returns one or the other
    source_country = reg.country(stype.country_code)
    run.step(
        "type",
        stype.sources,
        stype.confidence,
        type=run.name(stype),
        country=run.country_name(source_country),
        category=msg.CATEGORIES[stype.category],
        isced=stype.isced,
        nqf=(f"; {source_country.framework.id} {stype.nqf_level}" if stype.nqf_level else ""),
    )
    if not stype.degree and stype.completed:
        run.step("no-degree", stype.sources, stype.confidence, type=run.name(stype))
    _legacy_credit_warning(run, q, stype)

    # 2. Contradictions between the facts given and the type.
    contradictions = _contradictions(q, stype, source_country)
    if contradictions:
        for c in contradictions:
            run.step("contradiction", stype.sources, stype.confidence, detail=c.message)
        fields = tuple(dict.fromkeys(f for c in contradictions for f in c.fields))
        return _insufficient(run, fields, contradictions=tuple(contradictions), source=stype)

    _legal_basis(run, source_country)
    credits = _credits(q, stype, reg, run.receiving.primary_credit_system)

    # 3. Not a completed qualification: periods of study only.
    if stype.category == "certificate-of-study" or q.completed is False:
        return _not_completed(run, q, stype, credits)

    # 4. Published comparisons, then the generic comparison by type.
    decision = _apply_rules(run, q, stype)
    if isinstance(decision, Assessment):
        return decision
    purposes: tuple[PurposeOption, ...] = ()
    if decision is not None:
        result, rule_sources, rule_conf, purposes = decision
        match = _from_rule(run, stype, result)
        rule_outcome: str | None = result.outcome
    else:
        match = _generic_match(run, q, stype)
        rule_outcome = None
        rule_sources, rule_conf = (), "inferred"

    # 5. Criteria and outcome.
    return _conclude(
        run,
        q,
        stype,
        match,
        credits,
        rule_outcome,
        purposes,
        required_field,
        rule_sources,
        rule_conf,
    )


# ---------------------------------------------------------------------------------------
# step 1: resolution


def _resolve(run: _Run, q: Qualification) -> tuple[QualificationType | None, Assessment | None]:
    reg = run.reg
    country_code = q.country.upper() if q.country else None
    if q.qualification_type is not None:
        if not reg.has_type(q.qualification_type):
            run.step("unknown-type", (), "authoritative", value=q.qualification_type)
            return None, _insufficient(run, ("qualification_type",))
        stype = reg.qualification_type(q.qualification_type)
        if country_code is not None and country_code != stype.country_code:
            run.step(
                "contradiction",
                stype.sources,
                "authoritative",
                detail=f"country {country_code} vs type {stype.id} of {stype.country_code}",
            )
            c = Contradiction(
                ("country", "qualification_type"),
                f"country {country_code} vs type {stype.id} of {stype.country_code}",
            )
            return None, _insufficient(run, ("country",), contradictions=(c,))
        return stype, None
    if country_code is None:
        run.step("nothing-to-infer")
        return None, _insufficient(run, ("country", "qualification_type"))
    if not reg.has_country(country_code):
        run.step("no-country-data", value=country_code)
        return None, _insufficient(run, ("country",))
    country = reg.country(country_code)
    inferred, why, ambiguous = _infer_type(q, country)
    if inferred is None:
        if ambiguous:
            run.step("ambiguous", country.framework.sources, types=", ".join(ambiguous), basis=why)
            needed = ["qualification_type"]
            return None, _insufficient(run, tuple(needed))
        if why:
            run.step("no-match-for", country.framework.sources, country=country.code, basis=why)
            return None, _insufficient(run, ("qualification_type",))
        run.step("nothing-to-infer", country.framework.sources)
        return None, _insufficient(run, ("qualification_type", "isced_level"))
    run.step(
        "type-inferred", inferred.sources, inferred.confidence, type=run.name(inferred), basis=why
    )
    return inferred, None


def _infer_type(
    q: Qualification, country: Country
) -> tuple[QualificationType | None, str, tuple[str, ...]]:
    """The one type the facts point to, or None with what was used and the candidates."""
    used: list[str] = []
    candidates = [t for t in country.qualification_types]
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
        used.append(f"NQF {q.nqf_level}")
        candidates = [t for t in candidates if t.nqf_level is None or t.nqf_level == q.nqf_level]
    if not used:
        return None, "", ()
    candidates = [t for t in candidates if t.category != "certificate-of-study"] or candidates
    if len(candidates) > 1 and q.institution_type:
        narrowed = [
            t
            for t in candidates
            if not t.institution_types or q.institution_type in t.institution_types
        ]
        if narrowed and len(narrowed) < len(candidates):
            used.append(f"institution type {q.institution_type}")
            candidates = narrowed
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
    if len(candidates) > 1:
        defaults = [t for t in candidates if t.default_for_category]
        categories = {t.category for t in candidates}
        if len(defaults) == 1 and len(categories) == 1 and q.institution_type is None:
            # Several variants of one category (e.g. by institution): the default one unless
            # a fact distinguishes them. Only for variants of the same category.
            pass
    if len(candidates) == 1:
        return candidates[0], ", ".join(used), ()
    if not candidates:
        return None, ", ".join(used), ()
    return None, ", ".join(used), tuple(t.id for t in candidates)


# ---------------------------------------------------------------------------------------
# step 2: contradictions


def _contradictions(
    q: Qualification, t: QualificationType, country: Country
) -> list[Contradiction]:
    """Facts that cannot all be true for type ``t`` (each names the fields in conflict)."""
    out: list[Contradiction] = []
    if q.isced_level and q.isced_level[0] != t.isced_level:
        out.append(
            Contradiction(
                ("qualification_type", "isced_level"),
                f"ISCED {q.isced_level} does not fit {t.id} (ISCED {t.isced})",
            )
        )
    if q.achievement_type in _ACHIEVEMENT_CATEGORIES:
        cats = _ACHIEVEMENT_CATEGORIES[q.achievement_type]
        fits = t.category in cats or q.achievement_type in t.achievement_types
        if not fits and t.category != "certificate-of-study":
            out.append(
                Contradiction(
                    ("qualification_type", "achievement_type"),
                    f"achievementType {q.achievement_type} does not fit {t.id} ({t.category})",
                )
            )
        if q.isced_level and t.isced_level == q.isced_level[0] and not fits:
            pass
    if q.achievement_type in _ACHIEVEMENT_CATEGORIES and q.isced_level and not q.qualification_type:
        pass
    if (
        q.nqf_level is not None
        and t.nqf_level is not None
        and q.nqf_level.strip() != t.nqf_level
        and country.framework.levels
    ):
        out.append(
            Contradiction(
                ("qualification_type", "nqf_level"),
                f"{country.framework.id} level {q.nqf_level} does not fit {t.id} "
                f"({country.framework.id} level {t.nqf_level})",
            )
        )
    if q.completed is False:
        # Studies left before completion: their length and credits are below the type's.
        return out
    if q.length_years is not None and t.length_years is not None:
        lo, hi = t.length_years.min, t.length_years.max
        if not (lo - _LENGTH_TOLERANCE <= q.length_years <= hi + _LENGTH_TOLERANCE):
            out.append(
                Contradiction(
                    ("qualification_type", "length_years"),
                    f"a {_num(q.length_years)}-year programme does not fit {t.id} "
                    f"({_range(lo, hi)} years)",
                )
            )
    if q.credits is not None and t.credits is not None:
        system = (q.credit_system or t.credits.system).lower()
        same = system == t.credits.system.lower()
        top = q.credits_max if q.credits_max is not None else q.credits
        if same and (top < t.credits.min * 0.9 or q.credits > t.credits.max * 1.1):
            out.append(
                Contradiction(
                    ("qualification_type", "credits"),
                    f"{_range(q.credits, top)} {t.credits.system} credits do not fit {t.id} "
                    f"({_range(t.credits.min, t.credits.max)})",
                )
            )
    if q.credits_max is not None and q.credits is not None and q.credits_max < q.credits:
        out.append(Contradiction(("credits",), "the credit range ends below its start"))
    if (
        q.length_years is not None
        and q.credits is not None
        and (q.credit_system or "").upper() == "ECTS"
    ):
        per_year = q.credits / q.length_years if q.length_years else 0
        if per_year < 30 or per_year > 90:
            out.append(
                Contradiction(
                    ("length_years", "credits"),
                    f"{_num(q.credits)} ECTS in {_num(q.length_years)} years is not a "
                    "full-time or part-time load (60 ECTS a year)",
                )
            )
    return out


# ---------------------------------------------------------------------------------------
# step 3: not completed


def _not_completed(
    run: _Run, q: Qualification, t: QualificationType, credits: CreditConversion | None
) -> Assessment:
    run.step("not-completed", t.sources, t.confidence, type=run.name(t))
    missing: list[str] = []
    if credits is not None and credits.ects_min is not None and credits.ects_max is not None:
        run.step(
            "credits-recognised",
            [c for c in t.sources],
            "authoritative",
            credits=_range(credits.ects_min, credits.ects_max),
        )
    else:
        missing.append("credits")
    criteria = {
        "level": _crit("differs", "c-not-completed", True, type=t.id),
        "workload": _crit("met", "c-credits-recognisable")
        if credits is not None
        else _crit("unknown", "c-credits-not-given"),
        "field": _field(q, run.reg, None),
        "purpose-and-access": _crit("differs", "c-no-next-cycle-certificate", True),
        "quality-assurance": _qa(q.institution_accredited),
    }
    outcome = "not-a-completed-qualification"
    run.step("outcome", outcome=msg.OUTCOMES[outcome])
    return Assessment(
        outcome=outcome,
        source_type=t.id,
        comparable_type=None,
        isced_level=t.isced,
        credits=credits,
        credits_recognised=credits,
        steps=tuple(run.steps),
        criteria=criteria,
        missing=tuple(missing),
        missing_facts=_facts(missing),
        reasons=(f"{t.id} is not a completed qualification",),
        summary=msg.render("outcome", outcome=msg.OUTCOMES[outcome]),
        **run.base(),
    )


# ---------------------------------------------------------------------------------------
# step 4: published comparisons


def _condition(
    name: str, cond: Conditions, q: Qualification, reg: FrameworkRegistry
) -> bool | None:
    """Whether condition ``name`` holds for ``q`` (None when the fact is not given)."""
    if name == "institution_type":
        return None if q.institution_type is None else q.institution_type in cond.institution_type
    if name == "institution_tier":
        return None if q.institution_tier is None else q.institution_tier in cond.institution_tier
    if name == "prior_qualification":
        if q.prior_qualification is None:
            return None
        prior = q.prior_qualification
        category = reg.qualification_type(prior).category if reg.has_type(prior) else prior
        return prior in cond.prior_qualification or category in cond.prior_qualification
    if name == "field":
        if q.isced_field is None:
            return None
        return any(q.isced_field.startswith(f) for f in cond.field)
    if name == "purpose":
        return None if q.purpose is None else q.purpose in cond.purpose
    if name == "length_years":
        assert cond.length_years is not None
        if q.length_years is None:
            return None
        return cond.length_years.min - 0.01 <= q.length_years <= cond.length_years.max + 0.01
    if name == "credits":
        assert cond.credits_ects is not None
        ects = _ects_of_input(q, reg)
        if ects is None:
            return None
        lo, hi = ects
        if lo >= cond.credits_ects.min - 0.01 and hi <= cond.credits_ects.max + 0.01:
            return True
        if hi < cond.credits_ects.min or lo > cond.credits_ects.max:
            return False
        return None  # a credit range straddling the boundary does not decide
    if name == "award_date":
        if q.award_date is None:
            return None
        if cond.awarded_from is not None and q.award_date < cond.awarded_from:
            return False
        return not (cond.awarded_before is not None and q.award_date >= cond.awarded_before)
    raise ValueError(f"unknown condition {name!r}")  # a programming error, not input


def _evaluate(
    rule: Rule, q: Qualification, reg: FrameworkRegistry
) -> tuple[bool | None, tuple[str, ...]]:
    """(True/False/None, the fields left unknown) for one rule."""
    unknown: list[str] = []
    for name in rule.when.names():
        got = _condition(name, rule.when, q, reg)
        if got is False:
            return False, ()
        if got is None:
            unknown.append(name)
    return (True if not unknown else None), tuple(unknown)


def _same_result(a: RuleResult, b: RuleResult) -> bool:
    return (a.outcome, set(a.comparable_types), a.level_min, a.level_max) == (
        b.outcome,
        set(b.comparable_types),
        b.level_min,
        b.level_max,
    )


def _candidate_rules(run: _Run, stype: QualificationType) -> tuple[Rule, ...]:
    rules = run.reg.rules_for(stype.id, run.receiving.code)
    if rules:
        return rules
    for group in run.receiving.member_of:
        grouped = run.reg.rules_for(stype.id, group)
        if grouped:
            return tuple(_regroup(run, r) for r in grouped)
    return ()


def _regroup(run: _Run, rule: Rule) -> Rule:
    """A group (EU) rule restated with the receiving country's own types of the same category."""
    types: list[str] = []
    for tid in rule.result.comparable_types:
        cat = run.reg.qualification_type(tid).category
        own = [t.id for t in run.receiving.qualification_types if t.category == cat and t.degree]
        types.extend(own)
    levels = [lv for t in types if (lv := run.reg.qualification_type(t).nqf_level) is not None]
    result = rule.result.model_copy(
        update={
            "comparable_types": tuple(dict.fromkeys(types)),
            "level_min": min(levels, key=_level_key) if levels else None,
            "level_max": max(levels, key=_level_key) if levels else None,
        }
    )
    return rule.model_copy(update={"result": result, "receiving_country": run.receiving.code})


def _apply_rules(
    run: _Run, q: Qualification, stype: QualificationType
) -> Assessment | tuple[RuleResult, tuple[Citation, ...], str, tuple[PurposeOption, ...]] | None:
    rules = _candidate_rules(run, stype)
    if not rules:
        return None
    evaluated = [(r, *_evaluate(r, q, run.reg)) for r in rules]
    matched = [r for r, ok, _ in evaluated if ok is True]
    open_ = [(r, unknown) for r, ok, unknown in evaluated if ok is None]
    chosen: list[Rule] = []
    if matched:
        best = max(len(r.when.names()) for r in matched)
        chosen = [r for r in matched if len(r.when.names()) == best]
    # Open rules that could change the answer make it undecided on their unknown facts.
    deciding_unknowns: list[str] = []
    purpose_only: list[tuple[Rule, tuple[str, ...]]] = []
    for r, unknown in open_:
        if chosen and all(_same_result(r.result, c.result) for c in chosen):
            continue
        if chosen and len(r.when.names()) < len(chosen[0].when.names()):
            continue  # a more specific rule already holds
        if set(unknown) == {"purpose"}:
            purpose_only.append((r, unknown))
        else:
            deciding_unknowns.extend(unknown)
    if deciding_unknowns:
        fields = tuple(
            dict.fromkeys("isced_field" if f == "field" else f for f in deciding_unknowns)
        )
        citations = tuple(c for r, _ in open_ for c in r.sources[:1])
        run.step(
            "rules-undecided",
            citations,
            "authoritative",
            receiving=run.country_name(run.receiving),
            fields=msg.joined([msg.FIELDS[f] for f in fields]),
        )
        return _insufficient(run, fields, source=stype)
    if purpose_only and not (chosen and all("purpose" in c.when.names() for c in chosen)):
        options: list[PurposeOption] = []
        for r, _ in purpose_only:
            for p in r.when.purpose:
                options.append(PurposeOption(p, r.result.outcome, r.result.comparable_types))
        base_rules = chosen or [r for r, ok, _ in evaluated if ok is True]
        for r in base_rules:
            for purpose in PURPOSES:
                if all(o.purpose != purpose for o in options):
                    options.append(
                        PurposeOption(purpose, r.result.outcome, r.result.comparable_types)
                    )
        cites = tuple(c for r, _ in purpose_only for c in r.sources) + tuple(
            c for r in base_rules for c in r.sources
        )
        run.step(
            "purposes",
            cites,
            "authoritative",
            options="; ".join(
                f"{o.purpose}: {o.outcome}"
                + (f" ({', '.join(o.comparable_types)})" if o.comparable_types else "")
                for o in sorted(options, key=lambda o: PURPOSES.index(o.purpose))
            ),
        )
        if not base_rules:
            base = purpose_only[0][0]
            return base.result, tuple(base.sources), base.confidence, tuple(options)
        merged = _merge([r.result for r in base_rules])
        return (
            merged.model_copy(update={"depends_on": "purpose"}),
            tuple(c for r in base_rules for c in r.sources),
            _weakest(r.confidence for r in base_rules),
            tuple(sorted(options, key=lambda o: PURPOSES.index(o.purpose))),
        )
    if not chosen:
        return None
    merged = _merge([r.result for r in chosen])
    conditions = _conditions_text(chosen[0].when) if len(chosen) == 1 else ""
    run.step(
        "rule",
        tuple(c for r in chosen for c in r.sources),
        _weakest(r.confidence for r in chosen),
        receiving=run.country_name(run.receiving),
        result=_result_text(run, merged),
        conditions=conditions,
    )
    return (
        merged,
        tuple(c for r in chosen for c in r.sources),
        _weakest(r.confidence for r in chosen),
        (),
    )


def _merge(results: Sequence[RuleResult]) -> RuleResult:
    """Several rules that hold at once: the union of their comparable types and levels."""
    if len(results) == 1:
        return results[0]
    types = tuple(dict.fromkeys(t for r in results for t in r.comparable_types))
    lows = [r.level_min for r in results if r.level_min]
    highs = [r.level_max for r in results if r.level_max]
    outcome = max((r.outcome for r in results), key=lambda o: _SEVERITY[o])
    return RuleResult(
        outcome=outcome,
        comparable_types=types,
        level_min=min(lows, key=_level_key) if lows else None,
        level_max=max(highs, key=_level_key) if highs else None,
        credits_recognised_ects=results[0].credits_recognised_ects,
        depends_on=results[0].depends_on or "programme",
    )


def _conditions_text(c: Conditions) -> str:
    parts = []
    if c.institution_type:
        parts.append("institution " + "/".join(c.institution_type))
    if c.institution_tier:
        parts.append("institution status " + "/".join(c.institution_tier))
    if c.prior_qualification:
        parts.append("after " + "/".join(c.prior_qualification))
    if c.field:
        parts.append("field " + "/".join(c.field))
    if c.purpose:
        parts.append("for " + "/".join(c.purpose))
    if c.length_years is not None:
        parts.append(f"{_range(c.length_years.min, c.length_years.max)} years")
    if c.credits_ects is not None:
        parts.append(f"{_range(c.credits_ects.min, c.credits_ects.max)} ECTS")
    if c.awarded_from is not None:
        parts.append(f"awarded from {c.awarded_from.isoformat()}")
    if c.awarded_before is not None:
        parts.append(f"awarded before {c.awarded_before.isoformat()}")
    return f" (when: {'; '.join(parts)})" if parts else ""


def _result_text(run: _Run, r: RuleResult) -> msg.Localized:
    names = [run.name(run.reg.qualification_type(t)) for t in r.comparable_types]
    outcome = msg.OUTCOMES[r.outcome]
    if not names:
        text = outcome
    else:
        joined = msg.joined(names, {"en": " or ", "ru": " или ", "kk": " немесе "})
        text = msg.Localized(
            f"{joined.en} — {outcome.en}",
            f"{joined.get('ru')} — {outcome.get('ru')}",
            f"{joined.get('kk')} — {outcome.get('kk')}",
        )
    if r.credits_recognised_ects is not None:
        cr = _range(r.credits_recognised_ects.min, r.credits_recognised_ects.max)
        text = msg.Localized(
            f"{text.en}; {cr} ECTS recognised",
            f"{text.get('ru')}; признаётся {cr} ECTS",
            f"{text.get('kk')}; {cr} ECTS танылады",
        )
    return text


# ---------------------------------------------------------------------------------------
# matching


@dataclass(frozen=True)
class _Match:
    types: tuple[QualificationType, ...]
    level_min: str | None = None
    level_max: str | None = None
    nearest: bool = False
    category_missing: bool = False
    credits_recognised: tuple[float, float] | None = None
    depends_on: str | None = None


def _from_rule(run: _Run, stype: QualificationType, r: RuleResult) -> _Match:
    types = tuple(run.reg.qualification_type(t) for t in r.comparable_types)
    levels = [t.nqf_level for t in types if t.nqf_level]
    lo = r.level_min or (min(levels, key=_level_key) if levels else None)
    hi = r.level_max or (max(levels, key=_level_key) if levels else None)
    cr = r.credits_recognised_ects
    return _Match(
        types=types,
        level_min=lo,
        level_max=hi,
        credits_recognised=(cr.min, cr.max) if cr is not None else None,
        depends_on=r.depends_on or ("programme" if len(types) > 1 else None),
    )


def _generic_match(run: _Run, q: Qualification, s: QualificationType) -> _Match:
    types = [t for t in run.receiving.qualification_types if t.degree and t.completed and t.current]
    field_ok = [
        t
        for t in types
        if not t.fields or any((q.isced_field or "").startswith(f) for f in t.fields)
    ]
    for i, category in enumerate(_FALLBACK[s.category]):
        candidates = [t for t in field_ok if t.category == category]
        if s.category in ("bachelor", "bachelor-honours") and i == 0:
            # Ordinary and honours bachelors are one cycle: length and access decide between
            # them (a 4-year bachelor meets an honours degree, a 3-year one an ordinary one).
            candidates = [t for t in field_ok if t.category in ("bachelor", "bachelor-honours")]
        if candidates:
            chosen = _best(run, q, s, candidates)
            honours = s.category == "bachelor-honours" and category == "bachelor"
            return _with_levels(chosen, nearest=i > 0 and not honours)
    if s.category == "long-first-degree":
        bachelors = [t for t in field_ok if t.category == "bachelor"]
        masters = [t for t in field_ok if t.category == "master"]
        length = (
            q.length_years
            if q.length_years is not None
            else (s.length_years.min if s.length_years else None)
        )
        if masters and ((length is not None and length >= 6) or _at_own_master_level(s, run.reg)):
            return _with_levels(_best(run, q, s, masters), nearest=True)
        if bachelors and masters:
            both = _best(run, q, s, bachelors) + _best(run, q, s, masters)
            ranged = _with_levels(both, nearest=True)
            return _Match(
                types=ranged.types,
                level_min=ranged.level_min,
                level_max=ranged.level_max,
                nearest=True,
                depends_on="programme",
            )
        if masters:
            return _with_levels(_best(run, q, s, masters), nearest=True)
    if s.category == "short-cycle":
        towards = [t for t in field_ok if t.category == "bachelor"]
        lo_years = s.length_years.min if s.length_years else 2.0
        hi_years = s.length_years.max if s.length_years else 2.0
        return _Match(
            types=(),
            category_missing=True,
            credits_recognised=(lo_years * _ECTS_PER_YEAR, hi_years * _ECTS_PER_YEAR),
            level_min=None,
            level_max=None,
            nearest=False,
            depends_on=None if not towards else "programme",
        )
    return _Match(types=(), category_missing=True)


def _at_own_master_level(s: QualificationType, reg: FrameworkRegistry) -> bool:
    """Whether the awarding system itself places a long first degree at the level of its
    master's degrees (an integrated master in medicine at NQF 7, EQF 7): then it is a
    second-cycle qualification, not a range between the cycles. Without a sourced national
    level (a Soviet-type specialist diploma, or a level only inferred) the range stands."""
    if s.confidence == "inferred":
        return False
    if s.eqf_level == "7":
        return True
    if s.nqf_level is None or not reg.has_country(s.country_code):
        return False
    own = reg.country(s.country_code).qualification_types
    return any(t.category == "master" and t.nqf_level == s.nqf_level for t in own)


def _with_levels(types: Sequence[QualificationType], *, nearest: bool) -> _Match:
    levels = [t.nqf_level for t in types if t.nqf_level]
    return _Match(
        types=tuple(types),
        level_min=min(levels, key=_level_key) if levels else None,
        level_max=max(levels, key=_level_key) if levels else None,
        nearest=nearest,
        depends_on="institution" if len(types) > 1 else None,
    )


def _best(
    run: _Run, q: Qualification, s: QualificationType, candidates: Sequence[QualificationType]
) -> tuple[QualificationType, ...]:
    """The best receiving types: by the awarding institution's kind, access to the next
    cycle and length; ties (e.g. HBO and WO bachelor for an unknown institution) are all kept."""
    inst = q.institution_type or (s.institution_types[0] if len(s.institution_types) == 1 else None)
    if inst is not None:
        by_inst = [t for t in candidates if inst in t.institution_types]
        if by_inst:
            candidates = by_inst
    scored = [(_score(s, t, run.reg, q.length_years), t) for t in candidates]
    if inst is None and len(candidates) > 1 and all(t.institution_types for t in candidates):
        # Variants by kind of institution (HBO/WO, university/FH): without the awarding
        # institution's kind the comparison covers all of them; length does not decide.
        top_access = max(score[0] for score, _ in scored)
        return tuple(t for score, t in scored if score[0] == top_access)
    top = max(score for score, _ in scored)
    best = [t for score, t in scored if score[:2] == top[:2]]
    if len(best) > 1:
        defaults = [t for t in best if t.default_for_category]
        orientation_variants = all(t.institution_types for t in best)
        if defaults and not orientation_variants:
            return (defaults[0],)
    return tuple(best)


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


_NEXT_CYCLE: dict[str, str] = {
    "short-cycle": "bachelor",
    "bachelor": "master",
    "bachelor-honours": "doctorate",
    "long-first-degree": "doctorate",
    "master": "doctorate",
}


def _gives_next_cycle(t: QualificationType, reg: FrameworkRegistry) -> bool:
    """Whether ``t`` gives access to a type of the next cycle or beyond (ids checked on load)."""
    nxt = _NEXT_CYCLE.get(t.category)
    if nxt is None:
        return False
    return _gives_access(t, nxt, reg)


def _gives_access(t: QualificationType, category: str, reg: FrameworkRegistry) -> bool:
    return any(
        reg.has_type(target) and _RANK[reg.qualification_type(target).category] >= _RANK[category]
        for target in t.access_to
    )


# ---------------------------------------------------------------------------------------
# step 5: criteria and outcome


def _conclude(
    run: _Run,
    q: Qualification,
    s: QualificationType,
    m: _Match,
    credits: CreditConversion | None,
    rule_outcome: str | None,
    purposes: tuple[PurposeOption, ...],
    required_field: str | None,
    rule_sources: tuple[Citation, ...],
    rule_conf: str,
) -> Assessment:
    reg, receiving = run.reg, run.receiving
    target = m.types[0] if len(m.types) == 1 else None
    framework = receiving.framework.id
    level = (
        LevelRange(framework, m.level_min, m.level_max or m.level_min)
        if m.level_min is not None
        else None
    )
    if m.types and rule_outcome is None:
        names = [run.name(t) for t in m.types]
        joined = msg.joined(names, {"en": " or ", "ru": " или ", "kk": " немесе "})
        cites = tuple(c for t in m.types for c in t.sources[:1])
        if level is not None:
            run.step(
                "match",
                cites,
                _weakest(t.confidence for t in m.types),
                receiving=run.country_name(receiving),
                types=joined,
                framework=framework,
                level=str(level),
            )
        else:
            run.step(
                "match-no-level",
                cites,
                _weakest(t.confidence for t in m.types),
                receiving=run.country_name(receiving),
                types=joined,
            )
        if m.nearest and s.category not in ("higher-doctorate",):
            run.step(
                "nearest",
                cites,
                "inferred",
                receiving=run.country_name(receiving),
                category=msg.CATEGORIES[s.category],
                isced=s.isced_level,
                types=joined,
            )
    if level is not None and level.is_range:
        run.step(
            "range",
            rule_sources or tuple(c for t in m.types for c in t.sources[:1]),
            rule_conf if rule_sources else "inferred",
            low=level.min,
            high=level.max,
            receiving=run.country_name(receiving),
            depends=msg.DEPENDS[m.depends_on or "programme"],
        )
    if m.category_missing and not m.types:
        towards = [
            t for t in receiving.qualification_types if t.category == "bachelor" and t.degree
        ]
        run.step(
            "category-missing",
            receiving.framework.sources,
            "authoritative",
            receiving=run.country_name(receiving),
            category=msg.CATEGORIES[s.category],
            isced=s.isced,
            towards=msg.joined(
                [run.name(t) for t in towards[:2]], {"en": " or ", "ru": " или ", "kk": " немесе "}
            )
            if towards
            else msg.CATEGORIES["bachelor"],
        )
    if (
        s.category == "higher-doctorate"
        and target is not None
        and target.category != "higher-doctorate"
    ):
        run.step(
            "match-no-level",
            s.sources,
            s.confidence,
            receiving=run.country_name(receiving),
            types=msg.Localized(
                f"{target.names.en} [{target.id}] (a higher doctorate with no direct equivalent; at least comparable)",
                f"{target.names.ru or target.names.en} [{target.id}] (высшая степень без прямого аналога; не ниже)",
                f"{target.names.kk or target.names.en} [{target.id}] (тікелей баламасы жоқ жоғары дәреже; кемінде)",
            ),
        )
    agreements = [
        g
        for g in reg.agreements_between(s.country_code, receiving.code)
        if s.country_code != receiving.code
    ]
    for g in agreements:
        run.step("agreement", g.sources, g.confidence, name=f"{g.name} ({g.scope})")
    treaty = any(
        target is not None and s.category in g.covers_categories and target.category == s.category
        for g in agreements
    )
    if q.purpose == "regulated-profession":
        run.step(
            "regulated",
            receiving.framework.sources,
            "authoritative",
            receiving=run.country_name(receiving),
        )

    published = rule_outcome in ("comparable", "comparable-with-non-substantial-differences")
    level_criterion = _level(s, m, receiving)
    if published and level_criterion.status == "differs":
        # A published comparison that names the comparable type settles the level.
        level_criterion = _crit(
            "met", "c-published-level", type=s.id, types=" / ".join(t.id for t in m.types)
        )
    criteria: dict[str, Criterion] = {
        "level": level_criterion,
        "workload": _workload(q, s, m, credits, reg),
        "field": _field(q, reg, required_field),
        "purpose-and-access": _purpose(q, s, m, reg),
        "quality-assurance": _qa(q.institution_accredited),
    }
    missing: list[str] = []
    if q.institution_accredited is None:
        missing.append("institution_accredited")
    if q.isced_field is None:
        missing.append("isced_field")

    reasons = [
        f"{name}: {c.reason}"
        for name, c in criteria.items()
        if c.status == "differs" and c.substantial
    ]
    outcome: str
    if rule_outcome == "substantial-difference":
        reasons.append("published comparison: substantial difference")
    if rule_outcome == "partial-recognition" or (m.category_missing and not m.types):
        outcome = "partial-recognition"
        if q.institution_accredited is False:
            outcome = "substantial-difference"
    elif reasons:
        outcome = "substantial-difference"
    elif (
        m.nearest
        or any(c.status == "differs" for c in criteria.values())
        or any(criteria[n].status == "unknown" for n in _capping_unknowns(treaty or published))
        or (level is not None and level.is_range)
        or len(m.types) > 1
        and level is None
    ):
        outcome = "comparable-with-non-substantial-differences"
    else:
        outcome = "comparable"
    if rule_outcome is not None and _SEVERITY[rule_outcome] > _SEVERITY[outcome]:
        outcome = rule_outcome
    if purposes and q.purpose is None and outcome not in ("substantial-difference",):
        outcome = "comparable-for-purpose"
    recognised: CreditConversion | None = None
    if outcome == "partial-recognition":
        if m.credits_recognised is not None:
            lo, hi = m.credits_recognised
            recognised = CreditConversion(lo, "ECTS", lo, hi, sources=_refs(reg, rule_sources))
        elif credits is not None:
            recognised = credits
        if (
            recognised is not None
            and recognised.ects_min is not None
            and recognised.ects_max is not None
        ):
            run.step(
                "credits-recognised",
                rule_sources or s.sources,
                rule_conf if rule_sources else "inferred",
                credits=_range(recognised.ects_min, recognised.ects_max),
            )
    run.step("outcome", _outcome_sources(reg), "authoritative", outcome=msg.OUTCOMES[outcome])

    grade_guidance = None
    if q.grade is not None:
        grade_guidance = _guidance(q, reg.country(s.country_code).grading_scales, reg)
    eqf_levels = [t.eqf_level for t in m.types if t.eqf_level]
    eqf_range = None
    if eqf_levels:
        eqf_range = LevelRange(
            "EQF", min(eqf_levels, key=_level_key), max(eqf_levels, key=_level_key)
        )
    elif s.eqf_level:
        eqf_range = LevelRange("EQF", s.eqf_level, s.eqf_level)
    eqf = s.eqf_level or (eqf_range.min if eqf_range and not eqf_range.is_range else None)
    aqrf = s.aqrf_level or (target.aqrf_level if target is not None else None)
    comparable = target.id if target is not None else None
    if comparable is None and len(m.types) > 1 and outcome not in ("partial-recognition",):
        comparable = None
    return Assessment(
        outcome=outcome,
        source_type=s.id,
        comparable_type=comparable if outcome != "partial-recognition" else None,
        comparable_types=tuple(t.id for t in m.types) if outcome != "partial-recognition" else (),
        receiving_level=str(level)
        if level is not None and outcome != "partial-recognition"
        else None,
        level=level if outcome != "partial-recognition" else None,
        isced_level=s.isced,
        eqf_level=eqf,
        eqf_range=eqf_range,
        aqrf_level=aqrf,
        depends_on=m.depends_on
        if (level is not None and level.is_range) or len(m.types) > 1 or purposes
        else None,
        purposes=purposes,
        category_missing=m.category_missing and not m.types,
        credits_recognised=recognised,
        steps=tuple(run.steps),
        credits=credits,
        grade_guidance=grade_guidance,
        criteria=criteria,
        missing=tuple(missing),
        missing_facts=_facts(missing),
        reasons=tuple(reasons),
        summary=msg.render("outcome", outcome=msg.OUTCOMES[outcome]),
        **run.base(),
    )


def _capping_unknowns(treaty: bool) -> tuple[str, ...]:
    """Criteria whose ``unknown`` keeps the outcome below ``comparable``.

    An agreement that establishes equivalence between the two systems settles level,
    workload and purpose; quality assurance must still be known.
    """
    if treaty:
        return ("quality-assurance",)
    return ("level", "workload", "purpose-and-access", "quality-assurance")


def _level(s: QualificationType, m: _Match, receiving: Country) -> Criterion:
    if m.category_missing and not m.types:
        return _crit(
            "differs",
            "c-category-missing",
            True,
            receiving=receiving.code,
            category=msg.CATEGORIES[s.category],
            isced=s.isced,
        )
    if not m.types:
        return _crit("differs", "c-no-type", True, type=s.id)
    t_levels = sorted({t.isced_level for t in m.types})
    if len(t_levels) > 1:
        return _crit("met", "c-isced-range", source=s.isced, levels=" / ".join(t_levels))
    t = m.types[0]
    if s.isced_level != t.isced_level:
        sub = s.isced_level < t.isced_level
        return _crit("differs", "c-isced-differs", sub, source=s.isced, target=t.isced)
    if m.nearest:
        return _crit(
            "met",
            "c-isced-nearest",
            level=s.isced_level,
            category=msg.CATEGORIES[s.category],
            target_category=msg.CATEGORIES[t.category],
            source=s.isced,
            target=t.isced,
        )
    return _crit("met", "c-isced-same", level=s.isced_level, category=msg.CATEGORIES[s.category])


def _ects_of_type(t: QualificationType, reg: FrameworkRegistry) -> tuple[float, float] | None:
    if t.credits is not None:
        conv = convert_credits(t.credits.min, t.credits.system, reg, cycle=_cycle(t))
        conv_max = convert_credits(t.credits.max, t.credits.system, reg, cycle=_cycle(t))
        if conv.ects_min is not None and conv_max.ects_max is not None:
            return conv.ects_min, conv_max.ects_max
    if t.length_years is not None:
        return t.length_years.min * _ECTS_PER_YEAR, t.length_years.max * _ECTS_PER_YEAR
    return None


def _ects_of_input(q: Qualification, reg: FrameworkRegistry) -> tuple[float, float] | None:
    if q.credits is not None and q.credit_system is not None:
        try:
            c = convert_credits(q.credits, q.credit_system, reg, value_max=q.credits_max)
        except (UnknownReference, ValueError):
            return None
        if c.ects_min is not None and c.ects_max is not None:
            return c.ects_min, c.ects_max
    if q.length_years is not None:
        return q.length_years * _ECTS_PER_YEAR, q.length_years * _ECTS_PER_YEAR
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
            q.credits,
            system,
            reg,
            cycle=_cycle(t),
            receiving_system=receiving_system,
            value_max=q.credits_max,
        )
    except UnknownReference:
        return CreditConversion(
            q.credits, system, None, None, note=f"unknown credit system {system!r}"
        )
    except ValueError:
        return None


def _workload(
    q: Qualification,
    s: QualificationType,
    m: _Match,
    conv: CreditConversion | None,
    reg: FrameworkRegistry,
) -> Criterion:
    basis: msg.Localized | dict[str, str] | str = ""
    if conv is not None and conv.ects_min is not None and conv.ects_max is not None:
        src: tuple[float, float] | None = (conv.ects_min, conv.ects_max)
        basis = msg.render(
            "c-basis-credits",
            value=_range(conv.value, q.credits_max or conv.value),
            system=conv.system,
            ects=_range(conv.ects_min, conv.ects_max),
        )
    elif q.length_years is not None:
        src = (q.length_years * _ECTS_PER_YEAR, q.length_years * _ECTS_PER_YEAR)
        basis = msg.render("c-basis-years", years=_num(q.length_years), ects=_num(src[0]))
    else:
        src = _ects_of_type(s, reg)
        if src:
            basis = msg.render("c-basis-type", type=s.id, ects=_range(*src))
    if not m.types:
        return _crit("unknown", "c-workload-no-type")
    if src is None:
        return _crit("unknown", "c-workload-unknown", type=s.id)
    wants = [w for t in m.types if (w := _ects_of_type(t, reg)) is not None]
    if not wants:
        return _crit("unknown", "c-workload-target-unknown", type=m.types[0].id)
    want = (min(w[0] for w in wants), max(w[1] for w in wants))
    name = " / ".join(t.id for t in m.types)
    if src[1] >= want[0]:
        return _crit("met", "c-workload-met", basis=basis, types=name, want=_range(*want))
    shortfall = want[0] - src[1]
    return _crit(
        "differs",
        "c-workload-short",
        shortfall > _SUBSTANTIAL_SHORTFALL_ECTS,
        basis=basis,
        types=name,
        want=_num(want[0]),
        short=_num(shortfall),
    )


def _field(q: Qualification, reg: FrameworkRegistry, required: str | None) -> Criterion:
    if q.isced_field is None:
        return _crit("unknown", "c-field-unknown")
    try:
        f = reg.iscedf_field(q.isced_field)
    except UnknownReference:
        return _crit("unknown", "c-field-bad", code=repr(q.isced_field))
    if required is None:
        return _crit("met", "c-field-free", code=f.code, name=f.name)
    if q.isced_field.startswith(required) or required.startswith(q.isced_field):
        return _crit("met", "c-field-met", code=f.code, name=f.name, required=required)
    sub = q.isced_field[:2] != required[:2]
    return _crit("differs", "c-field-differs", sub, code=f.code, name=f.name, required=required)


def _purpose(
    q: Qualification, s: QualificationType, m: _Match, reg: FrameworkRegistry
) -> Criterion:
    if not m.types:
        return _crit("unknown", "c-purpose-no-type")
    if not s.degree and any(t.degree for t in m.types):
        sub = s.category != "short-cycle"
        return _crit("differs", "c-no-degree", sub, type=s.names.en, target=m.types[0].id)
    wanted = _PURPOSE_ACCESS.get(q.purpose or "")
    purpose = msg.PURPOSES.get(q.purpose or "", msg.Localized(q.purpose or ""))
    if wanted is not None:
        level = msg.CATEGORIES[wanted]
        if s.access_known and not _gives_access(s, wanted, reg):
            return _crit(
                "differs",
                "c-purpose-source-no-access",
                True,
                purpose=purpose,
                type=s.id,
                level=level,
            )
        if any(_gives_access(t, wanted, reg) for t in m.types) or any(
            _RANK[t.category] >= _RANK[wanted] for t in m.types
        ):
            return _crit("met", "c-purpose-met", level=level)
        return _crit(
            "differs",
            "c-purpose-target-no-access",
            True,
            purpose=purpose,
            types=", ".join(t.id for t in m.types),
            level=level,
        )
    if q.purpose == "regulated-profession":
        return _crit("unknown", "c-regulated")
    t_next = any(_gives_next_cycle(t, reg) for t in m.types)
    if not s.access_known:
        if t_next:
            return _crit("unknown", "c-access-undocumented", type=s.id, target=m.types[0].id)
        return _crit("met", "c-access-target-none", target=m.types[0].id)
    s_next = _gives_next_cycle(s, reg)
    if t_next and not s_next:
        return _crit("differs", "c-access-missing", True, type=s.id, target=m.types[0].id)
    return _crit("met", "c-access-both", access=", ".join(s.access_to) or "-")


def _qa(accredited: bool | None) -> Criterion:
    if accredited is True:
        return _crit("met", "c-qa-met")
    if accredited is False:
        return _crit("differs", "c-qa-differs", True)
    return _crit("unknown", "c-qa-unknown")


def _crit(status: Status, message: str, substantial: bool = False, **params: object) -> Criterion:
    """A criterion with its reason in English (``reason``) and en/ru/kk (``texts``)."""
    texts = msg.render(message, **params)
    return Criterion(status, texts["en"], substantial, texts)


def _legal_basis(run: _Run, source: Country) -> None:
    receiving = run.receiving
    if source.code == receiving.code:
        return
    for name in ("tokyo", "lisbon", "global"):
        ca, cb = source.convention(name), receiving.convention(name)
        if ca is None or cb is None or not ca.sources or not cb.sources:
            continue
        if ca.status == "not-party" and cb.status == "not-party":
            continue
        run.step(
            "convention",
            ca.sources + cb.sources,
            _weakest((ca.confidence, cb.confidence)),
            convention=msg.CONVENTIONS[name],
            source=run.country_name(source),
            source_status=msg.STATUSES[ca.status],
            receiving=run.country_name(receiving),
            receiving_status=msg.STATUSES[cb.status],
        )


def _legacy_credit_warning(run: _Run, q: Qualification, t: QualificationType) -> None:
    if (
        t.country_code == "KZ"
        and q.award_date is not None
        and q.award_date.year <= 2018
        and (q.credit_system or "").lower() not in ("kz-national", "kz-national-legacy")
    ):
        legacy = run.reg.credit_system("KZ-national-legacy")
        run.step("legacy-credits", legacy.sources, "inferred", year=q.award_date.year)


def _outcome_sources(reg: FrameworkRegistry) -> tuple[Citation, ...]:
    try:
        tokyo = reg.instrument("tokyo")
    except UnknownReference:
        return ()
    return tuple(c for p in tokyo.provisions for c in p.sources[:1])[:2]


# ---------------------------------------------------------------------------------------
# insufficient information


def _insufficient(
    run: _Run,
    missing: Sequence[str],
    *,
    contradictions: tuple[Contradiction, ...] = (),
    source: QualificationType | None = None,
) -> Assessment:
    facts = _facts(missing)
    run.step(
        "missing",
        _outcome_sources(run.reg),
        "authoritative",
        fields=msg.joined([msg.FIELDS.get(f, msg.Localized(f)) for f in missing]),
        documents=msg.joined(
            list(dict.fromkeys(msg.DOCUMENTS.get(f, msg.Localized(f)) for f in missing)),
            {"en": "; ", "ru": "; ", "kk": "; "},
        ),
    )
    outcome = "insufficient-information"
    run.step("outcome", _outcome_sources(run.reg), "authoritative", outcome=msg.OUTCOMES[outcome])
    why = "not assessed: " + (
        "; ".join(c.message for c in contradictions)
        if contradictions
        else "missing " + ", ".join(missing)
    )
    return Assessment(
        outcome=outcome,
        source_type=source.id if source is not None else None,
        comparable_type=None,
        isced_level=None,
        steps=tuple(run.steps),
        criteria={n: _crit("unknown", "c-not-assessed", why=why) for n in CRITERIA},
        missing=tuple(missing),
        missing_facts=facts,
        contradictions=contradictions,
        summary=msg.render("outcome", outcome=msg.OUTCOMES[outcome]),
        **run.base(),
    )


def _facts(missing: Sequence[str]) -> tuple[MissingFact, ...]:
    out = []
    for f in missing:
        name = msg.FIELDS.get(f, msg.Localized(f))
        doc = msg.DOCUMENTS.get(f, msg.Localized("the diploma"))
        out.append(
            MissingFact(
                f,
                {lang: name.get(lang) for lang in msg.LANGUAGES},
                {lang: doc.get(lang) for lang in msg.LANGUAGES},
            )
        )
    return tuple(out)


# ---------------------------------------------------------------------------------------
# helpers: sources, levels, credits, grades


def _refs(reg: FrameworkRegistry, citations: Sequence[Citation]) -> tuple[Reference, ...]:
    out: list[Reference] = []
    seen: set[tuple[str, str]] = set()
    for c in citations:
        if (c.source, c.quote) in seen:
            continue
        seen.add((c.source, c.quote))
        s = reg.source(c.source)
        out.append(Reference(s.url, s.title, s.publisher, c.quote, s.checked.isoformat()))
    return tuple(out)


def _weakest(confidences: Sequence[str] | Any) -> str:
    order = {"official": 0, "authoritative": 1, "inferred": 2}
    values = list(confidences)
    return max(values, key=lambda c: order.get(c, 2)) if values else "inferred"


def _level_key(level: str) -> tuple[float, str]:
    m = re.match(r"(\d+(?:\.\d+)?)", level)
    return (float(m.group(1)) if m else 0.0, level)


def _cycle(t: QualificationType) -> str:
    return {
        "short-cycle": "bachelor",
        "bachelor": "bachelor",
        "bachelor-honours": "bachelor",
        "long-first-degree": "bachelor",
        "certificate-of-study": "bachelor",
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
    if q.grade is None:
        return None
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


__all__ = [
    "CRITERIA",
    "INSTITUTION_TYPES",
    "OUTCOMES",
    "PURPOSES",
    "Assessment",
    "Contradiction",
    "CreditConversion",
    "Criterion",
    "LevelRange",
    "MissingFact",
    "PurposeOption",
    "Qualification",
    "Reference",
    "Step",
    "assess",
    "convert_credits",
    "grade_position",
]
