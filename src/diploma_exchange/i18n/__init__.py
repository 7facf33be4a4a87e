"""Interface texts in Kazakh, Russian and English, from one set of gettext catalogues.

The catalogues are Babel ``.po`` files under ``locale/<lang>/LC_MESSAGES/messages.po``, read
once at first use (no compile step: the ``.po`` is the source and the runtime copy). Message
ids are stable keys (``"verdict.valid"``), and English is a catalogue like the others, so no
language is a fallback for another: a message missing in any catalogue raises
:class:`MissingTranslation` (a test walks every page and every catalogue to keep it so).

Plural forms and their rules come from CLDR through Babel (``Plural-Forms`` of each
catalogue): Russian has three (``1 раз``, ``2 раза``, ``5 раз``). Country and language names
come from CLDR too (:func:`country_name`, :func:`language_name`).

Pages, PDF and CLI share this module; it imports nothing from the web, the database or the
settings. Placeholders use ``str.format`` names; values are escaped by the templates.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal

from babel import Locale
from babel.dates import format_timedelta
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "en"
#: Each language's name in itself (for the language switch).
LANGUAGE_NAMES: Mapping[str, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


class MissingTranslation(LookupError):
    """A message id without a text in a catalogue (a bug: every id is in all three)."""

    def __init__(self, lang: str, msgid: str) -> None:
        super().__init__(f"no {lang!r} text for {msgid!r}")
        self.lang = lang
        self.msgid = msgid


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalogue(lang: str) -> Catalog:
    """The parsed catalogue of ``lang`` (one of :data:`LANGUAGES`)."""
    if lang not in LANGUAGES:
        raise MissingTranslation(lang, "*")
    with catalogue_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


@functools.cache
def _messages(lang: str) -> dict[str, str | tuple[str, ...]]:
    found: dict[str, str | tuple[str, ...]] = {}
    for message in catalogue(lang):
        if not message.id or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        value = message.string
        if isinstance(value, tuple | list):
            if all(value):
                found[str(key)] = tuple(str(v) for v in value)
        elif value:
            found[str(key)] = str(value)
    return found


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def has(lang: str, msgid: str) -> bool:
    """Whether ``msgid`` has a text in ``lang`` (for ids built from data, e.g. error codes)."""
    return msgid in _messages(_language(lang))


def translate(lang: str, msgid: str, **values: object) -> str:
    """The text of ``msgid`` in ``lang``, with ``values`` filled in.

    Raises:
        MissingTranslation: ``msgid`` has no (singular) text in that catalogue.
    """
    lang = _language(lang)
    text = _messages(lang).get(msgid)
    if text is None:
        raise MissingTranslation(lang, msgid)
    if isinstance(text, tuple):
        text = text[0]
    return text.format(**values) if values else text


def ngettext(lang: str, msgid: str, n: int, **values: object) -> str:
    """The form of ``msgid`` for the number ``n`` by the language's CLDR plural rule; ``{n}``
    and ``values`` are filled in."""
    lang = _language(lang)
    forms = _messages(lang).get(msgid)
    if not isinstance(forms, tuple):
        raise MissingTranslation(lang, msgid)
    return forms[min(_plural_rule(lang)(abs(n)), len(forms) - 1)].format(n=n, **values)


@functools.cache
def _plural_rule(lang: str) -> Callable[[int], int]:
    # The C-like expression of the catalogue's Plural-Forms header (Babel writes it from
    # CLDR), as the gettext module reads it.
    return gettext.c2py(catalogue(lang).plural_expr)


def country_name(lang: str, code: str) -> str:
    """The CLDR name of the country with ISO 3166-1 alpha-2 ``code`` in ``lang`` (the code
    itself when CLDR has none)."""
    names = Locale.parse(_language(lang)).territories
    return str(names.get(code.upper(), code))


def language_name(lang: str, code: str) -> str:
    """The CLDR name of the language ``code`` (BCP 47) in ``lang``, or the code."""
    primary = code.replace("_", "-").split("-")[0].lower()
    if not re.fullmatch(r"[a-z]{2,3}", primary):
        return code
    names = Locale.parse(_language(lang)).languages
    return str(names.get(primary, code))


_DURATION = re.compile(r"^P(?:(\d{1,3})Y)?(?:(\d{1,3})M)?(?:(\d{1,4})W)?(?:(\d{1,5})D)?$")


def duration(lang: str, iso: str) -> str:
    """An ISO 8601 duration of whole years, months, weeks or days (``P4Y``, ``P1Y6M``) in
    words, by CLDR (``4 years``, ``4 года``, ``4 жыл``); anything else as it is."""
    match = _DURATION.match(iso.strip()) if iso else None
    if not match or not any(match.groups()):
        return iso
    locale = Locale.parse(_language(lang))
    parts = []
    units: tuple[Literal["year", "month", "week", "day"], ...] = ("year", "month", "week", "day")
    for value, unit in zip(match.groups(), units, strict=True):
        if value and int(value):
            seconds = {"year": 365, "month": 30, "week": 7, "day": 1}[unit] * 86400
            parts.append(
                format_timedelta(
                    timedelta(seconds=seconds * int(value)),
                    granularity=unit,
                    threshold=10**6,
                    locale=locale,
                    format="long",
                )
            )
    return " ".join(parts) if parts else iso
