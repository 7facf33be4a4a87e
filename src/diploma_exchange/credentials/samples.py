"""Deterministic demo diplomas of (fictional) Kazakh universities.

Used by the demo seeder, the tests and the benchmark: ``sample_diploma_data(i)`` always returns
the same payload for the same ``i``. Names are given in Kazakh, Russian and English; the
programmes use real ISCED-F 2013 codes, Kazakhstan NQF levels and the Kazakh letter-grade
scale, so a signed sample is a realistic 3-6 KB credential.
"""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from diploma_exchange.credentials.models import (
    KZ_LETTER_GRADES,
    CourseResult,
    DiplomaData,
    IdentifierEntry,
    IssuerProfile,
    build_diploma_credential,
)

SAMPLE_ISSUERS: tuple[IssuerProfile, ...] = (
    IssuerProfile(
        id="did:web:alatau-tech.edu.kz",
        name="Alatau Technical University",
        url="https://alatau-tech.edu.kz",
        country="Kazakhstan",
        locality="Almaty",
        email="registrar@alatau-tech.edu.kz",
        other_identifiers=(
            IdentifierEntry(identifier="990140000123", identifier_type="ext:KZ-BIN"),
        ),
    ),
    IssuerProfile(
        id="did:web:esil-university.edu.kz",
        name="Esil State University",
        url="https://esil-university.edu.kz",
        country="Kazakhstan",
        locality="Astana",
    ),
)


@dataclass(frozen=True, slots=True)
class _Person:
    given: tuple[str, str, str]  # kk, ru, en
    family: tuple[str, str, str]
    patronymic: tuple[str, str]  # kk, ru


_PEOPLE: tuple[_Person, ...] = (
    _Person(("Әйгерім", "Айгерим", "Aigerim"), ("Әбенова", "Абенова", "Abenova"),
            ("Серікқызы", "Сериковна")),
    _Person(("Дәурен", "Даурен", "Dauren"), ("Жұмабеков", "Жумабеков", "Zhumabekov"),
            ("Нұрланұлы", "Нурланович")),
    _Person(("Аружан", "Аружан", "Aruzhan"), ("Сейітқали", "Сейткали", "Seitkali"),
            ("Ерланқызы", "Ерлановна")),
    _Person(("Нұрлан", "Нурлан", "Nurlan"), ("Оспанов", "Оспанов", "Ospanov"),
            ("Асқарұлы", "Аскарович")),
    _Person(("Мәдина", "Мадина", "Madina"), ("Төлегенова", "Тулегенова", "Tulegenova"),
            ("Бауыржанқызы", "Бауыржановна")),
    _Person(("Ерлан", "Ерлан", "Yerlan"), ("Қасымов", "Касымов", "Kassymov"),
            ("Болатұлы", "Болатович")),
    _Person(("Дана", "Дана", "Dana"), ("Нұрпейісова", "Нурпеисова", "Nurpeissova"),
            ("Маратқызы", "Маратовна")),
    _Person(("Тимур", "Тимур", "Timur"), ("Ахметов", "Ахметов", "Akhmetov"),
            ("Ғалымұлы", "Галымович")),
    _Person(("Сәуле", "Сауле", "Saule"), ("Исмаилова", "Исмаилова", "Ismailova"),
            ("Қайратқызы", "Кайратовна")),
    _Person(("Асқар", "Аскар", "Askar"), ("Бекмұханов", "Бекмуханов", "Bekmukhanov"),
            ("Ержанұлы", "Ержанович")),
    _Person(("Жансая", "Жансая", "Zhansaya"), ("Мұқанова", "Муканова", "Mukanova"),
            ("Әсетқызы", "Асетовна")),
    _Person(("Ілияс", "Ильяс", "Ilyas"), ("Сәрсенбаев", "Сарсенбаев", "Sarsenbayev"),
            ("Талғатұлы", "Талгатович")),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Programme:
    achievement_type: str
    code: str
    names: tuple[str, str, str]  # kk, ru, en
    field_of_study: str
    specialization: str | None
    isced_f: str
    isced_level: str
    nqf_level: str
    years: float
    credits: int
    courses: tuple[tuple[str, str, int], ...]  # code, English title, ECTS


_GENERAL: tuple[tuple[str, str, int], ...] = (
    ("HMK1101", "Modern History of Kazakhstan", 5),
    ("PHL1102", "Philosophy", 5),
    ("KRL1103", "Kazakh (Russian) Language", 10),
    ("FL1104", "Foreign Language (English)", 10),
)

_PROGRAMMES: tuple[_Programme, ...] = (
    _Programme(
        "BachelorDegree", "6B06102",
        ("Инженерия және технологиялар бакалавры", "Бакалавр техники и технологий",
         "Bachelor of Engineering and Technology"),
        "Information and Communication Technologies", "Software Engineering",
        "0613", "645", "6", 4, 240,
        _GENERAL + (
            ("CSE2201", "Algorithms and Data Structures", 6),
            ("CSE2202", "Object-Oriented Programming", 6),
            ("CSE2203", "Databases", 5),
            ("CSE2204", "Operating Systems", 5),
            ("CSE3301", "Computer Networks", 5),
            ("CSE3302", "Software Architecture and Design Patterns", 6),
            ("CSE3303", "Web Application Development", 6),
            ("CSE3304", "Information Security", 5),
            ("CSE4401", "Cloud Computing", 5),
            ("CSE4402", "Machine Learning", 6),
            ("INT4404", "Industrial Internship", 10),
            ("FIN4405", "Diploma Project Defence", 12),
        ),
    ),
    _Programme(
        "BachelorDegree", "6B04102",
        ("Бизнес және басқару бакалавры", "Бакалавр бизнеса и управления",
         "Bachelor of Business and Management"),
        "Business, Administration and Law", "Accounting and Audit",
        "0411", "645", "6", 4, 240,
        _GENERAL + (
            ("ECO2201", "Microeconomics", 5),
            ("ECO2202", "Macroeconomics", 5),
            ("ACC2203", "Financial Accounting", 6),
            ("ACC2204", "Management Accounting", 6),
            ("TAX3301", "Taxation in the Republic of Kazakhstan", 5),
            ("AUD3302", "Auditing", 6),
            ("IFR3303", "International Financial Reporting Standards", 6),
            ("FIN3304", "Corporate Finance", 5),
            ("INT4402", "Pre-Diploma Internship", 10),
            ("FIN4403", "Diploma Thesis Defence", 12),
        ),
    ),
    _Programme(
        "MasterDegree", "7M05301",
        ("Жаратылыстану ғылымдарының магистрі", "Магистр естественных наук",
         "Master of Natural Sciences"),
        "Natural Sciences, Mathematics and Statistics", "Physics",
        "0533", "747", "7", 2, 120,
        (
            ("HPS5101", "History and Philosophy of Science", 4),
            ("FLP5102", "Foreign Language (Professional)", 4),
            ("PED5103", "Higher Education Pedagogy", 4),
            ("PSY5104", "Psychology of Management", 4),
            ("PHY5201", "Quantum Mechanics II", 6),
            ("PHY5202", "Solid State Physics", 6),
            ("PHY5203", "Computational Physics", 6),
            ("PHY5204", "Physics of Semiconductors", 5),
            ("PHY5205", "Plasma Physics", 5),
            ("PHY5206", "Methods of Experimental Physics", 5),
            ("PHY6301", "Nanomaterials and Nanotechnology", 5),
            ("PHY6302", "Photonics", 5),
            ("PRC6303", "Pedagogical Practice", 4),
            ("PRC6304", "Research Practice", 6),
            ("RES6305", "Master's Research Work", 24),
            ("FIN6306", "Master's Thesis Defence", 12),
        ),
    ),
    _Programme(
        "ResearchDoctorate", "8D07101",
        ("Философия докторы (PhD)", "Доктор философии (PhD)", "Doctor of Philosophy (PhD)"),
        "Engineering, Manufacturing and Construction", "Automation and Control",
        "0714", "844", "8", 3, 180,
        (
            ("AWR7101", "Academic Writing", 5),
            ("RMT7102", "Research Methods", 5),
            ("ACS7201", "Nonlinear Control Systems", 5),
            ("ACS7202", "Optimal and Robust Control", 5),
            ("ACS7203", "Industrial Cyber-Physical Systems", 5),
            ("ACS7204", "System Identification", 5),
            ("PRC7301", "Pedagogical Practice", 10),
            ("PRC7302", "Research Practice", 10),
            ("RES7401", "Doctoral Research Work I", 30),
            ("RES7402", "Doctoral Research Work II", 30),
            ("RES7403", "Doctoral Research Work III", 30),
            ("SEM7404", "Research Seminar", 5),
            ("PUB7405", "Publications in Peer-Reviewed Journals", 10),
            ("INT7406", "Foreign Research Internship", 5),
            ("FIN7407", "Doctoral Dissertation Defence", 12),
        ),
    ),
)  # fmt: skip

_HONOURS = {"kk": "Үздік диплом", "ru": "Диплом с отличием", "en": "With honours"}
_GRADE_POINTS = dict(KZ_LETTER_GRADES)
_GRADE_WEIGHTS = (
    ("A", 22), ("A-", 18), ("B+", 16), ("B", 14), ("B-", 10), ("C+", 8), ("C", 6),
    ("C-", 3), ("D+", 2), ("D", 1),
)  # fmt: skip
_LANGUAGE_PLANS: tuple[tuple[str, ...], ...] = (("kk",), ("ru",), ("kk", "en"), ("kk", "ru", "en"))


def sample_issuer(i: int = 0) -> IssuerProfile:
    """A demo issuer (deterministic for ``i``)."""
    return SAMPLE_ISSUERS[i % len(SAMPLE_ISSUERS)]


def _pick(languages: Sequence[str], values: dict[str, str]) -> dict[str, str]:
    return {tag: values[tag] for tag in ("kk", "ru", "en") if tag in languages or tag == "en"}


def sample_diploma_data(
    i: int = 0,
    *,
    languages: Sequence[str] = ("kk", "ru", "en"),
    detailed_names: bool = False,
) -> DiplomaData:
    """A realistic demo diploma payload, the same for the same ``i``.

    ``languages`` chooses which of Kazakh (``kk``), Russian (``ru``) and English (``en``)
    appear in the language maps; English is always included. ``detailed_names`` adds the
    optional given/family name maps.
    """
    rng = random.Random(f"diploma-exchange-sample-{i}")
    person = _PEOPLE[i % len(_PEOPLE)]
    programme = _PROGRAMMES[i % len(_PROGRAMMES)]
    original = "kk" if i % 2 == 0 or "ru" not in languages else "ru"
    if original not in languages:
        original = "en"

    award = date(2026, 6, 20) + timedelta(days=i % 10)
    start = date(2026 - round(programme.years + 0.49), 9, 1)
    age_at_start = {"BachelorDegree": 18, "MasterDegree": 22, "ResearchDoctorate": 24}
    birth = date(start.year - age_at_start[programme.achievement_type], 1, 1) + timedelta(
        days=rng.randrange(365)
    )

    courses: list[CourseResult] = []
    total_points = Decimal(0)
    total_credits = 0
    grades, weights = zip(*_GRADE_WEIGHTS, strict=True)
    for index, (code, title, ects) in enumerate(programme.courses):
        grade = rng.choices(grades, weights=weights)[0]
        semester_index = index * round(programme.years * 2) // len(programme.courses)
        year = start.year + semester_index // 2
        semester = "fall" if semester_index % 2 == 0 else "spring"
        courses.append(
            CourseResult(
                code=code,
                title={"en": title},
                credits_earned=ects,
                grade=grade,
                grade_points=_GRADE_POINTS[grade],
                term=f"{year if semester == 'fall' else year + 1}-{semester}",
            )
        )
        total_points += Decimal(str(_GRADE_POINTS[grade])) * ects
        total_credits += ects
    gpa = (total_points / total_credits).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    kk_full = f"{person.family[0]} {person.given[0]} {person.patronymic[0]}"
    ru_full = f"{person.family[1]} {person.given[1]} {person.patronymic[1]}"
    en_full = f"{person.given[2]} {person.family[2]}"
    names = _pick(languages, {"kk": kk_full, "ru": ru_full, "en": en_full})
    qualification = _pick(
        languages,
        {
            "kk": programme.names[0],
            "ru": programme.names[1],
            "en": f"{programme.names[2]} in {programme.specialization}",
        },
    )
    prefix = {"BachelorDegree": "JB-B", "MasterDegree": "JM-M", "ResearchDoctorate": "JD-D"}
    return DiplomaData(
        student_id=f"{start.year % 100:02d}{programme.code[2:4]}{100000 + (i * 7919) % 900000}",
        full_name=names,
        given_name=_pick(languages, dict(zip(("kk", "ru", "en"), person.given, strict=True)))
        if detailed_names
        else None,
        family_name=_pick(languages, dict(zip(("kk", "ru", "en"), person.family, strict=True)))
        if detailed_names
        else None,
        patronymic_name={
            tag: value
            for tag, value in zip(("kk", "ru"), person.patronymic, strict=True)
            if tag in languages
        }
        or None,
        birth_date=birth,
        achievement_type=programme.achievement_type,
        qualification_name=qualification,
        original_language=original,
        field_of_study=programme.field_of_study,
        specialization=programme.specialization,
        programme_code=programme.code,
        isced_f=programme.isced_f,
        isced_level=programme.isced_level,
        nqf_level=programme.nqf_level,
        length_years=programme.years,
        credits=programme.credits,
        credit_system="ECTS",
        language_of_instruction=_LANGUAGE_PLANS[i % len(_LANGUAGE_PLANS)],
        mode_of_study="full-time",
        gpa=str(gpa),
        grading_scale="0-4",
        gpa_pass_mark="1.00",
        honours=_pick(languages, _HONOURS) if gpa >= Decimal("3.50") else None,
        transcript=tuple(courses),
        award_date=award,
        study_start=start,
        study_end=award - timedelta(days=5),
        diploma_number=f"{prefix[programme.achievement_type]} {(i * 104729 + 12345) % 10_000_000:07d}",
    )


def sample_credential_id(i: int = 0) -> str:
    """A deterministic ``urn:uuid`` for sample ``i``."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'diploma-exchange-sample/{i}')}"


def sample_diploma_credential(i: int = 0, *, issuer: IssuerProfile | None = None) -> dict[str, Any]:
    """The unsigned credential document for sample ``i``."""
    return build_diploma_credential(
        sample_diploma_data(i),
        issuer=issuer or sample_issuer(i),
        credential_id=sample_credential_id(i),
    )


__all__ = [
    "SAMPLE_ISSUERS",
    "sample_credential_id",
    "sample_diploma_credential",
    "sample_diploma_data",
    "sample_issuer",
]


def write_sample_class_csv(path: Path, count: int) -> Path:
    """Write a CSV graduating class of ``count`` sample diplomas (the CSV columns of
    docs/schema.md; no transcripts, which the CSV format does not carry), streaming."""
    from diploma_exchange.credentials.csv_import import LANGUAGE_MAP_FIELDS, SCALAR_COLUMNS

    header = [c for c in SCALAR_COLUMNS if c not in ("qualification_name", "honours")] + [
        f"{field}_{tag}" for field in LANGUAGE_MAP_FIELDS for tag in ("kk", "ru", "en")
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(_csv_row(sample_diploma_data(i)) for i in range(count))
    return path


def _csv_row(data: DiplomaData) -> dict[str, str]:
    from diploma_exchange.credentials.csv_import import LANGUAGE_MAP_FIELDS, SCALAR_COLUMNS

    row: dict[str, str] = {}
    for name, value in data.model_dump(mode="json", exclude_none=True).items():
        if name in LANGUAGE_MAP_FIELDS and isinstance(value, dict):
            for tag, text in value.items():
                row[f"{name}_{tag}"] = text
        elif name in SCALAR_COLUMNS and isinstance(value, list):
            row[name] = ";".join(str(v) for v in value)
        elif name in SCALAR_COLUMNS and not isinstance(value, dict):
            row[name] = f"{value:g}" if isinstance(value, float) else str(value)
    return row
