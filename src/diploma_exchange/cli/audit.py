"""``audit``: the hash-chained audit log."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.text import Text

from diploma_exchange import errors
from diploma_exchange.cli.common import (
    Exit,
    _describe,
    _engine,
    _fail,
    app,
    cli_language,
    console,
    out,
    say_line,
    styled,
    tr,
    trn,
)
from diploma_exchange.config import get_settings

audit_app = typer.Typer(help="The hash-chained audit log of every state change.")
app.add_typer(audit_app, name="audit")


def _anchor(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    from diploma_exchange.services import audit

    try:
        return audit.parse_anchor(value)
    except errors.InvalidInput as exc:
        raise _fail(_describe(exc), Exit.USAGE) from exc


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            help="SEQ:SHA256 of an entry recorded earlier (from `audit head`), kept outside "
            "the database: proves the log was not rewritten wholesale."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Re-derive the whole chain; exit 1 if any entry was edited, reordered or deleted."""
    from sqlmodel import Session

    from diploma_exchange.services import audit

    expected = _anchor(anchor)
    settings = get_settings()
    with Session(_engine(settings)) as session:
        report = audit.verify_chain(session, anchor=expected)
    if as_json:
        out.print_json(
            data={
                "intact": report.intact,
                "entries": report.entries,
                "head": {"seq": report.head_seq, "sha256": report.head_sha256},
                "problems": [
                    {"seq": p.seq, "code": p.code, "message": p.message} for p in report.problems
                ],
            }
        )
    elif report.intact:
        head = f"{report.last_seq}:{report.last_sha256}"
        out.print(Text(trn("cli.audit.intact", report.entries, head=head)), soft_wrap=True)
    else:
        for p in report.problems:
            message = p.message
            if cli_language() != "en":
                message = f"{tr('checkline.details_en')}: {message}"
            line = tr("cli.audit.at_entry", seq=p.seq, message=message)
            console.print(styled(p.code, "bold red", line), soft_wrap=True)
    if not report.intact:
        raise typer.Exit(int(Exit.INVALID))


@audit_app.command("head")
def audit_head() -> None:
    """Print the last entry as SEQ:SHA256: store it elsewhere to anchor later verifications."""
    from sqlmodel import Session

    from diploma_exchange.services import audit

    with Session(_engine(get_settings())) as session:
        seq, digest = audit.head(session)  # the head row alone: no walk of the whole log
    say_line(f"{seq}:{digest}")


@audit_app.command("show")
def audit_show(
    object_id: Annotated[str | None, typer.Option("--object", help="Only this object.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    after: Annotated[int, typer.Option(help="Entries after this number.")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
) -> None:
    """Print entries as JSON Lines (number, time, actor, action, object, details)."""
    from sqlmodel import Session

    from diploma_exchange.services import audit

    with Session(_engine(get_settings())) as session:
        rows = audit.entries(session, object_id=object_id, action=action, after=after, limit=limit)
    for row in rows:
        out.print_json(
            data={
                "seq": row.seq,
                "at": row.at.isoformat(),
                "actor": row.actor,
                "action": row.action,
                "object": {"type": row.object_type, "id": row.object_id},
                "details": json.loads(row.details),
                "sha256": row.entry_sha256,
            },
            indent=None,
        )
