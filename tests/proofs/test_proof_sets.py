"""Proof sets and proof chains (VC Data Integrity 1.0 §2.1.1, §2.1.2, §4.5) against the
W3C vc-di-eddsa proof-set-chain vectors (eddsa-rdfc-2022, four key pairs).

Ed25519 is deterministic, so each intermediate proof of the vectors is re-created exactly.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from diploma_exchange.errors import ProofError
from diploma_exchange.proofs import data_integrity, suites
from diploma_exchange.proofs.eddsa_rdfc_2022 import create_proof
from diploma_exchange.proofs.keys import (
    EcdsaSigner,
    KeyType,
    PublicKey,
    Signer,
    generate_ec_private_key,
    generate_private_key,
    private_key_from_multibase,
    public_key_from_multikey,
)
from vector_files import names, require

DIR = "eddsa/proof-set-chain"


def load(name: str) -> Any:
    return json.loads(require(f"{DIR}/{name}").read_text("utf-8"))


def key_of(proof: dict[str, Any]) -> PublicKey:
    return public_key_from_multikey(proof["verificationMethod"].rsplit("#", 1)[1])


def signer_for(proof_options: dict[str, Any]) -> Signer:
    pairs = load("multiKeyPairs.json")
    method = proof_options["verificationMethod"]
    pair = next(p for p in pairs.values() if method.endswith("#" + p["publicKeyMultibase"]))
    return Signer(private_key_from_multibase(pair["privateKeyMultibase"]), method)


@pytest.mark.parametrize("name", names(DIR, "signed*.json"))
def test_every_proof_of_the_signed_vectors_verifies(name: str) -> None:
    secured = load(name)
    proofs = data_integrity.all_proofs(secured)
    assert proofs
    for proof in proofs:
        check = suites.verify_proof(secured, proof, key_of(dict(proof)))
        assert (check.verified, check.code) == (True, "verified"), (name, proof.get("id"))


@pytest.mark.parametrize("index", [1, 2])
def test_proof_set_proofs_are_recreated_exactly(index: int) -> None:
    options = load(f"proofSetConfig{index}.json")
    unsigned = load("unsigned.json")
    assert create_proof(unsigned, options, signer_for(options)) == load(
        f"proofSetConfigSigned{index}.json"
    )


@pytest.mark.parametrize("index", [1, 2])
def test_proof_chain_proofs_are_recreated_exactly(index: int) -> None:
    options = load(f"proofChainConfig{index}.json")
    # The temporary document is the unsigned document plus the proofs the new proof names.
    temp = load(f"proofChainTempDoc{index}.json")
    previous = load(f"signedProofChain{index}.json") if index == 2 else load("signedProofSet2.json")
    assert temp == data_integrity.input_document(previous, options)
    assert create_proof(temp, options, signer_for(options)) == load(
        f"proofChainConfigSigned{index}.json"
    )


def test_add_proof_builds_the_vector_set_and_chains() -> None:
    document = load("unsigned.json")
    created = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
    for index in (1, 2):
        options = load(f"proofSetConfig{index}.json")
        document = suites.add_proof(
            document,
            "eddsa-rdfc-2022",
            signer_for(options),
            created=created,
            proof_id=options["id"],
        )
        expected = load(f"signedProofSet{index}.json")
        # signedProofSet1 holds one proof as an object; add_proof does the same.
        assert document == expected
    chain1 = load("proofChainConfig1.json")
    document = suites.add_proof(
        document,
        "eddsa-rdfc-2022",
        signer_for(chain1),
        created=datetime(2023, 2, 26, 22, 6, 38, tzinfo=UTC),
        proof_id=chain1["id"],
        previous_proof=chain1["previousProof"],
    )
    assert document == load("signedProofChain1.json")
    chain2 = load("proofChainConfig2.json")
    document = suites.add_proof(
        document,
        "eddsa-rdfc-2022",
        signer_for(chain2),
        created=datetime(2023, 2, 26, 22, 16, 38, tzinfo=UTC),
        previous_proof=chain2["previousProof"],
    )
    assert document == load("signedProofChain2.json")


def test_a_chained_proof_signs_the_previous_proofs() -> None:
    secured = load("signedProofChain1.json")
    # Changing a previous proof breaks that proof and the proof chained to it, not the other.
    tampered = copy.deepcopy(secured)
    tampered["proof"][0]["created"] = "2023-02-24T23:36:39Z"
    codes = [
        suites.verify_proof(tampered, proof, key_of(proof)).code for proof in tampered["proof"]
    ]
    assert codes == ["signature-mismatch", "verified", "signature-mismatch"]


def test_a_missing_previous_proof_is_reported() -> None:
    secured = load("signedProofChain1.json")
    without_first = {**secured, "proof": secured["proof"][1:]}
    chained = without_first["proof"][-1]
    check = suites.verify_proof(without_first, chained, key_of(chained))
    assert (check.verified, check.code) == (False, "previous-proof-not-found")
    with pytest.raises(ProofError) as info:
        data_integrity.input_document(without_first, chained)
    assert info.value.code == "previous-proof-not-found"


@pytest.mark.parametrize(
    ("proof_value", "message"),
    [
        ([], "empty list"),
        (["not an object"], "JSON object"),
    ],
)
def test_malformed_proof_sets(proof_value: Any, message: str) -> None:
    with pytest.raises(ProofError, match=message):
        data_integrity.all_proofs({"proof": proof_value})


def test_duplicate_ids_and_bad_previous_proof() -> None:
    secured = load("signedProofSet2.json")
    duplicate = copy.deepcopy(secured)
    duplicate["proof"][1]["id"] = duplicate["proof"][0]["id"]
    with pytest.raises(ProofError, match="share the id"):
        data_integrity.all_proofs(duplicate)
    proof = {**secured["proof"][0], "previousProof": 5}
    check = suites.verify_proof(secured, proof, key_of(proof))
    assert (check.verified, check.code) == (False, "malformed-proof")
    # A proof cannot name itself as its previous proof.
    own = {**secured["proof"][0], "previousProof": secured["proof"][0]["id"]}
    secured["proof"][0] = own
    assert suites.verify_proof(secured, own, key_of(own)).code == "previous-proof-not-found"


def test_mixed_suites_in_a_chain() -> None:
    """An eddsa-jcs-2022 proof, then an ecdsa-jcs-2019 proof chained to it (JCS chains)."""
    document = load("unsigned.json")
    created = datetime(2024, 1, 1, tzinfo=UTC)
    ed_key = generate_private_key()
    ec_key = generate_ec_private_key(KeyType.P384)
    secured = suites.add_proof(
        document,
        "eddsa-jcs-2022",
        Signer(ed_key, "did:example:a#1"),
        created=created,
        proof_id="urn:uuid:first",
    )
    secured = suites.add_proof(
        secured,
        "ecdsa-jcs-2019",
        EcdsaSigner(ec_key, "did:example:b#1"),
        created=created,
        previous_proof="urn:uuid:first",
    )
    first, second = secured["proof"]
    assert suites.verify_proof(secured, first, ed_key.public_key())
    assert suites.verify_proof(secured, second, ec_key.public_key())
    secured["proof"][0]["created"] = "2024-01-02T00:00:00Z"
    assert suites.verify_proof(secured, first, ed_key.public_key()).code == "signature-mismatch"
    assert suites.verify_proof(secured, second, ec_key.public_key()).code == "signature-mismatch"


def test_add_proof_refuses_bad_requests() -> None:
    document = load("unsigned.json")
    created = datetime(2024, 1, 1, tzinfo=UTC)
    signer = Signer(generate_private_key(), "did:example:a#1")
    with pytest.raises(ProofError, match="unsupported cryptosuite"):
        suites.add_proof(document, "bbs-2023", signer, created=created)
    with pytest.raises(ProofError, match="EcdsaSigner"):
        suites.add_proof(document, "ecdsa-rdfc-2019", signer, created=created)
    with pytest.raises(ProofError, match="previousProof"):
        suites.add_proof(
            document, "eddsa-rdfc-2022", signer, created=created, previous_proof="urn:x"
        )
    with pytest.raises(ProofError, match="extra_options"):
        suites.add_proof(
            document, "eddsa-rdfc-2022", signer, created=created, extra_options={"id": "x"}
        )
    once = suites.add_proof(document, "eddsa-rdfc-2022", signer, created=created, proof_id="urn:1")
    with pytest.raises(ProofError, match="already has a proof with id"):
        suites.add_proof(once, "eddsa-rdfc-2022", signer, created=created, proof_id="urn:1")
