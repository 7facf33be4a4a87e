"""did:jwk (did:jwk Method Specification §2.2): the document is a pure function of the DID."""

from __future__ import annotations

import base64
import json

import pytest

from diploma_exchange.dids.did_jwk import (
    DidJwkResolver,
    did_jwk_document,
    did_jwk_public_jwk,
    resolve_did_jwk,
)
from diploma_exchange.errors import DidResolutionError
from diploma_exchange.formats.keys import LocalFirstResolver, method_key

#: The did:jwk specification's P-256 example key (§3, Examples).
P256 = {
    "crv": "P-256",
    "kty": "EC",
    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
}
SPEC_DID = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVV"
    "M3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)


def did_of(jwk: dict[str, object]) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(jwk, separators=(",", ":")).encode())
    return "did:jwk:" + encoded.rstrip(b"=").decode()


def test_the_specification_example() -> None:
    assert did_of(P256) == SPEC_DID
    assert did_jwk_public_jwk(SPEC_DID) == P256
    document = resolve_did_jwk(SPEC_DID)
    method = document.verification_method(f"{SPEC_DID}#0")
    assert method is not None and method.public_key_jwk == P256
    assert document.is_assertion_method(f"{SPEC_DID}#0")
    assert method_key(method).as_dict()["x"] == P256["x"]


def test_a_fragment_other_than_0_is_not_found() -> None:
    with pytest.raises(DidResolutionError):
        resolve_did_jwk(SPEC_DID + "#1")
    assert DidJwkResolver().resolve(SPEC_DID + "#0").id == SPEC_DID


def test_an_encryption_key_is_no_assertion_method() -> None:
    x25519 = did_of({"kty": "OKP", "crv": "X25519", "use": "enc", "x": "3p7bfXt9wbTTW2HC7OQ1"})
    document = did_jwk_document(x25519)
    assert "assertionMethod" not in document and document["keyAgreement"] == [f"{x25519}#0"]
    signing = did_jwk_document(did_of({**P256, "use": "sig"}))
    assert "keyAgreement" not in signing and "assertionMethod" in signing


@pytest.mark.parametrize(
    "did",
    [
        "did:jwk:not-base64!",
        "did:jwk:" + base64.urlsafe_b64encode(b"[1]").rstrip(b"=").decode(),
        "did:jwk:" + base64.urlsafe_b64encode(b'{"x": 1}').rstrip(b"=").decode(),
        did_of({**P256, "d": "private"}),
        "did:jwk:" + "A" * 5000,
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ],
)
def test_malformed_did_jwks(did: str) -> None:
    with pytest.raises(DidResolutionError):
        did_jwk_public_jwk(did)


class _Nothing:
    def resolve(self, did: str) -> object:
        raise DidResolutionError(f"{did} unknown")


def test_the_verifier_resolves_did_jwk_whatever_its_resolver_knows() -> None:
    resolver = LocalFirstResolver(_Nothing())  # type: ignore[arg-type]
    assert resolver.resolve(SPEC_DID + "#0").id == SPEC_DID
    with pytest.raises(DidResolutionError):
        resolver.resolve("did:web:example.com")
