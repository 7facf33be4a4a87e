"""Mechanical rules of the Kazakh and Russian interface texts (issue 16).

The terminology table and the reasons are in ``docs/translation-review.md``; this test keeps
what a machine can check: the settled term for each concept (a rejected variant must not come
back), the terms of the Law of the Republic of Kazakhstan "On Education", Cyrillic words without
Latin look-alike letters, Russian «ёлочки» instead of English quote marks, spaced em dashes, no
double spaces, and the English text's placeholders and surrounding whitespace in every form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from diploma_exchange.i18n import catalogue

CYRILLIC = "А-Яа-яЁё" + "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
KAZAKH_ONLY = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"

#: (test id, language, rejected variant as a regular expression, the settled term, why).
REJECTED: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "ru-credential",
        "ru",
        r"учётн\w* данн|учетн\w* данн",
        "цифровой документ / цифровой диплом",
        "«учётные данные» are a login and password, not a credential",
    ),
    (
        "kk-credential",
        "kk",
        r"тіркелгі деректер",
        "цифрлық құжат / цифрлық диплом",
        "«тіркелгі деректері» are account (login) data, not a credential",
    ),
    ("ru-issuer", "ru", r"\b[Ээ]митент", "издатель", "one term for the issuer"),
    ("kk-issuer", "kk", r"\b[Ээ]митент|\b[Шш]ығарушы", "беруші", "one term for the issuer"),
    ("ru-verification", "ru", r"\b[Вв]ерификац", "проверка", "one term for verification"),
    ("ru-holder", "ru", r"\b[Оо]бладател", "владелец", "one term for the holder"),
    ("kk-holder", "kk", r"\b[Ии]егер", "иесі", "one term for the holder"),
    (
        "kk-revocation",
        "kk",
        r"[Кк]ері қайтар(?!ып ал|ылып ал)",
        "кері қайтарып алу",
        "revocation is taking back (кері қайтарып алу), not giving back (кері қайтару)",
    ),
    (
        "kk-suspension",
        "kk",
        r"\bтоқтатылма|\bтоқтатылған",
        "тоқтатыла тұру",
        "suspension is temporary (тоқтата тұру), not a stop",
    ),
    ("ru-suspension", "ru", r"\b[Пп]риостановк", "приостановление", "one term for suspension"),
    (
        "ru-field-of-study",
        "ru",
        r"[Оо]бласть обучения",
        "область образования",
        "Kazakhstan's classifier: «область образования»",
    ),
    (
        "kk-field-of-study",
        "kk",
        r"[Оо]қу саласы|[Бб]ілім саласы",
        "білім беру саласы",
        "Kazakhstan's classifier: «білім беру саласы»",
    ),
    (
        "ru-comparison",
        "ru",
        r"\b[Сс]равн(?:ение|ения|ить|ивать)",
        "сопоставление / сопоставить",
        "one term for the (advisory) comparison",
    ),
    (
        "kk-comparable",
        "kk",
        r"[Сс]алыстырмалы",
        "салыстырылатын",
        "«салыстырмалы» means relative, not comparable",
    ),
    (
        "kk-information-centre",
        "kk",
        r"ақпараттық орталы",
        "ақпарат орталығы",
        "one form of «information centre»",
    ),
    ("kk-isced", "kk", r"ХСБЖ", "БХСЖ", "the Kazakh abbreviation of ISCED"),
    (
        "kk-criteria",
        "kk",
        r"\bӨлшемдер\b|\bөлшемдер\b",
        "өлшемшарттар",
        "one term for criteria",
    ),
    (
        "ru-presentation",
        "ru",
        r"[Пп]резентаци",
        "предъявление",
        "one term for a (verifiable) presentation",
    ),
    (
        "kk-presentation",
        "kk",
        r"[Пп]резентаци",
        "ұсыну",
        "one term for a (verifiable) presentation",
    ),
    ("ru-pin", "ru", r"\bPIN\b(?!-код)", "PIN-код", "one form of PIN"),
    ("kk-pin", "kk", r"\bPIN\b(?!-код)", "PIN-код", "one form of PIN"),
)

#: Terms of the Law "On Education" that a text must use: (id, Kazakh, Russian).
LAW_TERMS: tuple[tuple[str, str, str], ...] = (
    ("mode.full-time", "күндізгі", "очная"),
    ("mode.extramural", "сырттай", "заочная"),
    ("mode.evening", "кешкі", "вечерняя"),
    ("pdf.supplement_title", "ДИПЛОМҒА ҚОСЫМША", "ПРИЛОЖЕНИЕ К ДИПЛОМУ"),
    ("me.download.pdf", "қосымша", "приложение"),
    (
        "checkline.issuer.trust.registered-institution",
        "жоғары және (немесе) жоғары оқу орнынан кейінгі білім беру ұйымдары",
        "организаций высшего и (или) послевузовского образования",
    ),
    ("diploma.field", "Білім беру саласы", "Область образования"),
    ("diploma.mode", "Оқу нысаны", "Форма обучения"),
)


def _texts(lang: str) -> Iterator[tuple[str, int, str]]:
    """Every (id, form number, text) of a catalogue; a singular message has form 0 only."""
    for message in catalogue(lang):
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for number, text in enumerate(forms):
            yield str(key), number, str(text)


def _english() -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for key, _number, text in _texts("en"):
        found[key] = (*found.get(key, ()), text)
    return found


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize(
    ("lang", "pattern", "term", "why"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED]
)
def test_a_rejected_variant_of_a_settled_term_does_not_come_back(
    lang: str, pattern: str, term: str, why: str
) -> None:
    found = [
        f"{key}[{number}]: {text}" for key, number, text in _texts(lang) if re.search(pattern, text)
    ]
    assert not found, f"{lang}: use {term!r} ({why}):\n" + "\n".join(found)


@pytest.mark.parametrize(("msgid", "kazakh", "russian"), LAW_TERMS, ids=[t[0] for t in LAW_TERMS])
def test_the_law_on_education_terms_are_used(msgid: str, kazakh: str, russian: str) -> None:
    texts = {lang: {k: t for k, _n, t in _texts(lang)} for lang in ("kk", "ru")}
    assert kazakh in texts["kk"][msgid]
    assert russian in texts["ru"][msgid]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_cyrillic_words_have_no_latin_look_alike_letters(lang: str) -> None:
    mixed = re.compile(rf"\b(?=\w*[{CYRILLIC}])(?=\w*[A-Za-z])\w+\b")
    found = [
        f"{key}: {m.group(0)!r}" for key, _n, text in _texts(lang) for m in mixed.finditer(text)
    ]
    assert not found, "\n".join(found)


def test_russian_words_have_no_kazakh_letters() -> None:
    found = [key for key, _n, text in _texts("ru") if re.search(f"[{KAZAKH_ONLY}]", text)]
    assert not found


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_typography(lang: str) -> None:
    problems = []
    for key, number, text in _texts(lang):
        if re.search("[\"“”„‘’']", text):
            problems.append(f"{key}[{number}]: English quote marks, use «…»")
        if "  " in text:
            problems.append(f"{key}[{number}]: double space")
        if re.search(r"\S—|—\S", text):
            problems.append(f"{key}[{number}]: an em dash needs a space on each side")
        if re.search(r"\s-\s", text):
            problems.append(f"{key}[{number}]: a hyphen used as a dash, use « — »")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_form_keeps_the_english_placeholders_and_edge_whitespace(lang: str) -> None:
    english = _english()
    problems = []
    for key, number, text in _texts(lang):
        source = english[key][0]
        wanted = set().union(*(_placeholders(form) for form in english[key]))
        if _placeholders(text) != wanted:  # every form: a count's form can be any count
            problems.append(f"{key}[{number}]: {_placeholders(text)} != {wanted}")
        if (text[:1].isspace(), text[-1:].isspace()) != (
            source[:1].isspace(),
            source[-1:].isspace(),
        ):
            problems.append(f"{key}[{number}]: leading or trailing space differs from English")
    assert not problems, "\n".join(problems)
