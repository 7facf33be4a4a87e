"""Qualifications frameworks registry: ISCED 2011, ISCED-F 2013, EQF, QF-EHEA, AQRF and countries.

The data lives in ``recognition/data/`` (versioned JSON, see ``data/README.md``). It is parsed
into frozen pydantic models and cross-checked once on load: any dangling reference (unknown
ISCED code, access to an unknown type, unknown credit system, a type id that does not belong
to its country, duplicate ids, ...) raises :class:`FrameworkDataError` listing every problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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
]
_M = TypeVar("_M", bound=BaseModel)
Sources = Annotated[tuple[str, ...], Field(min_length=1)]

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
    """English name and original-language names (language tag -> name)."""

    en: str
    original: dict[str, str]


class QualificationType(_Model):
    """One kind of qualification in a national system (e.g. ``kz.bachelor``)."""

    id: Annotated[str, Field(pattern=r"^[a-z]{2}\.[a-z0-9][a-z0-9.-]*$")]
    names: Names
    category: Category
    degree: bool
    nqf_level: str | None
    isced: Annotated[str, Field(pattern=r"^[5-8]\d{0,2}$")]
    eqf_level: str | None
    aqrf_level: str | None
    length_years: Range | None
    credits: CreditRange | None
    access_to: tuple[str, ...]
    access_known: bool
    achievement_types: tuple[str, ...]
    default_for_category: bool = False
    #: ISCED-F codes this type is restricted to (e.g. 6-year Japanese bachelor: medicine ...).
    fields: tuple[str, ...] = ()
    sources: Sources
    confidence: Confidence
    notes: str | None = None

    @property
    def country_code(self) -> str:
        """ISO 3166-1 alpha-2 code of the awarding system (``EU`` for the EQF group)."""
        return self.id.split(".", 1)[0].upper()

    @property
    def isced_level(self) -> str:
        """The ISCED 2011 level (first digit of the programme code)."""
        return self.isced[0]


class ConventionStatus(_Model):
    """A country's status under a recognition convention (tokyo, lisbon, global, ...)."""

    convention: str
    status: Literal["party", "ratified-not-in-force", "acceding", "not-party"]
    date: str | None
    sources: tuple[str, ...]
    confidence: Confidence
    notes: str | None = None


class Referencing(_Model):
    """Referencing of a national framework to a regional one (EQF, QF-EHEA, AQRF)."""

    framework: str
    status: str
    sources: tuple[str, ...]
    notes: str | None = None


class Framework(_Model):
    """A national qualifications framework (levels may be empty when not adopted or unknown)."""

    id: str
    name: str
    levels: tuple[str, ...]
    referenced_to: tuple[Referencing, ...] = ()
    sources: tuple[str, ...]
    confidence: Confidence
    notes: str | None = None


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
    notes: str | None = None


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
    notes: str | None = None


class Country(_Model):
    """A national (or group) higher-education system."""

    schema_version: Literal[1]
    data_version: str
    code: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    name: str
    nic: str | None = None
    framework: Framework
    conventions: Annotated[tuple[ConventionStatus, ...], Field(min_length=1)]
    credit_systems: tuple[CreditSystem, ...]
    primary_credit_system: str | None
    grading_scales: tuple[GradingScale, ...]
    qualification_types: Annotated[tuple[QualificationType, ...], Field(min_length=1)]
    notes: str | None = None

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


class Comparison(_Model):
    """A sourced statement comparing one source type with a receiving system."""

    source_type: str
    receiving_country: str
    comparable_type: str | None
    outcome: Literal[
        "comparable", "comparable-with-non-substantial-differences", "substantial-difference"
    ]
    note: str
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
    notes: str | None = None


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
        comparisons: Iterable[Comparison],
        agreements: Iterable[Agreement],
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
        self._comparisons = {(c.source_type, c.receiving_country): c for c in comparisons}
        self._agreements = tuple(agreements)

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
                f"no frameworks data for country {code!r}; known: {', '.join(sorted(self._countries))}",
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

    # -- credits, grades, comparisons --------------------------------------------------------
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

    def comparison(self, source_type: str, receiving_country: str) -> Comparison | None:
        """A sourced comparison statement for this pair, if the data has one."""
        return self._comparisons.get((source_type, receiving_country.upper()))

    def agreements_between(self, a: str, b: str) -> tuple[Agreement, ...]:
        """Recognition agreements to which both ``a`` and ``b`` are parties."""
        return tuple(
            g for g in self._agreements if a.upper() in g.parties and b.upper() in g.parties
        )


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
            problems.append(ErrorDetail(f"{where}: {err['msg']}", pointer=pointer, code="invalid"))
        return None


def _check(registry: FrameworkRegistry, problems: list[ErrorDetail], dup: list[str]) -> None:
    def bad(msg: str, code: str = "dangling-reference") -> None:
        problems.append(ErrorDetail(msg, code=code))

    problems.extend(ErrorDetail(d, code="duplicate-id") for d in dup)
    for country in registry.countries():
        where = f"countries/{country.code}"
        if not country.framework.id:
            bad(f"{where}: has no framework")
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
            if t.isced_level != CATEGORY_ISCED_LEVEL[t.category]:
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
    for (source, receiving), comp in registry._comparisons.items():
        if not registry.has_type(source):
            bad(f"comparisons: unknown source type {source!r}")
        if not registry.has_country(receiving):
            bad(f"comparisons: unknown receiving country {receiving!r}")
        comparable = comp.comparable_type
        if comparable is not None and (
            not registry.has_type(comparable)
            or registry.qualification_type(comparable).country_code != receiving
        ):
            bad(f"comparisons: comparable type {comparable!r} is not a type of {receiving}")


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
    comparisons = [
        cmp
        for raw in raw_cmp.get("comparisons", [])
        if (cmp := _parse(Comparison, raw, "comparisons.json", problems))
    ]
    raw_agr = _read(path / "agreements.json", problems) or {}
    agreements = [
        a
        for raw in raw_agr.get("agreements", [])
        if (a := _parse(Agreement, raw, "agreements.json", problems))
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
        comparisons=comparisons,
        agreements=agreements,
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
