"""``BitstringStatusListCredential`` documents: building them, reading them, checking a status.

Implements W3C "Bitstring Status List v1.0" §2.2 "BitstringStatusListCredential", the list
part of §3.1 "Generate Algorithm" (:func:`build_status_list_credential`) and §3.2 "Validate
Algorithm" (:func:`parse_status_list_credential` and :func:`check_status`).

Not done here, on purpose: dereferencing ``statusListCredential`` and verifying the list
credential's proof (step 4 of the Validate Algorithm; the caller fetches the list and
verifies it with :mod:`diploma_exchange.proofs`), and deciding whether the list's issuer
may speak for the credential's issuer (:attr:`StatusList.issuer` is exposed for that).
Errors carry the spec's error names as their ``code`` (see
:class:`~diploma_exchange.status.errors.StatusErrorCode`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, NoReturn

from diploma_exchange.errors import InvalidCredential, InvalidInput, LimitExceeded
from diploma_exchange.proofs.eddsa_jcs_2022 import format_created, is_xsd_datetime
from diploma_exchange.status.bitstring import (
    DEFAULT_MAX_COMPRESSED_BYTES,
    DEFAULT_MAX_DECOMPRESSED_BYTES,
    MIN_BITSTRING_LENGTH,
    Bitstring,
    decode_list,
    encode_list,
)
from diploma_exchange.status.entries import StatusEntry, is_url
from diploma_exchange.status.errors import StatusErrorCode, StatusRangeError

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
LIST_CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
LIST_SUBJECT_TYPE: Final = "BitstringStatusList"
#: §3.2 step 2: "Let minimumNumberOfEntries be 131,072".
MIN_ENTRIES: Final = MIN_BITSTRING_LENGTH
#: Purposes :func:`build_status_list_credential` publishes (``message`` lists would also
#: need ``statusSize`` and ``statusMessages`` in the subject, which this service never uses).
BUILDABLE_PURPOSES: Final = frozenset({"revocation", "suspension", "refresh"})

#: Entry type -> (list credential type, list type) of the list it points to.
LIST_TYPES: Final[Mapping[str, tuple[str, str]]] = {
    "BitstringStatusListEntry": (LIST_CREDENTIAL_TYPE, LIST_SUBJECT_TYPE),
    "StatusList2021Entry": ("StatusList2021Credential", "StatusList2021"),
    "RevocationList2020Status": ("RevocationList2020Credential", "RevocationList2020"),
}

_VERIFICATION = StatusErrorCode.STATUS_VERIFICATION_ERROR.value
_MALFORMED = StatusErrorCode.MALFORMED_VALUE_ERROR.value
_LENGTH = StatusErrorCode.STATUS_LIST_LENGTH_ERROR.value


@dataclass(frozen=True, slots=True, eq=False)
class StatusList:
    """A parsed, shape-checked ``BitstringStatusListCredential`` (its proof is NOT checked).

    ``issuer`` is the list credential's issuer id: the caller decides whether it may speak
    for the credential being checked (normally: it must equal that credential's issuer).
    ``bitstring`` is the decoded list; treat it as read-only.
    """

    id: str | None
    issuer: str
    purposes: tuple[str, ...]
    bitstring: Bitstring
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    ttl_ms: int | None = None
    subject_id: str | None = None

    def is_valid_at(self, now: datetime) -> bool:
        """Whether ``now`` (timezone-aware) lies within the list's validFrom/validUntil."""
        if self.valid_from is not None and now < self.valid_from:
            return False
        return self.valid_until is None or now <= self.valid_until


@dataclass(frozen=True, slots=True)
class StatusResult:
    """The result map of the Validate Algorithm (§3.2 steps 11-15) for one entry.

    ``valid`` is the spec's "status is 0". Deliberately neither truthy nor falsy: "is this
    credential revoked?" must be asked explicitly (``result.valid``, ``result.status``),
    because for ``refresh`` or ``message`` a non-zero status does not invalidate anything.
    """

    status: int
    purpose: str
    valid: bool
    message: str | None
    status_list_index: int
    status_list_credential: str

    def __bool__(self) -> bool:
        raise TypeError("a StatusResult has no truth value; test .valid or .status")


def build_status_list_credential(
    *,
    list_url: str,
    issuer: str,
    purpose: str,
    bitstring: Bitstring,
    valid_from: datetime,
    valid_until: datetime | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """Return an unsigned ``BitstringStatusListCredential`` (VC 2.0) for ``bitstring``.

    §3.1 Generate Algorithm, steps 2-4; step 5 (sign and publish) is the caller's.
    The subject's id is ``{list_url}#list``. Dates are written in UTC, seconds precision.

    Raises:
        InvalidInput: ``list_url`` is not a URL without fragment; ``issuer`` is not a DID;
            ``purpose`` is not revocation, suspension or refresh; ``bitstring`` is shorter
            than 16 KB; a date is naive or ``valid_until`` is not after ``valid_from``;
            ``ttl_ms`` is not a positive int.
    """
    if not is_url(list_url) or "#" in list_url:
        raise InvalidInput(f"list_url {list_url!r} must be a URL without a fragment")
    if not isinstance(issuer, str) or not issuer.startswith("did:") or len(issuer) < 7:
        raise InvalidInput(f"the issuer of a status list is a DID, not {issuer!r}")
    if purpose not in BUILDABLE_PURPOSES:
        raise InvalidInput(f"statusPurpose {purpose!r} is not one of {sorted(BUILDABLE_PURPOSES)}")
    if bitstring.length < MIN_BITSTRING_LENGTH:
        raise InvalidInput(
            f"a published status list has at least {MIN_BITSTRING_LENGTH} bits, not "
            f"{bitstring.length}",
            code=_LENGTH,
        )
    if valid_until is not None and format_created(valid_until) <= format_created(valid_from):
        raise InvalidInput("valid_until must be after valid_from")
    if ttl_ms is not None and (
        isinstance(ttl_ms, bool) or not isinstance(ttl_ms, int) or ttl_ms <= 0
    ):
        raise InvalidInput(f"ttl_ms must be a positive number of milliseconds, not {ttl_ms!r}")
    # 2. Let statusListCredential be an unsigned BitstringStatusListCredential without the
    #    encodedList property set.
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": LIST_SUBJECT_TYPE,
        "statusPurpose": purpose,
    }
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": format_created(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_created(valid_until)
    credential["credentialSubject"] = subject
    # 3. Generate a compressed bitstring (Bitstring Generation Algorithm).
    # 4. Set the encodedList to compressed bitstring.
    subject["encodedList"] = encode_list(bitstring)
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    return credential


def parse_status_list_credential(
    doc: Mapping[str, Any],
    *,
    expected_purpose: str,
    max_compressed_bytes: int = DEFAULT_MAX_COMPRESSED_BYTES,
    max_decompressed_bytes: int = DEFAULT_MAX_DECOMPRESSED_BYTES,
    minimum_entries: int = MIN_ENTRIES,
    entry_type: str = "BitstringStatusListEntry",
) -> StatusList:
    """Check the shape of a ``BitstringStatusListCredential`` and decode its list.

    ``entry_type`` is the type of the credential's entry: for a ``StatusList2021Entry`` the
    list must be a ``StatusList2021Credential`` (CCG "Status List 2021"), for a
    ``RevocationList2020Status`` a ``RevocationList2020Credential`` (CCG "Revocation List
    2020", purpose revocation). Their ``encodedList`` is GZIP + base64url without the
    multibase prefix (base64 with padding is also read), their dates may be the VC 1.1
    ``issuanceDate`` / ``expirationDate``, and they have the same minimum length (16 KB).

    Validate Algorithm (§3.2) steps 5, 6, 8 and, for a ``statusSize`` of 1, step 9; the
    proof (step 4) is not verified here. ``expected_purpose`` is the ``statusPurpose`` of
    the credential's entry. ``minimum_entries`` lowers the spec's 131,072 only where an
    ecosystem specification establishes a different bound (step 2).

    Raises:
        InvalidInput: ``doc`` is not a JSON object.
        InvalidCredential: code ``STATUS_VERIFICATION_ERROR`` when the document is not a
            ``BitstringStatusListCredential`` or does not serve ``expected_purpose``;
            ``MALFORMED_VALUE_ERROR`` when a property is malformed (encodedList included);
            ``STATUS_LIST_LENGTH_ERROR`` when the list is shorter than ``minimum_entries``.
        LimitExceeded: the encoded list exceeds the size limits (a possible GZIP bomb).
    """
    if not isinstance(doc, Mapping):
        raise InvalidInput("a status list credential must be a JSON object", pointer="")
    credential_type, subject_type = LIST_TYPES.get(
        entry_type, (LIST_CREDENTIAL_TYPE, LIST_SUBJECT_TYPE)
    )
    legacy = credential_type != LIST_CREDENTIAL_TYPE
    if not _has_type(doc.get("type"), credential_type):
        _fail(
            f"the status list is not a {credential_type} (type {doc.get('type')!r})",
            "/type",
            _VERIFICATION,
        )
    list_id = doc.get("id")
    if list_id is not None and not is_url(list_id):
        _fail("id must be a URL", "/id", _MALFORMED)
    issuer = _issuer_id(doc.get("issuer"))
    valid_from = _optional_date(doc, "validFrom")
    valid_until = _optional_date(doc, "validUntil")
    if legacy:
        valid_from = valid_from or _optional_date(doc, "issuanceDate")
        valid_until = valid_until or _optional_date(doc, "expirationDate")

    subject = doc.get("credentialSubject")
    if not isinstance(subject, Mapping):
        _fail(
            "credentialSubject must be one object (the BitstringStatusList)",
            "/credentialSubject",
            _MALFORMED,
        )
    if subject.get("type") != subject_type:
        _fail(
            f"credentialSubject.type must be {subject_type!r}",
            "/credentialSubject/type",
            _MALFORMED,
        )
    subject_id = subject.get("id")
    if subject_id is not None and not is_url(subject_id):
        _fail("credentialSubject.id must be a URL", "/credentialSubject/id", _MALFORMED)
    if entry_type == "RevocationList2020Status" and "statusPurpose" not in subject:
        purposes: tuple[str, ...] = ("revocation",)
    else:
        purposes = _purposes(subject.get("statusPurpose"))
    ttl = subject.get("ttl")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
        _fail(
            "ttl must be a non-negative integer (milliseconds)",
            "/credentialSubject/ttl",
            _MALFORMED,
        )

    # 5. Verify that the status purpose is equal to a statusPurpose value in the
    #    statusListCredential. If the values are not equal, raise STATUS_VERIFICATION_ERROR.
    if expected_purpose not in purposes:
        _fail(
            f"the credential's status entry has purpose {expected_purpose!r}, but the status "
            f"list serves {list(purposes)!r}",
            "/credentialSubject/statusPurpose",
            _VERIFICATION,
        )
    # 6. Let compressed bitstring be the value of the encodedList property.
    encoded: Any = subject.get("encodedList")
    pointer = "/credentialSubject/encodedList"
    if legacy and isinstance(encoded, str) and not encoded.startswith("u"):
        # The CCG lists predate multibase: base64url (or base64) of the GZIP bytes.
        encoded = "u" + encoded.rstrip("=").replace("+", "-").replace("/", "_")
    # 8. Generate a revocation bitstring by passing compressed bitstring to the Bitstring
    #    Expansion Algorithm.
    try:
        bitstring = decode_list(
            encoded,
            max_compressed_bytes=max_compressed_bytes,
            max_decompressed_bytes=max_decompressed_bytes,
            allow_small=True,
        )
    except LimitExceeded as exc:
        raise LimitExceeded(exc.message, pointer=pointer) from exc
    except InvalidInput as exc:
        raise InvalidCredential(exc.message, code=_MALFORMED, pointer=pointer) from exc
    # 9. If the length of the revocation bitstring divided by statusSize is less than
    #    minimumNumberOfEntries, raise STATUS_LIST_LENGTH_ERROR. (statusSize 1 here; the
    #    entry's statusSize is applied again in check_status.)
    if bitstring.length < minimum_entries:
        _fail(
            f"the status list holds {bitstring.length} bits, fewer than the "
            f"{minimum_entries} required for herd privacy",
            pointer,
            _LENGTH,
        )
    return StatusList(
        id=list_id,
        issuer=issuer,
        purposes=purposes,
        bitstring=bitstring,
        valid_from=valid_from,
        valid_until=valid_until,
        ttl_ms=ttl,
        subject_id=subject_id,
    )


def check_status(
    entry: StatusEntry, status_list: StatusList, *, minimum_entries: int = MIN_ENTRIES
) -> StatusResult:
    """Validate Algorithm, §3.2: read the status of ``entry`` from ``status_list``.

    Raises:
        InvalidCredential: ``STATUS_VERIFICATION_ERROR`` when the list does not serve the
            entry's purpose; ``STATUS_LIST_LENGTH_ERROR`` when the list holds fewer than
            ``minimum_entries`` entries of the entry's ``statusSize``.
        StatusRangeError: ``RANGE_ERROR``, the entry lies outside the list.
    """
    # 1. credentialToValidate's BitstringStatusListEntry is ``entry``.
    # 2. Let minimumNumberOfEntries be 131,072 (``minimum_entries``).
    # 3. Let status purpose be the value of statusPurpose in the entry.
    purpose = entry.status_purpose
    # 4. (Dereferencing and proof verification: the caller's, before parsing the list.)
    # 5. Verify that the status purpose is equal to a statusPurpose value in the list.
    if purpose not in status_list.purposes:
        raise InvalidCredential(
            f"the status entry has purpose {purpose!r}, but the status list serves "
            f"{list(status_list.purposes)!r}",
            code=_VERIFICATION,
            pointer=f"{entry.pointer}/statusPurpose",
        )
    # 6. Let compressed bitstring be encodedList; 8. expand it: done by the parser.
    bitstring = status_list.bitstring
    # 7. Let credentialIndex be the value of statusListIndex.
    credential_index = entry.status_list_index
    size = entry.status_size
    # 9. If the length of the bitstring divided by statusSize is less than
    #    minimumNumberOfEntries, raise STATUS_LIST_LENGTH_ERROR.
    if bitstring.length // size < minimum_entries:
        raise InvalidCredential(
            f"the status list holds {bitstring.length // size} entries of {size} bit(s), "
            f"fewer than the {minimum_entries} required for herd privacy",
            code=_LENGTH,
            pointer=f"{entry.pointer}/statusSize",
        )
    # 10. Let status be the value at credentialIndex * size; outside the bitstring, raise
    #     RANGE_ERROR.
    try:
        status = bitstring.get_status(credential_index, size)
    except StatusRangeError as exc:
        raise StatusRangeError(exc.message, pointer=f"{entry.pointer}/statusListIndex") from exc
    # 11.-12. result = {status, purpose}; 13. valid = status is 0.
    # 14. If the purpose is message, add the message for the status from statusMessage.
    message = entry.message_for(status) if purpose == "message" else None
    # 15. Return result.
    return StatusResult(
        status=status,
        purpose=purpose,
        valid=status == 0,
        message=message,
        status_list_index=credential_index,
        status_list_credential=entry.status_list_credential,
    )


def _fail(message: str, pointer: str, code: str) -> NoReturn:
    raise InvalidCredential(message, code=code, pointer=pointer)


def _has_type(value: Any, wanted: str) -> bool:
    if isinstance(value, str):
        return value == wanted
    return isinstance(value, list) and wanted in value


def _issuer_id(value: Any) -> str:
    issuer = value.get("id") if isinstance(value, Mapping) else value
    if not is_url(issuer):
        _fail("issuer must be a URL (a DID) or an object with one as its id", "/issuer", _MALFORMED)
    return str(issuer)


def _optional_date(doc: Mapping[str, Any], key: str) -> datetime | None:
    value = doc.get(key)
    if value is None:
        return None
    parsed: datetime | None = None
    if is_xsd_datetime(value):
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            parsed = None
    if parsed is None or parsed.tzinfo is None:
        _fail(
            f"{key} must be a date-time with a time zone, e.g. 2025-01-31T12:00:00Z",
            f"/{key}",
            _MALFORMED,
        )
    return parsed


def _purposes(value: Any) -> tuple[str, ...]:
    pointer = "/credentialSubject/statusPurpose"
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list) and value and all(isinstance(p, str) and p for p in value):
        return tuple(value)
    _fail("statusPurpose must be one or more non-empty strings", pointer, _MALFORMED)


__all__ = [
    "BUILDABLE_PURPOSES",
    "LIST_CREDENTIAL_TYPE",
    "LIST_SUBJECT_TYPE",
    "MIN_ENTRIES",
    "VC_V2_CONTEXT",
    "StatusList",
    "StatusResult",
    "build_status_list_credential",
    "check_status",
    "parse_status_list_credential",
]
