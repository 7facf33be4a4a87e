"""Differential test: :func:`rdfc.canonize` against pyld's own URDNA2015 (``jsonld.normalize``)
on every credential of the repository's corpora (``tests/corpus``, ``tests/vectors``) and on
sample diplomas.

The two differ by design only where RDFC-1.0 escapes a character URDNA2015 printed raw
(control characters, DEL, non-XML-``Char`` code points; ``test_rdfc_vectors.py``); everywhere
else :func:`canonize`'s bytes must be pyld's.
"""

from __future__ import annotations

import re
from typing import Any

from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange.credentials.contexts import document_loader
from diploma_exchange.errors import Error
from diploma_exchange.jsonld_lock import PYLD_LOCK
from diploma_exchange.proofs import rdfc
from vector_files import jsonld_documents

_RAW_IN_URDNA2015 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _pyld_urdna2015(document: dict[str, Any]) -> bytes:
    with PYLD_LOCK:
        text = jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
                "base": "",
                "processingMode": "json-ld-1.1",
            },
        )
    return str(text).encode("utf-8")


def test_canonize_gives_pyld_s_bytes_on_every_credential_of_the_corpora() -> None:
    compared, differing = 0, []
    for name, document in jsonld_documents():
        try:
            ours = rdfc.canonize(document)
        except Error:
            continue  # refused (context not bundled, undefined term, ...): nothing to compare
        if _RAW_IN_URDNA2015.search(ours.decode("utf-8")):
            continue  # pragma: no cover - none of the corpora has such a literal today
        if ours != _pyld_urdna2015(document):
            differing.append(name)
        compared += 1
    assert differing == []
    assert compared >= 200  # 211 of the 258 JSON-LD documents canonicalize today


def test_a_control_character_is_escaped_as_rdfc_1_0_says() -> None:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:s", "name": "A\x01B\x7fC\tD"},
    }
    ours = rdfc.canonize(document).decode("utf-8")
    assert '"A\\u0001B\\u007FC\\tD"' in ours
    # pyld's URDNA2015 prints U+0001 and DEL raw: the one place the two differ.
    assert '"A\x01B\x7fC\\tD"' in _pyld_urdna2015(document).decode("utf-8")
