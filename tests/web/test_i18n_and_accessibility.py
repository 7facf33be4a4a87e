"""Every interface text exists in Kazakh, Russian and English; colours meet WCAG AA contrast;
pages are built for keyboards and screen readers (labels, one h1, lang, no scripts)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from diploma_exchange import i18n as catalogues
from diploma_exchange.web import i18n
from diploma_exchange.web.rendering import STATIC, TEMPLATES

KEY_USE = re.compile(r"""\bt\(\s*['"]([a-z0-9_.-]+)['"]""")
DYNAMIC_PREFIXES = {
    "state.": ("active", "suspended", "revoked"),
    "linkstate.": ("active", "expired", "revoked", "locked"),
    "checkstatus.": ("passed", "failed", "error", "skipped"),
    "verdict.": ("valid", "invalid", "indeterminate"),
    "event.": (
        "opened",
        "pin-failed",
        "pin-accepted",
        "locked",
        "refused",
        "downloaded-json",
        "downloaded-pdf",
        "downloaded-report",
    ),
    "gone.": ("expired", "revoked", "locked"),
}


def _catalogue(lang: str) -> dict[str, object]:
    found: dict[str, object] = {}
    for message in catalogues.catalogue(lang):
        if message.id:
            key = message.id[0] if isinstance(message.id, tuple | list) else message.id
            found[str(key)] = message.string
    return found


def test_every_text_has_all_three_languages() -> None:
    books = {lang: _catalogue(lang) for lang in catalogues.LANGUAGES}
    keys = set().union(*(set(book) for book in books.values()))
    for key in sorted(keys):
        texts = {lang: books[lang].get(key) for lang in books}
        assert all(texts.values()), (key, texts)
        forms = {
            lang: (list(t) if isinstance(t, tuple | list) else [t]) for lang, t in texts.items()
        }
        assert all(all(str(f).strip() for f in fs) for fs in forms.values()), key
        placeholders = {
            lang: {p for f in fs for p in re.findall(r"\{(\w+)\}", str(f))}
            for lang, fs in forms.items()
        }
        assert placeholders["kk"] == placeholders["ru"] == placeholders["en"], key
        if isinstance(texts["en"], tuple | list):  # plural: as many forms as CLDR says
            for lang in books:
                assert len(forms[lang]) == catalogues.catalogue(lang).num_plurals, (key, lang)


def test_a_missing_text_is_an_error_never_english() -> None:
    with pytest.raises(catalogues.MissingTranslation):
        catalogues.translate("kk", "no.such.message")
    assert not catalogues.has("ru", "no.such.message")


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("ru", 1, "открыта 1 раз"),
        ("ru", 2, "открыта 2 раза"),
        ("ru", 5, "открыта 5 раз"),
        ("ru", 22, "открыта 22 раза"),
        ("ru", 11, "открыта 11 раз"),
        ("en", 1, "opened 1 time"),
        ("en", 3, "opened 3 times"),
        ("kk", 3, "3 рет ашылды"),
    ],
)
def test_plurals_follow_cldr(lang: str, n: int, expected: str) -> None:
    assert catalogues.ngettext(lang, "links.opened", n) == expected


def test_country_language_and_duration_names_come_from_cldr() -> None:
    assert catalogues.country_name("ru", "JP") == "Япония"
    assert catalogues.country_name("kk", "KR") == "Оңтүстік Корея"
    assert catalogues.language_name("ru", "kk") == "казахский"
    assert catalogues.language_name("kk", "ru") == "орыс тілі"
    assert catalogues.duration("en", "P4Y") == "4 years"
    assert catalogues.duration("ru", "P4Y") == "4 года"
    assert catalogues.duration("kk", "P4Y") == "4 жыл"
    assert catalogues.duration("ru", "P1Y6M") == "1 год 6 месяцев"
    assert catalogues.duration("en", "four years") == "four years"


def test_kazakh_texts_use_kazakh_letters() -> None:
    kazakh = set("әғқңөұүі")
    sample = "".join(str(t) for t in _catalogue("kk").values())
    assert kazakh <= set(sample.lower())


def test_every_key_a_template_uses_exists() -> None:
    known = _catalogue("en")
    used: set[str] = set()
    for template in Path(TEMPLATES).glob("*.html"):
        used |= set(KEY_USE.findall(template.read_text()))
    missing = sorted(k for k in used if k not in known and not k.endswith("."))
    assert not missing
    for prefix, values in DYNAMIC_PREFIXES.items():
        for value in values:
            assert prefix + value in known
    from diploma_exchange.verification import CheckName

    for name in CheckName:
        assert f"check.{name.value}" in known


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("kk", "kk"),
        ("de-DE,de;q=0.9", "en"),
        ("en;q=0.1, kk;q=0.5", "kk"),
        ("ru;q=0", "en"),
        ("", "en"),
        ("x" * 5000, "en"),
    ],
)
def test_language_negotiation(header: str, expected: str) -> None:
    assert i18n.negotiate(None, None, header) == expected


def test_query_and_cookie_win_over_the_header() -> None:
    assert i18n.negotiate("kk", "ru", "en") == "kk"
    assert i18n.negotiate("xx", "ru", "en") == "ru"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colour_pairs_meet_wcag_aa() -> None:
    css = (Path(STATIC) / "style.css").read_text()
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("text", "bg"),
        ("muted", "bg"),
        ("accent", "bg"),
        ("ok-fg", "ok-bg"),
        ("bad-fg", "bad-bg"),
        ("warn-fg", "warn-bg"),
        ("bad-fg", "bg"),
    ]
    for fg, bg in pairs:
        assert contrast(var[fg], var[bg]) >= 4.5, (fg, bg, contrast(var[fg], var[bg]))
    assert contrast("#ffffff", var["accent"]) >= 4.5  # button text
    assert contrast(var["muted"], "#f2f4f7") >= 4.5  # footer
    # The focus ring (WCAG 2.1 1.4.11 non-text contrast): 3:1 against every background it
    # is drawn on.
    for bg in ("bg", "ok-bg", "bad-bg", "warn-bg"):
        assert contrast(var["focus"], var[bg]) >= 3, (bg, contrast(var["focus"], var[bg]))


@pytest.mark.parametrize("path", ["/", "/verify", "/claim"])
def test_pages_have_lang_one_h1_labels_and_no_script(web: TestClient, path: str) -> None:
    for lang in ("kk", "ru", "en"):
        page = web.get(f"{path}?lang={lang}").text
        assert f'<html lang="{lang}">' in page
        assert page.count("<h1") == 1
        assert "<script" not in page and " on" + "click" not in page
        for field in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page):
            assert f'for="{field}"' in page, (path, field)
        assert 'class="skip" href="#main"' in page
        assert 'name="viewport"' in page


def test_kazakh_texts_do_not_use_russian_negation() -> None:
    # "Не тексерілді" reads as Russian "не" + Kazakh verb; Kazakh negates with -ма/-ме/-ба/-бе
    # or "емес" ("Тексерілмеді").
    for key, text in _catalogue("kk").items():
        forms = text if isinstance(text, tuple | list) else [text]
        for form in forms:
            assert not re.search(r"(^|\s)Не\s", str(form)), (key, form)
