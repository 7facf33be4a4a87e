"""``assess``: recognition of a foreign qualification."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from diploma_exchange import errors, i18n, strict_json
from diploma_exchange.cli.common import (
    Exit,
    LangOption,
    _describe,
    _engine,
    _fail,
    _local_registry_session,
    app,
    console,
    out,
    styled,
    tr,
    use_language,
)
from diploma_exchange.config import Settings, get_settings

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
    lang: LangOption = None,
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

    language = use_language(lang)
    settings = get_settings()
    if not re.fullmatch(r"[A-Za-z]{2}", to):
        raise _fail(tr("cli.assess.to_usage"), Exit.USAGE)
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
        raise _fail(tr("cli.assess.either"), Exit.USAGE)
    try:
        if path is None:
            if issue_statement:
                raise _fail(tr("cli.assess.no_statement"), Exit.USAGE)
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
        label = tr("cli.error") + ":"
        message = exc.message if language == "en" else _describe(exc)
        console.print(styled(label, "bold red", message), soft_wrap=True)
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
    _print_assessment(result, language)


def _read_credential(path: Path, settings: Settings) -> dict[str, Any]:
    try:
        document = strict_json.loads(
            path.read_bytes(), max_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth
        )
    except OSError as exc:
        raise _fail(tr("cli.cannot_read", path=path, reason=exc.strerror), Exit.USAGE) from exc
    if not isinstance(document, dict):
        raise _fail(tr("cli.assess.not_one_credential"))
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
    """An assessment for a person in ``lang``: labels from the catalogues, outcomes, purposes,
    criteria and their statuses by the names the web pages give them (English: the codes, as
    the command always printed them). Texts from the data and from the credential are never
    markup (rich.text.Text)."""
    from rich.text import Text

    from diploma_exchange.recognition import messages

    def t(key: str, **values: object) -> str:
        return i18n.translate(lang, key, **values)

    def named(names: dict[str, Any], code: Any) -> str:
        if lang == "en" or code not in names:
            return str(code)
        return str(names[code].get(lang) or code)

    def status_name(status: Any) -> str:
        key = f"criterionstatus.{status}"
        return t(key) if lang != "en" and i18n.has(lang, key) else str(status)

    if result.get("advisory"):
        out.print(Text(t("cli.assess.advisory"), style="yellow"))
    summary = result.get("summary") or {}
    out.print(Text(str(summary.get(lang) or result.get("outcome")), style="bold"))
    names = result.get("comparable_names") or []
    types = result.get("comparable_types") or []
    if types:
        joined = f"{' / '.join(names or types)} [{', '.join(types)}]"
        out.print(Text(f"  {t('cli.assess.comparable')}: {joined}"))
    if result.get("receiving_level"):
        out.print(Text(f"  {t('cli.assess.level')}: {result['receiving_level']}"))
    recognised = result.get("credits_recognised") or {}
    if recognised.get("ects_min") is not None:
        span = f"{recognised['ects_min']:g}-{recognised['ects_max']:g} ECTS"
        out.print(Text(f"  {t('cli.assess.credits')}: {span}"))
    for option in result.get("purposes") or []:
        purpose = named(messages.PURPOSES, option["purpose"])
        outcome = named(messages.OUTCOMES, option["outcome"])
        out.print(Text(f"  {t('cli.assess.for_purpose', purpose=purpose)}: {outcome}"))
    for name, criterion in (result.get("criteria") or {}).items():
        reason = (criterion.get("texts") or {}).get(lang) or criterion.get("reason", "")
        label, status = named(messages.CRITERIA, name), status_name(criterion.get("status"))
        out.print(Text(f"  {label:<20} {status:<8} {reason}"))
    for fact in result.get("missing_facts") or []:
        fact_name = fact["name"].get(lang) or fact["name"]["en"]
        document = fact["document"].get(lang) or fact["document"]["en"]
        out.print(
            Text(
                f"  {t('cli.assess.missing')}: {fact_name} ({t('cli.assess.document')}: {document})"
            )
        )
    for contradiction in result.get("contradictions") or []:
        out.print(Text(f"  {t('cli.assess.contradiction')}: {contradiction.get('message')}"))
    if result.get("statementId"):
        out.print(Text(f"  {t('cli.assess.statement')}: {result['statementId']}"))
