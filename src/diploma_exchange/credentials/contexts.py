"""Bundled JSON-LD contexts and an offline document loader.

Every context a diploma credential may reference ships with the package (see
``contexts/SOURCES.md``). Nothing here touches the network: a context that is not bundled is
an error, never a fetch. That keeps verification hermetic and immune to context-substitution
attacks (a changed remote context would change what a signed credential means).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from diploma_exchange.errors import InvalidCredential

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
    "CREDENTIALS_UNDEFINED_TERMS_V2_URL",
    "CREDENTIALS_V2_URL",
    "DIPLOMA_CONTEXT_URL",
    "DIPLOMA_CREDENTIAL_CONTEXT",
    "OB_V3P0_CONTEXT_URL",
    "ContextNotBundled",
    "document_loader",
    "load_context",
]
