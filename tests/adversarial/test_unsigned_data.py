"""Finding 2 of issue 12 and beyond: nothing outside the signature changes what the checks read.

eddsa-jcs-2022 (like every Data Integrity suite) lets anyone append @context entries after the
signed ones; the checks read the secured document, and appended entries that change a term's
meaning make the credential invalid. VC 1.1/2.0 mixtures have no well-defined validity period.
For RDF-signed credentials, JSON that hides a signed property under another key is invalid.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from adversarial.support import alumni, by_name, did_key_signer, issue, resign, verify
from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.services import verification
from diploma_exchange.verification import StaticTrustPolicy, verify_credential
from diploma_exchange.verification.report import AUTHENTICITY_POLICY


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Diplomas with the eddsa-jcs-2022 proof alone: these tests build on a one-proof diploma
    (contexts appended after an eddsa-jcs-2022 proof's are legal and unsigned; an eddsa-rdfc-2022 proof signs them, so appending any breaks it). The default proof set (with eddsa-rdfc-2022) is covered by
    tests/services/test_proof_set_issuance.py and tests/interop."""
    return settings.model_copy(update={"issue_rdfc_proof": False})


V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"


def verify_at(
    engine: Engine, settings: Settings, credential: dict[str, Any], now: datetime
) -> dict[str, Any]:
    with Session(engine) as s:
        return verification.verify(s, settings, credential, now=now).to_json()


def with_contexts(credential: dict[str, Any], *extra: Any) -> dict[str, Any]:
    out = copy.deepcopy(credential)
    out["@context"] = [*out["@context"], *extra]
    return out


def test_an_expired_diploma_stays_expired_with_the_vc_1_1_context_appended(
    client: TestClient, kaznu: Tenant, engine: Engine, settings: Settings
) -> None:
    valid_until = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    diploma = issue(client, kaznu, valid_until=valid_until)
    later = datetime.now(UTC) + timedelta(days=30)
    assert verify_at(engine, settings, diploma, later)["verdict"] == "invalid"
    # The attack: a VC 1.1 reader would look for expirationDate and find none.
    attacked = with_contexts(diploma, V1)
    report = verify_at(engine, settings, attacked, later)
    assert report["verdict"] == "invalid"
    checks = by_name(report)
    assert checks["proof.signature"] == ("passed", "verified")  # the suite allows appending
    assert checks["proof.coverage"] == ("failed", "unsigned-context")
    assert checks["validity.period"] == ("failed", "expired")  # read from the signed data


@pytest.mark.parametrize(
    "appended",
    [
        {"sneaky": "https://evil.example/vocab#sneaky"},  # defines an unused term
        # would give meaning to undefined keys, but a JCS-signed document has none that are
        # unsigned (adding one breaks the signature)
        {"@vocab": "https://evil.example/vocab#"},
        "https://w3id.org/security/data-integrity/v2",  # a bundled context, no new meaning
    ],
)
def test_appended_contexts_that_change_nothing_are_ignored(
    client: TestClient, kaznu: Tenant, appended: Any
) -> None:
    report = verify(client, with_contexts(issue(client, kaznu), appended))
    assert report["verdict"] == "valid", by_name(report)
    coverage = next(c for c in report["checks"] if c["name"] == "proof.coverage")
    assert coverage["status"] == "passed" and "ignored" in coverage["message"]


@pytest.mark.parametrize(
    "appended",
    [
        {"name": {"@id": "https://evil.example/name"}},  # redefines a signed term
        V1,  # the VC 1.1 base context: its terms clash with 2.0's
        "https://example.invalid/unknown-context",  # could mean anything
    ],
)
def test_appended_contexts_that_could_change_meaning_are_invalid(
    client: TestClient, kaznu: Tenant, appended: Any
) -> None:
    attacked = with_contexts(issue(client, kaznu), appended)
    report = verify(client, attacked)
    assert report["verdict"] == "invalid", by_name(report)
    assert by_name(report)["proof.coverage"] == ("failed", "unsigned-context")


def test_a_signed_mixture_of_vc_1_1_and_2_0_has_no_validity_period() -> None:
    did, signer = did_key_signer()
    mixed = alumni(did, expirationDate="2001-01-01T00:00:00Z")
    mixed["@context"] = [V2, V1]
    secured = resign(mixed, signer, datetime(2024, 1, 1, tzinfo=UTC))
    from diploma_exchange.dids.did_key import DidKeyResolver

    report = verify_credential(
        secured,
        resolver=DidKeyResolver(),
        trust=StaticTrustPolicy([did]),
        policy=AUTHENTICITY_POLICY,
        now=datetime(2025, 1, 1, tzinfo=UTC),
    ).to_json()
    assert report["verdict"] == "invalid"
    assert by_name(report)["validity.period"] == ("failed", "mixed-data-models")


@pytest.mark.parametrize(
    ("hidden", "iri"),
    [
        ("validUntil", "https://www.w3.org/2018/credentials#validUntil"),
        ("credentialStatus", "https://www.w3.org/2018/credentials#credentialStatus"),
    ],
)
def test_rdf_signed_json_cannot_hide_a_signed_property_under_its_iri(hidden: str, iri: str) -> None:
    """The RDF is the same (so the eddsa-rdfc-2022 signature holds), but a reader of the JSON
    key would miss the expiry or the revocation entry."""
    from diploma_exchange.dids.did_key import DidKeyResolver

    did, signer = did_key_signer()
    credential = alumni(
        did,
        validUntil="2024-06-01T00:00:00Z",
        credentialStatus={
            "id": "https://status.example/lists/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": "https://status.example/lists/1",
        },
    )
    secured = resign(credential, signer, datetime(2024, 1, 1, tzinfo=UTC), "eddsa-rdfc-2022")
    attacked = {k: v for k, v in secured.items() if k != hidden}
    value = secured[hidden]
    if hidden == "validUntil":  # keep the datatype the context gave it: the same RDF literal
        value = {"@value": value, "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
    attacked[iri] = value
    report = verify_credential(
        attacked,
        resolver=DidKeyResolver(),
        trust=StaticTrustPolicy([did]),
        policy=AUTHENTICITY_POLICY,
        now=datetime(2025, 1, 1, tzinfo=UTC),
    ).to_json()
    checks = by_name(report)
    assert checks["proof.signature"] == ("passed", "verified")  # same RDF
    assert checks["proof.coverage"] == ("failed", "json-differs-from-signed-data")
    assert report["verdict"] == "invalid"
