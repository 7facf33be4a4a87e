"""``revoke``, ``suspend``, ``reinstate`` and ``refresh-status-lists``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from diploma_exchange import errors
from diploma_exchange.cli.common import (
    LangOption,
    _describe,
    _engine,
    _fail,
    app,
    cli_language,
    console,
    out,
    tr,
    trn,
    use_language,
)
from diploma_exchange.config import get_settings

# --- status changes --------------------------------------------------------------------------

JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print {credentialId, state, reasonCode} as JSON (the same in every language) "
        "instead of the summary for a person.",
    ),
]


def _change_status(
    action: str,
    credential_id: str,
    institution: str,
    reason: str,
    note: str | None,
    lang: str | None = None,
    as_json: bool = False,
) -> None:
    from sqlmodel import Session

    use_language(lang)

    from diploma_exchange.services import institutions, issuance, status

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, institution)
            principal = institutions.Principal("institution", "cli", record)
            change = status.change_status(
                session, settings, principal, credential_id, action, reason_code=reason, note=note
            )
            session.commit()
        except errors.Error as exc:
            session.rollback()
            raise _fail(_describe(exc)) from exc
        credential = issuance.get_credential(session, credential_id)
        document = json.loads(credential.document) if credential is not None else {}
    if as_json:
        out.print_json(
            data={"credentialId": change.credential_id, "state": change.state, "reasonCode": reason}
        )
        return
    _print_change(change, document, "revocation" if action == "revoke" else "suspension")


def _when(moment: datetime, lang: str) -> str:
    """A moment in UTC, written as the language writes dates and times (CLDR)."""
    from babel.dates import format_datetime

    if moment.tzinfo is None:  # SQLite keeps no zone; the service stores UTC
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment, "long", tzinfo=UTC, locale=lang)


def _status_entry(document: dict[str, Any], purpose: str) -> dict[str, Any]:
    """The diploma's own ``credentialStatus`` entry for ``purpose``: the list and index a
    verifier reads (empty when the signed document names none)."""
    entries = document.get("credentialStatus")
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, dict) and entry.get("statusPurpose") == purpose:
            return entry
    return {}


def _print_change(change: Any, document: dict[str, Any], purpose: str) -> None:
    """What changed, for a person: whose diploma (name, degree, university, as signed in the
    diploma), the new state, the reason, when, the status list and index, and what a verifier
    will now see. Every value from the diploma or the database is plain text, never markup,
    and folds inside its column at any terminal width."""
    from diploma_exchange.documents.view import diploma_view

    lang = cli_language()
    state = change.state
    event = change.event
    colour = {"revoked": "red", "suspended": "yellow", "active": "green"}.get(state, "bold")
    out.print(Text(tr(f"cli.status.headline.{state}"), style=f"bold {colour}"))
    view = diploma_view(document)
    entry = _status_entry(document, purpose)
    verdict = tr("cli.verdict.valid" if state == "active" else "cli.verdict.invalid")
    reason_key = f"cli.reason.{event.reason_code}"
    rows: list[tuple[str, Any]] = [
        (tr("cli.row.graduate"), view.holder(lang)),
        (tr("cli.row.degree"), view.qualification_name(lang)),
        (tr("cli.row.university"), view.institution_name),
        (tr("cli.row.credential"), change.credential_id),
        (tr("cli.status.row.reason"), tr(reason_key)),
        (tr("cli.status.row.note"), event.note),
        (tr("cli.status.row.when"), _when(event.created_at, lang)),
        (tr("cli.status.row.list"), entry.get("statusListCredential")),
        (tr("cli.status.row.index"), entry.get("statusListIndex")),
        (tr("cli.status.row.verifier"), tr(f"cli.status.sees.{state}", verdict=verdict)),
    ]
    shown = [(label, str(value)) for label, value in rows if value not in (None, "")]
    if out.width < 48:  # two columns would leave each a few letters a line
        for label, value in shown:
            out.print(Text(label, style="bold", overflow="fold"))
            out.print(Padding(Text(value, overflow="fold"), (0, 0, 0, 2), expand=False))
        return
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold", overflow="fold", max_width=28)
    summary.add_column(overflow="fold")
    for label, value in shown:
        summary.add_row(Text(label), Text(value))
    out.print(summary)


@app.command("refresh-status-lists")
def refresh_status_lists() -> None:
    """Re-sign every status list past half its validity (run from cron, e.g. hourly; lists
    are also re-signed when served or used, and after key rotation or compromise)."""
    from sqlmodel import Session

    from diploma_exchange.services import status

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        count = status.refresh_stale_lists(session, settings)
        session.commit()
    console.print(Text(trn("cli.status.refreshed", count)), soft_wrap=True)
    out.print_json(data={"refreshed": count})


InstitutionOpt = Annotated[
    str, typer.Option("--institution", help="Slug of the issuing institution.")
]
NoteOpt = Annotated[str | None, typer.Option(help="Optional note kept in the history.")]


@app.command()
def revoke(
    credential_id: str,
    institution: InstitutionOpt,
    reason: Annotated[
        str,
        typer.Option(
            help="fraud, issued-in-error, academic-misconduct, superseded, court-order, other"
        ),
    ],
    note: NoteOpt = None,
    lang: LangOption = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a diploma (final)."""
    _change_status("revoke", credential_id, institution, reason, note, lang, as_json)


@app.command()
def suspend(
    credential_id: str,
    institution: InstitutionOpt,
    reason: Annotated[
        str, typer.Option(help="investigation, pending-payment, administrative-hold, other")
    ],
    note: NoteOpt = None,
    lang: LangOption = None,
    as_json: JsonOpt = False,
) -> None:
    """Suspend a diploma (can be reinstated)."""
    _change_status("suspend", credential_id, institution, reason, note, lang, as_json)


@app.command()
def reinstate(
    credential_id: str,
    institution: InstitutionOpt,
    reason: Annotated[
        str, typer.Option(help="investigation-closed, hold-lifted, issued-in-error, other")
    ],
    note: NoteOpt = None,
    lang: LangOption = None,
    as_json: JsonOpt = False,
) -> None:
    """Lift a diploma's suspension."""
    _change_status("reinstate", credential_id, institution, reason, note, lang, as_json)
