"""Blockcerts hashing and proofs: the bundled contexts are the documented copies, MerkleProof2019
values decode as cert-issuer 3 writes them (CBOR text of the hex), v3 hashes reproduce, and a
property the hash cannot cover is named."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

import cbor2
import pytest

from diploma_exchange.formats.blockcerts import (
    BLOCKCERTS_CONTEXTS,
    decode_merkle_proof_2019,
    local_hash,
    merkle_root_of,
)
from diploma_exchange.proofs.multibase import encode_base58btc
from formats.support import codes, verify

CONTEXTS = Path(__file__).resolve().parents[2] / "src" / "diploma_exchange" / "formats" / "contexts"
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "foreign" / "envelopes" / "blockcerts"


def test_every_bundled_context_is_documented_with_its_digest() -> None:
    sources = (CONTEXTS / "SOURCES.md").read_text()
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| (\S+\.jsonld) \|.*\| ([0-9a-f]{64}) \|$", sources, re.MULTILINE)
    }
    files = {p.name for p in CONTEXTS.glob("*.jsonld")}
    assert set(rows) == files == set(BLOCKCERTS_CONTEXTS.values())
    for name, digest in rows.items():
        assert hashlib.sha256((CONTEXTS / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("file", ["testnet-v3-did.json", "ethereum-sepolia-v3.json"])
def test_v3_hashes_are_reproduced(file: str) -> None:
    certificate = json.loads((CORPUS / file).read_text())
    receipt = decode_merkle_proof_2019(certificate["proof"]["proofValue"])
    digest, unmapped, dropped = local_hash(certificate, proof_member="proof")
    assert digest == receipt["targetHash"] and not unmapped and not dropped
    assert merkle_root_of(receipt["targetHash"], receipt["path"]) == receipt["merkleRoot"]


def test_a_changed_v3_certificate() -> None:
    certificate = json.loads((CORPUS / "testnet-v3-did.json").read_text())
    certificate["credentialSubject"]["name"] = "Someone Else"
    report = verify(json.dumps(certificate))
    assert (
        codes(report)["proof.integrity"][0] == "error"
    )  # another hash: tampered or another revision
    assert report.verdict.value != "valid"


def _proof_value(target: str, *, as_text: bool) -> str:
    def encoded(hex_value: str) -> bytes:
        return cbor2.dumps(hex_value if as_text else bytes.fromhex(hex_value))

    # lds-merkle-proof-2019 keys: 0 merkleRoot, 1 targetHash, 2 anchors, 3 path; anchor
    # keys 0 chain (1: Ethereum), 1 network (3: Ropsten), 2 transaction.
    entries = [
        [0, encoded(target)],
        [1, encoded(target)],
        [2, [[[0, 1], [1, 3], [2, cbor2.dumps("ab" * 32)]]]],
        [3, []],
    ]
    return "z" + encode_base58btc(cbor2.dumps(entries)).removeprefix("z")


@pytest.mark.parametrize("as_text", [True, False])
def test_merkle_proof_2019_values_of_both_encodings(as_text: bool) -> None:
    target = "b2" * 32
    decoded = decode_merkle_proof_2019(_proof_value(target, as_text=as_text))
    assert decoded["targetHash"] == target and decoded["merkleRoot"] == target
    assert decoded["anchors"] == ["blink:eth:ropsten:" + "ab" * 32]


def test_a_property_the_hash_cannot_cover_is_named() -> None:
    certificate = json.loads((CORPUS / "testnet-v3-did.json").read_text())
    changed = copy.deepcopy(certificate)
    changed["credentialSubject"]["odd key"] = "not an IRI"
    _, _, dropped = local_hash(changed, proof_member="proof")
    assert dropped == ["odd key"]
