"""C2SP signed-note, vkeys, checkpoints and cosignature/v1, against the spec's and Go's
vectors (tests/transparency/vectors, see SOURCES.md)."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from diploma_exchange.proofs.keys import generate_private_key
from diploma_exchange.transparency import merkle
from diploma_exchange.transparency.checkpoint import (
    Checkpoint,
    open_checkpoint,
    parse_checkpoint_text,
    sign_checkpoint,
)
from diploma_exchange.transparency.note import (
    COSIGNATURE_V1,
    NoteError,
    NoteSigner,
    cosigned_message,
    parse_note,
    parse_vkey,
    verify_cosignatures,
    verify_note,
)

VECTORS = json.loads((Path(__file__).parent / "vectors" / "signed_notes.json").read_text())


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_vectors_verify(name: str) -> None:
    vector = VECTORS[name]
    verifier = parse_vkey(vector["vkey"])
    assert verifier.vkey == vector["vkey"]  # key ID computed as the spec says
    note = parse_note(vector["note"])
    assert note.text == vector["text"]
    assert verify_note(note, [verifier]) == [verifier]
    assert note.serialize() == vector["note"]


def test_signing_reproduces_gos_signature() -> None:
    vector = VECTORS["go-sumdb-note-example"]
    seed = base64.b64decode(vector["skey"].split("+", 4)[4])[1:]
    signer = NoteSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed))
    assert signer.verifier.vkey == vector["vkey"]
    assert vector["text"] + "\n" + signer.sign_line(vector["text"]) == vector["note"]


@pytest.mark.parametrize("vkey", VECTORS["go-sumdb-note-example"]["bad_vkeys"])
def test_bad_vkeys_are_refused(vkey: str) -> None:
    with pytest.raises(NoteError):
        parse_vkey(vkey)


def test_signatures_from_unknown_keys_are_ignored_and_bad_known_ones_refused() -> None:
    vector = VECTORS["c2sp-signed-note-example"]
    verifier = parse_vkey(vector["vkey"])
    other = NoteSigner("example.com/other", generate_private_key())
    extended = parse_note(vector["note"] + other.sign_line(vector["text"]))
    assert verify_note(extended, [verifier]) == [verifier]
    with pytest.raises(NoteError, match="trusted"):
        verify_note(parse_note(vector["note"]), [other.verifier])
    tampered = vector["note"].replace("example message", "example massage")
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(parse_note(tampered), [verifier])


@pytest.mark.parametrize(
    "data",
    [
        "text\n",  # no signatures
        "text\n\n",  # blank line, no signature
        "text\n\n— name\n",
        "text\n\n— na+me AAAAAAA=\n",
        "text\n\n— name AAAA\n",  # 3 bytes, no room for a key ID and a signature
        "te\x01xt\n\n— name AAAAAAAA\n",  # control character
        "text\n\n— name AAAAAAAA",  # no final newline
        "text\n\n- name AAAAAAAA\n",  # hyphen, not an em dash
    ],
)
def test_malformed_notes(data: str) -> None:
    with pytest.raises(NoteError):
        parse_note(data)


def test_checkpoints_round_trip_and_are_strict() -> None:
    signer = NoteSigner("example.kz/log", generate_private_key())
    checkpoint = Checkpoint("example.kz/log", 3, b"\x01" * 32)
    signed = open_checkpoint(sign_checkpoint(checkpoint, signer), [signer.verifier])
    assert signed.checkpoint == checkpoint
    with pytest.raises(NoteError, match="log"):
        open_checkpoint(sign_checkpoint(checkpoint, signer), [signer.verifier], origin="other")
    root = base64.b64encode(b"\x01" * 32).decode()
    for bad in (
        f"o\n03\n{root}\n",
        f"o\n-1\n{root}\n",
        "o\n3\nAAAA\n",
        f"o\n3\n{root}",
        f"o\n\n{root}\n",
        "o\n0\n" + base64.b64encode(b"\x00" * 32).decode() + "\n",
    ):
        with pytest.raises(NoteError):
            parse_checkpoint_text(bad)
    empty = base64.b64encode(merkle.EMPTY_ROOT).decode()
    assert parse_checkpoint_text(f"o\n0\n{empty}\nextension\n").extensions == ("extension",)


def test_cosignatures() -> None:
    log = NoteSigner("example.kz/log", generate_private_key())
    witness = NoteSigner("example.jp/witness", generate_private_key(), COSIGNATURE_V1)
    assert witness.verifier.vkey.split("+")[2].startswith(base64.b64encode(b"\x04").decode()[:1])
    text = Checkpoint("example.kz/log", 3, b"\x01" * 32).text()
    line = witness.cosign_line(text, 1_700_000_000)
    raw = base64.b64decode(line.split(" ")[2])
    assert raw[:4] == witness.verifier.key_id
    assert struct.unpack(">Q", raw[4:12])[0] == 1_700_000_000
    witness.verifier.ed25519().verify(raw[12:], cosigned_message(text, 1_700_000_000))
    assert cosigned_message(text, 5).startswith(b"cosignature/v1\ntime 5\nexample.kz/log\n")
    note = parse_note(text + "\n" + log.sign_line(text) + line)
    found = verify_cosignatures(note, [witness.verifier])
    assert [(c.witness, c.timestamp) for c in found] == [(witness.verifier, 1_700_000_000)]
    # The log's Ed25519 signature is not a cosignature, nor is the cosignature a log signature.
    assert verify_cosignatures(note, [log.verifier]) == []
    forged = line[:-3] + ("A" if line[-3] != "A" else "B") + line[-2:]
    with pytest.raises(NoteError):
        verify_cosignatures(parse_note(text + "\n" + forged), [witness.verifier])
