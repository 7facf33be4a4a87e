"""RDF canonicalisation from many threads at once (a threaded server verifying proof sets):
pyld's shared context caches are not thread-safe, so every use of pyld holds one lock
(``jsonld_lock.PYLD_LOCK``). Without it, concurrent expansions evicted from the same LRU cache
while another thread iterated it (``RuntimeError: OrderedDict mutated during iteration``)."""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from diploma_exchange.credentials.samples import sample_diploma_credential
from diploma_exchange.proofs import rdfc


def _variants() -> list[dict[str, Any]]:
    base = (
        sample_diploma_credential()
        if callable(sample_diploma_credential)
        else sample_diploma_credential
    )
    documents = []
    for n in range(24):
        document = copy.deepcopy(dict(base))
        document.pop("proof", None)
        document["id"] = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
        documents.append(document)
    return documents


def test_many_threads_canonicalise_at_once_with_the_sequential_results() -> None:
    documents = _variants()
    expected = [rdfc.canonize(d) for d in documents]
    with ThreadPoolExecutor(16) as pool:
        for _ in range(3):
            assert list(pool.map(rdfc.canonize, documents)) == expected
