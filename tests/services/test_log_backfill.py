"""Migration 0008 logs what was issued before the log existed: every diploma, key event and
status change, in time order, so that earlier diplomas are not reported missing."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlmodel import Session, select

from diploma_exchange.config import Settings
from diploma_exchange.credentials import sample_diploma_data
from diploma_exchange.db.engine import MIGRATIONS_DIR, make_engine, upgrade
from diploma_exchange.db.models import LogLeafRecord
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.services import institutions, issuance, status, transparency
from diploma_exchange.transparency.entries import parse_entry


def _alembic(engine: object, action: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:  # type: ignore[attr-defined]
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def test_the_migration_logs_what_was_issued_before(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    settings = Settings(
        environment="test",
        database_url=url,
        public_base_url="https://diplomas.example.kz",
        key_passphrase="test-passphrase",  # type: ignore[arg-type]
        log_checkpoint_interval_seconds=0,
    )
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        institutions.register_institution(session, settings, slug="nic", name="NIC", kind="nic")
        uni, _ = institutions.register_institution(session, settings, slug="uni", name="Uni")
        principal = institutions.Principal("institution", "test", uni)
        issued = issuance.issue_diplomas(
            session, settings, principal, [sample_diploma_data(0), sample_diploma_data(1)]
        ).credentials
        session.commit()
        status.change_status(
            session, settings, principal, issued[0]["id"], "revoke", reason_code="other"
        )
        institutions.rotate_key(session, settings, uni)
        session.commit()
    # The same history as a database from before the log: tables dropped, then migrated.
    _alembic(engine, "downgrade", "0007")
    _alembic(engine, "upgrade", "head")
    with Session(engine, expire_on_commit=False) as session:
        leaves = session.exec(select(LogLeafRecord).order_by(LogLeafRecord.idx)).all()
        kinds = [(leaf.kind, parse_entry(leaf.data).type) for leaf in leaves]
        assert [k for k, _ in kinds].count("issuance") == 2
        assert [k for k, _ in kinds].count("status") == 1
        assert [leaf.idx for leaf in leaves] == list(range(len(leaves)))
        events = [parse_entry(leaf.data) for leaf in leaves if leaf.kind == "key"]
        assert [e.event for e in events][:1] == ["added"]  # type: ignore[union-attr]
        for credential in issued:
            verdict = transparency.local_verdict(
                session,
                settings,
                issuer=credential["issuer"]["id"],
                verification_method=credential["proof"][0]["verificationMethod"],
                digest=secured_digest(credential),
            )
            assert verdict.code == "log.included", verdict
        record = transparency.publish_checkpoint(session, settings)
        session.commit()
        assert record.size == len(leaves) == transparency.sequenced_size(session)
    engine.dispose()
