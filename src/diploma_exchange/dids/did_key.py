"""The ``did:key`` method (W3C CCG "The did:key Method v0.7") for Ed25519, P-256 and P-384.

``did:key:<multikey>`` is ``did:key:`` + the Multikey encoding of the public key:
``z6Mk...`` (Ed25519: base58btc of 0xed01 || 32 bytes), ``zDn...`` (P-256: 0x8024 || a
33-byte compressed point) or ``z82...`` (P-384: 0x8124 || a 49-byte compressed point).
Resolution (§4.1 "Document Creation Algorithm", with the Multikey verification method
representation) is a pure function of the DID.
"""

from __future__ import annotations

from typing import Any, Final

from diploma_exchange.dids.document import DidDocument, parse_did, split_did_url
from diploma_exchange.errors import DidResolutionError, InvalidInput, KeyLoadError
from diploma_exchange.proofs.keys import (
    P256_PUB_MULTICODEC,
    P384_PUB_MULTICODEC,
    PublicKey,
    public_key_from_multikey,
    public_key_multibase,
)
from diploma_exchange.proofs.multibase import (
    ED25519_PUB_MULTICODEC,
    decode_base58btc,
)

DID_CONTEXT: Final = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT: Final = "https://w3id.org/security/multikey/v1"

#: Multicodec prefix -> key type name, of the keys a did:key may hold here.
_SUPPORTED_CODECS: Final = {
    ED25519_PUB_MULTICODEC: "Ed25519",
    P256_PUB_MULTICODEC: "P-256",
    P384_PUB_MULTICODEC: "P-384",
}


def did_key_from_public_key(public_key: PublicKey) -> str:
    """Return the ``did:key`` DID of a public key (``z6Mk...``, ``zDn...`` or ``z82...``).

    Raises:
        KeyLoadError: an elliptic-curve key on a curve other than P-256 or P-384.
    """
    return "did:key:" + public_key_multibase(public_key)


def did_key_verification_method(did: str) -> str:
    """Return the DID URL of the (only) verification method of a ``did:key`` DID.

    Raises:
        DidResolutionError: see :func:`resolve_did_key`.
    """
    bare_did, multibase = _decode_did_key(did)
    return f"{bare_did}#{multibase}"


def _decode_did_key(did_or_did_url: str) -> tuple[str, str]:
    """Validate a ``did:key`` (DID or DID URL); return ``(did, multibase)``."""
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
    kind = next((name for codec, name in _SUPPORTED_CODECS.items() if data.startswith(codec)), None)
    if kind is None:
        raise DidResolutionError(
            f"did:key {did!r} holds an unsupported key type (multicodec 0x{data[:2].hex()}); "
            "supported: Ed25519 (z6Mk...), P-256 (zDn...), P-384 (z82...)",
            code="unsupported-key-type",
        )
    try:
        public_key_from_multikey(multibase)
    except KeyLoadError as exc:
        raise DidResolutionError(
            f"did:key {did!r} does not encode a valid {kind} public key: {exc.message}",
            code="invalid-did",
        ) from exc
    if fragment and fragment != multibase:
        raise DidResolutionError(
            f"did:key {did!r} has no verification method #{fragment}", code="not-found"
        )
    return did, multibase


def did_key_document(did_or_did_url: str) -> dict[str, Any]:
    """Return the JSON DID document of a ``did:key`` (fragment is ignored unless it names
    another key).

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
    """Resolve a ``did:key`` DID (or DID URL) to its DID document.

    Raises:
        DidResolutionError: not a valid ``did:key``, not base58btc, an unsupported key type
            (``unsupported-key-type``, e.g. ``z6LS``/X25519), wrong key length or a point
            not on its curve, or a fragment that is not the key's own.
    """
    return DidDocument.from_json(did_key_document(did_or_did_url))


class DidKeyResolver:
    """A :class:`~diploma_exchange.dids.document.DidResolver` for ``did:key`` (Ed25519,
    P-256, P-384)."""

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
