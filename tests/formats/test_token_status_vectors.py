"""The IETF Token Status List draft's own signed examples (tests/formats/vectors, see SOURCES.md):
a status list JWT and CWT signed with the draft's example key, read through the same checks a
credential's ``status`` claim gets (signature, issuer, ``sub``, expiry, the entry)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from diploma_exchange.formats import EnvelopeOptions, StaticFetcher
from diploma_exchange.formats.context import OpenContext
from diploma_exchange.formats.inputs import b64url_decode, b64url_encode
from diploma_exchange.formats.tokens import token_status_checks
from diploma_exchange.status.token_status_list import TokenStatusReference
from formats.support import NOW, RESOLVER

VECTORS = Path(__file__).resolve().parent / "vectors" / "token-status-list"
URI = "https://example.com/statuslists/1"
ISSUER = "https://example.com"
METADATA_URL = "https://example.com/.well-known/jwt-vc-issuer"
#: exampleStatusList1Bit of the draft's src/main.py.
BITS = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]


def _token(kind: str) -> bytes:
    if kind == "jwt":
        return (VECTORS / "status_list_jwt.txt").read_text().strip().encode()
    return bytes.fromhex((VECTORS / "status_list_cwt.hex").read_text().strip())


def _checks(token: bytes, index: int, issuer: str = ISSUER) -> dict[str, str]:
    fetcher = StaticFetcher(
        {URI: token, METADATA_URL: (VECTORS / "issuer-metadata.json").read_bytes()}
    )
    ctx = OpenContext(RESOLVER, NOW, fetcher, EnvelopeOptions())
    found = token_status_checks(TokenStatusReference(URI, index), issuer, ctx, fetcher)
    return {c.name.value: c.code for c in found}


@pytest.mark.parametrize("kind", ["jwt", "cwt"])
@pytest.mark.parametrize("index", range(len(BITS)))
def test_every_entry_reads_as_the_draft_set_it(kind: str, index: int) -> None:
    codes = _checks(_token(kind), index)
    assert codes["status.revocation"] == ("revoked" if BITS[index] else "not-revoked")


@pytest.mark.parametrize("kind", ["jwt", "cwt"])
def test_an_index_past_the_list_is_refused(kind: str) -> None:
    assert _checks(_token(kind), 16 * 8)["status.revocation"] != "not-revoked"


def test_a_changed_list_fails_its_signature() -> None:
    head, payload, signature = _token("jwt").decode().split(".")
    claims = b64url_decode(payload, what="payload")
    # The same claims with every entry VALID (a holder hiding a revocation).
    empty = b64url_encode(zlib.compress(bytes(2)))
    forged = b64url_encode(claims.replace(b"eNrbuRgAAhcBXQ", empty.encode()))
    codes = _checks(f"{head}.{forged}.{signature}".encode(), 0)
    assert codes["status.revocation"].startswith("status-list-")


def test_a_list_of_another_issuer_cannot_speak_for_the_credential() -> None:
    codes = _checks(_token("jwt"), 0, issuer="https://other.example")
    assert codes["status.revocation"] in (
        "status-list-wrong-issuer",
        "status-list-unresolvable-key",
    )
