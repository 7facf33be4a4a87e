"""What one verification reads from the database, and that it reads it afresh.

A verification asks for the issuer several times (DID document, key windows of the proof's
key and of each status list's signing key, trust, accreditation): each row is read once per
verification (per request's session), never once per question. Nothing is kept between
verifications: a revocation or an accreditation withdrawal made through the service is seen
by the very next verification, from another engine (another worker process) too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.credentials import sample_diploma_data
from diploma_exchange.db.engine import make_engine
from diploma_exchange.services import institutions, issuance, status, trust
from diploma_exchange.services.verification import verify


def _issue(engine: Engine, settings: Settings, slug: str, i: int = 0) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, slug)
        principal = institutions.Principal("institution", "t", record)
        batch = issuance.issue_diplomas(s, settings, principal, [sample_diploma_data(i)])
        s.commit()
    credential: dict[str, Any] = batch.credentials[0]
    return credential


def _checks(engine: Engine, settings: Settings, credential: dict[str, Any]) -> dict[str, str]:
    with Session(engine) as s:
        report = verify(s, settings, credential).to_json()
    return {c["name"]: c["status"] for c in report["checks"]}


@contextmanager
def _tables_read(engine: Engine) -> Iterator[Counter[str]]:
    """How many statements read each table (by the first table after FROM)."""
    seen: Counter[str] = Counter()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.split()
        if words and words[0].upper() == "SELECT" and "FROM" in words:
            seen[words[words.index("FROM") + 1].strip('"')] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("proofs", ["proof set", "jcs only"])
def test_one_verification_reads_each_row_of_the_issuer_once(
    engine: Engine, settings: Settings, kaznu: Tenant, proofs: str
) -> None:
    credential = _issue(engine, settings, "kaznu")
    if proofs == "jcs only":
        credential = {**credential, "proof": credential["proof"][0]}
    _checks(engine, settings, credential)  # warm: status lists re-signed if needed
    with _tables_read(engine) as seen:
        checks = _checks(engine, settings, credential)
    assert checks["proof.signature"] == "passed"
    assert checks["key.validity"] == "passed"
    assert checks["status.revocation"] == "passed"
    # Asked 4 to 11 times per verification before: the institution by DID, its keys and its
    # key event log (replayed for the proof's key and each status list's signing key).
    assert seen["institution"] == 1
    assert seen["institution_key"] == 1
    assert seen["key_event"] == 1
    assert seen["accreditation"] == 1


@pytest.fixture
def second_engine(settings: Settings, engine: Engine) -> Iterator[Engine]:
    """An engine of its own on the same database: what another worker process has."""
    other = make_engine(settings.database_url)
    yield other
    other.dispose()


def test_a_revocation_is_seen_by_the_next_verification_everywhere(
    engine: Engine, second_engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    credential = _issue(engine, settings, "kaznu")
    for where in (engine, second_engine):
        assert _checks(where, settings, credential)["status.revocation"] == "passed"
    with Session(engine, expire_on_commit=False) as s:
        principal = institutions.Principal(
            "institution", "t", institutions.get_institution(s, "kaznu")
        )
        status.change_status(
            s, settings, principal, credential["id"], "revoke", reason_code="other"
        )
        s.commit()
    for where in (second_engine, engine):
        assert _checks(where, settings, credential)["status.revocation"] == "failed"


def test_an_accreditation_withdrawal_is_seen_by_the_next_verification_everywhere(
    engine: Engine, second_engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    credential = _issue(engine, settings, "kaznu")
    for where in (engine, second_engine):
        assert _checks(where, settings, credential)["issuer.accreditation"] == "passed"
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, "kaznu")
        trust.withdraw(
            s,
            settings,
            record,
            at=datetime(2016, 1, 1, tzinfo=UTC),
            reason="test: withdrawn before the diploma was issued",
        )
        s.commit()
    for where in (second_engine, engine):
        assert _checks(where, settings, credential)["issuer.accreditation"] != "passed"


def test_a_rotated_key_is_seen_by_the_next_verification_everywhere(
    engine: Engine, second_engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    """A key rotated (through the service) in one process: the next verification in another
    resolves the new DID document, whose new key signs what is issued next."""
    first = _issue(engine, settings, "kaznu")
    assert _checks(second_engine, settings, first)["proof.signature"] == "passed"
    with Session(engine, expire_on_commit=False) as s:
        record = institutions.get_institution(s, "kaznu")
        institutions.rotate_key(s, settings, record)
        s.commit()
    second = _issue(engine, settings, "kaznu", 1)
    assert second["proof"][0]["verificationMethod"] != first["proof"][0]["verificationMethod"]
    for where in (second_engine, engine):
        checks = _checks(where, settings, second)
        assert checks["proof.signature"] == "passed"
        assert checks["proof.key-binding"] == "passed"
        assert checks["key.validity"] == "passed"
        assert _checks(where, settings, first)["proof.signature"] == "passed"
