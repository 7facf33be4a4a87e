"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures, verifier keys (vkeys)
and Ed25519 timestamped cosignatures (c2sp.org/tlog-cosignature, ``cosignature/v1``).

Written here because no maintained Python package implements signed notes; Ed25519 itself is
``cryptography``'s. Private keys stay in :class:`NoteSigner` (never printed or pickled).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from diploma_exchange.errors import InvalidInput

#: Signature type identifier bytes (c2sp.org/signed-note §Signature types).
ED25519 = 0x01
COSIGNATURE_V1 = 0x04
#: Verifiers must accept at least 16 signatures; beyond this a note is refused.
MAX_SIGNATURES = 64
MAX_NOTE_BYTES = 64 * 1024
EM_DASH = "\u2014"


class NoteError(InvalidInput):
    """A signed note, vkey or signature is malformed or does not verify."""

    code = "invalid-note"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str, what: str) -> bytes:
    """Standard base64 (RFC 4648 §4) with padding, nothing else.

    Raises:
        NoteError: anything else.
    """
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise NoteError(f"{what} is not base64") from exc
    if _b64(data) != text:
        raise NoteError(f"{what} is not canonical base64")
    return data


def check_key_name(name: str) -> str:
    """Key names are non-empty, without Unicode spaces or ``+`` (c2sp.org/signed-note).

    Raises:
        NoteError: otherwise.
    """
    if not name or "+" in name or any(c.isspace() for c in name) or not name.isprintable():
        raise NoteError(f"{name!r} is not a valid key name (no spaces, no '+', not empty)")
    return name


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """SHA-256(key name || 0x0A || signature type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()[:4]


def _raw(public_key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A trusted key: name, signature type, key ID and Ed25519 public key."""

    name: str
    signature_type: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.signature_type, self.public_key)

    @property
    def vkey(self) -> str:
        """``<name>+hex(key ID)+base64(type || public key)``."""
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([self.signature_type]) + self.public_key)}"

    def ed25519(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.public_key)


def parse_vkey(vkey: str, *, expected_type: int | None = None) -> NoteVerifier:
    """A verifier key (c2sp.org/signed-note §Verifier keys) for Ed25519 (0x01) or
    cosignature/v1 (0x04) keys.

    Raises:
        NoteError: malformed, unsupported type, or the key ID does not match.
    """
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise NoteError("a vkey is <name>+<hex key ID>+<base64 key>")
    name, hex_id, material = parts
    check_key_name(name)
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError("the vkey's key ID must be 8 lowercase hex digits")
    raw = b64decode_strict(material, "the vkey's key")
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError("only Ed25519 (0x01) and cosignature/v1 (0x04) vkeys are supported")
    if expected_type is not None and raw[0] != expected_type:
        raise NoteError(f"expected a vkey of signature type 0x{expected_type:02x}")
    verifier = NoteVerifier(name, raw[0], raw[1:])
    if verifier.key_id.hex() != hex_id:
        raise NoteError("the vkey's key ID does not match its name and key")
    return verifier


class NoteSigner:
    """An Ed25519 note signer (type 0x01) or cosigner (type 0x04) under a key name."""

    __slots__ = ("_key", "_verifier")

    _key: Ed25519PrivateKey
    _verifier: NoteVerifier

    def __init__(self, name: str, private_key: Ed25519PrivateKey, signature_type: int = ED25519):
        if not isinstance(private_key, Ed25519PrivateKey):
            raise NoteError("a note signer needs an Ed25519 private key")
        if signature_type not in (ED25519, COSIGNATURE_V1):
            raise NoteError("unsupported signature type")
        object.__setattr__(self, "_key", private_key)
        object.__setattr__(
            self,
            "_verifier",
            NoteVerifier(check_key_name(name), signature_type, _raw(private_key.public_key())),
        )

    @property
    def verifier(self) -> NoteVerifier:
        return self._verifier

    @property
    def name(self) -> str:
        return self._verifier.name

    def sign_line(self, text: str) -> str:
        """A signature line for note text ``text`` (type 0x01)."""
        if self._verifier.signature_type != ED25519:
            raise NoteError("this key makes cosignatures, not note signatures")
        signature = self._key.sign(text.encode())
        return f"{EM_DASH} {self.name} {_b64(self._verifier.key_id + signature)}\n"

    def cosign_line(self, text: str, timestamp: int) -> str:
        """A cosignature/v1 line for checkpoint text ``text`` at POSIX time ``timestamp``."""
        if self._verifier.signature_type != COSIGNATURE_V1:
            raise NoteError("this key makes note signatures, not cosignatures")
        if not 0 < timestamp < 1 << 63:
            raise NoteError("a cosignature's timestamp is positive and below 2**63")
        signature = self._key.sign(cosigned_message(text, timestamp))
        payload = self._verifier.key_id + struct.pack(">Q", timestamp) + signature
        return f"{EM_DASH} {self.name} {_b64(payload)}\n"

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("NoteSigner is immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError("a NoteSigner holds a private key and cannot be pickled or copied")

    def __repr__(self) -> str:
        return f"NoteSigner(vkey={self._verifier.vkey!r})"


def cosigned_message(text: str, timestamp: int) -> bytes:
    """The Ed25519 cosignature/v1 signed message (c2sp.org/tlog-cosignature)."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: key name, key ID and the bytes after it."""

    name: str
    key_id: bytes
    payload: bytes

    def line(self) -> str:
        return f"{EM_DASH} {self.name} {_b64(self.key_id + self.payload)}\n"


@dataclass(frozen=True, slots=True)
class Note:
    """A parsed (not yet verified) signed note."""

    text: str
    signatures: tuple[Signature, ...]

    def serialize(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def parse_signature_line(line: str) -> Signature:
    """``— <name> <base64(key ID || signature)>`` without its newline.

    Raises:
        NoteError: malformed.
    """
    prefix = EM_DASH + " "
    if not line.startswith(prefix):
        raise NoteError("a signature line starts with an em dash and a space")
    name, sep, encoded = line[len(prefix) :].partition(" ")
    if not sep:
        raise NoteError("a signature line is '— <key name> <base64 signature>'")
    check_key_name(name)
    raw = b64decode_strict(encoded, "a signature")
    if len(raw) < 5:
        raise NoteError("a signature holds a 4-byte key ID and a signature")
    return Signature(name, raw[:4], raw[4:])


def parse_note(data: str | bytes) -> Note:
    """Split a signed note into its text and signature lines (c2sp.org/signed-note §Format).

    Raises:
        NoteError: not UTF-8, control characters, no blank line before the signatures, no
            signature, too many signatures, or a malformed line.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_NOTE_BYTES:
            raise NoteError("the note is too large")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError("a note must be UTF-8") from exc
    if len(data.encode()) > MAX_NOTE_BYTES:
        raise NoteError("the note is too large")
    if any(ord(c) < 0x20 and c != "\n" for c in data) or "\x7f" in data:
        raise NoteError("a note holds no control characters other than newline")
    if not data.endswith("\n"):
        raise NoteError("a note ends with a newline")
    split = data.rfind("\n\n")
    if split < 0:
        raise NoteError("a note's text is separated from its signatures by a blank line")
    text = data[: split + 1]
    lines = data[split + 2 :].split("\n")[:-1]
    if not lines:
        raise NoteError("a note has at least one signature")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note with more than {MAX_SIGNATURES} signatures is refused")
    return Note(text, tuple(parse_signature_line(line) for line in lines))


def _known(verifiers: Iterable[NoteVerifier]) -> dict[tuple[str, bytes], NoteVerifier]:
    return {(v.name, v.key_id): v for v in verifiers}


def verify_note(note: Note, verifiers: Sequence[NoteVerifier]) -> list[NoteVerifier]:
    """The Ed25519 (type 0x01) keys among ``verifiers`` whose signatures on ``note`` verify.

    Signatures from unknown keys are ignored; a signature from a known key that fails to
    verify rejects the note, and so does a note without any verified signature.

    Raises:
        NoteError: as said.
    """
    known = _known(v for v in verifiers if v.signature_type == ED25519)
    verified: list[NoteVerifier] = []
    for signature in note.signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            continue
        try:
            verifier.ed25519().verify(signature.payload, note.text.encode())
        except InvalidSignature as exc:
            raise NoteError(f"the signature by {verifier.name} does not verify") from exc
        if verifier not in verified:
            verified.append(verifier)
    if not verified:
        raise NoteError("no signature on the note is from a trusted key")
    return verified


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A verified cosignature: who, and when (POSIX seconds)."""

    witness: NoteVerifier
    timestamp: int


def verify_cosignatures(note: Note, witnesses: Sequence[NoteVerifier]) -> list[Cosignature]:
    """The cosignature/v1 signatures on ``note`` by keys among ``witnesses`` that verify.

    Raises:
        NoteError: a known witness's cosignature does not verify (the note is then refused).
    """
    known = _known(w for w in witnesses if w.signature_type == COSIGNATURE_V1)
    found: dict[str, Cosignature] = {}
    for signature in note.signatures:
        witness = known.get((signature.name, signature.key_id))
        if witness is None:
            continue
        if len(signature.payload) != 8 + 64:
            raise NoteError(f"the cosignature by {witness.name} has the wrong length")
        (timestamp,) = struct.unpack(">Q", signature.payload[:8])
        if not 0 < timestamp < 1 << 63:
            raise NoteError(f"the cosignature by {witness.name} has no valid timestamp")
        try:
            witness.ed25519().verify(signature.payload[8:], cosigned_message(note.text, timestamp))
        except InvalidSignature as exc:
            raise NoteError(f"the cosignature by {witness.name} does not verify") from exc
        previous = found.get(witness.vkey)
        if previous is None or previous.timestamp < timestamp:
            found[witness.vkey] = Cosignature(witness, timestamp)
    return list(found.values())
