"""What every Data Integrity cryptosuite shares: proof shape, proof sets and proof chains.

References: W3C "Verifiable Credential Data Integrity 1.0" (Recommendation, 15 May 2025)
§2.1 "Proofs", §2.1.1 "Proof Sets", §2.1.2 "Proof Chains" and §4.5 "Verify Proof Sets and
Chains"; the cryptosuite modules (``eddsa_jcs_2022``, ``eddsa_rdfc_2022``,
``ecdsa_rdfc_2019``, ``ecdsa_jcs_2019``) implement their own spec-named steps on top of this.

A proof set is a ``proof`` list whose proofs are independent; a proof chain is a proof set in
which a proof names earlier proofs in ``previousProof`` (an ``id`` or a list of ids). A chained
proof signs the document *together with* the proofs it names (§4.5 step 3.3: "Let
inputDocument be a copy of securedDocument with the proof value removed and then set
inputDocument.proof to matchingProofs"), so :func:`input_document` builds exactly that.
When a proof names no previous proof, the input document has no ``proof`` at all (as in
every implementation and in the W3C vectors, rather than an empty list).

Work is bounded and linear: a document may carry at most :data:`MAX_PROOFS` proofs (more is
a ``LimitExceeded``, reported as the ``work-limit-exceeded`` verdict, "could not check");
:class:`ProofSet` reads and indexes the proofs once, so verifying every proof of a set costs
one pass plus each proof's own ``previousProof`` look-ups, not a pass per proof.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from diploma_exchange.credentials.contexts import ContextNotBundled
from diploma_exchange.errors import InvalidInput, LimitExceeded, ProofError, UndefinedTerm
from diploma_exchange.proofs.eddsa_jcs_2022 import ProofCheck, ProofCheckCode, is_xsd_datetime
from diploma_exchange.proofs.multibase import decode_base58btc

PROOF_TYPE: Final = "DataIntegrityProof"
#: Most proofs one document may carry (a proof set or chain); real ones carry one to three.
MAX_PROOFS: Final = 16
#: ``LimitExceeded.code`` of a document with more than :data:`MAX_PROOFS` proofs.
TOO_MANY_PROOFS: Final = "too-many-proofs"


class ProofSigner(Protocol):
    """A private key bound to a verification method (``keys.Signer``, ``keys.EcdsaSigner``)."""

    @property
    def verification_method(self) -> str:
        """The DID URL of the key's verification method."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Return the signature of ``data`` in the cryptosuite's format."""
        ...


def malformed(message: str) -> ProofCheck:
    """A ``malformed-proof`` verdict."""
    return ProofCheck(False, ProofCheckCode.MALFORMED_PROOF, message)


def unprocessable(exc: InvalidInput, what: str = "document") -> ProofCheck:
    """The verdict for a document (or proof configuration) that cannot be canonicalized.

    ``unknown-context`` for a context that is not bundled (never fetched), ``undefined-term``
    for a term no context defines, ``work-limit-exceeded`` for a bound on work (too much
    ``@context`` material, too many statements, blank nodes too costly to tell apart, too
    deep), ``malformed-document`` otherwise.
    """
    if isinstance(exc, LimitExceeded):
        return work_limit(f"the {what} could not be checked: {exc.message}")
    if isinstance(exc, ContextNotBundled):
        return ProofCheck(False, ProofCheckCode.UNKNOWN_CONTEXT, f"the {what}: {exc.message}")
    if isinstance(exc, UndefinedTerm):
        return ProofCheck(False, ProofCheckCode.UNDEFINED_TERM, f"the {what}: {exc.message}")
    return ProofCheck(False, ProofCheckCode.MALFORMED_DOCUMENT, f"the {what}: {exc.message}")


def work_limit(message: str) -> ProofCheck:
    """A ``work-limit-exceeded`` verdict: a bound on work stopped the check."""
    return ProofCheck(False, ProofCheckCode.WORK_LIMIT_EXCEEDED, message)


@dataclass(frozen=True, slots=True)
class ProofSet:
    """The proofs of one secured document, read and indexed once (§2.1.1, §2.1.2).

    Build it with :meth:`of`; :meth:`input_document` then costs the proof's own
    ``previousProof`` look-ups, so verifying all ``n`` proofs is linear in ``n``.
    """

    secured: Mapping[str, Any]
    proofs: tuple[Mapping[str, Any], ...]
    by_id: Mapping[str, Mapping[str, Any]]

    @classmethod
    def of(cls, secured: Mapping[str, Any]) -> ProofSet:
        """Read the proofs of ``secured``: one object, or the items of a proof set.

        Raises:
            InvalidInput: ``secured`` is not a JSON object.
            LimitExceeded: more than :data:`MAX_PROOFS` proofs (code ``too-many-proofs``),
                checked before any proof is read.
            ProofError: ``proof`` is an empty list, or a proof is not a JSON object, or two
                proofs share an ``id``.
        """
        if not isinstance(secured, Mapping):
            raise InvalidInput("a secured document must be a JSON object")
        if "proof" not in secured:
            return cls(secured, (), {})
        value = secured["proof"]
        proofs: Sequence[Any] = value if isinstance(value, list) else [value]
        if not proofs:
            raise ProofError("proof is an empty list", pointer="/proof")
        if len(proofs) > MAX_PROOFS:
            raise LimitExceeded(
                f"the document carries {len(proofs)} proofs; at most {MAX_PROOFS} are checked "
                "(a credential is secured by one to a few proofs)",
                code=TOO_MANY_PROOFS,
                pointer="/proof",
                extra={"limit": MAX_PROOFS},
            )
        by_id: dict[str, Mapping[str, Any]] = {}
        for index, proof in enumerate(proofs):
            pointer = f"/proof/{index}" if isinstance(value, list) else "/proof"
            if not isinstance(proof, Mapping):
                raise ProofError("each proof must be a JSON object", pointer=pointer)
            proof_id = proof.get("id")
            if proof_id is not None:
                if not isinstance(proof_id, str) or not proof_id:
                    raise ProofError("proof.id must be a non-empty string", pointer=f"{pointer}/id")
                if proof_id in by_id:
                    raise ProofError(f"two proofs share the id {proof_id}", pointer=f"{pointer}/id")
                by_id[proof_id] = proof
        return cls(secured, tuple(proofs), by_id)

    def matching_proofs(self, proof: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Verify Proof Sets and Chains (§4.5) step 3.2: the proofs ``proof.previousProof``
        names.

        Raises:
            ProofError: ``previousProof`` is malformed or names more than :data:`MAX_PROOFS`
                ids, or names an id that no other proof of the set has (code
                ``previous-proof-not-found``; the spec's PROOF_VERIFICATION_ERROR).
        """
        matches: list[Mapping[str, Any]] = []
        for name in previous_proof_ids(proof):
            match = self.by_id.get(name)
            if match is None or match is proof:
                raise ProofError(
                    f"proof.previousProof names {name}, which is not another proof of this "
                    "document",
                    code=ProofCheckCode.PREVIOUS_PROOF_NOT_FOUND,
                    pointer="/proof",
                )
            matches.append(match)
        return matches

    def input_document(self, proof: Mapping[str, Any]) -> dict[str, Any]:
        """The document ``proof`` was created over (§4.5 step 3.3); see
        :func:`input_document`.

        Raises:
            ProofError: see :meth:`matching_proofs`.
        """
        document = {k: v for k, v in self.secured.items() if k != "proof"}
        matches = self.matching_proofs(proof)
        if matches:
            document["proof"] = matches
        return document


def all_proofs(secured: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...]:
    """Return every proof of ``secured``: one object, or the items of a proof set.

    Returns ``()`` when the document has no ``proof``.

    Raises:
        InvalidInput: ``secured`` is not a JSON object.
        LimitExceeded: more than :data:`MAX_PROOFS` proofs (code ``too-many-proofs``).
        ProofError: ``proof`` is an empty list, or a proof is not a JSON object, or two
            proofs share an ``id``.
    """
    return ProofSet.of(secured).proofs


def previous_proof_ids(proof: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids ``proof.previousProof`` names (a string or a list of strings).

    Raises:
        ProofError: ``previousProof`` is neither a non-empty string nor a list of them.
    """
    previous = proof.get("previousProof")
    if previous is None:
        return ()
    names = [previous] if isinstance(previous, str) else previous
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise ProofError(
            "proof.previousProof must be a proof id or a non-empty list of proof ids",
            pointer="/proof/previousProof",
        )
    if len(names) > MAX_PROOFS:
        raise ProofError(
            f"proof.previousProof names {len(names)} proofs; a document has at most {MAX_PROOFS}",
            pointer="/proof/previousProof",
        )
    return tuple(names)


def matching_proofs(
    proof: Mapping[str, Any], proofs: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """Verify Proof Sets and Chains (§4.5) step 3.2: the proofs ``proof.previousProof`` names.

    Indexes ``proofs`` on each call; to verify every proof of a set, use
    :meth:`ProofSet.matching_proofs` (indexed once).

    Raises:
        ProofError: ``previousProof`` is malformed, or names an id that no proof of
            ``proofs`` has (code ``previous-proof-not-found``; the spec's
            PROOF_VERIFICATION_ERROR).
    """
    by_id = {p["id"]: p for p in proofs if isinstance(p.get("id"), str)}
    return ProofSet({}, tuple(proofs), by_id).matching_proofs(proof)


def input_document(secured: Mapping[str, Any], proof: Mapping[str, Any]) -> dict[str, Any]:
    """The document ``proof`` was created over (§4.5 step 3.3).

    That is ``secured`` without its ``proof``, plus, for a chained proof, ``proof`` set to
    the list of the previous proofs it names (each with its ``proofValue``). The result is
    a shallow dictionary sharing the caller's values, which are only read.

    Raises:
        InvalidInput: ``secured`` is not a JSON object.
        LimitExceeded: see :func:`all_proofs`.
        ProofError: see :func:`all_proofs` and :func:`matching_proofs`.
    """
    return ProofSet.of(secured).input_document(proof)


def input_document_or_verdict(
    secured: Mapping[str, Any],
    proof: Mapping[str, Any],
    proof_set: ProofSet | None = None,
) -> dict[str, Any] | ProofCheck:
    """:func:`input_document`, with a bad proof set or chain as a verdict instead of an error.

    ``proof_set`` is ``ProofSet.of(secured)`` when the caller already has it (then the call
    does not read the other proofs again). Returns ``previous-proof-not-found``,
    ``work-limit-exceeded`` (too many proofs) or ``malformed-proof`` verdicts.

    Raises:
        InvalidInput: ``secured`` is not a JSON object.
    """
    try:
        if proof_set is None:
            proof_set = ProofSet.of(secured)
        return proof_set.input_document(proof)
    except LimitExceeded as exc:
        return work_limit(exc.message)
    except ProofError as exc:
        if exc.code == ProofCheckCode.PREVIOUS_PROOF_NOT_FOUND:
            return ProofCheck(False, ProofCheckCode.PREVIOUS_PROOF_NOT_FOUND, exc.message)
        return malformed(exc.message)


def verify_single_proof(
    secured: Mapping[str, Any],
    verify: Callable[[Mapping[str, Any], Mapping[str, Any]], ProofCheck],
) -> ProofCheck:
    """Run ``verify(input_document, proof)`` on the only proof of ``secured``.

    Returns ``malformed-proof`` when there is no proof or more than one.

    Raises:
        InvalidInput: ``secured`` is not a JSON object.
    """
    try:
        proof_set = ProofSet.of(secured)
    except LimitExceeded as exc:
        return work_limit(exc.message)
    except ProofError as exc:
        return malformed(exc.message)
    proofs = proof_set.proofs
    if len(proofs) != 1:
        return malformed(
            "the document has no proof" if not proofs else "the document has several proofs"
        )
    document = input_document_or_verdict(secured, proofs[0], proof_set)
    if isinstance(document, ProofCheck):
        return document
    return verify(document, proofs[0])


def check_proof_shape(
    proof: Mapping[str, Any], cryptosuite: str, signature_lengths: Collection[int]
) -> ProofCheck | bytes:
    """Validate a proof's structure for ``cryptosuite``; return proofBytes or a verdict.

    Checks ``type``, ``cryptosuite``, ``proofPurpose``, ``verificationMethod``, ``created``
    (XML Schema dateTime), ``expires`` (likewise) and that ``proofValue`` is base58btc
    multibase of one of ``signature_lengths`` bytes. Returns a ``malformed-proof`` verdict
    otherwise.
    """
    if proof.get("type") != PROOF_TYPE:
        return malformed(f"proof.type is {proof.get('type')!r}; expected {PROOF_TYPE!r}")
    if proof.get("cryptosuite") != cryptosuite:
        return malformed(
            f"proof.cryptosuite is {proof.get('cryptosuite')!r}; expected {cryptosuite!r}"
        )
    purpose = proof.get("proofPurpose")
    if not isinstance(purpose, str) or not purpose:
        return malformed("proof.proofPurpose must be a non-empty string")
    method = proof.get("verificationMethod")
    if "verificationMethod" in proof and (not isinstance(method, str) or not method):
        return malformed("proof.verificationMethod must be a non-empty string (a URL)")
    for name in ("created", "expires"):
        if name in proof and not is_xsd_datetime(proof[name]):
            return malformed(f"proof.{name} {proof[name]!r} is not an XML Schema dateTime")
    if "proofValue" not in proof:
        return malformed("proof.proofValue is missing")
    try:
        proof_bytes = decode_base58btc(proof["proofValue"])
    except InvalidInput:
        return malformed("proof.proofValue is not a base58btc multibase string ('z...')")
    if len(proof_bytes) not in signature_lengths:
        expected = " or ".join(str(n) for n in sorted(signature_lengths))
        return malformed(
            f"proof.proofValue decodes to {len(proof_bytes)} bytes; a {cryptosuite} "
            f"signature with this key has {expected}"
        )
    return proof_bytes


def check_suite(options: Mapping[str, Any], cryptosuite: str, error: str) -> None:
    """Raise ``error`` (a spec error name) unless options are DataIntegrityProof/``cryptosuite``.

    Raises:
        ProofError: the type or the cryptosuite differs.
    """
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != cryptosuite:
        raise ProofError(
            f"proof options must have type {PROOF_TYPE!r} and cryptosuite {cryptosuite!r}; "
            f"got type {options.get('type')!r} and cryptosuite {options.get('cryptosuite')!r}",
            code=error,
        )


def check_created(options: Mapping[str, Any]) -> None:
    """Raise PROOF_GENERATION_ERROR if ``options.created`` is set but not a dateTime.

    Raises:
        ProofError: ``created`` is not an XMLSCHEMA11-2 dateTime.
    """
    if "created" in options and not is_xsd_datetime(options["created"]):
        raise ProofError(
            f"proof created {options['created']!r} is not an XML Schema dateTime",
            code="PROOF_GENERATION_ERROR",
            pointer="/proof/created",
        )


def as_context_list(context: Any) -> list[Any]:
    """``@context`` as a list (a single context becomes a one-element list)."""
    return list(context) if isinstance(context, list) else [context]


__all__ = [
    "MAX_PROOFS",
    "PROOF_TYPE",
    "TOO_MANY_PROOFS",
    "ProofSet",
    "ProofSigner",
    "all_proofs",
    "as_context_list",
    "check_created",
    "check_proof_shape",
    "check_suite",
    "input_document",
    "input_document_or_verdict",
    "malformed",
    "matching_proofs",
    "previous_proof_ids",
    "unprocessable",
    "verify_single_proof",
    "work_limit",
]
