"""Proofs travel with the diploma (issue 17): the PDF carries the diploma's log bundle beside
the signed credential, and the verifier uses it as offline evidence for ``issuance.log``
without ever letting a bundle vouch for a credential it is not about."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.credentials import sample_diploma_data
from diploma_exchange.db.models import CredentialRecord
from diploma_exchange.documents.extract import extract_credential_from_pdf
from diploma_exchange.documents.pdf import render_diploma_pdf
from diploma_exchange.errors import ServiceUnavailable
from diploma_exchange.proofs import eddsa_jcs_2022
from diploma_exchange.proofs.secured import first_proof, secured_digest
from diploma_exchange.services import documents, institutions, issuance, verification
from diploma_exchange.services.log_evidence import LogEvidenceSource
from diploma_exchange.transparency.bundle import LogBundle, LogStatus
from diploma_exchange.verification import VerificationReport

NOW = datetime(2026, 7, 1, tzinfo=UTC)


def _issue(engine: Engine, settings: Settings, i: int = 0) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as session:
        principal = institutions.Principal(
            "institution", "test", institutions.get_institution(session, "kaznu")
        )
        batch = issuance.issue_diplomas(session, settings, principal, [sample_diploma_data(i)])
        session.commit()
    return batch.credentials[0]


def _bundle(engine: Engine, settings: Settings, credential: dict[str, Any]) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as session:
        record = session.get(CredentialRecord, credential["id"])
        assert record is not None
        bundle = documents.log_bundle(session, settings, record)
        session.commit()
    return bundle


def _forged(engine: Engine, settings: Settings, credential: dict[str, Any]) -> dict[str, Any]:
    """Signed with the institution's own key, but not through the service (a stolen key):
    a valid signature the log has never seen."""
    with Session(engine) as session:
        signer = institutions.signer_for(
            session, settings, institutions.get_institution(session, "kaznu")
        )
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["id"] = "urn:uuid:00000000-0000-4000-8000-00000000f0f0"
    return eddsa_jcs_2022.add_proof(unsigned, signer, created=datetime.now(UTC))


def _pdf(credential: dict[str, Any], bundle: dict[str, Any] | None) -> bytes:
    return render_diploma_pdf(
        credential, verification_url=None, generated_at=NOW, log_bundle=bundle
    )


def _verify(engine: Engine, settings: Settings, pdf: bytes) -> VerificationReport:
    received = verification.read_input(settings, pdf)
    assert isinstance(received, verification.PdfCredential)
    with Session(engine, expire_on_commit=False) as session:
        return verification.verify(session, settings, received)


def _log_check(report: VerificationReport) -> Any:
    (check,) = [c for c in report.checks if c.name.value == "issuance.log"]
    return check


def test_the_pdf_carries_the_bundle_beside_the_unchanged_credential(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    credential = _issue(engine, settings)
    bundle = _bundle(engine, settings, credential)
    extracted = extract_credential_from_pdf(_pdf(credential, bundle))
    assert extracted.credential == credential  # never modified
    assert extracted.filename == "credential.json"
    assert extracted.log_bundle == bundle
    parsed = LogBundle.from_json(extracted.log_bundle)
    assert extracted.log_bundle["format"] == "dx-log-bundle/v1"
    digest = secured_digest(credential)
    assert any(digest.encode() in entry.data for entry in parsed.entries)


def test_a_pdf_with_its_bundle_verifies_with_the_log_check_passed(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    credential = _issue(engine, settings)
    report = _verify(engine, settings, _pdf(credential, _bundle(engine, settings, credential)))
    assert report.verdict.value == "valid", report.to_json()
    assert _log_check(report).status.value == "passed"


def test_a_stripped_bundle_still_verifies_online(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    credential = _issue(engine, settings)
    received = verification.read_input(settings, _pdf(credential, None))
    assert isinstance(received, verification.PdfCredential)
    assert received.log_bundle is None
    report = _verify(engine, settings, _pdf(credential, None))
    assert report.verdict.value == "valid"
    assert _log_check(report).code == "log.included"


def test_a_bundle_for_another_diploma_does_not_make_a_forgery_valid(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    genuine = _issue(engine, settings)
    forged = _forged(engine, settings, genuine)
    report = _verify(engine, settings, _pdf(forged, _bundle(engine, settings, genuine)))
    assert report.verdict.value == "invalid"
    check = _log_check(report)
    assert check.status.value == "failed" and check.code == "log.not-included"


def test_a_bundle_for_another_diploma_does_not_fail_an_authentic_one(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    first = _issue(engine, settings, 0)
    second = _issue(engine, settings, 1)
    report = _verify(engine, settings, _pdf(first, _bundle(engine, settings, second)))
    assert report.verdict.value == "valid"
    assert _log_check(report).code == "log.included"


class _Unreachable(LogEvidenceSource):
    """The logs cannot be asked (a verifier offline): only the bundle can answer."""

    def check(self, *, issuer: str, verification_method: str, digest: str) -> Any:
        raise ServiceUnavailable("offline")


def _offline_verdict(
    engine: Engine, settings: Settings, credential: dict[str, Any], bundle: dict[str, Any]
) -> Any:
    with Session(engine) as session:
        source = _Unreachable(session, settings).with_bundle(bundle)
        return source.check(
            issuer=credential["issuer"]["id"],
            verification_method=first_proof(credential)["verificationMethod"],
            digest=secured_digest(credential),
        )


def test_offline_the_bundle_alone_proves_inclusion(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    credential = _issue(engine, settings)
    bundle = _bundle(engine, settings, credential)
    extracted = extract_credential_from_pdf(_pdf(credential, bundle))
    assert extracted.log_bundle is not None
    verdict = _offline_verdict(engine, settings, credential, extracted.log_bundle)
    assert verdict.status is LogStatus.PASSED and verdict.code == "log.included"


def test_offline_a_bundle_for_another_diploma_or_a_damaged_one_proves_nothing(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    genuine = _issue(engine, settings)
    bundle = _bundle(engine, settings, genuine)
    forged = _forged(engine, settings, genuine)
    verdict = _offline_verdict(engine, settings, forged, bundle)
    assert verdict.status is LogStatus.INDETERMINATE  # never passed
    damaged = copy.deepcopy(bundle)
    damaged["checkpoint"] = damaged["checkpoint"].replace("\n", "\n\n", 1)
    verdict = _offline_verdict(engine, settings, genuine, damaged)
    assert verdict.status is LogStatus.INDETERMINATE


def test_a_damaged_bundle_attachment_is_ignored_not_a_broken_pdf(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    credential = _issue(engine, settings)
    pdf = _pdf(credential, {"format": "dx-log-bundle/v1", "pad": "X" * 64})
    broken = pdf.replace(b'"pad": "' + b"X" * 64, b'"pad": "' + b"X" * 63 + b"\x00")
    assert broken != pdf
    extracted = extract_credential_from_pdf(broken)
    assert extracted.credential == credential
    assert extracted.log_bundle is None  # checksum no longer matches: treated as absent
    assert json.dumps(extracted.credential)
