"""Issued diplomas carry a proof set (eddsa-jcs-2022 + eddsa-rdfc-2022, issue 14) whose
digest rules stay those of a single proof: the register and the transparency log name the
credential with its first proof alone, the verifier finds it there, and every proof must
verify."""

from __future__ import annotations

import copy
from typing import Any

from sqlmodel import Session

from diploma_exchange.config import Settings
from diploma_exchange.credentials import sample_diploma_data
from diploma_exchange.db.models import CredentialRecord
from diploma_exchange.proofs.multibase import decode_base58btc, encode_base58btc
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.services import institutions, issuance
from diploma_exchange.services.verification import verify


def _issue(engine: Any, settings: Settings, i: int = 3) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, "kaznu")
        principal = institutions.Principal("institution", "t", record)
        batch = issuance.issue_diplomas(s, settings, principal, [sample_diploma_data(i)])
        s.commit()
    credential: dict[str, Any] = batch.credentials[0]
    return credential


def _checks(engine: Any, settings: Settings, credential: dict[str, Any]) -> dict[str, str]:
    with Session(engine, expire_on_commit=False) as s:
        report = verify(s, settings, credential).to_json()
    return {c["name"]: c["status"] for c in report["checks"]}


def test_register_digest_is_the_credential_with_its_first_proof_alone(
    engine: Any, settings: Settings, kaznu: Any
) -> None:
    credential = _issue(engine, settings)
    jcs, rdfc = credential["proof"]
    assert (jcs["cryptosuite"], rdfc["cryptosuite"]) == ("eddsa-jcs-2022", "eddsa-rdfc-2022")
    alone = {**credential, "proof": jcs}
    with Session(engine) as s:
        row = s.get(CredentialRecord, credential["id"])
        assert row is not None
        assert row.secured_digest == secured_digest(alone) == secured_digest(credential)
        assert row.secured_digest != secured_digest(credential, rdfc)
    assert _checks(engine, settings, credential)["issuance.record"] == "passed"


def test_every_proof_of_the_set_must_verify(engine: Any, settings: Settings, kaznu: Any) -> None:
    credential = _issue(engine, settings, 4)
    assert _checks(engine, settings, credential)["proof.signature"] == "passed"
    broken = copy.deepcopy(credential)
    signature = bytearray(decode_base58btc(broken["proof"][1]["proofValue"]))
    signature[0] ^= 1
    broken["proof"][1]["proofValue"] = encode_base58btc(bytes(signature))
    assert _checks(engine, settings, broken)["proof.signature"] == "failed"


def test_the_setting_off_issues_the_jcs_proof_alone(
    engine: Any, settings: Settings, kaznu: Any
) -> None:
    jcs_only = settings.model_copy(update={"issue_rdfc_proof": False})
    credential = _issue(engine, jcs_only, 5)
    assert isinstance(credential["proof"], dict)
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert _checks(engine, settings, credential)["issuance.record"] == "passed"
