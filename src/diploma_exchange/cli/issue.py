"""``issue``: diplomas from a JSON or CSV file, signed locally."""

from __future__ import annotations

import contextlib
import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from diploma_exchange import errors, strict_json
from diploma_exchange.cli.common import (
    Exit,
    LangOption,
    _describe,
    _engine,
    _fail,
    _progress,
    app,
    console,
    tr,
    trn,
    use_language,
)
from diploma_exchange.config import get_settings

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
    reissue_reason: Annotated[
        str | None,
        typer.Option(
            help="Re-issue: replace a diploma already issued to the same graduate for the same "
            "programme (revoked as superseded, linked to the new one) instead of refusing it; "
            "give the reason."
        ),
    ] = None,
    lang: LangOption = None,
) -> None:
    """Issue diplomas from a JSON or CSV file, signing locally with the institution's key.

    A CSV file is streamed: validated whole first (nothing is issued if any row is wrong),
    then issued in transactions of --chunk-size diplomas signed on every core; running the
    same file again resumes after the last committed chunk instead of issuing twice.

    A diploma already issued to the same graduate for the same programme (or with the same
    diploma number) is refused, every one named, unless --reissue-reason asks to replace it.
    """
    use_language(lang)
    try:
        reissue = _reissue(reissue_reason)
    except errors.Error as exc:
        raise _fail(_describe(exc), Exit.USAGE) from exc
    if path.suffix.lower() == ".csv":
        _issue_csv_stream(path, institution, out_dir, workers, chunk_size, job_key, jsonl, reissue)
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
        raise _fail(tr("cli.issue.empty"))
    engine = _engine(settings)
    signed: list[dict[str, Any]] = []
    chunk = settings.max_batch_size
    with Session(engine, expire_on_commit=False) as session, _progress() as progress:
        task = progress.add_task(tr("cli.issue.signing"), total=total)
        try:
            record = institutions.get_institution(session, institution)
            principal = institutions.Principal("institution", "cli", record)
            signer = institutions.issuing_signer(session, settings, record)
            for start in range(0, len(diplomas), chunk):
                part = diplomas[start : start + chunk]
                signed += issuance.issue_diplomas(
                    session, settings, principal, part, signer=signer, reissue=reissue
                ).credentials
                progress.advance(task, len(part))
            for start in range(0, len(credentials), chunk):
                part_c = credentials[start : start + chunk]
                signed += issuance.issue_credentials(
                    session, settings, principal, part_c, signer=signer, reissue=reissue
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
    say(trn("cli.issue.issued", len(signed), dir=out_dir))
    say(tr("cli.issue.claim_codes", file=claims_file))


def say(text: str) -> None:
    """A summary line for the registrar on standard error (plain text, never markup)."""
    console.print(Text(text))


def _reissue(reason: str | None) -> Any:
    from diploma_exchange.services.issuance import Reissue

    return Reissue(reason) if reason is not None else None


def _issue_csv_stream(
    path: Path,
    institution: str,
    out_dir: Path,
    workers: int | None,
    chunk_size: int,
    job_key: str | None,
    jsonl: bool,
    reissue: Any,
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
                reissue=reissue,
            )
        except errors.Error as exc:
            raise _fail(_describe(exc)) from exc
    skipped = trn("cli.issue.skipped", result.skipped_chunks) if result.skipped_chunks else ""
    issued = trn(
        "cli.issue.issued_of",
        result.total,
        issued=result.issued,
        dir=out_dir,
        seconds=f"{result.seconds:.1f}",
    )
    say(issued + trn("cli.issue.workers", result.workers) + skipped)
    say(tr("cli.issue.claim_codes", file=claims_file))


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
