"""Rendering pages: the Jinja2 environment, the reader's language, security headers.

Autoescaping is on for every template: credential content is untrusted and must show as text.
Pages carry a strict Content-Security-Policy (no script at all, styles only from this origin),
``Referrer-Policy: no-referrer`` (share-link tokens live in URLs and must not leak to other
sites) and, where private, ``Cache-Control: no-store``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.routing import Match

from diploma_exchange.credentials import isced_f
from diploma_exchange.documents.view import pick
from diploma_exchange.i18n import country_name, duration, language_name
from diploma_exchange.web.i18n import LANGUAGE_NAMES, LANGUAGES, has, negotiate, ngettext, translate

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
LANG_COOKIE = "dx_lang"

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LETTER = re.compile(r"[^\W\d_]")
_COUNTRY_SUFFIX = re.compile(r"^.*\(([A-Z]{2})\)$")

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
    lang_path: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the reader's language with the shared helpers.

    ``lang_path``: where the language links of a page that answers a POST lead (by default the
    same path when it also answers GET, else the home page)."""
    lang = language(request)

    def t(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    def tn(key: str, n: int, **values: object) -> str:
        return ngettext(lang, key, n, **values)

    def lang_url(code: str) -> str:
        if request.method in ("GET", "HEAD"):
            params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
            return request.url.path + "?" + urlencode([*params, ("lang", code)])
        # A page that answers a form: switching language must not re-post the form (nor
        # land on a route that only takes POST), so it goes to the page's GET counterpart.
        return (lang_path or _get_path(request)) + "?" + urlencode([("lang", code)])

    def data(value: object, code: str | None = None) -> Markup:
        """A value from a document (a name, a title) in the language it is written in: marked
        ``lang`` when that differs from the page's (given, or Latin script read as English),
        so screen readers pronounce it right and the page stays in one language."""
        text = "" if value is None else str(value)
        written = code or ("en" if text and not _CYRILLIC.search(text) else lang)
        if not text or written == lang or not _LETTER.search(text):
            return Markup.escape(text)
        return Markup('<span lang="{}">{}</span>').format(written or "und", text)

    def picked(names: dict[str, str] | None) -> Markup:
        """The text of a language map in the page language, else another, marked as such."""
        names = names or {}
        for code in (lang, "en", ""):
            if names.get(code):
                return data(names[code], code or None)
        for code, text in names.items():
            if text:
                return data(text, code or None)
        return Markup("")

    if "countries" in context:
        context["countries"] = sorted(
            ((code, country_name(lang, code)) for code, _ in context["countries"]),
            key=lambda item: item[1],
        )
    if "type_groups" in context:
        context["type_groups"] = [
            (_COUNTRY_SUFFIX.sub(lambda m: f"{country_name(lang, m[1])} ({m[1]})", group), types)
            for group, types in context["type_groups"]
        ]
    page = environment.get_template(template).render(
        lang=lang,
        t=t,
        tn=tn,
        has_text=lambda key: has(lang, key),
        data=data,
        picked=picked,
        country_name=lambda code: country_name(lang, code),
        language_name=lambda code: language_name(lang, code),
        duration=lambda iso: duration(lang, iso),
        isced_name=lambda code: isced_f.field_name(code, lang),
        isced_text=lambda text, code: isced_f.field_text(text, code, lang),
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


def _get_path(request: Request) -> str:
    """The request's path when a GET there reaches a route, else ``/``."""
    scope = {**request.scope, "method": "GET"}
    for route in getattr(request.app, "routes", ()):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return request.url.path
    return "/"


def message_page(
    request: Request,
    heading_key: str,
    paragraphs: list[str],
    *,
    status_code: int,
    back_href: str = "/",
    headers: dict[str, str] | None = None,
    is_error: bool = True,
) -> HTMLResponse:
    """A page that only says something (errors, gone links). An error page's title starts with
    "Error:" and its heading takes the focus, so a screen reader announces it at once."""
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
        lang_path=back_href,
        is_error=is_error,
    )


#: Statuses with their own title and text in the catalogues (``http.<status>.title``).
PAGE_STATUSES = (400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 429, 500, 503)


def error_message_page(
    request: Request,
    status: int,
    text: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    back_href: str = "/",
) -> HTMLResponse:
    """The error page of an HTTP status in the reader's language: its own title and text."""
    known = status if status in PAGE_STATUSES else (500 if status >= 500 else 400)
    lang = language(request)
    return message_page(
        request,
        f"http.{known}.title",
        [text or translate(f"http.{known}.text", lang)],
        status_code=status,
        headers=headers,
        back_href=back_href,
    )


def wants_page(request: Request) -> bool:
    """Whether the client is a browser that wants a page (``Accept`` names ``text/html`` and
    prefers it to JSON): errors must then be a page, never problem+json."""
    if wants_json(request):
        return False
    return _quality(request.headers.get("accept", "").lower(), ("text/html",)) > 0


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
