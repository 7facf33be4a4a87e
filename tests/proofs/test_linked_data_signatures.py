"""Legacy Ed25519 proofs: Ed25519Signature2020 (W3C vc-di-eddsa's own vectors, step by step),
Ed25519Signature2018 (detached JWS) and the draft cryptosuite name eddsa-2022."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from diploma_exchange.proofs import linked_data_signatures as ld
from diploma_exchange.proofs import suites
from diploma_exchange.proofs.keys import (
    Signer,
    private_key_from_multibase,
    public_key_from_multibase,
)
from diploma_exchange.proofs.rdfc import RdfcLimits, canonize, using_limits
from vector_files import require

VECTORS = "eddsa/Ed25519Signature2020"


def vector(name: str) -> str:
    return require(f"{VECTORS}/{name}").read_text("utf-8")


def key_pair() -> dict[str, str]:
    return json.loads(require("eddsa/keyPair.json").read_text())  # type: ignore[no-any-return]


def signed() -> dict[str, Any]:
    return json.loads(vector("signedEdSig.json"))  # type: ignore[no-any-return]


def public_key() -> Any:
    return public_key_from_multibase(key_pair()["publicKeyMultibase"])


def unsecured(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "proof"}


def test_the_vector_steps_are_reproduced() -> None:
    """Canonical document, canonical proof options, both hashes, their concatenation."""
    document = signed()
    proof = document["proof"]
    canonical_document = canonize(unsecured(document))
    assert canonical_document.decode() == vector("canonDocEdSig.txt")
    assert hashlib.sha256(canonical_document).hexdigest() == vector("docHashEdSig.txt").strip()
    options = ld.canonical_proof_options(proof, unsecured(document))
    assert options.decode() == vector("proofCanonEdSig.txt")
    assert hashlib.sha256(options).hexdigest() == vector("proofHashEdSig.txt").strip()
    combined = ld.verify_data(proof, unsecured(document))
    assert combined.hex() == vector("combinedHashEdSig.txt").strip()


def test_the_vector_verifies_and_is_signed_again_identically() -> None:
    document = signed()
    check = suites.verify_proof(document, document["proof"], public_key())
    assert (check.verified, check.code) == (True, "verified")
    signer = Signer(
        private_key_from_multibase(key_pair()["privateKeyMultibase"]),
        document["proof"]["verificationMethod"],
    )
    options = {k: v for k, v in document["proof"].items() if k != "proofValue"}
    again = ld.create_ed25519_signature_2020(unsecured(document), options, signer)
    # Ed25519 is deterministic: the same key, document and options give the same signature.
    assert again["proofValue"] == vector("sigBTC58EdSig.txt").strip()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d["credentialSubject"].update(alumniOf="Another School"), "signature-mismatch"),
        (lambda d: d["proof"].update(created="2024-02-24T23:36:38Z"), "signature-mismatch"),
        (lambda d: d["proof"].update(proofValue="z" + "1" * 20), "malformed-proof"),
        (lambda d: d["proof"].pop("proofPurpose"), "malformed-proof"),
        (lambda d: d["@context"].append("https://example.com/unknown/v1"), "unknown-context"),
        (lambda d: d.update(unknownTerm=1), "signature-mismatch"),
    ],
)
def test_tampering_is_detected(change: Any, code: str) -> None:
    document = signed()
    change(document)
    check = suites.verify_proof(document, document["proof"], public_key())
    assert (check.verified, check.code) == (False, code)


def test_an_undefined_term_in_the_proof_is_not_signed_data() -> None:
    document = signed()
    document["@context"] = document["@context"][:2]  # without the suite context
    document["proof"]["nonsense"] = "x"
    check = suites.verify_proof(document, document["proof"], public_key())
    assert not check.verified
    assert check.code in ("undefined-term", "signature-mismatch")


def test_another_key_does_not_verify() -> None:
    document = signed()
    other = public_key_from_multibase("z6MkjXe1vZvPRqFuc9nRBtZ3e1Y9XKDFSbjFAfzLfW2bD6cZ")
    assert suites.verify_proof(document, document["proof"], other).code == "signature-mismatch"


def test_the_work_limits_apply() -> None:
    document = signed()
    with using_limits(RdfcLimits(max_quads=3)):
        check = suites.verify_proof(document, document["proof"], public_key())
    assert (check.verified, check.code) == (False, "work-limit-exceeded")


def _signer() -> Signer:
    return Signer(
        private_key_from_multibase(key_pair()["privateKeyMultibase"]),
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    )


def _legacy_document() -> dict[str, Any]:
    """A VC 1.1 credential: its context defines Ed25519Signature2018 (protected), as the
    credentials of that time have it."""
    document = unsecured(signed())
    document["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        "https://www.w3.org/2018/credentials/examples/v1",
    ]
    document["issuanceDate"] = document.pop("validFrom")
    document.pop("name")
    document.pop("description")
    return document


def test_ed25519_signature_2018_round_trip_and_tampering() -> None:
    document = _legacy_document()
    options = {
        "type": "Ed25519Signature2018",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": _signer().verification_method,
        "proofPurpose": "assertionMethod",
    }
    proof = ld.create_ed25519_signature_2018(document, options, _signer())
    header, empty, _ = proof["jws"].split(".")
    assert empty == "" and header == "eyJhbGciOiJFZERTQSIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19"
    secured = {**document, "proof": proof}
    assert suites.verify_proof(secured, proof, public_key()).verified
    tampered = copy.deepcopy(secured)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    assert suites.verify_proof(tampered, proof, public_key()).code == "signature-mismatch"
    encoded = {**proof, "jws": "eyJhbGciOiJFZERTQSJ9.." + proof["jws"].split("..")[1]}
    assert suites.verify_proof(secured, encoded, public_key()).code == "malformed-proof"
    other_alg = {**proof, "jws": "eyJhbGciOiJFUzI1NiJ9.." + proof["jws"].split("..")[1]}
    assert suites.verify_proof(secured, other_alg, public_key()).code == "unsupported-cryptosuite"


def test_eddsa_2022_is_eddsa_rdfc_2022_under_its_draft_name() -> None:
    document = unsecured(signed())
    document["@context"] = [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ]
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": _signer().verification_method,
        "proofPurpose": "assertionMethod",
    }
    proof = ld.create_eddsa_2022(document, options, _signer())
    secured = {**document, "proof": proof}
    check = suites.verify_proof(secured, proof, public_key())
    assert check.verified and "eddsa-2022" in check.message
    # The name is signed: the same proof relabelled eddsa-rdfc-2022 does not verify.
    renamed = {**proof, "cryptosuite": "eddsa-rdfc-2022"}
    assert suites.verify_proof({**document, "proof": renamed}, renamed, public_key()).code == (
        "signature-mismatch"
    )


PLUGFEST = Path(__file__).resolve().parents[1] / "corpus/foreign/data-integrity/ccg-vc-ed-plugfest"


@pytest.mark.parametrize(
    "name",
    [
        "plugfest-1-2022-plugfest-1-ex-1.json",
        "plugfest-3-2023-signed_badge_example-p3.json",
    ],
)
def test_real_ed25519_signature_2018_credentials_verify(name: str) -> None:
    """Jobs for the Future plugfest badges (w3c-ccg/vc-ed, see the corpus manifest), signed
    with Ed25519Signature2018 by their issuers' did:key."""
    document = json.loads((PLUGFEST / name).read_text())
    proof = document["proof"]
    did = proof["verificationMethod"].split("#")[0]
    key = public_key_from_multibase(did.removeprefix("did:key:"))
    assert suites.verify_proof(document, proof, key).verified
    document["credentialSubject"]["id"] = "did:example:someone-else"
    assert suites.verify_proof(document, proof, key).code == "signature-mismatch"


SPRUCE = Path(__file__).resolve().parents[1] / "corpus/foreign/data-integrity"


@pytest.mark.parametrize("name", ["lds-ed25519-2020-vc0.json", "lds-ed25519-2020-vp0.json"])
def test_another_implementations_ed25519_signature_2020_verifies(name: str) -> None:
    """Spruce ssi's own Ed25519Signature2020 credential and presentation (see the corpus
    manifest), checked with the key of its issuer's controller document."""
    issuer = json.loads(
        (SPRUCE / "support/documents/spruce-ssi-lds-ed25519-2020-issuer0.json").read_text()
    )
    key = public_key_from_multibase(issuer["verificationMethod"][0]["publicKeyMultibase"])
    document = json.loads((SPRUCE / "spruce-ssi" / name).read_text())
    assert suites.verify_proof(document, document["proof"], key).verified
    document["id"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    assert suites.verify_proof(document, document["proof"], key).code == "signature-mismatch"
