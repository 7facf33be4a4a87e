"""The pages' view of the shared catalogues (:mod:`diploma_exchange.i18n`) and choosing the
reader's language."""

from __future__ import annotations

from diploma_exchange.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    MissingTranslation,
    has,
    ngettext,
)
from diploma_exchange.i18n import translate as _translate

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "MissingTranslation",
    "has",
    "negotiate",
    "ngettext",
    "translate",
]


def translate(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` (raises :class:`MissingTranslation` when missing)."""
    return _translate(lang, key, **values)


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page language: ``?lang=``, then the ``dx_lang`` cookie, then Accept-Language."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "")[:512].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            weighted.append((-quality, position, primary))
    return min(weighted)[2] if weighted else DEFAULT_LANGUAGE
