"""Adversarial inputs for ``test_bounded_work.py``, built in code (no big binary files).

Each builder says what it costs without the bound that stops it; the numbers were measured
once on the project's 2-core development machine (pyld 3.3, pypdf 7.1, Pillow 13,
zxing-cpp 3.1) and are written down, not asserted: no test asserts a time.
"""

from __future__ import annotations

import functools
import io
import socket
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

V2 = "https://www.w3.org/ns/credentials/v2"


def poison_graph(nodes: int) -> dict[str, Any]:
    """A credential whose subject is ``nodes`` blank nodes, each linked to all the others.

    Every blank node has the same first-degree hash, so RDFC-1.0's Hash N-Degree Quads
    (§4.8) tries every permutation of every neighbourhood, recursively: unbounded, 6 nodes
    took 0.6 s, 7 nodes 5.3 s (1 KB), 8 nodes about 50 s (1.3 KB): x10 per node.
    """
    return {
        "@context": [V2, {"knows": {"@id": "https://schema.org/knows", "@type": "@id"}}],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": [
            {"id": f"_:n{i}", "knows": [{"id": f"_:n{j}"} for j in range(nodes) if j != i]}
            for i in range(nodes)
        ],
    }


def many_values_of_one_property(values: int) -> dict[str, Any]:
    """A credential whose subject has ``values`` names (no blank node trick at all).

    pyld's node map compares each value with all the values before it (duplicate
    elimination), so the cost is quadratic: unbounded, 5,000 values (180 KB) took 7 s and
    20,000 values (730 KB, well under the 2 MB body limit) took 119 s.
    """
    return {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {
            "id": "did:example:subject",
            "name": [f"value number {i} with some text" for i in range(values)],
        },
    }


def repeated_contexts(entries: int) -> dict[str, Any]:
    """A credential whose ``@context`` repeats the bundled VC 2.0 context ``entries`` times.

    Nothing is fetched, but pyld re-processes the context into a new active context each
    time: unbounded, 2,000 entries (80 KB) took 3.7 s; 2 MB of them about 90 s.
    """
    return {"@context": [V2] * entries, "type": ["VerifiableCredential"], "issuer": "did:x:1"}


def undefined_types(count: int) -> dict[str, Any]:
    """A credential with ``count`` undefined types (each reported with its JSON pointer).

    The reporter used to search the whole document once per undefined name: unbounded
    (before the one-pass search), 5,000 types (44 KB) took 11 s and 20,000 (190 KB) 190 s.
    """
    return {
        "@context": [V2],
        "type": ["VerifiableCredential", *[f"Undefined{i}" for i in range(count)]],
        "issuer": "did:example:issuer",
    }


def proof_set(proofs: int) -> dict[str, Any]:
    """A document with ``proofs`` eddsa-jcs-2022 proofs that name each other in a chain.

    Verifying each proof re-read the whole set (``all_proofs`` and an index per proof):
    quadratic, 4,000 proofs took 7 s before any signature was checked.
    """
    return {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "proof": [
            {
                "id": f"urn:proof:{i}",
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-jcs-2022",
                "proofPurpose": "assertionMethod",
                "verificationMethod": "did:example:issuer#key-1",
                **({"previousProof": f"urn:proof:{i - 1}"} if i else {}),
                "proofValue": "z" + "1" * 60,
            }
            for i in range(proofs)
        ],
    }


# --- PDF -------------------------------------------------------------------------------------


@functools.cache
def _compressed_object_stream(inflated_bytes: int) -> bytes:
    """One object stream's compressed data: a one-object header, then spaces."""
    header = b"100 0 "
    body = header + b"<< /Type /Filespec /F (x.json) >>" + b" " * inflated_bytes
    return zlib.compress(body, 9)


def pdf_object_stream_bomb(streams: int, inflated_mb: float = 70) -> bytes:
    """A PDF whose catalog points into ``streams`` object streams of ``inflated_mb`` MB each.

    Each object stream holds one small object followed by spaces (70 MB compress to ~70 KB),
    just under pypdf's default 75 MB per-stream limit, so pypdf inflates and parses every
    one whole while resolving the catalog's ``/AF`` entries. Unbounded, three such streams
    (215 KB) took 31 s and +330 MB, ten (0.7 MB, the report's file) 110 s and +820 MB.
    The streams are identical (compressed once): pypdf inflates each all the same.
    """
    compressed = _compressed_object_stream(int(inflated_mb * 1024 * 1024))
    objects: list[bytes] = []
    refs = " ".join(f"{100 + i} 0 R" for i in range(streams))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R /AF [%s] >>" % refs.encode("ascii"))
    objects.append(b"<< /Type /Pages /Kids [] /Count 0 >>")
    holders: dict[int, int] = {}
    for i in range(streams):
        objects.append(
            b"<< /Type /ObjStm /N 1 /First 6 /Length %d /Filter /FlateDecode >>\nstream\n"
            % len(compressed)
            + compressed
            + b"\nendstream"
        )
        holders[100 + i] = len(objects)
    return _with_xref_stream(objects, holders)


def pdf_with_many_objects(count: int) -> bytes:
    """A small valid PDF whose cross-reference table declares ``count`` objects (all but
    the first two free). pypdf reads the whole table before anything else."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"0000000000 00000 n \n" * (count - 1 - len(offsets)))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref))
    return out.getvalue()


def _with_xref_stream(objects: list[bytes], compressed: dict[int, int]) -> bytes:
    """The PDF with a cross-reference stream covering ``objects`` and ``compressed``
    (object number -> number of the object stream holding it, index 0)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, body in enumerate(objects, start=1):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref_number = len(objects) + 1
    offsets[xref_number] = out.tell()
    size = max([xref_number, *compressed]) + 1
    rows = []
    for number in range(size):
        if number in offsets:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00")
        elif number in compressed:
            rows.append(b"\x02" + compressed[number].to_bytes(4, "big") + b"\x00")
        else:
            rows.append(b"\x00" + b"\x00" * 4 + b"\xff")
    data = b"".join(rows)
    out.write(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Length %d >>\nstream\n"
        % (xref_number, size, len(data))
        + data
        + b"\nendstream\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % offsets[xref_number])
    return out.getvalue()


# --- images ------------------------------------------------------------------------------------


def progressive_jpeg_with_repeated_scans(repeats: int, side: int = 2000) -> bytes:
    """A progressive JPEG whose last scan is repeated ``repeats`` times.

    libjpeg decodes every scan over the whole image (and only warns about the repeats);
    nothing in Pillow limits the count. Unbounded, 1,000 repeats in a 94 KB file of
    4000x4000 pixels took 18 s to decode; 100,000 repeats of a 2000x2000 image (3 MB, under
    the 10 MB upload limit) would take over 7 minutes.
    """
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (side, side), 128).save(out, "JPEG", progressive=True, quality=50)
    data = out.getvalue()
    last = data.rfind(b"\xff\xda")
    return data[:-2] + data[last:-2] * repeats + b"\xff\xd9"


# --- slow servers -----------------------------------------------------------------------------


@contextmanager
def dribbling_server(*, headers_first: bool, interval: float = 0.2) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that answers one byte every ``interval`` seconds, forever
    (until the block ends): after complete headers (``headers_first``), or in the status
    line and headers themselves. Yields its ``host:port``.

    Every byte arrives well within any per-read timeout, so only a total deadline stops a
    client: without one, a fetch of it never ends (it did hold a worker for as long as the
    server kept sending, in the report: "45 such checks made the service unreachable").
    """
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    threads: list[threading.Thread] = []

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(1.0)
            try:
                conn.recv(65536)
                if headers_first:
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 1000000\r\n\r\n["
                    )
                    drip = b"1,"
                else:
                    drip = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100_000
                index = 0
                while not stop.wait(interval):
                    conn.sendall(drip[index % len(drip) : index % len(drip) + 1])
                    index += 1
            except OSError:
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=serve, args=(conn,), daemon=True)
            thread.start()
            threads.append(thread)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for thread in threads:
            thread.join(5)
