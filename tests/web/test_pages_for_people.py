"""What a graduate and a verifier see: a new link survives a language switch, the diploma page
shows words (not codes) in each language, a form keeps what was typed after an error, PIN tries
left are shown, and browsers get error pages in their language, never problem+json."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from diploma_exchange.db.models import ShareLinkRecord
from web.conftest import Issued
from web.test_graduate_and_links import SHARE, claim, csrf_of, make_link

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_new_link_page_survives_a_language_switch_and_reload(
    web: TestClient, issued: Issued
) -> None:
    claim(web, issued.claim_code)
    posted = web.post("/me/links", data={"csrf": csrf_of(web), "days": "30"}, headers=BROWSER)
    assert posted.status_code == 303 and posted.headers["location"] == "/me/links/new"
    assert "Path=/me/links/new" in posted.headers["set-cookie"]
    first = web.get("/me/links/new", headers=BROWSER)
    match = SHARE.search(first.text)
    assert match
    url = match.group(1)
    for lang, word in (
        ("ru", "Ваша новая ссылка"),
        ("kk", "Жаңа тексеру сілтемеңіз"),
        ("en", "Your new"),
    ):
        switched = web.get(f"/me/links/new?lang={lang}", headers=BROWSER)
        assert switched.status_code == 200, switched.text
        assert f'<html lang="{lang}">' in switched.text
        assert url in switched.text
        assert word in switched.text
    # The language links of the page lead to itself, by GET.
    assert 'href="/me/links/new?lang=kk"' in first.text
    # Back on /me the one-time page is over.
    me = web.get("/me", headers=BROWSER)
    assert 'dx_new_link=""' in me.headers["set-cookie"]
    web.cookies.delete("dx_new_link", path="/me/links/new")
    assert web.get("/me/links/new").headers["location"] == "/me"


def test_a_form_error_page_switches_language_by_get(web: TestClient, issued: Issued) -> None:
    claim(web, issued.claim_code)
    bad = web.post("/me/links", data={"csrf": csrf_of(web), "days": "9999"}, headers=BROWSER)
    assert bad.status_code >= 400
    assert 'href="/me?lang=ru"' in bad.text  # not /me/links, which only takes POST
    assert "<title>Error: " in bad.text
    assert 'role="alert" tabindex="-1" autofocus' in bad.text


@pytest.mark.parametrize(
    ("lang", "length", "mode", "language"),
    [
        ("en", "4 years", "full-time", "Kazakh"),
        ("ru", "4 года", "очная", "казахский"),
        ("kk", "4 жыл", "күндізгі", "қазақ тілі"),
    ],
)
def test_diploma_page_shows_words_not_codes(
    web: TestClient, issued: Issued, lang: str, length: str, mode: str, language: str
) -> None:
    claim(web, issued.claim_code)
    page = web.get(f"/me?lang={lang}").text
    facts = page[page.index('<dl class="facts">') : page.index("</dl>")]
    assert "P4Y" not in facts
    assert f"<dd>{length}</dd>" in facts
    assert f"<dd>{mode}</dd>" in facts
    assert f"<dd>{language}</dd>" in facts


def test_pasted_text_and_link_are_kept_after_an_error(web: TestClient) -> None:
    pasted = '{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": '
    response = web.post("/verify?lang=ru", data={"json": pasted}, headers=BROWSER)
    assert response.status_code == 400
    assert "&#34;@context&#34;" in response.text or "&quot;@context&quot;" in response.text
    textarea = re.search(r'<textarea id="json"[^>]*>([^<]*)</textarea>', response.text)
    assert textarea and "https://www.w3.org/ns/credentials/v2" in textarea.group(1)
    assert "Часть данных формы не удалось прочитать" in response.text
    assert "<title>Ошибка: " in response.text


def test_pin_page_says_how_many_tries_are_left(
    web: TestClient, issued: Issued, engine: Engine
) -> None:
    claim(web, issued.claim_code)
    path = make_link(web, pin="4821")
    viewer = TestClient(web.app, base_url=str(web.base_url), follow_redirects=False)
    wrong = viewer.post(path + "/pin?lang=ru", data={"pin": "0000"})
    assert wrong.status_code == 403
    assert "Осталось 9 попыток" in wrong.text
    assert 'href="' + path + '?lang=kk"' in wrong.text  # language switch by GET
    with Session(engine) as s:
        s.execute(update(ShareLinkRecord).values(failed_pin_attempts=7))
        s.commit()
    assert "Осталось 2 попытки" in viewer.post(path + "/pin?lang=ru", data={"pin": "1"}).text
    again = viewer.get(path + "?lang=en")
    assert "2 tries left; then the link locks." in again.text


@pytest.mark.parametrize(
    ("method", "path", "status", "titles"),
    [
        ("GET", "/no/such/page", 404, ("Page not found", "Страница не найдена", "Бет табылмады")),
        (
            "GET",
            "/me/links",
            405,
            ("This page cannot be opened this way", "Эту страницу", "Бұл бетті"),
        ),
        ("GET", "/s/not-a-token", 404, ("Page not found", "Страница не найдена", "Бет табылмады")),
    ],
)
def test_browsers_get_error_pages_in_their_language(
    web: TestClient, method: str, path: str, status: int, titles: tuple[str, str, str]
) -> None:
    for lang, title in zip(("en", "ru", "kk"), titles, strict=True):
        page = web.request(method, f"{path}?lang={lang}", headers=BROWSER)
        assert page.status_code == status
        assert page.headers["content-type"].startswith("text/html")
        assert f'<html lang="{lang}">' in page.text
        assert title in page.text
        assert re.search(r"<title>(Error|Ошибка|Қате): ", page.text)
        assert 'autofocus id="error-heading"' in page.text
    # An API client still gets problem+json.
    api = web.request(method, path, headers={"Accept": "application/json"})
    assert api.status_code == status
    assert api.headers["content-type"] == "application/problem+json"


def test_error_pages_have_distinct_titles(web: TestClient) -> None:
    titles = {
        re.search(r"<title>([^<]+)</title>", web.request(m, p, headers=BROWSER).text).group(1)  # type: ignore[union-attr]
        for m, p in (("GET", "/nowhere"), ("GET", "/me/links"), ("POST", "/claim"))
    }
    assert len(titles) == 3


def test_an_unexpected_error_is_a_page_for_a_browser(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diploma_exchange.web.pages import graduate

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(graduate, "render", boom)
    client = TestClient(web.app, base_url=str(web.base_url), raise_server_exceptions=False)
    page = client.get("/claim?lang=ru", headers=BROWSER)
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "Произошла ошибка" in page.text
    assert "boom" not in page.text


@pytest.mark.parametrize(
    ("lang", "heading", "graduate", "country"),
    [
        ("en", "Recognition statement", "Aigerim Abenova", "South Korea"),
        ("ru", "Заключение о признании", "Абенова Айгерим Сериковна", "Республика Корея"),
        ("kk", "Тану туралы қорытынды", "Әбенова Әйгерім Серікқызы", "Оңтүстік Корея"),
    ],
)
def test_the_statement_page_is_styled_translated_and_names_the_graduate(
    web: TestClient, issued: Issued, lang: str, heading: str, graduate: str, country: str
) -> None:
    body = web.post(
        "/v1/recognition/assessments",
        json={"credential": issued.credential, "receivingCountry": "KR"},
    ).json()
    page = web.get(
        f"/v1/recognition/assessments/{body['statement']['id']}?lang={lang}",
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert '<link rel="stylesheet" href="/static/style.css">' in page.text
    assert f"<h1>{heading}</h1>" in page.text
    assert graduate in page.text
    assert country in page.text
    assert f'data-outcome="{body["outcome"]}"' in page.text


def test_regions_of_the_graduate_page_have_unique_names(web: TestClient, issued: Issued) -> None:
    claim(web, issued.claim_code)
    make_link(web)
    page = web.get("/me?lang=ru").text
    ids = dict(re.findall(r'<h[1-6] id="([^"]+)">([^<]+)<', page))
    names = [
        ids.get(m[1], m[1]) if m[0] == "labelledby" else m[1]
        for m in re.findall(
            r'<(?:section|div)\b[^>]*?(?:role="region"[^>]*?)?aria-(labelledby|label)="([^"]+)"',
            page,
        )
    ]
    assert len(names) >= 3
    assert len(names) == len(set(names)), names
