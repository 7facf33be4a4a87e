"""``credentialStatus`` entries: parsing ``BitstringStatusListEntry`` objects, and making them.

Implements the data model of W3C "Bitstring Status List v1.0" §2.1
"BitstringStatusListEntry". Parsing never raises for a bad credential: it sorts every entry
of ``credentialStatus`` into one of three lists (see :class:`ParsedStatusEntries`):

* ``entries``: well-formed ``BitstringStatusListEntry`` objects, as :class:`StatusEntry`;
* ``unknown``: entries of another type, as :class:`UnknownStatus`. A verifier cannot check
  them, so it must report the status as indeterminate; it must never ignore them;
* ``problems``: malformed entries (the spec's MALFORMED_VALUE_ERROR), each an
  :class:`~diploma_exchange.errors.ErrorDetail` with a JSON pointer into the credential.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple
from urllib.parse import urlsplit

from diploma_exchange.errors import ErrorDetail, InvalidInput
from diploma_exchange.status.errors import StatusErrorCode

ENTRY_TYPE: Final = "BitstringStatusListEntry"
#: The W3C CCG predecessors of Bitstring Status List still found in issued credentials:
#: "Status List 2021" (``StatusList2021Entry``, the same properties) and "Revocation List
#: 2020" (``RevocationList2020Status`` with ``revocationListIndex`` and
#: ``revocationListCredential``; its purpose is always revocation).
STATUS_LIST_2021_ENTRY: Final = "StatusList2021Entry"
REVOCATION_LIST_2020_ENTRY: Final = "RevocationList2020Status"
LEGACY_ENTRY_TYPES: Final = frozenset({STATUS_LIST_2021_ENTRY, REVOCATION_LIST_2020_ENTRY})

#: The status purposes §2.1 defines; other strings are allowed but have no defined meaning.
KNOWN_PURPOSES: Final = frozenset({"revocation", "suspension", "refresh", "message"})

#: The largest ``statusSize`` accepted: ``statusMessage`` must then list 2**16 messages.
MAX_STATUS_SIZE: Final = 16

# statusListIndex: "an arbitrary size integer greater than or equal to 0, expressed as a
# string in base 10". Bounded to 20 digits: no list holds more than 10**20 entries, and it
# keeps int() cheap.
_INDEX = re.compile(r"[0-9]{1,20}")
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]{1,8}")
_MALFORMED = StatusErrorCode.MALFORMED_VALUE_ERROR.value


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """One element of ``statusMessage``: a status value and its (developer-facing) message."""

    status: int
    message: str


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """A well-formed ``BitstringStatusListEntry`` (§2.1).

    ``pointer`` is where the entry sits in the credential (e.g. ``/credentialStatus/0``).
    """

    id: str | None
    type: str
    status_purpose: str
    status_list_index: int
    status_list_credential: str
    status_size: int = 1
    status_message: tuple[StatusMessage, ...] | None = None
    pointer: str = "/credentialStatus"

    @property
    def bit_position(self) -> int:
        """The position of the entry's first bit: ``statusListIndex * statusSize``."""
        return self.status_list_index * self.status_size

    def message_for(self, status: int) -> str | None:
        """The ``statusMessage`` message for ``status``; the spec defaults for size 1.

        Without ``statusMessage``, §2.1 names the values of 1 and 0 "set" and "unset".
        """
        if self.status_message is not None:
            for item in self.status_message:
                if item.status == status:
                    return item.message
            return None
        if self.status_size == 1 and status in (0, 1):
            return ("unset", "set")[status]
        return None


@dataclass(frozen=True, slots=True)
class UnknownStatus:
    """A ``credentialStatus`` entry of a type this package cannot check.

    ``type`` is the entry's type (several types are joined with a space).
    """

    type: str
    pointer: str


class ParsedStatusEntries(NamedTuple):
    """What :func:`parse_status_entries` found; unpacks as ``entries, unknown, problems``."""

    entries: list[StatusEntry]
    unknown: list[UnknownStatus]
    problems: list[ErrorDetail]


def parse_status_entries(
    credential: Mapping[str, Any], *, allow_integer_index: bool = False
) -> ParsedStatusEntries:
    """Sort the ``credentialStatus`` of ``credential`` into entries, unknown types, problems.

    ``credentialStatus`` may be absent (all lists empty), one object, or a list of objects.
    ``allow_integer_index`` also accepts a JSON number as ``statusListIndex`` (the spec
    requires a string; some issuers, e.g. the 1EdTech validator samples, write a number).

    Raises:
        InvalidInput: ``credential`` is not a JSON object (a bad entry is a problem instead).
    """
    if not isinstance(credential, Mapping):
        raise InvalidInput("a verifiable credential must be a JSON object", pointer="")
    result = ParsedStatusEntries([], [], [])
    if "credentialStatus" not in credential:
        return result
    raw = credential["credentialStatus"]
    if isinstance(raw, Mapping):
        items: list[tuple[str, Any]] = [("/credentialStatus", raw)]
    elif isinstance(raw, list):
        items = [(f"/credentialStatus/{i}", item) for i, item in enumerate(raw)]
    else:
        result.problems.append(
            _problem("credentialStatus must be an object or a list of objects", "/credentialStatus")
        )
        return result
    for pointer, item in items:
        _sort_entry(item, pointer, result, allow_integer_index=allow_integer_index)
    return result


def _sort_entry(
    item: Any, pointer: str, result: ParsedStatusEntries, *, allow_integer_index: bool
) -> None:
    if not isinstance(item, Mapping):
        result.problems.append(_problem("a credentialStatus entry must be an object", pointer))
        return
    kind = item.get("type")
    if kind == REVOCATION_LIST_2020_ENTRY:
        # The Revocation List 2020 names of the same three facts.
        item = {
            **{k: v for k, v in item.items() if not k.startswith("revocationList")},
            "statusPurpose": "revocation",
            "statusListIndex": item.get("revocationListIndex"),
            "statusListCredential": item.get("revocationListCredential"),
        }
    if kind == ENTRY_TYPE or (isinstance(kind, str) and kind in LEGACY_ENTRY_TYPES):
        # The CCG lists' issuers (and their examples) also write the index as a number.
        lenient = allow_integer_index or kind in LEGACY_ENTRY_TYPES
        entry, problems = _parse_entry(item, pointer, allow_integer_index=lenient, kind=str(kind))
        result.problems.extend(problems)
        if entry is not None:
            result.entries.append(entry)
    elif isinstance(kind, list) and ENTRY_TYPE in kind:
        result.problems.append(
            _problem(f"type must be the string {ENTRY_TYPE!r}, not a list", f"{pointer}/type")
        )
    elif isinstance(kind, str) and kind:
        result.unknown.append(UnknownStatus(kind, pointer))
    elif isinstance(kind, list) and kind and all(isinstance(t, str) and t for t in kind):
        result.unknown.append(UnknownStatus(" ".join(kind), pointer))
    else:
        result.problems.append(
            _problem("a credentialStatus entry needs a type (a string)", f"{pointer}/type")
        )


def _parse_entry(
    item: Mapping[str, Any], pointer: str, *, allow_integer_index: bool, kind: str = ENTRY_TYPE
) -> tuple[StatusEntry | None, list[ErrorDetail]]:
    problems: list[ErrorDetail] = []

    def bad(message: str, key: str) -> None:
        problems.append(_problem(message, f"{pointer}/{key}"))

    purpose = item.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        bad("statusPurpose must be a non-empty string, e.g. 'revocation'", "statusPurpose")

    index = _parse_index(item.get("statusListIndex"), allow_integer_index=allow_integer_index)
    if index is None:
        bad(
            "statusListIndex must be a non-negative integer written as a base-10 string "
            '(at most 20 digits), e.g. "94567"',
            "statusListIndex",
        )

    list_url = item.get("statusListCredential")
    if not is_url(list_url):
        bad(
            "statusListCredential must be the URL of the status list credential",
            "statusListCredential",
        )

    entry_id = item.get("id")
    if entry_id is not None and not is_url(entry_id):
        bad("id, when present, must be a URL", "id")
    elif entry_id is not None and entry_id == list_url:
        bad("id must not be the URL of the status list (statusListCredential)", "id")

    status_size = item.get("statusSize", 1)
    size_ok = (
        isinstance(status_size, int)
        and not isinstance(status_size, bool)
        and 1 <= status_size <= MAX_STATUS_SIZE
    )
    if not size_ok:
        bad(f"statusSize must be an integer from 1 to {MAX_STATUS_SIZE}", "statusSize")

    messages: tuple[StatusMessage, ...] | None = None
    # Without a valid statusSize the messages cannot be checked (already a problem).
    if size_ok and ("statusMessage" in item or status_size > 1):
        messages = _parse_messages(item.get("statusMessage"), status_size, pointer, problems)

    # (The type tests repeat the checks above, for the type checker.)
    if problems or not isinstance(purpose, str) or not isinstance(list_url, str) or index is None:
        return None, problems
    return (
        StatusEntry(
            id=entry_id,
            type=kind,
            status_purpose=purpose,
            status_list_index=index,
            status_list_credential=list_url,
            status_size=status_size,
            status_message=messages,
            pointer=pointer,
        ),
        [],
    )


def _parse_index(value: Any, *, allow_integer_index: bool) -> int | None:
    if isinstance(value, str) and _INDEX.fullmatch(value):
        return int(value)
    if (
        allow_integer_index
        and isinstance(value, int)
        and not isinstance(value, bool)
        and 0 <= value < 10**20
    ):
        return value
    return None


def _parse_messages(
    value: Any, status_size: int, pointer: str, problems: list[ErrorDetail]
) -> tuple[StatusMessage, ...] | None:
    where = f"{pointer}/statusMessage"
    expected = 1 << status_size
    if value is None:
        problems.append(
            _problem(f"statusMessage is required when statusSize is {status_size}", where)
        )
        return None
    if not isinstance(value, list) or len(value) != expected:
        problems.append(
            _problem(
                f"statusMessage must be a list of {expected} objects (one per value of a "
                f"{status_size}-bit status)",
                where,
            )
        )
        return None
    messages: list[StatusMessage] = []
    seen: set[int] = set()
    for i, element in enumerate(value):
        status = element.get("status") if isinstance(element, Mapping) else None
        message = element.get("message") if isinstance(element, Mapping) else None
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status):
            problems.append(
                _problem('status must be a hexadecimal string such as "0x1"', f"{where}/{i}/status")
            )
            continue
        number = int(status, 16)
        if number >= expected or number in seen:
            problems.append(
                _problem(
                    f"status {status} is out of range for statusSize {status_size} or repeated",
                    f"{where}/{i}/status",
                )
            )
            continue
        if not isinstance(message, str):
            problems.append(_problem("message must be a string", f"{where}/{i}/message"))
            continue
        seen.add(number)
        messages.append(StatusMessage(number, message))
    return tuple(messages)


def is_url(value: Any) -> bool:
    """Whether ``value`` is an absolute URL (http(s) with a host, or another scheme such as did:)."""
    if not isinstance(value, str) or not value or _SPACE.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return bool(parts.scheme) and bool(parts.path or parts.netloc)


_SPACE = re.compile(r"\s")


def _problem(message: str, pointer: str) -> ErrorDetail:
    return ErrorDetail(message=message, pointer=pointer, code=_MALFORMED)


def make_status_entry(list_credential_url: str, index: int, purpose: str) -> dict[str, str]:
    """Return the ``credentialStatus`` object for entry ``index`` of a status list (§2.1).

    The entry's ``id`` is ``{list_credential_url}#{index}``, as in the spec's examples.

    Raises:
        InvalidInput: ``list_credential_url`` is not a URL or has a fragment, ``index`` is
            not a non-negative int, or ``purpose`` is empty.
    """
    if not is_url(list_credential_url) or "#" in list_credential_url:
        raise InvalidInput(
            f"the status list credential URL {list_credential_url!r} must be a URL without "
            "a fragment"
        )
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InvalidInput(f"a status list index is a non-negative int, not {index!r}")
    if not isinstance(purpose, str) or not purpose:
        raise InvalidInput("statusPurpose must be a non-empty string, e.g. 'revocation'")
    return {
        "id": f"{list_credential_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }


__all__ = [
    "ENTRY_TYPE",
    "KNOWN_PURPOSES",
    "MAX_STATUS_SIZE",
    "ParsedStatusEntries",
    "StatusEntry",
    "StatusMessage",
    "UnknownStatus",
    "make_status_entry",
    "parse_status_entries",
]
