"""The Data Integrity cryptosuites this service verifies, and a dispatcher over them.

Supported (``type`` is ``DataIntegrityProof``):

============================  =================  ======================================
``cryptosuite``               key type           specification
============================  =================  ======================================
``eddsa-jcs-2022``            Ed25519            W3C vc-di-eddsa §3.3 (our own diplomas)
``eddsa-rdfc-2022``           Ed25519            W3C vc-di-eddsa §3.2
``ecdsa-rdfc-2019``           P-256 or P-384     W3C vc-di-ecdsa §3.2
``ecdsa-jcs-2019``            P-256 or P-384     W3C vc-di-ecdsa §3.4
``eddsa-2022``                Ed25519            draft name of ``eddsa-rdfc-2022``
============================  =================  ======================================

and the legacy Linked Data proof types (``type`` is the suite;
:mod:`~diploma_exchange.proofs.linked_data_signatures`): ``Ed25519Signature2020`` and
``Ed25519Signature2018`` (Ed25519, RDFC-1.0). These verify; they are never created for
diplomas (:func:`add_proof` makes ``DataIntegrityProof`` proofs only).

:func:`verify_proof` verifies one proof of a document that may carry a proof set or a proof
chain (W3C VC Data Integrity 1.0 §4.5): it builds the input document the proof was made
over (:func:`~diploma_exchange.proofs.data_integrity.input_document`), checks that the key
type fits the suite, and runs the suite's Verify Proof algorithm. Other proof types and
cryptosuites give ``unsupported-cryptosuite`` (the caller reports that as "could not check",
not as a forgery). :func:`add_proof` creates proofs with any of the suites, including proof
sets and chains.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.errors import InvalidInput, KeyLoadError, ProofError
from diploma_exchange.proofs import data_integrity as di
from diploma_exchange.proofs import (
    ecdsa_jcs_2019,
    ecdsa_rdfc_2019,
    ecdsa_sd_2023,
    eddsa_jcs_2022,
    eddsa_rdfc_2022,
)
from diploma_exchange.proofs import linked_data_signatures as ld
from diploma_exchange.proofs.eddsa_jcs_2022 import (
    ProofCheck,
    ProofCheckCode,
    format_created,
)
from diploma_exchange.proofs.keys import (
    ED25519_SIGNATURE_LENGTH,
    EcdsaSigner,
    KeyType,
    PublicKey,
    Signer,
    key_type,
)

_EDDSA: Final = frozenset({KeyType.ED25519})
_ECDSA: Final = frozenset({KeyType.P256, KeyType.P384})

VerifyInput = Callable[[Mapping[str, Any], Mapping[str, Any], PublicKey], ProofCheck]
CreateProof = Callable[[Mapping[str, Any], Mapping[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Cryptosuite:
    """A supported cryptosuite: its name, the key types it accepts, verify and create."""

    name: str
    key_types: frozenset[KeyType]
    verify_input_document: VerifyInput
    create_proof: CreateProof
    signer_type: type[Signer | EcdsaSigner]


def _verify_eddsa_jcs_2022(
    input_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: PublicKey
) -> ProofCheck:
    """eddsa-jcs-2022 Verify Proof (vc-di-eddsa §3.3.2) over an input document.

    A plain proof goes through :func:`eddsa_jcs_2022.verify_proof` unchanged. A chained
    proof (the input document carries the previous proofs in ``proof``, which that function
    would strip) runs the same steps with that module's spec functions.
    """
    if "proof" not in input_document:
        return eddsa_jcs_2022.verify_proof({**input_document, "proof": proof}, public_key)
    checked = di.check_proof_shape(proof, eddsa_jcs_2022.CRYPTOSUITE, (ED25519_SIGNATURE_LENGTH,))
    if isinstance(checked, ProofCheck):
        return checked
    if not isinstance(public_key, Ed25519PublicKey):
        return ProofCheck(False, ProofCheckCode.KEY_TYPE_MISMATCH, "eddsa-jcs-2022 needs Ed25519")
    # 1-3. unsecuredDocument (here: with the previous proofs), proofOptions, proofBytes.
    unsecured_document = dict(input_document)
    proof_options = {k: v for k, v in proof.items() if k != "proofValue"}
    # 4. The proof's @context must prefix the document's; it replaces it.
    if "@context" in proof_options:
        proof_context = di.as_context_list(proof_options["@context"])
        document_context = di.as_context_list(input_document.get("@context", []))
        if document_context[: len(proof_context)] != proof_context:
            return ProofCheck(
                False,
                ProofCheckCode.CONTEXT_MISMATCH,
                "the document's @context does not start with the proof's @context",
            )
        unsecured_document["@context"] = proof_options["@context"]
    try:
        # 5. transformedData.
        transformed = eddsa_jcs_2022.transformation(unsecured_document, proof_options)
    except InvalidInput as exc:
        return di.unprocessable(exc)
    try:
        # 6. proofConfig.
        proof_config = eddsa_jcs_2022.proof_configuration(proof_options)
    except (InvalidInput, ProofError) as exc:
        return di.malformed(exc.message)
    # 7-8. hashData, verification.
    hash_data = eddsa_jcs_2022.hashing(transformed, proof_config)
    if eddsa_jcs_2022.proof_verification(hash_data, checked, public_key):
        return ProofCheck(True, ProofCheckCode.VERIFIED, "the eddsa-jcs-2022 proof is valid")
    return ProofCheck(
        False,
        ProofCheckCode.SIGNATURE_MISMATCH,
        "the signature does not match the document and proof options with this key "
        "(the document was altered, or another key signed it)",
    )


#: The supported cryptosuites by name (part of the public API).
SUITES: Final[Mapping[str, Cryptosuite]] = {
    suite.name: suite
    for suite in (
        Cryptosuite(
            eddsa_jcs_2022.CRYPTOSUITE,
            _EDDSA,
            _verify_eddsa_jcs_2022,
            eddsa_jcs_2022.create_proof,
            Signer,
        ),
        Cryptosuite(
            eddsa_rdfc_2022.CRYPTOSUITE,
            _EDDSA,
            eddsa_rdfc_2022.verify_input_document,
            eddsa_rdfc_2022.create_proof,
            Signer,
        ),
        Cryptosuite(
            ecdsa_rdfc_2019.CRYPTOSUITE,
            _ECDSA,
            ecdsa_rdfc_2019.verify_input_document,
            ecdsa_rdfc_2019.create_proof,
            EcdsaSigner,
        ),
        Cryptosuite(
            ecdsa_jcs_2019.CRYPTOSUITE,
            _ECDSA,
            ecdsa_jcs_2019.verify_input_document,
            ecdsa_jcs_2019.create_proof,
            EcdsaSigner,
        ),
    )
}


#: Cryptosuites this service verifies but never signs with: ecdsa-sd-2023 derived proofs
#: (selective disclosure by the holder).
VERIFY_ONLY_SUITES: Final[Mapping[str, Cryptosuite]] = {
    ecdsa_sd_2023.CRYPTOSUITE: Cryptosuite(
        ecdsa_sd_2023.CRYPTOSUITE,
        frozenset({KeyType.P256}),
        ecdsa_sd_2023.verify_input_document,
        ecdsa_sd_2023.create_proof,
        EcdsaSigner,
    )
}


#: Suites that are verified but never created by :func:`add_proof`: the draft cryptosuite
#: name ``eddsa-2022`` (a ``DataIntegrityProof``) and the legacy proof types, keyed by
#: ``cryptosuite`` and by ``type`` respectively.
LEGACY_CRYPTOSUITES: Final[Mapping[str, Cryptosuite]] = {
    ld.EDDSA_2022: Cryptosuite(
        ld.EDDSA_2022, _EDDSA, ld.verify_eddsa_2022, ld.create_eddsa_2022, Signer
    ),
}
LEGACY_PROOF_TYPES: Final[Mapping[str, Cryptosuite]] = {
    ld.ED25519_SIGNATURE_2020: Cryptosuite(
        ld.ED25519_SIGNATURE_2020,
        _EDDSA,
        ld.verify_ed25519_signature_2020,
        ld.create_ed25519_signature_2020,
        Signer,
    ),
    ld.ED25519_SIGNATURE_2018: Cryptosuite(
        ld.ED25519_SIGNATURE_2018,
        _EDDSA,
        ld.verify_ed25519_signature_2018,
        ld.create_ed25519_signature_2018,
        Signer,
    ),
}


def suite_for(proof: Mapping[str, Any]) -> Cryptosuite | None:
    """The supported cryptosuite of ``proof``, or ``None`` (another type or cryptosuite).

    A ``DataIntegrityProof`` is looked up by ``cryptosuite`` (also the draft name
    ``eddsa-2022``), a legacy Linked Data proof by its ``type``.
    """
    if not isinstance(proof, Mapping):
        return None
    proof_type = proof.get("type")
    if proof_type != di.PROOF_TYPE:
        return LEGACY_PROOF_TYPES.get(proof_type) if isinstance(proof_type, str) else None
    name = proof.get("cryptosuite")
    if not isinstance(name, str):
        return None
    return SUITES.get(name) or VERIFY_ONLY_SUITES.get(name) or LEGACY_CRYPTOSUITES.get(name)


def unsupported(proof: Mapping[str, Any]) -> ProofCheck:
    """The ``unsupported-cryptosuite`` verdict for ``proof``."""
    proof_type = proof.get("type") if isinstance(proof, Mapping) else None
    suite = proof.get("cryptosuite") if isinstance(proof, Mapping) else None
    described = (
        f"a {proof_type!r} proof"
        if proof_type != di.PROOF_TYPE
        else f"a DataIntegrityProof with cryptosuite {suite!r}"
    )
    return ProofCheck(
        False,
        ProofCheckCode.UNSUPPORTED_CRYPTOSUITE,
        f"the credential is secured with {described}, which this verifier does not support "
        f"(supported: DataIntegrityProof with {', '.join(sorted(SUITES))} or the draft name "
        f"{ld.EDDSA_2022}; {', '.join(sorted(LEGACY_PROOF_TYPES))})",
    )


def verify_proof(
    secured: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: PublicKey,
    *,
    proof_set: di.ProofSet | None = None,
) -> ProofCheck:
    """Verify ``proof``, one of the proofs of ``secured`` (a single proof, set or chain).

    ``public_key`` is the already resolved key of ``proof.verificationMethod``. Returns a
    :class:`ProofCheck` with code ``verified``; ``unsupported-cryptosuite`` (another proof
    type or cryptosuite); ``key-type-mismatch`` (e.g. a P-256 key for an eddsa suite);
    ``previous-proof-not-found``; ``unknown-context`` (a context that is not bundled: never
    fetched); ``undefined-term``; ``work-limit-exceeded`` (more proofs than
    ``data_integrity.MAX_PROOFS``, or canonicalization over its work limits: "could not
    check", like ``unsupported-cryptosuite``); or a suite's ``signature-mismatch``,
    ``malformed-proof``, ``context-mismatch``, ``malformed-document``. It checks neither the
    proof purpose nor who controls the key: that is the caller's job.

    A caller verifying every proof of a set passes ``proof_set=ProofSet.of(secured)``, read
    once, so that the whole set costs linear time.

    Raises:
        InvalidInput: ``secured`` is not a JSON object.
    """
    if not isinstance(secured, Mapping):
        raise InvalidInput("a secured document must be a JSON object")
    suite = suite_for(proof)
    if suite is None:
        return unsupported(proof)
    try:
        kind = key_type(public_key)
    except KeyLoadError as exc:
        return ProofCheck(False, ProofCheckCode.KEY_TYPE_MISMATCH, exc.message)
    if kind not in suite.key_types:
        return ProofCheck(
            False,
            ProofCheckCode.KEY_TYPE_MISMATCH,
            f"{suite.name} needs a {' or '.join(sorted(suite.key_types))} key; the "
            f"verification method {proof.get('verificationMethod')} has a {kind} key",
        )
    document = di.input_document_or_verdict(secured, proof, proof_set)
    if isinstance(document, ProofCheck):
        return document
    return suite.verify_input_document(document, proof, public_key)


def add_proof(
    document: Mapping[str, Any],
    cryptosuite: str,
    signer: Signer | EcdsaSigner,
    *,
    created: datetime,
    proof_purpose: str = "assertionMethod",
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    extra_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a deep copy of ``document`` with one more ``cryptosuite`` proof.

    Implements VC Data Integrity 1.0 "Add Proof" (§4.2) and "Add Proof Set/Chain" (§4.3):
    a document that already has proofs gets a proof set (``proof`` becomes a list); with
    ``previous_proof`` the new proof also signs the proofs it names (a proof chain). The
    caller's document is never modified.

    Raises:
        InvalidInput: ``document`` is not a JSON object, ``created`` is naive, or the
            document cannot be canonicalized.
        ProofError: unsupported cryptosuite, a signer of the wrong kind, a
            ``previous_proof`` that names no existing proof, or ``extra_options`` that set
            a core option.
    """
    if not isinstance(document, Mapping):
        raise InvalidInput("the document to secure must be a JSON object")
    suite = SUITES.get(cryptosuite)
    if suite is None:
        raise ProofError(f"unsupported cryptosuite {cryptosuite!r}", code="unsupported-cryptosuite")
    if not isinstance(signer, suite.signer_type):
        raise ProofError(f"{cryptosuite} needs a {suite.signer_type.__name__}")
    extra = dict(extra_options or {})
    reserved = {"type", "cryptosuite", "created", "verificationMethod", "proofPurpose"}
    reserved |= {"proofValue", "id", "previousProof"}
    if reserved.intersection(extra):
        raise ProofError(f"extra_options may not set {', '.join(sorted(reserved & set(extra)))}")
    options: dict[str, Any] = {
        "type": di.PROOF_TYPE,
        "cryptosuite": cryptosuite,
        "created": format_created(created),
        "verificationMethod": signer.verification_method,
        "proofPurpose": proof_purpose,
        **extra,
    }
    if proof_id is not None:
        if not isinstance(proof_id, str) or not proof_id:
            raise ProofError("proof_id must be a non-empty string (a URL)")
        options["id"] = proof_id
    if previous_proof is not None:
        options["previousProof"] = previous_proof
    secured = copy.deepcopy(dict(document))
    # §4.3: the existing proofs (a set); for a chain, the input document holds the
    # previous proofs the new proof names.
    existing = list(di.all_proofs(secured))
    if proof_id is not None and any(p.get("id") == proof_id for p in existing):
        raise ProofError(f"the document already has a proof with id {proof_id}")
    input_document = di.input_document(secured, options)
    proof = suite.create_proof(input_document, options, signer)
    secured["proof"] = [*existing, proof] if existing else proof
    return secured


__all__ = [
    "LEGACY_CRYPTOSUITES",
    "LEGACY_PROOF_TYPES",
    "SUITES",
    "Cryptosuite",
    "add_proof",
    "suite_for",
    "unsupported",
    "verify_proof",
]
