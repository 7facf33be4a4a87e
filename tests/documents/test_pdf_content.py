"""What an officer abroad reads on the PDF: the university's name in three languages, the
builder's standard texts in three languages (4.2, 5.1), the grading table with points and the
pass mark (4.4), the signatories from the university's profile (diploma page and 7.1-7.4)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from diploma_exchange.credentials.samples import sample_diploma_credential
from diploma_exchange.documents.labels import label, trilingual
from diploma_exchange.documents.pdf import KZ_GRADING, IssuerDetails, render_diploma_pdf
from diploma_exchange.documents.signatories import Signatory, parse_signatories

GENERATED = datetime(2026, 6, 21, 9, 30, tzinfo=UTC)
NAMES = {
    "kk": "Алатау техникалық университеті",
    "ru": "Алатауский технический университет",
    "en": "Alatau Technical University",
}
RECTOR = Signatory(
    name={"kk": "Айбек Сейітов", "ru": "Айбек Сеитов", "en": "Aibek Seitov"},
    title={"kk": "Ректор", "ru": "Ректор", "en": "Rector"},
)
REGISTRAR = Signatory(
    name={"en": "Dana Omarova"},
    title={
        "kk": "Тіркеу бөлімінің басшысы",
        "ru": "Руководитель офиса регистратора",
        "en": "Registrar",
    },
)


def _texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    return sample_diploma_credential(0)


@pytest.fixture(scope="module")
def pages(credential: dict[str, Any]) -> list[str]:
    issuer = IssuerDetails(names=NAMES, signatories=(RECTOR, REGISTRAR))
    pdf = render_diploma_pdf(
        credential, verification_url=None, generated_at=GENERATED, issuer=issuer
    )
    return _texts(pdf)


def test_the_university_is_named_in_three_languages(pages: list[str]) -> None:
    diploma, supplement = pages[0], " ".join(pages[1:])
    for name in NAMES.values():
        assert name in diploma
        assert name in supplement  # 2.3


def test_without_a_profile_the_credentials_own_name_is_printed(
    credential: dict[str, Any],
) -> None:
    texts = _texts(render_diploma_pdf(credential, verification_url=None, generated_at=GENERATED))
    assert credential["issuer"]["name"] in texts[0]
    assert NAMES["kk"] not in texts[0]
    assert "Aibek Seitov" not in " ".join(texts)
    assert label("no_signatories", "en") in " ".join(texts)


def test_standard_texts_print_in_three_languages(pages: list[str]) -> None:
    supplement = " ".join(pages[1:])
    for key in ("criteria_default", "further_second_cycle"):  # 4.2 and 5.1 of a bachelor
        for lang in ("kk", "ru", "en"):
            assert label(key, lang) in supplement, (key, lang)


def test_the_grading_table_has_points_per_cent_and_the_pass_mark(pages: list[str]) -> None:
    supplement = " ".join(pages[1:])
    for letter, points, percent, meaning in KZ_GRADING:
        assert f"{points} {percent} {trilingual(meaning)}" in supplement, letter
    assert "D * 1.0 50–54" in supplement
    assert f"* {trilingual('pass_mark')}" in supplement
    assert "GPA scale: 0–4" in supplement
    assert "Minimum GPA to graduate: 1.00" in supplement
    assert "Cumulative grade point average (GPA): 3.33 / 4" in supplement  # 4.5


def test_signatories_on_the_diploma_and_in_section_7(pages: list[str]) -> None:
    diploma, supplement = pages[0], " ".join(pages[1:])
    assert "Айбек Сейітов / Айбек Сеитов / Aibek Seitov" in diploma
    assert "Ректор / Rector" in diploma
    assert "Dana Omarova" in diploma
    assert "Тіркеу бөлімінің басшысы / Руководитель офиса регистратора / Registrar" in diploma
    for number, key in (("7.1", "certification_date"), ("7.2", "signature")):
        assert f"{number} {trilingual(key)}" in supplement
    assert f"7.3 {trilingual('capacity')} Ректор / Rector" in supplement
    assert f"7.4 {trilingual('official_seal')}" in supplement
    assert "7.1 Күні / Дата / Date 2026-06-21" in supplement


def test_a_hostile_signatory_cannot_be_stored() -> None:
    for bad in (
        {"name": {"en": "A\u202eB"}, "title": {"en": "Rector"}},  # bidi override
        {"name": {"en": "x" * 121}, "title": {"en": "Rector"}},
        {"name": {"de": "Rektor"}, "title": {"en": "Rector"}},
        {"name": {"kk": "Ректор"}, "title": {"en": "Rector"}},  # no English
        {"name": {"en": " "}, "title": {"en": "Rector"}},
        {"name": {"en": "A"}, "title": {"en": "Rector"}, "seal": "x"},
    ):
        with pytest.raises(ValidationError):
            Signatory.model_validate(bad)
    assert parse_signatories([{"name": {"en": "A\u0000"}}, RECTOR.model_dump(), "x"]) == (RECTOR,)
    assert parse_signatories("not a list") == ()


def test_the_isced_field_is_named_in_three_languages(
    credential: dict[str, Any], pages: list[str]
) -> None:
    from diploma_exchange.credentials import isced_f

    code = credential["credentialSubject"]["achievement"]["iscedFieldCode"]
    supplement = " ".join(pages[1:])
    for lang in ("kk", "ru", "en"):
        name = isced_f.field_name(code, lang)
        assert name and " ".join(name.split()) in supplement, (lang, name)
