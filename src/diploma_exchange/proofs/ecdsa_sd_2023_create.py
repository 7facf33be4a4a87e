"""``ecdsa-sd-2023`` base proofs (the issuer's, §3.4.x createBaseProof) and derived proofs
(the holder's, §3.4.x addDerivedProof), with the selective disclosure primitives of
vc-di-ecdsa §3.4 (skolemization, JSON pointer selection, canonicalizeAndGroup).

Canonicalization is pyld's URDNA2015 (= RDFC-1.0) from :mod:`diploma_exchange.proofs.rdfc`,
with its work budget; contexts come only from the bundled store. The derived proofs made
here are checked by :mod:`diploma_exchange.proofs.ecdsa_sd_2023`, which verifies derived
proofs of other implementations (the W3C vectors, 1EdTech's validator sample) too.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]
from pyld.nquads import parse_nquads  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange.credentials.contexts import document_loader
from diploma_exchange.errors import InvalidInput, ProofError
from diploma_exchange.jsonld_lock import PYLD_LOCK
from diploma_exchange.proofs import ecdsa_sd_2023 as sd
from diploma_exchange.proofs.eddsa_jcs_2022 import format_created
from diploma_exchange.proofs.keys import EcdsaSigner
from diploma_exchange.proofs.multibase import decode_base64url, encode_base64url
from diploma_exchange.proofs.rdfc import _BoundedURDNA2015, canonize, current_limits

URN_SCHEME: Final = "custom-scheme:"
_SKOLEM_PREFIX: Final = "urn:" + URN_SCHEME
_OPTIONS: Final = {"documentLoader": document_loader, "processingMode": "json-ld-1.1"}


def _sign(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _multikey(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return sd.P256_MULTIKEY_HEADER + public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )


# --- skolemization and selection (§3.4.5 - §3.4.14) ----------------------------------------


def _skolemize_expanded(expanded: Any, random: str, count: list[int]) -> Any:
    out = []
    for element in expanded:
        if not isinstance(element, dict) or "@value" in element:
            out.append(copy.deepcopy(element))
            continue
        if "@list" in element or "@set" in element:
            # A list object is not a node: skolemize its members, add no @id.
            out.append(
                {
                    k: _skolemize_expanded(v, random, count) if k in ("@list", "@set") else v
                    for k, v in element.items()
                }
            )
            continue
        node: dict[str, Any] = {}
        for key, value in element.items():
            if isinstance(value, list):
                node[key] = _skolemize_expanded(value, random, count)
            else:
                node[key] = _skolemize_expanded([value], random, count)[0]
        if "@id" not in node:
            node["@id"] = f"urn:{URN_SCHEME}_{random}_{count[0]}"
            count[0] += 1
        elif isinstance(node["@id"], str) and node["@id"].startswith("_:"):
            node["@id"] = f"urn:{URN_SCHEME}{node['@id'][2:]}"
        out.append(node)
    return out


def skolemize_compact(document: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """skolemizeCompactJsonLd: (skolemized expanded, skolemized compact)."""
    with PYLD_LOCK:  # pyld's context caches are not thread-safe
        expanded = jsonld.expand(dict(document), dict(_OPTIONS))
    skolemized = _skolemize_expanded(expanded, secrets.token_hex(8), [0])
    with PYLD_LOCK:  # pyld's context caches are not thread-safe
        compact = jsonld.compact(skolemized, {"@context": document["@context"]}, dict(_OPTIONS))
    return skolemized, compact


_RDF_FIRST: Final = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"
_RDF_REST: Final = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>"


def _name_list_nodes(nquads: list[str]) -> list[str]:
    """Give the blank nodes of RDF lists (which skolemization cannot label: JSON-LD
    ``@list`` objects are not nodes) names made of their owner, property and position, so
    that a list gets the same labels in the whole document and in a selection of it."""
    split = [q.rstrip("\n").split(" ") for q in nquads]
    list_nodes = {parts[0] for parts in split if len(parts) >= 4 and parts[1] == _RDF_FIRST}
    rest = {parts[0]: parts[2] for parts in split if len(parts) >= 4 and parts[1] == _RDF_REST}
    names: dict[str, str] = {}
    for parts in split:
        if len(parts) in (4, 5) and parts[2] in list_nodes and parts[1] != _RDF_REST:
            owner = hashlib.sha256(f"{parts[0]} {parts[1]}".encode()).hexdigest()[:24]
            node, position = parts[2], 0
            while node in list_nodes and node not in names:
                names[node] = f"_:l{owner}_{position}"
                node, position = rest.get(node, ""), position + 1
    if not names:
        return nquads
    return [
        sd.substitute_terms(q, blank_node=lambda label: names.get("_:" + label, "_:" + label))
        for q in nquads
    ]


def _deskolemize_iri(value: str) -> str:
    if value.startswith(_SKOLEM_PREFIX):
        return "_:" + value[len(_SKOLEM_PREFIX) :]
    return f"<{value}>"


def to_deskolemized_nquads(document: Any) -> list[str]:
    """toDeskolemizedNQuads (and :func:`_name_list_nodes`)."""
    with PYLD_LOCK:  # pyld's context caches are not thread-safe
        text = jsonld.to_rdf(document, {**dict(_OPTIONS), "format": "application/n-quads"})
    return _name_list_nodes(
        [
            sd.substitute_terms(line, iri=_deskolemize_iri) + "\n"
            for line in text.split("\n")
            if line
        ]
    )


def _canonicalize_nquads(nquads: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """RDFC-1.0 of N-Quads: the canonical N-Quads and the map input label -> c14n label."""
    algorithm = _BoundedURDNA2015(current_limits().max_work)
    text = algorithm.main(parse_nquads("".join(nquads)), {"format": "application/n-quads"})
    existing = algorithm.canonical_issuer.existing
    mapping = {old.removeprefix("_:"): new.removeprefix("_:") for old, new in existing.items()}
    return [line + "\n" for line in text.split("\n") if line], mapping


def _relabel(nquads: Sequence[str], label_map: Mapping[str, str]) -> list[str]:
    return [
        sd.substitute_terms(q, blank_node=lambda label: "_:" + label_map[label]) for q in nquads
    ]


def _pointer_paths(pointer: str) -> list[str | int]:
    paths: list[str | int] = []
    for part in pointer.split("/")[1:]:
        if "~" in part:
            paths.append(part.replace("~1", "/").replace("~0", "~"))
        else:
            paths.append(int(part) if part.isdigit() else part)
    return paths


def _initial_selection(source: Any) -> dict[str, Any]:
    selection: dict[str, Any] = {}
    if isinstance(source, dict):
        if isinstance(source.get("id"), str) and not source["id"].startswith("_:"):
            selection["id"] = source["id"]
        if "type" in source:
            selection["type"] = source["type"]
    return selection


def select_json_ld(pointers: Sequence[str], document: Mapping[str, Any]) -> dict[str, Any] | None:
    """selectJsonLd (§3.4.12)."""
    if not pointers:
        return None
    arrays: list[list[Any]] = []
    selection = _initial_selection(document)
    selection["@context"] = copy.deepcopy(document["@context"])
    for pointer in pointers:
        paths = _pointer_paths(pointer)
        value: Any = document
        selected_parent: Any = selection
        selected_value: Any = selection
        for path in paths:
            selected_parent = selected_value
            try:
                value = value[path]
            except (KeyError, IndexError, TypeError) as exc:
                raise ProofError(
                    f"the JSON pointer {pointer} does not match the document",
                    code="PROOF_GENERATION_ERROR",
                ) from exc
            if isinstance(selected_parent, list):
                while len(selected_parent) <= int(path):
                    selected_parent.append(None)
                selected_value = selected_parent[int(path)]
            else:
                selected_value = selected_parent.get(path)
            if selected_value is None:
                if isinstance(value, list):
                    selected_value = []
                    arrays.append(selected_value)
                else:
                    selected_value = _initial_selection(value)
                if isinstance(selected_parent, list):
                    selected_parent[int(path)] = selected_value
                else:
                    selected_parent[path] = selected_value
        if isinstance(value, list):
            selected_value = copy.deepcopy(value)
        elif isinstance(value, dict):
            selected_value = {**selected_value, **copy.deepcopy(value)}
        else:
            selected_value = value
        last = paths[-1] if paths else None
        if last is None:
            continue
        if isinstance(selected_parent, list):
            selected_parent[int(last)] = selected_value
        else:
            selected_parent[last] = selected_value
    for array in arrays:
        array[:] = [item for item in array if item is not None]
    return selection


def canonicalize_and_group(
    document: Mapping[str, Any], hmac_key: bytes, groups: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """canonicalizeAndGroup (§3.4.14) with the HMAC label map (§3.4.4)."""
    skolem_expanded, skolem_compact = skolemize_compact(document)
    deskolemized = to_deskolemized_nquads(skolem_expanded)
    canonical, canonical_ids = _canonicalize_nquads(deskolemized)
    label_map = {
        old: encode_base64url(hmac.new(hmac_key, new.encode(), hashlib.sha256).digest())
        for old, new in canonical_ids.items()
    }
    c14n_to_label = {canonical_ids[k]: v for k, v in label_map.items()}
    nquads = sorted(_relabel(canonical, c14n_to_label))
    out: dict[str, Any] = {}
    for name, pointers in groups.items():
        selection = select_json_ld(pointers, skolem_compact)
        selected_desk = to_deskolemized_nquads(selection) if selection else []
        selected = set(_relabel(selected_desk, label_map))
        matching = {i: q for i, q in enumerate(nquads) if q in selected}
        non_matching = {i: q for i, q in enumerate(nquads) if q not in selected}
        out[name] = {
            "matching": matching,
            "nonMatching": non_matching,
            "deskolemizedNQuads": selected_desk,
        }
    return {"groups": out, "labelMap": label_map, "nquads": nquads}


# --- base proof ------------------------------------------------------------------------------


def _proof_hash(options: Mapping[str, Any], document: Mapping[str, Any]) -> bytes:
    return hashlib.sha256(sd.proof_configuration(options, document)).digest()


def add_base_proof(
    document: Mapping[str, Any],
    signer: EcdsaSigner,
    *,
    created: datetime,
    mandatory_pointers: Sequence[str],
) -> dict[str, Any]:
    """The document with an ecdsa-sd-2023 base proof (§3.4.x Create Base Proof) by the
    issuer's P-256 ``signer``; ``mandatory_pointers`` are always disclosed."""
    if "proof" in document:
        raise ProofError("the document already has a proof")
    options: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": sd.CRYPTOSUITE,
        "created": format_created(created),
        "verificationMethod": signer.verification_method,
        "proofPurpose": "assertionMethod",
    }
    hmac_key = secrets.token_bytes(32)
    grouped = canonicalize_and_group(document, hmac_key, {"mandatory": mandatory_pointers})
    mandatory_group = grouped["groups"]["mandatory"]
    mandatory = [mandatory_group["matching"][i] for i in sorted(mandatory_group["matching"])]
    non_mandatory = [
        mandatory_group["nonMatching"][i] for i in sorted(mandatory_group["nonMatching"])
    ]
    proof_hash = _proof_hash(options, document)
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    public_key = _multikey(ephemeral.public_key())
    signatures = [_sign(ephemeral, q.encode("utf-8")) for q in non_mandatory]
    mandatory_hash = hashlib.sha256("".join(mandatory).encode("utf-8")).digest()
    base_signature = signer.sign(proof_hash + public_key + mandatory_hash)
    value = sd.BASE_HEADER + cbor2.dumps(
        [base_signature, public_key, hmac_key, signatures, list(mandatory_pointers)]
    )
    secured = copy.deepcopy(dict(document))
    secured["proof"] = {**options, "proofValue": encode_base64url(value)}
    return secured


def _parse_base(proof_value: object) -> tuple[bytes, bytes, bytes, list[bytes], list[str]]:
    """§3.5.3 parseBaseProofValue: ``[baseSignature, publicKey, hmacKey, signatures,
    mandatoryPointers]`` after the base header, each of the type and size the spec gives.

    Raises:
        InvalidInput: not a base proof value of this suite (``malformed-proof``).
    """

    def malformed(message: str) -> InvalidInput:
        return InvalidInput(message, code="malformed-proof")

    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise malformed("an ecdsa-sd-2023 proofValue is multibase base64url ('u...')")
    raw = decode_base64url(proof_value)
    if raw[:3] != sd.BASE_HEADER:
        raise malformed("not an ecdsa-sd-2023 base proof")
    try:
        parts = cbor2.loads(raw[3:])
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError) as exc:
        raise malformed("the base proof value is not CBOR") from exc
    if not isinstance(parts, list | tuple) or len(parts) != 5:
        raise malformed("a base proof value has five components")
    base_signature, public_key, hmac_key, signatures, pointers = parts
    if not isinstance(base_signature, bytes) or len(base_signature) != 64:
        raise malformed("baseSignature must be 64 bytes")
    if not isinstance(public_key, bytes) or len(public_key) != sd.P256_MULTIKEY_LENGTH:
        raise malformed("publicKey must be a 35-byte P-256 multikey")
    if not isinstance(hmac_key, bytes) or len(hmac_key) != 32:
        raise malformed("hmacKey must be 32 bytes")
    if not isinstance(signatures, list | tuple) or not all(
        isinstance(s, bytes) and len(s) == 64 for s in signatures
    ):
        raise malformed("signatures must be 64-byte signatures")
    if not isinstance(pointers, list | tuple) or not all(isinstance(p, str) for p in pointers):
        raise malformed("mandatoryPointers must be strings")
    return base_signature, public_key, hmac_key, list(signatures), list(pointers)


# --- derived proof ---------------------------------------------------------------------------


def derive_proof(secured: Mapping[str, Any], selective_pointers: Sequence[str]) -> dict[str, Any]:
    """The holder's reveal document with a derived proof (§3.4.x Add Derived Proof,
    createDisclosureData): the mandatory pointers and ``selective_pointers`` disclosed."""
    proof = secured.get("proof")
    if not isinstance(proof, Mapping) or proof.get("cryptosuite") != sd.CRYPTOSUITE:
        raise InvalidInput("the document has no ecdsa-sd-2023 proof", code="malformed-proof")
    base_signature, public_key, hmac_key, signatures, mandatory_pointers = _parse_base(
        proof.get("proofValue")
    )
    document = {k: v for k, v in secured.items() if k != "proof"}
    combined_pointers = [*mandatory_pointers, *selective_pointers]
    grouped = canonicalize_and_group(
        document,
        hmac_key,
        {
            "mandatory": mandatory_pointers,
            "selective": list(selective_pointers),
            "combined": combined_pointers,
        },
    )
    groups = grouped["groups"]
    mandatory_matching = groups["mandatory"]["matching"]
    combined_matching = groups["combined"]["matching"]
    combined_indexes = sorted(combined_matching)
    mandatory_indexes = [
        relative
        for relative, absolute in enumerate(combined_indexes)
        if absolute in mandatory_matching
    ]
    selective_matching = groups["selective"]["matching"]
    non_mandatory_indexes = sorted(groups["mandatory"]["nonMatching"])
    filtered = [
        signatures[position]
        for position, absolute in enumerate(non_mandatory_indexes)
        if absolute in selective_matching
    ]
    reveal = select_json_ld(combined_pointers, document) or {}
    _, reveal_ids = _canonicalize_nquads(groups["combined"]["deskolemizedNQuads"])
    verifier_labels = {new: grouped["labelMap"][old] for old, new in reveal_ids.items()}
    compressed = {
        int(c14n.removeprefix("c14n")): decode_base64url(label)
        for c14n, label in verifier_labels.items()
    }
    value = sd.DERIVED_HEADER + cbor2.dumps(
        [base_signature, public_key, filtered, compressed, mandatory_indexes]
    )
    derived_proof = {k: v for k, v in proof.items() if k != "proofValue"}
    derived_proof["proofValue"] = encode_base64url(value)
    reveal["proof"] = derived_proof
    # The reveal document must canonicalize (its terms all defined) like any credential.
    canonize({k: v for k, v in reveal.items() if k != "proof"})
    return reveal


__all__ = ["add_base_proof", "canonicalize_and_group", "derive_proof", "select_json_ld"]
