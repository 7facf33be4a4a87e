"""Issuance is all-or-nothing: a failure anywhere in a batch leaves no diploma behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from diploma_exchange.credentials import sample_diploma_data
from diploma_exchange.db.models import BatchRecord, CredentialRecord
from diploma_exchange.errors import Conflict, Forbidden, InvalidCredential
from diploma_exchange.services import institutions, issuance
from diploma_exchange.services.verification import verify
from helpers import ExplodingSigner


def _count(engine: Any, table: Any) -> int:
    with Session(engine) as s:
        return int(s.exec(select(func.count()).select_from(table)).one())


def test_crash_mid_batch_leaves_nothing(engine: Any, settings: Any, kaznu: Any) -> None:
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, "kaznu")
        principal = institutions.Principal("institution", "t", record)
        signer = ExplodingSigner(institutions.signer_for(s, settings, record), ok=5)
        with pytest.raises(RuntimeError):
            try:
                issuance.issue_diplomas(
                    s,
                    settings,
                    principal,
                    [sample_diploma_data(i) for i in range(10)],
                    signer=signer,  # type: ignore[arg-type]
                )
                s.commit()
            except BaseException:
                s.rollback()
                raise
    assert _count(engine, CredentialRecord) == 0
    assert _count(engine, BatchRecord) == 0


def test_issued_diploma_verifies_through_the_service(
    engine: Any, settings: Any, kaznu: Any
) -> None:
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, "kaznu")
        principal = institutions.Principal("institution", "t", record)
        batch = issuance.issue_diplomas(s, settings, principal, [sample_diploma_data(7)])
        s.commit()
        report = verify(s, settings, batch.credentials[0])
    assert report.valid, report.to_json()


def test_admin_principal_cannot_issue(engine: Any, settings: Any) -> None:
    with Session(engine) as s, pytest.raises(Forbidden):
        issuance.issue_diplomas(
            s, settings, institutions.Principal("admin", "t"), [sample_diploma_data(0)]
        )


def test_issuer_is_never_overwritten(engine: Any, settings: Any, kaznu: Any, enu: Any) -> None:
    with Session(engine, expire_on_commit=False) as s:
        kaznu_rec = institutions.get_institution(s, "kaznu")
        enu_rec = institutions.get_institution(s, "enu")
        batch = issuance.issue_diplomas(
            s,
            settings,
            institutions.Principal("institution", "t", kaznu_rec),
            [sample_diploma_data(0)],
        )
        unsigned = {k: v for k, v in batch.credentials[0].items() if k not in ("proof", "id")}
        with pytest.raises(InvalidCredential) as info:
            issuance.issue_credentials(
                s, settings, institutions.Principal("institution", "t", enu_rec), [unsigned]
            )
    assert any(
        d.code == "issuer-mismatch" and d.pointer == "/issuer/id" for d in info.value.details
    )


def test_idempotency_conflict(engine: Any, settings: Any, kaznu: Any) -> None:
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, "kaznu")
        principal = institutions.Principal("institution", "t", record)
        first = issuance.issue_diplomas(
            s, settings, principal, [sample_diploma_data(0)], idempotency_key="k1"
        )
        s.commit()
        again = issuance.issue_diplomas(
            s, settings, principal, [sample_diploma_data(0)], idempotency_key="k1"
        )
        assert again.replayed and again.credentials == first.credentials
        with pytest.raises(Conflict):
            issuance.issue_diplomas(
                s, settings, principal, [sample_diploma_data(1)], idempotency_key="k1"
            )
    assert _count(engine, CredentialRecord) == 1


def test_private_keys_are_stored_encrypted_only(engine: Any, settings: Any, kaznu: Any) -> None:
    from diploma_exchange.db.models import InstitutionKeyRecord
    from diploma_exchange.proofs import keys

    with Session(engine) as s:
        rows = s.exec(select(InstitutionKeyRecord)).all()
    assert rows
    for row in rows:
        assert row.encrypted_private_key is not None
        assert row.encrypted_private_key.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        keys.load_private_key(row.encrypted_private_key, b"test-passphrase")
