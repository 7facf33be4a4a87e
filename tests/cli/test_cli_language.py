"""``verify`` speaks Kazakh, Russian or English from the shared gettext catalogues (the
pages' and the PDF's), chosen by ``--lang`` or the POSIX locale; no English is left in the
Kazakh or Russian report except the checker's own details, marked as such."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cli_support import run_cli, write
from conftest import Tenant
from diploma_exchange import i18n
from diploma_exchange.cli import common
from diploma_exchange.services.status import REASON_CODES
from diploma_exchange.transparency.bundle import LogStatus
from helpers import diploma_payload, set_at

CLI = Path(common.__file__).parent


@pytest.fixture
def diploma(client: TestClient, kaznu: Tenant) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(5), headers=kaznu.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def _verify(
    client: TestClient,
    kaznu: Tenant,
    credential: dict[str, Any],
    tmp_path: Path,
    *extra: str,
    **env: str,
) -> Any:
    did_doc = write(tmp_path, "did.json", client.get("/institutions/kaznu/did.json").json())
    args = ["--offline", "--did-document", str(did_doc), "--trust-issuer", kaznu.did, *extra]
    for n, entry in enumerate(credential["credentialStatus"]):
        path = "/" + entry["statusListCredential"].split("/", 3)[3]
        args += ["--status-list", str(write(tmp_path, f"list{n}.json", client.get(path).json()))]
    return run_cli(
        "verify",
        str(write(tmp_path, "diploma.json", credential)),
        *args,
        env={"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db", **env},
    )


@pytest.mark.parametrize(
    ("how", "env", "lang"),
    [
        (["--lang", "ru"], {"LANG": "en_US.UTF-8"}, "ru"),
        ([], {"LANG": "kk_KZ.UTF-8", "LC_ALL": ""}, "kk"),
        ([], {"LC_ALL": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"),
    ],
)
def test_a_valid_report_in_kazakh_or_russian(
    client: TestClient,
    kaznu: Tenant,
    diploma: dict[str, Any],
    tmp_path: Path,
    how: list[str],
    env: dict[str, str],
    lang: str,
) -> None:
    result = _verify(client, kaznu, diploma, tmp_path, *how, COLUMNS="160", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    text = result.stdout
    assert i18n.translate(lang, "cli.verdict.valid") in text
    for key in ("graduate", "degree", "issuer", "policy"):
        assert i18n.translate(lang, f"cli.row.{key}") in text
    assert i18n.translate(lang, "cli.verified_facts") in " ".join(text.split())
    assert i18n.translate(lang, "cli.mark.passed") in text
    # the graduate's name and the qualification in the report's language
    subject = diploma["credentialSubject"]
    assert subject["graduate"]["fullName"][lang] in text
    # no English label, verdict or mark is left
    words = set(re.findall(r"[A-Za-z]+", text))
    assert not words & {"VALID", "PASS", "graduate", "degree", "university", "awarded", "result"}


def test_an_invalid_report_in_russian_marks_the_english_details(
    client: TestClient, kaznu: Tenant, diploma: dict[str, Any], tmp_path: Path
) -> None:
    forged = set_at(diploma, "/credentialSubject/graduate/fullName/en", "Someone Else")
    result = _verify(client, kaznu, forged, tmp_path, LC_ALL="ru_RU.UTF-8", COLUMNS="160")
    assert result.returncode == 1, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert i18n.translate("ru", "cli.verdict.invalid") in text
    assert i18n.translate("ru", "cli.not_verified") in text
    assert i18n.translate("ru", "cli.mark.failed") in text
    assert i18n.translate("ru", "checkline.details_en") in text
    assert "Someone" not in text


def test_an_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("verify", str(tmp_path / "x.json"), "--lang", "de")
    assert result.returncode == 64
    assert "kk, ru, en" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "kk_KZ.UTF-8"}, "kk"),
        ({"LC_ALL": "kk-KZ", "LANG": "ru_RU.UTF-8"}, "kk"),
        ({"LC_MESSAGES": "ru", "LANG": "kk_KZ.UTF-8"}, "ru"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_follows_the_posix_locale(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert common.cli_language() == expected
    assert common.cli_language("ru") == "ru"


def test_many_problems_are_counted_with_cldr_plurals() -> None:
    from diploma_exchange.errors import ErrorDetail, InvalidInput

    def problems(n: int) -> InvalidInput:
        return InvalidInput("bad", details=[ErrorDetail("x", f"/{i}") for i in range(n)])

    assert common._describe(problems(21), "ru").endswith("... и ещё 1 проблема")
    assert common._describe(problems(23), "ru").endswith("... и ещё 3 проблемы")
    assert common._describe(problems(25), "ru").endswith("... и ещё 5 проблем")
    assert common._describe(problems(22), "en").endswith("... and 2 more")


def test_every_cli_text_is_in_all_three_catalogues() -> None:
    """Every catalogue id the command line names (literally or as ``cli.<group>.{value}``
    with its known values) has a text in kk, ru and en: an untranslated string fails here."""
    ids: set[str] = set()
    prefixes: set[str] = set()
    for source in CLI.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"cli\.[a-z_.]+[a-z_]", node.value):
                    ids.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                head = node.values[0] if node.values else None
                if isinstance(head, ast.Constant) and str(head.value).startswith("cli."):
                    prefixes.add(str(head.value))
    states = ("active", "suspended", "revoked")
    reasons = tuple(sorted({code for codes in REASON_CODES.values() for code in codes}))
    more = {
        "cli.status.headline.": states,
        "cli.status.sees.": states,
        "cli.reason.": reasons,
        "cli.log.action.": tuple(REASON_CODES),  # revoke, suspend, reinstate
        "cli.log.bundle.": tuple(status.value for status in LogStatus),
    }
    assert prefixes == {"cli.verdict.", "cli.row.", "cli.mark.", *more}, prefixes
    values = {
        "cli.verdict.": ("valid", "invalid", "indeterminate"),
        "cli.row.": (
            "format",
            "credential",
            "graduate",
            "degree",
            "university",
            "awarded",
            "issuer",
            "policy",
        ),
        "cli.mark.": ("passed", "failed", "error", "skipped"),
    }
    values.update(more)
    ids |= {prefix + value for prefix, names in values.items() for value in names}
    assert len(ids) >= 22
    for msgid in sorted(ids):
        for lang in i18n.LANGUAGES:
            assert i18n.has(lang, msgid), (msgid, lang)
