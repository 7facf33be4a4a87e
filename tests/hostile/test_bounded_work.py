"""Bounded work for every anonymous input (issue 12, finding 6).

Each test feeds one adversarial input (built in ``bounded_inputs.py``, whose docstrings say
how it was made and what it cost without the bound) to the code that used to spend seconds
to hours on it, in a thread with a generous deadline (:data:`DEADLINE`): with the bound in
place the call ends at once with the bound's error; without it, the thread would still be
running at the deadline and the test would fail there. No test asserts a time otherwise.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from diploma_exchange.credentials.contexts import CONTEXT_LIMIT_CODE, check_context_limits
from diploma_exchange.credentials.jsonld import find_undefined_terms
from diploma_exchange.dids.remote import FETCH_BUSY, FETCH_DEADLINE, FetchSlots, SafeFetcher
from diploma_exchange.documents.extract import extract_credential_from_pdf
from diploma_exchange.documents.qr import MAX_JPEG_SCANS, jpeg_scan_count, read_qr_codes
from diploma_exchange.errors import DidResolutionError, LimitExceeded
from diploma_exchange.proofs import data_integrity as di
from diploma_exchange.proofs import rdfc, suites
from diploma_exchange.proofs.eddsa_jcs_2022 import ProofCheckCode
from diploma_exchange.proofs.multibase import decode_base58btc, encode_base58btc
from hostile.bounded_inputs import (
    dribbling_server,
    many_values_of_one_property,
    pdf_object_stream_bomb,
    pdf_with_many_objects,
    poison_graph,
    progressive_jpeg_with_repeated_scans,
    proof_set,
    repeated_contexts,
    undefined_types,
)

#: Generous: every bounded call here ends in well under a second.
DEADLINE = 25.0


def finishes(call: Callable[[], Any], deadline: float = DEADLINE) -> Any:
    """Run ``call`` in a thread; fail if it is still running at ``deadline``.

    Returns what it returned, or the exception it raised (not re-raised, for the caller to
    inspect).
    """
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(deadline)
    assert not thread.is_alive(), f"still running after {deadline} s: the bound is gone"
    return outcome[0]


def limit_error(outcome: Any, code: str) -> LimitExceeded:
    assert isinstance(outcome, LimitExceeded), outcome
    assert outcome.code == code, outcome.code
    return outcome


# --- RDF canonicalization ----------------------------------------------------------------------


def test_a_poison_graph_stops_at_the_rdfc_work_limit() -> None:
    outcome = finishes(lambda: rdfc.canonize(poison_graph(8)))
    error = limit_error(outcome, rdfc.WORK_LIMIT_CODE)
    assert "units of work" in error.message


def test_the_work_limit_is_what_stops_it() -> None:
    """Raising the budget lets a smaller poison graph through (so the refusal above is the
    budget's, not some other error), and the default budget leaves ordinary credentials
    untouched (the W3C vectors, in ``tests/proofs``, pass under it)."""
    small = poison_graph(5)
    with pytest.raises(LimitExceeded):
        rdfc.canonize(small, limits=rdfc.RdfcLimits(max_work=1_000))
    assert rdfc.canonize(small, limits=rdfc.RdfcLimits(max_work=10_000_000))
    assert rdfc.canonize(small)  # 5 nodes fit the default budget


def test_limits_can_be_set_for_a_context() -> None:
    with rdfc.using_limits(rdfc.RdfcLimits(max_work=1_000)):
        assert rdfc.current_limits().max_work == 1_000
        with pytest.raises(LimitExceeded):
            rdfc.canonize(poison_graph(5))
    assert rdfc.current_limits() == rdfc.DEFAULT_LIMITS


def test_a_poison_graph_is_could_not_check_for_the_rdfc_suites() -> None:
    key = Ed25519PrivateKey.generate()
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "verificationMethod": "did:example:issuer#key-1",
        "created": "2026-01-01T00:00:00Z",
        "proofValue": encode_base58btc(key.sign(b"anything")),
    }
    secured = {**poison_graph(8), "proof": proof}
    check = finishes(lambda: suites.verify_proof(secured, proof, key.public_key()))
    assert not check
    assert check.code == ProofCheckCode.WORK_LIMIT_EXCEEDED


def test_many_values_of_one_property_stop_before_the_node_map() -> None:
    outcome = finishes(lambda: rdfc.canonize(many_values_of_one_property(20_000)))
    error = limit_error(outcome, rdfc.WORK_LIMIT_CODE)
    assert "RDF statements" in error.message or "comparisons" in error.message


def test_too_many_values_to_merge() -> None:
    outcome = finishes(lambda: rdfc.canonize(many_values_of_one_property(1_000)))
    assert "comparisons" in limit_error(outcome, rdfc.WORK_LIMIT_CODE).message


# --- JSON-LD contexts and undefined terms ---------------------------------------------------------


@pytest.mark.parametrize("entries", [65, 20_000])
def test_repeated_contexts_are_refused(entries: int) -> None:
    document = repeated_contexts(entries)
    limit_error(finishes(lambda: rdfc.canonize(document)), CONTEXT_LIMIT_CODE)
    limit_error(finishes(lambda: find_undefined_terms(document)), CONTEXT_LIMIT_CODE)


def test_context_chains_are_bounded() -> None:
    inline = {"@context": [{f"t{i}": f"https://ex.org/t{i}" for i in range(129)}]}
    with pytest.raises(LimitExceeded, match="129|more than 128"):
        check_context_limits(inline)
    nested: dict[str, Any] = {"@id": "https://ex.org/a"}
    for _ in range(6):  # a term whose scoped context defines a term with a scoped context...
        nested = {"@id": "https://ex.org/a", "@context": {"a": nested}}
    with pytest.raises(LimitExceeded, match="levels deep"):
        check_context_limits({"@context": {"a": nested}})
    nested_in_document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "x": []}
    node = nested_in_document
    for _ in range(70):  # @context entries anywhere in the document count
        child = {"@context": "https://www.w3.org/ns/credentials/v2"}
        node["x"] = [child]
        node = child
    with pytest.raises(LimitExceeded, match="@context entries"):
        check_context_limits(nested_in_document)
    check_context_limits({"@context": ["https://www.w3.org/ns/credentials/v2"] * 3})


def test_undefined_types_are_reported_in_linear_time() -> None:
    details = finishes(lambda: find_undefined_terms(undefined_types(20_000)))
    assert isinstance(details, list), details
    assert len(details) == 20_000
    assert details[0].pointer == "/type/1"


# --- proof sets --------------------------------------------------------------------------------


def test_a_proof_set_of_4000_proofs_is_refused_at_once() -> None:
    document = proof_set(4_000)
    limit_error(finishes(lambda: di.ProofSet.of(document)), di.TOO_MANY_PROOFS)
    key = Ed25519PrivateKey.generate().public_key()
    check = finishes(lambda: suites.verify_proof(document, document["proof"][1], key))
    assert check.code == ProofCheckCode.WORK_LIMIT_EXCEEDED


def test_proof_sets_up_to_the_cap_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the set read once, verifying its proofs never re-reads it (linear, not n²)."""
    document = proof_set(di.MAX_PROOFS)
    proofs = di.ProofSet.of(document)
    assert len(proofs.proofs) == di.MAX_PROOFS

    def reread(secured: Any) -> di.ProofSet:
        raise AssertionError("the proof set was read again")

    monkeypatch.setattr(di.ProofSet, "of", reread)
    key = Ed25519PrivateKey.generate().public_key()
    for proof in proofs.proofs:
        check = suites.verify_proof(document, proof, key, proof_set=proofs)
        assert check.code != ProofCheckCode.WORK_LIMIT_EXCEEDED
        chained = proofs.input_document(proof)
        assert len(chained.get("proof", [])) == (1 if "previousProof" in proof else 0)


def test_a_previous_proof_list_longer_than_the_cap_is_malformed() -> None:
    document = proof_set(2)
    proof = {**document["proof"][1], "previousProof": ["urn:proof:0"] * (di.MAX_PROOFS + 1)}
    check = di.input_document_or_verdict(document, proof)
    assert not isinstance(check, dict)
    assert check.code == ProofCheckCode.MALFORMED_PROOF


def test_a_megabyte_of_base58_is_refused_before_decoding() -> None:
    """Decoding is quadratic: 320,000 characters took 20 s, two million would take ~13 min."""
    outcome = finishes(lambda: decode_base58btc("z" + "2" * 2_000_000))
    assert isinstance(outcome, LimitExceeded), outcome


# --- PDF ---------------------------------------------------------------------------------------


def test_object_stream_bombs_stop_at_the_stream_limit() -> None:
    data = pdf_object_stream_bomb(3)
    outcome = finishes(lambda: extract_credential_from_pdf(data))
    limit_error(outcome, "pdf-inflate-limit")


def test_many_streams_under_the_stream_limit_stop_at_the_document_budget() -> None:
    """Ten streams of 0.9 MiB each pass the per-stream limit, not the 4 MiB budget."""
    data = pdf_object_stream_bomb(10, inflated_mb=0.9)
    outcome = finishes(lambda: extract_credential_from_pdf(data))
    error = limit_error(outcome, "pdf-inflate-limit")
    assert "in all" in error.message


def test_the_budgets_are_what_stop_them() -> None:
    """With the budgets raised the same file is read to the end (and has no credential)."""
    data = pdf_object_stream_bomb(2, inflated_mb=0.9)
    with pytest.raises(LimitExceeded):
        extract_credential_from_pdf(data, max_inflate_bytes=1024 * 1024)
    with pytest.raises(Exception, match="no embedded credential"):
        extract_credential_from_pdf(data, max_inflate_bytes=8 * 1024 * 1024)


def test_a_pdf_declaring_too_many_objects_is_refused() -> None:
    data = pdf_with_many_objects(60_000)
    limit_error(finishes(lambda: extract_credential_from_pdf(data)), "pdf-too-many-objects")


# --- images ------------------------------------------------------------------------------------


def test_a_progressive_jpeg_with_100000_scans_is_refused_before_decoding() -> None:
    data = progressive_jpeg_with_repeated_scans(100_000)
    assert len(data) < 10 * 1024 * 1024
    outcome = finishes(lambda: read_qr_codes(data))
    error = limit_error(outcome, "image-too-large")
    assert "scans" in error.message


def test_jpeg_scans_are_counted_by_marker_not_by_byte_pattern() -> None:
    progressive = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(progressive, "JPEG", progressive=True)
    assert 1 < jpeg_scan_count(progressive.getvalue()) <= MAX_JPEG_SCANS
    baseline = io.BytesIO()
    # An EXIF-like APP segment full of SOS look-alikes is skipped by its length.
    image = Image.new("L", (64, 64), 255)
    image.save(baseline, "JPEG", exif=b"Exif\x00\x00" + b"\xff\xda" * 1000)
    assert jpeg_scan_count(baseline.getvalue()) == 1


def test_only_the_first_frame_of_an_animation_is_decoded() -> None:
    frames = [Image.new("L", (200, 200), value % 256) for value in range(200)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    outcome = finishes(lambda: read_qr_codes(out.getvalue()))
    assert getattr(outcome, "code", None) == "qr-not-found", outcome


def test_noise_images_end_after_a_few_decoding_attempts() -> None:
    noise = Image.frombytes("L", (3000, 3000), os.urandom(3000 * 3000))
    out = io.BytesIO()
    noise.save(out, "PNG")
    outcome = finishes(lambda: read_qr_codes(out.getvalue()))
    assert getattr(outcome, "code", None) == "qr-not-found", outcome


# --- outbound fetches --------------------------------------------------------------------------


def _loopback_fetcher(host: str, **kwargs: Any) -> SafeFetcher:
    return SafeFetcher(allow_hosts={host}, timeout=5.0, slots=FetchSlots(4, 0.1), **kwargs)


@pytest.mark.parametrize("headers_first", [True, False], ids=["slow-body", "slow-headers"])
def test_a_dribbling_server_is_cut_off_at_the_total_deadline(headers_first: bool) -> None:
    with dribbling_server(headers_first=headers_first) as host:
        fetcher = _loopback_fetcher(host, deadline=1.0)
        started = time.monotonic()
        outcome = finishes(lambda: fetcher.get_json(f"http://{host}/did.json"))
        elapsed = time.monotonic() - started
    assert isinstance(outcome, DidResolutionError), outcome
    assert outcome.code == FETCH_DEADLINE, outcome.message
    # Each byte came within the 5 s per-read timeout: only the deadline ended it.
    assert elapsed < 5.0


def test_without_the_deadline_the_fetch_would_go_on() -> None:
    """The same server with a deadline far away: the fetch is still reading after 1.5 s,
    well past the per-read timeout's 5 s worth of bytes (a byte every 0.2 s)."""
    with dribbling_server(headers_first=True) as host:
        fetcher = _loopback_fetcher(host, deadline=3600.0, max_bytes=10**9)
        outcome: list[Any] = []
        thread = threading.Thread(
            target=lambda: outcome.append(_catch(lambda: fetcher.get_json(f"http://{host}/"))),
            daemon=True,
        )
        thread.start()
        thread.join(1.5)
        assert thread.is_alive(), outcome
    thread.join(DEADLINE)  # the server closed: the fetch ends with an error
    assert not thread.is_alive()


def _catch(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - handed to the test
        return exc


def test_fetches_beyond_the_concurrency_cap_fail_fast_as_busy() -> None:
    slots = FetchSlots(2, 0.1)
    with dribbling_server(headers_first=True) as host:
        fetchers = [SafeFetcher(allow_hosts={host}, deadline=1.0, slots=slots) for _ in range(3)]
        holders = [
            threading.Thread(target=_catch, args=(lambda f=f: f.get_json(f"http://{host}/"),))
            for f in fetchers[:2]
        ]
        for holder in holders:
            holder.start()
        time.sleep(0.3)  # both slots taken by the slow server
        outcome = finishes(lambda: fetchers[2].get_json(f"http://{host}/"), deadline=2.0)
        for holder in holders:
            holder.join(DEADLINE)
    assert isinstance(outcome, DidResolutionError), outcome
    assert outcome.code == FETCH_BUSY


def test_fetchers_with_the_same_bounds_share_the_process_slots() -> None:
    first = SafeFetcher(max_concurrent=3, queue_wait=0.25)
    second = SafeFetcher(max_concurrent=3, queue_wait=0.25)
    assert first.slots is second.slots
    assert SafeFetcher().slots is not first.slots


def test_the_deadline_also_holds_with_a_streaming_transport() -> None:
    """A proxy or test transport bypasses the socket-level deadline: reads are still
    checked against it between chunks."""

    def slow_chunks() -> Any:
        for _ in range(10_000):
            time.sleep(0.05)
            yield b" "

    class Slow(httpx.SyncByteStream):
        def __iter__(self) -> Any:
            return slow_chunks()

    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=Slow()))
    fetcher = SafeFetcher(
        resolve_host=lambda host: ["93.184.216.34"],
        transport=transport,
        deadline=0.5,
        slots=FetchSlots(1, 0.1),
    )
    outcome = finishes(lambda: fetcher.get_json("https://public.example/did.json"))
    assert isinstance(outcome, DidResolutionError), outcome
    assert outcome.code == FETCH_DEADLINE
