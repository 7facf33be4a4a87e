"""Status lists: allocating indexes, publishing signed lists, revoking, suspending, reinstating.

Allocation reserves random, never-reused indexes (the ``status_allocation`` primary key makes
reuse impossible across workers; a colliding insert inside a savepoint is retried with fresh
random picks). Indexes are reserved in the issuing transaction, before the credentials are
signed, so a crash or an error rolls back the reservation together with the diplomas.

A status change sets the bit and re-signs the list credential in the same transaction, so the
published list always matches the bits, and the next verification sees the change.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from diploma_exchange.config import Settings
from diploma_exchange.db.bulk_insert import insert_rows
from diploma_exchange.db.models import (
    CredentialRecord,
    InstitutionRecord,
    StatusAllocationRecord,
    StatusEventRecord,
    StatusListRecord,
    core_table,
    utcnow_seconds,
)
from diploma_exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from diploma_exchange.services import audit, institutions, registry, signing, transparency
from diploma_exchange.services.signing import AnySigner
from diploma_exchange.status import (
    Bitstring,
    build_status_list_credential,
    make_status_entry,
    parse_status_entries,
    pick_free_indexes,
)
from diploma_exchange.verification.dates import parse_datetime

PURPOSES = ("revocation", "suspension")
LIST_SIZE = 131_072  # the spec's minimum, for herd privacy
#: Start a new list once this share of a list is used, so random picks stay cheap and the
#: used indexes never become a dense, guessable block.
MAX_FILL = 0.75
MAX_ATTEMPTS = 8
REASON_CODES = {
    "revoke": (
        "fraud",
        "issued-in-error",
        "academic-misconduct",
        "superseded",
        "court-order",
        "other",
    ),
    "suspend": ("investigation", "pending-payment", "administrative-hold", "other"),
    "reinstate": ("investigation-closed", "hold-lifted", "issued-in-error", "other"),
}


def list_url(settings: Settings, record: StatusListRecord) -> str:
    """The stable public URL of a status list credential."""
    return f"{settings.public_base_url.rstrip('/')}/status-lists/{record.id}"


def _signed_list_json(
    session: Session,
    settings: Settings,
    record: StatusListRecord,
    bitstring: Bitstring,
    institution: InstitutionRecord,
    signer: AnySigner,
    now: datetime,
) -> str:
    """Sign the list as it will be published: valid for ``status_list_validity_seconds``
    from now, with a ``ttl`` for verifiers' caches; recorded as issued here."""
    unsigned = build_status_list_credential(
        list_url=list_url(settings, record),
        issuer=institution.did,
        purpose=record.purpose,
        bitstring=bitstring,
        valid_from=now,
        valid_until=now + timedelta(seconds=settings.status_list_validity_seconds),
        ttl_ms=settings.status_list_ttl_seconds * 1000,
    )
    signed = signing.secure_document(unsigned, signer, now, signing.rdfc_proof_limits(settings))
    registry.record_signed(session, signed, kind="status-list", reference=record.id)
    return json.dumps(signed, separators=(",", ":"))


def _sign_list(
    session: Session,
    settings: Settings,
    record: StatusListRecord,
    institution: InstitutionRecord,
    signer: AnySigner,
    now: datetime,
) -> None:
    record.signed_credential = _signed_list_json(
        session, settings, record, Bitstring.from_bytes(record.bitstring), institution, signer, now
    )
    record.updated_at = now


def list_needs_refresh(record: StatusListRecord, settings: Settings, now: datetime) -> bool:
    """Whether the published list has used up half its validity (or has none): it is then
    re-signed, so a verifier never has to refuse this service's current list as expired."""
    try:
        document = json.loads(record.signed_credential)
    except ValueError:
        return True
    valid_until = parse_datetime(document.get("validUntil"))
    if valid_until is None:
        return True
    return valid_until - now < timedelta(seconds=settings.status_list_validity_seconds) / 2


def refresh_list(
    session: Session, settings: Settings, list_id: str, now: datetime | None = None
) -> bool:
    """Re-sign one list with its current bits if :func:`list_needs_refresh`; True if it did.

    A compare-and-swap on the list's version, like a status change, so a concurrent change
    wins and nothing is lost; the key is the institution's active key (after a compromise,
    the new one). The caller commits.
    """
    now = now or utcnow_seconds()
    record = session.get(StatusListRecord, list_id)
    if record is None or not list_needs_refresh(record, settings, now):
        return False
    institution = session.get(InstitutionRecord, record.institution_id)
    if institution is None:
        return False
    signer = institutions.issuing_signer(session, settings, institution)
    version = record.version
    signed_json = _signed_list_json(
        session, settings, record, Bitstring.from_bytes(record.bitstring), institution, signer, now
    )
    written = session.execute(
        update(StatusListRecord)
        .where(col(StatusListRecord.id) == list_id, col(StatusListRecord.version) == version)
        .values(version=version + 1, signed_credential=signed_json, updated_at=now)
    )
    session.expire(record)
    return bool(written.rowcount == 1)  # type: ignore[attr-defined]


def refresh_institution_lists(
    session: Session, settings: Settings, institution: InstitutionRecord, *, force: bool = False
) -> int:
    """Re-sign every list of an institution (all of them with ``force``, e.g. after its key
    was compromised, so that no list it publishes is signed by the compromised key)."""
    now = utcnow_seconds()
    rows = session.exec(
        select(StatusListRecord).where(StatusListRecord.institution_id == institution.id)
    ).all()
    if not rows:
        return 0
    signer = institutions.issuing_signer(session, settings, institution)
    count = 0
    for record in rows:
        if not force and not list_needs_refresh(record, settings, now):
            continue
        _sign_list(session, settings, record, institution, signer, now)
        record.version += 1
        session.add(record)
        count += 1
    session.flush()
    return count


def refresh_stale_lists(session: Session, settings: Settings) -> int:
    """Re-sign every list that has used up half its validity (a periodic task); returns how
    many were re-signed. The caller commits."""
    now = utcnow_seconds()
    count = 0
    for list_id, document in session.exec(
        select(StatusListRecord.id, StatusListRecord.signed_credential)
    ).all():
        try:
            valid_until = parse_datetime(json.loads(document).get("validUntil"))
        except ValueError:
            valid_until = None
        if (
            valid_until is not None
            and valid_until - now >= timedelta(seconds=settings.status_list_validity_seconds) / 2
        ):
            continue
        if refresh_list(session, settings, list_id, now):
            count += 1
    return count


def _current_list(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    purpose: str,
    needed: int,
    signer: AnySigner,
    now: datetime,
) -> StatusListRecord:
    """The list new indexes go to, creating the next one when the current is full enough."""
    for _ in range(MAX_ATTEMPTS):
        current = session.exec(
            select(StatusListRecord)
            .where(
                StatusListRecord.institution_id == institution.id,
                StatusListRecord.purpose == purpose,
            )
            .order_by(col(StatusListRecord.sequence).desc())
        ).first()
        if current is not None:
            used = session.exec(
                select(func.count())
                .select_from(StatusAllocationRecord)
                .where(StatusAllocationRecord.list_id == current.id)
            ).one()
            if used + needed <= int(current.size * MAX_FILL):
                return current
        sequence = 0 if current is None else current.sequence + 1
        record = StatusListRecord(
            institution_id=institution.id,
            purpose=purpose,
            sequence=sequence,
            size=LIST_SIZE,
            bitstring=Bitstring(LIST_SIZE).to_bytes(),
        )
        _sign_list(session, settings, record, institution, signer, now)
        try:
            with session.begin_nested():
                session.add(record)
        except IntegrityError:  # another worker created this list first: use theirs
            continue
        return record
    raise Conflict("could not obtain a status list; retry the request")


@dataclass(frozen=True, slots=True)
class Reservation:
    """Indexes reserved for a batch: ``entries[i]`` is the credentialStatus of credential i."""

    entries: list[list[dict[str, Any]]]


#: Up to this many indexes, a reservation samples random candidates and asks the database
#: which of them are taken, instead of loading every used index of the list (up to 98,304).
SMALL_RESERVATION = 256


def _pick_by_sampling(
    session: Session, status_list: StatusListRecord, count: int, rng: secrets.SystemRandom
) -> list[int] | None:
    """``count`` free indexes drawn uniformly at random, or None when too few candidates were
    free (then the caller loads the whole used set). Lists are at most 75 % full, so eight
    candidates per index nearly always suffice."""
    candidates = rng.sample(range(status_list.size), min(status_list.size, max(64, 8 * count)))
    taken = set(
        session.exec(
            select(StatusAllocationRecord.index).where(
                StatusAllocationRecord.list_id == status_list.id,
                col(StatusAllocationRecord.index).in_(candidates),
            )
        ).all()
    )
    free = [c for c in candidates if c not in taken]
    return free[:count] if len(free) >= count else None


def reserve_indexes(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    credential_ids: Sequence[str],
    signer: AnySigner,
    now: datetime | None = None,
    used_cache: dict[str, set[int]] | None = None,
) -> Reservation:
    """Reserve one random revocation and one suspension index per credential.

    ``used_cache`` (list id -> used indexes) lets one long-running caller (a bulk run)
    skip reloading a list's used indexes for every chunk. It is only a hint: a collision
    with another worker's reservation still fails on the primary key, and the retry
    reloads from the database.

    Raises:
        Conflict: the indexes could not be reserved after several attempts.
    """
    now = now or utcnow_seconds()
    count = len(credential_ids)
    entries: list[list[dict[str, Any]]] = [[] for _ in credential_ids]
    if count > int(LIST_SIZE * MAX_FILL):
        raise InvalidInput(
            f"a batch can reserve at most {int(LIST_SIZE * MAX_FILL)} status indexes"
        )
    rng = secrets.SystemRandom()
    for purpose in PURPOSES:
        for _attempt in range(MAX_ATTEMPTS):
            status_list = _current_list(session, settings, institution, purpose, count, signer, now)
            cached = used_cache.get(status_list.id) if used_cache is not None else None
            picks = None
            if cached is None and count <= SMALL_RESERVATION:
                picks = _pick_by_sampling(session, status_list, count, rng)
            if picks is not None:
                used: set[int] = set()
            else:
                used = (
                    cached
                    if cached is not None and _attempt == 0
                    else set(
                        session.exec(
                            select(StatusAllocationRecord.index).where(
                                StatusAllocationRecord.list_id == status_list.id
                            )
                        ).all()
                    )
                )
                picks = pick_free_indexes(used, count, status_list.size, rng)
            try:
                with session.begin_nested():
                    # One executemany, not thousands of ORM objects (a third of batch time).
                    insert_rows(
                        session,
                        core_table(StatusAllocationRecord),
                        [
                            {"list_id": status_list.id, "index": index, "credential_id": cid}
                            for index, cid in zip(picks, credential_ids, strict=True)
                        ],
                    )
            except IntegrityError:  # a concurrent worker took one of them: pick again
                continue
            if used_cache is not None and used:
                used.update(picks)
                used_cache[status_list.id] = used
            url = list_url(settings, status_list)
            for i, index in enumerate(picks):
                entries[i].append(make_status_entry(url, index, purpose))
            break
        else:
            raise Conflict("could not reserve status list indexes; retry the request")
    return Reservation(entries)


def reserve_given(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    credential: Mapping[str, Any],
    *,
    pointer: str = "/credentialStatus",
) -> None:
    """Reserve the indexes a caller chose in its own ``credentialStatus`` (VC-API issue).

    Raises:
        InvalidInput: an entry is not a BitstringStatusListEntry of this institution's lists here.
        Conflict: an index is already used.
    """
    entries, unknown, problems = parse_status_entries(credential)
    # The CCG predecessors (StatusList2021Entry, RevocationList2020Status) are read when
    # verifying others' credentials; this service issues Bitstring entries only.
    legacy = [e for e in entries if e.type != "BitstringStatusListEntry"]
    if problems or unknown or legacy:
        raise InvalidInput(
            "credentialStatus must hold BitstringStatusListEntry objects only; omit it and the "
            "service assigns them",
            pointer=pointer,
        )
    prefix = f"{settings.public_base_url.rstrip('/')}/status-lists/"
    purposes = set()
    for entry in entries:
        url = entry.status_list_credential
        record = (
            session.get(StatusListRecord, url.removeprefix(prefix))
            if url.startswith(prefix)
            else None
        )
        if (
            record is None
            or record.institution_id != institution.id
            or record.purpose != entry.status_purpose
        ):
            raise InvalidInput(
                f"{url} is not one of your {entry.status_purpose} lists on this service; omit "
                "credentialStatus and the service assigns it",
                pointer=pointer,
            )
        if not 0 <= entry.status_list_index < record.size:
            raise InvalidInput("statusListIndex is outside the list", pointer=pointer)
        try:
            with session.begin_nested():
                session.add(
                    StatusAllocationRecord(
                        list_id=record.id,
                        index=entry.status_list_index,
                        credential_id=str(credential["id"]),
                    )
                )
        except IntegrityError as exc:
            raise Conflict(
                f"status list index {entry.status_list_index} is already used", pointer=pointer
            ) from exc
        purposes.add(entry.status_purpose)
    missing = set(PURPOSES) - purposes
    if missing:
        raise InvalidInput(
            f"credentialStatus lacks a {', '.join(sorted(missing))} entry; omit credentialStatus "
            "and the service assigns both",
            pointer=pointer,
        )


def get_list(session: Session, list_id: str) -> StatusListRecord:
    record = session.get(StatusListRecord, list_id)
    if record is None:
        raise NotFound(f"no status list {list_id!r}")
    return record


def list_credential(record: StatusListRecord) -> dict[str, Any]:
    """The signed BitstringStatusListCredential as stored (always matching the bits)."""
    loaded: dict[str, Any] = json.loads(record.signed_credential)
    return loaded


def etag(record: StatusListRecord) -> str:
    return f'"{record.id}.{record.version}"'


# --- status changes --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusChange:
    credential_id: str
    state: str
    event: StatusEventRecord


def _allocations(session: Session, credential_id: str) -> dict[str, tuple[StatusListRecord, int]]:
    rows = session.exec(
        select(StatusAllocationRecord, StatusListRecord)
        .join(StatusListRecord, col(StatusListRecord.id) == col(StatusAllocationRecord.list_id))
        .where(StatusAllocationRecord.credential_id == credential_id)
    ).all()
    return {lst.purpose: (lst, alloc.index) for alloc, lst in rows}


def _lock_list(session: Session, list_id: str) -> StatusListRecord:
    """The list row, locked against concurrent changes (SELECT ... FOR UPDATE on PostgreSQL;
    SQLite serialises writers anyway)."""
    record = session.exec(
        select(StatusListRecord)
        .where(StatusListRecord.id == list_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return record


def change_status(
    session: Session,
    settings: Settings,
    principal: institutions.Principal,
    credential_id: str,
    action: str,
    *,
    reason_code: str,
    note: str | None = None,
    now: datetime | None = None,
) -> StatusChange:
    """Revoke, suspend or reinstate a diploma; only its issuing institution may.

    Raises:
        NotFound: no such diploma.
        Forbidden: the caller is not an institution, or not the one that issued the diploma.
        InvalidInput: unknown action or reason code.
        Conflict: the change is not allowed from the current state (revocation is final).
    """
    if principal.institution is None:
        raise Forbidden("only the issuing institution can change a diploma's status")
    if action not in REASON_CODES:
        raise InvalidInput(
            f"unknown action {action!r}; use revoke, suspend or reinstate", pointer="/action"
        )
    if reason_code not in REASON_CODES[action]:
        raise InvalidInput(
            f"reasonCode must be one of {', '.join(REASON_CODES[action])} for {action}",
            pointer="/reasonCode",
        )
    if note is not None and len(note) > 2000:
        raise InvalidInput("note is limited to 2000 characters", pointer="/note")
    credential = session.exec(
        select(CredentialRecord).where(CredentialRecord.id == credential_id).with_for_update()
    ).first()
    if credential is None or credential.institution_id != principal.institution.id:
        # Another institution's diploma looks exactly like a missing one: no probing of ids.
        raise NotFound(f"no diploma {credential_id!r} issued by you")
    state = credential.state
    if state == "revoked":
        raise Conflict("the diploma is revoked; revocation is final", code="already-revoked")
    if action == "suspend" and state == "suspended":
        raise Conflict("the diploma is already suspended", code="already-suspended")
    if action == "reinstate" and state != "suspended":
        raise Conflict("only a suspended diploma can be reinstated", code="not-suspended")
    now = now or utcnow_seconds()
    allocations = _allocations(session, credential_id)
    purpose = "revocation" if action == "revoke" else "suspension"
    if purpose not in allocations:
        raise Conflict(f"the diploma has no {purpose} status entry; its status cannot change")
    list_id, index = allocations[purpose][0].id, allocations[purpose][1]
    institution = principal.institution
    signer = institutions.issuing_signer(session, settings, institution)
    new_state = {"revoke": "revoked", "suspend": "suspended", "reinstate": "active"}[action]
    # Compare-and-swap on the credential's state, so two concurrent changes of the same
    # diploma cannot both succeed from the same starting state (SQLite has no row locks).
    swapped = session.execute(
        update(CredentialRecord)
        .where(col(CredentialRecord.id) == credential_id, col(CredentialRecord.state) == state)
        .values(state=new_state)
    )
    if swapped.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the diploma's status changed concurrently; retry", code="concurrent-change")
    # Compare-and-swap on the list's version: read, set the bit, re-sign, and write only if
    # nobody wrote in between; otherwise read again. No lost updates on any database.
    for _attempt in range(MAX_ATTEMPTS):
        status_list = _lock_list(session, list_id)  # the ORM object is only read, never dirtied
        bits = Bitstring.from_bytes(status_list.bitstring)
        bits.set(index, 0 if action == "reinstate" else 1)
        version = status_list.version
        signed_json = _signed_list_json(
            session, settings, status_list, bits, institution, signer, now
        )
        written = session.execute(
            update(StatusListRecord)
            .where(col(StatusListRecord.id) == list_id, col(StatusListRecord.version) == version)
            .values(
                bitstring=bits.to_bytes(),
                version=version + 1,
                signed_credential=signed_json,
                updated_at=now,
            )
        )
        if written.rowcount == 1:  # type: ignore[attr-defined]
            break
    else:
        raise Conflict(
            "the status list is being changed concurrently; retry", code="concurrent-change"
        )
    session.expire(status_list)
    credential.state = new_state
    event = StatusEventRecord(
        credential_id=credential_id,
        institution_id=institution.id,
        action=action,
        reason_code=reason_code,
        note=note,
        actor=principal.api_key_id,
        created_at=datetime.now(UTC),  # full precision: the history's order
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        f"diploma.{action}",
        "diploma",
        credential_id,
        {"reasonCode": reason_code, "from": state, "to": new_state, "statusList": list_id},
    )
    transparency.log_status(session, institution.did, credential.secured_digest, action)
    return StatusChange(credential_id, credential.state, event)


#: Status entry types a VC-API status update may name (the spec's example says
#: ``BitstringStatusList``; the entries in credentials say ``BitstringStatusListEntry``).
VCAPI_STATUS_TYPES = ("BitstringStatusListEntry", "BitstringStatusList")


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """The outcome of a VC-API status update: the diploma's state, and whether it changed."""

    credential_id: str
    state: str
    changed: bool


def update_status_vcapi(
    session: Session,
    settings: Settings,
    principal: institutions.Principal,
    credential_id: str,
    entry: Mapping[str, Any],
    status: bool,
    *,
    now: datetime | None = None,
) -> StatusUpdate:
    """VC-API ``updateCredentialStatus``: set (``status`` true) or clear the bit of the
    diploma's ``entry["statusPurpose"]`` entry, through :func:`change_status` (transactional,
    audited, in the transparency log). Setting a bit that is set, or clearing one that is
    clear, changes nothing. Revocation is final: clearing a revocation is refused.

    Raises:
        NotFound: no such diploma issued by the caller.
        Forbidden: the caller is not an institution.
        InvalidInput: an unknown type or purpose (``unsupported-status-type``,
            ``unsupported-status-purpose``), or an entry that is not the diploma's
            (``status-entry-mismatch``).
        Conflict: clearing a revocation (``already-revoked``), concurrent changes.
    """
    if principal.institution is None:
        raise Forbidden("only the issuing institution can change a diploma's status")
    kind = entry.get("type")
    if kind not in VCAPI_STATUS_TYPES:
        raise InvalidInput(
            f"credentialStatus.type must be one of {', '.join(VCAPI_STATUS_TYPES)}",
            pointer="/credentialStatus/type",
            code="unsupported-status-type",
        )
    purpose = entry.get("statusPurpose")
    if purpose not in ("revocation", "suspension"):
        raise InvalidInput(
            "credentialStatus.statusPurpose must be revocation or suspension",
            pointer="/credentialStatus/statusPurpose",
            code="unsupported-status-purpose",
        )
    credential = session.get(CredentialRecord, credential_id[:255])
    if credential is None or credential.institution_id != principal.institution.id:
        raise NotFound(f"no diploma {credential_id[:255]!r} issued by you")
    allocations = _allocations(session, credential.id)
    if purpose not in allocations:
        raise InvalidInput(
            f"the diploma has no {purpose} status entry",
            pointer="/credentialStatus/statusPurpose",
            code="status-entry-mismatch",
        )
    status_list, index = allocations[purpose]
    given_list = entry.get("statusListCredential")
    if given_list is not None and given_list != list_url(settings, status_list):
        raise InvalidInput(
            "credentialStatus.statusListCredential is not the diploma's status list",
            pointer="/credentialStatus/statusListCredential",
            code="status-entry-mismatch",
        )
    given_index = entry.get("statusListIndex")
    if given_index is not None and str(given_index) != str(index):
        raise InvalidInput(
            "credentialStatus.statusListIndex is not the diploma's index",
            pointer="/credentialStatus/statusListIndex",
            code="status-entry-mismatch",
        )
    state = credential.state
    if purpose == "revocation":
        if not status:
            if state == "revoked":
                raise Conflict(
                    "the diploma is revoked; revocation is final", code="already-revoked"
                )
            return StatusUpdate(credential.id, state, False)
        if state == "revoked":
            return StatusUpdate(credential.id, state, False)
        action = "revoke"
    else:
        if state == "revoked":
            raise Conflict("the diploma is revoked; revocation is final", code="already-revoked")
        if status == (state == "suspended"):
            return StatusUpdate(credential.id, state, False)
        action = "suspend" if status else "reinstate"
    change = change_status(
        session,
        settings,
        principal,
        credential.id,
        action,
        reason_code="other",
        note="VC-API status update",
        now=now,
    )
    return StatusUpdate(change.credential_id, change.state, True)


def history(
    session: Session, principal: institutions.Principal, credential_id: str
) -> list[StatusEventRecord]:
    """The append-only status history of a diploma (its issuer only)."""
    credential = session.get(CredentialRecord, credential_id)
    if (
        credential is None
        or principal.institution is None
        or credential.institution_id != principal.institution.id
    ):
        raise NotFound(f"no diploma {credential_id!r} issued by you")
    return list(
        session.exec(
            select(StatusEventRecord)
            .where(StatusEventRecord.credential_id == credential_id)
            .order_by(col(StatusEventRecord.created_at), col(StatusEventRecord.id))
        ).all()
    )


class LocalStatusLists:
    """Status list credentials hosted by this service, straight from the database (no cache:
    a change is visible to the very next verification). A list that has used up half its
    validity is re-signed first through ``refresh`` (a session on the primary), when given."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        refresh: Callable[[str], None] | None = None,
    ) -> None:
        self._session = session
        self._settings = settings
        self._refresh = refresh
        self._prefix = f"{settings.public_base_url.rstrip('/')}/status-lists/"

    def owns(self, url: str) -> bool:
        return url.startswith(self._prefix)

    def get(self, url: str) -> Mapping[str, Any]:
        list_id = url.removeprefix(self._prefix).split("#", 1)[0]
        record = get_list(self._session, list_id)
        if self._refresh is not None and list_needs_refresh(
            record, self._settings, utcnow_seconds()
        ):
            self._refresh(list_id)
            self._session.expire(record)
            record = get_list(self._session, list_id)
        return list_credential(record)


def refresher(engine: Engine, settings: Settings) -> Callable[[str], None]:
    """Re-sign a stale list in its own transaction on ``engine`` (the primary)."""

    def refresh(list_id: str) -> None:
        with Session(engine, expire_on_commit=False) as session:
            refresh_list(session, settings, list_id)
            session.commit()

    return refresh
