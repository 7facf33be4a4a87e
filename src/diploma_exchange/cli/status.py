"""``revoke``, ``suspend``, ``reinstate`` and ``refresh-status-lists``."""

from __future__ import annotations

from typing import Annotated

import typer

from diploma_exchange import errors
from diploma_exchange.cli.common import (
    LangOption,
    _describe,
    _engine,
    _fail,
    app,
    out,
    use_language,
)
from diploma_exchange.config import get_settings

# --- status changes --------------------------------------------------------------------------


def _change_status(
    action: str,
    credential_id: str,
    institution: str,
    reason: str,
    note: str | None,
    lang: str | None = None,
) -> None:
    from sqlmodel import Session

    use_language(lang)  # of the error messages: the confirmation is JSON, the same in all

    from diploma_exchange.services import institutions, status

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
    out.print_json(
        data={"credentialId": change.credential_id, "state": change.state, "reasonCode": reason}
    )


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
) -> None:
    """Revoke a diploma (final)."""
    _change_status("revoke", credential_id, institution, reason, note, lang)


@app.command()
def suspend(
    credential_id: str,
    institution: InstitutionOpt,
    reason: Annotated[
        str, typer.Option(help="investigation, pending-payment, administrative-hold, other")
    ],
    note: NoteOpt = None,
    lang: LangOption = None,
) -> None:
    """Suspend a diploma (can be reinstated)."""
    _change_status("suspend", credential_id, institution, reason, note, lang)


@app.command()
def reinstate(
    credential_id: str,
    institution: InstitutionOpt,
    reason: Annotated[
        str, typer.Option(help="investigation-closed, hold-lifted, issued-in-error, other")
    ],
    note: NoteOpt = None,
    lang: LangOption = None,
) -> None:
    """Lift a diploma's suspension."""
    _change_status("reinstate", credential_id, institution, reason, note, lang)
