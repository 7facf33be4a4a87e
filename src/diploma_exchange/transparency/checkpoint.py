"""C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the note text of a log's tree head.

<origin>\\n<tree size>\\n<base64 root hash>\\n[extension lines]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from diploma_exchange.transparency.merkle import EMPTY_ROOT, HASH_SIZE, MAX_TREE_SIZE
from diploma_exchange.transparency.note import (
    Note,
    NoteError,
    NoteSigner,
    NoteVerifier,
    _b64,
    b64decode_strict,
    parse_note,
    verify_note,
)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: origin, size and root hash (and opaque extension lines)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), _b64(self.root), *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint_text(text: str) -> Checkpoint:
    """Parse a checkpoint's note text.

    Raises:
        NoteError: fewer than three lines, an empty line, a size that is not canonical
            decimal, a root that is not a base64 SHA-256 hash, or size 0 without the empty
            tree's root.
    """
    if not text.endswith("\n"):
        raise NoteError("a checkpoint's text ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise NoteError("a checkpoint has an origin, a size and a root hash, each non-empty")
    origin, size_text, root_text, *extensions = lines
    if not re.fullmatch(r"0|[1-9]\d{0,18}", size_text) or int(size_text) > MAX_TREE_SIZE:
        raise NoteError("a checkpoint's tree size is decimal without leading zeroes")
    root = b64decode_strict(root_text, "the checkpoint's root hash")
    if len(root) != HASH_SIZE:
        raise NoteError("a checkpoint's root hash is 32 bytes")
    size = int(size_text)
    if size == 0 and root != EMPTY_ROOT:
        raise NoteError("the empty tree's root is SHA-256 of nothing")
    return Checkpoint(origin, size, root, tuple(extensions))


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint with its note (all signature lines, including unknown ones)."""

    checkpoint: Checkpoint
    note: Note

    def serialize(self) -> str:
        return self.note.serialize()


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """The signed note of ``checkpoint``; the key name should be the origin."""
    text = checkpoint.text()
    return text + "\n" + signer.sign_line(text)


def open_checkpoint(
    data: str | bytes, log_keys: list[NoteVerifier], *, origin: str | None = None
) -> SignedCheckpoint:
    """Verify a signed checkpoint with the log's key(s) and parse it.

    Raises:
        NoteError: not a note, no verified log signature, a bad one, or another origin.
    """
    note = parse_note(data)
    verify_note(note, log_keys)
    checkpoint = parse_checkpoint_text(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for log {checkpoint.origin!r}, not {origin!r}")
    return SignedCheckpoint(checkpoint, note)
