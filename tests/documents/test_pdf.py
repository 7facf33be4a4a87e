"""The PDF diploma: content, fonts, the embedded credential, QR code, hostile credentials."""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from diploma_exchange.credentials.samples import sample_diploma_credential
from diploma_exchange.documents.extract import extract_credential_from_pdf
from diploma_exchange.documents.labels import label, message_id, trilingual, with_count
from diploma_exchange.documents.pdf import render_diploma_pdf
from diploma_exchange.documents.qr import read_qr_codes
from diploma_exchange.documents.view import LANGUAGES, diploma_view
from diploma_exchange.errors import InvalidInput

URL = "http://localhost:8000/s/abc123def456ghi789jkl012mno345pqr678"
GENERATED = datetime(2026, 6, 21, 9, 30, tzinfo=UTC)


def _render(credential: dict[str, Any], url: str | None = URL, **kwargs: Any) -> bytes:
    return render_diploma_pdf(credential, verification_url=url, generated_at=GENERATED, **kwargs)


def _page_texts(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed (table cells and wrapped lines break anywhere)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _page_png(pdf: bytes, index: int = 0, dpi: int = 150) -> bytes:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[index].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    return sample_diploma_credential(0)


@pytest.fixture(scope="module")
def rendered(credential: dict[str, Any]) -> bytes:
    return _render(credential)


# ---- labels -----------------------------------------------------------------------------------


def _pdf_keys() -> set[str]:
    """Every literal label key the PDF module passes to label(), trilingual() or
    _numbered(), and every standard text and grade it prints."""
    import ast

    import diploma_exchange.documents.pdf as pdf_module

    tree = ast.parse(Path(pdf_module.__file__).read_text())
    keys: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if node.func.id in ("label", "trilingual") and isinstance(args[0], str):
                keys.add(args[0])
            elif node.func.id == "_numbered" and len(args) == 2 and isinstance(args[1], str):
                keys.add(args[1])
        elif isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
            keys |= {e.value for e in node.iter.elts if isinstance(e, ast.Constant)}
    keys |= set(pdf_module._KNOWN_TEXTS.values())
    keys |= {meaning for *_, meaning in pdf_module.KZ_GRADING}
    keys |= {f"section_{n}" for n in range(1, 9)}
    return keys


def test_every_pdf_label_is_in_all_three_catalogues() -> None:
    """A text the PDF prints and a catalogue lacks fails here, not on a graduate's PDF."""
    from diploma_exchange import i18n

    keys = _pdf_keys()
    assert len(keys) > 40  # the scan found the PDF's labels
    for key in sorted(keys):
        for lang in LANGUAGES:
            assert i18n.has(lang, message_id(key)), (key, lang)
            assert label(key, lang).strip(), (key, lang)


def test_kazakh_labels_use_kazakh_letters() -> None:
    kazakh = set("әғқңөұүһі")
    assert any(kazakh & set(label(key, "kk").lower()) for key in _pdf_keys())
    assert kazakh & set(label("section_1", "kk"))


def test_pdf_and_pages_print_one_wording_for_one_thing() -> None:
    from diploma_exchange import i18n

    assert label("issuer_id", "ru") == i18n.translate("ru", "issuer.did")
    assert label("mode.part-time", "kk") == i18n.translate("kk", "mode.part-time")
    assert label("col_credits", "kk") == i18n.translate("kk", "diploma.course.credits")
    assert label("lang_kk", "ru") == "казахский"  # CLDR


def test_trilingual_drops_repeats_and_plural_forms() -> None:
    assert trilingual("diploma_title") == "ДИПЛОМ / DIPLOMA"
    assert with_count(4, "year", "ru") == "4 года"
    assert with_count(5, "year", "ru") == "5 лет"
    assert with_count(21, "year", "ru") == "21 год"
    assert with_count(1, "year", "en") == "1 year"
    assert with_count(2, "year", "kk") == "2 жыл"
    assert with_count(12, "month", "ru") == "12 месяцев"
    assert with_count(3, "month", "ru") == "3 месяца"


# ---- structure and content --------------------------------------------------------------------


def test_one_diploma_page_then_the_supplement(rendered: bytes) -> None:
    texts = _page_texts(rendered)
    assert len(texts) >= 2
    diploma, supplement = texts[0], " ".join(texts[1:])
    assert "ДИПЛОМ" in diploma and "DIPLOMA" in diploma
    for name in ("Әбенова Әйгерім Серікқызы", "Абенова Айгерим Сериковна", "Aigerim Abenova"):
        assert name in diploma
        assert name in supplement
    assert "Alatau Technical University" in diploma
    assert "Инженерия және технологиялар бакалавры" in diploma
    assert "Бакалавр техники и технологий" in diploma
    assert "Bachelor of Engineering and Technology in Software Engineering" in diploma
    for value in ("6B06102", "JB-B 0012345", "2026-06-20", "Software Engineering"):
        assert value in diploma
    assert "urn:uuid:391ffd7e-8f88-54bb-a15d-cde2f4f7be63" in diploma
    assert "Scan to verify" in diploma
    assert "Тексеру үшін сканерлеңіз" in diploma
    assert "Отсканируйте для проверки" in diploma
    assert "DIPLOMA SUPPLEMENT" in texts[1]


def test_supplement_has_the_eight_sections_in_three_languages(rendered: bytes) -> None:
    supplement = " ".join(_page_texts(rendered)[1:])
    positions = []
    for number in range(1, 9):
        heading = f"{number}. {trilingual(f'section_{number}')}"
        assert heading in supplement, heading
        positions.append(supplement.index(heading))
    assert positions == sorted(positions)
    # The transcript, the grading scheme, the overall result, and the KZ system paragraph.
    for text in ("CSE2201", "Algorithms and Data Structures", "B+", "2023-fall", "3.33"):
        assert text in supplement
    assert "Pass mark: D (1.0; 50–54 %)" in supplement  # the grading table's pass mark
    assert "Cumulative grade point average (GPA): 3.33 / 4" in supplement
    assert "KZ-NQF" in supplement and "Болонский процесс" in supplement
    assert "did:web:alatau-tech.edu.kz" in supplement
    assert "2026-06-21T09:30:00+00:00" in supplement
    assert "the embedded credential (credential.json) is authoritative" in supplement


def test_header_and_page_numbers(rendered: bytes) -> None:
    texts = _page_texts(rendered)
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} / {total}" in text
    for text in texts[1:]:
        assert "Aigerim Abenova | urn:uuid:391ffd7e" in text


def test_every_font_is_embedded(rendered: bytes) -> None:
    reader = PdfReader(io.BytesIO(rendered))
    seen = 0
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            if descendants is not None:
                font = descendants[0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font.get("/BaseFont")
            seen += 1
    assert seen >= 3


def test_embedded_credential_is_a_pdfa3_source_file(rendered: bytes, credential: dict) -> None:
    reader = PdfReader(io.BytesIO(rendered))
    catalog = reader.trailer["/Root"]
    spec = catalog["/AF"][0].get_object()
    assert spec["/AFRelationship"] == "/Source"
    assert spec["/F"] == spec["/UF"] == "credential.json"
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/application/json"
    assert "/ModDate" in stream["/Params"]
    expected = json.dumps(credential, ensure_ascii=False, indent=2).encode()
    assert stream.get_data() == expected
    assert reader.attachments["credential.json"] == [expected]
    assert extract_credential_from_pdf(rendered).credential == credential


def test_pdfa3b_identification_and_metadata(rendered: bytes) -> None:
    reader = PdfReader(io.BytesIO(rendered))
    catalog = reader.trailer["/Root"]
    assert "/OutputIntents" in catalog
    assert catalog["/Lang"] == "kk"
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "<xmp:CreateDate>2026-06-21T09:30:00+00:00</xmp:CreateDate>" in xmp
    metadata = reader.xmp_metadata
    assert metadata is not None
    assert metadata.dc_title == {"x-default": "Diploma: Aigerim Abenova"}
    assert metadata.dc_creator == ["Alatau Technical University"]
    assert rendered.startswith(b"%PDF-1.7")


def test_pdfium_opens_it(rendered: bytes) -> None:
    document = pdfium.PdfDocument(rendered)
    try:
        assert len(document) == len(PdfReader(io.BytesIO(rendered)).pages)
        text = document[0].get_textpage().get_text_range()
        assert "Әбенова Әйгерім Серікқызы" in text
    finally:
        document.close()


def test_same_inputs_give_the_same_bytes(credential: dict, rendered: bytes) -> None:
    assert _render(credential) == rendered


def test_credential_bytes_are_embedded_verbatim(credential: dict) -> None:
    original = json.dumps(credential, separators=(",", ":")).encode()
    pdf = _render(credential, credential_bytes=original)
    extracted = extract_credential_from_pdf(pdf)
    assert extracted.raw == original
    assert extracted.credential == credential


def test_credential_bytes_of_another_credential_are_refused(credential: dict) -> None:
    other = json.dumps(sample_diploma_credential(1)).encode()
    with pytest.raises(InvalidInput) as caught:
        _render(credential, credential_bytes=other)
    assert caught.value.code == "pdf-credential-mismatch"


def test_a_credential_that_is_not_json_is_refused(credential: dict) -> None:
    broken = {**credential, "when": datetime(2026, 1, 1)}
    with pytest.raises(InvalidInput) as caught:
        _render(broken)
    assert caught.value.code == "pdf-credential-not-json"


# ---- QR code ----------------------------------------------------------------------------------


def test_the_qr_code_on_page_one_reads_back_at_150_dpi(rendered: bytes) -> None:
    assert read_qr_codes(_page_png(rendered)) == [URL]


def test_a_long_verification_url_still_reads_back(credential: dict) -> None:
    url = "https://diplomas.example.kz/s/" + "x7" * 60
    assert read_qr_codes(_page_png(_render(credential, url))) == [url]


def test_without_a_url_there_is_no_qr_code_but_the_credential_id(credential: dict) -> None:
    pdf = _render(credential, url=None)
    assert "urn:uuid:391ffd7e-8f88-54bb-a15d-cde2f4f7be63" in _page_texts(pdf)[0]
    with pytest.raises(InvalidInput) as caught:
        read_qr_codes(_page_png(pdf))
    assert caught.value.code == "qr-not-found"


# ---- hostile and odd credentials --------------------------------------------------------------


def test_markup_in_credential_text_is_drawn_literally(credential: dict) -> None:
    hostile = copy.deepcopy(credential)
    graduate = hostile["credentialSubject"]["graduate"]
    graduate["fullName"] = {
        "kk": "<script>alert(1)</script>",
        "ru": "**bold** __under__ ~~strike~~",
        "en": "{{x}} {nb} <b>Bob</b> [link](http://evil)",
    }
    hostile["issuer"]["name"] = "<i>Evil</i> **U** \u202eevil\u202c \ue000"
    pdf = _render(hostile)
    text = " ".join(_page_texts(pdf))
    for literal in (
        "<script>alert(1)</script>",
        "**bold** __under__ ~~strike~~",
        "{{x}} {nb} <b>Bob</b> [link](http://evil)",
        "<i>Evil</i> **U** evil",
    ):
        assert literal in text
    assert extract_credential_from_pdf(pdf).credential == hostile


def test_a_credential_missing_most_fields_renders() -> None:
    for credential in (
        {},
        {"id": "urn:uuid:0", "credentialSubject": "nonsense"},
        {"issuer": 5, "credentialSubject": [{"achievement": [], "graduate": {"fullName": 7}}]},
    ):
        pdf = _render(credential)
        texts = _page_texts(pdf)
        assert len(texts) >= 2
        assert "—" in texts[0]
        assert "8. " + trilingual("section_8") in " ".join(texts[1:])


def test_wrong_types_long_values_and_odd_characters_render(credential: dict) -> None:
    odd = copy.deepcopy(credential)
    subject = odd["credentialSubject"]
    subject["graduate"]["fullName"] = {"kk": "Ә" * 5000, "zh": "王小明", "ru": "\ud800 lone"}
    subject["achievement"]["localizedName"] = {"en": "word " * 400}
    subject["achievement"]["officialLength"] = "P1Y6M"
    subject["creditsEarned"] = -1.5e300
    subject["diplomaNumber"] = ["not", "a", "string"]
    subject["transcript"][0] = {"code": {"x": 1}, "title": None, "grade": True}
    odd["issuer"]["name"] = "\x00\x07\x1b[31m" + "Long University Name " * 50
    pdf = _render(odd)
    texts = _page_texts(pdf)
    assert "…" in texts[0]
    assert "1 жыл 6 ай / 1 год 6 месяцев / 1 year 6 months" in " ".join(texts[1:])


def test_an_integer_too_long_for_json_is_refused_but_the_view_copes(credential: dict) -> None:
    huge = copy.deepcopy(credential)
    huge["credentialSubject"]["creditsEarned"] = 10**5000
    assert diploma_view(huge).credits_earned is None
    with pytest.raises(InvalidInput) as caught:
        _render(huge)
    assert caught.value.code == "pdf-credential-not-json"


def test_a_300_line_transcript_paginates(credential: dict) -> None:
    long = copy.deepcopy(credential)
    long["credentialSubject"]["transcript"] = [
        {
            "code": f"C{index:04d}",
            "title": {"en": f"Course number {index} with a fairly long title to wrap"},
            "creditsEarned": 5,
            "grade": "A",
            "gradePoints": 4,
            "term": "2025-fall",
        }
        for index in range(300)
    ]
    pdf = _render(long)
    texts = _page_texts(pdf)
    assert len(texts) >= 6
    supplement = " ".join(texts[1:])
    assert "C0000" in supplement and "C0199" in supplement
    # The display model keeps 200 rows; the PDF says that rows were left out.
    assert "200 / 300" in supplement
    assert trilingual("transcript_rows_omitted") in supplement
    # The column headings repeat on each page the table continues on.
    heading_pages = [t for t in texts[1:] if "Course title" in t]
    assert len(heading_pages) >= 3
    assert f"Page {len(texts)} / {len(texts)}" in texts[-1]
    assert extract_credential_from_pdf(pdf).credential == long


def test_a_credential_with_only_english_names(credential: dict) -> None:
    english = copy.deepcopy(credential)
    english["credentialSubject"]["graduate"]["fullName"] = {"en": "Aigerim Abenova"}
    english["credentialSubject"]["achievement"]["localizedName"] = {"en": "Bachelor of Arts"}
    diploma = _page_texts(_render(english))[0]
    assert diploma.count("Aigerim Abenova") == 1
    assert "Bachelor of Arts" in diploma


def test_split_names_stand_in_for_a_missing_full_name(credential: dict) -> None:
    split = copy.deepcopy(credential)
    graduate = split["credentialSubject"]["graduate"]
    del graduate["fullName"]
    graduate["givenName"] = {"kk": "Әйгерім", "en": "Aigerim"}
    graduate["familyName"] = {"kk": "Әбенова", "en": "Abenova"}
    texts = _page_texts(_render(split))
    assert "Әйгерім Әбенова" in texts[0] and "Aigerim Abenova" in texts[0]
    assert "1.1 " + trilingual("family_name") in texts[1]
    assert "Aigerim Abenova | urn:uuid:" in texts[1]


def test_generated_at_defaults_to_now(credential: dict) -> None:
    pdf = render_diploma_pdf(credential, verification_url=URL)
    xmp = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data()
    created = re.search(rb"<xmp:CreateDate>([^<]+)</xmp:CreateDate>", xmp)
    assert created is not None
    when = datetime.fromisoformat(created.group(1).decode())
    assert abs((datetime.now(UTC) - when).total_seconds()) < 60
