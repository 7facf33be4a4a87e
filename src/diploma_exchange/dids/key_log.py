"""A hash-chained, signed log of an institution's key events.

A verifier should not have to trust an institution's *current* DID document to know which
keys were valid when: a key removed from the document may have been retired (old
signatures stay good) or compromised (signatures from some moment on are worthless), and
a key added today must not vouch for a diploma "signed" last year. The key log records
each ``added`` / ``retired`` / ``compromised`` event as a JSON object that

* carries ``previousHash``, the SHA-256 (hex) of the JCS (RFC 8785) form of the previous
  *signed* entry, so that no entry can be dropped, inserted, reordered or altered without
  breaking the chain, and
* is secured with an ``eddsa-jcs-2022`` Data Integrity proof (``proofPurpose``
  ``assertionMethod``, ``created`` = ``recordedAt``) by a key the *verifier* chooses to
  accept (e.g. the NIC's), through the ``public_key_for`` callback of :func:`verify_log`.

The entry is a plain JSON object (JCS needs no ``@context``) with ``"type": "KeyEvent"``
so that a signature over a key event can never be mistaken for a signature over another
kind of object by the same key::

    {"type": "KeyEvent", "sequence": 0, "controller": "did:web:uni.example",
     "event": "added", "keyId": "did:web:uni.example#key-1",
     "publicKeyMultibase": "z6Mk...", "effectiveAt": "2024-01-01T00:00:00Z",
     "recordedAt": "2024-01-01T00:00:00Z", "previousHash": null, "note": null,
     "proof": {...}}

Event rules (checked by :func:`append_event` before signing and again by
:func:`verify_log`): the first event is ``added``; a key is added once; only an added key
is retired or compromised, with the public key it was added with; a retired or
compromised key is not retired (again); a compromised key is not compromised again; a
retired key may still be found compromised later; a retirement is not effective before
the key's addition; ``recordedAt`` never goes backwards.

Times are UTC with one-second precision (the serialised precision); finer datetimes are
truncated to the second.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final, Literal, cast, get_args

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.dids.document import parse_did, split_did_url
from diploma_exchange.errors import Error, InvalidInput, ProofError
from diploma_exchange.proofs.eddsa_jcs_2022 import add_proof, proof_of, verify_proof
from diploma_exchange.proofs.jcs import canonicalize
from diploma_exchange.proofs.keys import Signer, public_key_from_multikey

KeyEventType = Literal["added", "retired", "compromised"]

#: The ``type`` of every key log entry.
KEY_EVENT_TYPE: Final = "KeyEvent"
#: The proof purpose of every key log entry's proof.
KEY_LOG_PROOF_PURPOSE: Final = "assertionMethod"
#: Tolerated clock difference before a key's addition (not after retirement/compromise).
CLOCK_SKEW: Final = timedelta(minutes=5)

_EVENTS: Final[frozenset[str]] = frozenset(get_args(KeyEventType))
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_FIELDS: Final = (
    "type",
    "sequence",
    "controller",
    "event",
    "keyId",
    "publicKeyMultibase",
    "effectiveAt",
    "recordedAt",
    "previousHash",
    "note",
)


class SignatureWindowCode(StrEnum):
    """Reason codes of :meth:`KeyWindow.allows_signature_at` (part of the public API)."""

    OK = "ok"
    BEFORE_KEY_EXISTED = "before-key-existed"
    AFTER_RETIREMENT = "after-retirement"
    AFTER_COMPROMISE = "after-compromise"


def _utc_seconds(value: datetime, name: str) -> datetime:
    """Return an aware ``value`` in UTC truncated to whole seconds.

    Raises:
        InvalidInput: ``value`` is not a datetime or is naive.
    """
    if not isinstance(value, datetime):
        raise InvalidInput(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be a timezone-aware datetime (UTC)")
    return value.astimezone(UTC).replace(microsecond=0)


def _format_timestamp(value: datetime) -> str:
    # isoformat, not strftime: glibc's %Y does not pad years before 1000 to four digits.
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parse_timestamp(value: Any, field: str) -> datetime:
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise InvalidInput(
            f"{field} must be a UTC timestamp 'YYYY-MM-DDTHH:MM:SSZ', got {value!r}",
            pointer=f"/{field}",
        )
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise InvalidInput(f"{field} {value!r} is not a valid date", pointer=f"/{field}") from exc


@dataclass(frozen=True, slots=True)
class KeyEvent:
    """One event of a key log, without its proof (parse-then-validate).

    Datetimes are normalised to UTC, whole seconds.

    Raises (on construction):
        InvalidInput: a negative sequence, an unknown event, a controller that is not a
            DID, a ``key_id`` that is not a ``#fragment`` DID URL of the controller, a
            ``public_key_multibase`` that is not an Ed25519/P-256/P-384 Multikey, a naive datetime,
            a ``previous_hash`` that is not 64 lowercase hex digits, or a
            ``previous_hash`` present on entry 0 / missing on later entries.
    """

    sequence: int
    controller: str
    event: KeyEventType
    key_id: str
    public_key_multibase: str
    effective_at: datetime
    recorded_at: datetime
    previous_hash: str | None
    note: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int):
            raise InvalidInput("sequence must be an integer", pointer="/sequence")
        if self.sequence < 0:
            raise InvalidInput(f"sequence must be >= 0, got {self.sequence}", pointer="/sequence")
        if self.event not in _EVENTS:
            raise InvalidInput(
                f"event must be one of {', '.join(sorted(_EVENTS))}, got {self.event!r}",
                pointer="/event",
            )
        try:
            parse_did(self.controller)
        except Error as exc:
            raise InvalidInput(
                f"controller must be a DID: {exc.message}", pointer="/controller"
            ) from exc
        try:
            key_did, fragment = split_did_url(self.key_id)
        except Error as exc:
            raise InvalidInput(f"keyId must be a DID URL: {exc.message}", pointer="/keyId") from exc
        if key_did != self.controller or not fragment:
            raise InvalidInput(
                f"keyId {self.key_id!r} must be a DID URL '{self.controller}#<fragment>' "
                "of the controller",
                pointer="/keyId",
            )
        if not isinstance(self.public_key_multibase, str):
            raise InvalidInput("publicKeyMultibase must be a string", pointer="/publicKeyMultibase")
        try:
            public_key_from_multikey(self.public_key_multibase)
        except Error as exc:
            raise InvalidInput(
                "publicKeyMultibase is not an Ed25519, P-256 or P-384 Multikey ('z6Mk...', "
                f"'zDn...', 'z82...'): {exc.message}",
                pointer="/publicKeyMultibase",
            ) from exc
        object.__setattr__(self, "effective_at", _utc_seconds(self.effective_at, "effectiveAt"))
        object.__setattr__(self, "recorded_at", _utc_seconds(self.recorded_at, "recordedAt"))
        if self.previous_hash is not None and (
            not isinstance(self.previous_hash, str) or not _SHA256_HEX.fullmatch(self.previous_hash)
        ):
            raise InvalidInput(
                "previousHash must be 64 lowercase hex digits (SHA-256) or null",
                pointer="/previousHash",
            )
        if (self.sequence == 0) != (self.previous_hash is None):
            raise InvalidInput(
                "previousHash must be null for entry 0 and a SHA-256 hex digest for every "
                f"later entry (sequence {self.sequence})",
                pointer="/previousHash",
            )
        if self.note is not None and not isinstance(self.note, str):
            raise InvalidInput("note must be a string or null", pointer="/note")

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> KeyEvent:
        """Parse a (signed or unsigned) key log entry; a ``proof`` member is ignored.

        Raises:
            InvalidInput: not a JSON object, missing or unexpected members, a wrong
                ``type``, wrongly typed values, or anything :class:`KeyEvent` refuses.
        """
        if not isinstance(entry, Mapping):
            raise InvalidInput("a key log entry must be a JSON object")
        missing = [name for name in _FIELDS if name not in entry]
        if missing:
            raise InvalidInput(f"missing member(s): {', '.join(missing)}")
        unexpected = sorted(set(entry) - set(_FIELDS) - {"proof"})
        if unexpected:
            raise InvalidInput(f"unexpected member(s): {', '.join(map(str, unexpected))}")
        if entry["type"] != KEY_EVENT_TYPE:
            raise InvalidInput(
                f"type must be {KEY_EVENT_TYPE!r}, got {entry['type']!r}", pointer="/type"
            )
        for name in ("controller", "event", "keyId"):
            if not isinstance(entry[name], str):
                raise InvalidInput(f"{name} must be a string", pointer=f"/{name}")
        return cls(
            sequence=entry["sequence"],
            controller=entry["controller"],
            event=cast(KeyEventType, entry["event"]),
            key_id=entry["keyId"],
            public_key_multibase=entry["publicKeyMultibase"],
            effective_at=_parse_timestamp(entry["effectiveAt"], "effectiveAt"),
            recorded_at=_parse_timestamp(entry["recordedAt"], "recordedAt"),
            previous_hash=entry["previousHash"],
            note=entry["note"],
        )

    def to_json(self) -> dict[str, Any]:
        """Return the unsigned JSON entry (camelCase members, ``note`` always present)."""
        return {
            "type": KEY_EVENT_TYPE,
            "sequence": self.sequence,
            "controller": self.controller,
            "event": self.event,
            "keyId": self.key_id,
            "publicKeyMultibase": self.public_key_multibase,
            "effectiveAt": _format_timestamp(self.effective_at),
            "recordedAt": _format_timestamp(self.recorded_at),
            "previousHash": self.previous_hash,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class KeyWindow:
    """When one key may have made signatures, as derived from a key log."""

    key_id: str
    public_key_multibase: str
    added_at: datetime
    retired_at: datetime | None = None
    compromised_at: datetime | None = None

    def allows_signature_at(self, created: datetime) -> tuple[bool, str]:
        """Return whether a signature created at ``created`` falls in this key's window.

        The reason is a :class:`SignatureWindowCode`: ``ok``; ``before-key-existed``
        (more than :data:`CLOCK_SKEW` before ``added_at``); ``after-compromise``
        (at or after ``compromised_at``; reported before a retirement, being the graver
        reason); ``after-retirement`` (at or after ``retired_at``). No skew is granted
        after retirement or compromise.

        Raises:
            InvalidInput: ``created`` is naive.
        """
        if not isinstance(created, datetime) or created.utcoffset() is None:
            raise InvalidInput("created must be a timezone-aware datetime")
        when = created
        if when < self.added_at - CLOCK_SKEW:
            return False, SignatureWindowCode.BEFORE_KEY_EXISTED
        if self.compromised_at is not None and when >= self.compromised_at:
            return False, SignatureWindowCode.AFTER_COMPROMISE
        if self.retired_at is not None and when >= self.retired_at:
            return False, SignatureWindowCode.AFTER_RETIREMENT
        return True, SignatureWindowCode.OK


@dataclass(frozen=True, slots=True)
class LogVerification:
    """The verdict of :func:`verify_log`; truthy only when ``valid``.

    ``windows`` (read-only) is empty unless the log is valid, so that a caller who forgets
    to look at ``valid`` still finds no key to accept.
    """

    valid: bool
    problems: tuple[str, ...]
    windows: Mapping[str, KeyWindow] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.valid == bool(self.problems):
            raise ValueError(
                "LogVerification.valid must be True exactly when there are no problems"
            )
        if not self.valid and self.windows:
            raise ValueError("an invalid LogVerification carries no key windows")
        object.__setattr__(self, "windows", MappingProxyType(dict(self.windows)))

    def __bool__(self) -> bool:
        return self.valid


def entry_hash(signed_entry: Mapping[str, Any]) -> str:
    """Return the SHA-256 (lowercase hex) of the JCS form of an entry, proof included.

    Raises:
        InvalidInput: ``signed_entry`` is not a JSON object or cannot be canonicalized
            (RFC 8785).
    """
    if not isinstance(signed_entry, Mapping):
        raise InvalidInput("a key log entry must be a JSON object")
    return hashlib.sha256(canonicalize(dict(signed_entry))).hexdigest()


def _rule_problem(
    windows: Mapping[str, KeyWindow],
    event: KeyEvent,
    last_recorded: datetime | None,
    *,
    first: bool,
) -> str | None:
    """Return why ``event`` may not follow the events that produced ``windows``, if so.

    ``first`` is whether the event is at position 0 of the log (its position, not its
    claimed sequence, decides).
    """
    if last_recorded is not None and event.recorded_at < last_recorded:
        return (
            f"recordedAt {_format_timestamp(event.recorded_at)} is before the previous "
            f"entry's {_format_timestamp(last_recorded)} (recordedAt must not go backwards)"
        )
    if first and event.event != "added":
        return f"the first event must be 'added', not {event.event!r}"
    window = windows.get(event.key_id)
    if event.event == "added":
        if window is not None:
            return f"key {event.key_id} was already added; a key id can be added only once"
        return None
    if window is None:
        return f"cannot mark key {event.key_id} {event.event}: it was never added"
    if event.public_key_multibase != window.public_key_multibase:
        return (
            f"publicKeyMultibase of {event.key_id} differs from the one it was added with "
            f"({window.public_key_multibase})"
        )
    if event.event == "retired":
        if window.compromised_at is not None:
            return f"cannot retire key {event.key_id}: it is already compromised"
        if window.retired_at is not None:
            return f"cannot retire key {event.key_id}: it is already retired"
        if event.effective_at < window.added_at:
            return (
                f"retirement of {event.key_id} effective {_format_timestamp(event.effective_at)}"
                f" is before the key was added ({_format_timestamp(window.added_at)})"
            )
        return None
    if window.compromised_at is not None:
        return f"key {event.key_id} is already compromised"
    return None


def _apply(windows: dict[str, KeyWindow], event: KeyEvent) -> None:
    """Update ``windows`` with an ``event`` that passed :func:`_rule_problem`."""
    if event.event == "added":
        windows[event.key_id] = KeyWindow(
            key_id=event.key_id,
            public_key_multibase=event.public_key_multibase,
            added_at=event.effective_at,
        )
    elif event.event == "retired":
        windows[event.key_id] = dataclasses.replace(
            windows[event.key_id], retired_at=event.effective_at
        )
    else:
        windows[event.key_id] = dataclasses.replace(
            windows[event.key_id], compromised_at=event.effective_at
        )


def _require_sequence(log: Any) -> Sequence[Any]:
    if not isinstance(log, Sequence) or isinstance(log, str | bytes | bytearray):
        raise InvalidInput("a key log must be a sequence (JSON array) of entries")
    return log


def _replay(
    log: Sequence[Mapping[str, Any]], controller: str | None = None
) -> tuple[dict[str, KeyWindow], datetime | None]:
    """Parse ``log`` and apply the event rules (no proofs, no hashes); raise on a problem."""
    windows: dict[str, KeyWindow] = {}
    last_recorded: datetime | None = None
    for index, entry in enumerate(_require_sequence(log)):
        try:
            event = KeyEvent.from_json(entry)
        except InvalidInput as exc:
            raise InvalidInput(f"key log entry {index}: {exc}") from exc
        if event.sequence != index:
            raise InvalidInput(f"key log entry {index} has sequence {event.sequence}")
        if controller is not None and event.controller != controller:
            raise InvalidInput(
                f"key log entry {index} belongs to {event.controller}, not {controller}"
            )
        problem = _rule_problem(windows, event, last_recorded, first=index == 0)
        if problem is not None:
            raise InvalidInput(f"key log entry {index}: {problem}")
        _apply(windows, event)
        last_recorded = event.recorded_at
    return windows, last_recorded


def key_windows(log: Sequence[Mapping[str, Any]]) -> dict[str, KeyWindow]:
    """Derive each key's :class:`KeyWindow` from the entries of a key log.

    Meant for a log that :func:`verify_log` accepted (or that this service wrote): it
    checks the entries' shape, sequence and the event rules but **not** the proofs or the
    hash chain.

    Raises:
        InvalidInput: ``log`` is not a sequence, an entry is malformed or out of sequence,
            or an event breaks the event rules.
    """
    windows, _ = _replay(log)
    return windows


def append_event(
    log: Sequence[Mapping[str, Any]],
    *,
    controller: str,
    event: KeyEventType,
    key_id: str,
    public_key_multibase: str,
    effective_at: datetime,
    recorded_at: datetime,
    signer: Signer,
    note: str | None = None,
) -> dict[str, Any]:
    """Return the next signed entry of ``log`` (which is not modified).

    ``sequence`` is ``len(log)``, ``previousHash`` the :func:`entry_hash` of the last
    entry (``None`` for the first), and the entry is secured with an ``eddsa-jcs-2022``
    proof by ``signer`` (``created`` = ``recorded_at``, purpose ``assertionMethod``).
    The existing entries are replayed to enforce the event rules (see the module
    docstring); their proofs are not verified (use :func:`verify_log`).

    Raises:
        InvalidInput: the log is malformed or belongs to another controller; the new
            event breaks a rule (first event not ``added``, key added twice, retiring or
            compromising an unknown key, retiring a retired or compromised key,
            compromising a compromised key, a public key differing from the added one,
            retirement effective before addition, ``recorded_at`` going backwards); or a
            field is invalid (see :class:`KeyEvent`).
        ProofError: the entry cannot be signed.
    """
    windows, last_recorded = _replay(log, controller)
    previous_hash = entry_hash(log[-1]) if log else None
    new_event = KeyEvent(
        sequence=len(log),
        controller=controller,
        event=event,
        key_id=key_id,
        public_key_multibase=public_key_multibase,
        effective_at=effective_at,
        recorded_at=recorded_at,
        previous_hash=previous_hash,
        note=note,
    )
    problem = _rule_problem(windows, new_event, last_recorded, first=not log)
    if problem is not None:
        raise InvalidInput(problem)
    return add_proof(
        new_event.to_json(),
        signer,
        created=new_event.recorded_at,
        proof_purpose=KEY_LOG_PROOF_PURPOSE,
    )


def _proof_problems(
    entry: Mapping[str, Any], public_key_for: Callable[[str], Ed25519PublicKey]
) -> list[str]:
    """Check the entry's proof; return the problems (empty if it verifies)."""
    try:
        proof = proof_of(entry)
    except ProofError as exc:
        return [f"malformed proof: {exc.message}"]
    if proof is None:
        return ["the entry has no proof"]
    problems: list[str] = []
    if proof.get("proofPurpose") != KEY_LOG_PROOF_PURPOSE:
        problems.append(
            f"proofPurpose is {proof.get('proofPurpose')!r}; expected {KEY_LOG_PROOF_PURPOSE!r}"
        )
    if proof.get("created") != entry.get("recordedAt"):
        problems.append(
            f"proof.created {proof.get('created')!r} differs from recordedAt "
            f"{entry.get('recordedAt')!r}"
        )
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        return [*problems, "the proof has no verificationMethod"]
    try:
        public_key = public_key_for(method)
    except (Error, LookupError) as exc:
        return [*problems, f"the signing key {method} is not accepted: {exc}"]
    if not isinstance(public_key, Ed25519PublicKey):
        return [*problems, f"the signing key {method} is not an Ed25519 public key"]
    check = verify_proof(entry, public_key)
    if not check:
        problems.append(f"the proof by {method} does not verify ({check.code}): {check.message}")
    return problems


def verify_log(
    log: Sequence[Mapping[str, Any]],
    *,
    controller: str,
    public_key_for: Callable[[str], Ed25519PublicKey],
) -> LogVerification:
    """Audit a key log of ``controller`` and derive its key windows.

    Checks, for every entry: its shape (:meth:`KeyEvent.from_json`); ``sequence`` equals
    its position; ``controller`` is the expected one; ``previousHash`` is the
    :func:`entry_hash` of the entry before it (``null`` first); its proof is an
    ``eddsa-jcs-2022`` ``assertionMethod`` proof created at ``recordedAt`` that verifies
    with ``public_key_for(proof.verificationMethod)``; and the event rules (see the module
    docstring). ``public_key_for`` decides which keys may sign the log: it returns the
    key, or raises an :class:`~diploma_exchange.errors.Error` (e.g. ``NotFound``,
    ``DidResolutionError``) or a ``LookupError`` to refuse it. An empty log is invalid.

    Every problem found is reported as ``"entry <n>: <what>"``; a bad log never raises.
    The result's ``windows`` are empty unless the log is valid.

    Raises:
        InvalidInput: ``log`` is not a sequence (a JSON array).
    """
    entries = _require_sequence(log)
    if not entries:
        return LogVerification(False, ("the log is empty: it must start with an 'added' event",))
    problems: list[str] = []
    windows: dict[str, KeyWindow] = {}
    last_recorded: datetime | None = None
    previous_hash: str | None = None  # hash of the entry before the current one
    previous_hashable = True
    for index, entry in enumerate(entries):
        found: list[str] = []
        if not isinstance(entry, Mapping):
            problems.append(f"entry {index}: is not a JSON object")
            previous_hashable = False
            continue
        event: KeyEvent | None
        try:
            event = KeyEvent.from_json(entry)
        except InvalidInput as exc:
            event = None
            found.append(str(exc))
        if event is not None:
            if event.sequence != index:
                found.append(
                    f"sequence is {event.sequence}; expected {index} (entries are missing, "
                    "duplicated or reordered)"
                )
            if event.controller != controller:
                found.append(f"controller is {event.controller}; expected {controller}")
        claimed = entry.get("previousHash")
        if index == 0:
            if claimed is not None:
                found.append("previousHash must be null on the first entry")
        elif not previous_hashable:
            found.append(f"previousHash cannot be checked: entry {index - 1} is not hashable")
        elif claimed != previous_hash:
            found.append(
                f"previousHash does not match the hash of entry {index - 1} (the log was "
                "altered, reordered or entries are missing)"
            )
        found.extend(_proof_problems(entry, public_key_for))
        if event is not None:
            rule = _rule_problem(windows, event, last_recorded, first=index == 0)
            if rule is not None:
                found.append(rule)
            else:
                _apply(windows, event)
            last_recorded = event.recorded_at
        try:
            previous_hash, previous_hashable = entry_hash(entry), True
        except InvalidInput:
            previous_hash, previous_hashable = None, False
        problems.extend(f"entry {index}: {problem}" for problem in found)
    if problems:
        return LogVerification(False, tuple(problems))
    return LogVerification(True, (), windows)


__all__ = [
    "CLOCK_SKEW",
    "KEY_EVENT_TYPE",
    "KEY_LOG_PROOF_PURPOSE",
    "KeyEvent",
    "KeyEventType",
    "KeyWindow",
    "LogVerification",
    "SignatureWindowCode",
    "append_event",
    "entry_hash",
    "key_windows",
    "verify_log",
]
