"""A pyld processor that remembers processed JSON-LD contexts across nodes and documents.

JSON-LD 1.1 Processing Algorithms §4.1 "Context Processing" turns an *active context* and a
*local context* into a new active context. pyld 3.3.0 caches that result per resolved context
keyed by the active context's ``_uuid``; but a type-scoped context (JSON-LD 1.1 §4.1.7,
``@propagate: false`` by default) is processed against a fresh *clone* of the active context
(made to remember ``previousContext``), which gets a new ``_uuid`` every time. So every typed
node of an Open Badges credential (``Achievement``, ``Result``, ``IdentityObject``, ...)
rebuilds its type-scoped term definitions from scratch, and so does every node under it: on the
benchmark diploma 29 clones, 16 cache misses out of 37 look-ups and 154 term definitions per
document, about two thirds of the expansion's time.

:class:`CachingProcessor` memoises the whole of ``_process_context`` instead, keyed by:

- the active context **object** (pyld's active contexts are ``frozendict`` values it never
  changes once processed; only frozen ones are used as keys, and each entry holds a reference
  to its key object, so its ``id`` cannot be reused while the entry lives);
- the local context **content** (a URL string, or the exact JSON text of an inline context, in
  its key order: two different contexts never share an entry);
- ``override_protected``, ``propagate`` and ``validate_scoped``;
- the options context processing reads: ``base``, ``processingMode`` and the
  ``documentLoader`` (which resolves the URLs; the loaders here are offline stores).

The result of context processing is a pure function of those (remote contexts come from the
loader, whose documents pyld itself caches by URL forever once tagged ``static``), so a hit
returns exactly the context pyld would have built. Because a hit returns the *same* object,
everything derived from it (the scoped contexts of the next node down, pyld's inverse
contexts) hits as well: after the first credential of a shape, no term definition is rebuilt.

Calls made while a context is being processed (``cycles`` given: scoped-context validation
inside a term definition) are not memoised, nor is anything that raises. The memo is an LRU of
:data:`MAX_ENTRIES` entries, guarded by :data:`~diploma_exchange.jsonld_lock.PYLD_LOCK`.

The memo relies on pyld internals (``_process_context`` and its arguments), so it is used only
with the pyld version it was written and tested against (:data:`PYLD_VERSION`); with any other
version :class:`CachingProcessor` is plain pyld (:data:`ENABLED` is False).
"""

from __future__ import annotations

import json
from typing import Any, Final

from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]
from pyld.__about__ import __version__ as _pyld_version  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange.jsonld_lock import PYLD_LOCK

#: The pyld version whose ``_process_context`` the memo was written for (requirements.lock).
PYLD_VERSION: Final = "3.3.0"
#: Whether the memo is in use (the installed pyld is :data:`PYLD_VERSION`).
ENABLED: Final = _pyld_version == PYLD_VERSION
#: Processed contexts kept (a diploma needs a few dozen; a context is shared, not copied).
MAX_ENTRIES: Final = 2048

_MEMO: LRUCache[tuple[Any, ...], tuple[Any, Any]] = LRUCache(maxsize=MAX_ENTRIES)


class _Stats:
    """Hits and misses of the memo since the process started (for tests and benchmarks)."""

    hits = 0
    misses = 0


STATS: Final = _Stats()


def _local_context_key(local_ctx: Any) -> tuple[str, str] | None:
    """The exact content of a local context as a hashable key, or None if it is not JSON."""
    if isinstance(local_ctx, str):
        return ("url", local_ctx)
    try:
        return ("json", json.dumps(local_ctx, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return None


def clear() -> None:
    """Forget every memoised context (tests; a changed context store)."""
    with PYLD_LOCK:
        _MEMO.clear()
        _IRIS.clear()


#: IRI expansions made outside context processing: ``id(active context)`` -> (that context,
#: {(value, base, vocab): IRI}); emptied when it holds more than :data:`MAX_ENTRIES` contexts.
_IRIS: dict[int, tuple[Any, dict[tuple[Any, Any, bool], Any]]] = {}


class CachingProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's ``JsonLdProcessor`` with context processing memoised (see the module docstring).

    IRI Expansion (JSON-LD 1.1 Processing Algorithms §4.4) outside context processing is a
    pure function of the active context, the value, ``base`` and ``vocab``; with a frozen
    active context its results are remembered too (a diploma expands ~800 keys and values,
    most of them the same terms in the same few contexts).
    """

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: Any = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        if (
            local_ctx
            or not ENABLED
            or not isinstance(value, str)
            or not isinstance(active_ctx, frozendict)
            or not (base is None or isinstance(base, str))
        ):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        with PYLD_LOCK:
            entry = _IRIS.get(id(active_ctx))
            if entry is None or entry[0] is not active_ctx:
                if len(_IRIS) >= MAX_ENTRIES:
                    _IRIS.clear()
                entry = _IRIS[id(active_ctx)] = (active_ctx, {})
            key = (value, base, bool(vocab))
            iris = entry[1]
            if key in iris:
                return iris[key]
            iri = super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
            if len(iris) < 4 * MAX_ENTRIES:
                iris[key] = iri
            return iri

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        def compute() -> Any:
            return super(CachingProcessor, self)._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected=override_protected,
                propagate=propagate,
                validate_scoped=validate_scoped,
                cycles=cycles,
            )

        if not ENABLED or cycles is not None or not isinstance(active_ctx, frozendict):
            return compute()
        local_key = _local_context_key(local_ctx)
        if local_key is None:
            return compute()
        key = (
            id(active_ctx),
            local_key,
            bool(override_protected),
            bool(propagate),
            bool(validate_scoped),
            options.get("base", ""),
            options.get("processingMode"),
            options.get("documentLoader"),
        )
        with PYLD_LOCK:
            try:
                entry = _MEMO.get(key)
            except TypeError:  # an unhashable base or loader: do not memoise
                return compute()
            if entry is not None and entry[0] is active_ctx:
                STATS.hits += 1
                return entry[1]
            STATS.misses += 1
            result = compute()
            if isinstance(result, frozendict):
                _MEMO[key] = (active_ctx, result)
            return result


__all__ = ["ENABLED", "MAX_ENTRIES", "PYLD_VERSION", "STATS", "CachingProcessor", "clear"]
