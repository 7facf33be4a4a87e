"""What ``verify`` prints: text from a credential is never markup or emoji, the layout holds
at any width, and the output says whose diploma, which degree and which university, from
the verified credential only."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from cli_support import run_cli, write
from conftest import Tenant
from diploma_exchange.cli import verify as cli_verify
from helpers import diploma_payload, set_at

EXIT_VALID, EXIT_INVALID = 0, 1
HOSTILE_NAME = "[/] [bold]Aigerim[/bold] :key: [link=https://evil.example]x[/link]"
LONG_DID = "did:key:z6Mk" + "q" * 150


@pytest.fixture
def hostile(client: TestClient, kaznu: Tenant) -> dict[str, Any]:
    """A diploma whose graduate's name is made of rich markup and an emoji code."""
    payload = diploma_payload(5)
    payload["full_name"] = {**payload["full_name"], "en": HOSTILE_NAME}
    response = client.post("/v1/diplomas", json=payload, headers=kaznu.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def _verify_args(client: TestClient, credential: dict[str, Any], tmp_path: Path) -> list[str]:
    did_doc = write(tmp_path, "did.json", client.get("/institutions/kaznu/did.json").json())
    args = ["--offline", "--did-document", str(did_doc)]
    for n, entry in enumerate(credential["credentialStatus"]):
        path = "/" + entry["statusListCredential"].split("/", 3)[3]
        listed = write(tmp_path, f"list{n}.json", client.get(path).json())
        args += ["--status-list", str(listed)]
    return args


@pytest.mark.parametrize("columns", [40, 80, 200])
def test_verified_output_names_the_graduate_degree_and_university_literally(
    client: TestClient,
    kaznu: Tenant,
    hostile: dict[str, Any],
    tmp_path: Path,
    columns: int,
) -> None:
    diploma = write(tmp_path, "diploma.json", hostile)
    result = run_cli(
        "verify",
        str(diploma),
        *_verify_args(client, hostile, tmp_path),
        "--trust-issuer",
        kaznu.did,
        env={
            "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db",
            "COLUMNS": str(columns),
        },
    )
    assert result.returncode == EXIT_VALID, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= columns for line in lines), result.stdout
    assert "\N{KEY}" not in result.stdout
    # printed literally, neither styled nor eaten (a wrap between words drops the space)
    assert _unfold(lines, "graduate").replace(" ", "") == HOSTILE_NAME.replace(" ", "")
    university = "Al-Farabi Kazakh National University"
    assert _unfold(lines, "university").replace(" ", "") == university.replace(" ", "")
    assert _unfold(lines, "degree")
    assert _unfold(lines, "issuer") == kaznu.did
    assert "as the verified credential says" in " ".join(result.stdout.split())


def test_unverified_output_shows_no_graduate_as_fact(
    client: TestClient, kaznu: Tenant, hostile: dict[str, Any], tmp_path: Path
) -> None:
    forged = set_at(hostile, "/credentialSubject/graduate/fullName/en", "Someone [/] Else")
    diploma = write(tmp_path, "forged.json", forged)
    result = run_cli(
        "verify",
        str(diploma),
        *_verify_args(client, hostile, tmp_path),
        "--trust-issuer",
        kaznu.did,
        env={"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"},
    )
    assert result.returncode == EXIT_INVALID, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Someone" not in result.stdout
    assert "NOT VERIFIED" in result.stdout
    assert "graduate" not in [line.split(" ", 1)[0] for line in result.stdout.splitlines()]


def test_error_messages_with_markup_do_not_crash(tmp_path: Path) -> None:
    """An error naming hostile input (here a file name with markup) is printed as text."""
    name = tmp_path / "[bold red]x[dim].json"  # absent: the error names it
    result = run_cli(
        "verify", str(name), env={"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/n.db"}
    )
    assert result.returncode == 64, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr
    assert (
        "[bold red]x[dim].json" in result.stderr
    )  # whole: errors are never re-wrapped  # the name as it is, not styled


def _fake_report(valid: bool) -> Any:
    check = SimpleNamespace(
        status=SimpleNamespace(value="error"),
        waived=False,
        name=SimpleNamespace(value="issuer.accreditation"),
        message=f"no accreditation of {LONG_DID} [/] :key: found",
    )
    verdict = "valid" if valid else "indeterminate"
    return SimpleNamespace(
        verdict=SimpleNamespace(value=verdict),
        valid=valid,
        format={"label": "W3C VC", "version": "2.0"},
        credential_id="urn:uuid:" + "0" * 36,
        issuer=LONG_DID,
        policy=SimpleNamespace(name="default"),
        checks=[
            check,
            SimpleNamespace(**{**check.__dict__, "status": SimpleNamespace(value="passed")}),
        ],
    )


@pytest.mark.parametrize("width", [40, 80, 200])
@pytest.mark.parametrize("valid", [True, False])
def test_report_layout_at_any_width(
    monkeypatch: pytest.MonkeyPatch, width: int, valid: bool
) -> None:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, emoji=False, markup=False, highlight=False, color_system=None
    )
    monkeypatch.setattr(cli_verify, "out", console)
    document = json.loads(
        json.dumps({"credentialSubject": {"graduate": {"fullName": {"en": HOSTILE_NAME}}}})
    )
    cli_verify._print_report(_fake_report(valid), document)
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= width for line in lines), buffer.getvalue()
    assert _unfold(lines, "issuer") == LONG_DID  # folded inside its column, never at column 0
    assert "\N{KEY}" not in buffer.getvalue()
    # the checks stay in their columns: every result label starts in the same column, and
    # every other line of the checks (folded names and messages) stays right of the labels
    labels = ("ERROR", "PASS")
    rows = [n for n, line in enumerate(lines) if line.strip().split(" ", 1)[0] in labels]
    assert len(rows) == 2
    label_columns = {len(lines[n]) - len(lines[n].lstrip()) for n in rows}
    assert len(label_columns) == 1, lines
    first = lines[rows[0]]
    label_end = first.index(" ", label_columns.pop())
    second_column = label_end + len(first[label_end:]) - len(first[label_end:].lstrip())
    for line in lines[rows[0] :]:
        if line.strip() and line.strip().split(" ", 1)[0] not in labels:
            assert len(line) - len(line.lstrip()) >= second_column, lines
    shown = _unfold(lines, "graduate").replace(" ", "")
    assert (shown == HOSTILE_NAME.replace(" ", "")) is valid


def _unfold(lines: list[str], label: str) -> str:
    """The value of a summary row, joined back from its folded lines (each continuation must
    start in the value's column: a fold that restarts at column 0 fails here)."""
    for index, line in enumerate(lines):
        if line.startswith(label + " "):
            column = len(label) + len(line[len(label) :]) - len(line[len(label) :].lstrip())
            parts = [line[column:].rstrip()]
            for following in lines[index + 1 :]:
                if following[:column].strip() or not following[column:].strip():
                    break
                parts.append(following[column:].rstrip())
            return "".join(parts)
    return ""
