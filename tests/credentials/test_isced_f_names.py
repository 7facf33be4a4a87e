"""ISCED-F 2013 field titles in Kazakh, Russian and English, from the shared catalogues."""

from __future__ import annotations

import pytest

from diploma_exchange import i18n
from diploma_exchange.credentials import isced_f

TABLES = {**isced_f.BROAD, **isced_f.NARROW, **isced_f.DETAILED}


def test_every_field_has_a_title_in_each_language() -> None:
    for code in TABLES:
        for lang in i18n.LANGUAGES:
            name = isced_f.field_name(code, lang)
            assert name and name.strip(), (code, lang)
    # Kazakh and Russian are their own words, not the English left in place
    for code, english in TABLES.items():
        if english.isascii() and not english.startswith(("Music", "Law")):
            assert isced_f.field_name(code, "ru") != english, code
            assert isced_f.field_name(code, "kk") != english, code


def test_the_english_catalogue_is_the_classification() -> None:
    """The catalogue's English titles are UNESCO's (the tables); every four-digit code a
    diploma may carry, the coding conventions' included, has the same English title."""
    for code, english in TABLES.items():
        assert i18n.translate("en", f"isced.{code}") == english, code
    for code, english in isced_f.FOUR_DIGIT_CODES.items():
        assert isced_f.field_name(code, "en") == english, code


@pytest.mark.parametrize(
    ("code", "lang", "expected"),
    [
        ("0613", "ru", "Разработка и анализ программного обеспечения и приложений"),
        ("0411", "kk", "Бухгалтерлік есеп және салық салу"),
        ("0400", "ru", "Бизнес, управление и право, без дальнейшего уточнения"),
        (
            "0619",
            "kk",
            "Ақпараттық-коммуникациялық технологиялар (АКТ), басқа топтарға енгізілмеген",
        ),
        ("9999", "ru", "Область неизвестна"),
        ("0699", "ru", None),
        ("", "ru", None),
    ],
)
def test_field_names(code: str, lang: str, expected: str | None) -> None:
    assert isced_f.field_name(code, lang) == expected


def test_a_field_of_study_written_as_the_isced_title_is_translated() -> None:
    assert isced_f.field_text("Business, Administration and Law", "0411", "ru") == (
        "Бизнес, управление и право"
    )
    assert isced_f.field_text("Accounting and  taxation", "0411", "kk") == (
        "Бухгалтерлік есеп және салық салу"
    )
    # the university's own words stay its own
    assert isced_f.field_text("Audit in the digital economy", "0411", "ru") is None
