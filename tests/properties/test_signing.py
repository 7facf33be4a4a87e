"""Signing is deterministic and verify(sign(d)) holds for any graduate's name.

Ed25519 (RFC 8032 §5.1.6) derives its nonce from the key and the message, so the same
document, key and ``created`` always give the same ``proofValue``. The names are arbitrary
Unicode (non-BMP characters, combining marks, controls, quotes and backslashes, U+2028),
which JCS must serialise identically when signing, after a JSON round trip, and when verifying.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diploma_exchange import strict_json
from diploma_exchange.credentials.models import DiplomaData, IssuerProfile, build_diploma_credential
from diploma_exchange.dids.did_key import DidKeyResolver, did_key_from_public_key
from diploma_exchange.proofs.eddsa_jcs_2022 import add_proof, verify_proof
from diploma_exchange.proofs.keys import Signer, generate_private_key
from diploma_exchange.verification import StaticTrustPolicy, verify_credential
from diploma_exchange.verification.report import AUTHENTICITY_POLICY, CheckName, Verdict
from helpers import diploma_payload

CREATED = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 7, 1, tzinfo=UTC)

_KEY = generate_private_key()
ISSUER_DID = did_key_from_public_key(_KEY.public_key())
SIGNER = Signer(_KEY, f"{ISSUER_DID}#{ISSUER_DID.removeprefix('did:key:')}")
ISSUER = IssuerProfile(id=ISSUER_DID, name="Property University", url="https://example.edu")

names = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from(["\U0001f393", "\U00010000", "\u0306", "\u2028", '"', "\\", "\x00", "ә"]),
    ),
    min_size=1,
    max_size=24,
)


def diploma_for(full_name: dict[str, str]) -> dict[str, Any]:
    payload = {**diploma_payload(3), "full_name": full_name}
    payload.pop("given_name", None)
    payload.pop("family_name", None)
    payload.pop("patronymic_name", None)
    data = DiplomaData.model_validate(payload)
    return build_diploma_credential(data, issuer=ISSUER, credential_id="urn:uuid:" + "0" * 32)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(en=names, kk=names)
def test_signing_is_deterministic_and_verifies(en: str, kk: str) -> None:
    unsigned = diploma_for({"en": en, "kk": kk})
    first = add_proof(unsigned, SIGNER, created=CREATED)
    second = add_proof(unsigned, SIGNER, created=CREATED)
    assert first == second  # Ed25519: same key and message, same signature
    assert first["proof"]["proofValue"] == second["proof"]["proofValue"]
    assert "proof" not in unsigned  # the caller's document is not modified

    assert verify_proof(first, SIGNER.public_key)
    # What a verifier receives is JSON text: ASCII-escaped or raw UTF-8, parsed strictly.
    for text in (json.dumps(first), json.dumps(first, ensure_ascii=False)):
        received = strict_json.loads(text)
        assert received == first
        assert verify_proof(received, SIGNER.public_key)
    report = verify_credential(
        first,
        resolver=DidKeyResolver(),
        trust=StaticTrustPolicy([ISSUER_DID]),
        now=NOW,
        policy=AUTHENTICITY_POLICY,
    )
    signature = next(c for c in report.checks if c.name is CheckName.PROOF_SIGNATURE)
    assert signature.code == "verified"
    assert report.verdict is Verdict.VALID, report.to_json()

    # And the name is signed: another name does not verify with this proof.
    other = diploma_for({"en": en + "\u200b", "kk": kk})
    assert not verify_proof({**other, "proof": first["proof"]}, SIGNER.public_key)
