"""The packaged frameworks data is complete, sourced and free of dangling references."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from diploma_exchange.recognition import (
    FrameworkDataError,
    UnknownReference,
    load_registry,
    load_registry_from,
)
from diploma_exchange.recognition.frameworks import DATA_DIR

REQUIRED_TYPES = [
    "kz.bachelor",
    "kz.specialist",
    "kz.master-profile",
    "kz.master-scientific-pedagogical",
    "kz.phd",
    "kz.candidate-of-sciences",
    "kz.doctor-of-sciences",
    "ru.bachelor",
    "ru.specialist",
    "ru.master",
    "ru.candidate-of-sciences",
    "ru.doctor-of-sciences",
    "cn.bachelor",
    "cn.master",
    "cn.doctorate",
    "cn.graduation-certificate-undergraduate",
    "kr.associate",
    "kr.bachelor",
    "kr.master",
    "kr.doctorate",
    "jp.junior-college-associate",
    "jp.bachelor",
    "jp.master",
    "jp.doctorate",
    "au.associate-degree",
    "au.bachelor",
    "au.bachelor-honours",
    "au.master-coursework",
    "au.master-research",
    "au.doctorate",
    "nz.bachelor",
    "nz.bachelor-honours",
    "nz.master",
    "nz.doctorate",
    "tr.associate",
    "tr.bachelor",
    "tr.master",
    "tr.doctorate",
    "am.bachelor",
    "am.master",
    "am.researcher",
    "mn.bachelor",
    "mn.master",
    "mn.doctorate",
    "uz.bachelor",
    "uz.master",
    "uz.phd",
    "uz.dsc",
    "kg.bachelor",
    "kg.specialist",
    "kg.master",
    "vn.bachelor",
    "vn.master",
    "vn.doctorate",
    "in.bachelor-3y",
    "in.bachelor-4y",
    "in.master",
    "in.phd",
    "my.bachelor",
    "my.master",
    "my.doctorate",
    "id.d3",
    "id.s1",
    "id.s2",
    "id.s3",
    "th.bachelor",
    "th.master",
    "th.doctorate",
    "ph.bachelor",
    "ph.master",
    "ph.doctorate",
    "eu.short-cycle",
    "eu.bachelor",
    "eu.master",
    "eu.doctorate",
]
#: Every party and signatory of the Tokyo Convention, Kazakhstan's main partners (Central and
#: South Asia, South Caucasus, East Asia, ASEAN, Oceania, Russia, Türkiye, Iran, North America,
#: the United Kingdom) and every EU member state: each is its own system, not the EU group.
TOKYO = [
    "AU",
    "CN",
    "NZ",
    "JP",
    "KR",
    "VA",
    "MN",
    "TR",
    "FJ",
    "RU",
    "AF",
    "AM",
    "KZ",
    "BD",
    "KH",
    "LA",
    "TL",
]
PARTNERS = [
    "KG", "TJ", "TM", "UZ", "BT", "IN", "MV", "NP", "PK", "LK", "AZ", "GE", "BN", "ID", "MY",
    "MM", "PH", "SG", "TH", "VN", "IR", "US", "CA", "GB", "UA", "CH", "NO",
]  # fmt: skip
EU = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
]  # fmt: skip
COUNTRIES = sorted(set(TOKYO + PARTNERS + EU))


def test_registry_loads_and_is_cached() -> None:
    assert load_registry() is load_registry()


@pytest.mark.parametrize("code", COUNTRIES)
def test_every_required_country_is_its_own_sourced_system(code: str) -> None:
    reg = load_registry()
    country = reg.country(code)
    assert not country.group and country.framework.id and country.framework.sources
    assert country.names.ru and country.names.kk
    types = reg.types_for(code)
    assert any(t.category in ("bachelor", "bachelor-honours") for t in types), code
    for t in types:
        assert t.sources and t.names.ru and t.names.kk, t.id
    if code in EU:
        assert "EU" in country.member_of  # the group stays only as a fallback


def test_every_citation_names_a_source_with_url_title_and_date() -> None:
    reg = load_registry()
    for source in reg.sources():
        assert source.url.startswith("http") and source.title and source.publisher, source
        assert source.checked.year >= 2025, source
    for t in reg.all_types():
        for c in t.sources:
            assert reg.source(c.source) and len(c.quote) >= 10, (t.id, c)


def test_no_editorial_notes_in_the_data() -> None:
    for path in DATA_DIR.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        for marker in (
            "[I]",
            "[S]",
            "[?]",
            "frameworks.md",
            "check entry into force",
            "inferred numbering",
        ):
            assert marker not in text, f"{path.name} contains {marker!r}"


def test_convention_articles_are_quoted_from_the_treaty_text() -> None:
    tokyo = load_registry().instrument("tokyo")
    articles = {p.article: p for p in tokyo.provisions if p.article}
    assert set(articles) == {"III.2", "IV.7"}
    assert "прозрачный" in articles["III.2"].sources[0].quote
    assert any("substantial difference" in p.topic for p in tokyo.provisions)


@pytest.mark.parametrize("type_id", REQUIRED_TYPES)
def test_required_type_exists(type_id: str) -> None:
    t = load_registry().qualification_type(type_id)
    assert t.id == type_id
    assert t.country_code == type_id.split(".")[0].upper()


def test_every_type_is_sourced_and_rated() -> None:
    for t in load_registry().all_types():
        assert t.sources, t.id
        assert t.confidence in {"official", "authoritative", "inferred"}, t.id
        load_registry().isced_level(t.isced)  # raises if dangling
        for target in t.access_to:
            assert load_registry().has_type(target), (t.id, target)


def test_isced_f_has_all_broad_and_narrow_fields() -> None:
    reg = load_registry()
    assert reg.iscedf_field("06").kind == "broad"
    assert reg.iscedf_field("061").kind == "narrow"
    assert reg.iscedf_field("0613").name == "Software and applications development and analysis"
    assert reg.iscedf_field("0923").name == "Social work and counselling"  # missing in some copies
    assert reg.iscedf_field("1041").name == "Transport services"
    fields = json.loads((DATA_DIR / "iscedf2013.json").read_text())["fields"]
    kinds = [f["kind"] for f in fields]
    assert (kinds.count("broad"), kinds.count("narrow"), kinds.count("detailed")) == (12, 58, 150)


def test_isced_2011_codes() -> None:
    reg = load_registry()
    assert reg.isced_level("6").name.startswith("Bachelor")
    assert reg.isced_level("645").level == "6"
    assert reg.isced_level("766").level == "7"
    assert reg.isced_level("544").level == "5"
    with pytest.raises(UnknownReference):
        reg.isced_level("649")


def test_reference_frameworks() -> None:
    reg = load_registry()
    assert [reg.eqf_level(str(i)).level for i in range(1, 9)] == [str(i) for i in range(1, 9)]
    assert reg.aqrf_level("8")
    cycles = [c["cycle"] for c in reg.qf_ehea["cycles"]]
    assert cycles == ["short", "first", "second", "third"]


def test_unknown_lookups_raise_lookup_errors() -> None:
    reg = load_registry()
    with pytest.raises(LookupError):
        reg.country("XX")
    with pytest.raises(LookupError):
        reg.qualification_type("kz.nothing")
    with pytest.raises(LookupError):
        reg.iscedf_field("0618")


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, edit: object) -> None:
    doc = json.loads(path.read_text())
    edit(doc)  # type: ignore[operator]
    path.write_text(json.dumps(doc))


def test_a_clean_copy_loads(tmp_path: Path) -> None:
    assert len(load_registry_from(_copy(tmp_path)).countries()) == len(COUNTRIES) + 1  # + EU group


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["qualification_types"][0]["access_to"].append("kz.nothing"), "kz.nothing"),
        (lambda d: d["qualification_types"][0].update(isced="649"), "649"),
        (lambda d: d["qualification_types"][1].update(id="kz.bachelor"), "duplicate"),
        (lambda d: d["qualification_types"][0].update(id="ru.bachelor-x"), "does not match"),
        (lambda d: d["qualification_types"][0]["credits"].update(system="KZ-nope"), "KZ-nope"),
        (lambda d: d["qualification_types"][0]["sources"][0].update(source="nowhere"), "nowhere"),
        (lambda d: d.pop("framework"), "framework"),
        (lambda d: d["qualification_types"][0].update(sources=[]), "sources"),
        (lambda d: d["qualification_types"][0].update(confidence="sure"), "confidence"),
    ],
    ids=[
        "dangling-access",
        "unknown-isced",
        "duplicate-type",
        "wrong-country",
        "unknown-credit-system",
        "dangling-citation",
        "no-framework",
        "no-sources",
        "bad-confidence",
    ],
)
def test_the_loader_rejects_broken_data(tmp_path: Path, edit: object, expected: str) -> None:
    data = _copy(tmp_path)
    _edit(data / "countries" / "kz.json", edit)
    with pytest.raises(FrameworkDataError) as info:
        load_registry_from(data)
    text = str(info.value) + " ".join(d.message + d.pointer for d in info.value.details)
    assert expected in text


def test_the_loader_rejects_a_dangling_comparison(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(
        data / "comparisons.json",
        lambda d: d["rules"][0]["result"].update(comparable_types=["kz.bachelor"]),
    )
    with pytest.raises(FrameworkDataError, match="not a type of NL"):
        load_registry_from(data)


def test_the_loader_rejects_an_aggregator_as_a_source(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "sources.json", lambda d: d["sources"][0].update(kind="aggregator"))
    with pytest.raises(FrameworkDataError, match="kind"):
        load_registry_from(data)


def test_the_loader_rejects_invalid_json(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    (data / "eqf.json").write_text("{not json")
    with pytest.raises(FrameworkDataError, match="eqf.json"):
        load_registry_from(data)


def test_the_readme_coverage_table_is_in_sync_with_the_data() -> None:
    from diploma_exchange.recognition.coverage import BEGIN, END, coverage_table

    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    current = readme[readme.index(BEGIN) + len(BEGIN) : readme.index(END)].strip()
    assert current == coverage_table(load_registry()).strip(), (
        "run tools/sync_recognition_coverage.py"
    )
