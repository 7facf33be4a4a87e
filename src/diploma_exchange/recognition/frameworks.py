"""Qualifications frameworks registry: ISCED 2011, ISCED-F 2013, EQF, QF-EHEA, AQRF, countries,
published comparisons (rules with conditions), agreements and the recognition conventions.

The data lives in ``recognition/data/`` (versioned JSON, see ``data/README.md``). It is parsed
into frozen pydantic models and cross-checked once on load: any dangling reference (unknown
ISCED code, access to an unknown type, unknown credit system, a citation of an unknown source,
a rule naming a type of another country, a level that is not a level of the framework, ...)
raises :class:`FrameworkDataError` listing every problem.

Every fact carries citations: a source from ``sources.json`` (URL, title, publisher, kind,
date last checked) and a short quotation from it. Only sources of an authoritative kind
(treaty, legislation, government, national information centre, qualifications-framework body,
international organisation, quality-assurance agency, university admissions office) are
accepted, so nothing else can reach public output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from diploma_exchange.errors import ErrorDetail
from diploma_exchange.recognition.errors import FrameworkDataError, UnknownReference

DATA_DIR = Path(__file__).resolve().parent / "data"

Confidence = Literal["official", "authoritative", "inferred"]
Category = Literal[
    "short-cycle",
    "bachelor",
    "bachelor-honours",
    "long-first-degree",
    "master",
    "doctorate",
    "higher-doctorate",
    "certificate-of-study",
]
#: Why recognition is sought; a published comparison may hold only for some purposes.
Purpose = Literal[
    "admission-bachelor",
    "admission-master",
    "admission-doctorate",
    "employment",
    "regulated-profession",
    "academic-title",
]
PURPOSES: tuple[str, ...] = Purpose.__args__  # type: ignore[attr-defined]
#: Kinds of awarding institution (the Diploma Supplement's section 2.3/2.4 "type and status").
InstitutionType = Literal[
    "university",
    "university-of-applied-sciences",
    "college",
    "junior-college",
    "research-institute",
    "arts-institution",
]
INSTITUTION_TYPES: tuple[str, ...] = InstitutionType.__args__  # type: ignore[attr-defined]
SourceKind = Literal[
    "treaty",
    "legislation",
    "government",
    "nic",
    "qf-body",
    "international-organisation",
    "quality-agency",
    "university-admissions",
]
Outcome = Literal[
    "comparable",
    "comparable-with-non-substantial-differences",
    "comparable-for-purpose",
    "partial-recognition",
    "not-a-completed-qualification",
    "substantial-difference",
    "insufficient-information",
]
_M = TypeVar("_M", bound=BaseModel)

#: ISCED 2011 level implied by each category (used to check the ``isced`` field of a type).
CATEGORY_ISCED_LEVEL: dict[str, str] = {
    "short-cycle": "5",
    "bachelor": "6",
    "bachelor-honours": "6",
    "long-first-degree": "7",
    "master": "7",
    "doctorate": "8",
    "higher-doctorate": "8",
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Source(_Model):
    """An authoritative publication that facts are quoted from."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")]
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    title: Annotated[str, Field(min_length=3)]
    publisher: Annotated[str, Field(min_length=2)]
    kind: SourceKind
    checked: date


class Citation(_Model):
    """A fact's source (an id of ``sources.json``) and a short quotation from it."""

    source: str
    quote: Annotated[str, Field(min_length=3, max_length=700)]


Sources = Annotated[tuple[Citation, ...], Field(min_length=1)]


class Range(_Model):
    """An inclusive numeric range; ``min == max`` for a single value."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min > self.max:
            raise ValueError(f"range min {self.min} is greater than max {self.max}")
        return self


class CreditRange(Range):
    """Typical credits of a qualification, in a named credit system."""

    system: str


class Names(_Model):
    """English name and original-language names (language tag -> name); ``ru``/``kk`` where known."""

    en: str
    original: dict[str, str] = Field(default_factory=dict)
    ru: str | None = None
    kk: str | None = None


class QualificationType(_Model):
    """One kind of qualification in a national system (e.g. ``kz.bachelor``)."""

    id: Annotated[str, Field(pattern=r"^[a-z]{2}\.[a-z0-9][a-z0-9.-]*$")]
    names: Names
    category: Category
    degree: bool
    #: False for documents that certify studies without completing a programme.
    completed: bool = True
    nqf_level: str | None
    isced: Annotated[str, Field(pattern=r"^[5-8]\d{0,2}$")]
    eqf_level: str | None = None
    aqrf_level: str | None = None
    length_years: Range | None = None
    credits: CreditRange | None = None
    access_to: tuple[str, ...] = ()
    access_known: bool = True
    achievement_types: tuple[str, ...] = ()
    default_for_category: bool = False
    #: ISCED-F codes this type is restricted to (e.g. 6-year Japanese bachelor: medicine ...).
    fields: tuple[str, ...] = ()
    #: Kinds of institution that award this type (empty: any).
    institution_types: tuple[InstitutionType, ...] = ()
    #: False for types no longer awarded (pre-Bologna Diplom, ...): kept to assess old
    #: diplomas, never offered as the comparable type of a current qualification.
    current: bool = True
    sources: Sources
    confidence: Confidence

    @property
    def country_code(self) -> str:
        """ISO 3166-1 alpha-2 code of the awarding system (``EU`` for the EQF group)."""
        return self.id.split(".", 1)[0].upper()

    @property
    def isced_level(self) -> str:
        """The ISCED 2011 level (first digit of the programme code)."""
        return self.isced[0]


class ConventionStatus(_Model):
    """A country's status under a recognition convention (tokyo, lisbon, global)."""

    convention: Literal["tokyo", "lisbon", "global"]
    status: Literal["party", "signatory", "ratified-not-in-force", "not-party"]
    date: str | None = None
    sources: tuple[Citation, ...] = ()
    confidence: Confidence


class Referencing(_Model):
    """Referencing of a national framework to a regional one (EQF, QF-EHEA, AQRF)."""

    framework: Literal["EQF", "QF-EHEA", "AQRF"]
    status: Literal["referenced", "self-certified", "in-progress", "not-referenced"]
    sources: tuple[Citation, ...] = ()


class Framework(_Model):
    """A national qualifications framework, or the degree structure where there is none."""

    id: str
    name: str
    #: Levels of the framework (empty when the country has degree types but no NQF).
    levels: tuple[str, ...] = ()
    referenced_to: tuple[Referencing, ...] = ()
    sources: Sources
    confidence: Confidence


class CreditSystem(_Model):
    """A credit unit with its ECTS conversion: one factor range, or ranges by cycle."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    ects_factor: Range | None
    ects_factor_by_cycle: dict[str, Range] = Field(default_factory=dict)
    hours_per_credit: str | None = None
    credits_per_year: float | None = None
    sources: Sources
    confidence: Confidence


class LetterGrade(_Model):
    """A letter grade and its grade points."""

    grade: str
    points: float


class GradingScale(_Model):
    """A grading scale with its pass mark (``higher_is_better`` is False for 1.0-best scales)."""

    id: str
    name: str
    min: float
    max: float
    pass_mark: float = Field(alias="pass")
    higher_is_better: bool = True
    letters: tuple[LetterGrade, ...] = ()
    sources: Sources
    confidence: Confidence


class Country(_Model):
    """A national higher-education system (or the EU group, used only as a fallback)."""

    schema_version: Literal[2]
    code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    names: Names
    group: bool = False
    #: Groups whose data may stand in when this country lacks a comparison (e.g. ``EU``).
    member_of: tuple[str, ...] = ()
    nic: str | None = None
    framework: Framework
    conventions: tuple[ConventionStatus, ...] = ()
    credit_systems: tuple[CreditSystem, ...] = ()
    primary_credit_system: str | None = None
    grading_scales: tuple[GradingScale, ...] = ()
    institution_tiers: tuple[str, ...] = ()
    qualification_types: Annotated[tuple[QualificationType, ...], Field(min_length=1)]

    @property
    def name(self) -> str:
        """The English name."""
        return self.names.en

    def convention(self, name: str) -> ConventionStatus | None:
        """The status under convention ``name`` (``tokyo``, ``lisbon``, ``global``), if recorded."""
        return next((c for c in self.conventions if c.convention == name), None)


class IscedCode(_Model):
    """An ISCED 2011 level (``6``) or programme code (``645``)."""

    code: str
    level: str
    name: str
    orientation: str | None = None
    confidence: Confidence = "authoritative"


class IscedField(_Model):
    """An ISCED-F 2013 field (broad ``06``, narrow ``061`` or detailed ``0613``)."""

    code: Annotated[str, Field(pattern=r"^\d{2,4}$")]
    kind: Literal["broad", "narrow", "detailed"]
    name: str


class ReferenceLevel(_Model):
    """A level of a regional reference framework (EQF, AQRF)."""

    level: str
    descriptor: str | None = None
    typical_qualification: str | None = None


class Conditions(_Model):
    """When a published comparison applies. Empty lists mean "any"; every given condition
    must hold. A condition on a fact the applicant did not give makes the rule undecided."""

    institution_type: tuple[InstitutionType, ...] = ()
    institution_tier: tuple[str, ...] = ()
    #: Type ids (``cn.bachelor``) or categories (``bachelor``) of the prior qualification.
    prior_qualification: tuple[str, ...] = ()
    #: ISCED-F code prefixes (``0912`` medicine, ``09`` health and welfare).
    field: tuple[str, ...] = ()
    purpose: tuple[Purpose, ...] = ()
    length_years: Range | None = None
    credits_ects: Range | None = None
    awarded_from: date | None = None
    awarded_before: date | None = None

    def names(self) -> tuple[str, ...]:
        """The qualification fields this rule's conditions read."""
        out = []
        for name in ("institution_type", "institution_tier", "prior_qualification", "field"):
            if getattr(self, name):
                out.append(name)
        if self.purpose:
            out.append("purpose")
        if self.length_years is not None:
            out.append("length_years")
        if self.credits_ects is not None:
            out.append("credits")
        if self.awarded_from is not None or self.awarded_before is not None:
            out.append("award_date")
        return tuple(out)


class RuleResult(_Model):
    """What a published comparison says: one or more comparable types (a range), a level
    range in the receiving framework, an outcome, and credits recognised for partial recognition."""

    outcome: Literal[
        "comparable",
        "comparable-with-non-substantial-differences",
        "partial-recognition",
        "substantial-difference",
    ]
    comparable_types: tuple[str, ...] = ()
    level_min: str | None = None
    level_max: str | None = None
    credits_recognised_ects: Range | None = None
    #: What the choice within a range depends on (shown to the applicant), e.g. "programme".
    depends_on: Literal["programme", "institution", "field", "purpose"] | None = None


class Rule(_Model):
    """A published comparison of one source type in one receiving system, with its conditions."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")]
    source_type: str
    receiving_country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    when: Conditions = Field(default_factory=Conditions)
    result: RuleResult
    sources: Sources
    confidence: Confidence


class Agreement(_Model):
    """A bilateral or multilateral recognition agreement."""

    id: str
    name: str
    parties: tuple[str, ...]
    scope: str
    #: Type categories whose equivalence the agreement itself establishes between its parties.
    covers_categories: tuple[Category, ...] = ()
    sources: Sources
    confidence: Confidence


class Provision(_Model):
    """An article of a convention (verified against the text) or a principle it states."""

    article: str | None
    topic: str
    sources: Sources


class Instrument(_Model):
    """A recognition convention and the provisions the NIC's statements rely on."""

    id: Literal["tokyo", "lisbon", "global"]
    name: str
    provisions: tuple[Provision, ...]


class FrameworkRegistry:
    """Validated, read-only view of all frameworks data. Build it with :func:`load_registry`."""

    def __init__(
        self,
        *,
        countries: Iterable[Country],
        isced: Iterable[IscedCode],
        fields: Iterable[IscedField],
        eqf: Iterable[ReferenceLevel],
        aqrf: Iterable[ReferenceLevel],
        qf_ehea: Mapping[str, Any],
        credit_systems: Iterable[CreditSystem],
        rules: Iterable[Rule],
        agreements: Iterable[Agreement],
        sources: Iterable[Source],
        instruments: Iterable[Instrument] = (),
        data_version: str,
    ) -> None:
        self.data_version = data_version
        self._countries = {c.code: c for c in countries}
        self._types = {t.id: t for c in self._countries.values() for t in c.qualification_types}
        self._isced = {i.code: i for i in isced}
        self._fields = {f.code: f for f in fields}
        self._eqf = {lv.level: lv for lv in eqf}
        self._aqrf = {lv.level: lv for lv in aqrf}
        self.qf_ehea: Mapping[str, Any] = qf_ehea
        systems = list(credit_systems) + [
            s for c in self._countries.values() for s in c.credit_systems
        ]
        self._credit_systems = {s.id: s for s in systems}
        self._credit_aliases = {a.lower(): s.id for s in systems for a in (s.id, *s.aliases)}
        self._scales = {g.id: g for c in self._countries.values() for g in c.grading_scales}
        self._rules: dict[tuple[str, str], list[Rule]] = {}
        for r in rules:
            self._rules.setdefault((r.source_type, r.receiving_country), []).append(r)
        self._all_rules = tuple(r for rs in self._rules.values() for r in rs)
        self._agreements = tuple(agreements)
        self._sources = {s.id: s for s in sources}
        self._instruments = {i.id: i for i in instruments}

    def reference_frameworks(self) -> dict[str, Any]:
        """ISCED 2011 (tertiary), ISCED-F 2013, EQF, QF-EHEA and AQRF, as JSON."""
        return {
            "dataVersion": self.data_version,
            "isced2011": [i.model_dump(mode="json") for i in self._isced.values()],
            "iscedF2013": [f.model_dump(mode="json") for f in self._fields.values()],
            "eqf": [lv.model_dump(mode="json") for lv in self._eqf.values()],
            "qfEhea": dict(self.qf_ehea),
            "aqrf": [lv.model_dump(mode="json") for lv in self._aqrf.values()],
        }

    # -- countries and types -------------------------------------------------------------
    def countries(self) -> tuple[Country, ...]:
        """All countries (and the ``EU`` group), sorted by code."""
        return tuple(self._countries[c] for c in sorted(self._countries))

    def has_country(self, code: str) -> bool:
        """Whether ``code`` (ISO alpha-2, case-insensitive) has data."""
        return code.upper() in self._countries

    def country(self, code: str) -> Country:
        """The country ``code``; raises :class:`UnknownReference` if there is no data for it."""
        try:
            return self._countries[code.upper()]
        except KeyError:
            raise UnknownReference(
                f"no frameworks data for country {code!r}; see the list of countries",
                extra={"value": code},
            ) from None

    def qualification_type(self, type_id: str) -> QualificationType:
        """The qualification type ``type_id``; raises :class:`UnknownReference` if unknown."""
        try:
            return self._types[type_id]
        except KeyError:
            raise UnknownReference(
                f"unknown qualification type {type_id!r}", extra={"value": type_id}
            ) from None

    def has_type(self, type_id: str) -> bool:
        """Whether ``type_id`` is a known qualification type."""
        return type_id in self._types

    def types_for(self, country: str) -> tuple[QualificationType, ...]:
        """The qualification types of ``country``; raises :class:`UnknownReference` if unknown."""
        return self.country(country).qualification_types

    def all_types(self) -> tuple[QualificationType, ...]:
        """Every qualification type of every country."""
        return tuple(self._types.values())

    # -- classifications -----------------------------------------------------------------
    def isced_level(self, code: str) -> IscedCode:
        """An ISCED 2011 level (``"6"``) or programme code (``"645"``); raises if unknown."""
        try:
            return self._isced[code]
        except KeyError:
            raise UnknownReference(
                f"unknown ISCED 2011 code {code!r}", extra={"value": code}
            ) from None

    def has_isced(self, code: str) -> bool:
        """Whether ``code`` is a known ISCED 2011 level or programme code."""
        return code in self._isced

    def iscedf_field(self, code: str) -> IscedField:
        """An ISCED-F 2013 field by its string code (``"0613"``); raises if unknown."""
        try:
            return self._fields[code]
        except KeyError:
            raise UnknownReference(
                f"unknown ISCED-F 2013 code {code!r}", extra={"value": code}
            ) from None

    def eqf_level(self, level: str) -> ReferenceLevel:
        """An EQF level (``"1"``-``"8"``); raises if unknown."""
        try:
            return self._eqf[level]
        except KeyError:
            raise UnknownReference(f"unknown EQF level {level!r}", extra={"value": level}) from None

    def aqrf_level(self, level: str) -> ReferenceLevel:
        """An AQRF level; raises if unknown."""
        try:
            return self._aqrf[level]
        except KeyError:
            raise UnknownReference(
                f"unknown AQRF level {level!r}", extra={"value": level}
            ) from None

    # -- credits, grades, comparisons, sources --------------------------------------------
    def credit_system(self, name: str) -> CreditSystem:
        """A credit system by id or alias (case-insensitive); raises if unknown."""
        key = self._credit_aliases.get(name.lower())
        if key is None:
            raise UnknownReference(f"unknown credit system {name!r}", extra={"value": name})
        return self._credit_systems[key]

    def grading_scale(self, scale_id: str) -> GradingScale:
        """A grading scale by id (e.g. ``kz-gpa-4``); raises if unknown."""
        try:
            return self._scales[scale_id]
        except KeyError:
            raise UnknownReference(
                f"unknown grading scale {scale_id!r}", extra={"value": scale_id}
            ) from None

    def rules_for(self, source_type: str, receiving_country: str) -> tuple[Rule, ...]:
        """Published comparisons of ``source_type`` in ``receiving_country`` (may be empty)."""
        return tuple(self._rules.get((source_type, receiving_country.upper()), ()))

    def rules(self) -> tuple[Rule, ...]:
        """Every published comparison."""
        return self._all_rules

    def agreements_between(self, a: str, b: str) -> tuple[Agreement, ...]:
        """Recognition agreements to which both ``a`` and ``b`` are parties."""
        return tuple(
            g for g in self._agreements if a.upper() in g.parties and b.upper() in g.parties
        )

    def source(self, source_id: str) -> Source:
        """A source by id; raises :class:`UnknownReference` if unknown."""
        try:
            return self._sources[source_id]
        except KeyError:
            raise UnknownReference(
                f"unknown source {source_id!r}", extra={"value": source_id}
            ) from None

    def sources(self) -> tuple[Source, ...]:
        """Every source, by id."""
        return tuple(self._sources[k] for k in sorted(self._sources))

    def public(self, model: BaseModel) -> dict[str, Any]:
        """``model`` as JSON for publication: every citation resolved to its source's address,
        title, publisher and date checked, with the quotation."""

        def resolve(value: Any) -> Any:
            if isinstance(value, dict):
                if set(value) == {"source", "quote"} and value["source"] in self._sources:
                    src = self._sources[value["source"]]
                    return {
                        "url": src.url,
                        "title": src.title,
                        "publisher": src.publisher,
                        "quote": value["quote"],
                        "checked": src.checked.isoformat(),
                    }
                return {k: resolve(v) for k, v in value.items()}
            if isinstance(value, list):
                return [resolve(v) for v in value]
            return value

        result: dict[str, Any] = resolve(model.model_dump(mode="json"))
        return result

    def instrument(self, instrument_id: str) -> Instrument:
        """A recognition convention's verified provisions; raises if unknown."""
        found = next((i for i in self._instruments.values() if i.id == instrument_id), None)
        if found is None:
            raise UnknownReference(
                f"unknown instrument {instrument_id!r}", extra={"value": instrument_id}
            )
        return found


# ---------------------------------------------------------------------------------------
# loading and validation


def _read(path: Path, problems: list[ErrorDetail]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(ErrorDetail(f"{path.name}: file is missing", code="missing-file"))
    except (OSError, ValueError) as exc:
        problems.append(ErrorDetail(f"{path.name}: not readable JSON ({exc})", code="bad-json"))
    return None


def _parse(model: type[_M], raw: Any, where: str, problems: list[ErrorDetail]) -> _M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            pointer = "/" + "/".join(str(p) for p in err["loc"])
            problems.append(
                ErrorDetail(f"{where}: {err['msg']} at {pointer}", pointer=pointer, code="invalid")
            )
        return None


def _citations(obj: Any) -> Iterable[tuple[str, Citation]]:
    """Every citation inside a model, with where it is."""
    if isinstance(obj, Citation):
        yield "", obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            for where, c in _citations(getattr(obj, name)):
                yield f"{name}{'.' + where if where else ''}", c
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            for where, c in _citations(item):
                yield f"{i}{'.' + where if where else ''}", c
    elif isinstance(obj, dict):
        for k, item in obj.items():
            for where, c in _citations(item):
                yield f"{k}{'.' + where if where else ''}", c


def _category_of(registry: FrameworkRegistry, ref: str) -> bool:
    return ref in CATEGORY_ISCED_LEVEL or ref == "certificate-of-study" or registry.has_type(ref)


def _check(registry: FrameworkRegistry, problems: list[ErrorDetail], dup: list[str]) -> None:
    def bad(msg: str, code: str = "dangling-reference") -> None:
        problems.append(ErrorDetail(msg, code=code))

    problems.extend(ErrorDetail(d, code="duplicate-id") for d in dup)
    for country in registry.countries():
        where = f"countries/{country.code}"
        for group in country.member_of:
            if not registry.has_country(group) or not registry.country(group).group:
                bad(f"{where}: member_of {group!r} is not a group with data")
        if country.primary_credit_system is not None:
            try:
                registry.credit_system(country.primary_credit_system)
            except UnknownReference:
                bad(f"{where}: primary_credit_system {country.primary_credit_system!r} is unknown")
        for t in country.qualification_types:
            tw = f"{where}: type {t.id}"
            if t.country_code != country.code:
                bad(f"{tw}: id prefix does not match country {country.code}", "wrong-country")
            if t.isced not in registry._isced:
                bad(f"{tw}: unknown ISCED 2011 code {t.isced!r}")
            if t.category == "certificate-of-study":
                if t.completed or t.degree:
                    bad(
                        f"{tw}: a certificate of study is neither completed nor a degree",
                        "inconsistent",
                    )
            elif t.isced_level != CATEGORY_ISCED_LEVEL[t.category]:
                bad(f"{tw}: ISCED {t.isced} does not fit category {t.category}", "inconsistent")
            for code in t.fields:
                if code not in registry._fields:
                    bad(f"{tw}: unknown ISCED-F field {code!r}")
            for target in t.access_to:
                if not registry.has_type(target):
                    bad(f"{tw}: access_to unknown type {target!r}")
            if t.credits is not None:
                try:
                    registry.credit_system(t.credits.system)
                except UnknownReference:
                    bad(f"{tw}: unknown credit system {t.credits.system!r}")
            if t.eqf_level is not None and t.eqf_level not in registry._eqf:
                bad(f"{tw}: unknown EQF level {t.eqf_level!r}")
            if t.aqrf_level is not None and t.aqrf_level not in registry._aqrf:
                bad(f"{tw}: unknown AQRF level {t.aqrf_level!r}")
            levels = country.framework.levels
            if t.nqf_level is not None and levels and t.nqf_level not in levels:
                bad(f"{tw}: NQF level {t.nqf_level!r} is not a level of {country.framework.id}")
    for rule in registry.rules():
        rw = f"comparisons: rule {rule.id}"
        if not registry.has_type(rule.source_type):
            bad(f"{rw}: unknown source type {rule.source_type!r}")
        elif registry.qualification_type(rule.source_type).country_code == rule.receiving_country:
            bad(f"{rw}: a comparison of {rule.source_type} within its own country", "inconsistent")
        if not registry.has_country(rule.receiving_country):
            bad(f"{rw}: unknown receiving country {rule.receiving_country!r}")
            continue
        receiving = registry.country(rule.receiving_country)
        for comparable in rule.result.comparable_types:
            if (
                not registry.has_type(comparable)
                or registry.qualification_type(comparable).country_code != rule.receiving_country
            ):
                bad(
                    f"{rw}: comparable type {comparable!r} is not a type of {rule.receiving_country}"
                )
        for lv in (rule.result.level_min, rule.result.level_max):
            if (
                lv is not None
                and receiving.framework.levels
                and lv not in receiving.framework.levels
            ):
                bad(f"{rw}: level {lv!r} is not a level of {receiving.framework.id}")
        for ref in rule.when.prior_qualification:
            if not _category_of(registry, ref):
                bad(f"{rw}: prior_qualification {ref!r} is neither a type nor a category")
        for code in rule.when.field:
            if code not in registry._fields:
                bad(f"{rw}: unknown ISCED-F field {code!r}")
        if (
            rule.result.outcome == "partial-recognition"
            and rule.result.credits_recognised_ects is None
        ):
            bad(f"{rw}: partial recognition names the credits recognised", "inconsistent")
        tiers = (
            registry.country(rule.source_type[:2]).institution_tiers
            if registry.has_type(rule.source_type)
            else ()
        )
        for tier in rule.when.institution_tier:
            if tier not in tiers:
                bad(f"{rw}: institution tier {tier!r} is not declared by the awarding country")
    for g in registry._agreements:
        for party in g.parties:
            if not registry.has_country(party):
                bad(f"agreements: {g.id}: party {party!r} has no data")
    everything: list[tuple[str, Any]] = [(f"countries/{c.code}", c) for c in registry.countries()]
    everything += [(f"comparisons/{r.id}", r) for r in registry.rules()]
    everything += [(f"agreements/{g.id}", g) for g in registry._agreements]
    everything += [(f"credit-systems/{s.id}", s) for s in registry._credit_systems.values()]
    everything += [(f"conventions/{i.id}", i) for i in registry._instruments.values()]
    for where, obj in everything:
        for path, citation in _citations(obj):
            if citation.source not in registry._sources:
                bad(f"{where}/{path}: citation of unknown source {citation.source!r}")


def load_registry_from(path: Path) -> FrameworkRegistry:
    """Load and validate the frameworks data in directory ``path``.

    Raises :class:`FrameworkDataError` listing every malformed file, duplicate id and
    dangling reference found.
    """
    problems: list[ErrorDetail] = []
    dup: list[str] = []
    countries: list[Country] = []
    seen_countries: set[str] = set()
    seen_types: set[str] = set()
    seen_systems: set[str] = set()
    country_files = sorted((path / "countries").glob("*.json"))
    if not country_files:
        problems.append(ErrorDetail("countries/: no country files", code="missing-file"))
    for file in country_files:
        c = _parse(Country, _read(file, problems), f"countries/{file.name}", problems)
        if c is None:
            continue
        if c.code in seen_countries:
            dup.append(f"countries/{file.name}: duplicate country {c.code}")
        seen_countries.add(c.code)
        for t in c.qualification_types:
            if t.id in seen_types:
                dup.append(f"countries/{file.name}: duplicate qualification type {t.id}")
            seen_types.add(t.id)
        countries.append(c)

    raw_isced = _read(path / "isced2011.json", problems) or {}
    isced: list[IscedCode] = []
    for i, lv in enumerate(raw_isced.get("levels", [])):
        m = _parse(IscedCode, {"code": lv["level"], **lv}, f"isced2011.json levels[{i}]", problems)
        isced.extend([m] if m else [])
    for i, pc in enumerate(raw_isced.get("programme_codes", [])):
        m = _parse(IscedCode, pc, f"isced2011.json programme_codes[{i}]", problems)
        isced.extend([m] if m else [])
    raw_fields = _read(path / "iscedf2013.json", problems) or {}
    fields = [
        f
        for i, raw in enumerate(raw_fields.get("fields", []))
        if (f := _parse(IscedField, raw, f"iscedf2013.json fields[{i}]", problems)) is not None
    ]
    raw_eqf = _read(path / "eqf.json", problems) or {}
    eqf = [
        lv
        for raw in raw_eqf.get("levels", [])
        if (lv := _parse(ReferenceLevel, raw, "eqf.json", problems))
    ]
    raw_aqrf = _read(path / "aqrf.json", problems) or {}
    aqrf = [
        lv
        for raw in raw_aqrf.get("levels", [])
        if (lv := _parse(ReferenceLevel, raw, "aqrf.json", problems))
    ]
    qf_ehea = _read(path / "qf-ehea.json", problems) or {}
    raw_systems = _read(path / "credit-systems.json", problems) or {}
    systems = [
        s
        for raw in raw_systems.get("credit_systems", [])
        if (s := _parse(CreditSystem, raw, "credit-systems.json", problems))
    ]
    for s in systems + [s for c in countries for s in c.credit_systems]:
        for name in (s.id, *s.aliases):
            if name.lower() in seen_systems:
                dup.append(f"credit system id or alias {name!r} is defined twice")
            seen_systems.add(name.lower())
    raw_cmp = _read(path / "comparisons.json", problems) or {}
    rules = [
        r
        for raw in raw_cmp.get("rules", [])
        if (r := _parse(Rule, raw, f"comparisons.json {raw.get('id', '?')}", problems))
    ]
    seen_rules: set[str] = set()
    for r in rules:
        if r.id in seen_rules:
            dup.append(f"comparisons.json: duplicate rule id {r.id}")
        seen_rules.add(r.id)
    raw_agr = _read(path / "agreements.json", problems) or {}
    agreements = [
        a
        for raw in raw_agr.get("agreements", [])
        if (a := _parse(Agreement, raw, "agreements.json", problems))
    ]
    raw_src = _read(path / "sources.json", problems) or {}
    sources = [
        src
        for raw in raw_src.get("sources", [])
        if (src := _parse(Source, raw, f"sources.json {raw.get('id', '?')}", problems))
    ]
    seen_sources: set[str] = set()
    for src in sources:
        if src.id in seen_sources:
            dup.append(f"sources.json: duplicate source id {src.id}")
        seen_sources.add(src.id)
    raw_conv = _read(path / "conventions.json", problems) or {}
    instruments = [
        inst
        for raw in raw_conv.get("instruments", [])
        if (inst := _parse(Instrument, raw, "conventions.json", problems))
    ]
    seen_codes: set[str] = set()
    for code in [i.code for i in isced] + [f.code for f in fields]:
        if code in seen_codes:
            dup.append(f"classification code {code!r} is defined twice")
        seen_codes.add(code)
    if problems:
        # Cross-references cannot be checked reliably on partially parsed data.
        problems.extend(ErrorDetail(d, code="duplicate-id") for d in dup)
        raise FrameworkDataError(_summary(problems), details=problems)
    registry = FrameworkRegistry(
        countries=countries,
        isced=isced,
        fields=fields,
        eqf=eqf,
        aqrf=aqrf,
        qf_ehea=qf_ehea,
        credit_systems=systems,
        rules=rules,
        agreements=agreements,
        sources=sources,
        instruments=instruments,
        data_version=str(raw_isced.get("data_version", "unknown")),
    )
    _check(registry, problems, dup)
    if problems:
        raise FrameworkDataError(_summary(problems), details=problems)
    return registry


def _summary(problems: list[ErrorDetail]) -> str:
    head = "; ".join(p.message for p in problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return f"invalid recognition frameworks data: {head}{more}"


@lru_cache(maxsize=1)
def load_registry() -> FrameworkRegistry:
    """The packaged frameworks registry, loaded and validated once (cached).

    Raises :class:`FrameworkDataError` if the packaged data is broken.
    """
    return load_registry_from(DATA_DIR)
