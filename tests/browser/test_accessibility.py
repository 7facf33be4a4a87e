"""Every page state in Kazakh, Russian and English, in Debian's Chromium: axe-core finds no
WCAG 2.1 A/AA violation, the invalid verdict fits a 320 px screen, and a screenshot of each
state is kept with a stable name (``pages-<lang>-<nn>-<state>.png`` in the screenshot folder,
a CI artifact).

axe-core comes from npm (``tests/browser/axe``: ``npm ci`` there); the pages forbid scripts
(CSP), so these contexts bypass the CSP to inject it, and only these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from browser.conftest import REPO, _missing, _screenshot_dir

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from browser.conftest import Issued, Served

Issue = Callable[[], "Issued"]
NewContext = Callable[..., "BrowserContext"]

AXE = REPO / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class States:
    """Visits page states of one language: axe on each, and a screenshot with a stable name."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.count = 0
        self.violations: dict[str, list[str]] = {}
        self.names: list[str] = []

    def check(self, page: Page, state: str) -> None:
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == self.lang, (state, page.url)
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=AXE.read_text())
        result: dict[str, Any] = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
        )
        found = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
        ]
        if found:
            self.violations[state] = found
        self.count += 1
        name = f"pages-{self.lang}-{self.count:02d}-{state}.png"
        page.screenshot(path=str(_screenshot_dir() / name), full_page=True)
        self.names.append(name)


def _goto(page: Page, url: str, lang: str) -> None:
    page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_page_state_passes_axe_and_is_screenshotted(
    new_context: NewContext, served: Served, issue: Issue, lang: str
) -> None:
    if not AXE.is_file():
        _missing(f"axe-core is not installed ({AXE}): run `npm ci` in tests/browser/axe")
    states = States(lang)
    issued = issue()
    base = served.base

    graduate = new_context(bypass_csp=True).new_page()
    _goto(graduate, base + "/", lang)
    states.check(graduate, "home")
    _goto(graduate, base + "/claim", lang)
    graduate.locator("#code").fill("00000-00000-00000-00000-00000")
    graduate.locator("form[action='/claim'] button[type=submit]").click()
    states.check(graduate, "claim-error")
    _goto(graduate, issued.claim_url, lang)
    states.check(graduate, "claim")
    graduate.locator("form[action='/claim'] button[type=submit]").click()
    graduate.wait_for_url(f"{base}/me")
    states.check(graduate, "me")
    graduate.locator("#label").fill("Tokyo")
    graduate.locator("#pin").fill("4821")
    graduate.locator("form[action='/me/links'] button[type=submit]").click()
    graduate.wait_for_url(f"{base}/me/links/new")
    states.check(graduate, "link-created")
    url = graduate.locator("input#share-url").get_attribute("value")
    assert url
    _goto(graduate, base + "/me", lang)
    states.check(graduate, "me-with-link")

    verifier = new_context(bypass_csp=True).new_page()
    _goto(verifier, url, lang)
    states.check(verifier, "pin")
    verifier.locator("#pin").fill("0000")
    verifier.locator("form button[type=submit]").click()
    states.check(verifier, "pin-wrong")
    verifier.locator("#pin").fill("4821")
    verifier.locator("form button[type=submit]").click()
    verifier.wait_for_url(re.compile(r".*/s/[^/]+$"))
    states.check(verifier, "verification")
    _goto(verifier, url + "?country=JP", lang)
    states.check(verifier, "verification-recognition")
    _goto(verifier, base + "/verify", lang)
    states.check(verifier, "upload")
    verifier.locator("#json").fill("{")
    verifier.locator("form[action='/verify'] button[type=submit]").click()
    states.check(verifier, "upload-error")
    _goto(verifier, base + "/compare", lang)
    states.check(verifier, "compare")
    _goto(verifier, base + "/compare?awarding=KZ&type=kz.bachelor&country=KR", lang)
    states.check(verifier, "compare-result")
    _goto(verifier, base + "/no/such/page", lang)
    states.check(verifier, "not-found")
    statement = httpx.post(
        f"{base}/v1/recognition/assessments",
        json={"credential": issued.credential, "receivingCountry": "KR"},
        timeout=30,
    ).json()["statement"]
    _goto(verifier, f"{base}/v1/recognition/assessments/{statement['id']}", lang)
    states.check(verifier, "statement")

    # The invalid verdict on the narrowest phone screen WCAG reflow asks for (320 px).
    phone = new_context(bypass_csp=True, viewport={"width": 320, "height": 640}).new_page()
    tampered = json.loads(json.dumps(issued.credential))
    tampered["credentialSubject"]["achievement"]["creditsAvailable"] = 999
    _goto(phone, base + "/verify", lang)
    phone.locator("#json").fill(json.dumps(tampered))
    phone.locator("form[action='/verify'] button[type=submit]").click()
    phone.locator("h2#verdict[data-verdict='invalid']").wait_for()
    widths = phone.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " verdict: document.querySelector('.verdict').scrollWidth,"
        " box: document.querySelector('.verdict').clientWidth})"
    )
    assert widths["scroll"] <= widths["inner"], widths
    assert widths["verdict"] <= widths["box"], widths
    states.check(phone, "invalid-320px")

    assert not states.violations, json.dumps(states.violations, ensure_ascii=False, indent=1)
    assert len(states.names) == 17 and all(
        (_screenshot_dir() / name).stat().st_size > 0 for name in states.names
    )
