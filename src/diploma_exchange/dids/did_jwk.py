"""The ``did:jwk`` method (did:jwk Method Specification, §2 "Operations").

``did:jwk:<base64url(UTF-8 JSON of a public JWK)>``. Resolution (§2.2 Read) is a pure
function of the DID: the document has one verification method ``<did>#0`` of type
``JsonWebKey2020`` whose ``publicKeyJwk`` is the decoded JWK; unless the JWK's ``use`` is
``enc`` it is referenced from ``assertionMethod``, ``authentication``,
``capabilityInvocation`` and ``capabilityDelegation`` (and from ``keyAgreement`` unless its
``use`` is ``sig``).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Final

from diploma_exchange.dids.document import DidDocument, parse_did, split_did_url
from diploma_exchange.errors import DidResolutionError

#: A did:jwk is a whole key in the DID: refuse absurd ones before decoding.
MAX_DID_JWK_LENGTH: Final = 4096
#: Members a public JWK may not carry (RFC 7518 §6: private key parameters).
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


def _b64url_decode(text: str) -> bytes:
    if "=" in text or "+" in text or "/" in text:
        raise ValueError("not base64url without padding")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def did_jwk_public_jwk(did_or_did_url: str) -> dict[str, Any]:
    """Return the public JWK a ``did:jwk`` encodes.

    Raises:
        DidResolutionError: not a ``did:jwk``, too long, not base64url JSON of an object
            with a ``kty``, or a JWK with private key members.
    """
    did, _ = split_did_url(did_or_did_url)
    method, msid = parse_did(did)
    if method != "jwk":
        raise DidResolutionError(f"not a did:jwk DID: {did!r}", code="invalid-did")
    if len(msid) > MAX_DID_JWK_LENGTH:
        raise DidResolutionError("the did:jwk is too long", code="invalid-did")
    try:
        jwk = json.loads(_b64url_decode(msid))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise DidResolutionError(
            f"did:jwk {did[:60]!r} is not base64url-encoded JSON", code="invalid-did"
        ) from exc
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kty"), str):
        raise DidResolutionError("a did:jwk must encode a JWK object with kty", code="invalid-did")
    if _PRIVATE_MEMBERS & set(jwk):
        raise DidResolutionError("a did:jwk must not encode a private key", code="invalid-did")
    return jwk


def did_jwk_document(did_or_did_url: str) -> dict[str, Any]:
    """Return the JSON DID document of a ``did:jwk`` (§2.2 Read).

    Raises:
        DidResolutionError: see :func:`did_jwk_public_jwk`.
    """
    jwk = did_jwk_public_jwk(did_or_did_url)
    did, _ = split_did_url(did_or_did_url)
    method_id = f"{did}#0"
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
        ],
        "id": did,
        "verificationMethod": [
            {"id": method_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
    }
    use = jwk.get("use")
    if use != "enc":
        for relationship in (
            "assertionMethod",
            "authentication",
            "capabilityInvocation",
            "capabilityDelegation",
        ):
            document[relationship] = [method_id]
    if use != "sig":
        document["keyAgreement"] = [method_id]
    return document


def resolve_did_jwk(did_or_did_url: str) -> DidDocument:
    """Resolve a ``did:jwk`` to its DID document.

    Raises:
        DidResolutionError: see :func:`did_jwk_public_jwk`, or a fragment other than ``0``.
    """
    _, fragment = split_did_url(did_or_did_url)
    if fragment not in ("", "0"):
        raise DidResolutionError(
            f"a did:jwk has only the verification method #0, not #{fragment}", code="not-found"
        )
    return DidDocument.from_json(did_jwk_document(did_or_did_url))


class DidJwkResolver:
    """A :class:`~diploma_exchange.dids.document.DidResolver` for ``did:jwk``."""

    __slots__ = ()

    def resolve(self, did: str) -> DidDocument:
        """Resolve ``did``; see :func:`resolve_did_jwk`.

        Raises:
            DidResolutionError: see :func:`resolve_did_jwk`.
        """
        return resolve_did_jwk(did)


__all__ = ["DidJwkResolver", "did_jwk_document", "did_jwk_public_jwk", "resolve_did_jwk"]
