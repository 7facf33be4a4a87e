"""The witness side of C2SP tlog-witness (c2sp.org/tlog-witness): ``add-checkpoint``.

A witness keeps, per log origin, the latest checkpoint it cosigned. It cosigns a new one only
if the log's signature verifies and a consistency proof from the size it saw verifies, so a
log that forks or rewrites its history cannot get the cosignatures verifiers require.
Pure logic: the service reads and writes the stored state atomically around
:func:`add_checkpoint` and maps :class:`Outcome` to the HTTP statuses the spec names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from diploma_exchange.transparency.checkpoint import Checkpoint, parse_checkpoint_text
from diploma_exchange.transparency.merkle import EMPTY_ROOT, verify_consistency
from diploma_exchange.transparency.note import (
    NoteError,
    NoteSigner,
    NoteVerifier,
    b64decode_strict,
    parse_note,
    verify_note,
)

MAX_REQUEST_BYTES = 64 * 1024
MAX_PROOF_LINES = 63


class Outcome(Enum):
    """Results of add-checkpoint, with the HTTP status c2sp.org/tlog-witness assigns."""

    COSIGNED = 200
    BAD_REQUEST = 400
    FORBIDDEN = 403
    UNKNOWN_LOG = 404
    CONFLICT = 409
    UNPROCESSABLE = 422


@dataclass(frozen=True, slots=True)
class WitnessedState:
    """The latest checkpoint a witness cosigned for one origin."""

    size: int
    root: bytes
    note: str


@dataclass(frozen=True, slots=True)
class AddCheckpointRequest:
    old_size: int
    proof: tuple[bytes, ...]
    note: str


@dataclass(frozen=True, slots=True)
class WitnessResult:
    outcome: Outcome
    message: str
    #: The response body: cosignature lines (200) or the known size line (409).
    body: str = ""
    #: The state to store (200 only).
    state: WitnessedState | None = None
    checkpoint: Checkpoint | None = None


def encode_request(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """An add-checkpoint request body."""
    import base64

    lines = [f"old {old_size}", *(base64.b64encode(p).decode() for p in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode()


def parse_request(body: bytes) -> AddCheckpointRequest:
    """Parse an add-checkpoint body: ``old <size>``, proof lines, a blank line, a checkpoint.

    Raises:
        NoteError: malformed (the witness answers 400).
    """
    if len(body) > MAX_REQUEST_BYTES:
        raise NoteError("the request is too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("the request is not UTF-8") from exc
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise NoteError("the old size and proof are followed by a blank line and a checkpoint")
    lines = head.split("\n")
    match = re.fullmatch(r"old (0|[1-9]\d{0,18})", lines[0])
    if match is None:
        raise NoteError("the first line is 'old <size>' in decimal without leading zeroes")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise NoteError(f"at most {MAX_PROOF_LINES} consistency proof lines")
    proof = tuple(b64decode_strict(line, "a consistency proof line") for line in lines[1:])
    if any(len(p) != 32 for p in proof):
        raise NoteError("consistency proof lines are 32-byte hashes")
    return AddCheckpointRequest(int(match.group(1)), proof, note)


def add_checkpoint(
    body: bytes,
    *,
    logs: Mapping[str, Sequence[NoteVerifier]],
    stored: Mapping[str, WitnessedState],
    signer: NoteSigner,
    timestamp: int,
) -> WitnessResult:
    """Decide an add-checkpoint request (c2sp.org/tlog-witness §add-checkpoint).

    ``logs`` maps each known origin to its trusted keys; ``stored`` holds the latest cosigned
    state per origin (the caller holds a lock on it until it stores the returned state)."""
    try:
        request = parse_request(body)
        note = parse_note(request.note)
        checkpoint = parse_checkpoint_text(note.text)
    except NoteError as exc:
        # A size-0 checkpoint with another root is 422 by the spec; every other parse
        # failure is a malformed request.
        if "empty tree" in exc.message:
            return WitnessResult(Outcome.UNPROCESSABLE, exc.message)
        return WitnessResult(Outcome.BAD_REQUEST, exc.message)
    keys = logs.get(checkpoint.origin)
    if keys is None:
        return WitnessResult(Outcome.UNKNOWN_LOG, f"unknown log {checkpoint.origin!r}")
    try:
        trusted = verify_note(note, list(keys))
    except NoteError as exc:
        return WitnessResult(Outcome.FORBIDDEN, exc.message)
    if request.old_size > checkpoint.size:
        return WitnessResult(Outcome.BAD_REQUEST, "the old size is larger than the checkpoint")
    state = stored.get(checkpoint.origin)
    known_size = state.size if state is not None else 0
    if request.old_size != known_size:
        return WitnessResult(
            Outcome.CONFLICT,
            f"this witness last cosigned size {known_size}",
            body=f"{known_size}\n",
        )
    if request.old_size == 0:
        if request.proof:
            return WitnessResult(Outcome.UNPROCESSABLE, "no proof is sent from size 0")
        # A size-0 checkpoint with another root was refused when parsed.
    elif state is None or not verify_consistency(
        state.size, checkpoint.size, state.root, checkpoint.root, request.proof
    ):
        return WitnessResult(
            Outcome.UNPROCESSABLE,
            f"the checkpoint is not consistent with the one of size {known_size} this witness "
            "cosigned: the log forked or rewrote its history",
        )
    line = signer.cosign_line(note.text, timestamp)
    # Served to monitors: the log's verified signature(s) and this witness's cosignature.
    names = {(v.name, v.key_id) for v in trusted}
    kept = "".join(s.line() for s in note.signatures if (s.name, s.key_id) in names)
    return WitnessResult(
        Outcome.COSIGNED,
        "cosigned",
        body=line,
        state=WitnessedState(checkpoint.size, checkpoint.root, note.text + "\n" + kept + line),
        checkpoint=checkpoint,
    )


__all__ = [
    "EMPTY_ROOT",
    "AddCheckpointRequest",
    "Outcome",
    "WitnessResult",
    "WitnessedState",
    "add_checkpoint",
    "encode_request",
    "parse_request",
]
