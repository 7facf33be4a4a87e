"""What every command shares: the Typer application, the consoles (never markup), exit
codes, errors and the database engine."""

from __future__ import annotations

import os
import sys
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from diploma_exchange import errors, i18n
from diploma_exchange.config import Settings

app = typer.Typer(
    name="diploma-exchange",
    help="Issue, exchange and verify digitally signed university diplomas.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
keys_app = typer.Typer(help="Key management.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
inst_app = typer.Typer(help="Institutions and API keys (NIC administration).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")
app.add_typer(inst_app, name="institutions")

# Text printed here often comes from a credential or a request: it is never markup (a name
# holding "[/]" must neither crash nor style the output) and never emoji codes ("did:key:"
# must not become a key). Styles are applied with rich.text.Text, never with markup strings.
console = Console(stderr=True, emoji=False, highlight=False, markup=False)
out = Console(emoji=False, highlight=False, markup=False)


def styled(label: str, style: str, message: str = "") -> Text:
    """``label`` in ``style`` followed by ``message``, both plain text (never markup)."""
    text = Text(label, style=style)
    if message:
        text.append(" ")
        text.append(message)
    return text


def say_line(text: str) -> None:
    """A line for machines and people on standard output, never re-wrapped by width."""
    out.print(Text(text), soft_wrap=True)


class Exit(IntEnum):
    """Exit codes of ``verify`` (and of usage errors everywhere)."""

    VALID = 0
    INVALID = 1
    INDETERMINATE = 2
    USAGE = 64
    INPUT = 65
    #: sysexits EX_UNAVAILABLE: a service the command needs (the database) cannot be reached.
    UNAVAILABLE = 69
    SOFTWARE = 70


def _fail(message: str, code: Exit = Exit.INPUT) -> typer.Exit:
    """Print ``message`` after the error label (in the CLI's language) and return the exit."""
    label = i18n.translate(cli_language(), "cli.error") + ":"
    console.print(styled(label, "bold red", message), soft_wrap=True)
    return typer.Exit(int(code))


def tr(msgid: str, **values: object) -> str:
    """The catalogue text of ``msgid`` in the CLI's language (see :func:`cli_language`)."""
    return i18n.translate(cli_language(), msgid, **values)


def trn(msgid: str, n: int, **values: object) -> str:
    """The CLDR plural form of ``msgid`` for ``n`` in the CLI's language."""
    return i18n.ngettext(cli_language(), msgid, n, **values)


def _engine(settings: Settings) -> Any:
    from diploma_exchange.db.engine import make_engine, upgrade
    from diploma_exchange.services import audit

    # What a command changes is attributed to the operator who ran it.
    audit.set_default_actor(audit.cli_actor())
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def _trust_lists_view(documents: list[Any], anchors: list[str]) -> Any:
    """A view over trust lists given on the command line, each verified with the key of a
    NIC named by ``--trusted-nic DID=publicKeyMultibase``."""
    from diploma_exchange.proofs.keys import public_key_from_multibase
    from diploma_exchange.trust.trust_list import verify_trust_list
    from diploma_exchange.trust.view import TrustListView

    if not documents:
        return None
    keys_by_did: dict[str, str] = {}
    for anchor in anchors:
        did, sep, key = anchor.partition("=")
        if not sep or not did.startswith("did:"):
            raise errors.InvalidInput(f"--trusted-nic {anchor!r} must be DID=publicKeyMultibase")
        keys_by_did[did] = key
    verified = []
    for document in documents:
        issuer = document.get("issuer") if isinstance(document, dict) else None
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if issuer_id not in keys_by_did:
            raise errors.InvalidInput(
                f"the trust list of {issuer_id} needs --trusted-nic {issuer_id}=<its key>"
            )
        verified.append(
            verify_trust_list(
                document,
                operator=str(issuer_id),
                public_key=public_key_from_multibase(keys_by_did[str(issuer_id)]),
            )
        )
    return TrustListView(verified)


def _local_registry_session(settings: Settings) -> Any:
    """A session on the configured database when it exists and is migrated; else None
    (verification must work on a machine with nothing but the file, and never create a db)."""
    if not _sqlite_database_exists(settings.database_url):
        return None
    from sqlalchemy import inspect
    from sqlmodel import Session

    from diploma_exchange.db.engine import make_engine

    try:
        engine = make_engine(settings.database_url)
        if not inspect(engine).has_table("status_list"):
            return None
        return Session(engine)
    except Exception:  # noqa: BLE001 - an unusable local database only means "no registry"
        return None


def _sqlite_database_exists(url: str) -> bool:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    return bool(parsed.database) and Path(parsed.database or "").exists()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not sys.stderr.isatty(),
    )


_chosen_language: str | None = None


LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of the messages for a person: kk, ru or en (default: from LC_ALL / "
        "LANG, else en). JSON output is the same in every language.",
    ),
]


def use_language(lang: str | None) -> str:
    """Make ``lang`` (a ``--lang`` value, or None for the locale's) the language of this
    command's messages and errors; a value other than kk, ru or en is a usage error."""
    global _chosen_language
    if lang is not None and lang not in i18n.LANGUAGES:
        raise _fail(tr("cli.lang_usage"), Exit.USAGE)
    if lang is not None or _chosen_language is None:
        _chosen_language = lang
    return cli_language()


def reset_language(lang: str | None) -> None:
    """The global ``--lang`` (before the command's name), set for each invocation."""
    global _chosen_language
    _chosen_language = None
    use_language(lang)


def cli_language(explicit: str | None = None) -> str:
    """The language of the human output: ``explicit`` (``--lang``), else the command's or the
    global ``--lang``, else the POSIX locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``:
    ``ru_RU.UTF-8`` is Russian); Kazakh, Russian or English, English for any other."""
    for value in (
        explicit,
        _chosen_language,
        os.environ.get("LC_ALL"),
        os.environ.get("LC_MESSAGES"),
        os.environ.get("LANG"),
    ):
        if value:
            primary = value.split(".")[0].replace("-", "_").split("_")[0].lower()
            return primary if primary in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    return i18n.DEFAULT_LANGUAGE


def _describe(exc: errors.Error, lang: str | None = None) -> str:
    """A problem for a person: in English its message (as before); in Kazakh or Russian the
    pages' text for its code (``err.<code>``, else the generic title), its stable code, and
    its English message marked as details. Pointers and details stay as they are."""
    language = cli_language(lang)
    if language == "en":
        lines = [str(exc)]
    else:
        key = f"err.{exc.code}"
        title = i18n.translate(language, key if i18n.has(language, key) else "error.title")
        lines = [
            title,
            f"  {i18n.translate(language, 'cli.error.code')}: {exc.code}",
            f"  {i18n.translate(language, 'checkline.details_en')}: {exc}",
        ]
    lines += [f"  {d.pointer or '/'}: {d.message}" for d in exc.details[:20]]
    if len(exc.details) > 20:
        more = len(exc.details) - 20
        lines.append("  " + i18n.ngettext(language, "cli.more_problems", more))
    return "\n".join(lines)


@app.callback()
def _global_options(lang: LangOption = None) -> None:
    """Issue, exchange and verify digitally signed university diplomas."""
    reset_language(lang)
