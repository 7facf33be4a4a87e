"""``backup``, ``verify-backup`` and ``restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from diploma_exchange import errors
from diploma_exchange.cli.common import (
    Exit,
    _describe,
    _fail,
    _sqlite_database_exists,
    app,
    console,
    out,
    tr,
    trn,
)
from diploma_exchange.config import get_settings

# --- backup / restore ------------------------------------------------------------------------

DatabaseUrlOpt = Annotated[
    str | None,
    typer.Option("--database-url", help="The database (default: $DIPLOMA_EXCHANGE_DATABASE_URL)."),
]
ExpectedSha256Opt = Annotated[
    str | None,
    typer.Option(
        "--sha256", help="The archive's SHA-256 as printed by `backup` (kept somewhere else)."
    ),
]
MaxGibOpt = Annotated[
    int, typer.Option("--max-gib", min=1, help="Refuse archives that expand beyond this size.")
]


def _backup_limits(max_gib: int) -> Any:
    from diploma_exchange.services import backup as backups

    return backups.Limits(max_uncompressed_bytes=max_gib * 1024**3)


def _shown(url: str) -> str:
    """A database URL without its password (it goes to a terminal and to logs)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _print_rows(name: str, rows: int) -> None:
    console.print(Text("  " + trn("cli.backup.rows", rows, name=name)), soft_wrap=True)


@app.command("backup")
def backup_database(
    out_file: Annotated[Path, typer.Argument(help="Where to write the archive (mode 0600).")],
    database_url: DatabaseUrlOpt = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing archive.")] = False,
) -> None:
    """Write the whole database, as one consistent snapshot, to a verifiable archive."""
    from diploma_exchange.db.engine import make_engine
    from diploma_exchange.services import backup as backups

    url = database_url or get_settings().database_url
    if not _sqlite_database_exists(url):
        raise _fail(tr("cli.backup.no_database", url=_shown(url)), Exit.USAGE)
    if out_file.exists() and not force:
        raise _fail(tr("cli.backup.exists", file=out_file), Exit.USAGE)
    engine = make_engine(url)
    try:
        summary = backups.backup(engine, out_file, on_table=_print_rows)
    except errors.Error as exc:
        raise _fail(_describe(exc)) from exc
    finally:
        engine.dispose()
    console.print(Text(tr("cli.backup.wrote", file=summary.path)))
    out.print_json(data=summary.to_json())


@app.command("verify-backup")
def verify_backup(
    archive: Annotated[Path, typer.Argument(help="An archive written by `backup`.")],
    sha256: ExpectedSha256Opt = None,
    max_gib: MaxGibOpt = 64,
) -> None:
    """Check an archive's manifest, every table file's SHA-256 and row count (exit 1 if not)."""
    from diploma_exchange.services import backup as backups

    if not archive.is_file():
        raise _fail(tr("cli.backup.not_a_file", file=archive), Exit.USAGE)
    try:
        manifest = backups.verify_archive(
            archive, limits=_backup_limits(max_gib), expected_sha256=sha256
        )
    except backups.InvalidBackup as exc:
        raise _fail(tr("cli.backup.not_intact", problem=_describe(exc)), Exit.INVALID) from exc
    out.print_json(data=dict(backups.describe(manifest)))


@app.command("restore")
def restore_database(
    archive: Annotated[Path, typer.Argument(help="An archive written by `backup`.")],
    database_url: DatabaseUrlOpt = None,
    sha256: ExpectedSha256Opt = None,
    max_gib: MaxGibOpt = 64,
) -> None:
    """Verify an archive, then restore it into an empty database in one transaction."""
    from diploma_exchange.db.engine import make_engine
    from diploma_exchange.services import backup as backups

    if not archive.is_file():
        raise _fail(tr("cli.backup.not_a_file", file=archive), Exit.USAGE)
    url = database_url or get_settings().database_url
    engine = make_engine(url)
    try:
        summary = backups.restore(
            engine,
            archive,
            limits=_backup_limits(max_gib),
            expected_sha256=sha256,
            on_table=_print_rows,
        )
    except backups.InvalidBackup as exc:
        problem = _describe(exc)
        raise _fail(
            tr("cli.backup.not_intact_nothing_restored", problem=problem), Exit.INVALID
        ) from exc
    except errors.Error as exc:
        raise _fail(tr("cli.backup.nothing_restored", problem=_describe(exc))) from exc
    finally:
        engine.dispose()
    revision = summary.manifest.revision
    console.print(Text(tr("cli.backup.restored", url=_shown(url), revision=revision)))
    out.print_json(data=summary.to_json())
