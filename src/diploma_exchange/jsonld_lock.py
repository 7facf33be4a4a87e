"""One lock around every use of pyld in the process.

pyld keeps process-wide caches of processed JSON-LD contexts (``jsonld._resolved_context_cache``
and each resolved context's own ``cachetools.LRUCache``) that are not thread-safe: two threads
expanding at once can evict from the same LRU cache while the other iterates it
(``RuntimeError: OrderedDict mutated during iteration``, seen as a 500 when a worker verified
proof sets concurrently). pyld's work is pure Python and CPU-bound (the document loaders here
are offline), so under the GIL serialising it costs no throughput; the lock is re-entrant
because canonicalisation expands inside its own calls.
"""

from __future__ import annotations

import threading

PYLD_LOCK = threading.RLock()

__all__ = ["PYLD_LOCK"]
