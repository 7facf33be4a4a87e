"""Graduates' access to their diplomas and the verification links they share.

- The university gets a one-time **claim code** per diploma (at issuance, or again later).
- Claiming it opens a **graduate session** bound to that one diploma (a 256-bit cookie token,
  stored hashed): simple, and nothing to remember or leak besides the cookie; a lost session
  is replaced by asking the university for a new code.
- The graduate makes **share links** (256-bit tokens, stored hashed) with an expiry, a label
  and an optional PIN, sees who opened them, and revokes them. Only the graduate's session
  can list, create or revoke links; a link's holder can only view.
- The **diploma link** is the one link printed as the PDF's QR code: one per diploma, no
  expiry other than the diploma's own ``validUntil``, no PIN (it is on paper), listed with the
  others and withdrawn like them. Every PDF rendered while it is active carries the same link:
  its token is derived from the service's secret (the key passphrase), so it is still stored
  only as a digest; a new passphrase would change every diploma link and stop the printed QR
  codes. After a withdrawal the next PDF gets a new one.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.db.bulk_insert import insert_rows
from diploma_exchange.db.models import (
    ClaimCodeRecord,
    CredentialRecord,
    ShareLinkEventRecord,
    ShareLinkRecord,
    WebSessionRecord,
    as_utc,
    core_table,
    utcnow_seconds,
)
from diploma_exchange.errors import (
    ConfigurationError,
    Forbidden,
    Gone,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)
from diploma_exchange.services import audit
from diploma_exchange.services.enveloped_issuance import issued_credential
from diploma_exchange.sharing import codes
from diploma_exchange.sharing.links import LinkPolicy, LinkState, link_state


def link_policy(settings: Settings) -> LinkPolicy:
    return LinkPolicy(
        default_days=settings.share_link_default_days, max_days=settings.share_link_max_days
    )


# --- claim codes ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimCode:
    """A freshly minted claim code: shown once, to the university."""

    credential_id: str
    code: str
    url: str
    expires_at: datetime


def claim_url(settings: Settings, code: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/claim/{code}"


def mint_claim_codes(
    session: Session,
    settings: Settings,
    credential_ids: list[str],
    *,
    now: datetime | None = None,
    only_unclaimed: bool = False,
    derive_from: str | None = None,
) -> dict[str, ClaimCode]:
    """New claim codes for ``credential_ids``; older unused codes of those diplomas stop
    working. With ``only_unclaimed``, diplomas already claimed get none (an issuance replay
    must not hand out a second way in). With ``derive_from`` (an idempotent issuance's batch
    id) the codes are derived from the server secret (:func:`replayed_claim_codes` gives
    them again) instead of drawn at random."""
    now = now or utcnow_seconds()
    if not credential_ids:
        return {}
    claimed: set[str] = set()
    if only_unclaimed:
        claimed = set(
            session.exec(
                select(ClaimCodeRecord.credential_id).where(
                    col(ClaimCodeRecord.credential_id).in_(credential_ids),
                    col(ClaimCodeRecord.claimed_at).is_not(None),
                )
            ).all()
        )
    wanted = [c for c in credential_ids if c not in claimed]
    if not wanted:
        return {}
    session.execute(
        update(ClaimCodeRecord)
        .where(
            col(ClaimCodeRecord.credential_id).in_(wanted),
            col(ClaimCodeRecord.claimed_at).is_(None),
            col(ClaimCodeRecord.superseded_at).is_(None),
        )
        .values(superseded_at=now)
    )
    for credential_id in wanted:
        audit.record(session, "claimcode.create", "diploma", credential_id)
    return store_new_claim_codes(
        session,
        settings,
        [
            (c, _derived(settings, derive_from, c) if derive_from else codes.new_claim_code())
            for c in wanted
        ],
        now=now,
    )


def _derived(settings: Settings, batch_id: str, credential_id: str) -> str:
    return codes.derived_claim_code(
        settings.passphrase_bytes() or b"", f"{batch_id}\x00{credential_id}"
    )


def replayed_claim_codes(
    session: Session,
    settings: Settings,
    batch_id: str,
    credential_ids: list[str],
    *,
    now: datetime | None = None,
) -> dict[str, ClaimCode]:
    """The claim codes an idempotent issuance first answered with, for the diplomas whose
    code still works (not claimed, replaced or expired): derived again, never read back
    (they are stored only hashed), and nothing is changed."""
    now = now or utcnow_seconds()
    derived = {c: _derived(settings, batch_id, c) for c in credential_ids}
    by_digest = {codes.digest(code): c for c, code in derived.items()}
    out: dict[str, ClaimCode] = {}
    digests = list(by_digest)
    for start in range(0, len(digests), 500):
        rows = session.exec(
            select(ClaimCodeRecord).where(
                col(ClaimCodeRecord.code_sha256).in_(digests[start : start + 500]),
                col(ClaimCodeRecord.claimed_at).is_(None),
                col(ClaimCodeRecord.superseded_at).is_(None),
            )
        ).all()
        for row in rows:
            credential_id = by_digest[row.code_sha256]
            expires = as_utc(row.expires_at)
            if row.credential_id == credential_id and expires > now:
                code = derived[credential_id]
                out[credential_id] = ClaimCode(
                    credential_id, code, claim_url(settings, code), expires
                )
    return out


def stable_claim_codes(
    session: Session, settings: Settings, context: str, credential_ids: list[str]
) -> dict[str, ClaimCode]:
    """Claim codes derived from the server secret and ``context`` that stay the same from call
    to call (a second ``make run`` prints the links the first printed, and they keep working):
    the live ones again, and new ones only for diplomas that never had theirs. A diploma
    already claimed, or whose derived code was used up, gets none."""
    live = replayed_claim_codes(session, settings, context, credential_ids)
    rest = [c for c in credential_ids if c not in live]
    if rest:
        derived = {c: codes.digest(_derived(settings, context, c)) for c in rest}
        used = set(
            session.exec(
                select(ClaimCodeRecord.code_sha256).where(
                    col(ClaimCodeRecord.code_sha256).in_(list(derived.values()))
                )
            ).all()
        )
        fresh = [c for c in rest if derived[c] not in used]
        live.update(
            mint_claim_codes(session, settings, fresh, only_unclaimed=True, derive_from=context)
        )
    return live


def store_new_claim_codes(
    session: Session, settings: Settings, pairs: list[tuple[str, str]], *, now: datetime
) -> dict[str, ClaimCode]:
    """Store (hashed) freshly generated codes for diplomas that have none yet."""
    expires = now + timedelta(days=settings.claim_code_days)
    out: dict[str, ClaimCode] = {}
    rows = []
    for credential_id, code in pairs:
        rows.append(
            {
                "id": str(uuid.uuid4()),
                "credential_id": credential_id,
                "code_sha256": codes.digest(code),
                "created_at": now,
                "expires_at": expires,
                "claimed_at": None,
                "superseded_at": None,
            }
        )
        out[credential_id] = ClaimCode(credential_id, code, claim_url(settings, code), expires)
    # One executemany: a graduating year mints 150,000 of these.
    insert_rows(session, core_table(ClaimCodeRecord), rows)
    return out


def claim(
    session: Session, settings: Settings, code: str, *, now: datetime | None = None
) -> tuple[str, WebSessionRecord]:
    """Use a claim code once: returns a new graduate session token (shown once, as a cookie)
    and its record.

    Raises:
        InvalidInput: malformed code (``claim-code-malformed``).
        NotFound: no such code (``claim-code-unknown``).
        Gone: used, replaced or expired (``claim-code-used`` / ``-replaced`` / ``-expired``).
    """
    now = now or utcnow_seconds()
    normalized = codes.normalize_claim_code(code)
    record = session.exec(
        select(ClaimCodeRecord).where(ClaimCodeRecord.code_sha256 == codes.digest(normalized))
    ).first()
    if record is None:
        raise NotFound(
            "this claim code is not known; check it against the one your university gave you",
            code="claim-code-unknown",
        )
    if record.claimed_at is not None:
        raise Gone(
            "this claim code was already used; if that was not you, ask your university for a new one",
            code="claim-code-used",
        )
    if record.superseded_at is not None:
        raise Gone(
            "this claim code was replaced by a newer one from your university",
            code="claim-code-replaced",
        )
    if now >= as_utc(record.expires_at):
        raise Gone(
            "this claim code has expired; ask your university for a new one",
            code="claim-code-expired",
        )
    # Single use under concurrency: only one conditional update can win.
    won = session.execute(
        update(ClaimCodeRecord)
        .where(
            col(ClaimCodeRecord.id) == record.id,
            col(ClaimCodeRecord.claimed_at).is_(None),
            col(ClaimCodeRecord.superseded_at).is_(None),
        )
        .values(claimed_at=now)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise Gone("this claim code was already used", code="claim-code-used")
    token, web_session = open_session(
        session,
        kind="graduate",
        credential_id=record.credential_id,
        expires_at=now + timedelta(days=settings.graduate_session_days),
        now=now,
    )
    audit.act_as(session, graduate_actor(web_session))
    audit.record(session, "diploma.claim", "diploma", record.credential_id)
    return token, web_session


def graduate_actor(record: WebSessionRecord) -> str:
    """How the audit log names a graduate: by diploma and session, never by token."""
    return f"graduate:{record.credential_id}/session:{record.id}"


# --- sessions ---------------------------------------------------------------------------


def open_session(
    session: Session,
    *,
    kind: str,
    credential_id: str,
    expires_at: datetime,
    share_link_id: str | None = None,
    now: datetime | None = None,
) -> tuple[str, WebSessionRecord]:
    """A new session; the token is returned once and only its digest is stored."""
    token = codes.new_token()
    record = WebSessionRecord(
        token_sha256=codes.digest(token),
        kind=kind,
        credential_id=credential_id,
        share_link_id=share_link_id,
        created_at=now or utcnow_seconds(),
        expires_at=expires_at,
    )
    session.add(record)
    session.flush()
    return token, record


def find_session(
    session: Session,
    token: str | None,
    *,
    kind: str,
    share_link_id: str | None = None,
    now: datetime | None = None,
) -> WebSessionRecord | None:
    """The live session of ``kind`` for ``token`` (bound to ``share_link_id`` if given)."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow_seconds()
    record = session.exec(
        select(WebSessionRecord).where(WebSessionRecord.token_sha256 == codes.digest(token))
    ).first()
    if (
        record is None
        or record.kind != kind
        or record.revoked_at is not None
        or now >= as_utc(record.expires_at)
        or (share_link_id is not None and record.share_link_id != share_link_id)
    ):
        return None
    return record


def graduate_session(
    session: Session, token: str | None, *, now: datetime | None = None
) -> WebSessionRecord:
    """The graduate's session for ``token``.

    Raises:
        NotAuthenticated: no, unknown, expired or signed-out session.
    """
    record = find_session(session, token, kind="graduate", now=now)
    if record is None:
        raise NotAuthenticated(
            "sign in with the claim code from your university", code="graduate-session-required"
        )
    audit.act_as(session, graduate_actor(record))
    return record


def sign_out(session: Session, record: WebSessionRecord, *, everywhere: bool = False) -> None:
    """End this session, or every graduate session of the same diploma."""
    now = utcnow_seconds()
    if everywhere:
        session.execute(
            update(WebSessionRecord)
            .where(
                col(WebSessionRecord.credential_id) == record.credential_id,
                col(WebSessionRecord.kind) == "graduate",
                col(WebSessionRecord.revoked_at).is_(None),
            )
            .values(revoked_at=now)
        )
    else:
        record.revoked_at = now
        session.add(record)
    session.flush()
    audit.record(
        session,
        "session.end-all" if everywhere else "session.end",
        "diploma",
        record.credential_id,
        {"session": record.id},
    )


def credential_of(session: Session, credential_id: str) -> tuple[CredentialRecord, dict[str, Any]]:
    """The stored diploma and its parsed document."""
    record = session.get(CredentialRecord, credential_id)
    if record is None:
        raise NotFound("the diploma no longer exists", code="diploma-not-found")
    return record, json.loads(record.document)


# --- share links ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkView:
    """A share link as its graduate sees it (never the token: it is shown only once)."""

    record: ShareLinkRecord
    state: LinkState
    events: list[ShareLinkEventRecord]

    @property
    def opened(self) -> int:
        return sum(1 for e in self.events if e.event == "opened")

    @property
    def downloads(self) -> int:
        return sum(1 for e in self.events if e.event.startswith("downloaded-"))


def share_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/s/{token}"


def create_link(
    session: Session,
    settings: Settings,
    graduate: WebSessionRecord,
    *,
    label: str | None,
    days: int | None,
    pin: str | None,
    purpose: str = "share",
    now: datetime | None = None,
) -> tuple[str, ShareLinkRecord]:
    """A new share link for the graduate's diploma; returns its token (shown once).

    Raises:
        InvalidInput: label too long, expiry out of range, malformed PIN, too many links.
        Forbidden: the session is not a graduate's.
    """
    if graduate.kind != "graduate":
        raise Forbidden("only the graduate can create links")
    now = now or utcnow_seconds()
    policy = link_policy(settings)
    clean_label = policy.clean_label(label)
    expires = policy.expiry(now, days)
    pin_hash = codes.hash_pin(pin) if pin else None
    existing = session.exec(
        select(ShareLinkRecord.id).where(
            ShareLinkRecord.credential_id == graduate.credential_id,
            col(ShareLinkRecord.revoked_at).is_(None),
            col(ShareLinkRecord.expires_at) > now,
        )
    ).all()
    if len(existing) >= policy.max_links_per_diploma:
        raise InvalidInput(
            f"at most {policy.max_links_per_diploma} links can be active; revoke some first",
            code="too-many-links",
        )
    token = codes.new_token()
    record = ShareLinkRecord(
        credential_id=graduate.credential_id,
        token_sha256=codes.digest(token),
        label=clean_label,
        purpose=purpose,
        pin_hash=pin_hash,
        created_at=now,
        expires_at=expires,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        "sharelink.create",
        "share-link",
        record.id,
        {
            "diploma": graduate.credential_id,
            "purpose": purpose,
            "expiresAt": expires.isoformat(),
            "pin": pin_hash is not None,
        },
    )
    return token, record


#: ``ShareLinkRecord.purpose`` of the diploma link (the PDF's QR code).
DIPLOMA_LINK = "diploma"
#: The expiry of a diploma link whose diploma has no ``validUntil``: none, in practice.
NO_EXPIRY = datetime(9999, 12, 31, tzinfo=UTC)


def _diploma_link_token(settings: Settings, link_id: str) -> str:
    secret = settings.passphrase_bytes()
    if not secret:
        raise ConfigurationError("the key passphrase is needed to print diploma links")
    return codes.derived_token(secret, DIPLOMA_LINK, link_id)


def _valid_until(document: str) -> datetime | None:
    """The diploma's ``validUntil`` (aware), or None when it has none or it is unreadable."""
    try:
        value = issued_credential(json.loads(document)).get("validUntil")
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except (ValueError, AttributeError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def active_diploma_link(
    session: Session, settings: Settings, credential_id: str, *, now: datetime | None = None
) -> tuple[str, ShareLinkRecord] | None:
    """The diploma's active diploma link and its token, if it has one."""
    now = now or utcnow_seconds()
    records = session.exec(
        select(ShareLinkRecord)
        .where(
            ShareLinkRecord.credential_id == credential_id,
            ShareLinkRecord.purpose == DIPLOMA_LINK,
            col(ShareLinkRecord.revoked_at).is_(None),
        )
        .order_by(col(ShareLinkRecord.created_at).desc(), col(ShareLinkRecord.id))
    ).all()
    for record in records:
        if state_of(record, now) is LinkState.ACTIVE:
            return _diploma_link_token(settings, record.id), record
    return None


def diploma_link(
    session: Session,
    settings: Settings,
    graduate: WebSessionRecord,
    *,
    now: datetime | None = None,
) -> tuple[str, ShareLinkRecord]:
    """The graduate's diploma link for the PDF: the active one, else a new one (the first
    PDF, or the first after the graduate withdrew the last one).

    Raises:
        Forbidden: the session is not a graduate's.
        InvalidInput: too many active links (``too-many-links``).
    """
    if graduate.kind != "graduate":
        raise Forbidden("only the graduate can print the diploma link")
    now = now or utcnow_seconds()
    # Two first downloads at once must not make two diploma links: the diploma's row is
    # locked (PostgreSQL) before looking; SQLite serialises writers anyway.
    session.exec(
        select(CredentialRecord.id)
        .where(CredentialRecord.id == graduate.credential_id)
        .with_for_update()
    ).first()
    found = active_diploma_link(session, settings, graduate.credential_id, now=now)
    if found is not None:
        return found
    record, _ = credential_of(session, graduate.credential_id)
    expires = _valid_until(record.document) or NO_EXPIRY
    if expires <= now:
        raise Gone("the diploma is no longer valid", code="diploma-expired")
    policy = link_policy(settings)
    active = session.exec(
        select(ShareLinkRecord.id).where(
            ShareLinkRecord.credential_id == graduate.credential_id,
            col(ShareLinkRecord.revoked_at).is_(None),
            col(ShareLinkRecord.expires_at) > now,
        )
    ).all()
    if len(active) >= policy.max_links_per_diploma:
        raise InvalidInput(
            f"at most {policy.max_links_per_diploma} links can be active; revoke some first",
            code="too-many-links",
        )
    link_id = str(uuid.uuid4())
    token = _diploma_link_token(settings, link_id)
    link = ShareLinkRecord(
        id=link_id,
        credential_id=graduate.credential_id,
        token_sha256=codes.digest(token),
        label="",
        purpose=DIPLOMA_LINK,
        pin_hash=None,
        created_at=now,
        expires_at=expires,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        "sharelink.create",
        "share-link",
        link.id,
        {
            "diploma": graduate.credential_id,
            "purpose": DIPLOMA_LINK,
            "expiresAt": expires.isoformat(),
            "pin": False,
        },
    )
    return token, link


def list_links(
    session: Session, graduate: WebSessionRecord, *, now: datetime | None = None
) -> list[LinkView]:
    """The graduate's links, newest first, each with its state and access log."""
    now = now or utcnow_seconds()
    links = session.exec(
        select(ShareLinkRecord)
        .where(ShareLinkRecord.credential_id == graduate.credential_id)
        .order_by(col(ShareLinkRecord.created_at).desc(), col(ShareLinkRecord.id))
    ).all()
    if not links:
        return []
    events = session.exec(
        select(ShareLinkEventRecord)
        .where(col(ShareLinkEventRecord.share_link_id).in_([link.id for link in links]))
        .order_by(col(ShareLinkEventRecord.at).desc())
    ).all()
    by_link: dict[str, list[ShareLinkEventRecord]] = {}
    for event in events:
        by_link.setdefault(event.share_link_id, []).append(event)
    return [LinkView(link, state_of(link, now), by_link.get(link.id, [])) for link in links]


def revoke_link(
    session: Session, graduate: WebSessionRecord, link_id: str, *, now: datetime | None = None
) -> ShareLinkRecord:
    """Revoke one of the graduate's own links (idempotent).

    Raises:
        NotFound: no such link among this graduate's links (someone else's looks the same).
    """
    record = session.get(ShareLinkRecord, link_id)
    if record is None or record.credential_id != graduate.credential_id:
        raise NotFound("no such link", code="link-not-found")
    if record.revoked_at is None:
        record.revoked_at = now or utcnow_seconds()
        session.add(record)
        session.flush()
        audit.record(
            session, "sharelink.revoke", "share-link", record.id, {"diploma": record.credential_id}
        )
    return record


def state_of(link: ShareLinkRecord, now: datetime) -> LinkState:
    return link_state(
        now=now,
        expires_at=as_utc(link.expires_at),
        revoked_at=as_utc(link.revoked_at) if link.revoked_at else None,
        locked_at=link.locked_at,
    )


def find_link(session: Session, token: str) -> ShareLinkRecord:
    """The link for ``token`` in any state.

    Raises:
        NotFound: no link has this token (``link-not-found``).
    """
    if not token or len(token) > 128:
        raise NotFound("no such link", code="link-not-found")
    record = session.exec(
        select(ShareLinkRecord).where(ShareLinkRecord.token_sha256 == codes.digest(token))
    ).first()
    if record is None:
        raise NotFound("no such link; check that it was copied completely", code="link-not-found")
    return record


def require_active(link: ShareLinkRecord, *, now: datetime | None = None) -> None:
    """Raises Gone (``link-expired`` / ``link-revoked`` / ``link-locked``) unless active."""
    state = state_of(link, now or utcnow_seconds())
    if state is LinkState.ACTIVE:
        return
    messages = {
        LinkState.EXPIRED: "this verification link has expired; ask the graduate for a new one",
        LinkState.REVOKED: "the graduate has withdrawn this verification link",
        LinkState.LOCKED: "this link was locked after too many wrong PINs; ask the graduate for a new one",
    }
    raise Gone(messages[state], code=f"link-{state.value}", extra={"state": state.value})


def record_event(
    session: Session, link: ShareLinkRecord, event: str, *, country: str | None = None
) -> None:
    session.add(ShareLinkEventRecord(share_link_id=link.id, event=event, country=country))
    session.flush()


def try_pin(
    session: Session,
    settings: Settings,
    link: ShareLinkRecord,
    pin: str,
    *,
    country: str | None = None,
    now: datetime | None = None,
) -> str | None:
    """Check a PIN for ``link``. Right: a viewer session token bound to the link (valid for
    an hour or until the link ends). Wrong: None, the failure is counted, and the link locks
    for good after the policy's number of failures."""
    now = now or utcnow_seconds()
    if link.pin_hash is None:
        return None
    if codes.verify_pin(pin, link.pin_hash):
        record_event(session, link, "pin-accepted", country=country)
        token, _ = open_session(
            session,
            kind="link",
            credential_id=link.credential_id,
            share_link_id=link.id,
            expires_at=min(as_utc(link.expires_at), now + timedelta(hours=1)),
            now=now,
        )
        return token
    # Count in the database, atomically, so parallel guesses cannot share one count.
    session.execute(
        update(ShareLinkRecord)
        .where(col(ShareLinkRecord.id) == link.id)
        .values(failed_pin_attempts=ShareLinkRecord.failed_pin_attempts + 1)
    )
    session.refresh(link)
    record_event(session, link, "pin-failed", country=country)
    if link.failed_pin_attempts >= link_policy(settings).max_failed_pins and link.locked_at is None:
        link.locked_at = now
        session.add(link)
        record_event(session, link, "locked", country=country)
        audit.record(
            session,
            "sharelink.lock",
            "share-link",
            link.id,
            {"diploma": link.credential_id, "failedPins": link.failed_pin_attempts},
        )
    session.flush()
    return None
