"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, offline.

W3C "RDF Dataset Canonicalization" (RDFC-1.0, Recommendation 21 May 2024) is what the
``*-rdfc-*`` Data Integrity cryptosuites call "canonicalize". pyld implements it under its
earlier name URDNA2015; for the documents of the W3C test vectors (no literal with a
direction, no ``rdf:JSON`` edge cases beyond what URDNA2015 already handled) the outputs are
identical, which the vector tests check byte for byte.

Two safety rules, both of which other implementations (Digital Bazaar's "safe mode") apply:

- contexts come only from the bundled store
  (:func:`diploma_exchange.credentials.contexts.document_loader`); an unknown context raises
  :class:`~diploma_exchange.credentials.contexts.ContextNotBundled`, never a network fetch;
- a property that JSON-LD expansion would *drop* (a term no context defines) raises
  :class:`~diploma_exchange.errors.UndefinedTerm`: a signature over the canonical form would
  not cover it, so an attacker could change it freely.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange.credentials.contexts import ContextNotBundled, document_loader
from diploma_exchange.errors import InvalidInput, LimitExceeded, UndefinedTerm


def _context_not_bundled(exc: BaseException) -> ContextNotBundled | None:
    """The :class:`ContextNotBundled` somewhere in pyld's chain of wrapped errors, if any."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ContextNotBundled):
            return cause
        nested = getattr(cause, "cause", None)
        cause = nested if isinstance(nested, BaseException) else cause.__cause__
    return None


def canonize(document: Mapping[str, Any]) -> bytes:
    """Return the RDFC-1.0 canonical N-Quads (UTF-8) of a JSON-LD document.

    The document is only read. Contexts are resolved offline from the bundled store.

    Raises:
        ContextNotBundled: the document references a context that is not bundled.
        UndefinedTerm: a property is not defined by the document's contexts (it would be
            dropped, and so not signed).
        LimitExceeded: the document is nested too deeply.
        InvalidInput: the document is not a JSON object or is not valid JSON-LD.
    """
    if not isinstance(document, Mapping):
        raise InvalidInput("a JSON-LD document must be a JSON object")
    dropped: list[str | None] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    try:
        nquads = processor.normalize(
            dict(document),
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
            },
        )
    except jsonld.JsonLdError as exc:
        missing = _context_not_bundled(exc)
        if missing is not None:
            raise ContextNotBundled(
                missing.message, pointer=missing.pointer, extra=missing.extra
            ) from exc
        code = getattr(exc, "code", None) or getattr(exc, "type", None) or "jsonld error"
        raise InvalidInput(
            f"the document is not processable JSON-LD ({code}); check its @context",
            pointer="/@context",
        ) from exc
    except RecursionError as exc:
        raise LimitExceeded("the document is nested too deeply to canonicalize") from exc
    if dropped:
        names = ", ".join(sorted({repr(term) for term in dropped}))
        raise UndefinedTerm(
            f"the document uses terms its @context does not define ({names}); they would not "
            "be covered by the signature"
        )
    if not isinstance(nquads, str):  # pragma: no cover - format is n-quads
        raise InvalidInput("RDF canonicalization did not produce N-Quads")
    return nquads.encode("utf-8")


__all__ = ["canonize"]
