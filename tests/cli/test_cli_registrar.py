"""`issue` on the command line: a diploma already issued is refused (every one named) unless
re-issued with its reason; an ISCED-F code a spreadsheet mangled is named as such."""

from __future__ import annotations

from pathlib import Path

from cli_support import create_accredited, run_cli, write
from helpers import diploma_payload

EXIT_INPUT = 65


def test_issue_refuses_a_second_time_and_reissues_on_request(tmp_path: Path) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/local.db"}
    assert create_accredited(env, "kbtu", "Kazakh-British Technical University").returncode == 0
    source = write(tmp_path, "in.json", {"diplomas": [diploma_payload(3), diploma_payload(4)]})
    args = ["issue", str(source), "--institution", "kbtu"]
    first = run_cli(*args, "--out-dir", str(tmp_path / "a"), env=env)
    assert first.returncode == 0, first.stderr
    again = run_cli(*args, "--out-dir", str(tmp_path / "b"), env=env)
    assert again.returncode == EXIT_INPUT, again.stdout + again.stderr
    assert "Traceback" not in again.stderr
    assert again.stderr.count("already holds diploma") >= 2  # both, each with its place
    assert not list((tmp_path / "b").glob("*.json"))
    reissued = run_cli(
        *args,
        "--out-dir",
        str(tmp_path / "c"),
        "--reissue-reason",
        "reprinted: the programme name was wrong",
        env=env,
    )
    assert reissued.returncode == 0, reissued.stderr
    assert len(list((tmp_path / "c").glob("*.json"))) == 2
    empty = run_cli(*args, "--reissue-reason", " ", env=env)
    assert empty.returncode == 64, empty.stderr


def test_issue_names_a_dropped_leading_zero(tmp_path: Path) -> None:
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/local.db"}
    assert create_accredited(env, "kbtu", "Kazakh-British Technical University").returncode == 0
    payload = diploma_payload(3)
    payload["isced_f"] = "613"
    result = run_cli(
        "issue", str(write(tmp_path, "in.json", payload)), "--institution", "kbtu", env=env
    )
    assert result.returncode == EXIT_INPUT, result.stdout + result.stderr
    assert "0613" in result.stderr and "leading zero" in result.stderr
