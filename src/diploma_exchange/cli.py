"""The ``diploma-exchange`` command line: serve, demo data, keys, issue, verify, OpenAPI."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import uuid
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from diploma_exchange import errors, strict_json
from diploma_exchange.config import Settings, get_settings

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

console = Console(stderr=True, emoji=False, highlight=False)
out = Console(emoji=False, highlight=False)


class Exit(IntEnum):
    """Exit codes of ``verify`` (and of usage errors everywhere)."""

    VALID = 0
    INVALID = 1
    INDETERMINATE = 2
    USAGE = 64
    INPUT = 65
    SOFTWARE = 70


def _fail(message: str, code: Exit = Exit.INPUT) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(int(code))


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


# --- db / serve / demo -----------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to the configured database."""
    settings = get_settings()
    _engine(settings)
    console.print(f"database at {settings.database_url} is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    ssl_certfile: Annotated[
        Path | None,
        typer.Option(
            "--ssl-certfile",
            help="PEM certificate (chain) to serve https with; needs --ssl-keyfile.",
        ),
    ] = None,
    ssl_keyfile: Annotated[
        Path | None,
        typer.Option("--ssl-keyfile", help="PEM private key of --ssl-certfile."),
    ] = None,
) -> None:
    """Migrate the database and serve the API (https with --ssl-certfile/--ssl-keyfile)."""
    import uvicorn

    from diploma_exchange.api.serving import LOG_CONFIG, NoDelayH11Protocol

    tls = _tls_options(ssl_certfile, ssl_keyfile)
    _engine(get_settings())
    uvicorn.run(
        "diploma_exchange.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=LOG_CONFIG,
        http=NoDelayH11Protocol,
        ssl_certfile=tls[0],
        ssl_keyfile=tls[1],
    )


def _tls_options(certfile: Path | None, keyfile: Path | None) -> tuple[str | None, str | None]:
    """uvicorn's ``ssl_certfile``/``ssl_keyfile``, both or neither, each a readable file whose
    PEM loads (checked here so that a bad path is a usage error, not a traceback)."""
    if certfile is None and keyfile is None:
        return None, None
    if certfile is None or keyfile is None:
        raise _fail("--ssl-certfile and --ssl-keyfile go together", Exit.USAGE)
    for option, path in (("--ssl-certfile", certfile), ("--ssl-keyfile", keyfile)):
        if not path.is_file():
            raise _fail(f"{option}: {path} is not a readable file", Exit.USAGE)
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError) as exc:
        raise _fail(
            f"--ssl-certfile/--ssl-keyfile: cannot serve https with {certfile} and {keyfile}: "
            f"{exc}",
            Exit.USAGE,
        ) from exc
    return str(certfile), str(keyfile)


@app.command()
def demo(
    keys_dir: Annotated[Path, typer.Option(help="Folder with the demo keys.")] = Path("keys/demo"),
    run: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server afterwards.")
    ] = True,
    host: str = "127.0.0.1",
    port: int = 8000,
    ssl_certfile: Annotated[
        Path | None, typer.Option("--ssl-certfile", help="Serve https with this PEM certificate.")
    ] = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option("--ssl-keyfile", help="PEM private key of --ssl-certfile.")
    ] = None,
) -> None:
    """Seed a demo NIC, two universities and a few diplomas, print the URLs and API keys, serve."""
    from sqlmodel import Session

    tls = _tls_options(ssl_certfile, ssl_keyfile) if run else (None, None)

    from diploma_exchange.services import demo as demo_service

    settings = get_settings()
    if not keys_dir.is_dir():
        raise _fail(
            f"demo keys folder {keys_dir} not found (run from the project root)", Exit.USAGE
        )
    engine = _engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        summary = demo_service.seed(session, settings, keys_dir)
        session.commit()
    base = settings.public_base_url.rstrip("/")
    lines = ["", "diploma-exchange demo  (DEMO KEYS: public, never for real diplomas)", ""]
    for record in summary.institutions:
        role = "NIC administrator" if record.kind == "nic" else "university"
        lines += [
            f"  {record.name}  [{role}]",
            f"    DID:     {record.did}",
            f"    API key: {summary.api_keys.get(record.slug, '(none)')}",
        ]
    lines += [
        "",
        f"  API docs:            {base}/docs",
        f"  OpenAPI:             {base}/openapi.json",
        f"  Health:              {base}/healthz",
        f"  Diploma context:     {base}/contexts/diploma-exchange/v1",
        f"  Diploma JSON Schema: {base}/schemas/diploma-credential/v1.json",
        f"  A DID document:      {base}/institutions/kaznu/did.json",
        f"  Key event log:       {base}/institutions/kaznu/key-events",
        f"  NIC trust list:      {base}/trust-list",
        f"  Demo diplomas:       {len(summary.diploma_ids)} issued",
        "",
        f"  Web front end:       {base}/",
        f"  Verify a diploma:    {base}/verify",
        "  Graduates' one-time claim links (new ones on every start, until claimed):",
        *[f"    {c.url}" for c in summary.claim_codes[:3]],
        "",
        "  Try:",
        f"    curl -s -H 'Authorization: Bearer {summary.api_keys.get('kaznu', '<key>')}' {base}/v1/diplomas",
        "",
    ]
    typer.echo("\n".join(lines))
    if run:
        import uvicorn

        from diploma_exchange.api.serving import LOG_CONFIG, NoDelayH11Protocol

        uvicorn.run(
            "diploma_exchange.api.app:create_app",
            factory=True,
            host=host,
            port=port,
            log_level="info",
            log_config=LOG_CONFIG,
            http=NoDelayH11Protocol,
            ssl_certfile=tls[0],
            ssl_keyfile=tls[1],
        )


# --- keys ------------------------------------------------------------------------------------


@keys_app.command("generate")
def keys_generate(
    out_file: Annotated[
        Path, typer.Option("--out", help="Where to write the encrypted PKCS#8 PEM.")
    ],
    passphrase_env: Annotated[
        str, typer.Option(help="Environment variable holding the passphrase.")
    ] = "DIPLOMA_EXCHANGE_KEY_PASSPHRASE",
    force: bool = False,
) -> None:
    """Generate an Ed25519 key, write it encrypted, print its Multikey and did:key."""
    from diploma_exchange.dids.did_key import did_key_from_public_key
    from diploma_exchange.proofs import keys

    phrase = os.environ.get(passphrase_env)
    if not phrase:
        raise _fail(
            f"set the passphrase in ${passphrase_env} (it is never read from arguments)", Exit.USAGE
        )
    if out_file.exists() and not force:
        raise _fail(f"{out_file} exists; pass --force to overwrite", Exit.USAGE)
    key = keys.generate_private_key()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(keys.encrypt_private_key(key, phrase.encode()))
    out_file.chmod(0o600)
    out.print_json(
        data={
            "file": str(out_file),
            "publicKeyMultibase": keys.public_key_multibase(key.public_key()),
            "didKey": did_key_from_public_key(key.public_key()),
        }
    )


@keys_app.command("rotate")
def keys_rotate(
    institution: Annotated[str, typer.Option("--institution", help="Slug of the institution.")],
    note: Annotated[str | None, typer.Option(help="Kept in the key event log.")] = None,
) -> None:
    """Add a new signing key and retire the current one (it still verifies what it signed)."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, institution)
            key = institutions.rotate_key(session, settings, record, note=note)
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    out.print_json(
        data={
            "newKey": f"{record.did}#{key.key_id}",
            "publicKeyMultibase": key.public_key_multibase,
        }
    )


@keys_app.command("compromise")
def keys_compromise(
    institution: Annotated[str, typer.Option("--institution", help="Slug of the institution.")],
    key_id: Annotated[str, typer.Option("--key-id", help="The key's fragment, e.g. key-1.")],
    at: Annotated[
        str, typer.Option("--at", help="ISO 8601 time from which its signatures are invalid.")
    ],
    note: Annotated[str | None, typer.Option(help="Kept in the key event log.")] = None,
) -> None:
    """Mark a key compromised from a moment on (what it signed before stays valid)."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions

    try:
        moment = datetime.fromisoformat(at)
    except ValueError as exc:
        raise _fail(f"--at {at!r} is not an ISO 8601 date-time", Exit.USAGE) from exc
    if moment.tzinfo is None:
        raise _fail("--at needs a time zone, e.g. 2026-06-30T12:00:00Z", Exit.USAGE)
    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, institution)
            key = institutions.compromise_key(
                session, settings, record, key_id, compromised_at=moment, note=note
            )
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    out.print_json(data={"key": f"{record.did}#{key.key_id}", "compromisedAt": at})


# --- institutions ----------------------------------------------------------------------------


@inst_app.command("create")
def institutions_create(
    slug: str,
    name: str,
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2")] = "KZ",
    nic: Annotated[
        bool, typer.Option(help="Create the NIC identity (did:web of the host).")
    ] = False,
) -> None:
    """Register an institution (or the NIC) and print its first API key (shown once)."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record, _ = institutions.register_institution(
                session,
                settings,
                slug=slug,
                name=name,
                country_code=country,
                kind="nic" if nic else "university",
            )
            role = institutions.ROLE_ADMIN if nic else institutions.ROLE_INSTITUTION
            _, token = institutions.create_api_key(
                session, role=role, institution=None if nic else record, label="created by CLI"
            )
            session.commit()
        except errors.Error as exc:
            raise _fail(str(exc)) from exc
    out.print_json(data={"did": record.did, "apiKey": token, "note": "the API key is shown once"})


def _parse_moment(value: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"{option} {value!r} is not an ISO 8601 date-time", Exit.USAGE) from exc
    if moment.tzinfo is None:
        raise _fail(f"{option} needs a time zone, e.g. 2026-06-30T00:00:00Z", Exit.USAGE)
    return moment


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@inst_app.command("allow-any-vc")
def institutions_allow_any_vc(
    slug: str,
    revoke: Annotated[bool, typer.Option("--revoke", help="Withdraw the permission.")] = False,
) -> None:
    """Allow an institution to issue any VC 2.0 credential (not only diplomas) via the VC-API."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, slug)
        except errors.NotFound as exc:
            raise _fail(exc.message, Exit.USAGE) from exc
        institutions.allow_any_vc(session, record, allowed=not revoke)
        session.commit()
    console.print(f"{slug}: {'may not' if revoke else 'may'} issue any VC 2.0 credential")


@inst_app.command("did-key")
def institutions_did_key(slug: str) -> None:
    """Print the did:key of an institution's active key (an issuer id for the VC-API)."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, slug)
        except errors.NotFound as exc:
            raise _fail(exc.message, Exit.USAGE) from exc
        typer.echo(institutions.did_key_of(session, record))


@inst_app.command("accredit")
def institutions_accredit(
    slug: str,
    body: Annotated[str, typer.Option("--body", help="The accrediting body, e.g. IAAR or IQAA.")],
    levels: Annotated[
        str | None, typer.Option(help="ISCED 2011 levels, e.g. 6,7,8 (default: any).")
    ] = None,
    fields: Annotated[
        str | None, typer.Option(help="ISCED-F codes or prefixes, e.g. 06,0533 (default: any).")
    ] = None,
    programmes: Annotated[str | None, typer.Option(help="Programme codes (default: any).")] = None,
    valid_from: Annotated[
        str | None, typer.Option("--from", help="ISO 8601 start (default: now).")
    ] = None,
    valid_until: Annotated[
        str | None, typer.Option("--until", help="ISO 8601 end (default: open).")
    ] = None,
    conditional: bool = False,
) -> None:
    """Issue a signed accreditation record for an institution (signed by the NIC)."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions, trust
    from diploma_exchange.trust.accreditation import Scope

    start = (
        _parse_moment(valid_from, "--from")
        if valid_from
        else datetime.now(UTC).replace(microsecond=0)
    )
    end = _parse_moment(valid_until, "--until") if valid_until else None
    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, slug)
            row = trust.accredit(
                session,
                settings,
                record,
                scope=Scope(_csv(levels), _csv(fields), _csv(programmes)),
                accrediting_body=body,
                valid_from=start,
                valid_until=end,
                status="conditional" if conditional else "accredited",
            )
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    out.print_json(row.document)


@inst_app.command("withdraw")
def institutions_withdraw(
    slug: str,
    at: Annotated[str, typer.Option("--at", help="ISO 8601 moment of withdrawal.")],
    reason: Annotated[str, typer.Option(help="Why it was withdrawn.")] = "",
) -> None:
    """Withdraw an institution's accreditation from a moment on (history is kept)."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions, trust

    moment = _parse_moment(at, "--at")
    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            row = trust.withdraw(
                session,
                settings,
                institutions.get_institution(session, slug),
                at=moment,
                reason=reason,
            )
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    out.print_json(row.document)


trust_app = typer.Typer(help="This NIC's trust list and partner NICs' lists.", no_args_is_help=True)
app.add_typer(trust_app, name="trust")


@trust_app.command("export")
def trust_export(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the signed trust list.")],
) -> None:
    """Write this NIC's current signed trust list (what /trust-list serves)."""
    from sqlmodel import Session

    from diploma_exchange.services import trust

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            document = trust.publish_trust_list(session, settings)
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    out_file.write_text(json.dumps(document, ensure_ascii=False, indent=2))
    console.print(
        f"wrote trust list sequence {document['credentialSubject']['sequenceNumber']} to {out_file}"
    )


@trust_app.command("add-partner")
def trust_add_partner(
    did: str,
    name: str,
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2")],
    key: Annotated[str, typer.Option(help="The partner NIC's publicKeyMultibase (out of band).")],
    url: Annotated[str | None, typer.Option(help="Where its trust list is published.")] = None,
) -> None:
    """Configure a partner NIC whose trust list you will import."""
    from sqlmodel import Session

    from diploma_exchange.services import trust

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            row = trust.add_partner(
                session,
                did=did,
                name=name,
                country_code=country,
                public_key_multibase=key,
                trust_list_url=url,
            )
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    out.print_json(data={"id": row.id, "did": row.did})


def _partner_by_did(session: Any, did: str) -> Any:
    from diploma_exchange.services import trust

    for partner in trust.list_partners(session):
        if partner.did == did or partner.id == did:
            return partner
    raise errors.NotFound(f"no partner NIC {did}")


@trust_app.command("import")
def trust_import(did: str, path: Path) -> None:
    """Import a partner's trust list file (its signature must verify with the configured key)."""
    from sqlmodel import Session

    from diploma_exchange.services import trust

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            document = strict_json.loads(
                path.read_bytes(), max_bytes=64 * 1024 * 1024, max_depth=64
            )
            snapshot = trust.import_trust_list(
                session, _partner_by_did(session, did), document, fetched_from=str(path)
            )
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    out.print_json(data={"snapshot": snapshot.id, "sequenceNumber": snapshot.sequence_number})


@trust_app.command("remove-partner")
def trust_remove_partner(did: str) -> None:
    """Remove a partner NIC and its snapshots."""
    from sqlmodel import Session

    from diploma_exchange.services import trust

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            trust.remove_partner(session, _partner_by_did(session, did))
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    console.print(f"removed partner {did}")


# --- issue -----------------------------------------------------------------------------------


def _read_diploma_inputs(path: Path) -> tuple[list[Any], list[dict[str, Any]]]:
    """(DiplomaData items, complete credentials) from a .csv or .json file."""
    from diploma_exchange.credentials import DiplomaData, parse_graduating_class

    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return list(parse_graduating_class(text)), []
    data = strict_json.loads(text, max_bytes=512 * 1024 * 1024, max_depth=64)
    items = (
        data
        if isinstance(data, list)
        else data.get("diplomas", [data])
        if isinstance(data, dict)
        else None
    )
    if items is None:
        raise errors.InvalidInput(
            'the JSON file must hold a diploma, a list, or {"diplomas": [...]}'
        )
    diplomas: list[Any] = []
    credentials: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if isinstance(item, dict) and "@context" in item:
            credentials.append(item)
        else:
            try:
                diplomas.append(DiplomaData.model_validate(item))
            except ValueError as exc:
                raise errors.InvalidInput(f"item {index}: {exc}", pointer=f"/{index}") from exc
    return diplomas, credentials


@app.command()
def issue(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A .json or .csv file.")
    ],
    institution: Annotated[str, typer.Option(help="Slug of an institution in the database.")],
    out_dir: Annotated[Path, typer.Option(help="Folder for the signed credentials.")] = Path(
        "issued"
    ),
    workers: Annotated[
        int | None,
        typer.Option(help="CSV: signing processes (default: one per core; 0: none)."),
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(help="CSV: diplomas per transaction.", min=1, max=10000)
    ] = 2000,
    job_key: Annotated[
        str | None,
        typer.Option(help="CSV: resume key (default: the file's SHA-256, so a rerun resumes)."),
    ] = None,
    jsonl: Annotated[
        bool, typer.Option(help="Write credentials.jsonl instead of one file per diploma.")
    ] = False,
) -> None:
    """Issue diplomas from a JSON or CSV file, signing locally with the institution's key.

    A CSV file is streamed: validated whole first (nothing is issued if any row is wrong),
    then issued in transactions of --chunk-size diplomas signed on every core; running the
    same file again resumes after the last committed chunk instead of issuing twice.
    """
    if path.suffix.lower() == ".csv":
        _issue_csv_stream(path, institution, out_dir, workers, chunk_size, job_key, jsonl)
        return
    from sqlmodel import Session

    from diploma_exchange.services import institutions, issuance, sharing

    settings = get_settings()
    try:
        diplomas, credentials = _read_diploma_inputs(path)
    except errors.Error as exc:
        raise _fail(_describe(exc)) from exc
    total = len(diplomas) + len(credentials)
    if total == 0:
        raise _fail("the file holds no diplomas")
    engine = _engine(settings)
    signed: list[dict[str, Any]] = []
    chunk = settings.max_batch_size
    with Session(engine, expire_on_commit=False) as session, _progress() as progress:
        task = progress.add_task("signing", total=total)
        try:
            record = institutions.get_institution(session, institution)
            principal = institutions.Principal("institution", "cli", record)
            signer = institutions.signer_for(session, settings, record)
            for start in range(0, len(diplomas), chunk):
                part = diplomas[start : start + chunk]
                signed += issuance.issue_diplomas(
                    session, settings, principal, part, signer=signer
                ).credentials
                progress.advance(task, len(part))
            for start in range(0, len(credentials), chunk):
                part_c = credentials[start : start + chunk]
                signed += issuance.issue_credentials(
                    session, settings, principal, part_c, signer=signer
                ).credentials
                progress.advance(task, len(part_c))
            claims = sharing.mint_claim_codes(session, settings, [str(c["id"]) for c in signed])
            session.commit()
        except errors.Error as exc:
            session.rollback()
            raise _fail(_describe(exc)) from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    for credential in signed:
        name = str(credential["id"]).rsplit(":", 1)[-1] or uuid.uuid4().hex
        (out_dir / f"{name}.json").write_text(json.dumps(credential, ensure_ascii=False, indent=2))
    claims_file = out_dir / "claim-codes.csv"
    claims_file.write_text(_claims_csv(signed, claims), encoding="utf-8")
    claims_file.chmod(0o600)  # one-time secrets for the graduates: not for everyone's eyes
    console.print(f"issued {len(signed)} diploma(s) into {out_dir}/")
    console.print(
        f"graduates' one-time claim codes: {claims_file} (hand each to its graduate; "
        "they are stored only hashed and cannot be shown again)"
    )


def _issue_csv_stream(
    path: Path,
    institution: str,
    out_dir: Path,
    workers: int | None,
    chunk_size: int,
    job_key: str | None,
    jsonl: bool,
) -> None:
    from diploma_exchange.services import bulk

    settings = get_settings()
    engine = _engine(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    claims_file = out_dir / "claim-codes.csv"
    new_claims_file = not claims_file.exists()
    with (
        claims_file.open("a", encoding="utf-8", newline="") as claims_out,
        (out_dir / "credentials.jsonl").open("a", encoding="utf-8")
        if jsonl
        else contextlib.nullcontext(None) as lines,
    ):
        claims_file.chmod(0o600)  # one-time secrets for the graduates

        def write(_number: int, signed: list[tuple[str, str]], claims: dict[str, Any]) -> None:
            nonlocal new_claims_file
            documents = [json.loads(text) for _, text in signed]
            text = _claims_csv(documents, claims)
            if not new_claims_file:
                text = text.split("\r\n", 1)[1]  # the header is already there
            new_claims_file = False
            claims_out.write(text)
            claims_out.flush()
            for (credential_id, text), document in zip(signed, documents, strict=True):
                if lines is not None:
                    lines.write(text + "\n")
                else:
                    name = credential_id.rsplit(":", 1)[-1]
                    (out_dir / f"{name}.json").write_text(
                        json.dumps(document, ensure_ascii=False, indent=2)
                    )

        try:
            result = bulk.issue_csv_file(
                engine,
                settings,
                institution,
                path,
                job_key=job_key,
                chunk_size=chunk_size,
                workers=workers,
                on_chunk=write,
            )
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    skipped = (
        f"; {result.skipped_chunks} chunk(s) were already issued by an earlier run and skipped"
        if result.skipped_chunks
        else ""
    )
    console.print(
        f"issued {result.issued} of {result.total} diploma(s) into {out_dir}/ in "
        f"{result.seconds:.1f} s ({result.workers} signing process(es)){skipped}"
    )
    console.print(
        f"graduates' one-time claim codes: {claims_file} (hand each to its graduate; "
        "they are stored only hashed and cannot be shown again)"
    )


def _claims_csv(signed: list[dict[str, Any]], claims: dict[str, Any]) -> str:
    from diploma_exchange.documents.view import diploma_view
    from diploma_exchange.spreadsheet import to_csv

    rows = []
    for credential in signed:
        view = diploma_view(credential)
        claim = claims[str(credential["id"])]
        rows.append(
            [
                credential["id"],
                view.student_id or "",
                view.holder("en") or "",
                claim.code,
                claim.url,
                claim.expires_at.isoformat(),
            ]
        )
    return to_csv(
        ["credential_id", "student_id", "holder", "claim_code", "claim_url", "expires_at"], rows
    )


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


def _describe(exc: errors.Error) -> str:
    lines = [str(exc)]
    lines += [f"  {d.pointer or '/'}: {d.message}" for d in exc.details[:20]]
    if len(exc.details) > 20:
        lines.append(f"  ... and {len(exc.details) - 20} more")
    return "\n".join(lines)


# --- status changes --------------------------------------------------------------------------


def _change_status(
    action: str, credential_id: str, institution: str, reason: str, note: str | None
) -> None:
    from sqlmodel import Session

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
) -> None:
    """Revoke a diploma (final)."""
    _change_status("revoke", credential_id, institution, reason, note)


@app.command()
def suspend(
    credential_id: str,
    institution: InstitutionOpt,
    reason: Annotated[
        str, typer.Option(help="investigation, pending-payment, administrative-hold, other")
    ],
    note: NoteOpt = None,
) -> None:
    """Suspend a diploma (can be reinstated)."""
    _change_status("suspend", credential_id, institution, reason, note)


@app.command()
def reinstate(
    credential_id: str,
    institution: InstitutionOpt,
    reason: Annotated[
        str, typer.Option(help="investigation-closed, hold-lifted, issued-in-error, other")
    ],
    note: NoteOpt = None,
) -> None:
    """Lift a diploma's suspension."""
    _change_status("reinstate", credential_id, institution, reason, note)


# --- verify ----------------------------------------------------------------------------------


@app.command()
def verify(
    path: Annotated[
        Path,
        typer.Argument(
            help="A credential in any supported format ('-' for standard input): JSON (W3C "
            "credential or presentation, Open Badges 2.0, Blockcerts, JAdES-sealed Europass), "
            "a compact JWT or SD-JWT, CBOR (COSE), XAdES XML, a baked badge PNG/SVG, a PDF "
            "diploma or an image of its QR code."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    trust_issuer: Annotated[
        list[str] | None, typer.Option("--trust-issuer", help="Trust this issuer DID (repeatable).")
    ] = None,
    did_document: Annotated[
        list[Path] | None,
        typer.Option("--did-document", help="Use this DID document file instead of fetching it."),
    ] = None,
    status_list: Annotated[
        list[str] | None,
        typer.Option(
            "--status-list",
            help="Use this status list credential file instead of fetching it: FILE (matched "
            "by the list's id) or URL=FILE (the list the credential names by that URL).",
        ),
    ] = None,
    trust_list: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust-list", help="A NIC's signed trust list file (needs --trusted-nic for its key)."
        ),
    ] = None,
    trusted_nic: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-nic", help="DID=publicKeyMultibase of a NIC whose trust lists you accept."
        ),
    ] = None,
    policy: Annotated[
        str,
        typer.Option(help="Verification policy: default (incl. accreditation) or authenticity."),
    ] = "default",
    offline: Annotated[bool, typer.Option(help="Never fetch anything over the network.")] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option("--allow-host", help="Allow http / loopback for this host (development)."),
    ] = None,
    document: Annotated[
        list[str] | None,
        typer.Option(
            "--document",
            help="URL=FILE: use FILE for what the credential names at URL (an issuer profile "
            "or key, JWT VC issuer metadata, a token status list, a revocation list).",
        ),
    ] = None,
    seal_anchor: Annotated[
        list[Path] | None,
        typer.Option(
            "--seal-anchor",
            help="A PEM file of CA certificates trusted for seals and x5c chains (e.g. from an "
            "EU trust list).",
        ),
    ] = None,
    audience: Annotated[
        str | None,
        typer.Option(help="A presentation must be for this audience (aud / domain)."),
    ] = None,
    nonce: Annotated[
        str | None,
        typer.Option(help="A presentation must carry this nonce (nonce / challenge)."),
    ] = None,
    log_bundle: Annotated[
        Path | None,
        typer.Option(
            "--log-bundle",
            help="The diploma's transparency log bundle (diploma.log.json): offline evidence "
            "that it was logged, checked against --log-key (and the local database's logs).",
        ),
    ] = None,
    log_key: Annotated[
        list[str] | None,
        typer.Option("--log-key", help="A trusted log's checkpoint vkey (repeatable)."),
    ] = None,
    witness: Annotated[
        list[str] | None,
        typer.Option("--witness", help="A trusted witness's vkey for --log-key logs (repeatable)."),
    ] = None,
    witnesses_required: Annotated[
        int, typer.Option(min=0, help="How many --witness keys must have cosigned the checkpoint.")
    ] = 0,
) -> None:
    """Verify a diploma. Exit code 0 = valid, 1 = invalid, 2 = indeterminate, 64+ = usage/input."""
    from cryptography import x509

    from diploma_exchange.dids.document import DidDocument
    from diploma_exchange.dids.remote import SafeFetcher
    from diploma_exchange.services.verification import (
        CliInputs,
        Expectations,
        QrLink,
        RemoteLookups,
        attached_log_bundle,
        fetch_link,
        for_cli,
        read_input,
        with_pdf_seal,
    )
    from diploma_exchange.transparency import note
    from diploma_exchange.transparency.bundle import TrustedLog, WitnessPolicy
    from diploma_exchange.verification.report import select_policy

    settings = get_settings()
    documents: dict[str, bytes] = {}
    try:
        raw = (
            sys.stdin.buffer.read(settings.max_upload_bytes + 1)
            if str(path) == "-"
            else _read_limited(path, settings.max_upload_bytes)
        )
        given_docs = [p.read_bytes() for p in did_document or []]
        given_lists = []
        for list_file in status_list or []:
            url, sep, file = list_file.partition("=")
            if sep and url.startswith(("https://", "http://")) and file:
                # The list at the URL the credential names (its own id may differ).
                documents[url] = _read_limited(Path(file), settings.max_upload_bytes)
            else:
                given_lists.append(Path(list_file).read_bytes())
        given_trust_lists = [p.read_bytes() for p in trust_list or []]
        for entry in document or []:
            url, sep, file = entry.partition("=")
            if not sep or not url.startswith(("https://", "http://")) or not file:
                raise _fail(f"--document {entry!r} must be URL=FILE", Exit.USAGE)
            documents[url] = _read_limited(Path(file), settings.max_upload_bytes)
        anchors = [
            certificate
            for pem in seal_anchor or []
            for certificate in x509.load_pem_x509_certificates(pem.read_bytes())
        ]
        given_bundle = (
            _read_limited(log_bundle, settings.max_upload_bytes) if log_bundle is not None else None
        )
    except OSError as exc:
        raise _fail(f"cannot read {exc.filename}: {exc.strerror}", Exit.USAGE) from exc
    except ValueError as exc:
        raise _fail(f"--seal-anchor: not a PEM file of certificates ({exc})", Exit.USAGE) from exc
    limits = {"max_bytes": settings.max_body_bytes, "max_depth": settings.max_json_depth}
    try:
        received = read_input(settings, raw)
        if isinstance(received, QrLink):
            if offline:
                raise errors.InvalidInput(
                    f"the QR code holds the link {received.url[:200]}, which is not fetched "
                    "offline; verify the credential file itself",
                    code="qr-link-offline",
                )
            fetcher = SafeFetcher(
                allow_hosts=[*(allow_host or []), *settings.fetch_allow_hosts],
                timeout=settings.fetch_timeout_seconds,
                max_bytes=settings.fetch_max_bytes,
            )
            received = fetch_link(settings, RemoteLookups(None, None, fetcher), received.url)
        docs = [DidDocument.from_json(strict_json.loads(d, **limits)) for d in given_docs]
        lists = [strict_json.loads(d, **limits) for d in given_lists]
        trust_view = _trust_lists_view(
            [
                strict_json.loads(d, max_bytes=64 * 1024 * 1024, max_depth=64)
                for d in given_trust_lists
            ],
            trusted_nic or [],
        )
        chosen_policy = select_policy(policy)
        bundle_data = strict_json.loads(given_bundle, **limits) if given_bundle else None
        if bundle_data is not None and not isinstance(bundle_data, dict):
            raise errors.InvalidInput("--log-bundle must hold one JSON object")
        trusted_logs = [
            TrustedLog(v.name, (v,))
            for v in (note.parse_vkey(k, expected_type=note.ED25519) for k in log_key or [])
        ]
        log_policy = WitnessPolicy(
            tuple(note.parse_vkey(v, expected_type=note.COSIGNATURE_V1) for v in witness or []),
            witnesses_required,
        )
    except errors.Error as exc:
        raise _fail(_describe(exc)) from exc
    except ValueError as exc:
        raise _fail(str(exc), Exit.USAGE) from exc
    if not all(isinstance(x, dict) for x in lists):
        raise _fail("each status list file must hold one JSON object")
    inputs = CliInputs(
        did_documents=docs,
        status_lists=lists,
        trust_lists=trust_view,
        trusted_issuers=trust_issuer or [],
        offline=offline,
        allow_hosts=allow_host or [],
        documents=documents,
        seal_anchors=anchors,
        log_bundle=bundle_data if bundle_data is not None else attached_log_bundle(received),
        trusted_logs=trusted_logs,
        log_policy=log_policy,
    )
    session = _local_registry_session(settings)
    try:
        report = for_cli(settings, inputs, session).verify(
            received,
            policy=chosen_policy,
            now=datetime.now(UTC),
            expect=Expectations(audience=audience, nonce=nonce),
        )
        report = with_pdf_seal(session, settings, received, report)
    except errors.Error as exc:
        raise _fail(_describe(exc)) from exc
    finally:
        if session is not None:
            session.close()
    if as_json:
        out.print_json(data=report.to_json())
    else:
        _print_report(report, dict(report.content or {}))
    raise typer.Exit(
        int(
            {"valid": Exit.VALID, "invalid": Exit.INVALID, "indeterminate": Exit.INDETERMINATE}[
                report.verdict.value
            ]
        )
    )


def _read_limited(path: Path, limit: int) -> bytes:
    """A file's bytes, refused (without reading it whole) when over ``limit``."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise errors.LimitExceeded(
            f"{path} is larger than {limit} bytes", code="input-too-large", extra={"limit": limit}
        )
    return data


def _print_report(report: Any, document: dict[str, Any]) -> None:
    """The report for a person. Text from the credential is untrusted: it is never markup
    (rich.text.Text, no emoji codes), and long values wrap inside their column."""
    from rich.table import Table
    from rich.text import Text

    from diploma_exchange.documents.view import diploma_view

    colour = {"valid": "green", "invalid": "red", "indeterminate": "yellow"}[report.verdict.value]
    headline = Text(report.verdict.value.upper(), style=f"bold {colour}")
    out.print(headline)
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold", no_wrap=True)
    summary.add_column(overflow="fold")
    view = diploma_view(document)
    shown_as = (
        "(as the signed credential says)"
        if report.valid
        else "(what the file claims; NOT verified)"
    )
    described = report.format or {}
    format_text = " ".join(
        str(part)
        for part in (described.get("label") or described.get("name"), described.get("version"))
        if part
    )
    for label, value in (
        ("format", format_text),
        ("credential", report.credential_id),
        ("issuer", report.issuer),
        ("institution", view.institution_name),
        ("holder", view.holder("en")),
        ("qualification", view.qualification_name("en")),
        ("awarded", view.awarded_date),
        ("policy", report.policy.name),
    ):
        if value:
            summary.add_row(Text(label), Text(str(value)))
    if view.holder("en") or view.qualification_name("en"):
        summary.add_row(Text(""), Text(shown_as, style="dim"))
    out.print(summary)
    table = Table(show_header=True, header_style="bold", expand=True, box=None, padding=(0, 1))
    table.add_column("result", no_wrap=True, width=7)
    table.add_column("check", no_wrap=True)
    table.add_column("message", overflow="fold", ratio=1)
    marks = {
        "passed": ("PASS", "green"),
        "failed": ("FAIL", "red"),
        "error": ("ERROR", "yellow"),
        "skipped": ("SKIP", "dim"),
    }
    for check in report.checks:
        label, style = marks[check.status.value]
        if check.waived:
            label, style = "WAIVED", "cyan"
        table.add_row(Text(label, style=style), Text(check.name.value), Text(check.message))
    out.print(table)


# --- recognition -----------------------------------------------------------------------------


@app.command()
def assess(
    path: Annotated[
        Path | None,
        typer.Argument(help="A diploma credential .json file (or describe one with --from ...)."),
    ] = None,
    to: Annotated[
        str, typer.Option("--to", help="Receiving country (ISO 3166-1 alpha-2), e.g. KR.")
    ] = "",
    purpose: Annotated[
        str | None,
        typer.Option(
            help="Why recognition is sought: admission-bachelor, admission-master, "
            "admission-doctorate, employment, regulated-profession, academic-title."
        ),
    ] = None,
    required_field: Annotated[
        str | None,
        typer.Option(help="ISCED-F code the receiving programme requires (makes it a criterion)."),
    ] = None,
    awarding: Annotated[
        str | None, typer.Option("--from", help="Described: awarding country (ISO code).")
    ] = None,
    qualification_type: Annotated[
        str | None, typer.Option("--type", help="Described: type id, e.g. ua.specialist.")
    ] = None,
    isced_level: Annotated[str | None, typer.Option(help="Described: ISCED 2011 code.")] = None,
    isced_field: Annotated[str | None, typer.Option(help="Described: ISCED-F 2013 code.")] = None,
    nqf_level: Annotated[str | None, typer.Option(help="Described: national level.")] = None,
    credits: Annotated[
        str | None, typer.Option(help="Described: credits, or a range such as 180-240.")
    ] = None,
    credit_system: Annotated[str | None, typer.Option(help="Described: e.g. ECTS.")] = None,
    length_years: Annotated[
        str | None, typer.Option(help="Described: official length in years.")
    ] = None,
    award_date: Annotated[str | None, typer.Option(help="Described: YYYY-MM-DD.")] = None,
    institution_type: Annotated[
        str | None,
        typer.Option(
            help="Described: university, university-of-applied-sciences, college, "
            "junior-college, research-institute, arts-institution."
        ),
    ] = None,
    institution_tier: Annotated[
        str | None, typer.Option(help="Described: institution status, e.g. project-211.")
    ] = None,
    prior_qualification: Annotated[
        str | None, typer.Option(help="Described: the qualification that gave access to it.")
    ] = None,
    completed: Annotated[
        bool | None,
        typer.Option(
            "--completed/--not-completed",
            help="Described: whether the programme was completed (a certificate of study is not).",
        ),
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the reasoning: en, ru or kk.")] = "en",
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
    issue_statement: Annotated[
        bool,
        typer.Option(
            "--statement/--no-statement",
            help="Store a NIC-signed statement about the diploma (needs the database).",
        ),
    ] = False,
    offline: Annotated[
        bool, typer.Option(help="Verify the diploma without fetching anything.")
    ] = False,
) -> None:
    """Assess a diploma, or compare a qualification described by hand (advisory), for a
    receiving country: the same assessment as the API and the web pages. A diploma is
    verified first and assessed only when valid. Exit 0, or 1/2 when the diploma is
    invalid/indeterminate, 64/65 for usage/input errors."""
    from diploma_exchange.recognition.inputs import qualification_from_fields
    from diploma_exchange.services import recognition

    settings = get_settings()
    if not re.fullmatch(r"[A-Za-z]{2}", to):
        raise _fail("--to needs the receiving country's ISO 3166-1 alpha-2 code", Exit.USAGE)
    if lang not in ("en", "ru", "kk"):
        raise _fail("--lang is one of en, ru, kk", Exit.USAGE)
    described = {
        "country": awarding,
        "qualification_type": qualification_type,
        "isced_level": isced_level,
        "isced_field": isced_field,
        "nqf_level": nqf_level,
        "credits": credits,
        "credit_system": credit_system,
        "length_years": length_years,
        "award_date": award_date,
        "institution_type": institution_type,
        "institution_tier": institution_tier,
        "prior_qualification": prior_qualification,
        "completed": completed,
    }
    described = {k: v for k, v in described.items() if v is not None}
    if (path is None) == (not described):
        raise _fail(
            "give either a diploma file or a described qualification (--from, --type, ...)",
            Exit.USAGE,
        )
    try:
        if path is None:
            if issue_statement:
                raise _fail(
                    "a described qualification gets an advisory comparison, never a signed "
                    "statement",
                    Exit.USAGE,
                )
            outcome = recognition.compare(
                to,
                qualification=qualification_from_fields(described),
                purpose=purpose,
                required_field=required_field,
            )
        else:
            document = _read_credential(path, settings)
            outcome = _assess_diploma(
                settings,
                document,
                to,
                purpose=purpose,
                required_field=required_field,
                issue_statement=issue_statement,
                offline=offline,
            )
    except errors.NotVerified as exc:
        console.print(f"[bold red]error:[/] {exc.message}")
        verdict = str(exc.extra.get("verdict", "")) if exc.extra else ""
        raise typer.Exit(int(Exit.INVALID if verdict == "invalid" else Exit.INDETERMINATE)) from exc
    except errors.Error as exc:
        raise _fail(_describe(exc)) from exc
    result = recognition.with_names(outcome.assessment)
    if outcome.statement is not None:
        result["statementId"] = outcome.statement_id
    if as_json:
        out.print_json(data=result)
        return
    _print_assessment(result, lang)


def _read_credential(path: Path, settings: Settings) -> dict[str, Any]:
    try:
        document = strict_json.loads(
            path.read_bytes(), max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth
        )
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror}", Exit.USAGE) from exc
    if not isinstance(document, dict):
        raise _fail("the file must hold one credential (a JSON object)")
    return document


def _assess_diploma(
    settings: Settings,
    document: dict[str, Any],
    to: str,
    *,
    purpose: str | None,
    required_field: str | None,
    issue_statement: bool,
    offline: bool,
) -> Any:
    """Verify, then :func:`services.recognition.compare` (or sign with --statement)."""
    from diploma_exchange.services import recognition
    from diploma_exchange.services.verification import CliInputs, for_cli

    if issue_statement:
        from sqlmodel import Session

        with Session(_engine(settings), expire_on_commit=False) as session:
            outcome = recognition.assess_and_issue(
                session,
                settings,
                receiving_country=to,
                credential=document,
                purpose=purpose,
                required_field=required_field,
            )
            session.commit()
        return outcome
    session = _local_registry_session(settings)
    try:
        report = for_cli(settings, CliInputs(offline=offline), session).verify(
            document, now=datetime.now(UTC)
        )
    finally:
        if session is not None:
            session.close()
    return recognition.compare(
        to, credential=document, report=report, purpose=purpose, required_field=required_field
    )


def _print_assessment(result: dict[str, Any], lang: str) -> None:
    """An assessment for a person (texts from the data and from the credential are never
    markup: rich.text.Text)."""
    from rich.text import Text

    if result.get("advisory"):
        out.print(
            Text(
                "advisory comparison: self-declared facts, not verified, not signed",
                style="yellow",
            )
        )
    summary = result.get("summary") or {}
    out.print(Text(str(summary.get(lang) or result.get("outcome")), style="bold"))
    names = result.get("comparable_names") or []
    types = result.get("comparable_types") or []
    if types:
        out.print(Text(f"  comparable to: {' / '.join(names or types)} [{', '.join(types)}]"))
    if result.get("receiving_level"):
        out.print(Text(f"  level: {result['receiving_level']}"))
    recognised = result.get("credits_recognised") or {}
    if recognised.get("ects_min") is not None:
        out.print(
            Text(
                f"  credits recognised: {recognised['ects_min']:g}-{recognised['ects_max']:g} ECTS"
            )
        )
    for option in result.get("purposes") or []:
        out.print(Text(f"  for {option['purpose']}: {option['outcome']}"))
    for name, criterion in (result.get("criteria") or {}).items():
        reason = (criterion.get("texts") or {}).get(lang) or criterion.get("reason", "")
        out.print(Text(f"  {name:<20} {criterion.get('status')!s:<8} {reason}"))
    for fact in result.get("missing_facts") or []:
        out.print(
            Text(
                f"  missing: {fact['name'].get(lang) or fact['name']['en']} "
                f"(document: {fact['document'].get(lang) or fact['document']['en']})"
            )
        )
    for contradiction in result.get("contradictions") or []:
        out.print(Text(f"  contradiction: {contradiction.get('message')}"))
    if result.get("statementId"):
        out.print(Text(f"  signed statement: {result['statementId']}"))


# --- OpenAPI ---------------------------------------------------------------------------------


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the API (independent of the local settings)."""
    from diploma_exchange.api.app import create_app

    settings = Settings(database_url="sqlite://", environment="development")
    return create_app(settings).openapi()


@app.command("export-openapi")
def export_openapi(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write it.")] = Path(
        "openapi/openapi.json"
    ),
) -> None:
    """Write the OpenAPI 3.1 document (checked in under openapi/; a test catches drift)."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(
        json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    )
    console.print(f"wrote {out_file}")


audit_app = typer.Typer(help="The hash-chained audit log of every state change.")
app.add_typer(audit_app, name="audit")


def _anchor(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    from diploma_exchange.services import audit

    try:
        return audit.parse_anchor(value)
    except errors.InvalidInput as exc:
        raise _fail(exc.message, Exit.USAGE) from exc


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
        out.print(
            f"audit log intact: {report.entries} entries, head {report.last_seq}:"
            f"{report.last_sha256}"
        )
    else:
        for p in report.problems:
            console.print(f"[bold red]{p.code}[/] at entry {p.seq}: {p.message}")
    if not report.intact:
        raise typer.Exit(int(Exit.INVALID))


@audit_app.command("head")
def audit_head() -> None:
    """Print the last entry as SEQ:SHA256: store it elsewhere to anchor later verifications."""
    from sqlmodel import Session

    from diploma_exchange.services import audit

    with Session(_engine(get_settings())) as session:
        seq, digest = audit.head(session)  # the head row alone: no walk of the whole log
    out.print(f"{seq}:{digest}")


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
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


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
        raise _fail(f"there is no database at {_shown(url)}", Exit.USAGE)
    if out_file.exists() and not force:
        raise _fail(f"{out_file} exists; pass --force to overwrite it", Exit.USAGE)
    engine = make_engine(url)
    try:
        summary = backups.backup(
            engine, out_file, on_table=lambda name, rows: console.print(f"  {name}: {rows} rows")
        )
    except errors.Error as exc:
        raise _fail(_describe(exc)) from exc
    finally:
        engine.dispose()
    console.print(
        f"wrote {summary.path} (it holds personal data: keep it as safe as the database); "
        "store its SHA-256 apart from it"
    )
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
        raise _fail(f"{archive} is not a file", Exit.USAGE)
    try:
        manifest = backups.verify_archive(
            archive, limits=_backup_limits(max_gib), expected_sha256=sha256
        )
    except backups.InvalidBackup as exc:
        raise _fail(f"the archive is not intact: {_describe(exc)}", Exit.INVALID) from exc
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
        raise _fail(f"{archive} is not a file", Exit.USAGE)
    url = database_url or get_settings().database_url
    engine = make_engine(url)
    try:
        summary = backups.restore(
            engine,
            archive,
            limits=_backup_limits(max_gib),
            expected_sha256=sha256,
            on_table=lambda name, rows: console.print(f"  {name}: {rows} rows"),
        )
    except backups.InvalidBackup as exc:
        raise _fail(
            f"the archive is not intact, nothing was restored: {_describe(exc)}", Exit.INVALID
        ) from exc
    except errors.Error as exc:
        raise _fail(f"nothing was restored: {_describe(exc)}") from exc
    finally:
        engine.dispose()
    console.print(
        f"restored into {_shown(url)} at schema revision {summary.manifest.revision}; "
        "`diploma-exchange db upgrade` brings it to this release's schema"
    )
    out.print_json(data=summary.to_json())


from diploma_exchange.cli_log import log_app

app.add_typer(log_app, name="log")

import diploma_exchange.cli_eu_trust  # noqa: F401  (registers `trust import-eu-lists`)


def main() -> None:
    """Console-script entry: usage errors exit with 64, since 1 and 2 are verdicts of ``verify``.

    Typer vendors its own copy of click, so its exceptions are recognised by shape (a
    ``show()`` method and an ``exit_code``) rather than by importing a private module.
    """
    try:
        code = app(standalone_mode=False)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        names = {cls.__name__ for cls in type(exc).__mro__}
        if "UsageError" in names and hasattr(exc, "show"):
            exc.show()
            sys.exit(int(Exit.USAGE))
        if "ClickException" in names and hasattr(exc, "show"):
            exc.show()
            sys.exit(int(Exit.INPUT))
        if "Abort" in names:
            sys.exit(130)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
