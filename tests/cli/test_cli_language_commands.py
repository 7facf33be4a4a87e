"""Beyond ``verify``: ``issue``, ``assess``, ``revoke``/``suspend``/``reinstate``,
``institutions``/``trust`` confirmations, ``log``, ``audit``, ``backup``, ``db upgrade``,
``serve``/``demo``, ``refresh-status-lists`` and the rendering of errors speak Kazakh, Russian or
English from the shared catalogues (``--lang`` before or after the command, else the POSIX
locale). A Kazakh or Russian run shows none of the catalogue's English texts; the English run
prints what the commands always printed; JSON output is the same in every language."""

from __future__ import annotations

import ast
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.engine import make_url

from cli_support import create_accredited, run_cli, write
from diploma_exchange import i18n
from diploma_exchange.cli import common
from diploma_exchange.documents.view import diploma_view
from diploma_exchange.transparency import note
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
        "suspend", credential, *common_args, "--reason", "investigation", "--json", env=registrar
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
                assert i18n.ngettext(lang, msgid, 5, **_placeholders(msgid, lang))
            else:
                assert i18n.translate(lang, msgid, **_placeholders(msgid, lang))


def _placeholders(msgid: str, lang: str) -> dict[str, Any]:
    names = re.findall(r"\{([a-z_]+)\}", i18n.translate("en", msgid))
    return {name: "x" for name in names if name != "n"}


# --- the operator's commands -----------------------------------------------------------------
# revoke/suspend/reinstate (a summary for a person, the JSON with --json), log, audit,
# backup/verify-backup, db upgrade, serve/demo and refresh-status-lists. Text from a diploma or
# the database is never taken as Rich markup, at any terminal width.

MARKUP = "[bold red]Нұрлан[/] [/] [link=https://evil.example]Ospanov[/link]"
NO_DIPLOMA = "urn:uuid:00000000-0000-4000-8000-000000000000"
UNIVERSITY = "Kazakh-British [italic]Technical[/] University"


def tr(lang: str, msgid: str, **values: Any) -> str:
    return i18n.translate(lang, msgid, **values)


@pytest.fixture
def operator(tmp_path: Path) -> dict[str, str]:
    """A local database with an accredited university whose name is Rich markup."""
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/local.db",
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": "https://diplomas.example.kz",
        **WIDE,
    }
    created = create_accredited(env, "kbtu", UNIVERSITY)
    assert created.returncode == 0, created.stderr
    return env


def issue_one(env: dict[str, str], folder: Path, n: int = 3) -> tuple[Path, dict[str, Any]]:
    """Issue one diploma whose graduate's name, in every language, is Rich markup."""
    payload = diploma_payload(n)
    payload["full_name"] = {lang: MARKUP for lang in ("kk", "ru", "en")}
    source = write(folder, f"in{n}.json", payload)
    out_dir = folder / f"out{n}"
    issued = run_cli(
        "issue", str(source), "--institution", "kbtu", "--out-dir", str(out_dir), env=env
    )
    assert issued.returncode == 0, issued.stderr
    path = next(out_dir.glob("*.json"))
    return path, json.loads(path.read_text())


def status_entry(credential: dict[str, Any], purpose: str) -> dict[str, Any]:
    entries = credential["credentialStatus"]
    found = [e for e in entries if e["statusPurpose"] == purpose]
    assert len(found) == 1
    return found[0]  # type: ignore[no-any-return]


# --- revoke / suspend / reinstate ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_status_changes_say_whose_diploma_what_changed_and_what_a_verifier_sees(
    operator: dict[str, str], tmp_path: Path, lang: str
) -> None:
    path, credential = issue_one(operator, tmp_path)
    cid = credential["id"]
    view = diploma_view(credential)
    env = {**operator, "LANG": {"kk": "kk_KZ.UTF-8", "ru": "ru_RU.UTF-8", "en": "C"}[lang]}
    common = [cid, "--institution", "kbtu"]

    suspended = run_cli("suspend", *common, "--reason", "investigation", "--note", "[b]x", env=env)
    assert suspended.returncode == 0, suspended.stderr
    lines = suspended.stdout.splitlines()
    assert lines[0] == tr(lang, "cli.status.headline.suspended")
    text = suspended.stdout
    # whose diploma, as signed in it; the name is shown as written, markup and all
    assert MARKUP in text
    assert view.qualification_name(lang) in text
    assert UNIVERSITY in text
    assert cid in text
    assert tr(lang, "cli.reason.investigation") in text
    assert "[b]x" in text
    # the list and index a verifier reads: the diploma's own suspension entry
    entry = status_entry(credential, "suspension")
    assert entry["statusListCredential"] in text
    assert re.search(rf"\s{entry['statusListIndex']}\s", text)
    sees = tr(lang, "cli.status.sees.suspended", verdict=tr(lang, "cli.verdict.invalid"))
    assert sees in flat(text)
    assert re.search(r"\b2\d{3}\b", text)  # the date of the change, written out
    if lang != "en":
        assert_translated(text.replace(MARKUP, "").replace(view.institution_name or "", ""), lang)

    # a verifier indeed sees it: verify in the same database fails on the suspension check
    verified = run_cli("verify", str(path), "--offline", "--json", env=env)
    assert verified.returncode == 1
    checks = {c["name"]: c["status"] for c in json.loads(verified.stdout)["checks"]}
    assert checks["status.suspension"] == "failed"

    reinstated = run_cli("reinstate", *common, "--reason", "hold-lifted", env=env)
    assert reinstated.returncode == 0, reinstated.stderr
    assert reinstated.stdout.splitlines()[0] == tr(lang, "cli.status.headline.active")
    assert tr(lang, "cli.reason.hold-lifted") in reinstated.stdout
    sees = tr(lang, "cli.status.sees.active", verdict=tr(lang, "cli.verdict.valid"))
    assert sees in flat(reinstated.stdout)

    # --json: the same JSON as always, in every language
    revoked = run_cli("revoke", *common, "--reason", "fraud", "--json", env=env)
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(revoked.stdout) == {
        "credentialId": cid,
        "state": "revoked",
        "reasonCode": "fraud",
    }
    # final: refused, with the input error's exit code and nothing on standard output
    again = run_cli("revoke", *common, "--reason", "fraud", env=env)
    assert again.returncode == 65 and again.stdout == ""
    assert again.stderr.startswith(tr(lang, "cli.error") + ":")
    if lang != "en":
        assert_translated(again.stderr, lang)


def column_value(lines: list[str], label: str) -> str:
    """The value of ``label`` in a summary, its folded lines joined (and its spaces dropped,
    as a fold may fall on one): beside the label, or (narrow) indented on the lines below."""
    if label in lines:  # narrow: the label on its line, the value indented below it
        below = lines[lines.index(label) + 1 :]
        value = [line for line in itertools.takewhile(lambda x: x.startswith("  "), below)]
        return "".join("".join(value).split())
    start = next(n for n, line in enumerate(lines) if line.startswith(label + " "))
    offset = len(lines[start]) - len(lines[start][len(label) :].lstrip())
    parts = [lines[start][offset:]]
    for line in lines[start + 1 :]:
        if line[:offset].strip():
            break
        parts.append(line[offset:])
    return "".join("".join(parts).split())


def test_revocation_summary_survives_a_narrow_terminal(
    operator: dict[str, str], tmp_path: Path
) -> None:
    _, credential = issue_one(operator, tmp_path)
    cid = credential["id"]
    for columns in ("28", "60"):
        env = {**operator, "COLUMNS": columns, "LANG": "ru_RU.UTF-8"}
        reason = "investigation" if columns == "28" else "investigation-closed"
        action = "suspend" if columns == "28" else "reinstate"
        result = run_cli(action, cid, "--institution", "kbtu", "--reason", reason, env=env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= int(columns), lines
        # folded inside its column, not cut: every character is there, in order
        assert column_value(lines, tr("ru", "cli.row.credential")) == cid
        assert column_value(lines, tr("ru", "cli.row.graduate")) == "".join(MARKUP.split())
    revoked = run_cli(
        "revoke",
        cid,
        "--institution",
        "kbtu",
        "--reason",
        "academic-misconduct",
        env={**operator, "COLUMNS": "28"},
    )
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.startswith("REVOKED")
    assert "academic misconduct" in flat(revoked.stdout)


# --- log, audit, backup, db, refresh-status-lists ---------------------------------------------


def partner_vkey(name: str, signature_type: int) -> str:
    public = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return note.NoteVerifier(name, signature_type, public).vkey


def operations(env: dict[str, str], tmp_path: Path, lang_args: list[str]) -> dict[str, Any]:
    """Run each operator command once (with ``lang_args`` before the command's name) and keep
    the results by name."""
    path, credential = issue_one(env, tmp_path)

    def run(*args: str, env_extra: dict[str, str] | None = None) -> Any:
        return run_cli(*lang_args, *args, env={**env, **(env_extra or {})})

    info = json.loads(run("log", "info").stdout)
    bundle = tmp_path / "diploma.log.json"
    offline = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/absent/none.db"}
    archive = tmp_path / "backup.tar"
    results = {
        "monitor": run("log", "monitor", "--institution", "kbtu"),
        "bundle": run("log", "bundle", credential["id"], "--out", str(bundle)),
        "no bundle": run("log", "bundle", NO_DIPLOMA, "--out", str(bundle) + ".x"),
        "add-witness": run(
            "log",
            "add-witness",
            "--vkey",
            partner_vkey("partner.example.kz/witness", note.COSIGNATURE_V1),
            "--url",
            "http://127.0.0.1:9/witness",  # refused by the fetcher's policy: never cosigns
        ),
        "witness-log": run(
            "log",
            "witness-log",
            "--origin",
            "partner.example.kz/log",
            "--vkey",
            partner_vkey("partner.example.kz/log", note.ED25519),
        ),
        "checkpoint": run("log", "checkpoint"),
        "audit": run("audit", "verify"),
        "audit anchor": run("audit", "verify", "--anchor", "not-an-anchor"),
        "backup": run("backup", str(archive)),
        "backup again": run("backup", str(archive)),
        "verify-backup missing": run("verify-backup", str(tmp_path / "none.tar")),
        "db upgrade": run("db", "upgrade"),
        "refresh": run("refresh-status-lists"),
        "tls": run("serve", "--ssl-certfile", str(archive)),
    }
    results["verify-bundle"] = run(
        "log", "verify-bundle", str(path), str(bundle), "--log-key", info["vkey"], env_extra=offline
    )
    results["credential"] = credential
    results["archive"] = archive
    return results


EXPECTED_CODES = {
    "monitor": 0,
    "bundle": 0,
    "no bundle": 65,
    "add-witness": 0,
    "witness-log": 0,
    "checkpoint": 0,
    "audit": 0,
    "audit anchor": 64,
    "backup": 0,
    "backup again": 64,
    "verify-backup missing": 64,
    "db upgrade": 0,
    "refresh": 0,
    "tls": 64,
    "verify-bundle": 0,
}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_operator_commands_speak_the_language(
    operator: dict[str, str], tmp_path: Path, lang: str
) -> None:
    results = operations(operator, tmp_path, ["--lang", lang])
    for name, code in EXPECTED_CODES.items():
        result = results[name]
        assert result.returncode == code, (name, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, name
        shown = result.stdout + "\n" + result.stderr
        if name in ("refresh", "backup"):  # their JSON is the same in every language
            shown = result.stderr
        if name == "backup":  # a line per table: its name is an identifier
            shown = re.sub(r"(?m)^  [a-z_]+: ", "", shown)
        assert_translated(shown, lang)
    monitor = results["monitor"].stdout
    summaries = {
        i18n.ngettext(
            lang,
            "cli.log.monitor.summary",
            1,
            origin="diplomas.example.kz/log",
            start=0,
            size=size,
            institution="kbtu",
        )
        for size in range(1, 100)
    }
    assert monitor.splitlines()[0] in summaries
    assert re.search(rf"\s{tr(lang, 'cli.log.monitor.issued')}\s+[0-9a-f]{{64}}\s", monitor)
    assert flat(tr(lang, "cli.log.wrote", file=tmp_path / "diploma.log.json")) in flat(
        results["bundle"].stderr
    )
    assert results["no bundle"].stderr.startswith(tr(lang, "cli.error") + ":")
    assert flat(results["add-witness"].stderr) == tr(lang, "cli.log.witness_added")
    assert flat(results["witness-log"].stderr) == tr(
        lang, "cli.log.witnessing", origin="partner.example.kz/log"
    )
    refused = tr(lang, "cli.log.no_cosign", name="partner.example.kz/witness")
    assert refused in results["checkpoint"].stderr
    assert results["checkpoint"].stdout.startswith("diplomas.example.kz/log\n")
    entries = int(re.findall(r"\d+", flat(results["audit"].stdout))[0])
    assert entries > 0
    head = flat(results["audit"].stdout).rsplit(" ", 1)[1]
    assert flat(results["audit"].stdout) == i18n.ngettext(
        lang, "cli.audit.intact", entries, head=head
    )
    assert f"{tr(lang, 'cli.error.code')}: " in results["audit anchor"].stderr
    backup = flat(results["backup"].stderr)
    assert flat(tr(lang, "cli.backup.wrote", file=results["archive"])) in backup
    assert "  credential: " in results["backup"].stderr
    assert flat(tr(lang, "cli.backup.exists", file=results["archive"])) in flat(
        results["backup again"].stderr
    )
    assert flat(results["db upgrade"].stderr) == flat(
        tr(lang, "cli.db.up_to_date", url=operator["DIPLOMA_EXCHANGE_DATABASE_URL"])
    )
    assert json.loads(results["refresh"].stdout) == {"refreshed": 0}
    assert flat(results["refresh"].stderr) == i18n.ngettext(lang, "cli.status.refreshed", 0)
    assert tr(lang, "cli.tls.together") in flat(results["tls"].stderr)
    verdict = results["verify-bundle"].stdout
    assert verdict.startswith(tr(lang, "cli.log.bundle.passed") + ": log.included: ")
    assert tr(lang, "checkline.details_en") in verdict


def test_operator_commands_in_english_are_unchanged(
    operator: dict[str, str], tmp_path: Path
) -> None:
    results = operations(operator, tmp_path, [])
    for name, code in EXPECTED_CODES.items():
        assert results[name].returncode == code, (name, results[name].stderr)
    monitor = results["monitor"].stdout.splitlines()
    assert re.fullmatch(
        r"diplomas\.example\.kz/log: entries 0 to \d+, 1 diploma\(s\) issued by kbtu", monitor[0]
    ), monitor
    assert any(re.fullmatch(r"\d+\s+\S+\s+issued\s+[0-9a-f]{64}\s+\S+", x) for x in monitor)
    assert flat(results["bundle"].stderr) == f"wrote {tmp_path / 'diploma.log.json'}"
    assert flat(results["no bundle"].stderr) == f"error: no diploma '{NO_DIPLOMA}'"
    assert flat(results["add-witness"].stderr) == "witness added"
    assert flat(results["witness-log"].stderr) == "witnessing partner.example.kz/log"
    assert results["checkpoint"].stderr.startswith(
        "witness partner.example.kz/witness did not cosign: "
    )
    assert re.fullmatch(
        r"audit log intact: \d+ entries, head \d+:[0-9a-f]{64}", results["audit"].stdout.strip()
    )
    assert results["audit anchor"].stderr.startswith("error: ")
    assert "code: " not in results["audit anchor"].stderr
    backup = flat(results["backup"].stderr)
    assert re.search(r"(^| )credential: 1 row ", backup), backup
    assert backup.endswith(
        f"wrote {results['archive']} (it holds personal data: keep it as safe as the "
        "database); store its SHA-256 apart from it"
    )
    assert flat(results["backup again"].stderr) == (
        f"error: {results['archive']} exists; pass --force to overwrite it"
    )
    assert flat(results["verify-backup missing"].stderr) == (
        f"error: {tmp_path / 'none.tar'} is not a file"
    )
    assert flat(results["db upgrade"].stderr) == (
        f"database at {operator['DIPLOMA_EXCHANGE_DATABASE_URL']} is up to date"
    )
    assert flat(results["tls"].stderr) == "error: --ssl-certfile and --ssl-keyfile go together"
    assert json.loads(results["refresh"].stdout) == {"refreshed": 0}
    assert re.fullmatch(r"passed: log\.included: [^:]+.*", results["verify-bundle"].stdout.strip())


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_db_upgrade_names_the_database_without_its_password(backend: Any, lang: str) -> None:
    """``db upgrade`` says which database is up to date, in the language, never with the
    password of its URL (PostgreSQL here trusts the test's connections: the password is not
    needed, only printed if the CLI leaked it)."""
    url = make_url(backend.url)
    if backend.name == "postgres":
        url = url.set(password="s3cret-pw")
    full = url.render_as_string(hide_password=False)
    result = run_cli("--lang", lang, "db", "upgrade", env={"DIPLOMA_EXCHANGE_DATABASE_URL": full})
    assert result.returncode == 0, result.stderr
    assert "s3cret-pw" not in result.stdout + result.stderr
    shown = url.render_as_string(hide_password=True)
    assert flat(result.stderr) == flat(tr(lang, "cli.db.up_to_date", url=shown))
    if backend.name == "postgres":
        assert ":***@" in result.stderr


# --- demo ------------------------------------------------------------------------------------


def run_demo(tmp_path: Path, project_root: Path, *args: str) -> Any:
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/demo.db",
        **WIDE,
    }
    return run_cli(*args, "demo", "--no-serve", env=env, cwd=project_root)


def test_demo_speaks_the_language_and_english_is_unchanged(
    tmp_path: Path, project_root: Path
) -> None:
    english = run_demo(tmp_path, project_root)
    assert english.returncode == 0, english.stderr
    lines = english.stdout.splitlines()
    assert lines[1] == "diploma-exchange demo  (DEMO KEYS: public, never for real diplomas)"
    for label, path in (
        ("API docs:            ", "/docs"),
        ("OpenAPI:             ", "/openapi.json"),
        ("Diploma JSON Schema: ", "/schemas/diploma-credential/v1.json"),
        ("Verify a diploma:    ", "/verify"),
    ):
        assert any(re.fullmatch(rf"  {label}https?://\S+{re.escape(path)}", x) for x in lines)
    assert any(re.fullmatch(r"  Demo diplomas:       \d+ issued", x) for x in lines), lines
    assert any(re.fullmatch(r"    API key: dx_\S+", x) for x in lines), lines
    assert any(x.endswith("  [NIC administrator]") for x in lines)
    names = [x.rsplit("  [", 1)[0].strip() for x in lines if x.endswith("]") and "  [" in x]
    assert len(names) >= 3
    for lang in ("kk", "ru"):
        result = run_demo(tmp_path, project_root, "--lang", lang)
        assert result.returncode == 0, result.stderr
        text = result.stdout
        assert tr(lang, "cli.demo.title") in text
        assert f"[{tr(lang, 'cli.demo.role.nic')}]" in text
        assert tr(lang, "cli.demo.claim_links") in text
        # the claim links, keys and DIDs are the same: the demo data is created once
        assert re.findall(r"https?://\S+", text) == re.findall(r"https?://\S+", english.stdout)
        for name in names:  # the institutions' names are data, as stored
            text = text.replace(name, "")
        assert_translated(text, lang)
