"""``verify``: a diploma in any supported format, with a report for a person."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from diploma_exchange import errors, i18n, strict_json
from diploma_exchange.cli.common import (
    Exit,
    _describe,
    _fail,
    _local_registry_session,
    _trust_lists_view,
    app,
    out,
    tr,
    use_language,
)
from diploma_exchange.config import get_settings

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
    lang: Annotated[
        str | None,
        typer.Option(
            help="Language of the report: kk, ru or en (default: from LC_ALL / LANG, else en)."
        ),
    ] = None,
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

    language = use_language(lang)
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
        raise _fail(
            tr("cli.cannot_read", path=exc.filename, reason=exc.strerror), Exit.USAGE
        ) from exc
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
        raise _fail(_describe(exc, language)) from exc
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
    if bundle_data is not None and not trusted_logs and session is None:
        raise _fail(
            "--log-bundle needs --log-key: the checkpoint key of the log it is from (or a "
            "local database that trusts that log)",
            Exit.USAGE,
        )
    try:
        report = for_cli(settings, inputs, session).verify(
            received,
            policy=chosen_policy,
            now=datetime.now(UTC),
            expect=Expectations(audience=audience, nonce=nonce),
        )
        report = with_pdf_seal(session, settings, received, report)
    except errors.Error as exc:
        raise _fail(_describe(exc, language)) from exc
    finally:
        if session is not None:
            session.close()
    if as_json:
        out.print_json(data=report.to_json())
    else:
        _print_report(report, dict(report.content or {}), language)
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


def _print_report(report: Any, document: dict[str, Any], lang: str = "en") -> None:
    """The report for a person, in ``lang`` (the shared catalogues): the verdict, then whose
    diploma it is, which degree and which university, taken from the verified payload only
    (a diploma that did not verify shows none of them as facts), then every check.

    Text from the credential is untrusted: it is never markup or emoji codes (``Text`` on
    consoles with markup off), and long values fold inside their column at any width.
    """
    from rich.table import Table

    from diploma_exchange.documents.view import diploma_view

    def t(key: str) -> str:
        return i18n.translate(lang, key)

    verdict = report.verdict.value
    colour = {"valid": "green", "invalid": "red", "indeterminate": "yellow"}[verdict]
    out.print(Text(t(f"cli.verdict.{verdict}"), style=f"bold {colour}"))
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold", no_wrap=True)
    summary.add_column(overflow="fold")
    described = report.format or {}
    format_text = " ".join(
        str(part)
        for part in (described.get("label") or described.get("name"), described.get("version"))
        if part
    )
    rows: list[tuple[str, Any]] = [("format", format_text), ("credential", report.credential_id)]
    if report.valid:
        view = diploma_view(document)
        rows += [
            ("graduate", view.holder(lang)),
            ("degree", view.qualification_name(lang)),
            ("university", view.institution_name),
            ("awarded", view.awarded_date),
        ]
    rows += [("issuer", report.issuer), ("policy", report.policy.name)]
    for key, value in rows:
        if value:
            summary.add_row(Text(t(f"cli.row.{key}")), Text(str(value)))
    out.print(summary)
    if report.valid:
        out.print(Text(t("cli.verified_facts")))
    else:
        out.print(Text(t("cli.not_verified"), style=f"bold {colour}"))
    styles = {"passed": "green", "failed": "red", "error": "yellow", "skipped": "dim"}
    narrow = out.width < 72  # three columns leave the message a few letters a line
    table = Table(show_header=not narrow, header_style="bold", expand=True, box=None)
    table.padding = (0, 1)
    table.add_column(t("cli.col.result"), no_wrap=True, min_width=6)
    if not narrow:
        table.add_column(t("cli.col.check"), overflow="fold", max_width=24)
    table.add_column(t("cli.col.message"), overflow="fold", ratio=1)
    for check in report.checks:
        mark, style = t(f"cli.mark.{check.status.value}"), styles[check.status.value]
        if check.waived:
            mark, style = t("cli.mark.waived"), "cyan"
        name = Text(check.name.value, style="bold" if narrow else "")
        message = _check_message(check, lang)
        if narrow:  # the check's name on its line, its message below it, in one column
            table.add_row(Text(mark, style=style), Text.assemble(name, "\n", message))
        else:
            table.add_row(Text(mark, style=style), name, Text(message))
    out.print(table)


def _check_message(check: Any, lang: str) -> str:
    """A check's line in ``lang``, as the web page words it (templates/check_line.html): the
    translated outcome; for anything but a pass, the checker's English words as details."""
    if lang == "en":
        return str(check.message)
    line_key, code_key = f"checkline.{check.name.value}.{check.code}", f"checkcode.{check.code}"
    key = line_key if i18n.has(lang, line_key) else code_key if i18n.has(lang, code_key) else None
    translated = i18n.translate(lang, key) if key else ""
    if translated and check.status.value == "passed":
        return translated
    details = f"{i18n.translate(lang, 'checkline.details_en')}: {check.message}"
    return f"{translated} {details}" if translated else details
