"""A command whose database cannot be reached says so in one line and exits 69 (sysexits
EX_UNAVAILABLE): no traceback, and never the password of the database URL."""

from __future__ import annotations

import socket

import pytest

from cli_support import run_cli


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens on it once the probe is closed


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "cannot use the database"), ("ru", "не удаётся использовать базу данных")],
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["institutions", "did-key", "kaznu"]])
def test_an_unreachable_database_is_one_clear_line(
    lang: str, words: str, command: list[str]
) -> None:
    url = f"postgresql+psycopg://registrar:s3cret-pw@127.0.0.1:{_closed_port()}/diplomas"
    done = run_cli("--lang", lang, *command, env={"DIPLOMA_EXCHANGE_DATABASE_URL": url})
    output = done.stdout + done.stderr
    assert done.returncode == 69, output
    assert words in output
    assert "Traceback" not in output
    assert "s3cret-pw" not in output
