"""Issuing diplomas: build (or accept), validate, sign and store, all-or-nothing.

A batch is validated completely before anything is signed, signed completely before
anything is written, and written in one transaction: a crash or an error anywhere leaves no
half-issued batch. An idempotency key makes a retry replay the first response.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import pydantic
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.credentials import (
    DiplomaData,
    IssuerProfile,
    build_diploma_credential,
    find_undefined_terms,
    validate_credential,
)
from diploma_exchange.credentials.identity import DiplomaIdentity, diploma_identity
from diploma_exchange.credentials.open_badges import validate_achievement_credential
from diploma_exchange.credentials.vc_data_model import validate_vc
from diploma_exchange.credentials.vc_data_model import version as vc_version
from diploma_exchange.db.bulk_insert import insert_rows
from diploma_exchange.db.models import (
    BatchRecord,
    CredentialRecord,
    InstitutionRecord,
    core_table,
    utcnow_seconds,
)
from diploma_exchange.errors import (
    Conflict,
    ErrorDetail,
    Forbidden,
    InvalidCredential,
    InvalidInput,
    LimitExceeded,
)
from diploma_exchange.proofs.eddsa_jcs_2022 import is_xsd_datetime
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.services import (
    audit,
    enveloped_issuance,
    institutions,
    status,
    transparency,
    trust,
)
from diploma_exchange.services.institutions import Principal
from diploma_exchange.services.signing import (
    DEFAULT_SUITES,
    ISSUANCE_SUITES,
    AnySigner,
    check_issuance_suite,
    rdfc_proof_limits,
    secure_document,
    sign_with_suite,
    signer_key_type,
)

Clock = Callable[[], datetime]


def _xsd(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class IssuedBatch:
    """The outcome of an issuance: the signed credentials, in request order."""

    batch_id: str
    credentials: list[dict[str, Any]]
    replayed: bool = False


def issuer_profile(institution: InstitutionRecord) -> IssuerProfile:
    """The issuer object embedded in an institution's credentials."""
    return IssuerProfile(
        id=institution.did,
        name=institution.name,
        country_code=institution.country_code,
        url=institution.url,
    )


def require_institution(principal: Principal) -> InstitutionRecord:
    if principal.institution is None:
        raise Forbidden("only an institution's API key can issue diplomas")
    return principal.institution


def _prefixed(details: Sequence[ErrorDetail], prefix: str) -> list[ErrorDetail]:
    return [ErrorDetail(d.message, prefix + d.pointer, d.code) for d in details]


#: What ``POST /credentials/issue`` accepts: the diploma (its JSON Schema), or, for an
#: institution the NIC allows to, any VC 2.0 credential (the VC Data Model's rules).
PROFILE_DIPLOMA = "diploma"
PROFILE_VC = "vc"
#: An Open Badges 3.0 AchievementCredential (certificate, micro-credential, course, transcript:
#: credentials/open_badges.py), which every accredited institution may issue.
PROFILE_OPEN_BADGE = "open-badge"
#: The cryptosuites an institution's Ed25519 key signs with (``options.cryptosuite``).
EDDSA_SUITES = ("eddsa-jcs-2022", "eddsa-rdfc-2022")
#: The cryptosuites an institution's P-256 or P-384 key signs with.
ECDSA_SUITES = ("ecdsa-rdfc-2019", "ecdsa-jcs-2019")


def check_issuable(
    credential: Mapping[str, Any],
    institution: InstitutionRecord,
    prefix: str = "",
    *,
    profile: str = PROFILE_DIPLOMA,
    issuer_dids: Sequence[str] = (),
) -> list[ErrorDetail]:
    """Every reason ``credential`` cannot be issued by ``institution`` (empty when it can).

    ``issuer_dids``: the identifiers the issuer may be (default: the institution's DID)."""
    problems: list[ErrorDetail] = []
    allowed = tuple(issuer_dids) or (institution.did,)
    issuer = credential.get("issuer")
    issuer_did = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if issuer_did not in allowed:
        problems.append(
            ErrorDetail(
                f"the issuer must be your own DID {' or '.join(allowed)}, not {issuer_did!r}; "
                "it is never overwritten for you",
                prefix + ("/issuer/id" if isinstance(issuer, Mapping) else "/issuer"),
                "issuer-mismatch",
            )
        )
    if "proof" in credential:
        problems.append(
            ErrorDetail("remove the proof: the service signs the credential", prefix + "/proof")
        )
    rules = {PROFILE_VC: validate_vc, PROFILE_OPEN_BADGE: validate_achievement_credential}.get(
        profile, validate_credential
    )
    problems.extend(_prefixed(rules(credential), prefix))
    if (
        profile == PROFILE_VC
        and vc_version(credential) == "1.1"
        and not is_xsd_datetime(credential.get("issuanceDate"))
    ):
        problems.append(
            ErrorDetail(
                "a VC 1.1 credential needs issuanceDate", prefix + "/issuanceDate", "required"
            )
        )
    if not problems:
        try:
            problems.extend(_prefixed(find_undefined_terms(credential), prefix))
        except (InvalidCredential, LimitExceeded) as exc:
            # unbundled context, not processable JSON-LD, or more context material than the
            # bounds allow: a problem of this credential, reported with the others
            problems.append(
                ErrorDetail(exc.message, prefix + (exc.pointer or "/@context"), exc.code)
            )
    return problems


#: What a VC 1.1 credential's ``@context`` needs for what the issuer adds: the Data
#: Integrity proof (VC 2.0's context defines it). VC 1.1 credentials get no status entries:
#: Bitstring Status List entries are VC 2.0 terms.
V1_ADDED_CONTEXTS = ("https://w3id.org/security/data-integrity/v2",)


def complete_credential(credential: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A copy with what the issuer may add when absent: ``id`` and ``validFrom`` (VC 1.1:
    ``issuanceDate``, and the contexts of the proof and status entries it adds)."""
    out = dict(credential)
    out.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
    if vc_version(out) == "1.1" and isinstance(out["@context"], list):
        out.setdefault("issuanceDate", _xsd(now))
        context = list(out["@context"])
        out["@context"] = context + [c for c in V1_ADDED_CONTEXTS if c not in context]
    else:
        out.setdefault("validFrom", _xsd(now))
    return out


def digest_of(payload: Any) -> str:
    """The digest an idempotency key is bound to: a replay must send the same request."""
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _replay(session: Session, batch: BatchRecord) -> IssuedBatch:
    rows = session.exec(
        select(CredentialRecord)
        .where(CredentialRecord.batch_id == batch.id)
        .order_by(CredentialRecord.batch_position)  # type: ignore[arg-type]
    ).all()
    return IssuedBatch(batch.id, [json.loads(r.document) for r in rows], replayed=True)


def _replay_if_seen(
    session: Session, institution: InstitutionRecord, idempotency_key: str | None, digest: str
) -> IssuedBatch | None:
    """The first response again when this Idempotency-Key was seen with the same request.

    Raises:
        Conflict: the key was used for a different request.
    """
    if idempotency_key is None:
        return None
    existing = _find_batch(session, institution, idempotency_key)
    if existing is None:
        return None
    if existing.request_sha256 != digest:
        raise Conflict(
            "this Idempotency-Key was already used for a different request; use a new key",
            code="idempotency-key-reused",
        )
    return _replay(session, existing)


def _find_batch(session: Session, institution: InstitutionRecord, key: str) -> BatchRecord | None:
    return session.exec(
        select(BatchRecord).where(
            BatchRecord.institution_id == institution.id, BatchRecord.idempotency_key == key
        )
    ).first()


#: The longest reason a re-issuance may give (kept in the record and the old one's history).
MAX_REISSUE_REASON = 500


@dataclass(frozen=True, slots=True)
class Reissue:
    """A re-issuance asked for explicitly: the diplomas it matches are replaced (revoked as
    ``superseded``, linked from the new ones) instead of refused as duplicates."""

    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip() or len(self.reason) > MAX_REISSUE_REASON:
            raise InvalidInput(
                f"a re-issuance needs its reason (1 to {MAX_REISSUE_REASON} characters)",
                code="reissue-reason-required",
                pointer="/reissueReason",
            )


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def find_duplicates(
    session: Session,
    institution: InstitutionRecord,
    credentials: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
    *,
    reissue: Reissue | None = None,
    own_ids: frozenset[str] = frozenset(),
    seen: tuple[dict[str, str], dict[str, str]] | None = None,
) -> tuple[list[ErrorDetail], dict[str, str]]:
    """Every credential that would be a second active diploma of the same graduate for the
    same programme here (``diploma-already-issued``), reuse an active diploma's number
    (``diploma-number-taken``) or repeat another item of the same request
    (``duplicate-in-request``); and, for a re-issuance, ``{new id: the id it replaces}``.

    Revoked diplomas do not count. ``own_ids`` are diplomas this very job issued already (a
    resumed bulk run), never duplicates of themselves. ``seen`` carries what earlier parts of
    the same request held (by identity digest and by diploma number) from call to call.
    """
    return find_duplicate_identities(
        session,
        institution,
        [
            (str(c.get("id", "")), diploma_identity(institution.id, c), prefix)
            for c, prefix in zip(credentials, prefixes, strict=True)
        ],
        reissue=reissue,
        own_ids=own_ids,
        seen=seen,
    )


def find_duplicate_identities(
    session: Session,
    institution: InstitutionRecord,
    items: Sequence[tuple[str, DiplomaIdentity, str]],
    *,
    reissue: Reissue | None = None,
    own_ids: frozenset[str] = frozenset(),
    seen: tuple[dict[str, str], dict[str, str]] | None = None,
) -> tuple[list[ErrorDetail], dict[str, str]]:
    """:func:`find_duplicates` of diplomas already named: ``(new id, identity, pointer)``
    each (a bulk run computes the identities in its worker processes)."""
    identities = [identity for _, identity, _ in items]
    keys = sorted({i.holder_programme_sha256 for i in identities if i.holder_programme_sha256})
    numbers = sorted({i.diploma_number for i in identities if i.diploma_number})
    by_key: dict[str, list[tuple[str, str]]] = {}
    by_number: dict[str, str] = {}
    active = col(CredentialRecord.state) != "revoked"
    mine = col(CredentialRecord.institution_id) == institution.id
    for part in _chunks(keys):
        for cid, key, issued in session.exec(
            select(
                CredentialRecord.id,
                CredentialRecord.holder_programme_sha256,
                CredentialRecord.issued_at,
            ).where(mine, active, col(CredentialRecord.holder_programme_sha256).in_(part))
        ).all():
            if cid not in own_ids:
                by_key.setdefault(key, []).append((str(issued), cid))
    for part in _chunks(numbers):
        for cid, number in session.exec(
            select(CredentialRecord.id, CredentialRecord.diploma_number).where(
                mine, active, col(CredentialRecord.diploma_number).in_(part)
            )
        ).all():
            if cid not in own_ids:
                by_number[number] = cid
    problems: list[ErrorDetail] = []
    replaces: dict[str, str] = {}
    seen_keys, seen_numbers = seen if seen is not None else ({}, {})
    for new_id, identity, prefix in items:
        key, number = identity.holder_programme_sha256, identity.diploma_number
        if not key:  # not a diploma: nothing to compare
            continue
        if key in seen_keys:
            problems.append(_duplicate_in_request(prefix, seen_keys[key], "graduate and programme"))
        elif number and number in seen_numbers:
            problems.append(_duplicate_in_request(prefix, seen_numbers[number], "diploma number"))
        seen_keys.setdefault(key, prefix or "/")
        if number:
            seen_numbers.setdefault(number, prefix or "/")
        earlier = [cid for _, cid in sorted(by_key.get(key, []), reverse=True)]
        if earlier and reissue is None:
            problems.append(
                ErrorDetail(
                    f"this graduate already holds diploma {earlier[0]} of this programme from "
                    "you; nothing was issued. To replace it (e.g. to correct it), ask for a "
                    "re-issuance with its reason: the old one is then revoked as superseded",
                    prefix,
                    "diploma-already-issued",
                )
            )
            continue
        if earlier:
            replaces[new_id] = earlier[0]
        taken = by_number.get(number) if number else None
        if taken is not None and taken not in earlier:
            problems.append(
                ErrorDetail(
                    f"diploma number {number!r} is already on your diploma {taken}; "
                    "every diploma needs its own number",
                    prefix,
                    "diploma-number-taken",
                )
            )
    return problems, replaces


def _duplicate_in_request(prefix: str, first: str, what: str) -> ErrorDetail:
    return ErrorDetail(
        f"the same {what} as the item at {first} of this request; each diploma once",
        prefix,
        "duplicate-in-request",
    )


def refuse_duplicates(
    session: Session,
    institution: InstitutionRecord,
    credentials: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
    *,
    reissue: Reissue | None = None,
    own_ids: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """:func:`find_duplicates`, raising when there is any.

    Raises:
        Conflict: ``diploma-already-issued`` (or the first problem's code), every problem as
            a detail with its pointer; nothing was issued.
    """
    problems, replaces = find_duplicates(
        session, institution, credentials, prefixes, reissue=reissue, own_ids=own_ids
    )
    if problems:
        raise _duplicates_conflict(problems)
    return replaces


def link_reissues(
    rows: Sequence[dict[str, Any]], replaces: Mapping[str, str], reissue: Reissue | None
) -> None:
    """Name, in each re-issued diploma's row, the diploma it replaces and why."""
    if reissue is None:
        return
    for row in rows:
        old_id = replaces.get(str(row["id"]))
        if old_id is not None:
            row["reissue_of"] = old_id
            row["reissue_reason"] = reissue.reason


def supersede(
    session: Session,
    settings: Settings,
    principal: Principal,
    replaces: Mapping[str, str],
    reissue: Reissue,
) -> None:
    """Revoke each diploma a re-issuance replaces as ``superseded`` (in the caller's
    transaction, *before* the new ones are stored: the database holds one active diploma of
    a graduate's programme at a time, see :func:`store_rows`)."""
    for new_id, old_id in replaces.items():
        status.change_status(
            session,
            settings,
            principal,
            old_id,
            "revoke",
            reason_code="superseded",
            note=f"re-issued as {new_id}: {reissue.reason}",
        )


def store_rows(
    session: Session,
    institution: InstitutionRecord,
    rows: Sequence[Mapping[str, Any]],
    prefixes: Sequence[str],
    *,
    own_ids: frozenset[str] = frozenset(),
) -> None:
    """Insert ``credential`` rows (:func:`credential_row`; COPY on PostgreSQL, one
    executemany on SQLite);
    ``prefixes``: each one's JSON pointer in the request.

    The unique indexes of ``credential`` hold one active diploma per graduate and programme,
    and per diploma number, whatever the number of concurrent requests and worker processes:
    a request that passed :func:`refuse_duplicates` while another one issued the same diploma
    is refused here, with the answer it would have had a moment later.

    Raises:
        Conflict: as :func:`refuse_duplicates` (the diploma another request issued
            concurrently is named); the session's transaction was rolled back.
    """
    try:
        # PostgreSQL: COPY (db.bulk_insert); an index violation is an IntegrityError either way
        insert_rows(session, core_table(CredentialRecord), list(rows))
    except IntegrityError as exc:
        # The whole transaction goes, not a savepoint: a refused batch keeps nothing (and
        # pysqlite's SAVEPOINT opening a transaction would commit at its RELEASE). PostgreSQL:
        # the index made this insert wait for the concurrent transaction, which committed;
        # SQLite runs writers one at a time. Either way the winner is visible now.
        session.rollback()
        documents = [orjson.loads(row["document"]) for row in rows]
        problems, _ = find_duplicates(session, institution, documents, prefixes, own_ids=own_ids)
        if not problems:
            raise  # not a duplicate diploma (e.g. a credential id used twice)
        raise _duplicates_conflict(problems) from exc


def _duplicates_conflict(problems: Sequence[ErrorDetail]) -> Conflict:
    return Conflict(
        f"{len(problems)} diploma(s) already issued or repeated; nothing was issued: "
        f"{problems[0].message}",
        code=problems[0].code,
        details=list(problems),
    )


def claim_batch(
    session: Session,
    institution: InstitutionRecord,
    idempotency_key: str | None,
    digest: str,
    count: int,
) -> BatchRecord | IssuedBatch:
    """Store the batch record, which claims ``idempotency_key``; or, when a concurrent
    request with the same key got it first, that request's result (as a retry after it
    would get it).

    The record goes in before the duplicate check: a request waiting here for its twin's
    commit then replays it instead of being refused as its duplicate.

    Raises:
        Conflict: ``idempotency-key-reused`` (the key's request was another one).
    """
    batch = BatchRecord(
        institution_id=institution.id,
        idempotency_key=idempotency_key,
        request_sha256=digest,
        count=count,
    )
    session.add(batch)
    try:
        session.flush()
    except IntegrityError as exc:  # the (institution, key) index: a concurrent twin won
        session.rollback()  # (see store_rows); nothing of this request was written yet
        replay = _replay_if_seen(session, institution, idempotency_key, digest)
        if replay is None:
            raise Conflict(
                "a concurrent request with the same Idempotency-Key failed; retry",
                code="idempotency-key-in-use",
            ) from exc
        return replay
    return batch


def issue_credentials(
    session: Session,
    settings: Settings,
    principal: Principal,
    credentials: Sequence[Mapping[str, Any]],
    *,
    idempotency_key: str | None = None,
    request_digest: str | None = None,
    clock: Clock = utcnow_seconds,
    signer: AnySigner | None = None,
    pointer_prefix: str = "",
    index_pointers: bool | None = None,
    profile: str = PROFILE_DIPLOMA,
    cryptosuite: str | None = None,
    did_key: bool = False,
    reissue: Reissue | None = None,
    index_base: int = 0,
    rdfc_twin: bool = False,
    mandatory_pointers: Sequence[str] | None = None,
    envelope: str | None = None,
) -> IssuedBatch:
    """Validate, sign and store ``credentials`` as one all-or-nothing batch.

    ``cryptosuite``: one of :data:`EDDSA_SUITES` or :data:`ECDSA_SUITES`, signed by the
    newest active key that fits it (:func:`institutions.issuing_key`); ``None``: the
    institution's issuing key with its key type's default suite (eddsa-jcs-2022 for Ed25519,
    ecdsa-jcs-2019 for P-256/P-384: services/signing.py ``DEFAULT_SUITES``).

    ``ecdsa-sd-2023`` (P-256 keys) makes a base proof, for the holder to derive selective
    disclosures from, whose ``mandatory_pointers`` (default: the credential's id, type, issuer,
    validity and status; services/signing.py ``SD_DEFAULT_POINTERS``) are always disclosed.

    ``rdfc_twin``: with ``issue_rdfc_proof`` on, a did:web credential signed with a JCS suite
    and no explicit ``cryptosuite`` also gets an independent RDFC proof of its key type by the
    same key (a proof set; services/signing.py). Diploma issuance (:func:`issue_diplomas`:
    ``/v1/diplomas``, its batches, the CLI) asks for it; the VC-API signs exactly one proof.

    ``envelope``: a media type of :data:`enveloped_issuance.ENVELOPES`
    (``application/vc+jwt``): each credential is secured by VC-JOSE-COSE instead of a Data
    Integrity proof and returned as an ``EnvelopedVerifiableCredential``
    (services/enveloped_issuance.py); it is stored as that object, named in the register and
    the transparency log by the SHA-256 of its compact JWS. VC 2.0 credentials only; not with
    ``cryptosuite``.

    ``profile``: :data:`PROFILE_DIPLOMA`, :data:`PROFILE_OPEN_BADGE` (an OB 3.0
    AchievementCredential) or :data:`PROFILE_VC` (any VC 2.0 credential; only for an
    institution the NIC allows to). ``did_key``: the issuer is a ``did:key`` of one of
    the institution's active keys (the one the credential names, else the issuing key's)
    instead of its did:web; status lists are signed with the did:web key either way.

    Problems are reported with JSON pointers under ``pointer_prefix``, followed by the item's
    index (from ``index_base``: 1 for the rows of a CSV file, numbered as its parser numbers
    them) when ``index_pointers`` (default: when there is more than one item or a prefix).

    Raises:
        Forbidden: the caller is not an institution.
        LimitExceeded: more credentials than the batch limit.
        InvalidCredential: any credential is not issuable (all problems, with pointers).
        Conflict: the idempotency key was used for a different request; or a diploma is
            already issued (see :func:`find_duplicates`) and no re-issuance was asked for.
    """
    institution = require_institution(principal)
    if profile == PROFILE_VC and not institution.may_issue_any_vc:
        raise InvalidCredential(
            "this institution issues diplomas only; the NIC can allow it to issue any VC 2.0 "
            "credential (diploma-exchange institutions allow-any-vc)",
            pointer=pointer_prefix or "/",
            code="profile-not-allowed",
        )
    if profile == PROFILE_OPEN_BADGE and not trust.is_accredited(session, institution, clock()):
        raise Forbidden(
            "only an accredited institution issues Open Badges credentials here; the NIC "
            "accredits institutions (diploma-exchange institutions accredit)",
            code="not-accredited",
        )
    if envelope is not None:
        enveloped_issuance.check_envelope(envelope)
        if cryptosuite is not None:
            raise InvalidInput(
                "options.cryptosuite names a Data Integrity proof and options.envelope an "
                "enveloping proof; a credential is secured by one of them: leave one out",
                pointer="/options/cryptosuite",
                code="envelope-with-cryptosuite",
            )
    if cryptosuite is not None:
        check_issuance_suite(cryptosuite)
    if mandatory_pointers is not None and cryptosuite != "ecdsa-sd-2023":
        raise InvalidInput(
            "mandatoryPointers apply to ecdsa-sd-2023 base proofs only",
            pointer="/options/mandatoryPointers",
            code="invalid-mandatory-pointers",
        )
    if len(credentials) > settings.max_batch_size:
        raise LimitExceeded(
            f"a batch holds at most {settings.max_batch_size} diplomas; split the class",
            extra={"limit": settings.max_batch_size},
        )
    if not credentials:
        raise InvalidCredential("the batch is empty", pointer=pointer_prefix or "/")
    digest = request_digest or digest_of(
        credentials if reissue is None else {"credentials": credentials, "reissue": reissue.reason}
    )
    replay = _replay_if_seen(session, institution, idempotency_key, digest)
    if replay is not None:
        return replay

    now = clock()
    completed = [complete_credential(c, now) for c in credentials]
    problems: list[ErrorDetail] = []
    multi = (
        index_pointers if index_pointers is not None else len(completed) > 1 or bool(pointer_prefix)
    )
    prefixes = [
        f"{pointer_prefix}/{i + index_base}" if multi else pointer_prefix
        for i in range(len(completed))
    ]
    issuer_dids = (
        tuple(institutions.did_keys_of(session, institution)) if did_key else (institution.did,)
    )
    for prefix, credential in zip(prefixes, completed, strict=True):
        problems.extend(
            check_issuable(
                credential, institution, prefix, profile=profile, issuer_dids=issuer_dids
            )
        )
        if did_key and "credentialStatus" in credential:
            problems.append(
                ErrorDetail(
                    "a did:key credential has no status entries here: status lists are issued "
                    "by the institution's did:web, and a verifier requires the list's issuer "
                    "to be the credential's; issue it with the did:web to make it revocable",
                    prefix + "/credentialStatus",
                    "status-needs-did-web",
                )
            )
        elif vc_version(credential) == "1.1" and "credentialStatus" in credential:
            problems.append(
                ErrorDetail(
                    "a VC 1.1 credential has no status entries here (Bitstring Status List "
                    "entries are VC 2.0 terms); issue it as VC 2.0 to make it revocable",
                    prefix + "/credentialStatus",
                    "status-needs-vc-2",
                )
            )
        if envelope is not None and vc_version(credential) != "2.0":
            problems.append(
                ErrorDetail(
                    "VC-JOSE-COSE secures VC Data Model 2.0 credentials only (@context must "
                    "begin with https://www.w3.org/ns/credentials/v2); issue a VC 1.1 "
                    "credential with a Data Integrity proof",
                    prefix + "/@context",
                    "envelope-needs-vc-2",
                )
            )
    if problems:
        raise InvalidCredential(
            f"{len(problems)} problem(s) found; nothing was issued", details=problems
        )
    # Status lists: the issuing key with its default suites (unless the caller gives a signer).
    signer = signer or institutions.issuing_signer(session, settings, institution)
    credential_signer = _credential_signer(
        session, settings, institution, completed, signer, cryptosuite=cryptosuite, did_key=did_key
    )
    suite = cryptosuite or DEFAULT_SUITES[signer_key_type(credential_signer)][0]
    if signer_key_type(credential_signer) not in ISSUANCE_SUITES[suite]:
        raise InvalidInput(
            f"the issuer's key ({signer_key_type(credential_signer)}) cannot sign {suite}",
            pointer="/options/cryptosuite",
            code="unsupported-cryptosuite",
        )
    claimed = claim_batch(session, institution, idempotency_key, digest, len(completed))
    if isinstance(claimed, IssuedBatch):
        return claimed
    batch = claimed
    replaces = refuse_duplicates(session, institution, completed, prefixes, reissue=reissue)
    if not did_key:
        # VC 1.1 credentials get no status entries (see V1_ADDED_CONTEXTS)
        with_status = [i for i, c in enumerate(completed) if vc_version(c) != "1.1"]
        _assign_status(
            session,
            settings,
            institution,
            [completed[i] for i in with_status],
            [prefixes[i] for i in with_status],
            signer,
            now,
        )
    # ``completed`` are this function's own copies: no need to deep-copy them again.
    # Diplomas (did:web, the key's default JCS suite) get the RDFC twin as a proof set
    # (``rdfc_twin`` and the issue_rdfc_proof setting; services/signing.py).
    limits = rdfc_proof_limits(settings) if rdfc_twin and not did_key else None
    if envelope is not None:
        return _store_enveloped(
            session,
            settings,
            principal,
            institution,
            batch,
            completed,
            prefixes,
            credential_signer,
            envelope,
            now,
            replaces=replaces,
            reissue=reissue,
        )
    signed = [
        secure_document(c, credential_signer, now, limits)
        if suite == DEFAULT_SUITES[signer_key_type(credential_signer)][0]
        else sign_with_suite(c, suite, credential_signer, now, None, pointers=mandatory_pointers)
        for c in completed
    ]
    # Core executemany of plain rows: ORM objects cost more than the signature per diploma.
    rows = [
        credential_row(document, institution, batch.id, position, now)
        for position, document in enumerate(signed)
    ]
    if replaces and reissue is not None:
        link_reissues(rows, replaces, reissue)
        supersede(session, settings, principal, replaces, reissue)
    store_rows(session, institution, rows, prefixes)
    audit_issued(session, institution, rows)
    log_issued(session, institution, credential_signer.verification_method, rows)
    return IssuedBatch(batch.id, signed)


def _store_enveloped(
    session: Session,
    settings: Settings,
    principal: Principal,
    institution: InstitutionRecord,
    batch: BatchRecord,
    completed: Sequence[dict[str, Any]],
    prefixes: list[str],
    signer: AnySigner,
    envelope: str,
    now: datetime,
    *,
    replaces: dict[str, str],
    reissue: Reissue | None,
) -> IssuedBatch:
    """The end of :func:`issue_credentials` for enveloped credentials: sign each as
    ``envelope``, store the envelope objects (register: SHA-256 of the JWS), audit, log."""
    secured = [enveloped_issuance.envelope_credential(c, signer, envelope) for c in completed]
    rows = [
        credential_row(payload, institution, batch.id, position, now, enveloped=item)
        for position, (payload, item) in enumerate(zip(completed, secured, strict=True))
    ]
    if replaces and reissue is not None:
        link_reissues(rows, replaces, reissue)
        supersede(session, settings, principal, replaces, reissue)
    store_rows(session, institution, rows, prefixes)
    audit_issued(session, institution, rows)
    log_issued(session, institution, signer.verification_method, rows)
    return IssuedBatch(batch.id, [item.envelope for item in secured])


def _credential_signer(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    credentials: Sequence[Mapping[str, Any]],
    status_signer: AnySigner,
    *,
    cryptosuite: str | None,
    did_key: bool,
) -> AnySigner:
    """The signer of the credentials themselves: for a did:key issuer, the key that did:key
    names; otherwise the status lists' signer when its type fits ``cryptosuite`` (or none is
    asked for), else the newest active key that fits it.

    Raises:
        InvalidInput: the credentials name different did:keys, or no active key fits
            ``cryptosuite`` (``unsupported-cryptosuite``).
    """
    if did_key:
        named = {_issuer_id(c) for c in credentials}
        if len(named) != 1:
            raise InvalidInput(
                "the credentials of one batch must name one did:key issuer",
                code="issuer-mismatch",
            )
        return institutions.did_key_signer_for(
            session, settings, institution, did=named.pop(), cryptosuite=cryptosuite
        )
    if cryptosuite is None or signer_key_type(status_signer) in ISSUANCE_SUITES[cryptosuite]:
        return status_signer
    return institutions.issuing_signer(session, settings, institution, cryptosuite)


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else None


def log_issued(
    session: Session,
    institution: InstitutionRecord,
    verification_method: str,
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """One transparency log leaf per stored diploma: its secured digest, issuer and key
    (appended in the same transaction, when it commits)."""
    transparency.log_issued(
        session, institution.did, verification_method, [str(r["secured_digest"]) for r in rows]
    )


def audit_issued(
    session: Session, institution: InstitutionRecord, rows: Sequence[Mapping[str, Any]]
) -> None:
    """One audit entry per stored diploma, with the digest of exactly what was signed."""
    for row in rows:
        audit.record(
            session,
            "diploma.issue",
            "diploma",
            str(row["id"]),
            {
                "institution": institution.slug,
                "batch": row["batch_id"],
                "documentSha256": row["document_sha256"],
            },
        )


def _assign_status(
    session: Session,
    settings: Settings,
    institution: InstitutionRecord,
    credentials: list[dict[str, Any]],
    prefixes: list[str],
    signer: AnySigner,
    now: datetime,
) -> None:
    """Give every credential without ``credentialStatus`` a revocation and a suspension entry
    at freshly reserved random indexes; accept a caller's own entries only when they point at
    free indexes of this institution's lists here (they are reserved the same way)."""
    given = [(i, c) for i, c in enumerate(credentials) if "credentialStatus" in c]
    for index, credential in given:
        status.reserve_given(
            session,
            settings,
            institution,
            credential,
            pointer=f"{prefixes[index]}/credentialStatus",
        )
    fresh = [c for c in credentials if "credentialStatus" not in c]
    if fresh:
        reservation = status.reserve_indexes(
            session, settings, institution, [str(c["id"]) for c in fresh], signer, now
        )
        for credential, entries in zip(fresh, reservation.entries, strict=True):
            credential["credentialStatus"] = entries


def credential_row(
    document: dict[str, Any],
    institution: InstitutionRecord,
    batch_id: str,
    position: int,
    now: datetime,
    *,
    enveloped: enveloped_issuance.EnvelopedCredential | None = None,
) -> dict[str, Any]:
    """The ``credential`` row of a signed document (every column given: Core inserts do not
    run the model's Python-side defaults).

    ``enveloped``: ``document`` is the payload of that enveloped credential; what identifies
    the diploma is read from it, what is stored is the envelope object, named by the digest
    of its token."""
    issued = enveloped.envelope if enveloped is not None else document
    text = orjson.dumps(issued).decode()
    identity = diploma_identity(institution.id, document)
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {} if isinstance(subject, dict) else {}
    name = ""
    graduate = subject.get("graduate") if isinstance(subject, dict) else None
    if isinstance(graduate, dict) and isinstance(graduate.get("fullName"), dict):
        names = graduate["fullName"]
        name = str(names.get("en") or next(iter(names.values()), ""))[:255]
    student = ""
    if isinstance(subject, dict):
        for ident in subject.get("identifier") or []:
            if isinstance(ident, dict) and ident.get("identityType") == "studentId":
                student = hashlib.sha256(str(ident.get("identityHash", "")).encode()).hexdigest()
    return {
        "id": str(document["id"]),
        "institution_id": institution.id,
        "issuer_did": institution.did,
        "batch_id": batch_id,
        "batch_position": position,
        "achievement_type": str(achievement.get("achievementType", ""))[:64]
        if isinstance(achievement, dict)
        else "",
        "subject_name": name,
        "student_id_sha256": student,
        "document": text,
        "document_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "secured_digest": enveloped.digest if enveloped is not None else secured_digest(document),
        "issued_at": now,
        "state": "active",
        "holder_programme_sha256": identity.holder_programme_sha256,
        "diploma_number": identity.diploma_number,
        "reissue_of": None,
        "reissue_reason": None,
    }


def issue_diplomas(
    session: Session,
    settings: Settings,
    principal: Principal,
    diplomas: Sequence[DiplomaData],
    *,
    idempotency_key: str | None = None,
    clock: Clock = utcnow_seconds,
    pointer_prefix: str = "",
    signer: AnySigner | None = None,
    reissue: Reissue | None = None,
    index_base: int = 0,
) -> IssuedBatch:
    """Build diplomas from the friendly input model and issue them as one batch (signed with
    the institution's issuing key and its key type's default cryptosuites)."""
    institution = require_institution(principal)
    profile = issuer_profile(institution)
    now = clock()
    dumped = [d.model_dump(mode="json") for d in diplomas]
    digest = digest_of(
        dumped if reissue is None else {"diplomas": dumped, "reissue": reissue.reason}
    )
    replay = _replay_if_seen(session, institution, idempotency_key, digest)
    if replay is not None:
        return replay
    built: list[dict[str, Any]] = []
    problems: list[ErrorDetail] = []
    for index, data in enumerate(diplomas):
        try:
            built.append(
                build_diploma_credential(
                    data, issuer=profile, credential_id=f"urn:uuid:{uuid.uuid4()}", valid_from=now
                )
            )
        except pydantic.ValidationError as exc:
            # Input that passes DiplomaData but not as a credential (e.g. a valid_until before
            # the issuance time): the client's mistake, reported like any other (was a 500).
            where = f"{pointer_prefix}/{index + index_base}" if pointer_prefix else ""
            problems.extend(
                ErrorDetail(str(e["msg"]).removeprefix("Value error, "), where, "invalid-diploma")
                for e in exc.errors()
            )
    if problems:
        raise InvalidCredential(
            f"{len(problems)} problem(s) found; nothing was issued: {problems[0].message}",
            pointer=problems[0].pointer,
            details=problems,
        )
    return issue_credentials(
        session,
        settings,
        principal,
        built,
        idempotency_key=idempotency_key,
        request_digest=digest,
        clock=lambda: now,
        pointer_prefix=pointer_prefix,
        signer=signer,
        reissue=reissue,
        index_base=index_base,
        rdfc_twin=True,
    )


def get_credential(session: Session, credential_id: str) -> CredentialRecord | None:
    return session.get(CredentialRecord, credential_id)


def list_credentials(
    session: Session, institution: InstitutionRecord, *, limit: int = 50, offset: int = 0
) -> list[CredentialRecord]:
    return list(
        session.exec(
            select(CredentialRecord)
            .where(CredentialRecord.institution_id == institution.id)
            .order_by(CredentialRecord.issued_at.desc(), CredentialRecord.id)  # type: ignore[attr-defined]
            .offset(offset)
            .limit(limit)
        ).all()
    )
