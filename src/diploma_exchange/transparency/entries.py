"""The entries of the issuance log: what is logged, in a line format anyone can parse.

Each entry is UTF-8 text, one ``name value`` per line, names fixed and in a fixed order per
type, no personal data: a diploma is represented only by its secured digest
(:func:`diploma_exchange.proofs.secured.secured_digest`), which any holder of the credential
recomputes, and by its issuer's DID and verification method. ``time`` is when this NIC
logged the event (its own clock, UTC, whole seconds).

    dx-log-entry/v1                    dx-log-entry/v1               dx-log-entry/v1
    type issuance                      type status                   type key
    time 2026-06-30T10:00:00Z          time ...                      time ...
    issuer did:web:...                 issuer did:web:...            issuer did:web:...
    key did:web:...#key-1              digest <hex>                  key did:web:...#key-1
    digest <hex SHA-256>               action revoke                 event compromised
                                                                     effective <time>
                                                                     public-key z6Mk...
                                                                     log-entry <hex SHA-256>
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from diploma_exchange.errors import InvalidInput

HEADER = "dx-log-entry/v1"
MAX_ENTRY_BYTES = 4096
STATUS_ACTIONS = ("revoke", "suspend", "reinstate")
KEY_EVENTS = ("added", "retired", "compromised")
#: Credentials a NIC signs that are not issuances of its institutions and are therefore not
#: logged (they are in the service's own register; the log holds what institutions issue).
UNLOGGED_TYPES = frozenset(
    {
        "BitstringStatusListCredential",
        "TrustListCredential",
        "AccreditationCredential",
        "RecognitionStatementCredential",
    }
)
#: Key events after which a key signs nothing valid.
ENDING_KEY_EVENTS = ("retired", "compromised")

_VALUE = re.compile(r"^[\x21-\x7e]{1,512}$")  # printable ASCII, no spaces
_HEX = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class EntryError(InvalidInput):
    """A log entry is not in the dx-log-entry/v1 format."""

    code = "invalid-log-entry"


def format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    if not _TIME.match(value):
        raise EntryError(f"{value!r} is not a UTC time in whole seconds")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise EntryError(f"{value!r} is not a time") from exc


@dataclass(frozen=True, slots=True)
class IssuanceEntry:
    time: datetime
    issuer: str
    key: str
    digest: str
    type: Literal["issuance"] = "issuance"

    def fields(self) -> list[tuple[str, str]]:
        return [("issuer", self.issuer), ("key", self.key), ("digest", self.digest)]


@dataclass(frozen=True, slots=True)
class StatusEntry:
    time: datetime
    issuer: str
    digest: str
    action: str
    type: Literal["status"] = "status"

    def fields(self) -> list[tuple[str, str]]:
        return [("issuer", self.issuer), ("digest", self.digest), ("action", self.action)]


@dataclass(frozen=True, slots=True)
class KeyEntry:
    time: datetime
    issuer: str
    key: str
    event: str
    effective: datetime
    public_key: str
    log_entry: str
    type: Literal["key"] = "key"

    def fields(self) -> list[tuple[str, str]]:
        return [
            ("issuer", self.issuer),
            ("key", self.key),
            ("event", self.event),
            ("effective", format_time(self.effective)),
            ("public-key", self.public_key),
            ("log-entry", self.log_entry),
        ]


Entry = IssuanceEntry | StatusEntry | KeyEntry

_FIELDS = {
    "issuance": ("issuer", "key", "digest"),
    "status": ("issuer", "digest", "action"),
    "key": ("issuer", "key", "event", "effective", "public-key", "log-entry"),
}


def encode_entry(entry: Entry) -> bytes:
    """The entry's bytes (the log leaf).

    Raises:
        EntryError: a value with spaces or control characters, or a malformed digest.
    """
    lines = [HEADER, f"type {entry.type}", f"time {format_time(entry.time)}"]
    for name, value in entry.fields():
        if not _VALUE.match(value):
            raise EntryError(f"the {name} {value!r} cannot be logged (printable, no spaces)")
        lines.append(f"{name} {value}")
    _check_values(entry)
    data = ("\n".join(lines) + "\n").encode()
    if len(data) > MAX_ENTRY_BYTES:
        raise EntryError("the log entry is too large")
    return data


def _check_values(entry: Entry) -> None:
    if isinstance(entry, (IssuanceEntry, StatusEntry)) and not _HEX.match(entry.digest):
        raise EntryError("a digest is 64 lowercase hex digits")
    if isinstance(entry, StatusEntry) and entry.action not in STATUS_ACTIONS:
        raise EntryError(f"unknown status action {entry.action!r}")
    if isinstance(entry, KeyEntry):
        if entry.event not in KEY_EVENTS:
            raise EntryError(f"unknown key event {entry.event!r}")
        if not _HEX.match(entry.log_entry):
            raise EntryError("log-entry is 64 lowercase hex digits")


def parse_entry(data: bytes) -> Entry:
    """Parse a log leaf; exactly the format :func:`encode_entry` writes.

    Raises:
        EntryError: anything else.
    """
    if len(data) > MAX_ENTRY_BYTES:
        raise EntryError("the log entry is too large")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise EntryError("a log entry is ASCII") from exc
    if not text.endswith("\n"):
        raise EntryError("a log entry ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or lines[0] != HEADER:
        raise EntryError(f"a log entry starts with {HEADER!r}")
    pairs = []
    for line in lines[1:]:
        name, sep, value = line.partition(" ")
        if not sep or not _VALUE.match(value):
            raise EntryError(f"malformed log entry line {line!r}")
        pairs.append((name, value))
    if pairs[0][0] != "type" or pairs[0][1] not in _FIELDS or pairs[1][0] != "time":
        raise EntryError("a log entry has a known type and a time")
    kind = pairs[0][1]
    names = tuple(name for name, _ in pairs[2:])
    if names != _FIELDS[kind]:
        raise EntryError(f"a {kind} entry has the fields {', '.join(_FIELDS[kind])}, in order")
    values = dict(pairs[2:])
    time = parse_time(pairs[1][1])
    entry: Entry
    if kind == "issuance":
        entry = IssuanceEntry(time, values["issuer"], values["key"], values["digest"])
    elif kind == "status":
        entry = StatusEntry(time, values["issuer"], values["digest"], values["action"])
    else:
        entry = KeyEntry(
            time,
            values["issuer"],
            values["key"],
            values["event"],
            parse_time(values["effective"]),
            values["public-key"],
            values["log-entry"],
        )
    _check_values(entry)
    if encode_entry(entry) != data:  # one encoding per entry
        raise EntryError("the log entry is not in canonical form")
    return entry
