"""The ``did:key`` method for Ed25519 keys (W3C CCG "The did:key Method v0.7").

``did:key:z6Mk...`` is ``did:key:`` + the Multikey encoding of the public key
(base58btc of 0xed01 || 32 bytes). Resolution (§4.1 "Document Creation Algorithm", with
the Multikey verification method representation) is a pure function of the DID.
"""

from __future__ import annotations

from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.dids.document import DidDocument, parse_did, split_did_url
from diploma_exchange.errors import DidResolutionError, InvalidInput, KeyLoadError
from diploma_exchange.proofs.keys import public_key_from_multibase, public_key_multibase
from diploma_exchange.proofs.multibase import (
    ED25519_PUB_MULTICODEC,
    decode_base58btc,
)

DID_CONTEXT: Final = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT: Final = "https://w3id.org/security/multikey/v1"


def did_key_from_public_key(public_key: Ed25519PublicKey) -> str:
    """Return the ``did:key`` DID of an Ed25519 public key (``did:key:z6Mk...``)."""
    return "did:key:" + public_key_multibase(public_key)


def did_key_verification_method(did: str) -> str:
    """Return the DID URL of the (only) verification method of a ``did:key`` DID.

    Raises:
        DidResolutionError: see :func:`resolve_did_key`.
    """
    bare_did, multibase = _decode_did_key(did)
    return f"{bare_did}#{multibase}"


def _decode_did_key(did_or_did_url: str) -> tuple[str, str]:
    """Validate an Ed25519 ``did:key`` (DID or DID URL); return ``(did, multibase)``."""
    did, fragment = split_did_url(did_or_did_url)
    method, multibase = parse_did(did)
    # did:key v0.7 §3.1.2 Decode Public Key: did:key:<mb-value>; version "1" is implicit.
    if method != "key":
        raise DidResolutionError(f"not a did:key DID: {did!r}", code="invalid-did")
    if ":" in multibase:
        raise DidResolutionError(
            f"unsupported did:key version or format: {did!r}", code="invalid-did"
        )
    try:
        data = decode_base58btc(multibase)
    except InvalidInput as exc:
        raise DidResolutionError(
            f"did:key {did!r} is not a base58btc multibase value ('z...')", code="invalid-did"
        ) from exc
    if not data.startswith(ED25519_PUB_MULTICODEC):
        raise DidResolutionError(
            f"did:key {did!r} is not an Ed25519 key (multicodec 0x{data[:2].hex()}); "
            "only Ed25519 (z6Mk...) is supported",
            code="unsupported-key-type",
        )
    try:
        public_key_from_multibase(multibase)
    except KeyLoadError as exc:
        raise DidResolutionError(
            f"did:key {did!r} does not encode a 32-byte Ed25519 public key", code="invalid-did"
        ) from exc
    if fragment and fragment != multibase:
        raise DidResolutionError(
            f"did:key {did!r} has no verification method #{fragment}", code="not-found"
        )
    return did, multibase


def did_key_document(did_or_did_url: str) -> dict[str, Any]:
    """Return the JSON DID document of an Ed25519 ``did:key`` (fragment is ignored
    unless it names another key).

    Raises:
        DidResolutionError: see :func:`resolve_did_key`.
    """
    did, multibase = _decode_did_key(did_or_did_url)
    method_id = f"{did}#{multibase}"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multibase,
            }
        ],
        "authentication": [method_id],
        "assertionMethod": [method_id],
        "capabilityDelegation": [method_id],
        "capabilityInvocation": [method_id],
    }


def resolve_did_key(did_or_did_url: str) -> DidDocument:
    """Resolve an Ed25519 ``did:key`` DID (or DID URL) to its DID document.

    Raises:
        DidResolutionError: not a valid ``did:key``, not base58btc, not an Ed25519 key
            (e.g. ``z6LS``/X25519 or ``zDn``/P-256), wrong key length, or a fragment that
            is not the key's own.
    """
    return DidDocument.from_json(did_key_document(did_or_did_url))


class DidKeyResolver:
    """A :class:`~diploma_exchange.dids.document.DidResolver` for Ed25519 ``did:key``."""

    __slots__ = ()

    def resolve(self, did: str) -> DidDocument:
        """Resolve ``did``; see :func:`resolve_did_key`.

        Raises:
            DidResolutionError: see :func:`resolve_did_key`.
        """
        return resolve_did_key(did)


__all__ = [
    "DID_CONTEXT",
    "MULTIKEY_CONTEXT",
    "DidKeyResolver",
    "did_key_document",
    "did_key_from_public_key",
    "did_key_verification_method",
    "resolve_did_key",
]
