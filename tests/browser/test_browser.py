"""The HTML front end in a real browser (Debian's Chromium through Playwright, headless).

A graduate claims a diploma, shares it with a PIN-protected link and revokes it; verifiers open
links and upload files (PDF, JSON) or paste JSON; basic keyboard and labelling checks; a phone
viewport; and the whole graduate-to-verifier flow with JavaScript switched off. Every step
leaves a full-page screenshot (see ``conftest.py``).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from vector_files import in_ci

if not in_ci():  # in CI a missing Playwright must fail, not skip
    pytest.importorskip("playwright.sync_api")

from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from browser.conftest import Issued, Served

Shot = Callable[["Page", str], Path]
Issue = Callable[[], "Issued"]
NewContext = Callable[..., "BrowserContext"]

LABEL = "University of Tokyo admissions"
PIN = "4821"

# Checked on every page of these tests: every visible form control has a label.
UNLABELLED_JS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`))
             && !el.closest('label')
             && !(el.getAttribute('aria-label') || '').trim()
             && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""


def _claim(page: Page, issued: Issued, served: Served) -> None:
    """Open the claim URL, submit the prefilled code, land on the graduate page."""
    page.goto(issued.claim_url)
    expect(page.locator("#code")).to_have_value(issued.claim_code)
    page.get_by_role("button", name="Open my diploma").click()
    page.wait_for_url(f"{served.base}/me")
    expect(page.locator("h1")).to_have_count(1)


def _create_link(page: Page, *, label: str, pin: str | None) -> str:
    """Fill the new-link form on /me and return the URL shown once on the result page."""
    page.locator("#label").fill(label)
    if pin is not None:
        page.locator("#pin").fill(pin)
    page.get_by_role("button", name="Create link").click()
    expect(page.locator("h1")).to_have_text("Your new verification link")
    url = page.locator("input#share-url").get_attribute("value")
    assert url and re.fullmatch(r"http://localhost:\d+/s/[^/?#]+", url), (
        f"unexpected share URL {url!r}"
    )
    return url


def _expect_verdict(page: Page, verdict: str) -> None:
    heading = page.locator("h2#verdict")
    expect(heading).to_have_attribute("data-verdict", verdict)


def _check_status(page: Page, name: str) -> str | None:
    return page.locator(f'ul.checks > li.check[data-check="{name}"]').get_attribute("data-status")


def _page_checks(page: Page) -> dict[str, str | None]:
    items = page.locator("ul.checks > li.check")
    return {
        str(items.nth(i).get_attribute("data-check")): items.nth(i).get_attribute("data-status")
        for i in range(items.count())
    }


# --- 1. claim, share with a PIN, verify, switch language, see the log, revoke -------------


def test_share_link_with_pin_then_revoke(
    new_context: NewContext, served: Served, issue: Issue, shot: Shot
) -> None:
    issued = issue()
    graduate_context = new_context()
    verifier_context = new_context()
    graduate = graduate_context.new_page()
    _claim(graduate, issued, served)
    shot(graduate, "me")
    url = _create_link(graduate, label=LABEL, pin=PIN)
    expect(graduate.locator("figure.qr img")).to_be_visible()
    shot(graduate, "link-created")

    verifier = verifier_context.new_page()
    response = verifier.goto(url)
    assert response is not None and response.status == 200
    expect(verifier.locator("input#pin")).to_be_visible()
    expect(verifier.locator("h2#verdict")).to_have_count(0)
    shot(verifier, "pin-form")

    verifier.locator("#pin").fill("0000")
    verifier.get_by_role("button", name="Show the diploma").click()
    alert = verifier.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("PIN")
    expect(verifier.locator("h2#verdict")).to_have_count(0)
    shot(verifier, "wrong-pin")

    verifier.locator("#pin").fill(PIN)
    verifier.get_by_role("button", name="Show the diploma").click()
    verifier.wait_for_url(url)
    _expect_verdict(verifier, "valid")
    expect(verifier.locator("h2#verdict")).to_contain_text("Valid")
    checks = _page_checks(verifier)
    assert checks.get("proof.signature") == "passed", checks
    assert checks.get("status.revocation") == "passed", checks
    shot(verifier, "valid")

    verifier.locator("nav.langs").get_by_role("link", name="Қазақша").click()
    expect(verifier.locator("html")).to_have_attribute("lang", "kk")
    _expect_verdict(verifier, "valid")
    expect(verifier.locator("h2#verdict")).to_contain_text("Жарамды")
    shot(verifier, "valid-kk")

    # The graduate sees the opening in the link's access log.
    graduate.goto(f"{served.base}/me")
    row = graduate.locator("tr.link-row", has_text=LABEL)
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-state", "active")
    expect(row).to_contain_text(re.compile(r"opened [1-9]\d* times"))
    row.locator("summary").click()
    expect(row.locator("ul.log")).to_contain_text("opened")
    expect(row.locator("ul.log")).to_contain_text("wrong PIN")
    shot(graduate, "access-log")

    row.get_by_role("button", name=re.compile("Revoke")).click()
    graduate.wait_for_url(f"{served.base}/me")
    revoked = graduate.locator("tr.link-row", has_text=LABEL)
    expect(revoked).to_have_attribute("data-state", "revoked")
    expect(revoked.get_by_role("button", name=re.compile("Revoke"))).to_have_count(0)
    shot(graduate, "revoked")

    gone = verifier.goto(url)
    assert gone is not None and gone.status == 410, (
        f"a revoked link answered {gone and gone.status}, expected 410"
    )
    content = verifier.content()
    for name in issued.holder_names:
        assert name not in content, f"the refused page shows the holder's name {name!r}"
    shot(verifier, "gone-kk")
    gone_en = verifier.goto(f"{url}?lang=en")
    assert gone_en is not None and gone_en.status == 410
    expect(verifier.locator("h1")).to_have_text("This verification link is no longer available")
    shot(verifier, "gone")


# --- 2. the PDF: download it, then verify the file itself ---------------------------------


def test_pdf_download_then_upload_verifies(
    new_context: NewContext, served: Served, issue: Issue, shot: Shot, tmp_path: Path
) -> None:
    issued = issue()
    page = new_context(accept_downloads=True).new_page()
    _claim(page, issued, served)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Diploma and supplement (PDF)").click()
    download = download_info.value
    assert download.failure() is None, f"the PDF download failed: {download.failure()}"
    pdf = tmp_path / (download.suggested_filename or "diploma.pdf")
    download.save_as(pdf)
    assert pdf.suffix == ".pdf", f"suggested file name {download.suggested_filename!r}"
    head = pdf.read_bytes()[:5]
    assert head == b"%PDF-", f"the download is not a PDF (starts with {head!r})"
    shot(page, "me")

    upload = new_context().new_page()
    upload.goto(f"{served.base}/verify")
    upload.set_input_files("#file", str(pdf))
    shot(upload, "upload-form")
    upload.get_by_role("button", name="Verify", exact=True).click()
    _expect_verdict(upload, "valid")
    assert _check_status(upload, "proof.signature") == "passed", _page_checks(upload)
    shot(upload, "valid")


# --- 3 and 4. uploaded tampered JSON, pasted untampered JSON ------------------------------


def test_tampered_json_upload_is_invalid(
    new_context: NewContext, served: Served, issue: Issue, shot: Shot, tmp_path: Path
) -> None:
    issued = issue()
    tampered: dict[str, Any] = copy.deepcopy(issued.credential)
    names = tampered["credentialSubject"]["graduate"]["fullName"]
    assert names.get("en"), names
    names["en"] = "Someone Else Entirely"
    path = tmp_path / "diploma.json"
    path.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")

    page = new_context().new_page()
    page.goto(f"{served.base}/verify")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Verify", exact=True).click()
    _expect_verdict(page, "invalid")
    expect(page.locator("h2#verdict")).to_contain_text("Invalid")
    signature = page.locator('li.check[data-check="proof.signature"]')
    expect(signature).to_have_attribute("data-status", "failed")
    shot(page, "invalid")


def test_pasted_json_is_valid(
    new_context: NewContext, served: Served, issue: Issue, shot: Shot
) -> None:
    issued = issue()
    page = new_context().new_page()
    page.goto(f"{served.base}/verify")
    page.locator("#json").fill(json.dumps(issued.credential, ensure_ascii=False))
    shot(page, "pasted")
    page.get_by_role("button", name="Verify", exact=True).click()
    _expect_verdict(page, "valid")
    checks = _page_checks(page)
    assert checks.get("proof.signature") == "passed", checks
    shot(page, "valid")


# --- 5. keyboard and labelling basics -----------------------------------------------------


def _accessibility_basics(page: Page, where: str) -> None:
    unlabelled = page.evaluate(UNLABELLED_JS)
    assert unlabelled == [], f"{where}: form controls without a label: {unlabelled}"
    lang = page.locator("html").get_attribute("lang")
    assert lang in {"en", "ru", "kk"}, f"{where}: <html lang> is {lang!r}"
    assert page.locator("h1").count() == 1, f"{where}: expected exactly one h1"
    page.evaluate("() => { document.activeElement?.blur(); document.body.focus(); }")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: (document.activeElement.textContent || '').trim(),"
        " href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"text": "Skip to content", "href": "#main"}, (
        f"{where}: the first Tab stop is {focused}, expected the skip link"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main", (
        f"{where}: the skip link does not move focus to <main>"
    )


def test_keyboard_and_labels(
    new_context: NewContext, served: Served, issue: Issue, shot: Shot
) -> None:
    issued = issue()
    page = new_context().new_page()
    page.goto(f"{served.base}/verify")
    _accessibility_basics(page, "/verify")
    shot(page, "verify-form")

    page.locator("#json").fill(json.dumps(issued.credential, ensure_ascii=False))
    page.get_by_role("button", name="Verify", exact=True).click()
    _expect_verdict(page, "valid")
    _accessibility_basics(page, "verification result")
    shot(page, "verification")

    for path in ("/claim", issued.claim_url.removeprefix(served.base)):
        page.goto(f"{served.base}{path}")
        _accessibility_basics(page, path)


# --- 6. a phone -----------------------------------------------------------------------------


def test_mobile_verification_page_has_no_horizontal_scroll(
    new_context: NewContext, served: Served, issue: Issue, shot: Shot
) -> None:
    issued = issue()
    page = new_context(
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    ).new_page()
    _claim(page, issued, served)
    shot(page, "me")
    url = _create_link(page, label="Phone", pin=None)
    shot(page, "link-created")
    page.goto(url)
    _expect_verdict(page, "valid")
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"] + 1, (
        f"the verification page scrolls sideways on a phone: {widths}"
    )
    shot(page, "verification")


# --- 7. no JavaScript at all ----------------------------------------------------------------


def test_everything_works_without_javascript(
    new_context: NewContext, served: Served, issue: Issue, shot: Shot
) -> None:
    issued = issue()
    graduate = new_context(java_script_enabled=False).new_page()
    _claim(graduate, issued, served)
    url = _create_link(graduate, label="No script", pin=PIN)
    shot(graduate, "link-created")

    verifier = new_context(java_script_enabled=False).new_page()
    verifier.goto(url)
    verifier.locator("#pin").fill(PIN)
    verifier.get_by_role("button", name="Show the diploma").click()
    verifier.wait_for_url(url)
    _expect_verdict(verifier, "valid")
    expect(verifier.locator("h2#verdict")).to_contain_text("Valid")
    assert verifier.locator("script").count() == 0, "the verification page has scripts"
    shot(verifier, "valid")
