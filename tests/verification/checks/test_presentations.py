"""verifier.py, Data Integrity presentations: VC Data Model 2.0 §4.13 makes ``holder`` and
``verifiableCredential`` optional. A policy that allows it (the VC-API verifyPresentation)
verifies a presentation that names no holder by its proof (purpose ``authentication``, the
expected challenge and domain) with a warning, and one of no credential as a DID
authentication; this service's own policies still refuse both."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from diploma_exchange.proofs import suites
from diploma_exchange.verification import Lookups, Verifier
from diploma_exchange.verification.lookups import StaticTrustPolicy
from diploma_exchange.verification.report import (
    CheckName,
    CheckStatus,
    Verdict,
    VerificationPolicy,
    VerificationReport,
)
from diploma_exchange.verification.verifier import Expectations
from verification.checks.fakes import NOW, SIGNED_AT, DidKeyOnly, Issuer, new_issuer, signed

V2 = "https://www.w3.org/ns/credentials/v2"
#: What the VC-API asks for by default (no business rules), strict as this service is ...
STRICT = VerificationPolicy("vc-api", frozenset())
#: ... and as VC Data Model 2.0 allows (the VC-API's /presentations/verify).
OPTIONAL_HOLDER = replace(STRICT, require_holder=False, require_credentials=False)
EXPECT = Expectations(audience="verifier.example", nonce="c-123")


def present(
    signer: Issuer,
    credentials: list[dict[str, Any]] | None,
    *,
    holder: str | None = None,
    purpose: str = "authentication",
    challenge: str = "c-123",
    domain: str = "verifier.example",
) -> dict[str, Any]:
    presentation: dict[str, Any] = {"@context": [V2], "type": ["VerifiablePresentation"]}
    if holder is not None:
        presentation["holder"] = holder
    if credentials is not None:
        presentation["verifiableCredential"] = credentials
    return suites.add_proof(
        presentation,
        "eddsa-rdfc-2022",
        signer.signer,
        created=SIGNED_AT,
        proof_purpose=purpose,
        extra_options={"challenge": challenge, "domain": domain},
    )


def verify(
    presentation: dict[str, Any],
    policy: VerificationPolicy = OPTIONAL_HOLDER,
    expect: Expectations = EXPECT,
) -> VerificationReport:
    verifier = Verifier(Lookups(resolver=DidKeyOnly(), trust=StaticTrustPolicy(())))
    return verifier.verify(presentation, policy=policy, now=NOW, expect=expect)


def status(report: VerificationReport, name: CheckName) -> str:
    check = report.check(name)
    assert check is not None, report.to_json()
    return f"{check.status.value}:{check.code}"


def test_a_holderless_presentation_is_verified_by_its_proof_with_a_warning() -> None:
    issuer, signer = new_issuer(), new_issuer()
    report = verify(present(signer, [signed(issuer)]))
    assert report.verdict is Verdict.VALID, report.to_json()
    binding = report.check(CheckName.PROOF_KEY_BINDING)
    assert binding is not None and binding.status is CheckStatus.PASSED
    # the warning survives the sum with the credential's own key binding
    assert binding.warning is not None and "no holder binding" in binding.warning
    assert status(report, CheckName.PROOF_HOLDER_BINDING) == "passed:holder-bound"


def test_this_services_policy_still_refuses_a_holderless_presentation() -> None:
    issuer, signer = new_issuer(), new_issuer()
    report = verify(present(signer, [signed(issuer)]), policy=STRICT)
    assert report.verdict is Verdict.INVALID
    assert status(report, CheckName.PROOF_KEY_BINDING) == "failed:missing-holder"


def test_a_presentation_with_a_holder_has_no_warning() -> None:
    issuer, holder = new_issuer(), new_issuer()
    report = verify(present(holder, [signed(issuer)], holder=holder.did))
    assert report.verdict is Verdict.VALID, report.to_json()
    assert all(c.warning is None for c in report.checks)


def test_a_tampered_holderless_presentation_is_invalid() -> None:
    issuer, signer = new_issuer(), new_issuer()
    presentation = present(signer, [signed(issuer)])
    tampered = copy.deepcopy(presentation)
    tampered["id"] = "urn:uuid:added-after-signing"
    report = verify(tampered)
    assert report.verdict is Verdict.INVALID
    assert status(report, CheckName.PROOF_SIGNATURE).startswith("failed:")


@pytest.mark.parametrize(
    ("expect", "code"),
    [
        (Expectations(audience="verifier.example", nonce="another"), "wrong-nonce"),
        (Expectations(audience="elsewhere.example", nonce="c-123"), "wrong-audience"),
    ],
)
def test_a_holderless_presentation_for_another_request_is_invalid(
    expect: Expectations, code: str
) -> None:
    issuer, signer = new_issuer(), new_issuer()
    report = verify(present(signer, [signed(issuer)]), expect=expect)
    assert report.verdict is Verdict.INVALID
    assert status(report, CheckName.PROOF_HOLDER_BINDING) == f"failed:{code}"


def test_a_holderless_presentation_must_be_an_authentication() -> None:
    issuer, signer = new_issuer(), new_issuer()
    report = verify(present(signer, [signed(issuer)], purpose="assertionMethod"))
    assert report.verdict is Verdict.INVALID
    assert status(report, CheckName.PROOF_KEY_BINDING) == "failed:wrong-proof-purpose"


def test_a_presentation_of_no_credential_is_a_did_authentication() -> None:
    signer = new_issuer()
    report = verify(present(signer, None))
    assert report.verdict is Verdict.VALID, report.to_json()
    assert status(report, CheckName.PRESENTATION_CREDENTIALS) == "passed:did-authentication"
    strict = verify(present(signer, None, holder=signer.did), policy=STRICT)
    assert strict.verdict is Verdict.INDETERMINATE
    assert status(strict, CheckName.PRESENTATION_CREDENTIALS) == "error:no-credentials"


def test_an_unsigned_presentation_of_no_credential_proves_nothing() -> None:
    report = verify({"@context": [V2], "type": ["VerifiablePresentation"]})
    assert report.verdict is not Verdict.VALID
    assert status(report, CheckName.PROOF_SIGNATURE) == "skipped:unsigned-presentation"


def test_a_did_authentication_with_the_wrong_challenge_is_invalid() -> None:
    report = verify(present(new_issuer(), None, challenge="old"))
    assert report.verdict is Verdict.INVALID
    assert status(report, CheckName.PROOF_HOLDER_BINDING) == "failed:wrong-nonce"


def test_credentials_not_read_are_not_a_did_authentication() -> None:
    # a presentation inside a presentation: its credentials are not opened (one level)
    issuer, signer = new_issuer(), new_issuer()
    inner = present(signer, [signed(issuer)])
    report = verify(present(signer, [inner]))
    assert report.verdict is not Verdict.VALID
    credentials = report.presented[0].check(CheckName.PRESENTATION_CREDENTIALS)
    assert credentials is not None and credentials.code == "no-credentials"
