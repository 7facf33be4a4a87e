"""Log evidence that travels with a diploma, and its verification.

A bundle holds a signed checkpoint (with the witnesses' cosignatures) and the log entries
that concern one credential, each with its RFC 9162 inclusion proof in that checkpoint: the
issuance entry, status changes, and the ending events (retirement, compromise) of its
signing key known when the bundle was made. A verifier without network access checks it
with the log's public key and a :class:`WitnessPolicy`.

    {"format": "dx-log-bundle/v1", "origin": "...", "checkpoint": "<signed note>",
     "entries": [{"index": 41, "entry": "<base64>", "proof": ["<base64>", ...]}, ...]}
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from diploma_exchange.errors import InvalidInput
from diploma_exchange.transparency.checkpoint import Checkpoint, open_checkpoint
from diploma_exchange.transparency.entries import (
    ENDING_KEY_EVENTS,
    Entry,
    EntryError,
    IssuanceEntry,
    KeyEntry,
    StatusEntry,
    parse_entry,
)
from diploma_exchange.transparency.merkle import HASH_SIZE, leaf_hash, verify_inclusion
from diploma_exchange.transparency.note import (
    Cosignature,
    NoteError,
    NoteVerifier,
    verify_cosignatures,
)

BUNDLE_FORMAT = "dx-log-bundle/v1"
MAX_BUNDLE_ENTRIES = 64


class BundleError(InvalidInput):
    """A log bundle is malformed."""

    code = "invalid-log-bundle"


@dataclass(frozen=True, slots=True)
class BundleEntry:
    index: int
    data: bytes
    proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "entry": base64.b64encode(self.data).decode(),
            "proof": [base64.b64encode(p).decode() for p in self.proof],
        }


@dataclass(frozen=True, slots=True)
class LogBundle:
    origin: str
    checkpoint: str
    entries: tuple[BundleEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": BUNDLE_FORMAT,
            "origin": self.origin,
            "checkpoint": self.checkpoint,
            "entries": [e.to_json() for e in self.entries],
        }

    @classmethod
    def from_json(cls, value: Any) -> LogBundle:
        """Parse (not verify) a bundle.

        Raises:
            BundleError: not a dx-log-bundle/v1 object.
        """
        if not isinstance(value, Mapping) or value.get("format") != BUNDLE_FORMAT:
            raise BundleError(f"a log bundle is an object with format {BUNDLE_FORMAT!r}")
        origin, checkpoint, entries = (
            value.get("origin"),
            value.get("checkpoint"),
            value.get("entries"),
        )
        if not isinstance(origin, str) or not isinstance(checkpoint, str):
            raise BundleError("a log bundle has an origin and a checkpoint (strings)")
        if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_BUNDLE_ENTRIES:
            raise BundleError(f"a log bundle has 1 to {MAX_BUNDLE_ENTRIES} entries")
        parsed = []
        for position, item in enumerate(entries):
            if not isinstance(item, Mapping):
                raise BundleError("each entry is an object", pointer=f"/entries/{position}")
            index, data, proof = item.get("index"), item.get("entry"), item.get("proof")
            if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                raise BundleError("index is a leaf index", pointer=f"/entries/{position}/index")
            if not isinstance(proof, list) or len(proof) > 63:
                raise BundleError("proof is a list of hashes", pointer=f"/entries/{position}")
            try:
                raw = base64.b64decode(str(data), validate=True)
                hashes = tuple(base64.b64decode(str(p), validate=True) for p in proof)
            except (binascii.Error, ValueError) as exc:
                raise BundleError(
                    "entry and proof are base64", pointer=f"/entries/{position}"
                ) from exc
            if any(len(h) != HASH_SIZE for h in hashes):
                raise BundleError("proof hashes are 32 bytes", pointer=f"/entries/{position}")
            parsed.append(BundleEntry(index, raw, hashes))
        return cls(origin, checkpoint, tuple(parsed))


@dataclass(frozen=True, slots=True)
class TrustedLog:
    """A log a verifier trusts: its origin and checkpoint key(s)."""

    origin: str
    keys: tuple[NoteVerifier, ...]


@dataclass(frozen=True, slots=True)
class WitnessPolicy:
    """At least ``threshold`` of ``witnesses`` must have cosigned the checkpoint, the newest
    cosignature no older than ``max_age`` (when set). ``threshold`` 0 requires nothing; a
    threshold above the number of witnesses can never be met (and so refuses)."""

    witnesses: tuple[NoteVerifier, ...] = ()
    threshold: int = 0
    max_age: timedelta | None = None

    def __post_init__(self) -> None:
        if self.threshold < 0:
            raise InvalidInput("the witness threshold is not negative")


class LogStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"


@dataclass(frozen=True, slots=True)
class LogVerdict:
    """The outcome of checking a credential against a log. ``status`` is an enum, never a
    truthy value; ``code`` is stable (``log.*``)."""

    status: LogStatus
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status is LogStatus.PASSED


def _indeterminate(code: str, message: str, **details: Any) -> LogVerdict:
    return LogVerdict(LogStatus.INDETERMINATE, code, message, details)


def _failed(code: str, message: str, **details: Any) -> LogVerdict:
    return LogVerdict(LogStatus.FAILED, code, message, details)


def _time(moment: datetime | int) -> str:
    if isinstance(moment, int):
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def check_witnesses(
    note_cosignatures: Sequence[Cosignature], policy: WitnessPolicy, now: datetime
) -> LogVerdict | None:
    """None when ``policy`` is met, else why not (indeterminate: the view of the log cannot be
    confirmed as the one everyone sees, or not as recent as required)."""
    if len(note_cosignatures) < policy.threshold:
        return _indeterminate(
            "log.witnesses",
            f"the checkpoint carries {len(note_cosignatures)} valid cosignature(s) of the "
            f"trusted witnesses; the policy requires {policy.threshold}",
            cosigners=[c.witness.name for c in note_cosignatures],
        )
    if policy.max_age is not None:
        newest = max((c.timestamp for c in note_cosignatures), default=None)
        if newest is None or datetime.fromtimestamp(newest, UTC) < now - policy.max_age:
            return _indeterminate(
                "log.stale-checkpoint",
                "the checkpoint was last witnessed "
                + (_time(newest) if newest is not None else "never")
                + f", longer ago than the policy allows ({policy.max_age})",
            )
    return None


def verify_bundle(
    bundle: LogBundle,
    *,
    credential_digest: str,
    issuer: str,
    verification_method: str,
    trusted_logs: Sequence[TrustedLog],
    policy: WitnessPolicy,
    now: datetime,
) -> LogVerdict:
    """Check that the credential (its secured digest, issuer DID and verification method) was
    logged, in a checkpoint signed by a trusted log and cosigned as ``policy`` requires, and
    that it entered the log before any retirement or compromise of its key in the bundle.

    ``failed`` (``log.after-key-event``) only on verified evidence that the credential was
    logged after its key ended; evidence that cannot be verified gives ``indeterminate``
    (``log.untrusted-log``, ``log.bad-checkpoint``, ``log.bad-proof``, ``log.not-in-bundle``,
    ``log.witnesses``, ``log.stale-checkpoint``): a damaged bundle never makes an authentic
    diploma invalid, and never makes anything valid. Never raises for bad input."""
    log = next((t for t in trusted_logs if t.origin == bundle.origin), None)
    if log is None:
        return _indeterminate(
            "log.untrusted-log", f"the bundle is from log {bundle.origin!r}, which is not trusted"
        )
    try:
        signed = open_checkpoint(bundle.checkpoint, list(log.keys), origin=log.origin)
        cosignatures = verify_cosignatures(signed.note, list(policy.witnesses))
    except NoteError as exc:
        return _indeterminate("log.bad-checkpoint", f"the bundle's checkpoint: {exc.message}")
    checkpoint: Checkpoint = signed.checkpoint
    witnessed = check_witnesses(cosignatures, policy, now)
    if witnessed is not None:
        return witnessed
    verified: list[tuple[int, Entry]] = []
    for item in bundle.entries:
        if not verify_inclusion(
            leaf_hash(item.data), item.index, checkpoint.size, item.proof, checkpoint.root
        ):
            return _indeterminate(
                "log.bad-proof",
                f"the inclusion proof of entry {item.index} does not verify against the "
                f"checkpoint of size {checkpoint.size}",
            )
        try:
            verified.append((item.index, parse_entry(item.data)))
        except EntryError as exc:
            return _indeterminate("log.bad-proof", f"entry {item.index}: {exc.message}")
    base: dict[str, Any] = {
        "origin": checkpoint.origin,
        "treeSize": checkpoint.size,
        "rootHash": base64.b64encode(checkpoint.root).decode(),
        "witnesses": [{"name": c.witness.name, "at": _time(c.timestamp)} for c in cosignatures],
    }
    return judge_entries(
        verified,
        credential_digest=credential_digest,
        issuer=issuer,
        verification_method=verification_method,
        where=f"log {checkpoint.origin}, included in its checkpoint of size {checkpoint.size}"
        + (f", cosigned by {len(cosignatures)} witness(es)" if cosignatures else ""),
        details=base,
        missing=_indeterminate(
            "log.not-in-bundle",
            "the bundle holds no issuance entry for this credential (its digest, issuer and key)",
            **base,
        ),
    )


def judge_entries(
    entries: Sequence[tuple[int, Entry]],
    *,
    credential_digest: str,
    issuer: str,
    verification_method: str,
    where: str,
    details: dict[str, Any],
    missing: LogVerdict,
) -> LogVerdict:
    """The verdict from a log's (verified) entries about one credential: ``missing`` when no
    issuance entry matches its digest, issuer and key; ``failed`` (``log.after-key-event``)
    when its first issuance entry comes after a retirement or compromise of its key (by
    position, or by the NIC's logging time against the compromise's effective time);
    ``passed`` (``log.included``) otherwise."""
    issued = [
        (index, e)
        for index, e in entries
        if isinstance(e, IssuanceEntry)
        and e.digest == credential_digest
        and e.issuer == issuer
        and e.key == verification_method
    ]
    if not issued:
        return missing
    index, issuance = min(issued, key=lambda pair: pair[0])
    base = {**details, "index": index, "loggedAt": _time(issuance.time)}
    for key_index, event in entries:
        if (
            isinstance(event, KeyEntry)
            and event.key == verification_method
            and event.issuer == issuer
            and event.event in ENDING_KEY_EVENTS
            and (index > key_index or issuance.time >= event.effective)
        ):
            return _failed(
                "log.after-key-event",
                f"the credential first appears in the log at entry {index} "
                f"({_time(issuance.time)}), after its key was {event.event} (entry "
                f"{key_index}, effective {_time(event.effective)}): it was not issued while "
                "the key was valid",
                keyEvent=event.event,
                keyEventIndex=key_index,
                **base,
            )
    statuses = [
        {"index": i, "action": e.action, "at": _time(e.time)}
        for i, e in entries
        if isinstance(e, StatusEntry) and e.digest == credential_digest
    ]
    return LogVerdict(
        LogStatus.PASSED,
        "log.included",
        f"the credential is entry {index} of {where} (logged {_time(issuance.time)})",
        {**base, "statusEntries": statuses},
    )
