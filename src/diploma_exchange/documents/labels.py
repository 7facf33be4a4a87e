"""Fixed texts of the PDF diploma and Diploma Supplement, from the shared gettext catalogues.

The texts live in the catalogues the web pages and the CLI use (:mod:`diploma_exchange.i18n`,
``msgid`` ``pdf.<key>``), so one concept has one wording everywhere: a PDF key that names a
concept the pages already have (the mode of study, the issuer's DID, credits) is that page
text (:data:`SHARED`). Durations and language names come from CLDR through Babel. A key
missing from any catalogue raises :class:`~diploma_exchange.i18n.MissingTranslation`.
Section titles follow the Diploma Supplement model of the European Commission, the Council
of Europe and UNESCO.
"""

from __future__ import annotations

from typing import Final

from diploma_exchange import i18n
from diploma_exchange.documents.view import LANGUAGES

#: PDF keys printed with the text the web pages use for the same thing.
SHARED: Final[dict[str, str]] = {
    "issuer_id": "issuer.did",
    "credits": "diploma.credits",
    "col_credits": "diploma.course.credits",
}
#: Plural units of :func:`with_count` and their messages.
UNITS: Final[dict[str, str]] = {"year": "pdf.years", "month": "pdf.months"}


def message_id(key: str) -> str:
    """The catalogue id of PDF label ``key``; a key with a dot is a catalogue id already
    (values shared with the pages: ``degree.BachelorDegree``, ``mode.full-time``)."""
    if "." in key:
        return key
    return SHARED.get(key, f"pdf.{key}")


def is_label(key: str) -> bool:
    """Whether ``key`` has a text (for keys built from data, e.g. a degree type)."""
    if key.startswith("lang_"):
        return True
    return i18n.has("en", message_id(key))


def label(key: str, lang: str) -> str:
    """The text of label ``key`` in ``lang`` (``lang_<code>``: the CLDR language name).

    Raises:
        MissingTranslation: ``key`` has no text in that language's catalogue.
    """
    if key.startswith("lang_"):
        return i18n.language_name(lang, key.removeprefix("lang_"))
    return i18n.translate(lang, message_id(key))


def trilingual(key: str, sep: str = " / ") -> str:
    """Label ``key`` in Kazakh, Russian and English, joined by ``sep``; repeats are dropped.

    Raises:
        MissingTranslation: ``key`` has no text in a catalogue.
    """
    out: list[str] = []
    for lang in LANGUAGES:
        text = label(key, lang)
        if text not in out:
            out.append(text)
    return sep.join(out)


def with_count(count: int, unit: str, lang: str) -> str:
    """``count`` followed by ``unit`` ("year" or "month") in the plural form ``lang``'s CLDR
    rule gives (``1 год``, ``2 года``, ``5 лет``).

    Raises:
        KeyError: ``unit`` has no plural message.
    """
    return i18n.ngettext(lang, UNITS[unit], count)


__all__ = ["SHARED", "is_label", "label", "message_id", "trilingual", "with_count"]
