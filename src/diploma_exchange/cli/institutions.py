"""``institutions`` and ``trust``: NIC administration, accreditation, trust lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from diploma_exchange import errors, strict_json
from diploma_exchange.cli.common import (
    Exit,
    _describe,
    _engine,
    _fail,
    app,
    console,
    inst_app,
    out,
    tr,
)
from diploma_exchange.config import get_settings

# --- institutions ----------------------------------------------------------------------------


@inst_app.command("create")
def institutions_create(
    slug: str,
    name: str,
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2")] = "KZ",
    nic: Annotated[
        bool, typer.Option(help="Create the NIC identity (did:web of the host).")
    ] = False,
    key_type: Annotated[
        str,
        typer.Option(
            "--key-type",
            help="Issuing key type: Ed25519 (EdDSA suites), P-256 or P-384 (ECDSA suites). "
            "Every institution also gets an Ed25519 key.",
        ),
    ] = "Ed25519",
) -> None:
    """Register an institution (or the NIC) and print its first API key (shown once)."""
    from sqlmodel import Session

    from diploma_exchange.proofs import keys
    from diploma_exchange.services import institutions

    try:
        kind = keys.parse_key_type(key_type)
    except errors.InvalidInput as exc:
        raise _fail(exc.message, Exit.USAGE) from exc
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
                key_type=kind,
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
    message = "cli.inst.may_not_issue_any" if revoke else "cli.inst.may_issue_any"
    console.print(Text(tr(message, slug=slug)))


@inst_app.command("did-key")
def institutions_did_key(
    slug: str,
    key_type: Annotated[
        str | None,
        typer.Option(
            "--key-type",
            help="The did:key of the newest active key of this type (Ed25519, P-256, P-384); "
            "default: the issuing key's.",
        ),
    ] = None,
) -> None:
    """Print the did:key of an institution's issuing key (an issuer id for the VC-API)."""
    from sqlmodel import Session

    from diploma_exchange.proofs import keys
    from diploma_exchange.services import institutions

    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, slug)
            if key_type is None:
                typer.echo(institutions.did_key_of(session, record))
            else:
                key = institutions.active_key(session, record, keys.parse_key_type(key_type))
                typer.echo("did:key:" + key.public_key_multibase)
        except errors.InvalidInput as exc:
            raise _fail(exc.message, Exit.USAGE) from exc
        except errors.NotFound as exc:
            raise _fail(exc.message, Exit.USAGE) from exc


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
    sequence = document["credentialSubject"]["sequenceNumber"]
    console.print(Text(tr("cli.trust.wrote", sequence=sequence, file=out_file)))


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
    console.print(Text(tr("cli.trust.removed", did=did)))
