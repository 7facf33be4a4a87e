"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, offline and with bounded work.

W3C "RDF Dataset Canonicalization" (RDFC-1.0, Recommendation 21 May 2024) is what the
``*-rdfc-*`` Data Integrity cryptosuites call "canonicalize". pyld implements it under its
earlier name URDNA2015, which differs in one point (RDFC-1.0 Appendix B "URDNA2015"):
the canonical n-quads form (Appendix A "Canonical form of N-Quads"), where RDFC-1.0 escapes
the control characters, DEL and the code points that are not XML 1.1 ``Char`` that URDNA2015
printed raw.
The algorithm here serialises quads in RDFC-1.0's form (:func:`serialize_canonical_nquad`),
both for the first-degree hashes and for the output, as Digital Bazaar's rdf-canonize does;
every W3C RDFC-1.0 test vector (``tests/vectors/rdf-canon``) is matched byte for byte.

Two safety rules, both of which other implementations (Digital Bazaar's "safe mode") apply:

- contexts come only from the bundled store
  (:func:`diploma_exchange.credentials.contexts.document_loader`); an unknown context raises
  :class:`~diploma_exchange.credentials.contexts.ContextNotBundled`, never a network fetch;
- a property that JSON-LD expansion would *drop* (a term no context defines) raises
  :class:`~diploma_exchange.errors.UndefinedTerm`: a signature over the canonical form would
  not cover it, so an attacker could change it freely.

And one rule about work (:class:`RdfcLimits`), because every input here may be anonymous:

- the ``@context`` material of the document is bounded
  (:func:`~diploma_exchange.credentials.contexts.check_context_limits`);
- the RDF dataset is bounded (``max_quads``), and so is the duplicate elimination pyld does
  while building the node map, which is quadratic in the number of values one property of
  one node has (20,000 values of one property cost two minutes of CPU);
- the "Hash N-Degree Quads" search (RDFC-1.0 §4.8), exponential in the number of
  indistinguishable blank nodes (eight blank nodes all linked to each other cost a minute),
  is charged work units and stops at ``max_work``, as Digital Bazaar's rdf-canonize stops at
  ``maxDeepIterations``. rdf-canonize counts calls; a call here costs what it reads (its
  quads) and each permutation what it copies (the blank nodes permuted and the issuer
  copied), so that one call over a blank node with thousands of quads is not "one".

Every bound raises :class:`~diploma_exchange.errors.LimitExceeded`; the cryptosuites turn it
into the ``work-limit-exceeded`` proof code ("could not check", never "forged").
"""

from __future__ import annotations

import contextvars
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]
from pyld.canon import URDNA2015  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange.credentials.contexts import (
    ContextNotBundled,
    check_context_limits,
    document_loader,
)
from diploma_exchange.errors import Error, InvalidInput, LimitExceeded, UndefinedTerm
from diploma_exchange.jsonld_contexts import CachingProcessor
from diploma_exchange.jsonld_lock import PYLD_LOCK

#: Error codes of the work limits (``LimitExceeded.code``).
WORK_LIMIT_CODE: Final = "rdfc-work-limit"


@dataclass(frozen=True, slots=True)
class RdfcLimits:
    """Bounds on the work of one canonicalization (settings ``rdfc_*`` in ``config``).

    ``max_quads``: RDF statements the document may produce (a diploma has a few hundred).
    ``max_node_map_comparisons``: value comparisons pyld may make, in all, while merging the
    values of each property of each node (``k`` values of one property cost ``k(k-1)/2``).
    ``max_work``: work units of Hash N-Degree Quads (see the module docstring); ordinary
    credentials use none at all, the W3C vectors a few dozen.
    """

    max_quads: int = 10_000
    max_node_map_comparisons: int = 250_000
    max_work: int = 200_000


#: The limits used unless :func:`using_limits` says otherwise.
DEFAULT_LIMITS: Final = RdfcLimits()

_LIMITS: contextvars.ContextVar[RdfcLimits] = contextvars.ContextVar(
    "rdfc_limits", default=DEFAULT_LIMITS
)


@contextmanager
def using_limits(value: RdfcLimits) -> Iterator[RdfcLimits]:
    """Use ``value`` for every :func:`canonize` in this context (thread or task).

    The service sets it from its settings around a verification; the domain code below it
    (the cryptosuites) does not need to carry the limits through every call.
    """
    token = _LIMITS.set(value)
    try:
        yield value
    finally:
        _LIMITS.reset(token)


def current_limits() -> RdfcLimits:
    """The limits :func:`canonize` applies in this context."""
    return _LIMITS.get()


def _work_limit(message: str, limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"{message}; the document was not canonicalized (RDFC-1.0), so its proof cannot be checked",
        code=WORK_LIMIT_CODE,
        extra={"limit": limit},
    )


def _check_node_map_cost(expanded: Any, limits: RdfcLimits) -> None:
    """Refuse an expanded document whose node map would be too large or too slow to build.

    Mirrors how pyld's Node Map Generation (JSON-LD 1.1 API §7.2) adds each value to its
    ``(graph, node, property)``: without duplicates, by comparing it with every value already
    there. Counts every value, reference and type (an upper bound of the quads) and the
    comparisons, and stops at the first bound crossed, before pyld does any of that work.
    Walks iteratively: the expanded form can be deeper than the recursion limit allows.
    """
    groups: dict[tuple[Any, Any, str], int] = {}
    values = 0
    comparisons = 0

    def add(graph: Any, subject: Any, prop: str, dedup: bool = True) -> None:
        nonlocal values, comparisons
        values += 1
        if values > limits.max_quads:
            raise _work_limit(
                f"the document makes more than {limits.max_quads} RDF statements",
                limits.max_quads,
            )
        key = (graph, subject, prop)
        count = groups.get(key, 0)
        groups[key] = count + 1
        if dedup:
            comparisons += count
            if comparisons > limits.max_node_map_comparisons:
                raise _work_limit(
                    "the document's nodes have too many values per property to merge "
                    f"(more than {limits.max_node_map_comparisons} comparisons; one property "
                    f"has {count + 1} values so far)",
                    limits.max_node_map_comparisons,
                )

    # (item, graph, subject, property, in_list): subject None = top level of a graph.
    stack: list[tuple[Any, Any, Any, str | None, bool]] = [
        (expanded, "@default", None, None, False)
    ]
    while stack:
        item, graph, subject, prop, in_list = stack.pop()
        if isinstance(item, list):
            stack.extend((element, graph, subject, prop, in_list) for element in item)
            continue
        if not isinstance(item, Mapping):
            continue
        if "@value" in item:
            if subject is not None and prop is not None and not in_list:
                add(graph, subject, prop)
            elif in_list:
                add(graph, subject, "@list", dedup=False)
            continue
        if "@list" in item:
            if subject is not None and prop is not None and not in_list:
                add(graph, subject, prop, dedup=False)
            stack.append((item["@list"], graph, subject, prop, True))
            continue
        node_id = item.get("@id")
        key: Any = node_id if isinstance(node_id, str) else ("blank", id(item))
        if subject is not None and prop is not None:
            if isinstance(subject, tuple) and subject[:1] == ("reverse",):
                # A @reverse value: the referenced node gets the property, pointing back.
                add(graph, key, prop)
            else:
                add(graph, subject, prop, dedup=not in_list)
        for name, value in item.items():
            if name == "@type":
                for _ in value if isinstance(value, list) else [value]:
                    add(graph, key, "@type")
            elif name == "@reverse" and isinstance(value, Mapping):
                for reverse_property, nodes in value.items():
                    stack.append((nodes, graph, ("reverse", key), str(reverse_property), False))
            elif name == "@graph":
                stack.append((value, key, None, None, False))
            elif name == "@included":
                stack.append((value, graph, None, None, False))
            elif not name.startswith("@"):
                stack.append((value, graph, key, name, False))


#: Expanded documents of the current verification, by exact JSON text (see
#: :func:`sharing_expansions`); None outside one.
_EXPANSIONS: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "rdfc_expansions", default=None
)


@contextmanager
def sharing_expansions() -> Iterator[None]:
    """Remember, in this context, the JSON-LD expansion of every document :func:`canonize`
    expands with the bundled contexts, for :func:`shared_expansion` to hand out again.

    A verification expands the credential body once to canonicalize it for an RDF proof,
    and its ``proof.coverage`` check needs the same expansion: inside this context it is
    computed once. Documents are matched by their exact JSON text, so a document changed in
    any way is expanded afresh. Nested uses share the outermost memo.
    """
    if _EXPANSIONS.get() is not None:
        yield
        return
    token = _EXPANSIONS.set({})
    try:
        yield
    finally:
        _EXPANSIONS.reset(token)


def _json_key(document: Any) -> str | None:
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None


def _copy_json(value: Any) -> Any:
    """A copy of JSON data (dicts and lists copied, their leaves immutable), iteratively."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, slot, item = stack.pop()
        if isinstance(item, dict):
            copied: Any = {}
            stack.extend((copied, key, child) for key, child in item.items())
        elif isinstance(item, list):
            copied = [None] * len(item)
            stack.extend((copied, index, child) for index, child in enumerate(item))
        else:
            copied = item
        parent[slot] = copied
    return root[0]


def shared_expansion(document: Mapping[str, Any]) -> list[Any] | None:
    """The expanded form (JSON-LD 1.1 API §5.1, bundled contexts, ``base`` "") that
    :func:`canonize` computed for exactly this document in the current
    :func:`sharing_expansions` context, or None. The caller must not modify it."""
    memo = _EXPANSIONS.get()
    if not memo:
        return None
    key = _json_key(document)
    return memo.get(key) if key is not None else None


class _BoundedProcessor(CachingProcessor):
    """pyld's processor (context processing memoised), checking the cost of the node map
    right after expansion, and remembering the expansion for :func:`shared_expansion`."""

    def __init__(self, limits: RdfcLimits, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._limits = limits

    def expand(self, input_: Any, options: Any) -> Any:
        memo = _EXPANSIONS.get()
        key = (
            _json_key(input_)
            if memo is not None
            and isinstance(input_, dict)
            and options.get("documentLoader") is document_loader
            and options.get("base") == ""
            and options.get("processingMode") == "json-ld-1.1"
            else None
        )
        expanded = super().expand(input_, options)
        _check_node_map_cost(expanded, self._limits)
        if memo is not None and key is not None and isinstance(expanded, list):
            # A copy: building the node map may relabel blank nodes in place.
            memo[key] = _copy_json(expanded)
        return expanded


_XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
#: Characters a canonical N-Quads literal escapes with ECHAR (RDFC-1.0 Appendix A).
_ECHAR: Final = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}
#: Everything a canonical literal escapes: the ECHAR characters, and with UCHAR (``\uXXXX``,
#: upper-case hex) U+0000-U+0007, VT, U+000E-U+001F, DEL and what XML 1.1 ``Char`` excludes
#: (U+0000, the surrogates, U+FFFE and U+FFFF).
_LITERAL_ESCAPES: Final = re.compile('[\x00-\x1f"\\\\\x7f\ud800-\udfff\ufffe\uffff]')


def _escape_character(match: re.Match[str]) -> str:
    character = match.group()
    return _ECHAR.get(character) or f"\\u{ord(character):04X}"


def _canonical_term(component: Mapping[str, Any]) -> str:
    value = str(component["value"])
    if component["type"] == "IRI":
        return "<" + value + ">"
    if component["type"] == "blank node":
        return value
    text = '"' + _LITERAL_ESCAPES.sub(_escape_character, value) + '"'
    datatype = component.get("datatype") or _XSD_STRING
    if datatype == _RDF_LANGSTRING:
        return text + "@" + component["language"] if component.get("language") else text
    return text if datatype == _XSD_STRING else text + "^^<" + datatype + ">"


def serialize_canonical_nquad(quad: Mapping[str, Any]) -> str:
    """One quad of pyld's dataset form (``subject``, ``predicate``, ``object`` and, outside
    the default graph, ``name``) in RDFC-1.0's canonical n-quads form, with its final LF.

    RDFC-1.0 Appendix A "Canonical form of N-Quads": one space after each term,
    ``xsd:string`` literals without their datatype, ECHAR for BS, HT, LF, FF, CR, ``"`` and
    ``\\``, UCHAR with
    upper-case hex for the other control characters, DEL and non-``Char`` code points, every
    other character as itself.
    """
    line = (
        _canonical_term(quad["subject"])
        + " "
        + _canonical_term(quad["predicate"])
        + " "
        + _canonical_term(quad["object"])
    )
    name = quad.get("name")
    if name is not None and name.get("value") is not None:
        line += " " + _canonical_term(name)
    return line + " .\n"


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]
    """pyld's URDNA2015 (= RDFC-1.0) with a work budget on Hash N-Degree Quads (§4.8).

    Every call of Hash N-Degree Quads starts with ``create_hash_to_related`` (§4.8 steps
    1-3), which reads the node's quads; the permutations of each group of related blank
    nodes (step 5.4) are then all generated, and each copies the issuer, whether or not it
    is pruned. So the cost of a call is known before its permutations start, and it is
    charged then: a call that would cross the budget is never started.
    """

    def __init__(self, max_work: int) -> None:
        super().__init__()
        self.max_work = max_work
        self.work = 0
        self.deep_iterations = 0

    def _charge(self, units: int) -> None:
        self.work += units
        if self.work > self.max_work:
            raise _work_limit(
                "the document's blank nodes need more than "
                f"{self.max_work} units of work to be told apart "
                f"({self.deep_iterations} Hash N-Degree Quads iterations so far)",
                self.max_work,
            )

    def main(self, dataset: Any, options: Any) -> str:
        """RDFC-1.0 §4.4 by pyld's URDNA2015, serialised in RDFC-1.0's canonical n-quads form.

        pyld's ``main`` labels the quads in place (step 7.1) and prints them in URDNA2015's
        form; its text is not used: the labelled quads are printed again here (step 7.2-8).
        """
        # The input is a dataset, a *set* of quads (rdf-canon test076: a repeated quad is
        # printed once); pyld would hash and print it twice.
        unique: dict[Any, list[Any]] = {}
        for graph_name, triples in dataset.items():
            seen: set[tuple[Any, ...]] = set()
            kept = unique.setdefault(graph_name, [])
            for triple in triples:
                subject, predicate, obj = triple["subject"], triple["predicate"], triple["object"]
                key = (
                    subject["type"],
                    subject["value"],
                    predicate["type"],
                    predicate["value"],
                    obj["type"],
                    obj["value"],
                    obj.get("datatype"),
                    obj.get("language"),
                )
                if key not in seen:
                    seen.add(key)
                    kept.append(triple)
        super().main(unique, {"format": "application/n-quads"})
        return "".join(sorted(serialize_canonical_nquad(quad) for quad in self.quads))

    def hash_first_degree_quads(self, id_: str) -> str:
        """Hash First Degree Quads (RDFC-1.0 §4.6), on canonical n-quads."""
        info = self.blank_node_info[id_]
        if "hash" in info:
            return str(info["hash"])
        # 1-2. nquads, and the quads that mention the reference blank node.
        nquads = []
        # 3. Each quad, its blank nodes written _:a (the reference node) or _:z (any other).
        for quad in info["quads"]:
            marked = {
                key: (
                    {"type": "blank node", "value": "_:a" if component["value"] == id_ else "_:z"}
                    if key != "predicate" and component["type"] == "blank node"
                    else component
                )
                for key, component in quad.items()
            }
            nquads.append(serialize_canonical_nquad(marked))
        # 4. Sort nquads in code point order.
        nquads.sort()
        # 5. Hash the concatenation.
        info["hash"] = self.hash_nquads(nquads)
        return str(info["hash"])

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict[str, list[str]]:
        self.deep_iterations += 1
        quads = self.blank_node_info[id_]["quads"]
        self._charge(1 + len(quads))
        hash_to_related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
        copied = 1 + len(issuer.order)
        for related in hash_to_related.values():
            size = len(related)
            # size! permutations, each generated (O(size)) after copying the issuer. The
            # factorial is not computed for big groups: 13! alone is over any sane budget.
            permutations = math.factorial(size) if size <= 12 else self.max_work + 1
            self._charge(min(permutations * (size + copied), self.max_work + 1))
        return hash_to_related


def canonical_nquads(dataset: dict[str, Any], max_work: int) -> bytes:
    """RDFC-1.0 canonical N-Quads (UTF-8) of an RDF dataset in pyld's form (``to_rdf``),
    with at most ``max_work`` units of Hash N-Degree Quads work. Labels ``dataset`` in place.

    Raises:
        LimitExceeded: the blank nodes need more work than ``max_work`` to be told apart.
    """
    nquads = _BoundedURDNA2015(max_work).main(dataset, {"format": "application/n-quads"})
    return nquads.encode("utf-8")  # a lone surrogate (only in an IRI) raises


def _context_not_bundled(exc: BaseException) -> ContextNotBundled | None:
    """The :class:`ContextNotBundled` somewhere in pyld's chain of wrapped errors, if any."""
    return _find_cause(exc, ContextNotBundled)


_E = TypeVar("_E", bound=BaseException)


def _find_cause(exc: BaseException, kind: type[_E]) -> _E | None:
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, kind):
            return cause
        nested = getattr(cause, "cause", None)
        cause = nested if isinstance(nested, BaseException) else cause.__cause__
    return None


def canonize(
    document: Mapping[str, Any],
    *,
    limits: RdfcLimits | None = None,
    loader: Callable[..., dict[str, Any]] = document_loader,
    dropped: list[str] | None = None,
) -> bytes:
    """Return the RDFC-1.0 canonical N-Quads (UTF-8) of a JSON-LD document.

    The document is only read. Contexts are resolved offline from the bundled store (or by
    ``loader``, another offline store such as the Blockcerts contexts of
    :mod:`diploma_exchange.formats.blockcerts`, which must raise ``ContextNotBundled`` for
    anything it does not hold). The work is bounded by ``limits`` (default:
    :func:`current_limits`). A property that cannot become RDF makes it raise, unless the
    caller passes a ``dropped`` list: its name is then appended there (Blockcerts hashes are
    computed that way by their reference verifier, which drops such properties).

    Raises:
        ContextNotBundled: the document references a context that is not bundled.
        UndefinedTerm: a property is not defined by the document's contexts (it would be
            dropped, and so not signed).
        LimitExceeded: the document is nested too deeply, has too much ``@context``
            material (``context-limit-exceeded``), or needs more work than ``limits``
            allow (``rdfc-work-limit``).
        InvalidInput: the document is not a JSON object or is not valid JSON-LD.
    """
    if not isinstance(document, Mapping):
        raise InvalidInput("a JSON-LD document must be a JSON object")
    bounds = limits if limits is not None else current_limits()
    check_context_limits(document)
    seen: list[str | None] = []
    processor = _BoundedProcessor(bounds, on_property_dropped=seen.append)
    try:
        # What JsonLdProcessor.normalize does, with the bounded processor and algorithm.
        with PYLD_LOCK:  # pyld's context caches are not thread-safe
            dataset = processor.to_rdf(
                dict(document),
                {
                    "base": "",
                    "documentLoader": loader,
                    "extractAllScripts": True,
                    "processingMode": "json-ld-1.1",
                    "produceGeneralizedRdf": False,
                },
            )
        quads = sum(len(triples) for triples in dataset.values())
        if quads > bounds.max_quads:
            raise _work_limit(
                f"the document makes {quads} RDF statements, more than {bounds.max_quads}",
                bounds.max_quads,
            )
        nquads = canonical_nquads(dataset, bounds.max_work)
    except jsonld.JsonLdError as exc:
        limit = _find_cause(exc, LimitExceeded)
        if limit is not None:
            raise LimitExceeded(limit.message, code=limit.code, extra=limit.extra) from exc
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
    except (ValueError, TypeError) as exc:
        if isinstance(exc, Error):
            raise
        # pyld raises bare ValueErrors, e.g. for a relative IRI under a relative "@base"
        # ("Found invalid relative IRI ... for a missing baseIRI").
        raise InvalidInput(
            f"the document is not processable JSON-LD ({exc}); check its @context and IRIs",
            pointer="/@context",
        ) from exc
    if seen and dropped is not None:
        dropped.extend(sorted({str(term) for term in seen if term is not None}))
    elif seen:
        names = ", ".join(sorted({repr(term) for term in seen}))
        raise UndefinedTerm(
            f"the document uses terms its @context does not define ({names}); they would not "
            "be covered by the signature"
        )
    return nquads


__all__ = [
    "DEFAULT_LIMITS",
    "WORK_LIMIT_CODE",
    "RdfcLimits",
    "canonical_nquads",
    "canonize",
    "current_limits",
    "serialize_canonical_nquad",
    "shared_expansion",
    "sharing_expansions",
    "using_limits",
]
