"""CSV import of a graduating class: all rows or none, every problem reported."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from diploma_exchange.credentials import (
    IssuerProfile,
    build_diploma_credential,
    find_undefined_terms,
    parse_graduating_class,
    validate_credential,
)
from diploma_exchange.errors import InvalidInput, LimitExceeded

GOOD = (Path(__file__).parent / "scenarios" / "graduating_class_good.csv").read_text("utf-8")
ISSUER = IssuerProfile(id="did:web:alatau-tech.edu.kz", name="Alatau Technical University")


def _edit(text: str, changes: dict[int, dict[str, str]]) -> str:
    """Change cells: {1-based data row: {column: value}}."""
    rows = list(csv.DictReader(io.StringIO(text)))
    for number, cells in changes.items():
        rows[number - 1].update(cells)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_good_file_parses_and_builds() -> None:
    diplomas = parse_graduating_class(GOOD)
    assert [d.student_id for d in diplomas] == ["22061100017", "22061100018", "24053300003"]
    first = diplomas[0]
    assert first.full_name == {
        "en": "Aigerim Abenova",
        "kk": "Әбенова Әйгерім Серікқызы",
        "ru": "Абенова Айгерим Сериковна",
    }
    assert first.language_of_instruction == ("kk", "en")
    assert first.honours == {"en": "With honours", "kk": "Үздік диплом"}
    assert diplomas[1].ects_credits is None and diplomas[1].honours is None
    assert diplomas[2].full_name["en"] == "Ilyas Sarsenbayev, Jr."
    assert "ru" not in diplomas[2].full_name
    for i, data in enumerate(diplomas):
        doc = build_diploma_credential(
            data, issuer=ISSUER, credential_id=f"urn:uuid:{i:08d}-0000-4000-8000-000000000000"
        )
        assert validate_credential(doc) == []
        assert find_undefined_terms(doc) == []


def test_bom_and_crlf_are_handled() -> None:
    text = "\ufeff" + GOOD.replace("\n", "\r\n")
    assert len(parse_graduating_class(text)) == 3


def test_bad_rows_report_every_problem_at_once() -> None:
    text = _edit(
        GOOD,
        {
            1: {"birth_date": "2004-02-30", "isced_f": "6l3"},
            2: {"full_name_en": "", "study_start": "2022-09-31"},
            3: {"achievement_type": "Doctorate", "credits": "-120"},
        },
    )
    with pytest.raises(InvalidInput) as caught:
        parse_graduating_class(text)
    pointers = {d.pointer for d in caught.value.details}
    assert pointers == {
        "/rows/1/birth_date",
        "/rows/1/isced_f",
        "/rows/2/full_name_en",
        "/rows/2/study_start",
        "/rows/3/achievement_type",
        "/rows/3/credits",
    }
    messages = " ".join(d.message for d in caught.value.details)
    assert "row 1" in messages and "row 3" in messages
    assert "nothing was imported" in caught.value.message


def test_cross_field_problem_points_at_its_column() -> None:
    text = _edit(GOOD, {3: {"isced_level": "645"}})
    with pytest.raises(InvalidInput) as caught:
        parse_graduating_class(text)
    assert [d.pointer for d in caught.value.details] == ["/rows/3/isced_level"]


def test_unknown_and_missing_columns() -> None:
    header, rest = GOOD.split("\n", 1)
    header = header.replace("birth_date", "birthdate").replace(",award_date", ",awarded")
    with pytest.raises(InvalidInput) as caught:
        parse_graduating_class(header + "\n" + rest)
    messages = [d.message for d in caught.value.details]
    assert any("unknown column 'birthdate'" in m for m in messages)
    assert any("missing required column 'award_date'" in m for m in messages)
    assert "/header/birthdate" in {d.pointer for d in caught.value.details}


def test_plain_qualification_name_uses_original_language() -> None:
    text = GOOD.replace("qualification_name_kk,", "qualification_name,")
    lines = text.splitlines()
    diplomas = parse_graduating_class("\n".join([lines[0], lines[1], lines[3]]))
    assert diplomas[0].qualification_name["kk"] == "Инженерия және технологиялар бакалавры"
    # row 2 says its original language is Russian but gives a different Russian name
    with pytest.raises(InvalidInput) as caught:
        parse_graduating_class(text)
    assert [d.pointer for d in caught.value.details] == ["/rows/2/qualification_name_ru"]


def test_cross_field_check_runs_when_fields_are_valid() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_graduating_class(_edit(GOOD, {2: {"gpa": "5.20"}}))
    assert [d.pointer for d in caught.value.details] == ["/rows/2/gpa"]


def test_too_many_rows() -> None:
    with pytest.raises(LimitExceeded):
        parse_graduating_class(GOOD, max_rows=2)
    assert len(parse_graduating_class(GOOD, max_rows=3)) == 3


def test_row_with_too_many_cells() -> None:
    lines = GOOD.splitlines()
    lines[2] += ",surplus"
    with pytest.raises(InvalidInput) as caught:
        parse_graduating_class("\n".join(lines))
    assert [d.pointer for d in caught.value.details] == ["/rows/2"]


@pytest.mark.parametrize("text", ["", "\ufeff", GOOD.split("\n", 1)[0] + "\n"])
def test_empty_files(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_graduating_class(text)
