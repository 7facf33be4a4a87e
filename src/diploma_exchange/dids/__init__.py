"""DID documents and resolution: did:key (Ed25519) and did:web."""

from diploma_exchange.dids.did_key import (
    DidKeyResolver,
    did_key_document,
    did_key_from_public_key,
    did_key_verification_method,
    resolve_did_key,
)
from diploma_exchange.dids.did_web import (
    VerificationKey,
    build_did_document,
    did_web_from_url,
    did_web_to_url,
)
from diploma_exchange.dids.document import (
    CompositeResolver,
    DidDocument,
    DidResolver,
    VerificationMethod,
    parse_did,
    split_did_url,
)

__all__ = [
    "CompositeResolver",
    "DidDocument",
    "DidKeyResolver",
    "DidResolver",
    "VerificationKey",
    "VerificationMethod",
    "build_did_document",
    "did_key_document",
    "did_key_from_public_key",
    "did_key_verification_method",
    "did_web_from_url",
    "did_web_to_url",
    "parse_did",
    "resolve_did_key",
    "split_did_url",
]
