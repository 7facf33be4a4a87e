"""``keys``: generating, rotating and retiring institutions' signing keys."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from diploma_exchange import errors
from diploma_exchange.cli.common import (
    Exit,
    _describe,
    _engine,
    _fail,
    keys_app,
    out,
)
from diploma_exchange.config import get_settings

if TYPE_CHECKING:
    from diploma_exchange.proofs.keys import KeyType

# --- keys ------------------------------------------------------------------------------------

_TYPE_HELP = "Key type: Ed25519 (EdDSA suites), P-256 or P-384 (ECDSA suites)."


def _key_type(value: str) -> KeyType:
    from diploma_exchange.proofs import keys

    try:
        return keys.parse_key_type(value)
    except errors.InvalidInput as exc:
        raise _fail(exc.message, Exit.USAGE) from exc


@keys_app.command("generate")
def keys_generate(
    out_file: Annotated[
        Path, typer.Option("--out", help="Where to write the encrypted PKCS#8 PEM.")
    ],
    passphrase_env: Annotated[
        str, typer.Option(help="Environment variable holding the passphrase.")
    ] = "DIPLOMA_EXCHANGE_KEY_PASSPHRASE",
    force: bool = False,
    key_type: Annotated[str, typer.Option("--type", help=_TYPE_HELP)] = "Ed25519",
) -> None:
    """Generate a key (Ed25519, P-256 or P-384), write it encrypted, print its Multikey and
    did:key."""
    from diploma_exchange.proofs import keys

    phrase = os.environ.get(passphrase_env)
    if not phrase:
        raise _fail(
            f"set the passphrase in ${passphrase_env} (it is never read from arguments)", Exit.USAGE
        )
    if out_file.exists() and not force:
        raise _fail(f"{out_file} exists; pass --force to overwrite", Exit.USAGE)
    kind = _key_type(key_type)
    key = keys.generate_signing_key(kind)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(keys.encrypt_private_key(key, phrase.encode()))
    out_file.chmod(0o600)
    multibase = keys.public_key_multibase(key.public_key())
    out.print_json(
        data={
            "file": str(out_file),
            "keyType": kind.value,
            "publicKeyMultibase": multibase,
            "didKey": f"did:key:{multibase}",
        }
    )


@keys_app.command("rotate")
def keys_rotate(
    institution: Annotated[str, typer.Option("--institution", help="Slug of the institution.")],
    note: Annotated[str | None, typer.Option(help="Kept in the key event log.")] = None,
    key_type: Annotated[
        str | None,
        typer.Option("--type", help=_TYPE_HELP + " Default: the issuing key type."),
    ] = None,
) -> None:
    """Add a new signing key and retire the current one of its type (it still verifies what it
    signed)."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions

    kind = _key_type(key_type) if key_type is not None else None
    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, institution)
            key = institutions.rotate_key(session, settings, record, note=note, key_type=kind)
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    out.print_json(
        data={
            "newKey": f"{record.did}#{key.key_id}",
            "keyType": institutions.key_type_of(key).value,
            "publicKeyMultibase": key.public_key_multibase,
        }
    )


@keys_app.command("add")
def keys_add(
    institution: Annotated[str, typer.Option("--institution", help="Slug of the institution.")],
    key_type: Annotated[str, typer.Option("--type", help=_TYPE_HELP)],
    issuing: Annotated[
        bool,
        typer.Option(
            "--issuing/--no-issuing",
            help="Make this key type the institution's issuing key type (its default suites).",
        ),
    ] = False,
) -> None:
    """Add a signing key of a type (the other keys stay active); with --issuing, credentials and
    status lists are signed with it from now on."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions

    kind = _key_type(key_type)
    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, institution)
            key = institutions.add_signing_key(session, settings, record, key_type=kind)
            if issuing:
                institutions.set_issuing_key_type(session, record, kind)
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    multibase = key.public_key_multibase
    out.print_json(
        data={
            "newKey": f"{record.did}#{key.key_id}",
            "keyType": kind.value,
            "publicKeyMultibase": multibase,
            "didKey": f"did:key:{multibase}",
            "issuingKeyType": record.issuing_key_type,
        }
    )


@keys_app.command("use")
def keys_use(
    institution: Annotated[str, typer.Option("--institution", help="Slug of the institution.")],
    key_type: Annotated[str, typer.Option("--type", help=_TYPE_HELP)],
) -> None:
    """Choose the institution's issuing key type: its newest active key of that type signs
    credentials and status lists, with that type's default cryptosuites."""
    from sqlmodel import Session

    from diploma_exchange.services import institutions

    kind = _key_type(key_type)
    settings = get_settings()
    with Session(_engine(settings), expire_on_commit=False) as session:
        try:
            record = institutions.get_institution(session, institution)
            institutions.set_issuing_key_type(session, record, kind)
            key = institutions.issuing_key(session, record)
            session.commit()
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    out.print_json(data={"issuingKeyType": kind.value, "issuingKey": f"{record.did}#{key.key_id}"})


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
