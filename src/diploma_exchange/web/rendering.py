"""Rendering pages: the Jinja2 environment, the reader's language, security headers.

Autoescaping is on for every template: credential content is untrusted and must show as text.
Pages carry a strict Content-Security-Policy (no script at all, styles only from this origin),
``Referrer-Policy: no-referrer`` (share-link tokens live in URLs and must not leak to other
sites) and, where private, ``Cache-Control: no-store``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from diploma_exchange.documents.view import pick
from diploma_exchange.web.i18n import LANGUAGE_NAMES, LANGUAGES, negotiate, translate

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
LANG_COOKIE = "dx_lang"

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def language(request: Request) -> str:
    """The page language: ``?lang=``, the language cookie, then Accept-Language."""
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def fmt_date(moment: datetime | None) -> str:
    return _as_utc(moment).strftime("%Y-%m-%d") if moment else "—"


def fmt_datetime(moment: datetime | None) -> str:
    return _as_utc(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def secure_headers(response: Response, *, private: bool = True) -> Response:
    """The headers every page and download of this front end carries."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    private: bool = True,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the reader's language with the shared helpers."""
    lang = language(request)

    def t(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    def lang_url(code: str) -> str:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        return request.url.path + "?" + urlencode([*params, ("lang", code)])

    page = environment.get_template(template).render(
        lang=lang,
        t=t,
        lang_url=lang_url,
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        fmt_date=fmt_date,
        fmt_datetime=fmt_datetime,
        pick=pick,
        **context,
    )
    response = HTMLResponse(page, status_code=status_code, headers=headers)
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(
            LANG_COOKIE, str(chosen), max_age=365 * 24 * 3600, httponly=True, samesite="lax"
        )
    secure_headers(response, private=private)
    return response


def message_page(
    request: Request,
    heading_key: str,
    paragraphs: list[str],
    *,
    status_code: int,
    back_href: str = "/",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page that only says something (errors, gone links)."""
    lang = language(request)
    return render(
        request,
        "message.html",
        status_code=status_code,
        headers=headers,
        heading=translate(heading_key, lang),
        paragraphs=paragraphs,
        back_href=back_href,
        back_text=None,
    )


def wants_json(request: Request) -> bool:
    """Whether the client asked for JSON rather than a page (``Accept`` or ``?format=json``)."""
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "").lower()
    best_html = _quality(accept, ("text/html",))
    best_json = _quality(accept, ("application/json", "+json"))
    return best_json > 0 and best_json > best_html


def _quality(accept: str, types: tuple[str, ...]) -> float:
    best = 0.0
    for part in accept[:1024].split(","):
        media, _, params = part.strip().partition(";")
        if not any(media.strip().endswith(t) or media.strip() == t for t in types):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = max(best, quality)
    return best
