"""The graduate's diploma in their own wallet: OpenID4VCI 1.0 issuance (pre-authorized code
flow) of the claimed diploma, with the state the protocol needs (offers, codes, access
tokens, nonces, issuance events) in the database.

- The graduate (signed in with their claim code) makes an **offer** for one or both formats,
  optionally protected by a **transaction code** shown next to it. The offer's
  pre-authorized code is single use and short lived.
- The wallet exchanges the code (and the transaction code) for an **access token** at the
  token endpoint, fetches a **c_nonce**, proves possession of its key and gets:
  - ``ldp_vc``: the diploma with ``credentialSubject.id`` set to the wallet's DID. That
    changes what the issuer signed, so this is a new Data Integrity proof by the
    institution's current key over the same diploma, recorded as issued here (register and
    transparency log) with the same ``credentialStatus``: revoking the diploma revokes it.
  - ``dc+sd-jwt``: an SD-JWT VC of the same diploma (:mod:`diploma_exchange.wallets.sd_jwt_vc`),
    whose ``status`` points at this service's IETF Token Status List made from the diploma's
    revocation list (the same index), so revocation and suspension reach it as well.
- Every issuance is recorded; the graduate's page lists them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.credentials.contexts import DIPLOMA_CREDENTIAL_CONTEXT
from diploma_exchange.db.models import (
    CredentialRecord,
    InstitutionRecord,
    SignedDocumentRecord,
    StatusAllocationRecord,
    StatusListRecord,
    VcApiExchangeRecord,
    WalletIssuanceRecord,
    WalletNonceRecord,
    WalletOfferRecord,
    WebSessionRecord,
    as_utc,
    utcnow_seconds,
)
from diploma_exchange.errors import Forbidden, InvalidInput, NotFound
from diploma_exchange.formats.model import DocumentFetcher
from diploma_exchange.proofs import keys
from diploma_exchange.proofs.rdfc import RdfcLimits
from diploma_exchange.services import audit, institutions, registry, transparency
from diploma_exchange.services.enveloped_issuance import issued_credential
from diploma_exchange.services.signing import DEFAULT_SUITES, rdfc_proof_limits, secure_document
from diploma_exchange.sharing import codes
from diploma_exchange.wallets import oid4vci
from diploma_exchange.wallets.errors import OAuthError
from diploma_exchange.wallets.oid4vci import Endpoints
from diploma_exchange.wallets.sd_jwt_vc import issue_sd_jwt_vc
from diploma_exchange.wallets.status_token import revoked_indexes, status_list_token

TX_CODE_DIGITS = 6
MAX_TX_ATTEMPTS = 5


def endpoints(settings: Settings) -> Endpoints:
    return Endpoints(settings.public_base_url.rstrip("/"))


def issuer_metadata(settings: Settings) -> dict[str, Any]:
    """The Credential Issuer Metadata. One issuer serves every institution, and each signs
    with its issuing key (:func:`institutions.issuing_signer`), so the signing algorithms
    listed are those of every key type: the cryptosuites of :data:`signing.DEFAULT_SUITES`
    (``ldp_vc``; the RDFC ones when ``issue_rdfc_proof`` is on) and the JWS algs of
    :data:`keys.JWS_ALGORITHMS` (``dc+sd-jwt``)."""
    return oid4vci.issuer_metadata(
        endpoints(settings),
        display_name="diploma-exchange",
        ldp_context=list(DIPLOMA_CREDENTIAL_CONTEXT),
        ldp_types=["VerifiableCredential", "OpenBadgeCredential", "DiplomaCredential"],
        cryptosuites=list(
            dict.fromkeys(
                suite
                for jcs, rdfc in DEFAULT_SUITES.values()
                for suite in ((jcs, rdfc) if settings.issue_rdfc_proof else (jcs,))
            )
        ),
        sd_jwt_algs=list(dict.fromkeys(keys.JWS_ALGORITHMS.values())),
    )


# --- offers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewOffer:
    """An offer just made: shown once (only digests are stored)."""

    record: WalletOfferRecord
    offer: dict[str, Any]
    by_value: str
    by_reference: str
    offer_uri: str
    tx_code: str | None


def create_offer(
    session: Session,
    settings: Settings,
    graduate: WebSessionRecord,
    *,
    configuration_ids: list[str],
    with_tx_code: bool,
    now: datetime | None = None,
) -> NewOffer:
    """A credential offer of the graduate's diploma.

    Raises:
        Forbidden: not a graduate's session.
        InvalidInput: no or unknown credential configurations (``offer-configurations``).
    """
    if graduate.kind != "graduate":
        raise Forbidden("only the graduate can send the diploma to a wallet")
    wanted = [c for c in oid4vci.CONFIGURATIONS if c in configuration_ids]
    if not wanted or len(set(configuration_ids)) != len(wanted):
        raise InvalidInput(
            f"choose the formats to offer among {', '.join(oid4vci.CONFIGURATIONS)}",
            code="offer-configurations",
        )
    now = now or utcnow_seconds()
    code = codes.new_token()
    tx_code = (
        "".join(secrets.choice("0123456789") for _ in range(TX_CODE_DIGITS))
        if with_tx_code
        else None
    )
    record = WalletOfferRecord(
        credential_id=graduate.credential_id,
        code_sha256=codes.digest(code),
        tx_code_sha256=codes.digest(tx_code) if tx_code else None,
        configuration_ids=json.dumps(wanted),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.wallet_offer_minutes),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        "wallet.offer",
        "diploma",
        graduate.credential_id,
        {"offer": record.id, "configurations": wanted, "txCode": tx_code is not None},
    )
    ends = endpoints(settings)
    offer = oid4vci.credential_offer(
        ends, wanted, code, tx_code_length=TX_CODE_DIGITS if tx_code else None
    )
    offer_uri = ends.offer(code)
    return NewOffer(
        record,
        offer,
        oid4vci.offer_by_value(offer),
        oid4vci.offer_by_reference(offer_uri),
        offer_uri,
        tx_code,
    )


def _live_offer(session: Session, code: str, now: datetime) -> WalletOfferRecord | None:
    if not code or len(code) > 128:
        return None
    record = session.exec(
        select(WalletOfferRecord).where(WalletOfferRecord.code_sha256 == codes.digest(code))
    ).first()
    if record is None or record.redeemed_at is not None or now >= as_utc(record.expires_at):
        return None
    return record


def offer_by_reference(
    session: Session, settings: Settings, code: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """The Credential Offer object behind a ``credential_offer_uri`` (§4.1.3).

    Raises:
        NotFound: unknown, used or expired offer (``offer-not-found``).
    """
    record = _live_offer(session, code, now or utcnow_seconds())
    if record is None:
        raise NotFound(
            "no such credential offer, or it was used or expired", code="offer-not-found"
        )
    return oid4vci.credential_offer(
        endpoints(settings),
        json.loads(record.configuration_ids),
        code,
        tx_code_length=TX_CODE_DIGITS if record.tx_code_sha256 else None,
    )


# --- token endpoint -----------------------------------------------------------------------


def exchange_code(
    session: Session, settings: Settings, form: Mapping[str, str], *, now: datetime | None = None
) -> dict[str, Any]:
    """The token endpoint (§6) for the Pre-Authorized Code grant, anonymous clients.

    Raises:
        OAuthError: RFC 6749 §5.2 / OpenID4VCI §6.3 errors.
    """
    now = now or utcnow_seconds()
    grant = form.get("grant_type")
    if not grant:
        raise OAuthError("invalid_request", "grant_type is missing")
    if grant != oid4vci.PRE_AUTHORIZED_GRANT:
        raise OAuthError(
            "unsupported_grant_type", "only the pre-authorized code grant is supported"
        )
    code = form.get("pre-authorized_code")
    if not code:
        raise OAuthError("invalid_request", "pre-authorized_code is missing")
    record = session.exec(
        select(WalletOfferRecord).where(WalletOfferRecord.code_sha256 == codes.digest(code))
    ).first()
    if record is None:
        raise OAuthError("invalid_grant", "the pre-authorized code is not known")
    if record.redeemed_at is not None:
        raise OAuthError("invalid_grant", "the pre-authorized code was already used")
    if now >= as_utc(record.expires_at):
        raise OAuthError("invalid_grant", "the pre-authorized code has expired")
    tx_code = form.get("tx_code")
    if record.tx_code_sha256 is None and tx_code is not None:
        raise OAuthError("invalid_request", "this offer does not use a transaction code")
    if record.tx_code_sha256 is not None:
        if not tx_code:
            raise OAuthError("invalid_request", "this offer needs its transaction code (tx_code)")
        if not hmac.compare_digest(codes.digest(tx_code[:64]), record.tx_code_sha256):
            # Counted in the database; the caller commits even though this raises.
            session.execute(
                update(WalletOfferRecord)
                .where(col(WalletOfferRecord.id) == record.id)
                .values(failed_tx_attempts=WalletOfferRecord.failed_tx_attempts + 1)
            )
            session.refresh(record)
            if record.failed_tx_attempts >= MAX_TX_ATTEMPTS:
                record.expires_at = now
                session.add(record)
                raise OAuthError(
                    "invalid_grant",
                    "too many wrong transaction codes; the offer is withdrawn, make a new one",
                )
            raise OAuthError("invalid_grant", "the transaction code is wrong")
    token = codes.new_token()
    expires = now + timedelta(seconds=settings.wallet_token_seconds)
    won = session.execute(
        update(WalletOfferRecord)
        .where(
            col(WalletOfferRecord.id) == record.id,
            col(WalletOfferRecord.redeemed_at).is_(None),
        )
        .values(redeemed_at=now, token_sha256=codes.digest(token), token_expires_at=expires)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise OAuthError("invalid_grant", "the pre-authorized code was already used")
    audit.act_as(session, f"wallet:offer/{record.id}")
    audit.record(session, "wallet.token", "diploma", record.credential_id, {"offer": record.id})
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": settings.wallet_token_seconds,
    }


# --- nonce endpoint -----------------------------------------------------------------------


def new_nonce(session: Session, settings: Settings, *, now: datetime | None = None) -> str:
    """A fresh, unpredictable c_nonce (§7), stored by digest until used or expired."""
    now = now or utcnow_seconds()
    if secrets.randbelow(100) == 0:
        # Now and then, forget nonces that can no longer be used (used ones included).
        session.execute(delete(WalletNonceRecord).where(col(WalletNonceRecord.expires_at) < now))
    nonce = codes.new_token()
    session.add(
        WalletNonceRecord(
            nonce_sha256=codes.digest(nonce),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.wallet_nonce_seconds),
        )
    )
    session.flush()
    return nonce


def _use_nonce(session: Session, nonce: str, now: datetime) -> bool:
    """Spend a c_nonce once (a conditional update: only one request can win)."""
    won = session.execute(
        update(WalletNonceRecord)
        .where(
            col(WalletNonceRecord.nonce_sha256) == codes.digest(nonce[:128]),
            col(WalletNonceRecord.used_at).is_(None),
            col(WalletNonceRecord.expires_at) > now,
        )
        .values(used_at=now)
    )
    return bool(won.rowcount == 1)  # type: ignore[attr-defined]


# --- credential endpoint ------------------------------------------------------------------


def _bearer_offer(session: Session, authorization: str | None, now: datetime) -> WalletOfferRecord:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise OAuthError(
            "invalid_token",
            "send the access token as Authorization: Bearer",
            status=401,
            bearer=True,
        )
    record = session.exec(
        select(WalletOfferRecord).where(
            WalletOfferRecord.token_sha256 == codes.digest(token.strip()[:128])
        )
    ).first()
    if record is None or record.token_expires_at is None or now >= as_utc(record.token_expires_at):
        raise OAuthError(
            "invalid_token", "the access token is unknown or expired", status=401, bearer=True
        )
    return record


def issue_credential(
    session: Session,
    settings: Settings,
    authorization: str | None,
    body: object,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The credential endpoint (§8): one credential per request (no batch), bound to the
    key of the single ``jwt`` key proof.

    Raises:
        OAuthError: RFC 6750 errors for the access token, §8.3.1.2 errors for the request.
    """
    now = now or utcnow_seconds()
    offer = _bearer_offer(session, authorization, now)
    if not isinstance(body, Mapping):
        raise OAuthError("invalid_credential_request", "the request body must be a JSON object")
    if "credential_identifier" in body:
        raise OAuthError(
            "unknown_credential_identifier",
            "no credential identifiers were issued; use credential_configuration_id",
        )
    configuration = body.get("credential_configuration_id")
    if not isinstance(configuration, str):
        raise OAuthError("invalid_credential_request", "credential_configuration_id is missing")
    if configuration not in oid4vci.CONFIGURATIONS:
        raise OAuthError(
            "unknown_credential_configuration", f"{configuration[:64]} is not offered here"
        )
    if configuration not in json.loads(offer.configuration_ids):
        raise OAuthError(
            "credential_request_denied", "this access token was not granted for that format"
        )
    if "credential_response_encryption" in body:
        raise OAuthError(
            "invalid_encryption_parameters", "encrypted credential responses are not supported"
        )
    proofs = body.get("proofs")
    if not isinstance(proofs, Mapping) or set(proofs) != {"jwt"}:
        raise OAuthError("invalid_proof", "proofs must hold exactly one proof type: jwt")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or len(jwts) != 1:
        raise OAuthError("invalid_proof", "send exactly one jwt key proof (no batch issuance)")
    ends = endpoints(settings)
    holder = oid4vci.verify_key_proof(
        jwts[0],
        audience=ends.issuer,
        now=now,
        max_age=timedelta(seconds=settings.wallet_proof_max_age_seconds),
    )
    if not _use_nonce(session, holder.nonce, now):
        raise OAuthError(
            "invalid_nonce", "the c_nonce is unknown, used or expired; get a fresh one"
        )
    already = session.exec(
        select(WalletIssuanceRecord.id).where(
            WalletIssuanceRecord.offer_id == offer.id,
            WalletIssuanceRecord.configuration_id == configuration,
        )
    ).first()
    if already is not None:
        raise OAuthError(
            "credential_request_denied", "this offer's credential of that format was already issued"
        )
    record = session.get(CredentialRecord, offer.credential_id)
    if record is None:
        raise OAuthError("credential_request_denied", "the diploma no longer exists")
    if record.state == "revoked":
        raise OAuthError("credential_request_denied", "the diploma has been revoked")
    institution = session.get(InstitutionRecord, record.institution_id)
    if institution is None:  # pragma: no cover - foreign key
        raise OAuthError("credential_request_denied", "the issuing institution is unknown")
    document = issued_credential(json.loads(record.document))
    if configuration == oid4vci.CONFIG_LDP_VC:
        credential: Any
        credential, digest = sign_holder_bound_copy(
            session, settings, record, institution, holder.did, now
        )
    else:
        list_record, index = _revocation_entry(session, record.id)
        # The institution's issuing key (Ed25519, P-256 or P-384), as for its diplomas.
        signer = institutions.issuing_signer(session, settings, institution)
        credential = issue_sd_jwt_vc(
            document,
            issuer=institution.did,
            kid=signer.verification_method,
            alg=keys.jws_algorithm(signer),
            sign=signer.sign,
            vct=ends.vct,
            holder_jwk=holder.jwk,
            status_uri=ends.status_list(list_record.id),
            status_index=index,
            issued_at=now,
        )
        digest = hashlib.sha256(credential.split("~", 1)[0].encode("ascii")).hexdigest()
        # In the register (the verifier's issuance.record check) and the transparency log.
        session.add(
            SignedDocumentRecord(
                digest=digest,
                issuer_did=institution.did,
                kind="wallet-sd-jwt",
                reference=record.id,
                signed_at=now,
            )
        )
        transparency.log_issued(session, institution.did, signer.verification_method, [digest])
    session.add(
        WalletIssuanceRecord(
            credential_id=record.id,
            offer_id=offer.id,
            configuration_id=configuration,
            format=oid4vci.FORMAT_OF[configuration],
            holder=holder.did,
            digest=digest,
            issued_at=now,
        )
    )
    session.flush()
    audit.act_as(session, f"wallet:offer/{offer.id}")
    audit.record(
        session,
        "wallet.issue",
        "diploma",
        record.id,
        {"offer": offer.id, "format": oid4vci.FORMAT_OF[configuration], "digest": digest},
    )
    return {"credentials": [{"credential": credential}]}


def sign_holder_bound_copy(
    session: Session,
    settings: Settings,
    record: CredentialRecord,
    institution: InstitutionRecord,
    holder_did: str,
    now: datetime,
) -> tuple[dict[str, Any], str]:
    """The diploma bound to ``holder_did``, signed anew by the institution's issuing key (with
    the cryptosuites of its type: eddsa-* for Ed25519, ecdsa-* for P-256/P-384) and recorded
    as issued here (register and transparency log): (credential, its digest)."""
    signer = institutions.issuing_signer(session, settings, institution)
    credential = _holder_bound_copy(
        issued_credential(json.loads(record.document)),
        holder_did,
        signer,
        now,
        rdfc_proof_limits(settings),
    )
    digest = registry.record_signed(session, credential, kind="wallet-copy", reference=record.id)
    transparency.log_issued(session, institution.did, signer.verification_method, [digest])
    return credential, digest


def _holder_bound_copy(
    document: Mapping[str, Any],
    holder_did: str,
    signer: Any,
    now: datetime,
    rdfc_limits: RdfcLimits | None,
) -> dict[str, Any]:
    """The diploma with ``credentialSubject.id`` = the wallet's DID, signed anew by the
    institution (same id, contents and status entries; only the subject id is added), with
    the same proof set as diplomas (the JCS proof of the key's type and, unless turned off,
    its RDFC twin, which the Learner Credential Wallet's verifier needs)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    subject = dict(unsecured.get("credentialSubject") or {})
    unsecured["credentialSubject"] = {"id": holder_did, **subject}
    return secure_document(unsecured, signer, now, rdfc_limits)


def _revocation_entry(session: Session, credential_id: str) -> tuple[StatusListRecord, int]:
    row = session.exec(
        select(StatusListRecord, StatusAllocationRecord.index)
        .join(
            StatusAllocationRecord, col(StatusAllocationRecord.list_id) == col(StatusListRecord.id)
        )
        .where(
            StatusAllocationRecord.credential_id == credential_id,
            StatusListRecord.purpose == "revocation",
        )
    ).first()
    if row is None:
        raise OAuthError(
            "credential_request_denied", "the diploma has no revocation entry to bind a status to"
        )
    return row[0], row[1]


# --- status list tokens -------------------------------------------------------------------


def status_token(
    session: Session, settings: Settings, list_id: str, *, now: datetime | None = None
) -> str:
    """The IETF Status List Token of a revocation list (see :mod:`wallets.status_token`).

    Raises:
        NotFound: no such revocation list (``status-list-not-found``).
    """
    now = now or utcnow_seconds()
    record = session.get(StatusListRecord, list_id[:36])
    if record is None or record.purpose != "revocation":
        raise NotFound("no such status list", code="status-list-not-found")
    institution = session.get(InstitutionRecord, record.institution_id)
    if institution is None:  # pragma: no cover - foreign key
        raise NotFound("no such status list", code="status-list-not-found")
    suspended = session.exec(
        select(StatusAllocationRecord.index)
        .join(
            CredentialRecord, col(CredentialRecord.id) == col(StatusAllocationRecord.credential_id)
        )
        .where(
            StatusAllocationRecord.list_id == record.id,
            CredentialRecord.state == "suspended",
        )
    ).all()
    signer = institutions.issuing_signer(session, settings, institution)
    return status_list_token(
        uri=endpoints(settings).status_list(record.id),
        issuer=institution.did,
        kid=signer.verification_method,
        alg=keys.jws_algorithm(signer),
        sign=signer.sign,
        size=record.size,
        revoked=revoked_indexes(record.bitstring),
        suspended=list(suspended),
        now=now,
        validity=timedelta(seconds=settings.status_list_validity_seconds),
        ttl=settings.status_list_ttl_seconds,
    )


class LocalStatusTokens:
    """A :class:`DocumentFetcher` serving this service's own status list tokens from the
    database (so the service's verifier sees a revocation at once, and without a network),
    every other URL through ``fallback``."""

    def __init__(self, session: Session, settings: Settings, fallback: DocumentFetcher | None):
        self._session = session
        self._settings = settings
        self._fallback = fallback
        self._prefix = endpoints(settings).status_list("")

    def _missing(self, url: str) -> Exception:
        from diploma_exchange.errors import DidResolutionError

        return DidResolutionError(f"{url[:120]} is not fetched: no fetcher is configured")

    def get_json(self, url: str) -> object:
        if self._fallback is None:
            raise self._missing(url)
        return self._fallback.get_json(url)

    def get_bytes(self, url: str, *, accept: str) -> bytes:
        if url.startswith(self._prefix):
            token = status_token(self._session, self._settings, url.removeprefix(self._prefix))
            return token.encode("ascii")
        if self._fallback is None:
            raise self._missing(url)
        return self._fallback.get_bytes(url, accept=accept)


# --- the graduate's view ------------------------------------------------------------------


@dataclass(frozen=True)
class WalletDelivery:
    """One time the diploma was sent to a wallet, by either protocol."""

    issued_at: datetime
    #: ``openid4vci`` or ``vc-api``
    channel: str
    format: str
    configuration_id: str
    holder: str


def issuances(session: Session, credential_id: str) -> list[WalletDelivery]:
    """Where the diploma was sent (OpenID4VCI issuances and completed VC-API issuance
    exchanges), newest first."""
    sent = [
        WalletDelivery(
            as_utc(item.issued_at), "openid4vci", item.format, item.configuration_id, item.holder
        )
        for item in session.exec(
            select(WalletIssuanceRecord).where(WalletIssuanceRecord.credential_id == credential_id)
        ).all()
    ]
    sent += [
        WalletDelivery(
            as_utc(item.completed_at or item.created_at),
            "vc-api",
            "ldp_vc",
            item.workflow,
            item.holder or "",
        )
        for item in session.exec(
            select(VcApiExchangeRecord).where(
                VcApiExchangeRecord.credential_id == credential_id,
                VcApiExchangeRecord.state == "complete",
                col(VcApiExchangeRecord.digest).is_not(None),
            )
        ).all()
    ]
    return sorted(sent, key=lambda d: d.issued_at, reverse=True)


__all__ = [
    "LocalStatusTokens",
    "NewOffer",
    "WalletDelivery",
    "create_offer",
    "exchange_code",
    "issuances",
    "issue_credential",
    "issuer_metadata",
    "new_nonce",
    "offer_by_reference",
    "sign_holder_bound_copy",
    "status_token",
]
