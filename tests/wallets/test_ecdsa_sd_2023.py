"""ecdsa-sd-2023 derived proofs (W3C vc-di-ecdsa), checked against the W3C test vectors
(tests/wallets/vectors/SOURCES.md): the proof value parses to the published components, the
relabelled canonical N-Quads verify, and any change is refused."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from diploma_exchange.proofs import ecdsa_sd_2023 as sd
from diploma_exchange.proofs.keys import public_key_from_multikey

VECTORS = Path(__file__).resolve().parent / "vectors" / "ecdsa-sd-2023"


def load(name: str) -> Any:
    text = (VECTORS / name).read_text()
    return text if name.endswith(".txt") else json.loads(text)


@pytest.fixture
def derived() -> sd.DerivedProofValue:
    document = load("prc/derivedRevealDocument.json")
    return sd.parse_derived_proof_value(document["proof"]["proofValue"])


def issuer_key() -> ec.EllipticCurvePublicKey:
    key = public_key_from_multikey(load("SDKeyMaterial.json")["baseKeyPair"]["publicKeyMultibase"])
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key


def proof_hash() -> bytes:
    return hashlib.sha256(load("prc/addProofConfigCanon.txt").encode()).digest()


def test_derived_proof_value_parses_to_the_published_components(
    derived: sd.DerivedProofValue,
) -> None:
    expected = load("prc/verifyDerivedProofValue.json")
    assert derived.base_signature.hex() == expected["baseSignature"]
    assert [s.hex() for s in derived.signatures] == expected["signatures"]
    assert derived.label_map == dict(expected["labelMap"])
    assert list(derived.mandatory_indexes) == expected["mandatoryIndexes"]
    from diploma_exchange.proofs.multibase import encode_base58btc

    assert encode_base58btc(derived.public_key) == expected["publicKey"]
    assert proof_hash().hex() == load("prc/verifyCreateVerifyData.json")["proofHash"]


def test_the_vectors_verify(derived: sd.DerivedProofValue) -> None:
    nquads = load("prc/verifyNQuads.json")
    check = sd.verify_nquads(nquads, proof_hash(), derived, issuer_key())
    assert check.verified, check.message
    data = load("prc/verifyCreateVerifyData.json")
    wanted = set(derived.mandatory_indexes)
    assert [q for i, q in enumerate(nquads) if i not in wanted] == data["nonMandatory"]
    mandatory = "".join(q for i, q in enumerate(nquads) if i in wanted)
    assert hashlib.sha256(mandatory.encode()).hexdigest() == data["mandatoryHash"]


def test_relabelling_gives_the_vectors_nquads(derived: sd.DerivedProofValue) -> None:
    nquads = load("prc/verifyNQuads.json")
    reverse = {v: k for k, v in derived.label_map.items()}
    canonical = []
    for quad in nquads:
        for label, c14n in reverse.items():
            quad = quad.replace("_:" + label, "_:" + c14n)
        canonical.append(quad)
    assert sd.relabel(sorted(canonical), derived.label_map) == nquads


@pytest.mark.parametrize("index", range(10))
def test_any_changed_statement_is_refused(derived: sd.DerivedProofValue, index: int) -> None:
    nquads = list(load("prc/verifyNQuads.json"))
    nquads[index] = nquads[index].replace("<http", "<hxxp", 1)  # every quad has one
    assert not sd.verify_nquads(nquads, proof_hash(), derived, issuer_key()).verified


def test_dropped_statement_other_proof_options_or_key_are_refused(
    derived: sd.DerivedProofValue,
) -> None:
    nquads = load("prc/verifyNQuads.json")
    assert not sd.verify_nquads(nquads[:-1], proof_hash(), derived, issuer_key()).verified
    other_hash = hashlib.sha256(b"other options").digest()
    assert not sd.verify_nquads(nquads, other_hash, derived, issuer_key()).verified
    other_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert not sd.verify_nquads(nquads, proof_hash(), derived, other_key).verified


def test_malformed_proof_values_are_refused() -> None:
    for value in (None, "zabc", "u" + "AAAA", "u2V0A" + "AAAA"):
        with pytest.raises(sd.InvalidInput):
            sd.parse_derived_proof_value(value)


OB_DERIVED = (
    Path(__file__).resolve().parents[1]
    / "vectors"
    / "openbadges"
    / "validator-samples"
    / "sd"
    / "derivedcredential.json"
)


def test_an_independent_derived_credential_verifies_through_the_suites() -> None:
    """1EdTech's validator sample (a derived ecdsa-sd-2023 Open Badge, from JSON-LD through
    RDFC-1.0): verified; any changed value: signature-mismatch; a base proof: unsupported."""
    from diploma_exchange.proofs import suites

    sample = json.loads(OB_DERIVED.read_text())
    (proof,) = sample["proof"]
    key = public_key_from_multikey(proof["verificationMethod"].split("#")[1])
    assert suites.verify_proof(sample, proof, key).code == "verified"
    changed = json.loads(json.dumps(sample))
    changed["name"] = str(changed.get("name", "")) + " (edited)"
    assert suites.verify_proof(changed, changed["proof"][0], key).code == "signature-mismatch"
    base = json.loads(json.dumps(sample))
    base["proof"][0]["proofValue"] = "u" + "2V0A" + base["proof"][0]["proofValue"][5:]
    result = suites.verify_proof(base, base["proof"][0], key)
    assert result.code in ("unsupported-cryptosuite", "malformed-proof")


# --- base proofs and derived proofs made here ----------------------------------------------


@pytest.fixture(scope="module")
def p256_issuer() -> tuple[ec.EllipticCurvePrivateKey, Any]:
    from diploma_exchange.dids.did_key import did_key_from_public_key
    from diploma_exchange.proofs.keys import EcdsaSigner

    key = ec.generate_private_key(ec.SECP256R1())
    did = did_key_from_public_key(key.public_key())
    return key, EcdsaSigner(key, f"{did}#{did.removeprefix('did:key:')}")


MANDATORY = ["/issuer", "/name", "/validFrom", "/credentialSubject/achievement"]


@pytest.fixture(scope="module")
def base_diploma(p256_issuer: tuple[ec.EllipticCurvePrivateKey, Any]) -> dict[str, Any]:
    from datetime import UTC, datetime

    from diploma_exchange.credentials.samples import sample_diploma_credential
    from diploma_exchange.proofs.ecdsa_sd_2023_create import add_base_proof

    return add_base_proof(
        sample_diploma_credential(0),
        p256_issuer[1],
        created=datetime(2026, 6, 20, tzinfo=UTC),
        mandatory_pointers=MANDATORY,
    )


def _verify(document: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> Any:
    from diploma_exchange.proofs import suites

    return suites.verify_proof(document, document["proof"], key.public_key())


def test_base_proof_is_for_the_holder_only(
    base_diploma: dict[str, Any], p256_issuer: tuple[ec.EllipticCurvePrivateKey, Any]
) -> None:
    assert base_diploma["proof"]["proofValue"].startswith("u2V0A")  # 0xd9 0x5d 0x00
    assert _verify(base_diploma, p256_issuer[0]).code == "unsupported-cryptosuite"


def test_derived_diploma_reveals_only_the_chosen_fields_and_verifies(
    base_diploma: dict[str, Any], p256_issuer: tuple[ec.EllipticCurvePrivateKey, Any]
) -> None:
    from diploma_exchange.proofs.ecdsa_sd_2023_create import derive_proof

    reveal = derive_proof(base_diploma, ["/credentialSubject/graduate/fullName"])
    text = json.dumps(reveal, ensure_ascii=False)
    assert "Aigerim Abenova" in text
    assert "2004-07-09" not in text  # date of birth withheld
    assert "transcript" not in reveal["credentialSubject"]  # grades withheld
    assert reveal["credentialSubject"]["achievement"]["achievementType"] == "BachelorDegree"
    assert reveal["proof"]["proofValue"].startswith("u2V0B")  # derived header
    check = _verify(reveal, p256_issuer[0])
    assert check.code == "verified", check.message
    # Grades (an RDF list) can be disclosed too, and still verify.
    with_grades = derive_proof(base_diploma, ["/credentialSubject/transcript"])
    assert len(with_grades["credentialSubject"]["transcript"]) == 16
    assert _verify(with_grades, p256_issuer[0]).code == "verified"


def test_derived_diploma_tampering_is_refused(
    base_diploma: dict[str, Any], p256_issuer: tuple[ec.EllipticCurvePrivateKey, Any]
) -> None:
    from diploma_exchange.proofs.ecdsa_sd_2023_create import derive_proof

    reveal = derive_proof(base_diploma, ["/credentialSubject/graduate/dateOfBirth"])
    changed = json.loads(json.dumps(reveal))
    changed["credentialSubject"]["graduate"]["dateOfBirth"] = "1990-01-01"
    assert _verify(changed, p256_issuer[0]).code == "signature-mismatch"
    added = json.loads(json.dumps(reveal))
    added["credentialSubject"]["graduate"]["fullName"] = {"en": "Someone Else"}
    assert _verify(added, p256_issuer[0]).code == "signature-mismatch"
    other = ec.generate_private_key(ec.SECP256R1())
    assert _verify(reveal, other).code == "signature-mismatch"


def test_w3c_example_round_trip(p256_issuer: tuple[ec.EllipticCurvePrivateKey, Any]) -> None:
    from datetime import UTC, datetime

    from diploma_exchange.proofs.ecdsa_sd_2023_create import add_base_proof, derive_proof
    from vector_files import require

    unsigned = json.loads(require("ecdsa/unsigned.json").read_text("utf-8"))
    base = add_base_proof(
        unsigned, p256_issuer[1], created=datetime.now(UTC), mandatory_pointers=["/issuer"]
    )
    reveal = derive_proof(base, ["/credentialSubject/alumniOf"])
    assert reveal["credentialSubject"]["alumniOf"] == "The School of Examples"
    assert "description" not in reveal
    assert _verify(reveal, p256_issuer[0]).code == "verified"
