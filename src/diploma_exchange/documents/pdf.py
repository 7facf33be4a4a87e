"""The PDF diploma: a trilingual diploma page with a verification QR code, the Diploma
Supplement (the eight sections of the EU / Council of Europe / UNESCO model), and the signed
credential embedded as a PDF/A-3 associated file.

The pages are a *view*: everything on them comes from :func:`diploma_view`, which reads the
credential tolerantly, and every credential string is drawn as plain text (no markdown, no
HTML), cleaned of control and private-use characters and cut to a fixed length, so a hostile
credential can neither crash the renderer nor change the layout's meaning. What a verifier
trusts is the embedded ``credential.json`` (``/AFRelationship /Source``), which
:func:`diploma_exchange.documents.extract.extract_credential_from_pdf` reads back.

The fonts (DejaVu Sans and Serif, Bitstream Vera licence) ship inside the package and are
embedded as subsets, so the output never depends on the fonts of the machine.

PDF/A-3B: the document is produced with fpdf2's ``enforce_compliance="PDF/A-3B"`` (embedded
fonts, sRGB output intent, XMP metadata with the PDF/A identification, associated file with
``/AFRelationship``). It has not been run through a PDF/A validator such as veraPDF here.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, TableBordersLayout, VAlign, WrapMode, XPos, YPos
from fpdf.fonts import FontFace
from fpdf.util import Padding

from diploma_exchange.credentials import isced_f
from diploma_exchange.documents.extract import LOG_BUNDLE_FILENAME
from diploma_exchange.documents.labels import is_label, label, trilingual, with_count
from diploma_exchange.documents.qr import draw_qr
from diploma_exchange.documents.signatories import Signatory
from diploma_exchange.documents.view import LANGUAGES, DiplomaView, diploma_view, pick
from diploma_exchange.errors import InvalidInput
from diploma_exchange.formats.enveloped import open_enveloped
from diploma_exchange.formats.inputs import parse_compact_jws

FONT_DIR: Final = Path(__file__).resolve().parent / "fonts"
SANS: Final = "DejaVuSans"
SERIF: Final = "DejaVuSerif"
#: The name of the embedded credential; extract.py looks for any ``.json`` attachment.
CREDENTIAL_FILENAME: Final = "credential.json"


_DASH: Final = "—"
# fpdf2 replaces this marker by the page count when the document is closed. A private-use
# character (stripped from all credential text below) rather than fpdf2's default "{nb}",
# which a credential could otherwise contain and have replaced.
_PAGE_COUNT: Final = "\ue000"
# Unicode categories never drawn: controls, format characters (bidi overrides, zero-width),
# private use (includes the page-count marker), surrogates and unassigned code points.
_DROPPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})

_MARGIN: Final = 20.0
_WIDTH: Final = 210.0 - 2 * _MARGIN
_NAVY: Final = (31, 58, 95)
_GOLD: Final = (176, 141, 87)
_GREY: Final = (95, 95, 95)
_RULE: Final = (200, 205, 212)
_TINT: Final = (233, 238, 245)
_QR_SIZE: Final = 40.0  # mm including the quiet zone: ~1 mm modules for a typical link
_NOTE_TOP: Final = 256.0  # where the authenticity note at the foot of the diploma starts

# Longest text drawn for one value; DiplomaView already cuts at 500 characters.
_MAX_NAME: Final = 120
_MAX_VALUE: Final = 400
_MAX_URL: Final = 300


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class IssuerDetails:
    """What the issuing university's profile at this service adds to its PDF diplomas (not
    part of the signed credential): its name in each language and the officials who sign
    its diplomas. Only for a diploma of that university."""

    names: Mapping[str, str] = field(default_factory=dict)
    signatories: Sequence[Signatory] = ()


#: The Kazakh letter grades (Order No. 152 of the Ministry of Education and Science, 2011):
#: grade points, per cent and the traditional mark; D is the lowest pass.
KZ_GRADING: Final = (
    ("A", "4.0", "95–100", "grade_excellent"),
    ("A-", "3.67", "90–94", "grade_excellent"),
    ("B+", "3.33", "85–89", "grade_good"),
    ("B", "3.0", "80–84", "grade_good"),
    ("B-", "2.67", "75–79", "grade_good"),
    ("C+", "2.33", "70–74", "grade_good"),
    ("C", "2.0", "65–69", "grade_satisfactory"),
    ("C-", "1.67", "60–64", "grade_satisfactory"),
    ("D+", "1.33", "55–59", "grade_satisfactory"),
    ("D", "1.0", "50–54", "grade_satisfactory"),
    ("FX", "0.5", "25–49", "grade_fail"),
    ("F", "0", "0–24", "grade_fail"),
)
KZ_PASS_MARK: Final = "D"

#: Texts the diploma builder writes when the university gave none (English in the signed
#: credential), and the label that prints them in three languages.
_KNOWN_TEXTS: Final = {
    "Completion of all components of the approved educational programme, including the "
    "final attestation.": "criteria_default",
    "Gives access to first-cycle (bachelor's) programmes.": "further_first_cycle",
    "Gives access to second-cycle (master's) programmes.": "further_second_cycle",
    "Gives access to third-cycle (doctoral) programmes.": "further_third_cycle",
    "Highest academic qualification (third cycle).": "further_highest",
}


def _known(text: str | None) -> str | None:
    """The label of a standard text of the builder, so it prints in three languages."""
    return _KNOWN_TEXTS.get(" ".join((text or "").split()))


def _clean(value: str | None, limit: int = _MAX_VALUE) -> str:
    """Credential text made safe to draw: one line, no invisible characters, cut to size."""
    if not value:
        return _DASH
    kept = []
    for char in value:
        category = unicodedata.category(char)
        if category in ("Zl", "Zp") or char in "\t\n\r\v\f":
            kept.append(" ")
        elif category not in _DROPPED_CATEGORIES:
            kept.append(char)
    text = " ".join("".join(kept).split())
    if not text:
        return _DASH
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _by_language(names: Mapping[str, str], limit: int = _MAX_VALUE) -> list[tuple[str, str]]:
    """``(language, text)`` pairs in display order (kk, ru, en, then others), repeats dropped."""
    order = [*LANGUAGES, *(tag for tag in names if tag not in LANGUAGES)]
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for tag in order:
        text = _clean(names.get(tag), limit)
        if text != _DASH and text not in seen:
            seen.add(text)
            out.append((tag, text))
    return out


def _multilingual(names: Mapping[str, str], limit: int = _MAX_VALUE) -> str:
    """Each language's text on its own line, tagged when there is more than one."""
    pairs = _by_language(names, limit)
    if not pairs:
        return _DASH
    if len(pairs) == 1:
        return pairs[0][1]
    return "\n".join(f"{_clean(tag, 8).upper()}: {text}" if tag else text for tag, text in pairs)


def _value_label(prefix: str, value: str | None, sep: str = " / ") -> str:
    """A known value (degree type, mode of study) in three languages, else the raw value."""
    if value and is_label(f"{prefix}{value}"):
        return trilingual(f"{prefix}{value}", sep)
    return _clean(value)


_DURATION = re.compile(r"P(?:(\d{1,3})Y)?(?:(\d{1,3})M)?")
_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}")


def _duration(value: str | None) -> str:
    """An ISO 8601 duration of years and months (``P4Y``, ``P1Y6M``) in three languages."""
    match = _DURATION.fullmatch((value or "").strip().upper())
    years, months = (int(group or 0) for group in match.groups()) if match else (0, 0)
    if not (years or months):
        return _clean(value, 40)
    parts = []
    for lang in LANGUAGES:
        words = [with_count(years, "year", lang)] if years else []
        if months:
            words.append(with_count(months, "month", lang))
        parts.append(" ".join(words))
    return " / ".join(dict.fromkeys(parts))


def _holder_names(view: DiplomaView) -> dict[str, str]:
    """The full names, else "given family" per language from the split names."""
    if view.holder_name:
        return view.holder_name
    tags = dict.fromkeys([*view.holder_given_name, *view.holder_family_name])
    combined = {
        tag: " ".join(
            part
            for part in (view.holder_given_name.get(tag), view.holder_family_name.get(tag))
            if part
        )
        for tag in tags
    }
    return {tag: name for tag, name in combined.items() if name}


def _language_names(codes: Iterable[str]) -> str:
    names = []
    for code in codes:
        key = f"lang_{code.lower()}"
        names.append(trilingual(key, " / ") if _LANGUAGE_CODE.fullmatch(code) else _clean(code, 16))
    return "; ".join(names) or _DASH


def _field_of_study(view: DiplomaView, sep: str = " / ") -> str:
    """The field of study in three languages when it is an ISCED-F 2013 field's title (as
    the diploma builder writes it), else the university's own words."""
    names = [isced_f.field_text(view.field_of_study, view.isced_field, lang) for lang in LANGUAGES]
    if all(names):
        return sep.join(dict.fromkeys(str(n) for n in names))
    return _clean(view.field_of_study)


def _isced_field(view: DiplomaView) -> str:
    """The ISCED-F 2013 code and its field's title in three languages."""
    names = [isced_f.field_name(view.isced_field, lang) for lang in LANGUAGES]
    if not all(names):
        return _clean(view.isced_field)
    return "\n".join([_clean(view.isced_field), *dict.fromkeys(str(n) for n in names)])


def _numbered(number: str, key: str) -> str:
    return f"{number} {trilingual(key)}".strip()


class _DiplomaPDF(FPDF):
    """FPDF with our fonts, a running header (supplement pages) and a page-number footer."""

    def __init__(self, running_header: str) -> None:
        super().__init__(
            orientation="portrait", unit="mm", format="A4", enforce_compliance="PDF/A-3B"
        )
        self.running_header = running_header
        self.add_font(SANS, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(SANS, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.add_font(SERIF, "", FONT_DIR / "DejaVuSerif.ttf")
        self.add_font(SERIF, "B", FONT_DIR / "DejaVuSerif-Bold.ttf")
        self.alias_nb_pages(_PAGE_COUNT)
        self.set_margins(_MARGIN, 20, _MARGIN)
        self.set_auto_page_break(True, margin=18)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        with self.local_context():
            self.set_font(SANS, "", 6.5)
            self.set_text_color(*_GREY)
            self.set_xy(_MARGIN, 7)
            self.cell(w=_WIDTH, h=3.4, text=trilingual("supplement_title", " · "), align=Align.L)
            self.set_xy(_MARGIN, 10.4)
            text = _lines(self, self.running_header, _WIDTH, 1, WrapMode.CHAR)
            self.cell(w=_WIDTH, h=3.4, text=text[0] if text else "", align=Align.L)
            self.set_draw_color(*_RULE)
            self.set_line_width(0.2)
            self.line(_MARGIN, 14.5, _MARGIN + _WIDTH, 14.5)
        self.set_y(20)

    def footer(self) -> None:
        with self.local_context():
            self.set_font(SANS, "", 6.5)
            self.set_text_color(*_GREY)
            self.set_xy(_MARGIN, -15)
            page = f"{trilingual('page', ' · ')} {self.page_no()} / {_PAGE_COUNT}"
            self.cell(w=_WIDTH, h=4, text=page, align=Align.C)


def _lines(
    pdf: FPDF, text: str, width: float, max_lines: int, wrap: WrapMode = WrapMode.WORD
) -> list[str]:
    """``text`` wrapped to ``width`` at the current font, at most ``max_lines`` lines."""
    result = pdf.multi_cell(
        w=width, text=text, dry_run=True, output=MethodReturnValue.LINES, wrapmode=wrap
    )
    lines = [line for line in result if isinstance(line, str)] if isinstance(result, list) else []
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and pdf.get_string_width(last + "…") > width - 2 * pdf.c_margin:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept


def _centered(
    pdf: FPDF,
    text: str,
    size: float,
    height: float,
    *,
    family: str = SANS,
    style: str = "",
    color: tuple[int, int, int] = _NAVY,
    max_lines: int = 2,
) -> None:
    pdf.set_font(family, style, size)
    pdf.set_text_color(*color)
    for line in _lines(pdf, text, _WIDTH, max_lines):
        pdf.set_x(_MARGIN)
        pdf.cell(w=_WIDTH, h=height, text=line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _block(
    pdf: FPDF,
    x: float,
    width: float,
    text: str,
    size: float,
    height: float,
    *,
    style: str = "",
    color: tuple[int, int, int] = _NAVY,
    max_lines: int = 2,
    align: Align = Align.L,
    wrap: WrapMode = WrapMode.WORD,
) -> None:
    pdf.set_font(SANS, style, size)
    pdf.set_text_color(*color)
    for line in _lines(pdf, text, width, max_lines, wrap):
        pdf.set_x(x)
        pdf.cell(w=width, h=height, text=line, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*_NAVY)
    pdf.set_line_width(0.8)
    pdf.rect(8, 8, 194, 281)
    pdf.set_draw_color(*_GOLD)
    pdf.set_line_width(0.3)
    pdf.rect(10.5, 10.5, 189, 276)


def _institution_names(view: DiplomaView, issuer: IssuerDetails | None) -> dict[str, str]:
    """The university's name per language: the profile's names for a diploma of it, with
    the credential's own name (as signed) as the English one when the profile has none."""
    names = {tag: text for tag, text in (issuer.names if issuer else {}).items() if text}
    if view.institution_name and "en" not in names:
        names["en" if names else ""] = view.institution_name
    return names


def _title_block(pdf: FPDF, view: DiplomaView, issuer: IssuerDetails | None) -> None:
    pdf.set_y(17)
    names = _by_language(_institution_names(view, issuer), 200)[:3] or [("", _DASH)]
    for index, (_, name) in enumerate(names):
        size, height = (14, 6.5) if index == 0 else (10.5, 5)
        style = "B" if index == 0 else ""
        _centered(pdf, name, size, height, family=SERIF, style=style, max_lines=2)
    place = ", ".join(
        _clean(v, 64) for v in (view.institution_locality, view.institution_country) if v
    )
    if place:
        _centered(pdf, place, 9, 5, color=_GREY, max_lines=1)
    y = pdf.get_y() + 3
    pdf.set_draw_color(*_GOLD)
    pdf.set_line_width(0.4)
    pdf.line(80, y, 130, y)
    pdf.set_y(y + 4)
    _centered(pdf, label("diploma_title", "kk"), 34, 15, family=SERIF, style="B", max_lines=1)
    pdf.set_char_spacing(3)
    _centered(pdf, label("diploma_title", "en"), 15, 8, family=SERIF, max_lines=1)
    pdf.set_char_spacing(0)

    pdf.ln(6)
    _centered(pdf, trilingual("holder_of_diploma", " · "), 8, 5, color=_GREY, max_lines=1)
    # At most three languages of two lines each, so the page never overflows.
    names = _by_language(_holder_names(view), _MAX_NAME)[:3] or [("", _DASH)]
    for index, (_, name) in enumerate(names):
        size, height = (20, 9) if index == 0 else (15, 7)
        _centered(pdf, name, size, height, family=SERIF, style="B" if index == 0 else "")

    pdf.ln(4)
    _centered(pdf, trilingual("qualification_awarded", " · "), 8, 5, color=_GREY, max_lines=1)
    qualifications = _by_language(view.qualification, 200)[:3] or [("", _DASH)]
    for _, qualification in qualifications:
        _centered(pdf, qualification, 12.5, 6, style="B")
    honours = _by_language(view.honours, 80)
    if honours:
        _centered(pdf, " · ".join(text for _, text in honours), 10, 6, style="B", color=_GOLD)


def _qr_block(pdf: FPDF, view: DiplomaView, verification_url: str | None, top: float) -> None:
    qr_x = _MARGIN + _WIDTH - _QR_SIZE
    if verification_url:
        draw_qr(pdf, verification_url, qr_x, top, _QR_SIZE)
        pdf.set_y(top + _QR_SIZE + 0.5)
        url = _clean(verification_url, _MAX_URL)
        _block(
            pdf,
            qr_x - 3,
            _QR_SIZE + 6,
            url,
            5.5,
            2.6,
            color=_GREY,
            max_lines=4,
            align=Align.C,
            wrap=WrapMode.CHAR,
        )
        pdf.ln(1.2)
        for lang in LANGUAGES:
            _block(
                pdf,
                qr_x - 6,
                _QR_SIZE + 12,
                label("scan_to_verify", lang),
                6.5,
                3.2,
                style="B",
                max_lines=1,
                align=Align.C,
            )
        return
    # No verification page to link to: show the identifier a verifier can look up instead.
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.3)
    pdf.rect(qr_x, top, _QR_SIZE, _QR_SIZE)
    pdf.set_y(top + 3)
    _block(
        pdf,
        qr_x + 1,
        _QR_SIZE - 2,
        trilingual("credential_id", "\n"),
        5.5,
        2.6,
        color=_GREY,
        max_lines=6,
        align=Align.C,
    )
    pdf.ln(1)
    _block(
        pdf,
        qr_x + 1,
        _QR_SIZE - 2,
        _clean(view.credential_id, _MAX_URL),
        6.5,
        3,
        style="B",
        max_lines=5,
        align=Align.C,
        wrap=WrapMode.CHAR,
    )
    pdf.set_y(top + _QR_SIZE + 2)
    for lang in LANGUAGES:
        _block(
            pdf,
            qr_x - 6,
            _QR_SIZE + 12,
            label("verify_without_qr", lang),
            5.5,
            2.6,
            color=_GREY,
            max_lines=3,
            align=Align.C,
        )
        pdf.ln(0.8)


_SIGN_HEIGHT: Final = 19.0  # the signatory block above the authenticity note


def _signature_block(pdf: FPDF, signatories: Sequence[Signatory]) -> None:
    """Up to three columns: a signature line, the name, the capacity (three languages)."""
    shown = signatories[:3]
    if not shown:
        return
    top = _NOTE_TOP - _SIGN_HEIGHT
    width = _WIDTH / len(shown)
    for index, person in enumerate(shown):
        x = _MARGIN + index * width
        pdf.set_draw_color(*_GREY)
        pdf.set_line_width(0.2)
        pdf.line(x + 6, top + 4, x + width - 6, top + 4)
        pdf.set_y(top + 5)
        names = " / ".join(text for _, text in _by_language(person.name, 80))
        titles = " / ".join(text for _, text in _by_language(person.title, 80))
        _block(pdf, x + 2, width - 4, names, 7, 3.2, style="B", max_lines=2, align=Align.C)
        _block(pdf, x + 2, width - 4, titles, 6, 2.8, color=_GREY, max_lines=2, align=Align.C)


def _diploma_page(
    pdf: _DiplomaPDF, view: DiplomaView, verification_url: str | None, issuer: IssuerDetails | None
) -> None:
    pdf.add_page()
    pdf.set_auto_page_break(False)  # the diploma is one page whatever the credential says
    _frame(pdf)
    _title_block(pdf, view, issuer)
    signatories = issuer.signatories if issuer else ()
    bottom = _NOTE_TOP - (_SIGN_HEIGHT if signatories else 0.0)

    details = [
        ("degree", _value_label("degree.", view.achievement_type)),
        ("field_of_study", _field_of_study(view)),
        ("specialization", _clean(view.specialization)),
        ("programme_code", _clean(view.programme_code)),
        ("award_date", _clean(view.awarded_date)),
        ("diploma_number", _clean(view.diploma_number)),
        ("credential_id", _clean(view.credential_id, _MAX_URL)),
    ]
    # The details and the QR code share a band; it sits a third of the way down the free
    # space between the title block and the note at the foot of the page.
    band_height = 10.6 * len(details)
    free = bottom - 6 - band_height - (pdf.get_y() + 8)
    top = pdf.get_y() + 6 + max(0.0, free / 3)
    pdf.set_y(top)
    for key, value in details:
        if pdf.get_y() > bottom - 14:
            break
        _block(pdf, _MARGIN + 2, 120, trilingual(key), 6.5, 3.2, color=_GREY, max_lines=1)
        _block(pdf, _MARGIN + 2, 120, value, 9.5, 4.6, style="B", wrap=WrapMode.CHAR)
        pdf.ln(2.2)
    _qr_block(pdf, view, verification_url, top)
    _signature_block(pdf, signatories)

    pdf.set_y(_NOTE_TOP)
    for lang in LANGUAGES:
        _block(
            pdf,
            _MARGIN,
            _WIDTH,
            label("authenticity_note", lang),
            6.5,
            2.9,
            color=_GREY,
            max_lines=2,
            align=Align.C,
        )
        pdf.ln(0.6)
    pdf.set_auto_page_break(True, margin=18)


def _heading(pdf: FPDF, number: int) -> None:
    # Keep a heading with at least the first rows of its section.
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(SANS, "B", 8.5)
    pdf.set_text_color(*_NAVY)
    pdf.set_fill_color(*_TINT)
    pdf.multi_cell(
        w=_WIDTH,
        h=4.6,
        text=f"{number}. {trilingual(f'section_{number}')}",
        fill=True,
        align=Align.L,
        padding=Padding(1, 1.5, 1, 1.5),
        new_x=XPos.LMARGIN,
    )
    pdf.ln(1)


_LABEL_STYLE: Final = FontFace(family=SANS, size_pt=6.5, color=_GREY, fill_color=(247, 249, 252))
_VALUE_STYLE: Final = FontFace(family=SANS, size_pt=8, color=(0, 0, 0), fill_color=(255, 255, 255))


def _field_table(pdf: FPDF, rows: Sequence[_Row]) -> None:
    if not rows:
        return
    pdf.set_font(SANS, "", 8)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.15)
    with pdf.table(
        width=_WIDTH,
        col_widths=(36, 64),
        first_row_as_headings=False,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        text_align=(Align.L, Align.L),
        v_align=VAlign.T,
        line_height=3.6,
        padding=(1.2, 1),
        wrapmode=WrapMode.WORD,
    ) as table:
        for row in rows:
            cells = table.row()
            cells.cell(row.label, style=_LABEL_STYLE)
            cells.cell(row.value, style=_VALUE_STYLE)


def _paragraphs(pdf: FPDF, key: str) -> None:
    pdf.set_text_color(0, 0, 0)
    for lang in LANGUAGES:
        pdf.set_font(SANS, "", 7.5)
        pdf.multi_cell(w=_WIDTH, h=3.6, text=label(key, lang), align=Align.J, new_x=XPos.LMARGIN)
        pdf.ln(1.5)


def _transcript(pdf: FPDF, view: DiplomaView) -> None:
    pdf.set_font(SANS, "B", 7)
    pdf.set_text_color(*_GREY)
    pdf.multi_cell(w=_WIDTH, h=3.4, text=_numbered("4.3", "transcript"), new_x=XPos.LMARGIN)
    pdf.ln(1)
    if not view.transcript:
        pdf.set_font(SANS, "", 8)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(w=_WIDTH, h=4, text=trilingual("transcript_empty"), new_x=XPos.LMARGIN)
        return
    columns = ("col_code", "col_title", "col_credits", "col_grade", "col_points", "col_term")
    pdf.set_font(SANS, "", 7)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.15)
    with pdf.table(
        width=_WIDTH,
        col_widths=(20, 70, 15, 14, 14, 27),
        headings_style=FontFace(
            family=SANS, emphasis="BOLD", size_pt=6.5, color=_NAVY, fill_color=_TINT
        ),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        text_align=(Align.L, Align.L, Align.C, Align.C, Align.C, Align.L),
        v_align=VAlign.T,
        line_height=3.3,
        padding=(0.8, 1),
        wrapmode=WrapMode.CHAR,
    ) as table:
        heading = table.row()
        for key in columns:
            heading.cell(trilingual(key, "\n"))
        for line in view.transcript:
            titles = _by_language(line.title, 200)
            cells = table.row()
            cells.cell(_clean(line.code, 40))
            cells.cell("\n".join(text for _, text in titles) or _DASH)
            cells.cell(_clean(line.credits, 16))
            cells.cell(_clean(line.grade, 16))
            cells.cell(_clean(line.grade_points, 16))
            cells.cell(_clean(line.term, 32))
    if view.transcript_total > len(view.transcript):
        pdf.set_font(SANS, "", 7)
        pdf.set_text_color(*_GREY)
        shown = f"{len(view.transcript)} / {view.transcript_total}"
        note = f"{shown}: {trilingual('transcript_rows_omitted', ' / ')}"
        pdf.multi_cell(w=_WIDTH, h=3.4, text=note, new_x=XPos.LMARGIN)
    pdf.ln(1)


def _level(view: DiplomaView) -> str:
    parts = []
    if view.achievement_type:
        parts.append(_value_label("degree.", view.achievement_type))
    if view.nqf_level:
        parts.append(f"{_clean(view.nqf_framework or 'NQF', 32)} {_clean(view.nqf_level, 8)}")
    if view.isced_level:
        parts.append(f"ISCED 2011: {_clean(view.isced_level, 8)}")
    if view.eqf_level:
        parts.append(f"EQF {_clean(view.eqf_level, 4)}")
    return "\n".join(parts) or _DASH


def _credits(view: DiplomaView) -> str:
    if not view.credits_value:
        return _DASH
    text = f"{_clean(view.credits_value, 16)} {_clean(view.credits_system or '', 32)}".strip()
    if view.credits_ects and view.credits_system != "ECTS":
        text += f" (= {_clean(view.credits_ects, 16)} ECTS)"
    return text.removesuffix(f" {_DASH}")


def _study_period(view: DiplomaView) -> str:
    if not (view.study_start or view.study_end):
        return _DASH
    return f"{_clean(view.study_start, 40)} – {_clean(view.study_end, 40)}"


def _overall(view: DiplomaView) -> str:
    lines = []
    for result in view.results[:10]:
        name = (
            trilingual("gpa")
            if result.result_type == "GradePointAverage"
            else _clean(result.name, 120)
            if result.name
            else ""
        )
        value = _clean(result.value, 40)
        if result.result_type == "GradePointAverage" and view.gpa_max:
            value = f"{value} / {_clean(view.gpa_max, 16)}"
        lines.append(f"{name}: {value}" if name else value)
    if view.credits_earned:
        lines.append(f"{trilingual('credits')}: {_clean(view.credits_earned, 16)}")
    return "\n".join(lines) or _DASH


def _is_kz_scale(view: DiplomaView) -> bool:
    letters = {letter for letter, _, _, _ in KZ_GRADING}
    return bool(view.grade_scale) and set(view.grade_scale) <= letters


def _grading(view: DiplomaView) -> str:
    """The grading scheme in words: the GPA scale and pass mark, and the letter scale when
    it is not the Kazakh one (which gets its own table)."""
    lines = []
    if view.gpa_min and view.gpa_max:
        lines.append(
            f"{trilingual('gpa_scale')}: {_clean(view.gpa_min, 16)}–{_clean(view.gpa_max, 16)}"
        )
    if view.gpa_pass_mark:
        lines.append(f"{trilingual('gpa_pass_mark')}: {_clean(view.gpa_pass_mark, 16)}")
    if _is_kz_scale(view):
        lines.append(f"{trilingual('pass_mark')}: {KZ_PASS_MARK} (1.0; 50–54 %)")
    elif view.grade_scale:
        lines.append(" < ".join(_clean(grade, 16) for grade in view.grade_scale))
    return "\n".join(lines) or _DASH


def _grading_table(pdf: _DiplomaPDF) -> None:
    """The Kazakh letter grades with their points, per cent and traditional marks."""
    pdf.ln(1)
    pdf.set_font(SANS, "", 7)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.15)
    with pdf.table(
        width=_WIDTH,
        col_widths=(18, 14, 16, 52),
        headings_style=FontFace(
            family=SANS, emphasis="BOLD", size_pt=6.5, color=_NAVY, fill_color=_TINT
        ),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        text_align=(Align.C, Align.C, Align.C, Align.L),
        v_align=VAlign.T,
        line_height=3.2,
        padding=(0.6, 1),
    ) as table:
        heading = table.row()
        for key in ("col_letter", "col_points", "col_percent", "col_meaning"):
            heading.cell(trilingual(key, "\n"))
        for letter, points, percent, meaning in KZ_GRADING:
            row = table.row()
            row.cell(f"{letter} *" if letter == KZ_PASS_MARK else letter)
            row.cell(points)
            row.cell(percent)
            row.cell(trilingual(meaning))
    pdf.set_font(SANS, "", 6.5)
    pdf.set_text_color(*_GREY)
    note = f"* {trilingual('pass_mark')}"
    pdf.multi_cell(w=_WIDTH, h=3.2, text=note, new_x=XPos.LMARGIN)
    pdf.ln(1)


def _text_or_known(value: str | None) -> str:
    known = _known(value)
    return trilingual(known, "\n") if known else _clean(value)


def _further_study(view: DiplomaView) -> str:
    names = view.access_to_further_study
    known = _known(names.get("en")) if set(names) <= {"en", ""} else None
    if known is None and set(names) == {""}:
        known = _known(names[""])
    return trilingual(known, "\n") if known else _multilingual(names)


def _certification(
    view: DiplomaView, issuer: IssuerDetails | None, generated_at: datetime
) -> list[_Row]:
    people = issuer.signatories if issuer else ()
    names = "\n".join(
        " / ".join(text for _, text in _by_language(person.name, 80)) for person in people
    )
    titles = "\n".join(
        " / ".join(text for _, text in _by_language(person.title, 80)) for person in people
    )
    return [
        _Row(_numbered("7.1", "certification_date"), generated_at.date().isoformat()),
        _Row(
            _numbered("7.2", "signature"),
            f"{names}\n{trilingual('signature_note', chr(10))}"
            if names
            else f"{trilingual('no_signatories', chr(10))}\n{trilingual('signature_note', chr(10))}",
        ),
        _Row(_numbered("7.3", "capacity"), titles or _DASH),
        _Row(_numbered("7.4", "official_seal"), trilingual("seal_note", "\n")),
        _Row(trilingual("generated_at"), generated_at.isoformat(timespec="seconds")),
        _Row(trilingual("issuer_id"), _clean(view.institution_id, _MAX_URL)),
        _Row(trilingual("credential_id"), _clean(view.credential_id, _MAX_URL)),
    ]


def _supplement(
    pdf: _DiplomaPDF,
    view: DiplomaView,
    verification_url: str | None,
    generated_at: datetime,
    issuer: IssuerDetails | None,
) -> None:
    pdf.add_page()
    _centered(pdf, trilingual("supplement_title", " · "), 10, 6, style="B", max_lines=3)
    pdf.ln(1)
    pdf.set_text_color(*_GREY)
    for lang in LANGUAGES:
        pdf.set_font(SANS, "", 6.5)
        pdf.multi_cell(
            w=_WIDTH, h=3, text=label("supplement_preface", lang), align=Align.J, new_x=XPos.LMARGIN
        )
        pdf.ln(0.8)

    split_names = bool(view.holder_family_name or view.holder_given_name)
    holder = [
        *(
            [
                _Row(_numbered("1.1", "family_name"), _multilingual(view.holder_family_name)),
                _Row(_numbered("1.2", "given_name"), _multilingual(view.holder_given_name)),
            ]
            if split_names
            else []
        ),
        _Row(
            trilingual("full_name") if split_names else _numbered("1.1–1.2", "full_name"),
            _multilingual(_holder_names(view), _MAX_NAME),
        ),
        _Row(_numbered("1.3", "date_of_birth"), _clean(view.date_of_birth)),
        _Row(_numbered("1.4", "student_id"), _clean(view.student_id)),
    ]
    _heading(pdf, 1)
    _field_table(pdf, holder)

    institution = "\n".join(
        part
        for part in (
            _multilingual(_institution_names(view, issuer), 200),
            ", ".join(
                _clean(v, 64) for v in (view.institution_locality, view.institution_country) if v
            ),
            _clean(view.institution_url, _MAX_URL) if view.institution_url else "",
        )
        if part
    )
    _heading(pdf, 2)
    _field_table(
        pdf,
        [
            _Row(_numbered("2.1", "qualification_name"), _multilingual(view.qualification)),
            _Row(trilingual("degree"), _value_label("degree.", view.achievement_type)),
            _Row(_numbered("2.2", "field_of_study"), _field_of_study(view, "\n")),
            _Row(trilingual("specialization"), _clean(view.specialization)),
            _Row(trilingual("programme_code"), _clean(view.programme_code)),
            _Row(trilingual("isced_field"), _isced_field(view)),
            _Row(_numbered("2.3", "awarding_institution"), institution or _DASH),
            _Row(trilingual("issuer_id"), _clean(view.institution_id, _MAX_URL)),
            _Row(_numbered("2.4", "administering_institution"), trilingual("same_as_awarding")),
            _Row(
                _numbered("2.5", "languages_of_instruction"),
                _language_names(view.languages_of_instruction),
            ),
        ],
    )

    _heading(pdf, 3)
    _field_table(
        pdf,
        [
            _Row(_numbered("3.1", "level"), _level(view)),
            _Row(
                _numbered("3.2", "official_length"),
                f"{_duration(view.official_length)}\n{_credits(view)}",
            ),
            _Row(trilingual("study_period"), _study_period(view)),
            _Row(_numbered("3.3", "access_requirements"), _multilingual(view.access_requirements)),
        ],
    )

    _heading(pdf, 4)
    _field_table(
        pdf,
        [
            _Row(_numbered("4.1", "mode_of_study"), _value_label("mode.", view.mode_of_study)),
            _Row(_numbered("4.2", "programme_requirements"), _text_or_known(view.criteria)),
            _Row(trilingual("programme_description"), _clean(view.description)),
        ],
    )
    pdf.ln(2)
    _transcript(pdf, view)
    _field_table(pdf, [_Row(_numbered("4.4", "grading_scheme"), _grading(view))])
    if _is_kz_scale(view):
        _grading_table(pdf)
    _field_table(
        pdf,
        [
            _Row(_numbered("4.5", "overall_result"), _overall(view)),
            _Row(trilingual("honours"), _multilingual(view.honours)),
        ],
    )

    _heading(pdf, 5)
    _field_table(
        pdf,
        [
            _Row(_numbered("5.1", "access_to_further_study"), _further_study(view)),
            _Row(_numbered("5.2", "professional_status"), _multilingual(view.professional_status)),
        ],
    )

    sources = "\n".join(
        _clean(url, _MAX_URL) for url in (view.institution_url, verification_url) if url
    )
    additional = [
        f"{trilingual('diploma_number')}: {_clean(view.diploma_number)}",
        f"{trilingual('award_date')}: {_clean(view.awarded_date)}",
    ]
    if view.valid_until:
        additional.append(f"{trilingual('valid_until')}: {_clean(view.valid_until)}")
    _heading(pdf, 6)
    _field_table(
        pdf,
        [
            _Row(_numbered("6.1", "additional_information"), "\n".join(additional)),
            _Row(_numbered("6.2", "information_sources"), sources or _DASH),
        ],
    )

    _heading(pdf, 7)
    _field_table(pdf, _certification(view, issuer, generated_at))
    pdf.set_font(SANS, "", 7)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(
        w=_WIDTH,
        h=3.4,
        text=f"{trilingual('verification_address')}: "
        + (_clean(verification_url, _MAX_URL) if verification_url else _DASH),
        align=Align.L,
        wrapmode=WrapMode.CHAR,
        new_x=XPos.LMARGIN,
    )

    _heading(pdf, 8)
    country = (view.institution_country_code or "").upper()
    kazakhstan = country == "KZ" or (view.institution_country or "").lower() in (
        "kazakhstan",
        "қазақстан",
        "казахстан",
    )
    _paragraphs(pdf, "national_system_kz" if kazakhstan else "national_system_generic")


def _xmp(title: str, author: str, subject: str, created: datetime) -> str:
    """XMP metadata with the PDF/A-3B identification.

    Written here rather than left to fpdf2, whose generated XMP stamps the current time as
    the modification date, which would make identical inputs give different files.
    """
    stamp = escape(created.isoformat(timespec="seconds"))
    languages = "".join(f"<rdf:li>{lang}</rdf:li>" for lang in LANGUAGES)
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'
        ' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">\n'
        "<pdfaid:part>3</pdfaid:part>\n"
        "<pdfaid:conformance>B</pdfaid:conformance>\n"
        "<dc:format>application/pdf</dc:format>\n"
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li>'
        "</rdf:Alt></dc:title>\n"
        f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>\n"
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li>'
        "</rdf:Alt></dc:description>\n"
        f"<dc:language><rdf:Bag>{languages}</rdf:Bag></dc:language>\n"
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate>\n"
        f"<xmp:ModifyDate>{stamp}</xmp:ModifyDate>\n"
        f"<xmp:MetadataDate>{stamp}</xmp:MetadataDate>\n"
        "<xmp:CreatorTool>diploma-exchange</xmp:CreatorTool>\n"
        "<pdf:Producer>fpdf2</pdf:Producer>\n"
        "</rdf:Description>\n"
        "</rdf:RDF>\n"
        "</x:xmpmeta>"
    )


def _enveloped_payload(document: Any) -> Any:
    """The credential inside a VC-JOSE-COSE EnvelopedVerifiableCredential (the payload of
    its compact JWS, not verified here), else None: an enveloped diploma is printed from its
    payload and attached as the envelope it was issued as."""
    if not isinstance(document, Mapping):
        return None
    try:
        opened = open_enveloped(document)
        if opened is None or opened.media_type != "application/vc+jwt":
            return None
        return parse_compact_jws(opened.payload.decode("ascii")).payload_json()
    except (InvalidInput, UnicodeDecodeError):
        return None


def _credential_payload(credential: Mapping[str, Any], credential_bytes: bytes | None) -> bytes:
    if credential_bytes is None:
        try:
            try:
                text = json.dumps(credential, ensure_ascii=False, indent=2, allow_nan=False)
                return text.encode()
            except UnicodeEncodeError:
                # A lone surrogate (JSON escapes can carry one) has no UTF-8 form;
                # ASCII-escaped JSON keeps it and is the same JSON value.
                return json.dumps(credential, ensure_ascii=True, indent=2, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                f"the credential is not a JSON document ({exc}); pass the parsed JSON object",
                code="pdf-credential-not-json",
            ) from exc
    try:
        loaded = json.loads(credential_bytes)
        same = loaded == credential or _enveloped_payload(loaded) == credential
    except ValueError:
        same = False
    if not same:
        raise InvalidInput(
            "credential_bytes is not the JSON encoding of credential; pass the exact bytes of "
            "the same signed credential, or omit credential_bytes",
            code="pdf-credential-mismatch",
        )
    return credential_bytes


def render_diploma_pdf(
    credential: Mapping[str, Any],
    *,
    verification_url: str | None,
    generated_at: datetime | None = None,
    credential_bytes: bytes | None = None,
    log_bundle: Mapping[str, Any] | None = None,
    issuer: IssuerDetails | None = None,
) -> bytes:
    """Render a credential as a PDF diploma with its Diploma Supplement.

    Page 1 is the trilingual (Kazakh, Russian, English) diploma with a QR code linking to
    ``verification_url`` (or, when it is None, the credential id instead of a QR code); the
    following pages are the Diploma Supplement. The credential is embedded as
    ``credential.json``, a PDF/A-3 associated file with ``/AFRelationship /Source``: the
    exact ``credential_bytes`` when given (they must decode to ``credential``, or to a
    VC-JOSE-COSE EnvelopedVerifiableCredential whose payload is ``credential``), else
    ``json.dumps(credential, ensure_ascii=False, indent=2)``. The same inputs, including
    ``generated_at`` (default: now, UTC), give the same bytes.

    ``issuer`` adds what the issuing university's profile says (its name in each language,
    its signatories); without it, the credential's own issuer name is printed.

    ``log_bundle``, the diploma's transparency log evidence (``dx-log-bundle/v1``: its
    inclusion proofs in a signed checkpoint), is embedded beside it as ``diploma.log.json``
    (``/AFRelationship /Supplement``) so that a verifier without network access can check
    that the diploma was logged; it is evidence about the credential, never part of it.

    The credential is not verified here and may be anything: missing fields print as "—",
    and no value can break the layout.

    Raises:
        InvalidInput: ``credential_bytes`` does not decode to ``credential``
            (code ``pdf-credential-mismatch``), or ``credential`` cannot be written as JSON
            (values that are not JSON types, NaN, circular references, huge integers; code
            ``pdf-credential-not-json``).
        LimitExceeded: ``verification_url`` is too long for a QR code (code ``qr-too-long``).
    """
    payload = _credential_payload(credential, credential_bytes)
    created = generated_at or datetime.now(UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    view = diploma_view(credential)

    holder_en = _clean(pick(_holder_names(view), "en"), _MAX_NAME)
    credential_id = _clean(view.credential_id, _MAX_URL)
    pdf = _DiplomaPDF(f"{holder_en} | {credential_id}")
    title = f"{label('diploma_title', 'en').title()}: {holder_en}"
    author = _clean(pick(_institution_names(view, issuer), "en"), 200)
    subject = _clean(view.qualification_name("en"), 200)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_subject(subject)
    pdf.set_creator("diploma-exchange")
    pdf.set_lang(LANGUAGES[0])
    pdf.set_creation_date(created)
    pdf.set_xmp_metadata(_xmp(title, author, subject, created))

    _diploma_page(pdf, view, verification_url, issuer)
    _supplement(pdf, view, verification_url, created, issuer)

    pdf.embed_file(
        bytes=payload,
        basename=CREDENTIAL_FILENAME,
        mime_type="application/json",
        associated_file_relationship="Source",
        desc="Signed verifiable credential (W3C VC 2.0 / Open Badges 3.0); authoritative",
        creation_date=created,
        modification_date=created,
        # Stored uncompressed (a few KB) so that the checksum is right: fpdf2 computes
        # /CheckSum over the compressed bytes, where ISO 32000 wants the file's own bytes.
        compress=False,
        checksum=True,
    )
    if log_bundle is not None:
        pdf.embed_file(
            bytes=_bundle_payload(log_bundle),
            basename=LOG_BUNDLE_FILENAME,
            mime_type="application/json",
            associated_file_relationship="Supplement",
            desc="Transparency log evidence of the issuance (dx-log-bundle/v1): inclusion "
            "proofs in a signed checkpoint",
            creation_date=created,
            modification_date=created,
            compress=False,
            checksum=True,
        )
    return bytes(pdf.output())


def _bundle_payload(bundle: Mapping[str, Any]) -> bytes:
    try:
        return json.dumps(bundle, ensure_ascii=True, indent=2, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"the log bundle is not a JSON document ({exc})", code="pdf-bundle-not-json"
        ) from exc


__all__ = [
    "CREDENTIAL_FILENAME",
    "FONT_DIR",
    "KZ_GRADING",
    "LOG_BUNDLE_FILENAME",
    "IssuerDetails",
    "render_diploma_pdf",
]
