"""Bundled JSON-LD contexts and an offline document loader.

Every context a diploma credential may reference ships with the package (see
``contexts/SOURCES.md``). Nothing here touches the network: a context that is not bundled is
an error, never a fetch. That keeps verification hermetic and immune to context-substitution
attacks (a changed remote context would change what a signed credential means).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

from diploma_exchange.errors import InvalidCredential, LimitExceeded

CREDENTIALS_V2_URL = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_UNDEFINED_TERMS_V2_URL = "https://www.w3.org/ns/credentials/undefined-terms/v2"
OB_V3P0_CONTEXT_URL = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DIPLOMA_CONTEXT_URL = "https://w3id.org/diploma-exchange/v1"

#: The ``@context`` of every diploma credential, in this order.
DIPLOMA_CREDENTIAL_CONTEXT: tuple[str, ...] = (
    CREDENTIALS_V2_URL,
    OB_V3P0_CONTEXT_URL,
    DIPLOMA_CONTEXT_URL,
)

#: Context URL -> file name under ``credentials/contexts/``.
CONTEXTS: Mapping[str, str] = {
    CREDENTIALS_V2_URL: "credentials-v2.jsonld",
    CREDENTIALS_UNDEFINED_TERMS_V2_URL: "credentials-undefined-terms-v2.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "credentials-status-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    # Received from other W3C-conformant issuers (VC 1.1 credentials, the W3C test vectors'
    # example credentials, legacy Data Integrity and JWK verification methods).
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/jwk/v1": "jwk-v1.jsonld",
    OB_V3P0_CONTEXT_URL: "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context.json",
    DIPLOMA_CONTEXT_URL: "diploma-exchange-v1.jsonld",
    # Data Integrity credentials of other issuers (DCC / Learner Credential Wallet, Open
    # Badges 3.0 issuers, CCG examples): legacy signature suites and security vocabularies,
    # their status-list contexts and the vocabularies their examples use.
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-signature-2020-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2018/v1": "ed25519-signature-2018-v1.jsonld",
    "https://w3id.org/security/v1": "security-v1.jsonld",
    "https://w3id.org/security/v2": "security-v2.jsonld",
    "https://w3id.org/dcc/v1": "dcc-v1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://w3id.org/vc-revocation-list-2020/v1": "vc-revocation-list-2020-v1.jsonld",
    "https://w3id.org/vc/status-list/2021/v1": "vc-status-list-2021-v1.jsonld",
    "https://w3id.org/citizenship/v1": "citizenship-v1.jsonld",
    "https://w3id.org/citizenship/v2": "citizenship-v2.jsonld",
    "https://www.w3.org/2018/credentials/examples/v1": "credentials-examples-v1.jsonld",
    "https://www.w3.org/ns/odrl.jsonld": "odrl.jsonld",
    "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json": (
        "jff-vc-edu-plugfest-1-context.json"
    ),
}


class ContextNotBundled(InvalidCredential):
    """A credential references a JSON-LD context that is not bundled with the package."""

    code = "context-not-bundled"


def _not_bundled(url: str) -> ContextNotBundled:
    return ContextNotBundled(
        f"context {url} is not bundled; only offline contexts are allowed "
        f"(bundled: {', '.join(sorted(CONTEXTS))})",
        pointer="/@context",
        extra={"url": url},
    )


@cache
def _load_frozen(url: str) -> str:
    filename = CONTEXTS.get(url)
    if filename is None:
        raise _not_bundled(url)
    return (
        resources.files(__package__)
        .joinpath("contexts")
        .joinpath(filename)
        .read_text(encoding="utf-8")
    )


@cache
def context_bytes(url: str) -> bytes:
    """The bundled context document at ``url`` exactly as shipped (and as the service
    publishes it: its digests below are the digests of what a verifier fetches).

    Raises:
        ContextNotBundled: no context is bundled for ``url``.
    """
    return _load_frozen(url).encode("utf-8")


def context_digests(url: str) -> dict[str, str]:
    """VC Data Model 2.0 §5.3 "Integrity of Related Resources" digests of the bundled context
    at ``url``: ``digestSRI`` (SHA-384, Subresource Integrity form) and ``digestMultibase``
    (multihash sha2-256, base64url, ``u`` prefix), as a ``relatedResource`` entry names them.

    Raises:
        ContextNotBundled: no context is bundled for ``url``.
    """
    data = context_bytes(url)
    sri = base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")
    multihash = bytes([0x12, 0x20]) + hashlib.sha256(data).digest()
    multibase = "u" + base64.urlsafe_b64encode(multihash).decode("ascii").rstrip("=")
    return {"digestSRI": f"sha384-{sri}", "digestMultibase": multibase}


@cache
def _parsed(url: str) -> dict[str, Any]:
    document = json.loads(_load_frozen(url))
    if not isinstance(document, dict):  # pragma: no cover - bundled files are objects
        raise InvalidCredential(f"bundled context {url} is not a JSON object")
    return document


def load_context(url: str) -> dict[str, Any]:
    """Return the bundled JSON-LD context document for ``url`` (a fresh copy).

    The file is read and parsed once; callers get a deep copy so they cannot corrupt the
    cache. Raises ``ContextNotBundled`` (an ``InvalidCredential``) for any other URL.
    """
    if not isinstance(url, str):
        raise _not_bundled(repr(url))
    return copy.deepcopy(_parsed(url))


#: Bounds on the ``@context`` material of one document (its own, not the bundled files).
#: Every ``@context`` value anywhere in the document counts, array items one by one,
#: including scoped contexts inside term definitions and ``@import`` references. A diploma
#: has one ``@context`` of three URLs; a presentation of a dozen credentials needs ~40.
MAX_CONTEXT_ENTRIES: Final = 64
#: Term definitions in the document's inline (embedded) contexts, all together.
MAX_INLINE_TERM_DEFINITIONS: Final = 128
#: Contexts nested in term definitions (scoped contexts within scoped contexts).
MAX_SCOPED_CONTEXT_DEPTH: Final = 4
CONTEXT_LIMIT_CODE: Final = "context-limit-exceeded"


def _context_limit(message: str, limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"{message}; a credential's @context is a short list of published context URLs",
        code=CONTEXT_LIMIT_CODE,
        pointer="/@context",
        extra={"limit": limit},
    )


def check_context_limits(document: Any) -> None:
    """Refuse a document whose ``@context`` material would make JSON-LD processing costly.

    pyld processes each context entry into a fresh copy of the active context (so a long
    ``@context`` array costs the square of its length), re-processes a scoped context each
    time a node uses its term or type, and follows bundled URLs however often they repeat.
    Contexts are never fetched (an unknown URL is an error later), so bounding what the
    document itself carries bounds the whole chain: at most :data:`MAX_CONTEXT_ENTRIES`
    entries in all ``@context`` values of the document, :data:`MAX_INLINE_TERM_DEFINITIONS`
    term definitions in its inline contexts and :data:`MAX_SCOPED_CONTEXT_DEPTH` levels of
    contexts inside term definitions. Walks iteratively, in time linear in the document.

    Raises:
        LimitExceeded: a bound is crossed (code ``context-limit-exceeded``).
    """
    entries = 0
    terms = 0
    # (value, is a @context value, scoped-context depth)
    stack: list[tuple[Any, bool, int]] = [(document, False, 0)]
    while stack:
        value, is_context, depth = stack.pop()
        if not is_context:
            if isinstance(value, Mapping):
                for key, item in value.items():
                    stack.append((item, key == "@context", 0))
            elif isinstance(value, list):
                stack.extend((item, False, 0) for item in value)
            continue
        items = value if isinstance(value, list) else [value]
        entries += len(items)
        if entries > MAX_CONTEXT_ENTRIES:
            raise _context_limit(
                f"the document has more than {MAX_CONTEXT_ENTRIES} @context entries",
                MAX_CONTEXT_ENTRIES,
            )
        if depth > MAX_SCOPED_CONTEXT_DEPTH:
            raise _context_limit(
                f"the document nests contexts in term definitions more than "
                f"{MAX_SCOPED_CONTEXT_DEPTH} levels deep",
                MAX_SCOPED_CONTEXT_DEPTH,
            )
        for item in items:
            if not isinstance(item, Mapping):
                continue  # a URL (bundled or refused later), null, or invalid (refused later)
            for key, definition in item.items():
                if key == "@context":
                    stack.append((definition, True, depth + 1))
                    continue
                if key == "@import":
                    entries += 1
                    continue
                if key.startswith("@"):
                    continue
                terms += 1
                if terms > MAX_INLINE_TERM_DEFINITIONS:
                    raise _context_limit(
                        "the document's inline contexts define more than "
                        f"{MAX_INLINE_TERM_DEFINITIONS} terms",
                        MAX_INLINE_TERM_DEFINITIONS,
                    )
                if isinstance(definition, Mapping) and "@context" in definition:
                    stack.append((definition["@context"], True, depth + 1))


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A pyld ``documentLoader`` that serves bundled contexts and never touches the network.

    Returns the remote-document dictionary pyld expects (``contextUrl``, ``documentUrl``,
    ``document``). Raises ``ContextNotBundled`` for a URL that is not bundled; pyld wraps
    that in a ``JsonLdError`` whose cause chain keeps it.
    """
    del options  # part of the pyld loader signature; nothing to configure offline
    return {
        "contentType": "application/ld+json",
        # "static" lets pyld keep the processed context across operations (bundled files
        # never change); without a tag it re-processes every context on every expansion.
        "tag": "static",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(url),
    }


__all__ = [
    "CONTEXTS",
    "CONTEXT_LIMIT_CODE",
    "CREDENTIALS_UNDEFINED_TERMS_V2_URL",
    "CREDENTIALS_V2_URL",
    "DIPLOMA_CONTEXT_URL",
    "DIPLOMA_CREDENTIAL_CONTEXT",
    "MAX_CONTEXT_ENTRIES",
    "MAX_INLINE_TERM_DEFINITIONS",
    "MAX_SCOPED_CONTEXT_DEPTH",
    "OB_V3P0_CONTEXT_URL",
    "ContextNotBundled",
    "check_context_limits",
    "context_bytes",
    "context_digests",
    "document_loader",
    "load_context",
]
