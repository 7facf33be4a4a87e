"""Beyond ``verify``: ``issue``, ``assess``, ``revoke``/``suspend``/``reinstate``,
``institutions``/``trust`` confirmations and the rendering of errors speak Kazakh, Russian or
English from the shared catalogues (``--lang`` before or after the command, else the POSIX
locale). A Kazakh or Russian run shows none of the catalogue's English texts; the English run
prints what the commands always printed; JSON output is the same in every language."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from cli_support import create_accredited, run_cli, write
from diploma_exchange import i18n
from diploma_exchange.cli import common
from helpers import diploma_payload

CLI = Path(common.__file__).parent
WIDE = {"COLUMNS": "400"}  # one line per message, so that texts are compared whole


def flat(text: str) -> str:
    return " ".join(text.split())


def english_fragments() -> set[str]:
    """The fixed words of every English ``cli.*`` text (split at its placeholders) that
    differ from the Kazakh and Russian texts: none may show in a Kazakh or Russian run."""
    fragments: set[str] = set()
    catalogue = i18n.catalogue("en")
    for message in catalogue:
        if not isinstance(message.id, str | tuple) or not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if not msgid.startswith("cli."):
            continue
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            for part in re.split(r"\{[a-z_]+\}", str(text)):
                part = part.strip(" ;:()/")
                if re.search(r"[A-Za-z]{4,}", part) and not part.startswith("--"):
                    fragments.add(part)
    assert len(fragments) > 25
    return fragments


def assert_translated(text: str, lang: str) -> None:
    """No English catalogue text in ``text`` (as whole words: a file name such as
    ``claim-codes.csv`` is not the word "code"). An error's English message comes last,
    marked as such ("Details (in English)"), and is not looked at."""
    text = flat(text).split(i18n.translate(lang, "checkline.details_en"))[0]
    left = sorted(
        f for f in english_fragments() if re.search(rf"(?<![\w/.-]){re.escape(f)}(?![\w.-])", text)
    )
    assert not left, (lang, left, text)


@pytest.fixture
def registrar(tmp_path: Path) -> dict[str, str]:
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/local.db",
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": "https://diplomas.example.kz",
        **WIDE,
    }
    created = create_accredited(env, "kbtu", "Kazakh-British Technical University")
    assert created.returncode == 0, created.stderr
    return env


LANGUAGE_RUNS = [
    # (arguments before the command, after it, environment, the language expected)
    (["--lang", "ru"], [], {"LANG": "en_US.UTF-8"}, "ru"),
    ([], ["--lang", "kk"], {"LANG": "ru_RU.UTF-8"}, "kk"),
    ([], [], {"LC_ALL": "ru_RU.UTF-8"}, "ru"),
    ([], [], {"LANG": "kk_KZ.UTF-8"}, "kk"),
]


@pytest.mark.parametrize(("before", "after", "locale", "lang"), LANGUAGE_RUNS)
def test_issue_speaks_the_language(
    registrar: dict[str, str],
    tmp_path: Path,
    project_root: Path,
    before: list[str],
    after: list[str],
    locale: dict[str, str],
    lang: str,
) -> None:
    env = {**registrar, **locale}
    source = write(tmp_path, "in.json", {"diplomas": [diploma_payload(3), diploma_payload(4)]})
    out_dir = tmp_path / "out"
    args = ["issue", str(source), "--institution", "kbtu", "--out-dir", str(out_dir)]
    issued = run_cli(*before, *args, *after, env=env)
    assert issued.returncode == 0, issued.stderr
    text = flat(issued.stderr)
    assert flat(i18n.ngettext(lang, "cli.issue.issued", 2, dir=out_dir)) in text
    claims = out_dir / "claim-codes.csv"
    assert flat(i18n.translate(lang, "cli.issue.claim_codes", file=claims)) in text
    assert_translated(issued.stderr, lang)
    # the same file again: refused, the problem in the language with its stable code
    again = run_cli(*before, *args, *after, env=env)
    assert again.returncode == 65, again.stderr
    assert again.stderr.startswith(i18n.translate(lang, "cli.error") + ":")
    assert f"{i18n.translate(lang, 'cli.error.code')}: " in again.stderr
    assert i18n.translate(lang, "checkline.details_en") in again.stderr
    assert_translated(again.stderr, lang)
    # a CSV file is streamed: its summary counts chunks and processes with CLDR plurals
    csv_run = run_cli(
        *before,
        "issue",
        str(project_root / "examples" / "graduating-class.csv"),
        "--institution",
        "kbtu",
        "--out-dir",
        str(tmp_path / "csv"),
        "--workers",
        "0",
        *after,
        env=env,
    )
    assert csv_run.returncode == 0, csv_run.stderr
    assert flat(i18n.ngettext(lang, "cli.issue.workers", 0)) in flat(csv_run.stderr)
    assert_translated(csv_run.stderr, lang)


def test_issue_in_english_is_unchanged(
    registrar: dict[str, str], tmp_path: Path, project_root: Path
) -> None:
    source = write(tmp_path, "in.json", {"diplomas": [diploma_payload(3), diploma_payload(4)]})
    out_dir = tmp_path / "out"
    args = ["issue", str(source), "--institution", "kbtu", "--out-dir", str(out_dir)]
    issued = run_cli(*args, env=registrar)
    assert issued.returncode == 0, issued.stderr
    assert flat(issued.stderr) == (
        f"issued 2 diploma(s) into {out_dir}/ graduates' one-time claim codes: "
        f"{out_dir}/claim-codes.csv (hand each to its graduate; they are stored only hashed "
        "and cannot be shown again)"
    )
    again = run_cli(*args, env=registrar)
    assert again.returncode == 65
    assert again.stderr.startswith("error: ") and "already holds diploma" in again.stderr
    assert "code: " not in again.stderr
    csv_run = run_cli(
        "issue",
        str(project_root / "examples" / "graduating-class.csv"),
        "--institution",
        "kbtu",
        "--out-dir",
        str(tmp_path / "csv"),
        "--workers",
        "0",
        env=registrar,
    )
    assert csv_run.returncode == 0, csv_run.stderr
    assert re.fullmatch(
        rf"issued 3 of 3 diploma\(s\) into {re.escape(str(tmp_path / 'csv'))}/ in "
        r"\d+\.\d s \(0 signing process\(es\)\) graduates' one-time claim codes: .*",
        flat(csv_run.stderr),
    ), csv_run.stderr


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_status_changes_keep_their_json_and_speak_in_errors(
    registrar: dict[str, str], tmp_path: Path, lang: str
) -> None:
    source = write(tmp_path, "in.json", diploma_payload(3))
    out_dir = tmp_path / "out"
    issued = run_cli(
        "issue", str(source), "--institution", "kbtu", "--out-dir", str(out_dir), env=registrar
    )
    assert issued.returncode == 0, issued.stderr
    credential = json.loads(next(out_dir.glob("*.json")).read_text())["id"]
    common_args = ["--institution", "kbtu", "--lang", lang]
    suspended = run_cli(
        "suspend", credential, *common_args, "--reason", "investigation", env=registrar
    )
    assert suspended.returncode == 0, suspended.stderr
    assert json.loads(suspended.stdout) == {
        "credentialId": credential,
        "state": "suspended",
        "reasonCode": "investigation",
    }
    wrong = run_cli("revoke", "urn:uuid:nothing", *common_args, "--reason", "fraud", env=registrar)
    assert wrong.returncode == 65, wrong.stderr
    assert wrong.stderr.startswith(i18n.translate(lang, "cli.error") + ":")
    if lang == "en":
        assert "code: " not in wrong.stderr
    else:
        assert_translated(wrong.stderr, lang)
        assert f"{i18n.translate(lang, 'cli.error.code')}: " in wrong.stderr


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_institution_confirmations(registrar: dict[str, str], lang: str) -> None:
    for flags, key, english in (
        ([], "cli.inst.may_issue_any", "kbtu: may issue any VC 2.0 credential"),
        (["--revoke"], "cli.inst.may_not_issue_any", "kbtu: may not issue any VC 2.0 credential"),
    ):
        result = run_cli(
            "--lang", lang, "institutions", "allow-any-vc", "kbtu", *flags, env=registrar
        )
        assert result.returncode == 0, result.stderr
        assert flat(result.stderr) == i18n.translate(lang, key, slug="kbtu")
        if lang == "en":
            assert flat(result.stderr) == english
        else:
            assert_translated(result.stderr, lang)
    missing = run_cli("--lang", lang, "trust", "remove-partner", "did:web:none", env=registrar)
    assert missing.returncode != 0
    assert missing.stderr.startswith(i18n.translate(lang, "cli.error") + ":")


DESCRIBED = ["assess", "--to", "CA", "--from", "KZ", "--type", "kz.specialist"]


@pytest.mark.parametrize(("before", "after", "locale", "lang"), LANGUAGE_RUNS)
def test_assess_speaks_the_language(
    tmp_path: Path, before: list[str], after: list[str], locale: dict[str, str], lang: str
) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db", **WIDE, **locale}
    result = run_cli(*before, *DESCRIBED, *after, env=env)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert i18n.translate(lang, "cli.assess.advisory") in text
    assert f"{i18n.translate(lang, 'cli.assess.comparable')}: " in text
    json_run = run_cli(*before, *DESCRIBED, "--json", *after, env=env)
    # the foreign qualification's name is data, in English as on the pages (marked there)
    for name in json.loads(json_run.stdout)["comparable_names"]:
        text = text.replace(name, "")
    assert_translated(text, lang)
    # no criterion status or outcome code is left in English
    assert not set(re.findall(r"[a-z]+", text)) & {"met", "differs", "unknown", "comparable"}
    usage = run_cli(*before, "assess", "--to", "KR", *after, env=env)
    assert usage.returncode == 64
    assert i18n.translate(lang, "cli.assess.either") in flat(usage.stderr)
    assert_translated(usage.stderr, lang)
    english = run_cli(*DESCRIBED, "--json", env={**env, "LANG": "C", "LC_ALL": ""})
    assert json.loads(json_run.stdout) == json.loads(english.stdout)


def test_assess_in_english_is_unchanged(tmp_path: Path) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db", **WIDE}
    result = run_cli(*DESCRIBED, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "advisory comparison: self-declared facts, not verified, not signed"
    assert any(re.fullmatch(r"  comparable to: .+ \[ca\.[a-z.-]+\]", line) for line in lines)
    assert any(re.fullmatch(r"  for [a-z-]+: [a-z-]+", line) for line in lines), lines
    assert any(re.fullmatch(r"  [a-z_]+ +(met|differs|unknown) +.*", line) for line in lines)
    usage = run_cli("assess", "--to", "KR", env=env)
    assert flat(usage.stderr) == (
        "error: give either a diploma file or a described qualification (--from, --type, ...)"
    )
    bad = run_cli(*DESCRIBED, "--lang", "de", env=env)
    assert bad.returncode == 64 and "kk, ru, en" in bad.stderr


def _used_msgids() -> dict[str, bool]:
    """Every literal msgid the CLI modules pass to a translation call, and whether it is
    used as a plural (``trn``, ``ngettext``)."""
    used: dict[str, bool] = {}
    calls = {"tr": 0, "t": 0, "trn": 0, "translate": 1, "ngettext": 1}
    for source in CLI.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in calls or len(node.args) <= calls[name]:
                continue
            arg = node.args[calls[name]]
            choices = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            for choice in choices:
                if isinstance(choice, ast.Constant) and isinstance(choice.value, str):
                    used[choice.value] = name in ("trn", "ngettext")
    return used


def test_every_msgid_a_cli_module_uses_is_in_every_catalogue() -> None:
    """A text the CLI asks for by a literal id (``tr``, ``trn``, ``i18n.translate``,
    ``i18n.ngettext``, ``t``) that a catalogue lacks, or a plural one that is not a plural
    there, fails here rather than at a registrar's terminal."""
    used = _used_msgids()
    assert {"cli.issue.issued", "cli.error", "error.title", "cli.assess.advisory"} <= set(used)
    assert len(used) >= 30
    for msgid, plural in sorted(used.items()):
        for lang in i18n.LANGUAGES:
            assert i18n.has(lang, msgid), (msgid, lang)
            if plural:
                assert i18n.ngettext(lang, msgid, 5, dir="d", issued=1, seconds="1.0")
            else:
                assert i18n.translate(lang, msgid, **_placeholders(msgid, lang))


def _placeholders(msgid: str, lang: str) -> dict[str, Any]:
    return {name: "x" for name in re.findall(r"\{([a-z_]+)\}", i18n.translate("en", msgid))}
