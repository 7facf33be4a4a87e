"""Accreditation at the issue date, this NIC's trust list, partner NICs' trust lists, and
verification policies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from conftest import Tenant
from diploma_exchange.credentials import (
    IssuerProfile,
    build_diploma_credential,
    sample_diploma_data,
)
from diploma_exchange.dids.did_web import VerificationKey, build_did_document
from diploma_exchange.proofs import eddsa_jcs_2022, keys
from diploma_exchange.services import institutions
from diploma_exchange.trust.accreditation import (
    AccreditationRecord,
    Scope,
    build_accreditation_credential,
)
from diploma_exchange.trust.trust_list import build_trust_list
from helpers import diploma_payload

NOW = datetime.now(UTC).replace(microsecond=0)


def admin(admin_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_key}"}


def verify(
    client: TestClient, credential: dict[str, Any], policy: str | None = None
) -> tuple[str, dict[str, dict[str, Any]]]:
    url = "/v1/verifications" + (f"?policy={policy}" if policy else "")
    response = client.post(url, json=credential)
    assert response.status_code == 200, response.text
    report = response.json()
    return report["verdict"], {c["name"]: c for c in report["checks"]}


def issue(client: TestClient, tenant: Tenant, i: int = 0) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(i), headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def backdated(
    engine: Any, settings: Any, slug: str, credential: dict[str, Any], when: datetime
) -> dict[str, Any]:
    """The same diploma as if issued at ``when`` (validFrom and proof.created), re-signed by the
    institution's key, to test accreditation at the issue date."""
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["validFrom"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    with Session(engine) as s:
        signer = institutions.signer_for(s, settings, institutions.get_institution(s, slug))
    return eddsa_jcs_2022.add_proof(unsigned, signer, created=min(when, NOW))


def test_accredited_issuer_passes_with_the_record(client: TestClient, kaznu: Tenant) -> None:
    verdict, checks = verify(client, issue(client, kaznu))
    assert verdict == "valid"
    assert checks["issuer.accreditation"]["status"] == "passed"
    assert checks["issuer.accreditation"]["details"]["record"].startswith("urn:uuid:")
    history = client.get("/v1/institutions/kaznu/accreditations").json()
    assert [r["credentialSubject"]["accreditationStatus"] for r in history] == ["accredited"]
    assert history[0]["issuer"] == client.get("/.well-known/did.json").json()["id"]


def test_unaccredited_issuer_is_indeterminate_under_default_but_valid_for_authenticity(
    client: TestClient, engine: Any, settings: Any, nic: str
) -> None:
    from conftest import _tenant

    newcomer = _tenant(engine, settings, "newcomer", "Newcomer University", accredited=False)
    credential = issue(client, newcomer)
    verdict, checks = verify(client, credential)
    assert verdict == "indeterminate"
    assert checks["issuer.accreditation"]["status"] == "error"
    assert checks["issuer.accreditation"]["mandatory"] is True
    verdict, checks = verify(client, credential, policy="authenticity")
    assert verdict == "valid"
    assert checks["issuer.accreditation"]["mandatory"] is False
    bad = client.post("/v1/verifications?policy=lenient", json=credential)
    assert bad.status_code == 400 and bad.json()["code"] == "unknown-policy"


def test_withdrawal_splits_diplomas_by_issue_date(
    client: TestClient, kaznu: Tenant, admin_key: str, engine: Any, settings: Any
) -> None:
    credential = issue(client, kaznu)
    withdrawn_at = NOW - timedelta(days=30)
    response = client.post(
        "/v1/institutions/kaznu/accreditations/withdraw",
        json={"withdrawnAt": withdrawn_at.isoformat(), "reason": "failed re-accreditation"},
        headers=admin(admin_key),
    )
    assert response.status_code == 201, response.text
    assert response.json()["credentialSubject"]["accreditationStatus"] == "withdrawn"
    before = backdated(engine, settings, "kaznu", credential, withdrawn_at - timedelta(days=365))
    after = backdated(engine, settings, "kaznu", credential, withdrawn_at + timedelta(days=1))
    verdict, checks = verify(client, before)
    assert checks["issuer.accreditation"]["status"] == "passed", checks["issuer.accreditation"]
    verdict, checks = verify(client, after)
    assert verdict == "invalid"
    assert checks["issuer.accreditation"]["code"] == "accreditation-withdrawn"
    history = client.get("/v1/institutions/kaznu/accreditations").json()
    assert [r["credentialSubject"]["accreditationStatus"] for r in history] == [
        "accredited",
        "withdrawn",
    ]
    assert history[1]["supersedes"] == history[0]["id"]
    again = client.post(
        "/v1/institutions/kaznu/accreditations/withdraw",
        json={"withdrawnAt": NOW.isoformat()},
        headers=admin(admin_key),
    )
    assert again.status_code == 409


def test_scope_limits_levels_and_fields(client: TestClient, kaznu: Tenant, admin_key: str) -> None:
    response = client.post(
        "/v1/institutions/kaznu/accreditations",
        json={
            "accreditingBody": "IQAA",
            "validFrom": "2015-01-01T00:00:00Z",
            "scope": {"iscedLevels": ["6"], "iscedFields": ["06"]},
        },
        headers=admin(admin_key),
    )
    assert response.status_code == 201, response.text
    bachelor_ict = diploma_payload(0)
    assert bachelor_ict["isced_f"].startswith("06") and bachelor_ict["isced_level"].startswith("6")
    ok = client.post("/v1/diplomas", json=bachelor_ict, headers=kaznu.headers).json()[
        "verifiableCredential"
    ]
    assert verify(client, ok)[0] == "valid"
    # another graduate's physics diploma (the same graduate's same programme twice is refused)
    physics = {**bachelor_ict, "isced_f": "0533", "student_id": bachelor_ict["student_id"] + "P"}
    physics.pop("diploma_number", None)
    outside = client.post("/v1/diplomas", json=physics, headers=kaznu.headers)
    assert outside.status_code == 201, outside.text
    verdict, checks = verify(client, outside.json()["verifiableCredential"])
    assert verdict == "invalid"
    assert checks["issuer.accreditation"]["code"] == "outside-accredited-scope"


def test_only_the_nic_admin_accredits(client: TestClient, kaznu: Tenant) -> None:
    response = client.post(
        "/v1/institutions/kaznu/accreditations",
        json={"accreditingBody": "self", "validFrom": "2015-01-01T00:00:00Z"},
        headers=kaznu.headers,
    )
    assert response.status_code == 403


def test_trust_list_is_signed_versioned_and_cacheable(
    client: TestClient, kaznu: Tenant, admin_key: str, nic: str
) -> None:
    first = client.get("/trust-list")
    assert first.status_code == 200
    document = first.json()
    subject = document["credentialSubject"]
    assert document["issuer"] == nic and subject["sequenceNumber"] == 1
    assert [e["id"] for e in subject["trustedEntities"]] == [kaznu.did]
    assert subject["trustedEntities"][0]["accreditations"][0]["issuer"] == nic
    nic_vm = client.get("/.well-known/did.json").json()["verificationMethod"][0]
    assert eddsa_jcs_2022.verify_proof(
        document, keys.public_key_from_multibase(nic_vm["publicKeyMultibase"])
    )
    etag = first.headers["ETag"]
    assert client.get("/trust-list", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/trust-list", headers={"If-None-Match": "W/" + etag}).status_code == 304
    assert client.get("/trust-list").json()["credentialSubject"]["sequenceNumber"] == 1  # unchanged
    client.post(
        "/v1/institutions",
        json={"slug": "satbayev", "name": "Satbayev University"},
        headers=admin(admin_key),
    )
    assert client.get("/trust-list").json()["credentialSubject"]["sequenceNumber"] == 2


# --- a partner country's NIC -----------------------------------------------------------------


class Partner:
    """A partner NIC and one of its universities, built with the domain functions as another
    deployment would: keys, DID documents, an accreditation, a signed trust list."""

    def __init__(self, sequence: int = 5) -> None:
        self.nic_key = keys.generate_private_key()
        self.nic_did = "did:web:nic.partner.example"
        self.nic_signer = keys.Signer(self.nic_key, f"{self.nic_did}#key-1")
        self.uni_key = keys.generate_private_key()
        self.uni_did = "did:web:diplomas.partner.example:institutions:tsu"
        self.uni_signer = keys.Signer(self.uni_key, f"{self.uni_did}#key-1")
        self.sequence = sequence

    @property
    def nic_multibase(self) -> str:
        return keys.public_key_multibase(self.nic_key.public_key())

    def trust_list(
        self, *, status: str = "granted", signer: keys.Signer | None = None
    ) -> dict[str, Any]:
        accreditation = build_accreditation_credential(
            AccreditationRecord(
                id=f"urn:uuid:{uuid.uuid4()}",
                nic=self.nic_did,
                institution=self.uni_did,
                status="accredited",
                scope=Scope(),
                valid_from=datetime(2010, 1, 1, tzinfo=UTC),
                valid_until=None,
                accrediting_body="Partner Quality Agency",
            )
        )
        entity = {
            "id": self.uni_did,
            "type": "TrustedInstitution",
            "name": "Partner State University",
            "addressCountryCode": "UZ",
            "status": status,
            "didDocument": build_did_document(
                self.uni_did,
                [VerificationKey("key-1", keys.public_key_multibase(self.uni_key.public_key()))],
            ),
            "accreditations": [
                eddsa_jcs_2022.add_proof(accreditation, self.nic_signer, created=NOW)
            ],
        }
        unsigned = build_trust_list(
            list_id="https://nic.partner.example/trust-list",
            operator=self.nic_did,
            operator_name="Partner NIC",
            country="UZ",
            sequence_number=self.sequence,
            issued_at=NOW,
            next_update=NOW + timedelta(days=7),
            entities=[entity],
        )
        return eddsa_jcs_2022.add_proof(unsigned, signer or self.nic_signer, created=NOW)

    def diploma(self) -> dict[str, Any]:
        unsigned = build_diploma_credential(
            sample_diploma_data(4),
            issuer=IssuerProfile(
                id=self.uni_did, name="Partner State University", country_code="UZ"
            ),
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            valid_from=NOW - timedelta(days=1),
        )
        return eddsa_jcs_2022.add_proof(unsigned, self.uni_signer, created=NOW - timedelta(days=1))


@pytest.fixture
def partner() -> Partner:
    return Partner()


def add_partner(client: TestClient, admin_key: str, partner: Partner) -> str:
    response = client.post(
        "/v1/partners",
        json={
            "did": partner.nic_did,
            "name": "Partner NIC",
            "countryCode": "UZ",
            "publicKeyMultibase": partner.nic_multibase,
        },
        headers=admin(admin_key),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_partner_diploma_is_valid_only_through_the_imported_list(
    client: TestClient, admin_key: str, nic: str, partner: Partner
) -> None:
    diploma = partner.diploma()
    verdict, checks = verify(client, diploma)
    assert verdict == "indeterminate"  # nobody vouches for it (and its did:web is not reachable)
    partner_id = add_partner(client, admin_key, partner)
    imported = client.post(
        f"/v1/partners/{partner_id}/trust-list", json=partner.trust_list(), headers=admin(admin_key)
    )
    assert imported.status_code == 201, imported.text
    snapshot = imported.json()
    assert snapshot["sequenceNumber"] == 5 and snapshot["fetchedFrom"] == "upload"
    verdict, checks = verify(client, diploma)
    assert verdict == "valid", checks
    trust = checks["issuer.trust"]
    assert trust["code"] == "listed-by-partner"
    assert snapshot["id"] in trust["message"] and partner.nic_did in trust["message"]
    assert checks["issuer.accreditation"]["status"] == "passed"
    # removing the partner removes the trust
    assert client.delete(f"/v1/partners/{partner_id}", headers=admin(admin_key)).status_code == 204
    assert verify(client, diploma)[0] == "indeterminate"


def test_trust_list_imports_are_checked(
    client: TestClient, admin_key: str, nic: str, partner: Partner
) -> None:
    partner_id = add_partner(client, admin_key, partner)
    impostor = keys.Signer(keys.generate_private_key(), f"{partner.nic_did}#key-1")
    forged = client.post(
        f"/v1/partners/{partner_id}/trust-list",
        json=partner.trust_list(signer=impostor),
        headers=admin(admin_key),
    )
    assert forged.status_code == 400 and forged.json()["code"] == "trust-list-signature"
    tampered = partner.trust_list()
    tampered["credentialSubject"]["trustedEntities"][0]["name"] = "Diploma Mill"
    assert (
        client.post(
            f"/v1/partners/{partner_id}/trust-list", json=tampered, headers=admin(admin_key)
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/v1/partners/{partner_id}/trust-list",
            json=partner.trust_list(),
            headers=admin(admin_key),
        ).status_code
        == 201
    )
    partner.sequence = 4
    rollback = client.post(
        f"/v1/partners/{partner_id}/trust-list", json=partner.trust_list(), headers=admin(admin_key)
    )
    assert rollback.status_code == 409 and rollback.json()["code"] == "trust-list-rollback"
    listed = client.get("/v1/partners", headers=admin(admin_key)).json()
    assert [s["sequenceNumber"] for s in listed[0]["snapshots"]] == [5]


def test_withdrawn_entity_on_a_partner_list_is_invalid(
    client: TestClient, admin_key: str, nic: str, partner: Partner
) -> None:
    partner_id = add_partner(client, admin_key, partner)
    client.post(
        f"/v1/partners/{partner_id}/trust-list",
        json=partner.trust_list(status="withdrawn"),
        headers=admin(admin_key),
    )
    verdict, checks = verify(client, partner.diploma())
    assert verdict == "invalid"
    assert checks["issuer.trust"]["code"] == "listed-as-withdrawn"


def test_vc_api_honours_options_checks(client: TestClient, partner: Partner, nic: str) -> None:
    diploma = partner.diploma()  # unknown issuer, unresolvable DID: nothing can be established
    default = client.post("/credentials/verify", json={"verifiableCredential": diploma})
    assert default.status_code == 400 and default.json()["verified"] is False
    # Asking only for the schema does not drop the core (proof, key, dates, status): the
    # signature still cannot be checked, so the credential is not verified.
    only_schema = client.post(
        "/credentials/verify",
        json={"verifiableCredential": diploma, "options": {"checks": ["format.schema"]}},
    )
    assert only_schema.status_code == 400, only_schema.text
    report = only_schema.json()["report"]
    assert report["policy"] == "custom" and report["verdict"] == "indeterminate"
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["format.schema"]["mandatory"] and by_name["proof.signature"]["mandatory"]
    assert by_name["issuer.trust"]["code"] == "not-in-policy"
    unknown = client.post(
        "/credentials/verify",
        json={"verifiableCredential": diploma, "options": {"checks": ["proof.vibes"]}},
    )
    assert unknown.status_code == 400 and unknown.json()["pointer"] == "/options/checks"


def test_partner_management_needs_the_admin(
    client: TestClient, kaznu: Tenant, partner: Partner
) -> None:
    body = {
        "did": partner.nic_did,
        "name": "x",
        "countryCode": "UZ",
        "publicKeyMultibase": partner.nic_multibase,
    }
    assert client.post("/v1/partners", json=body, headers=kaznu.headers).status_code == 403
    assert client.post("/v1/partners", json=body).status_code == 401
