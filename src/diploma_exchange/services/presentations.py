"""This service as an OpenID4VP 1.0 verifier: a verifier (the upload page, or an admissions
office through the API) asks a wallet for a diploma and the fields it needs; the wallet
fetches the signed Request Object, answers with a ``vp_token`` by ``direct_post``; the service
verifies every presentation with its own verifier, bound to the request (audience = the full
Client Identifier, nonce = the request's), and keeps the report for the verifier to read
with the secret handle it got when it made the request.

A request is answered once: a second answer (a replay, or another wallet) is refused, and a
presentation made for another request fails its holder binding (nonce, audience).
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
from diploma_exchange.db.models import PresentationRequestRecord, as_utc, utcnow_seconds
from diploma_exchange.errors import Error, Gone, NotFound
from diploma_exchange.formats.inputs import parse_compact_jws, split_sd_jwt
from diploma_exchange.formats.sd_jwt import process_disclosures
from diploma_exchange.proofs import keys
from diploma_exchange.services import institutions, verification, wallets
from diploma_exchange.services.verification import RemoteLookups
from diploma_exchange.sharing import codes
from diploma_exchange.verification.verifier import Expectations
from diploma_exchange.wallets import oid4vp
from diploma_exchange.wallets.errors import OAuthError
from diploma_exchange.wallets.sd_jwt_vc import sign_compact


def verifier_did(settings: Settings) -> str:
    """The service's own DID (the NIC's did:web) is the verifier's Client Identifier."""
    return institutions.nic_did(settings)


def request_uri(settings: Settings, request_id: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/oid4vp/requests/{request_id}"


def response_uri(settings: Settings) -> str:
    return f"{settings.public_base_url.rstrip('/')}/oid4vp/responses"


@dataclass(frozen=True)
class NewRequest:
    record: PresentationRequestRecord
    handle: str
    request_uri: str
    authorization_request: str


def create_request(
    session: Session,
    settings: Settings,
    *,
    fields: list[str],
    formats: list[str],
    label: str = "",
    now: datetime | None = None,
) -> NewRequest:
    """A presentation request for a diploma with ``fields``.

    Raises:
        InvalidInput: unknown fields or formats (``presentation-request-fields``).
    """
    now = now or utcnow_seconds()
    query = oid4vp.dcql_query(fields, formats=formats, vct=wallets.endpoints(settings).vct)
    handle = codes.new_token()
    record = PresentationRequestRecord(
        nonce=secrets.token_urlsafe(32),
        handle_sha256=codes.digest(handle),
        dcql_query=json.dumps(query),
        label=label.strip()[:120],
        created_at=now,
        expires_at=now + timedelta(minutes=settings.presentation_request_minutes),
    )
    session.add(record)
    session.flush()
    uri = request_uri(settings, record.id)
    return NewRequest(
        record, handle, uri, oid4vp.authorization_request(verifier_did(settings), uri)
    )


def _pending(session: Session, request_id: str, now: datetime) -> PresentationRequestRecord:
    record = session.get(PresentationRequestRecord, request_id[:36])
    if record is None:
        raise NotFound("no such presentation request", code="presentation-request-not-found")
    if record.state != "pending":
        raise Gone("this presentation request was already answered", code="presentation-answered")
    if now >= as_utc(record.expires_at):
        raise Gone("this presentation request has expired", code="presentation-request-expired")
    return record


def request_object(
    session: Session, settings: Settings, request_id: str, *, now: datetime | None = None
) -> str:
    """The signed Request Object (JAR) behind ``request_uri``.

    Raises:
        NotFound, Gone: unknown, answered or expired request.
    """
    now = now or utcnow_seconds()
    record = _pending(session, request_id, now)
    nic = institutions.find_institution_by_did(session, verifier_did(settings))
    if nic is None:
        raise NotFound("this service has no verifier key", code="verifier-key-missing")
    signer = institutions.signer_for(session, settings, nic)
    claims = oid4vp.request_object_claims(
        verifier_did=verifier_did(settings),
        response_uri=response_uri(settings),
        nonce=record.nonce,
        state=record.id,
        query=json.loads(record.dcql_query),
        now=now,
        lifetime=as_utc(record.expires_at) - now,
    )
    header = {
        "alg": keys.jws_algorithm(signer),
        "typ": oid4vp.REQUEST_TYP,
        "kid": signer.verification_method,
    }
    return sign_compact(header, claims, signer.sign)


def _disclosed(presented: oid4vp.Presented) -> dict[str, Any] | None:
    """The claims a verified presentation disclosed (None when they cannot be read)."""
    try:
        if isinstance(presented.presentation, str):
            parts = split_sd_jwt(presented.presentation)
            payload = parse_compact_jws(parts.issuer_jwt, what="the SD-JWT").payload_json()
            return process_disclosures(payload, parts.disclosures).claims
        credentials = presented.presentation.get("verifiableCredential")
        first = credentials[0] if isinstance(credentials, list) and credentials else credentials
        return first if isinstance(first, dict) else None
    except Error:
        return None


def receive_response(
    session: Session,
    settings: Settings,
    form: dict[str, str],
    *,
    remote: RemoteLookups | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The Response URI (§8.2): verify the ``vp_token`` for the request named by ``state``.

    Raises:
        OAuthError: ``invalid_request`` (unknown/answered/expired request, malformed token).
    """
    now = now or utcnow_seconds()
    state = form.get("state", "")
    try:
        record = _pending(session, state, now)
    except (NotFound, Gone) as exc:
        raise OAuthError("invalid_request", exc.message) from exc
    # One answer per request, decided before the (slow) verification.
    won = session.execute(
        update(PresentationRequestRecord)
        .where(
            col(PresentationRequestRecord.id) == record.id,
            col(PresentationRequestRecord.state) == "pending",
        )
        .values(state="answered", answered_at=now)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise OAuthError("invalid_request", "this presentation request was already answered")
    query = json.loads(record.dcql_query)
    if "error" in form:
        result: dict[str, Any] = {
            "verdict": "refused",
            "error": form.get("error", "")[:64],
            "errorDescription": form.get("error_description", "")[:300],
        }
    else:
        try:
            presented = oid4vp.parse_vp_token(form.get("vp_token"), query)
        except OAuthError:
            session.execute(
                update(PresentationRequestRecord)
                .where(col(PresentationRequestRecord.id) == record.id)
                .values(state="refused", report=json.dumps({"verdict": "malformed"}))
            )
            raise
        expect = Expectations(audience=oid4vp.client_id(verifier_did(settings)), nonce=record.nonce)
        queries = {q["id"]: q for q in query["credentials"]}
        reports = []
        for item in presented:
            received = item.presentation
            report = verification.verify(
                session,
                settings,
                received.encode() if isinstance(received, str) else received,
                remote=remote,
                expect=expect,
            ).to_json()
            disclosed = _disclosed(item) if report["verdict"] == "valid" else None
            report["query"] = item.query_id
            report["missingClaims"] = (
                oid4vp.missing_claims(disclosed, queries[item.query_id])
                if disclosed is not None
                else None
            )
            report["disclosed"] = disclosed
            reports.append(report)
        verdicts = [r["verdict"] for r in reports]
        overall = (
            "invalid"
            if "invalid" in verdicts
            else "indeterminate"
            if "indeterminate" in verdicts
            else "valid"
        )
        if overall == "valid" and any(r["missingClaims"] for r in reports):
            overall = "incomplete"
        result = {"verdict": overall, "presentations": reports}
    session.execute(
        update(PresentationRequestRecord)
        .where(col(PresentationRequestRecord.id) == record.id)
        .values(report=json.dumps(result))
    )
    return {}


def result(session: Session, handle: str) -> dict[str, Any]:
    """What a verifier sees with its handle: the request, its state and the report.

    Raises:
        NotFound: unknown handle (``presentation-request-not-found``).
    """
    if not handle or len(handle) > 128:
        raise NotFound("no such presentation request", code="presentation-request-not-found")
    record = session.exec(
        select(PresentationRequestRecord).where(
            PresentationRequestRecord.handle_sha256 == codes.digest(handle)
        )
    ).first()
    if record is None:
        raise NotFound("no such presentation request", code="presentation-request-not-found")
    return {
        "id": record.id,
        "label": record.label,
        "state": record.state,
        "createdAt": as_utc(record.created_at).isoformat(),
        "expiresAt": as_utc(record.expires_at).isoformat(),
        "answeredAt": as_utc(record.answered_at).isoformat() if record.answered_at else None,
        "dcqlQuery": json.loads(record.dcql_query),
        "result": json.loads(record.report) if record.report else None,
    }
