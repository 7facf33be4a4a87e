"""``diploma-exchange trust import-eu-lists``: EU trusted lists as seal trust anchors.

Registered by ``cli.py`` on the ``trust`` group; the reading and checking is the domain's
(``trust/eu_trusted_lists.py``), this module only reads files and writes the anchors file.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from rich.markup import escape

from diploma_exchange import errors
from diploma_exchange.cli.common import Exit, _fail, console, out
from diploma_exchange.cli.institutions import trust_app
from diploma_exchange.cli.verify import _read_limited
from diploma_exchange.config import get_settings
from diploma_exchange.trust.eu_trusted_lists import MAX_LIST_BYTES, import_trusted_lists

DEFAULT_OUT = Path("var/eu-seal-anchors.pem")


def _now() -> datetime:
    """The moment lists are checked for freshness (a seam for tests)."""
    return datetime.now(UTC)


@trust_app.command("import-eu-lists")
def import_eu_lists(
    lotl: Annotated[Path, typer.Argument(help="The EU list of the lists (eu-lotl.xml).")],
    national: Annotated[
        list[Path], typer.Argument(help="National trusted lists (XML) to take anchors from.")
    ],
    lotl_signer: Annotated[
        Path,
        typer.Option(
            help="PEM file of the certificates allowed to sign the LOTL, as published in the "
            "Official Journal of the EU (pin them; never take them from the LOTL itself).",
        ),
    ],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where to write the anchors (default: seal_trust_anchors_file, else "
            f"{DEFAULT_OUT}).",
        ),
    ] = None,
) -> None:
    """Verify the EU trusted lists and write the qualified e-seal CAs they grant as the seal
    trust anchors Europass (JAdES/XAdES) and x5c-sealed credentials are checked against."""
    settings = get_settings()
    try:
        signers = x509.load_pem_x509_certificates(lotl_signer.read_bytes())
    except (OSError, ValueError) as exc:
        raise _fail(f"--lotl-signer {lotl_signer}: not a PEM file of certificates ({exc})")
    try:
        lotl_bytes = _read_limited(lotl, MAX_LIST_BYTES)
        national_bytes = [_read_limited(path, MAX_LIST_BYTES) for path in national]
        result = import_trusted_lists(lotl_bytes, national_bytes, lotl_signers=signers, now=_now())
    except errors.Error as exc:
        raise _fail(f"{exc.code}: {exc.message}")
    if not result.anchors:
        raise _fail(
            "these lists grant no qualified CA for electronic seals: nothing was written",
            Exit.INPUT,
        )
    target = out_file or settings.seal_trust_anchors_file or DEFAULT_OUT
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(result.pem())
    os.replace(temporary, target)  # readers see the old file or the new one, never half
    out.print(f"{escape(result.name)}: {len(result.anchors)} qualified e-seal CA certificate(s)")
    for anchor in result.anchors:
        out.print(f"  {anchor.territory}  {escape(anchor.subject)}", soft_wrap=True)
    out.print(f"valid until {result.next_update.isoformat()} (re-import before then)")
    out.print(f"written to {escape(str(target))}")
    if settings.seal_trust_anchors_file is None or (
        settings.seal_trust_anchors_file.resolve() != target.resolve()
    ):
        console.print(
            f"set DIPLOMA_EXCHANGE_SEAL_TRUST_ANCHORS_FILE={escape(str(target))} for the "
            "service and the CLI to use them"
        )


__all__ = ["import_eu_lists"]
