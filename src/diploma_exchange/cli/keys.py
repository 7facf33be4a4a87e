"""``keys``: generating, rotating and retiring institutions' signing keys."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

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
