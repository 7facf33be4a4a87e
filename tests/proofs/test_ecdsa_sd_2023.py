"""ecdsa-sd-2023 (W3C vc-di-ecdsa §3.5-3.6): regressions found by the W3C vc-di-ecdsa test
suite's selective disclosure groups (``make conformance``) and by checking this service's base
proofs, derivations and verifier against Digital Bazaar's ecdsa-sd-2023 library.

- literals are data: text such as ``"see _:b0"`` or ``"<urn:custom-scheme:x>"`` inside a
  string value is not a blank node identifier or a skolem IRI, and must be signed and verified
  byte for byte (creation raised ``KeyError``; a derived proof of such a value did not verify);
- parseDerivedProofValue (§3.5.8) refuses components of the wrong size (a ``publicKey`` that is
  not 35 bytes, label map values that are not 32 bytes, ``true`` as a mandatory index), as a
  verdict, never an exception;
- parseBaseProofValue (§3.5.3) likewise, for the holder deriving from a base proof;
- the suite's negative derived-proof tests (proof value without ``u``, without the disclosure
  header, one signature fewer), run here on a derived proof whose issuer is the signing key, so
  that the positive half passes and the negative half is really tested.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from diploma_exchange.dids.did_key import did_key_from_public_key
from diploma_exchange.errors import InvalidInput
from diploma_exchange.proofs import ecdsa_sd_2023 as sd
from diploma_exchange.proofs import suites
from diploma_exchange.proofs.ecdsa_sd_2023_create import add_base_proof, derive_proof
from diploma_exchange.proofs.keys import EcdsaSigner
from diploma_exchange.proofs.multibase import decode_base64url, encode_base64url

CREATED = datetime(2026, 12, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def issuer() -> tuple[ec.EllipticCurvePrivateKey, EcdsaSigner, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    did = did_key_from_public_key(key.public_key())
    return key, EcdsaSigner(key, f"{did}#{did.removeprefix('did:key:')}"), did


def credential(did: str, name: str = "Alice", *, subject_id: bool = True) -> dict[str, Any]:
    subject = {"id": "did:example:alice", "name": name} if subject_id else {"name": name}
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0b4ec4d4-7c3c-4d39-9b43-7d8f8e3c1a11",
        "type": ["VerifiableCredential"],
        "issuer": did,
        "validFrom": "2026-12-01T00:00:00Z",
        "credentialSubject": subject,
    }


def verify(document: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> Any:
    return suites.verify_proof(document, document["proof"], key.public_key())


@pytest.fixture(scope="module")
def derived(issuer: tuple[ec.EllipticCurvePrivateKey, EcdsaSigner, str]) -> dict[str, Any]:
    """A derived proof that verifies, with selectively disclosed statements and a blank node
    (the subject has no id) in its label map."""
    base = add_base_proof(
        credential(issuer[2], subject_id=False),
        issuer[1],
        created=CREATED,
        mandatory_pointers=["/issuer"],
    )
    reveal = derive_proof(base, ["/credentialSubject/name", "/validFrom"])
    assert verify(reveal, issuer[0]).code == "verified"
    return reveal


def components(document: dict[str, Any]) -> list[Any]:
    raw = decode_base64url(document["proof"]["proofValue"])
    assert raw[:3] == sd.DERIVED_HEADER
    parts = cbor2.loads(raw[3:])
    assert isinstance(parts, list)
    return parts


def with_components(document: dict[str, Any], parts: list[Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    changed["proof"]["proofValue"] = encode_base64url(sd.DERIVED_HEADER + cbor2.dumps(parts))
    return changed


# --- literals are data ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "see _:b0 here",
        "label _:c14n0 in a string",
        "_:c14n1",
        'quoted \\" _:b1 and <urn:custom-scheme:abc> too',
        "an IRI in text <urn:custom-scheme:_x_0>",
    ],
)
def test_literals_that_look_like_blank_nodes_are_signed_as_they_are(
    issuer: tuple[ec.EllipticCurvePrivateKey, EcdsaSigner, str], name: str
) -> None:
    base = add_base_proof(
        credential(issuer[2], name), issuer[1], created=CREATED, mandatory_pointers=["/issuer"]
    )
    for pointers in (["/credentialSubject/name"], ["/credentialSubject"]):
        reveal = derive_proof(base, pointers)
        assert reveal["credentialSubject"]["name"] == name
        check = verify(reveal, issuer[0])
        assert check.code == "verified", check.message
        # and the literal is what is signed: another value is refused
        changed = copy.deepcopy(reveal)
        changed["credentialSubject"]["name"] = name + "!"
        assert verify(changed, issuer[0]).code == "signature-mismatch"


def test_relabel_replaces_blank_nodes_only() -> None:
    quads = [
        '_:c14n0 <https://schema.org/name> "see _:c14n0 and _:c14n9"@en _:c14n1 .\n',
        "_:c14n1 <https://schema.org/knows> _:c14n0 .\n",
    ]
    relabelled = sd.relabel(quads, {"c14n0": "uA", "c14n1": "uB"})
    assert relabelled == [
        '_:uA <https://schema.org/name> "see _:c14n0 and _:c14n9"@en _:uB .\n',
        "_:uB <https://schema.org/knows> _:uA .\n",
    ]
    with pytest.raises(InvalidInput):
        sd.relabel(['_:c14n2 <https://schema.org/name> "x" .\n'], {"c14n0": "uA"})


# --- parseDerivedProofValue (§3.5.8) ------------------------------------------------------------


def _wrong_public_key_length(parts: list[Any]) -> None:
    parts[1] = parts[1] + b"\x00"


def _public_key_not_on_the_curve(parts: list[Any]) -> None:
    parts[1] = sd.P256_MULTIKEY_HEADER + b"\x02" + b"\xff" * 32


def _short_label(parts: list[Any]) -> None:
    parts[3] = {k: v[:31] for k, v in parts[3].items()}


def _label_not_bytes(parts: list[Any]) -> None:
    parts[3] = {k: encode_base64url(v) for k, v in parts[3].items()}


def _boolean_index(parts: list[Any]) -> None:
    parts[4] = [True, *parts[4][1:]]


def _string_index(parts: list[Any]) -> None:
    parts[4] = ["0", *parts[4][1:]]


def _short_signature(parts: list[Any]) -> None:
    parts[2] = [parts[2][0][:63], *parts[2][1:]]


@pytest.mark.parametrize(
    "change",
    [
        _wrong_public_key_length,
        _public_key_not_on_the_curve,
        _short_label,
        _label_not_bytes,
        _boolean_index,
        _string_index,
        _short_signature,
    ],
)
def test_derived_proof_components_of_the_wrong_kind_are_malformed(
    derived: dict[str, Any],
    issuer: tuple[ec.EllipticCurvePrivateKey, EcdsaSigner, str],
    change: Any,
) -> None:
    parts = components(derived)
    assert parts[3], "the fixture has blank nodes"
    assert parts[4], "the fixture has mandatory indexes"
    change(parts)
    changed = with_components(derived, parts)
    with pytest.raises(InvalidInput) as raised:
        sd.parse_derived_proof_value(changed["proof"]["proofValue"])
    assert raised.value.code == "malformed-proof"
    # through the verifier: a verdict, not an exception
    assert verify(changed, issuer[0]).code == "malformed-proof"


# --- the suite's negative derived-proof tests, with an issuer-bound proof ----------------------


def test_proof_value_without_the_multibase_prefix_is_refused(
    derived: dict[str, Any], issuer: tuple[ec.EllipticCurvePrivateKey, EcdsaSigner, str]
) -> None:
    changed = copy.deepcopy(derived)
    changed["proof"]["proofValue"] = changed["proof"]["proofValue"][1:]
    assert verify(changed, issuer[0]).code == "malformed-proof"


def test_proof_value_without_the_disclosure_header_is_refused(
    derived: dict[str, Any], issuer: tuple[ec.EllipticCurvePrivateKey, EcdsaSigner, str]
) -> None:
    # as the suite does it: drop the three characters after "u" (the header's bytes)
    changed = copy.deepcopy(derived)
    value = changed["proof"]["proofValue"]
    changed["proof"]["proofValue"] = value[:1] + value[4:]
    assert verify(changed, issuer[0]).code == "malformed-proof"


def test_one_signature_fewer_than_non_mandatory_statements_is_refused(
    derived: dict[str, Any], issuer: tuple[ec.EllipticCurvePrivateKey, EcdsaSigner, str]
) -> None:
    parts = components(derived)
    count = len(parts[2])
    assert count >= 2
    parts[2] = parts[2][1:]
    check = verify(with_components(derived, parts), issuer[0])
    assert check.code == "signature-mismatch"
    assert f"{count} statements are revealed but the proof signs {count - 1}" in check.message


# --- parseBaseProofValue (§3.5.3), on the holder's side ----------------------------------------


@pytest.mark.parametrize(
    ("index", "value"),
    [(1, b"\x80\x24" + b"\x02" * 34), (2, b"\x00" * 31), (3, [b"\x00" * 63]), (4, [1])],
    ids=["publicKey-36-bytes", "hmacKey-31-bytes", "signature-63-bytes", "pointer-not-a-string"],
)
def test_base_proof_components_of_the_wrong_kind_are_refused(
    issuer: tuple[ec.EllipticCurvePrivateKey, EcdsaSigner, str], index: int, value: Any
) -> None:
    base = add_base_proof(
        credential(issuer[2]), issuer[1], created=CREATED, mandatory_pointers=["/issuer"]
    )
    raw = decode_base64url(base["proof"]["proofValue"])
    parts = cbor2.loads(raw[3:])
    parts[index] = value
    base["proof"]["proofValue"] = encode_base64url(sd.BASE_HEADER + cbor2.dumps(parts))
    with pytest.raises(InvalidInput) as raised:
        derive_proof(base, ["/credentialSubject/name"])
    assert raised.value.code == "malformed-proof"


# --- serializeBaseProofValue (§3.5.2) -------------------------------------------------------------


def _tagged(value: Any) -> bool:
    if isinstance(value, cbor2.CBORTag):
        return True
    if isinstance(value, list | tuple):
        return any(_tagged(item) for item in value)
    if isinstance(value, dict):
        return any(_tagged(k) or _tagged(v) for k, v in value.items())
    return False


def test_base_proof_value_is_an_untagged_cbor_array_of_the_five_components(
    issuer: tuple[ec.EllipticCurvePrivateKey, EcdsaSigner, str],
) -> None:
    pointers = ["/issuer", "/validFrom"]
    base = add_base_proof(
        credential(issuer[2]), issuer[1], created=CREATED, mandatory_pointers=pointers
    )
    raw = decode_base64url(base["proof"]["proofValue"])
    assert raw[:3] == sd.BASE_HEADER
    parts = cbor2.loads(raw[3:])
    assert not _tagged(parts)  # "CBOR tagging MUST NOT be used on any of the components"
    base_signature, public_key, hmac_key, signatures, mandatory_pointers = parts
    assert len(base_signature) == 64
    assert len(public_key) == sd.P256_MULTIKEY_LENGTH
    assert public_key.startswith(sd.P256_MULTIKEY_HEADER)
    assert len(hmac_key) == 32  # RFC 2104: the digest size of SHA-256
    assert signatures and all(len(s) == 64 for s in signatures)
    assert mandatory_pointers == pointers
