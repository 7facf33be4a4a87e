"""Every page a person sees, in Kazakh and Russian, has no English text except data marked
``lang="en"`` (names as the diploma gives them); and no browser ever gets JSON for an error.

The walk covers the home page, claim (and its error), the graduate page, the new-link page,
the PIN page (and wrong PIN), the verification page of a share link with a recognition
assessment, the upload form (and its error), the advisory comparison, and the 404/405/410
pages."""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from diploma_exchange import recognition
from web.conftest import Issued
from web.test_graduate_and_links import claim, csrf_of, make_link

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

#: Latin-script words that are the same in every language of the pages: names of formats,
#: standards and units, and the names of the languages in themselves (the switch).
ALLOWED = {
    "json", "pdf", "pin", "qr", "url", "isced", "ects", "eqf", "nqf", "kz", "w3c", "did", "jwt",
    "sd", "vc", "english", "https", "http", "id", "uuid", "urn", "gpa", "ob", "xml", "cbor",
    "kzt", "credential", "web", "key", "png", "jpeg", "example", "com", "org", "kaznu", "ldp",
}  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z']*(?:-[A-Za-z]+)*")


@dataclass
class Page:
    name: str
    method: str
    path: str
    data: dict[str, str] | None = None


def _visible_text(page: str) -> str:
    """The text a reader sees or hears: no tags, no scripts, no elements in another language
    (``lang`` other than the page's), no code or machine values (``class="mono"``, <code>)."""
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<(code|script|style)\b[^>]*>.*?</\1>", " ", body, flags=re.DOTALL)
    # Elements with their own lang attribute (innermost first, repeatedly).
    tagged = re.compile(
        r"<(\w+)\b[^>]*\blang=\"(?!kk|ru)[^\"]*\"[^>]*>(?:(?!<\1\b).)*?</\1>", re.DOTALL
    )
    while tagged.search(body):
        body = tagged.sub(" ", body)
    body = re.sub(
        r"<(\w+)\b[^>]*class=\"[^\"]*\bmono\b[^\"]*\"[^>]*>.*?</\1>", " ", body, flags=re.DOTALL
    )
    # Attribute values a person perceives: alt, aria-label, title, placeholder, value of buttons.
    perceived = " ".join(re.findall(r'\b(?:alt|aria-label|title)="([^"]*)"', body))
    text = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(text + " " + perceived)


#: Identifiers quoted in recognition reasoning (qualification type ids such as
#: ``kz.bachelor``, credential terms such as ``achievementType``): codes, not words.
IDENTIFIER = re.compile(r"\b[a-z]{2}\.[a-z][\w.-]*|\b[a-z]+[A-Z]\w*|\b[A-Z][a-z]+[A-Z]\w*")


@functools.cache
def known_english_data() -> tuple[str, ...]:
    """KNOWN GAP (issue 16): the recognition data has ISCED-F 2013 field names and some
    source notes in English only; those exact strings are left out of the check until the
    data carries kk/ru names. Any other English still fails."""
    data = Path(recognition.__file__).parent / "data"
    fields = json.loads((data / "iscedf2013.json").read_text())["fields"]
    names = {f["name"] for f in fields}
    sources = json.loads((data / "sources.json").read_text())
    notes = set(re.findall(r"\(([^()]*[A-Za-z][^()]*)\)", json.dumps(sources, ensure_ascii=False)))
    return tuple(sorted(names | notes, key=len, reverse=True))


def english_words(page: str) -> list[str]:
    text = IDENTIFIER.sub(" ", _visible_text(page))
    for known in known_english_data():
        text = text.replace(known, " ")
    words = LATIN_WORD.findall(text)
    # Codes and abbreviations (JP, ISCED, ENIC-NARIC) are the same in every language.
    return sorted({w for w in words if w.lower() not in ALLOWED and len(w) > 1 and not w.isupper()})


def test_the_detector_finds_english_and_ignores_marked_data() -> None:
    page = '<html lang="ru"><body><p>Проверка <span lang="en">Aigerim Abenova</span></p>'
    assert english_words(page + "<p>Not checked</p></body>") == ["Not", "checked"]
    assert english_words(page + '<p class="mono">urn:uuid:1</p></body>') == []


@pytest.fixture
def walk(web: TestClient, issued: Issued) -> Iterator[list[tuple[Page, TestClient]]]:
    claim(web, issued.claim_code)
    share = make_link(web)
    pinned = make_link(web, pin="4821")
    viewer = TestClient(web.app, base_url=str(web.base_url), follow_redirects=False)
    pages = [
        (Page("home", "GET", "/"), viewer),
        (Page("claim", "GET", "/claim"), viewer),
        (Page("claim-error", "POST", "/claim", {"code": "00000-00000-00000-00000-00000"}), viewer),
        (Page("me", "GET", "/me"), web),
        (Page("link-new", "GET", "/me/links/new"), web),
        (Page("me-error", "POST", "/me/links", {"csrf": csrf_of(web), "days": "9999"}), web),
        (Page("verification", "GET", share + "?country=JP"), viewer),
        (Page("pin", "GET", pinned), viewer),
        (Page("pin-wrong", "POST", pinned + "/pin", {"pin": "0000"}), viewer),
        (Page("upload", "GET", "/verify"), viewer),
        (Page("upload-error", "POST", "/verify", {"json": "{"}), viewer),
        (Page("compare", "GET", "/compare"), viewer),
        (
            Page("compare-result", "GET", "/compare?awarding=KZ&type=kz.bachelor&country=KR"),
            viewer,
        ),
        (Page("wallet", "GET", "/me/wallet"), web),
        (Page("wallet-exchange", "POST", "/me/wallet/exchanges", {"csrf": csrf_of(web)}), web),
        (Page("verify-wallet", "GET", "/verify/wallet"), viewer),
        (Page("verify-wallet-lcw", "POST", "/verify/wallet/lcw"), viewer),
        (Page("not-found", "GET", "/nowhere"), viewer),
        (Page("link-not-found", "GET", "/s/" + "x" * 43), viewer),
        (Page("method", "GET", "/me/links"), web),
    ]
    yield pages


def fetch(page: Page, client: TestClient, lang: str | None) -> httpx.Response:
    if page.name == "link-new":  # shown after creating a link, until /me
        client.post("/me/links", data={"csrf": csrf_of(client), "days": "30"})
    sep = "&" if "?" in page.path else "?"
    path = f"{page.path}{sep}lang={lang}" if lang else page.path
    return client.request(page.method, path, data=page.data, headers=BROWSER)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_english_on_kazakh_and_russian_pages(
    walk: list[tuple[Page, TestClient]], lang: str
) -> None:
    found: dict[str, list[str]] = {}
    for page, client in walk:
        response = fetch(page, client, lang)
        assert response.headers["content-type"].startswith("text/html"), (page, response.text)
        assert f'<html lang="{lang}">' in response.text, page
        words = english_words(response.text)
        if words:
            found[page.name] = words
    assert not found, found


def test_no_browser_gets_json_for_an_error(walk: list[tuple[Page, TestClient]]) -> None:
    for page, client in walk:
        response = fetch(page, client, None)
        assert "json" not in response.headers["content-type"], (page, response.status_code)


@pytest.mark.parametrize(
    ("lang", "label"),
    [("kk", "Орташа өлшенген балл (GPA)"), ("ru", "Средневзвешенный балл (GPA)")],
)
def test_the_grade_point_average_is_named_in_the_page_language(
    walk: list[tuple[Page, TestClient]], lang: str, label: str
) -> None:
    """The GPA is a standard Open Badges result type (GradePointAverage): its name is the
    page's, with the scale's maximum as on the PDF, not the English name signed in it."""
    page, client = next(p for p in walk if p[0].name == "verification")
    text = fetch(page, client, lang).text
    assert label in text
    assert "Cumulative grade point average" not in text
