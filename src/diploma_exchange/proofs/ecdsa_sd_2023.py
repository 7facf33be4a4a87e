"""``ecdsa-sd-2023`` (W3C Data Integrity ECDSA Cryptosuites v1.0, §3.3-3.5): verification of a
*derived* proof, the one a holder presents after choosing what to reveal.

A derived proof value (§3.5.7 serializeDerivedProofValue) is ``u`` + base64url of the header
``0xd9 0x5d 0x01`` and a CBOR array ``[baseSignature, publicKey, signatures,
compressedLabelMap, mandatoryIndexes]``. Verification (§3.3.7 verifyDerivedProof, §3.5.8
createVerifyData):

1. ``proofHash`` = SHA-256 of the RDFC-1.0 canonical proof configuration (the proof options
   with the document's ``@context``);
2. the revealed document is canonicalized (RDFC-1.0) and each canonical blank node label
   ``c14nN`` replaced by the HMAC-derived label the label map gives it; the N-Quads are sorted;
3. the quads at ``mandatoryIndexes`` are the mandatory ones: ``mandatoryHash`` = SHA-256 of
   their concatenation; the others are the revealed non-mandatory ones, one signature each;
4. ``baseSignature`` must verify with the issuer's key over
   ``proofHash || publicKey || mandatoryHash`` (``publicKey`` as the multikey bytes of the
   per-credential ephemeral P-256 key), and each non-mandatory quad's signature with that
   ephemeral key.

Creating base proofs and deriving are not implemented here: :func:`create_proof` refuses.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from diploma_exchange.errors import InvalidInput, ProofError
from diploma_exchange.proofs import data_integrity as di
from diploma_exchange.proofs.eddsa_jcs_2022 import ProofCheck, ProofCheckCode
from diploma_exchange.proofs.keys import verify_ecdsa_signature
from diploma_exchange.proofs.multibase import decode_base64url, encode_base64url
from diploma_exchange.proofs.rdfc import canonize

CRYPTOSUITE: Final = "ecdsa-sd-2023"
BASE_HEADER: Final = b"\xd9\x5d\x00"
DERIVED_HEADER: Final = b"\xd9\x5d\x01"
#: Multikey header of a compressed P-256 public key (multicodec p256-pub, varint 0x1200).
P256_MULTIKEY_HEADER: Final = b"\x80\x24"
#: The header and a 33-byte compressed point.
P256_MULTIKEY_LENGTH: Final = 35
#: An HMAC-SHA-256 blank node label (§3.5.x createHmacIdLabelMapFunction).
HMAC_LABEL_LENGTH: Final = 32
MAX_SIGNATURES: Final = 10_000


@dataclass(frozen=True)
class DerivedProofValue:
    base_signature: bytes
    public_key: bytes  # multikey bytes (header + 33-byte compressed P-256 point)
    signatures: tuple[bytes, ...]
    label_map: dict[str, str]  # c14nN -> HMAC-derived label (without "_:")
    mandatory_indexes: tuple[int, ...]


def _malformed(message: str) -> InvalidInput:
    return InvalidInput(message, code="malformed-proof")


def base_signature_of(proof_value: object) -> bytes:
    """The issuer's ``baseSignature`` in a base (§3.5.2 serializeBaseProofValue) or derived
    (§3.5.7 serializeDerivedProofValue) proof value: the first component of both. It signs
    the proof options, the ephemeral key and the mandatory statements of one issuance, so every
    disclosure derived from one base proof carries the same one.

    Raises:
        InvalidInput: not an ecdsa-sd-2023 proof value (``malformed-proof``).
    """
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise _malformed("an ecdsa-sd-2023 proofValue is multibase base64url ('u...')")
    raw = decode_base64url(proof_value)
    if raw[:3] not in (BASE_HEADER, DERIVED_HEADER):
        raise _malformed("the proofValue has no ecdsa-sd-2023 header")
    try:
        components = cbor2.loads(raw[3:])
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError) as exc:
        raise _malformed("the proof value is not CBOR") from exc
    if not isinstance(components, list | tuple) or len(components) != 5:
        raise _malformed("the proof value must be a CBOR array of five components")
    base_signature = components[0]
    if not isinstance(base_signature, bytes) or len(base_signature) != 64:
        raise _malformed("baseSignature must be 64 bytes")
    return base_signature


def _is_index(value: object) -> bool:
    # CBOR true/false decode to bool, which Python counts as int: neither is an index.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def parse_derived_proof_value(proof_value: object) -> DerivedProofValue:
    """§3.5.8 parseDerivedProofValue: the components must be "a byte array of length 64; a
    byte array of length 35; an array of byte arrays, each of length 64; a map of integers to
    byte arrays, each of length 32; and an array of integers", else an error is raised.

    Raises:
        InvalidInput: not a derived ecdsa-sd-2023 proof value (``malformed-proof``).
    """
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise _malformed("an ecdsa-sd-2023 proofValue is multibase base64url ('u...')")
    raw = decode_base64url(proof_value)
    if raw[:3] == BASE_HEADER:
        raise InvalidInput(
            "this is an ecdsa-sd-2023 base proof, which only its holder uses: a verifier "
            "needs a derived proof",
            code="base-proof",
        )
    if raw[:3] != DERIVED_HEADER:
        raise _malformed("the proofValue does not start with the derived proof header")
    try:
        components = cbor2.loads(raw[3:])
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError) as exc:
        raise _malformed("the derived proof value is not CBOR") from exc
    if not isinstance(components, list | tuple) or len(components) != 5:
        raise _malformed("the derived proof value must be a CBOR array of five components")
    base_signature, public_key, signatures, compressed, indexes = components
    if not isinstance(base_signature, bytes) or len(base_signature) != 64:
        raise _malformed("baseSignature must be 64 bytes")
    if (
        not isinstance(public_key, bytes)
        or len(public_key) != P256_MULTIKEY_LENGTH
        or not public_key.startswith(P256_MULTIKEY_HEADER)
    ):
        raise _malformed(
            f"publicKey must be a {P256_MULTIKEY_LENGTH}-byte P-256 multikey (compressed point)"
        )
    _public_key(public_key)  # a point of the curve, or malformed
    if (
        not isinstance(signatures, list | tuple)
        or len(signatures) > MAX_SIGNATURES
        or not all(isinstance(s, bytes) and len(s) == 64 for s in signatures)
    ):
        raise _malformed("signatures must be 64-byte signatures")
    if not isinstance(compressed, Mapping) or not all(
        _is_index(k) and isinstance(v, bytes) and len(v) == HMAC_LABEL_LENGTH
        for k, v in compressed.items()
    ):
        raise _malformed(
            f"the label map must map integers to {HMAC_LABEL_LENGTH}-byte HMAC-SHA-256 labels"
        )
    if not isinstance(indexes, list | tuple) or not all(_is_index(i) for i in indexes):
        raise _malformed("mandatoryIndexes must be non-negative integers")
    label_map = {f"c14n{k}": encode_base64url(v) for k, v in compressed.items()}
    return DerivedProofValue(
        base_signature, public_key, tuple(signatures), label_map, tuple(indexes)
    )


#: One term of an N-Quads statement: a literal (with its escapes; its datatype IRI or language
#: tag follows as a term of its own or plain text), an IRI, or a blank node identifier.
_NQUADS_TERM: Final = re.compile(r'"(?:[^"\\]|\\.)*"|<[^>]*>|_:[^\s]+')


def substitute_terms(
    quad: str,
    *,
    blank_node: Callable[[str], str] | None = None,
    iri: Callable[[str], str] | None = None,
) -> str:
    """``quad`` with each blank node identifier (without ``_:``) replaced by
    ``blank_node(label)`` and each IRI (without ``<>``) by ``iri(value)``, the replacement
    written as is. Literals are never changed: text such as ``"see _:b0"`` inside a string
    value is data, not a blank node identifier (RDF 1.1 N-Quads §2.4), and the signed
    statements must keep it byte for byte."""

    def replace(match: re.Match[str]) -> str:
        term = match.group(0)
        if term.startswith("_:") and blank_node is not None:
            return blank_node(term[2:])
        if term.startswith("<") and iri is not None:
            return iri(term[1:-1])
        return term

    return _NQUADS_TERM.sub(replace, quad)


def relabel(canonical_nquads: Sequence[str], label_map: Mapping[str, str]) -> list[str]:
    """Replace canonical blank node labels by the label map's, then sort (§3.5.x
    labelReplacementCanonicalizeNQuads). Only blank node identifiers are replaced, never text
    inside a literal.

    Raises:
        InvalidInput: a blank node the label map does not name.
    """

    def label_of(label: str) -> str:
        new = label_map.get(label)
        if new is None:
            raise _malformed(f"the label map does not name blank node _:{label}")
        return "_:" + new

    return sorted(substitute_terms(quad, blank_node=label_of) for quad in canonical_nquads)


def _split_nquads(canonical: bytes) -> list[str]:
    text = canonical.decode("utf-8")
    return [line + "\n" for line in text.split("\n") if line]


def _public_key(multikey: bytes) -> ec.EllipticCurvePublicKey:
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), multikey[len(P256_MULTIKEY_HEADER) :]
        )
    except ValueError as exc:
        raise _malformed("publicKey is not a valid P-256 point") from exc


def verify_nquads(
    nquads: Sequence[str],
    proof_hash: bytes,
    derived: DerivedProofValue,
    issuer_key: ec.EllipticCurvePublicKey,
) -> ProofCheck:
    """Steps 3-4 of the module docstring over already relabelled and sorted N-Quads."""
    if any(i >= len(nquads) for i in derived.mandatory_indexes):
        return ProofCheck(
            False, ProofCheckCode.MALFORMED_PROOF, "a mandatory index is out of range"
        )
    wanted = set(derived.mandatory_indexes)
    mandatory = [q for i, q in enumerate(nquads) if i in wanted]
    non_mandatory = [q for i, q in enumerate(nquads) if i not in wanted]
    if len(non_mandatory) != len(derived.signatures):
        return ProofCheck(
            False,
            ProofCheckCode.SIGNATURE_MISMATCH,
            f"{len(non_mandatory)} statements are revealed but the proof signs "
            f"{len(derived.signatures)}",
        )
    mandatory_hash = hashlib.sha256("".join(mandatory).encode("utf-8")).digest()
    to_sign = proof_hash + derived.public_key + mandatory_hash
    if not verify_ecdsa_signature(issuer_key, derived.base_signature, to_sign):
        return ProofCheck(
            False,
            ProofCheckCode.SIGNATURE_MISMATCH,
            "the base signature does not match the mandatory statements and proof options",
        )
    ephemeral = _public_key(derived.public_key)
    for quad, signature in zip(non_mandatory, derived.signatures, strict=True):
        if not verify_ecdsa_signature(ephemeral, signature, quad.encode("utf-8")):
            return ProofCheck(
                False,
                ProofCheckCode.SIGNATURE_MISMATCH,
                "a revealed statement does not match its signature (the document was altered)",
            )
    return ProofCheck(
        True,
        ProofCheckCode.VERIFIED,
        f"the {CRYPTOSUITE} derived proof is valid ({len(mandatory)} mandatory and "
        f"{len(non_mandatory)} selectively disclosed statements)",
    )


def proof_configuration(options: Mapping[str, Any], document: Mapping[str, Any]) -> bytes:
    """The canonical proof configuration (as for ecdsa-rdfc-2019, with this suite)."""
    config = {k: v for k, v in options.items() if k != "proofValue"}
    di.check_suite(config, CRYPTOSUITE, "PROOF_VERIFICATION_ERROR")
    di.check_created(config)
    if "@context" in document:
        config["@context"] = document["@context"]
    return canonize(config)


def verify_input_document(
    document: Mapping[str, Any], proof: Mapping[str, Any], public_key: object
) -> ProofCheck:
    """Verify a derived ``ecdsa-sd-2023`` proof of the revealed ``document`` (without its
    proof) with the issuer's P-256 key."""
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(
        public_key.curve, ec.SECP256R1
    ):
        return ProofCheck(
            False, ProofCheckCode.KEY_TYPE_MISMATCH, f"{CRYPTOSUITE} needs a P-256 key"
        )
    try:
        derived = parse_derived_proof_value(proof.get("proofValue"))
    except InvalidInput as exc:
        if exc.code == "base-proof":
            return ProofCheck(False, ProofCheckCode.UNSUPPORTED_CRYPTOSUITE, exc.message)
        return di.malformed(exc.message)
    try:
        proof_hash = hashlib.sha256(proof_configuration(proof, document)).digest()
        canonical = canonize({k: v for k, v in document.items() if k != "proof"})
        nquads = relabel(_split_nquads(canonical), derived.label_map)
    except InvalidInput as exc:
        return di.unprocessable(exc)
    except ProofError as exc:
        return di.malformed(exc.message)
    return verify_nquads(nquads, proof_hash, derived, public_key)


def create_proof(
    document: Mapping[str, Any], options: Mapping[str, Any], signer: Any
) -> dict[str, Any]:
    """Base proofs are not created by this service (verification only).

    Raises:
        ProofError: always.
    """
    del document, options, signer
    raise ProofError(f"creating {CRYPTOSUITE} base proofs is not supported")


__all__ = [
    "CRYPTOSUITE",
    "DerivedProofValue",
    "base_signature_of",
    "create_proof",
    "parse_derived_proof_value",
    "proof_configuration",
    "relabel",
    "verify_input_document",
    "verify_nquads",
]
