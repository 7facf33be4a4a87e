"""Where an eddsa-rdfc-2022 verification of the benchmark diploma spends its time, step by step,
and what a native RDF library (``pyoxigraph``, when installed) would save on each step.

Run from the repository root::

    .venv/bin/python benchmarks/rdfc_profile.py [--rounds 7] [--calls 20]

Every figure is the median over ``--rounds`` rounds of ``--calls`` calls, by CPU time of this
process (``time.process_time``: on a shared machine wall time mostly measures the neighbours),
with the steps interleaved round by round. Timings are reported, never asserted.

Steps of ``rdfc.canonize`` (one per verification for the document, one for the proof
configuration, which carries the document's ``@context``):

- ``expand``: pyld's JSON-LD expansion, with its context processing (the bundled contexts are
  processed once per process; the type- and property-scoped contexts of Open Badges per node);
- ``to_rdf``: expansion, then the node map and the RDF dataset (pyld);
- ``rdfc``: RDFC-1.0 labelling and canonical N-Quads of that dataset (pyld's URDNA2015 with the
  work bound and RDFC-1.0's serialisation);

and, with pyoxigraph: ``ox.rdfc`` (pyld's dataset handed over as N-Quads, parsed, canonicalized
and printed by pyoxigraph) and ``ox.jsonld+rdfc`` (the document parsed as JSON-LD by pyoxigraph
with its contexts inlined from the bundled store, then canonicalized), each checked to give
``canonize``'s bytes on this diploma.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # the benchmark diploma, issuer and dates
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld.nquads import serialize_nquads  # type: ignore[import-untyped]

from diploma_exchange.credentials.contexts import document_loader, load_context
from diploma_exchange.jsonld_lock import PYLD_LOCK
from diploma_exchange.proofs import eddsa_rdfc_2022, rdfc, suites
from diploma_exchange.proofs.keys import Signer

OPTIONS = {
    "base": "",
    "documentLoader": document_loader,
    "extractAllScripts": True,
    "processingMode": "json-ld-1.1",
    "produceGeneralizedRdf": False,
}


def _processor() -> Any:
    return rdfc._BoundedProcessor(rdfc.DEFAULT_LIMITS, on_property_dropped=lambda _term: None)


def _expand(document: dict[str, Any]) -> Any:
    with PYLD_LOCK:
        return _processor().expand(dict(document), dict(OPTIONS))


def _to_rdf(document: dict[str, Any]) -> Any:
    with PYLD_LOCK:
        return _processor().to_rdf(dict(document), dict(OPTIONS))


def _inline_contexts(context: Any) -> Any:
    if isinstance(context, str):
        return load_context(context)["@context"]
    if isinstance(context, list):
        return [_inline_contexts(item) for item in context]
    return context


def _oxigraph_steps(document: dict[str, Any], dataset: Any) -> dict[str, Callable[[], bytes]]:
    import pyoxigraph  # not a dependency: measured only when installed

    def canonical(native: Any) -> bytes:
        native.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
        text = pyoxigraph.serialize(native, format=pyoxigraph.RdfFormat.N_QUADS)
        return b"".join(sorted(text.splitlines(keepends=True)))

    def rdfc_step() -> bytes:
        nquads = serialize_nquads(dataset)
        return canonical(pyoxigraph.Dataset(pyoxigraph.parse(nquads, pyoxigraph.RdfFormat.N_QUADS)))

    inlined = {**document, "@context": _inline_contexts(document["@context"])}

    def jsonld_step() -> bytes:
        text = json.dumps(inlined)
        return canonical(pyoxigraph.Dataset(pyoxigraph.parse(text, pyoxigraph.RdfFormat.JSON_LD)))

    return {"ox.rdfc": rdfc_step, "ox.jsonld+rdfc": jsonld_step}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()

    private_key = Ed25519PrivateKey.generate()
    signer = Signer(private_key, f"{run.ISSUER_DID}#{run.KEY_FRAGMENT}")
    diploma = run.bench_diploma()
    signed = suites.add_proof(diploma, "eddsa-rdfc-2022", signer, created=run.CREATED)
    proof = signed["proof"]
    public_key = private_key.public_key()
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = diploma["@context"]
    dataset = _to_rdf(diploma)

    steps: dict[str, Callable[[], object]] = {
        "verify_proof (all)": lambda: suites.verify_proof(signed, proof, public_key),
        "canonize(document)": lambda: rdfc.canonize(diploma),
        "  expand": lambda: _expand(diploma),
        "  to_rdf (expand + node map)": lambda: _to_rdf(diploma),
        "  rdfc (labels + N-Quads)": lambda: rdfc.canonical_nquads(copy.deepcopy(dataset), 10**6),
        "  deepcopy of the dataset (in rdfc)": lambda: copy.deepcopy(dataset),
        "canonize(proof config)": lambda: eddsa_rdfc_2022.proof_configuration(
            {k: v for k, v in proof.items() if k != "proofValue"}, diploma
        ),
    }
    notes: list[str] = []
    if importlib.util.find_spec("pyoxigraph") is not None:
        ours = rdfc.canonize(diploma)
        for name, step in _oxigraph_steps(diploma, dataset).items():
            same = step() == ours
            notes.append(f"{name}: {'same bytes as canonize' if same else 'DIFFERENT bytes'}")
            steps[f"  {name}"] = step
        config_steps = _oxigraph_steps(config, _to_rdf(config))
        steps["  ox.jsonld+rdfc (proof config)"] = config_steps["ox.jsonld+rdfc"]
    else:
        notes.append("pyoxigraph is not installed: its steps are not measured")

    rounds: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, step in steps.items():
            started = time.process_time()
            for _ in range(args.calls):
                step()
            rounds[name].append((time.process_time() - started) / args.calls * 1e3)
    width = max(len(name) for name in steps)
    print(f"{'step':{width}}  CPU ms (median of {args.rounds} x {args.calls} calls)")
    for name, values in rounds.items():
        print(f"{name:{width}}  {statistics.median(values):7.2f}  (min {min(values):.2f})")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
