"""VC-API exchanges (W3C CCG VC-API §Exchanges) for the Learner Credential Wallet and other
VC-API wallets, over the messages of :mod:`diploma_exchange.wallets.vcapi_exchange`.

Two workflows, one step each:

- ``diploma-issuance``: made by the graduate (their page) or the issuing institution (API)
  for one diploma. The wallet proves control of its DID (DID Authentication: a presentation
  signed with ``proofPurpose: authentication``, this exchange's ``challenge`` and
  ``domain``); the service answers with the diploma bound to that DID
  (``credentialSubject.id``), signed anew and recorded like an OpenID4VCI ``ldp_vc``
  issuance (register, transparency log, audit; the graduate's page lists it).
- ``diploma-verification``: made by a verifier (the upload page, an admissions office). The
  wallet presents a diploma in a presentation signed by its DID; the service verifies the
  holder's proof, challenge, domain and every credential, and keeps the report for the
  verifier, who reads it with the secret handle it got at creation.

An exchange is single use: the first presentation posted claims it (a conditional update on
its state, so two concurrent answers cannot both win, on SQLite and PostgreSQL alike); a
replay, or any later answer, is refused. Exchanges expire.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.db.models import (
    CredentialRecord,
    InstitutionRecord,
    VcApiExchangeRecord,
    as_utc,
    utcnow_seconds,
)
from diploma_exchange.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from diploma_exchange.services import audit, verification, wallets
from diploma_exchange.services.verification import RemoteLookups
from diploma_exchange.sharing import codes
from diploma_exchange.verification import CheckStatus
from diploma_exchange.verification.report import CheckName
from diploma_exchange.verification.verifier import Expectations
from diploma_exchange.wallets import vcapi_exchange as vx

#: What the wallet is shown as the reason for a verification exchange without a label.
DEFAULT_REASON = "A verifier asks to see your diploma."
#: The checks of a DID Authentication presentation that must pass.
DID_AUTH_CHECKS = (
    CheckName.PROOF_SIGNATURE,
    CheckName.PROOF_KEY_BINDING,
    CheckName.PROOF_HOLDER_BINDING,
)
MAX_LIFETIME = timedelta(days=1)


class ExchangeRefused(Forbidden):
    """The wallet's answer was refused after the exchange was claimed: the exchange is now
    ``invalid`` and that state must be kept (the caller answers without rolling back)."""

    code = "exchange-refused"


def base_url(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/")


def exchange_url(settings: Settings, workflow: str, exchange_id: str) -> str:
    return f"{base_url(settings)}/workflows/{workflow}/exchanges/{exchange_id}"


def domain_of(settings: Settings) -> str:
    """The ``domain`` presentations are bound to: this service's origin."""
    return vx.origin(base_url(settings))


@dataclass(frozen=True)
class NewExchange:
    """An exchange just made; ``exchange_id`` and ``handle`` are shown once."""

    record: VcApiExchangeRecord
    exchange_id: str
    handle: str
    url: str

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.url,
            "exchangeId": self.exchange_id,
            "workflowId": self.record.workflow,
            "handle": self.handle,
            "state": self.record.state,
            "expires": as_utc(self.record.expires_at).isoformat().replace("+00:00", "Z"),
            "protocols": vx.protocols(self.url),
            "interactionUrl": f"{self.url}?iuv=1",
            "walletUrl": vx.lcw_link(self.url),
            "deepLink": vx.lcw_deep_link(self.url),
            "verifiablePresentationRequest": request_for(self.record, self.url),
        }
        if self.record.workflow == vx.WORKFLOW_ISSUANCE:
            body["directWalletUrl"] = vx.lcw_direct_link(self.url, self.record.challenge)
        return body


def request_for(record: VcApiExchangeRecord, url: str) -> dict[str, Any]:
    """The exchange's Verifiable Presentation Request."""
    if record.workflow == vx.WORKFLOW_ISSUANCE:
        return vx.did_authentication_request(url, challenge=record.challenge, domain=record.domain)
    return vx.diploma_request(
        url, challenge=record.challenge, domain=record.domain, reason=record.label or DEFAULT_REASON
    )


def _expiry(now: datetime, expires: datetime | None, default_minutes: int) -> datetime:
    if expires is None:
        return now + timedelta(minutes=default_minutes)
    if expires.tzinfo is None:
        raise InvalidInput(
            "expires must be an XML Schema dateTimeStamp (with a time zone)",
            pointer="/expires",
            code="exchange-expires",
        )
    if not now < expires <= now + MAX_LIFETIME:
        raise InvalidInput(
            "expires must be in the future and at most one day from now",
            pointer="/expires",
            code="exchange-expires",
        )
    return expires


def _create(
    session: Session,
    settings: Settings,
    *,
    workflow: str,
    credential_id: str | None,
    label: str,
    expires_at: datetime,
    now: datetime,
) -> NewExchange:
    exchange_id = codes.new_token()
    handle = codes.new_token()
    record = VcApiExchangeRecord(
        exchange_sha256=codes.digest(exchange_id),
        handle_sha256=codes.digest(handle),
        workflow=workflow,
        credential_id=credential_id,
        challenge=secrets.token_urlsafe(32),
        domain=domain_of(settings),
        label=label.strip()[: vx.MAX_LABEL],
        created_at=now,
        expires_at=expires_at,
    )
    session.add(record)
    session.flush()
    return NewExchange(record, exchange_id, handle, exchange_url(settings, workflow, exchange_id))


def create_issuance(
    session: Session,
    settings: Settings,
    *,
    credential_id: str,
    institution: InstitutionRecord | None = None,
    graduate: bool = False,
    expires: datetime | None = None,
    now: datetime | None = None,
) -> NewExchange:
    """An issuance exchange for one diploma, made by its graduate (``graduate=True``: the
    caller checked the session) or by its issuing ``institution``.

    Raises:
        Forbidden: neither the graduate nor an institution.
        NotFound: no such diploma issued by that institution (``diploma-not-found``).
        Conflict: the diploma is revoked (``diploma-revoked``).
        InvalidInput: a bad ``expires`` (``exchange-expires``).
    """
    if not graduate and institution is None:
        raise Forbidden("only the graduate or the issuing institution can send a diploma")
    now = now or utcnow_seconds()
    record = session.get(CredentialRecord, credential_id[:255])
    if record is None or (institution is not None and record.institution_id != institution.id):
        raise NotFound(
            f"no diploma {credential_id[:255]!r} issued by you", code="diploma-not-found"
        )
    if record.state == "revoked":
        raise Conflict("the diploma has been revoked", code="diploma-revoked")
    made = _create(
        session,
        settings,
        workflow=vx.WORKFLOW_ISSUANCE,
        credential_id=record.id,
        label="",
        expires_at=_expiry(now, expires, settings.wallet_offer_minutes),
        now=now,
    )
    audit.record(
        session,
        "wallet.exchange",
        "diploma",
        record.id,
        {"exchange": made.record.id, "by": "graduate" if graduate else "institution"},
    )
    return made


def create_verification(
    session: Session,
    settings: Settings,
    *,
    label: str = "",
    expires: datetime | None = None,
    now: datetime | None = None,
) -> NewExchange:
    """A verification exchange asking a wallet for a diploma.

    Raises:
        InvalidInput: a bad ``expires`` (``exchange-expires``) or a label over 120 characters.
    """
    if len(label) > vx.MAX_LABEL:
        raise InvalidInput(
            f"the label is limited to {vx.MAX_LABEL} characters",
            pointer="/variables/label",
            code="exchange-label",
        )
    now = now or utcnow_seconds()
    return _create(
        session,
        settings,
        workflow=vx.WORKFLOW_VERIFICATION,
        credential_id=None,
        label=label,
        expires_at=_expiry(now, expires, settings.presentation_request_minutes),
        now=now,
    )


def _find(session: Session, workflow: str, exchange_id: str) -> VcApiExchangeRecord:
    if workflow not in vx.WORKFLOWS:
        raise NotFound(f"no workflow {workflow[:64]!r}", code="workflow-not-found")
    record = None
    if exchange_id and len(exchange_id) <= 128:
        record = session.exec(
            select(VcApiExchangeRecord).where(
                VcApiExchangeRecord.exchange_sha256 == codes.digest(exchange_id)
            )
        ).first()
    if record is None or record.workflow != workflow:
        raise NotFound("no such exchange", code="exchange-not-found")
    return record


def _open(record: VcApiExchangeRecord, now: datetime) -> None:
    if record.state in ("complete", "invalid"):
        raise Conflict(
            "this exchange is over (it is single use); ask for a new one",
            code="exchange-complete",
        )
    if now >= as_utc(record.expires_at):
        raise Gone("this exchange has expired; ask for a new one", code="exchange-expired")


def protocols(
    session: Session, workflow: str, exchange_id: str, settings: Settings
) -> dict[str, Any]:
    """The exchange's ``protocols`` (its interaction URL's answer).

    Raises:
        NotFound: unknown workflow or exchange.
    """
    _find(session, workflow, exchange_id)
    return {"protocols": vx.protocols(exchange_url(settings, workflow, exchange_id))}


def participate(
    session: Session,
    settings: Settings,
    workflow: str,
    exchange_id: str,
    body: object,
    *,
    remote: RemoteLookups | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """``POST /workflows/{workflow}/exchanges/{exchange}``: without a presentation, the
    Verifiable Presentation Request; with one, the exchange's result.

    Raises:
        NotFound: unknown workflow or exchange.
        Conflict: the exchange is over (``exchange-complete``); a race lost to another answer.
        Gone: expired (``exchange-expired``).
        InvalidInput: a malformed body (see :func:`vx.parse_participation`).
        ExchangeRefused: the wallet's DID authentication failed, or the diploma can no longer
            be issued; the exchange is now ``invalid`` (keep that state: do not roll back).
    """
    now = now or utcnow_seconds()
    record = _find(session, workflow, exchange_id)
    url = exchange_url(settings, workflow, exchange_id)
    participation = vx.parse_participation(body)
    _open(record, now)
    if participation.presentation is None:
        session.execute(
            update(VcApiExchangeRecord)
            .where(
                col(VcApiExchangeRecord.id) == record.id,
                col(VcApiExchangeRecord.state) == "pending",
            )
            .values(state="active", sequence=VcApiExchangeRecord.sequence + 1)
        )
        return {"verifiablePresentationRequest": request_for(record, url)}
    # One answer per exchange, decided before the (slow) verification.
    won = session.execute(
        update(VcApiExchangeRecord)
        .where(
            col(VcApiExchangeRecord.id) == record.id,
            col(VcApiExchangeRecord.state).in_(("pending", "active")),
            col(VcApiExchangeRecord.expires_at) > now,
        )
        .values(
            state="complete",
            sequence=VcApiExchangeRecord.sequence + 1,
            completed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("this exchange was already answered", code="exchange-complete")
    presentation = participation.presentation
    holder = vx.holder_of(presentation)
    expect = Expectations(audience=record.domain, nonce=record.challenge)
    report = verification.verify(session, settings, presentation, remote=remote, expect=expect)
    report_json = report.to_json()
    if workflow == vx.WORKFLOW_ISSUANCE:
        return _issue(session, settings, record, holder, report, report_json, now)
    binding = vx.subject_binding(presentation)
    verdict = report.verdict.value
    if verdict == "valid" and binding == "mismatch":
        verdict = "invalid"
    elif verdict == "valid" and not vx.has_diploma(presentation):
        verdict = "incomplete"
    result = {
        "verdict": verdict,
        "holder": holder,
        "subjectBinding": binding,
        "verifiablePresentation": presentation,
        "report": report_json,
    }
    _finish(session, record, holder=holder, result=result)
    return {}


def _finish(
    session: Session,
    record: VcApiExchangeRecord,
    *,
    holder: str | None,
    result: dict[str, Any],
    state: str = "complete",
    digest: str | None = None,
) -> None:
    session.execute(
        update(VcApiExchangeRecord)
        .where(col(VcApiExchangeRecord.id) == record.id)
        .values(
            state=state,
            holder=holder[:2048] if holder else None,
            digest=digest,
            result=json.dumps(result),
        )
    )


def _refuse(
    session: Session,
    record: VcApiExchangeRecord,
    holder: str | None,
    code: str,
    message: str,
    report_json: dict[str, Any] | None = None,
) -> ExchangeRefused:
    _finish(
        session,
        record,
        holder=holder,
        state="invalid",
        result={"error": code, "detail": message, "report": report_json},
    )
    audit.act_as(session, f"wallet:exchange/{record.id}")
    audit.record(
        session,
        "wallet.exchange.refused",
        "diploma",
        record.credential_id or "",
        {"exchange": record.id, "code": code},
    )
    return ExchangeRefused(message, code=code)


def _issue(
    session: Session,
    settings: Settings,
    record: VcApiExchangeRecord,
    holder: str | None,
    report: Any,
    report_json: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    failing = [
        c for c in report.checks if c.name in DID_AUTH_CHECKS and c.status is not CheckStatus.PASSED
    ]
    ran = {c.name for c in report.checks}
    if holder is None:
        raise _refuse(
            session, record, None, "holder-missing", "the presentation names no holder DID"
        )
    if failing or not all(name in ran for name in DID_AUTH_CHECKS):
        detail = "; ".join(f"{c.name.value}: {c.message}" for c in failing) or "no holder proof"
        raise _refuse(
            session,
            record,
            holder,
            "did-authentication-failed",
            f"the DID authentication did not verify ({detail[:400]})",
            report_json,
        )
    credential = session.get(CredentialRecord, record.credential_id or "")
    if credential is None or credential.state == "revoked":
        raise _refuse(session, record, holder, "diploma-revoked", "the diploma has been revoked")
    institution = session.get(InstitutionRecord, credential.institution_id)
    if institution is None:  # pragma: no cover - foreign key
        raise _refuse(session, record, holder, "diploma-revoked", "the issuer is unknown")
    issued, digest = wallets.sign_holder_bound_copy(
        session, settings, credential, institution, holder, now
    )
    _finish(
        session,
        record,
        holder=holder,
        digest=digest,
        result={"verdict": "issued", "holder": holder, "digest": digest},
    )
    audit.act_as(session, f"wallet:exchange/{record.id}")
    audit.record(
        session,
        "wallet.issue",
        "diploma",
        credential.id,
        {"exchange": record.id, "format": "ldp_vc", "protocol": "vc-api", "digest": digest},
    )
    return {"verifiablePresentation": vx.presentation_of([issued])}


def state(
    session: Session, workflow: str, exchange_id: str, handle: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """What the exchange's owner sees (VC-API GetExchangeResponse): ``id``, ``sequence``,
    ``expires``, ``step``, ``state`` and ``variables`` (with the result under
    ``variables.results.<step>`` once the wallet answered).

    Raises:
        NotFound: unknown workflow or exchange.
        Forbidden: the handle is not this exchange's (``exchange-handle``).
    """
    now = now or utcnow_seconds()
    record = _find(session, workflow, exchange_id)
    if (
        not handle
        or len(handle) > 128
        or not secrets.compare_digest(codes.digest(handle), record.handle_sha256)
    ):
        raise Forbidden(
            "send the handle you got when you made the exchange as Authorization: Bearer",
            code="exchange-handle",
        )
    current = record.state
    if current in ("pending", "active") and now >= as_utc(record.expires_at):
        current = "invalid"
    step = vx.STEP_OF[workflow]
    variables: dict[str, Any] = {"label": record.label}
    if record.credential_id:
        variables["credentialId"] = record.credential_id
    if record.result:
        variables["results"] = {step: json.loads(record.result)}
    return {
        "id": exchange_id,
        "sequence": record.sequence,
        "expires": as_utc(record.expires_at).isoformat().replace("+00:00", "Z"),
        "step": step,
        "state": current,
        "variables": variables,
    }


def verification_by_handle(
    session: Session, handle: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """A verification exchange's state and result for the page that made it (the handle
    alone, as the verifier's result link carries it).

    Raises:
        NotFound: unknown handle (``exchange-not-found``).
    """
    now = now or utcnow_seconds()
    record = None
    if handle and len(handle) <= 128:
        record = session.exec(
            select(VcApiExchangeRecord).where(
                VcApiExchangeRecord.handle_sha256 == codes.digest(handle)
            )
        ).first()
    if record is None or record.workflow != vx.WORKFLOW_VERIFICATION:
        raise NotFound("no such exchange", code="exchange-not-found")
    current = record.state
    if current in ("pending", "active") and now >= as_utc(record.expires_at):
        current = "invalid"
    return {
        "state": current,
        "label": record.label,
        "expires": as_utc(record.expires_at),
        "result": json.loads(record.result) if record.result else None,
    }


__all__ = [
    "ExchangeRefused",
    "NewExchange",
    "create_issuance",
    "create_verification",
    "participate",
    "protocols",
    "state",
    "verification_by_handle",
]
