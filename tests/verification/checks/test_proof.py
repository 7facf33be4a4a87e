"""checks/proof.py: signatures, proof sets, binding to the issuer, the secured document."""

from __future__ import annotations

import copy

from diploma_exchange.proofs import suites
from diploma_exchange.verification.checks import proof
from diploma_exchange.verification.state import Examined, issuer_id
from verification.checks.fakes import NOW, DidKeyOnly, new_issuer, signed


def run(document: dict) -> tuple[Examined, tuple[str, str], tuple[str, str]]:  # type: ignore[type-arg]
    examined = Examined(received=document, now=NOW, issuer=issuer_id(document))
    signature, binding = proof.run(examined, DidKeyOnly())
    return examined, (signature.status.value, signature.code), (binding.status.value, binding.code)


def test_a_verified_issuer_proof_fixes_the_secured_document() -> None:
    document = signed(new_issuer())
    document["@context"] = [*document["@context"], {"extra": "https://example.org/extra"}]
    examined, signature, binding = run(document)
    assert signature == ("passed", "verified") and binding == ("passed", "bound")
    assert examined.secured is not None
    assert examined.secured["@context"] == document["proof"]["@context"]  # the signed contexts
    assert examined.secured_digest is not None and len(examined.secured_digest) == 64


def test_no_proof_no_secured_document() -> None:
    issuer = new_issuer()
    unsigned = {k: v for k, v in signed(issuer).items() if k != "proof"}
    examined, signature, _ = run(unsigned)
    assert signature == ("failed", "missing-proof") and examined.secured is None


def test_a_tampered_document_fails_and_is_not_secured() -> None:
    document = signed(new_issuer())
    document["credentialSubject"]["id"] = "did:example:someone-else"
    examined, signature, _ = run(document)
    assert signature == ("failed", "signature-mismatch") and examined.secured is None


def test_an_unsupported_cryptosuite_is_an_error_not_a_failure() -> None:
    document = signed(new_issuer())
    document["proof"]["cryptosuite"] = "bbs-2023"
    examined, signature, binding = run(document)
    assert signature == ("error", "unsupported-cryptosuite")
    assert binding[0] == "error" and examined.secured is None


def test_another_key_is_not_bound_to_the_issuer() -> None:
    victim, forger = new_issuer(), new_issuer()
    document = signed(forger)
    document = suites.add_proof(
        {**{k: v for k, v in document.items() if k != "proof"}, "issuer": victim.did},
        "eddsa-jcs-2022",
        forger.signer,
        created=NOW,
    )
    examined, signature, binding = run(document)
    assert signature == ("passed", "verified")
    assert binding == ("failed", "key-not-controlled-by-issuer") and examined.secured is None


def test_a_proof_set_needs_every_proof_and_one_issuer_proof() -> None:
    issuer, endorser = new_issuer(), new_issuer()
    document = signed(issuer)
    endorsed = suites.add_proof(document, "eddsa-rdfc-2022", endorser.signer, created=NOW)
    examined, signature, binding = run(endorsed)
    assert signature == ("passed", "verified") and binding == ("passed", "bound")
    assert examined.issuer_proof is not None
    assert examined.issuer_proof.proof["verificationMethod"] == issuer.method
    broken = copy.deepcopy(endorsed)
    broken["proof"][1]["proofValue"] = broken["proof"][1]["proofValue"][:-3] + "111"
    examined, signature, _ = run(broken)
    assert signature[0] == "failed" and examined.secured is None


def test_an_unresolvable_key_is_an_error() -> None:
    document = signed(new_issuer())
    document["proof"]["verificationMethod"] = "did:web:nowhere.example#key-1"
    _, signature, binding = run(document)
    assert signature == ("error", "unresolvable-key") and binding[0] == "error"


def test_the_proofs_facade_verifies_any_suite() -> None:
    from diploma_exchange import proofs

    assert proofs.verify_proof is suites.verify_proof
    issuer = new_issuer()
    document = suites.add_proof(
        signed(issuer), "eddsa-rdfc-2022", issuer.signer, created=NOW
    )  # a proof set of two suites
    from diploma_exchange.dids.did_key import resolve_did_key

    key = resolve_did_key(issuer.did).verification_method(issuer.method).public_key()  # type: ignore[union-attr]
    for one in document["proof"]:
        assert proofs.verify_proof(document, one, key).verified
