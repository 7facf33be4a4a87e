"""``diploma-exchange log``: the issuance transparency log from the command line.

Registered by ``cli/__init__.py`` (``app.add_typer(log_app, name="log")``); calls services only.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from diploma_exchange import errors
from diploma_exchange.cli.common import (
    Exit,
    _describe,
    _engine,
    _fail,
    cli_language,
    console,
    out,
    say_line,
    styled,
    tr,
    trn,
)
from diploma_exchange.config import get_settings

log_app = typer.Typer(
    help="The issuance transparency log: checkpoints, monitoring, bundles, witnesses.",
    no_args_is_help=True,
)


def _details(message: str) -> str:
    """A message the domain writes in English: as it is in English; else marked as the English
    details (as ``verify`` marks a check's technical line)."""
    if cli_language() == "en":
        return message
    return f"{tr('checkline.details_en')}: {message}"


def _action(action: str) -> str:
    """A logged status change's action in the CLI's language (an unknown one as logged)."""
    key = f"cli.log.action.{action}"
    return tr(key) if action in ("revoke", "suspend", "reinstate") else action


def _session() -> Any:
    from sqlmodel import Session

    return Session(_engine(get_settings()), expire_on_commit=False)


@log_app.command("info")
def log_info() -> None:
    """Print the log's origin and verifier key, and this service's witness key (give them to
    partner NICs and verifiers)."""
    from diploma_exchange.services import transparency

    settings = get_settings()
    with _session() as session:
        data = {
            "origin": settings.effective_log_origin,
            "vkey": transparency.log_verifier(session, settings).vkey,
            "tilesPrefix": settings.public_base_url.rstrip("/") + "/log",
            "witnessVkey": transparency.witness_verifier(session, settings).vkey,
            "witnessPrefix": settings.public_base_url.rstrip("/") + "/witness",
        }
        session.commit()
    out.print_json(data=data)


@log_app.command("checkpoint")
def log_checkpoint(
    witness: Annotated[
        bool, typer.Option(help="Also ask the log's witnesses to cosign it.")
    ] = True,
) -> None:
    """Integrate new entries, sign a checkpoint now and print it."""
    from diploma_exchange.services import transparency

    settings = get_settings()
    engine = _engine(settings)
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        transparency.publish_checkpoint(session, settings)
        session.commit()
    if witness:
        result = transparency.request_cosignatures(
            engine, settings, transparency.http_poster(settings)
        )
        for name, message in result.failed.items():
            console.print(
                styled(tr("cli.log.no_cosign", name=name), "yellow", _details(message)),
                soft_wrap=True,
            )
    with Session(engine) as session:
        record = transparency.latest_checkpoint(session)
        if record is not None:
            out.print(
                Text(transparency.checkpoint_with_cosignatures(session, record)),
                end="",
                soft_wrap=True,
            )


def _read_since(value: str | None) -> str | None:
    if value is None:
        return None
    path = Path(value)
    if not value.strip().isdigit() and path.is_file():
        return path.read_text(encoding="utf-8")
    return value


@log_app.command("monitor")
def log_monitor(
    institution: Annotated[str, typer.Option(help="The institution's slug.")],
    since: Annotated[
        str | None,
        typer.Option(
            help="A checkpoint file saved by an earlier run (or a tree size): list only what "
            "was logged after it, and prove the log only grew since."
        ),
    ] = None,
    save: Annotated[
        Path | None, typer.Option(help="Write the checkpoint scanned to, for the next --since.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """List every diploma (and status change and key event) logged under an institution's
    identifiers since a checkpoint, after verifying the log. Exit 1 if the log does not verify."""
    from diploma_exchange.api.routes.transparency import monitor_report

    settings = get_settings()
    try:
        with _session() as session:
            report = monitor_report(session, settings, institution, _read_since(since))
            session.commit()
    except errors.Error as exc:
        raise _fail(_describe(exc)) from exc
    if save is not None:
        save.write_text(report.checkpoint, encoding="utf-8")
    if as_json:
        out.print_json(data=report.model_dump(mode="json", by_alias=True))
    else:
        summary = trn(
            "cli.log.monitor.summary",
            len(report.issuances),
            origin=report.origin,
            start=report.start,
            size=report.tree_size,
            institution=institution,
        )
        out.print(Text(summary))
        issued = tr("cli.log.monitor.issued")
        for item in report.issuances:
            say_line(f"{item.index}\t{item.logged_at}\t{issued}\t{item.digest}\t{item.key}")
        for change in report.status_changes:
            action = _action(change.action)
            say_line(f"{change.index}\t{change.logged_at}\t{action}\t{change.digest}")
        for event in report.key_events:
            key = tr("cli.log.monitor.key", event=event.event)
            say_line(f"{event.index}\t{event.logged_at}\t{key}\t{event.key}")
        for problem in report.problems:
            console.print(
                styled(f"{problem.code}:", "bold red", _details(problem.message)), soft_wrap=True
            )
    if not report.intact:
        raise typer.Exit(int(Exit.INVALID))


@log_app.command("bundle")
def log_bundle(
    credential_id: str,
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the bundle.")],
) -> None:
    """Write a diploma's log evidence (entries, inclusion proofs, checkpoint) to a file, for
    verification without network access (`log verify-bundle`)."""
    from diploma_exchange.services import issuance, transparency

    settings = get_settings()
    with _session() as session:
        record = issuance.get_credential(session, credential_id)
        if record is None:
            raise _fail(tr("cli.log.no_diploma", id=repr(credential_id)))
        try:
            bundle = transparency.bundle_for_digest(session, settings, record.secured_digest)
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
        session.commit()
    out_file.write_text(json.dumps(bundle.to_json(), indent=2) + "\n", encoding="utf-8")
    console.print(Text(tr("cli.log.wrote", file=out_file)), soft_wrap=True)


@log_app.command("verify-bundle")
def log_verify_bundle(
    credential_file: Path,
    bundle_file: Path,
    log_key: Annotated[
        list[str], typer.Option("--log-key", help="A trusted log's checkpoint vkey (repeat).")
    ],
    witness: Annotated[
        list[str] | None, typer.Option("--witness", help="A trusted witness's vkey (repeat).")
    ] = None,
    witnesses_required: Annotated[
        int, typer.Option(min=0, help="How many of the --witness keys must have cosigned.")
    ] = 0,
    max_age: Annotated[
        int | None,
        typer.Option(help="Seconds: the newest cosignature must be at most this old."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check offline that a diploma is in a trusted log (exit 0), was logged after its key
    ended (1), or cannot be confirmed from this bundle (2)."""
    from diploma_exchange import strict_json
    from diploma_exchange.proofs.secured import first_proof, secured_digest
    from diploma_exchange.transparency import note
    from diploma_exchange.transparency.bundle import (
        LogBundle,
        LogStatus,
        TrustedLog,
        WitnessPolicy,
        verify_bundle,
    )

    try:
        credential = strict_json.loads(credential_file.read_bytes())
        bundle = LogBundle.from_json(strict_json.loads(bundle_file.read_bytes()))
        logs = [note.parse_vkey(v, expected_type=note.ED25519) for v in log_key]
        witnesses = tuple(
            note.parse_vkey(v, expected_type=note.COSIGNATURE_V1) for v in witness or []
        )
        proof = first_proof(credential) if isinstance(credential, dict) else None
        if proof is None:
            raise errors.InvalidInput(
                "the credential file holds one credential with a proof (or a proof set)"
            )
        issuer = credential.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        verdict = verify_bundle(
            bundle,
            credential_digest=secured_digest(credential),
            issuer=str(issuer_id),
            verification_method=str(proof.get("verificationMethod")),
            trusted_logs=[TrustedLog(v.name, (v,)) for v in logs],
            policy=WitnessPolicy(
                witnesses,
                witnesses_required,
                timedelta(seconds=max_age) if max_age is not None else None,
            ),
            now=datetime.now(UTC),
        )
    except errors.Error as exc:
        raise _fail(_describe(exc), Exit.INPUT) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise _fail(tr("cli.cannot_read", path=exc.filename, reason=reason), Exit.INPUT) from exc
    if as_json:
        out.print_json(
            data={
                "status": verdict.status.value,
                "code": verdict.code,
                "message": verdict.message,
                "details": verdict.details,
            }
        )
    else:
        status = tr(f"cli.log.bundle.{verdict.status.value}")
        say_line(f"{status}: {verdict.code}: {_details(verdict.message)}")
    raise typer.Exit(
        int(
            {
                LogStatus.PASSED: Exit.VALID,
                LogStatus.FAILED: Exit.INVALID,
                LogStatus.INDETERMINATE: Exit.INDETERMINATE,
            }[verdict.status]
        )
    )


@log_app.command("add-witness")
def log_add_witness(
    vkey: Annotated[str, typer.Option(help="The witness's cosignature/v1 vkey.")],
    url: Annotated[str, typer.Option(help="The witness's submission prefix.")],
    partner: Annotated[str | None, typer.Option(help="The partner NIC's DID.")] = None,
) -> None:
    """Have a partner NIC witness this log."""
    from diploma_exchange.services import transparency

    with _session() as session:
        try:
            transparency.add_witness(session, vkey=vkey, url=url, partner_did=partner)
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
        session.commit()
    console.print(Text(tr("cli.log.witness_added")))


@log_app.command("witness-log")
def log_witness_log(
    origin: Annotated[str, typer.Option(help="The partner log's origin.")],
    vkey: Annotated[str, typer.Option(help="The partner log's checkpoint vkey.")],
    url: Annotated[str | None, typer.Option(help="Its tiles prefix.")] = None,
    partner: Annotated[str | None, typer.Option(help="The partner NIC's DID.")] = None,
) -> None:
    """Witness a partner NIC's log (cosign its checkpoints; trust it when verifying)."""
    from diploma_exchange.services import transparency

    with _session() as session:
        try:
            transparency.add_witnessed_log(
                session, origin=origin, vkey=vkey, url=url, partner_did=partner
            )
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
        session.commit()
    console.print(Text(tr("cli.log.witnessing", origin=origin)), soft_wrap=True)
