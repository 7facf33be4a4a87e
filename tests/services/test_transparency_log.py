"""The stored log: consecutive numbers under concurrency, nothing logged on rollback, and each
attack the issue names detected: a forked log, a rewritten leaf, a back-dated diploma after
its key's compromise, a missing leaf, a stale checkpoint."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.credentials import sample_diploma_data
from diploma_exchange.db.models import LogLeafRecord, LogTileRecord
from diploma_exchange.errors import Conflict
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.services import institutions, issuance, transparency
from diploma_exchange.transparency import merkle
from diploma_exchange.transparency.bundle import LogStatus, WitnessPolicy, verify_bundle
from diploma_exchange.transparency.checkpoint import Checkpoint, open_checkpoint
from diploma_exchange.transparency.entries import IssuanceEntry, encode_entry
from diploma_exchange.transparency.witness import Outcome, encode_request


def _principal(session: Session, slug: str) -> institutions.Principal:
    record = institutions.get_institution(session, slug)
    return institutions.Principal("institution", "test", record)


def _issue(
    engine: Engine, settings: Settings, slug: str, i: int = 0, **kwargs: Any
) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as session:
        batch = issuance.issue_diplomas(
            session, settings, _principal(session, slug), [sample_diploma_data(i)], **kwargs
        )
        session.commit()
    return batch.credentials[0]


def _publish(engine: Engine, settings: Settings) -> str:
    with Session(engine, expire_on_commit=False) as session:
        record = transparency.publish_checkpoint(session, settings)
        session.commit()
        return record.note


def _verify(engine: Engine, settings: Settings, credential: dict[str, Any]) -> Any:
    with Session(engine, expire_on_commit=False) as session:
        verdict = transparency.verify_local(
            session,
            settings,
            credential_digest=secured_digest(credential),
            issuer=credential["issuer"]["id"],
            verification_method=_first_proof(credential)["verificationMethod"],
        )
        session.commit()
    return verdict


def _first_proof(credential: dict[str, Any]) -> dict[str, Any]:
    """The issuer's proof: the only one, or the first of the service's proof set."""
    proof = credential["proof"]
    first: dict[str, Any] = proof[0] if isinstance(proof, list) else proof
    return first


def _indexes(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(LogLeafRecord.idx).order_by(LogLeafRecord.idx)).all())


def test_concurrent_writers_get_consecutive_numbers(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    before = len(_indexes(engine))
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for round_ in range(5):
                with Session(engine) as session:
                    digests = [f"{worker:02x}{round_:02x}{i:060x}" for i in range(7)]
                    transparency.log_issued(session, kaznu.did, f"{kaznu.did}#key-1", digests)
                    session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert _indexes(engine) == list(range(before + 4 * 5 * 7))  # no gap, no duplicate
    note = _publish(engine, settings)
    assert note.split("\n")[1] == str(before + 140)


def test_a_rolled_back_issuance_logs_nothing(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    before = _indexes(engine)
    with Session(engine) as session:
        issuance.issue_diplomas(
            session, settings, _principal(session, "kaznu"), [sample_diploma_data(0)]
        )
        session.rollback()
    assert _indexes(engine) == before


def test_issued_diploma_is_included_and_a_signature_made_outside_is_not(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    credential = _issue(engine, settings, "kaznu")
    verdict = _verify(engine, settings, credential)
    assert verdict.status is LogStatus.PASSED and verdict.code == "log.included"
    # The same key signs a diploma without the service (a stolen key): valid signature, but
    # it is not in the log.
    with Session(engine) as session:
        signer = institutions.signer_for(
            session, settings, institutions.get_institution(session, "kaznu")
        )
    from diploma_exchange.proofs import eddsa_jcs_2022

    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["id"] = "urn:uuid:00000000-0000-4000-8000-000000000001"
    forged = eddsa_jcs_2022.add_proof(unsigned, signer, created=datetime.now(UTC))
    verdict = _verify(engine, settings, forged)
    assert verdict.status is LogStatus.FAILED and verdict.code == "log.not-included"


def test_a_back_dated_diploma_after_key_compromise_is_invalid(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    honest = _issue(engine, settings, "kaznu", 0)
    with Session(engine, expire_on_commit=False) as session:
        institution = institutions.get_institution(session, "kaznu")
        stolen = institutions.signer_for(session, settings, institution)
        key_id = stolen.verification_method.split("#")[1]
        institutions.compromise_key(
            session,
            settings,
            institution,
            key_id,
            compromised_at=datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2),
        )
        session.commit()
    # An insider (or a stolen API key with the old key material) issues through the service
    # with the compromised key and a date before the compromise.
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    backdated = _issue(engine, settings, "kaznu", 1, signer=stolen, clock=lambda: past)
    assert backdated["proof"][0]["created"].startswith(past.strftime("%Y-%m-%d"))
    verdict = _verify(engine, settings, backdated)
    assert verdict.status is LogStatus.FAILED and verdict.code == "log.after-key-event"
    assert verdict.details["keyEvent"] == "compromised"
    assert _verify(engine, settings, honest).code == "log.included"


def test_a_rewritten_leaf_is_detected(engine: Engine, settings: Settings, kaznu: Tenant) -> None:
    credential = _issue(engine, settings, "kaznu")
    _publish(engine, settings)
    digest = secured_digest(credential)
    with Session(engine) as session:
        leaf = session.exec(select(LogLeafRecord).where(LogLeafRecord.digest == digest)).one()
        index = leaf.idx
        rewritten = encode_entry(
            IssuanceEntry(leaf.logged_at, kaznu.did, f"{kaznu.did}#key-9", digest)
        )
        session.execute(
            update(LogLeafRecord).where(LogLeafRecord.idx == leaf.idx).values(data=rewritten)
        )
        session.commit()
        report, _ = transparency.monitor(session, settings, [kaznu.did], None)
    assert [p.code for p in report.problems] == ["entry-mismatch"]
    assert report.problems[0].index == index
    # The bundle's entry no longer hashes to the tree: the evidence does not verify.
    verdict = _verify(engine, settings, credential)
    assert verdict.status is LogStatus.INDETERMINATE and verdict.code == "log.bad-proof"


def test_a_forked_log_is_detected_by_monitor_and_witness(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    _issue(engine, settings, "kaznu", 0)
    old_note = _publish(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        verifier = transparency.log_verifier(session, settings)
        # This service witnesses its own log here (the protocol is the same for a partner).
        transparency.add_witnessed_log(
            session, origin=settings.effective_log_origin, vkey=verifier.vkey
        )
        first = transparency.witness_add_checkpoint(
            session, settings, encode_request(0, [], old_note)
        )
        session.commit()
    assert first.outcome is Outcome.COSIGNED
    old = open_checkpoint(old_note, [verifier]).checkpoint
    # The operator rewrites history: the whole log replaced by other entries, re-hashed and
    # re-signed with the log's own key (the worst case: an insider with every secret).
    with Session(engine) as session:
        for table in ("log_cosignature", "log_checkpoint", "log_tile", "log_tree", "log_leaf"):
            session.execute(text(f"DELETE FROM {table}"))
        session.execute(text("UPDATE log_head SET size = 0"))
        transparency.log_issued(session, kaznu.did, f"{kaznu.did}#key-1", ["ab" * 32] * 5)
        session.commit()
    forked_note = _publish(engine, settings)
    forked = open_checkpoint(forked_note, [verifier]).checkpoint
    assert forked.size > old.size
    with Session(engine, expire_on_commit=False) as session:
        proof = transparency.consistency_proof(session, old.size, forked.size)
        refused = transparency.witness_add_checkpoint(
            session, settings, encode_request(old.size, proof, forked_note)
        )
        report, _ = transparency.monitor(session, settings, [kaznu.did], old)
    assert refused.outcome is Outcome.UNPROCESSABLE
    assert [p.code for p in report.problems] == ["inconsistent"]


def test_a_missing_leaf_stops_checkpoints_and_monitors(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    _issue(engine, settings, "kaznu", 0)
    _publish(engine, settings)
    _issue(engine, settings, "kaznu", 1)
    _issue(engine, settings, "kaznu", 2)
    with Session(engine) as session:
        last = max(_indexes(engine))
        session.execute(delete(LogLeafRecord).where(LogLeafRecord.idx == last - 1))
        session.commit()
        with pytest.raises(Conflict) as caught:
            transparency.publish_checkpoint(session, settings)
        assert caught.value.code == "log-gap"
        session.rollback()
        # An integrated leaf deleted: its entry bundle is gone and the monitor says so.
        session.execute(delete(LogLeafRecord).where(LogLeafRecord.idx == 0))
        session.commit()
        report, _ = transparency.monitor(session, settings, [kaznu.did], None)
    assert [p.code for p in report.problems] == ["log-gap", "entry-mismatch"]


def test_stale_and_rolled_back_checkpoints_are_detected(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    credential = _issue(engine, settings, "kaznu")
    with Session(engine, expire_on_commit=False) as session:
        verifier = transparency.log_verifier(session, settings)
        witness = transparency.witness_verifier(session, settings)
        bundle = transparency.bundle_for_digest(session, settings, secured_digest(credential))
        # Cosigned an hour ago, by this service's witness key.
        signer = transparency._note_signer(session, settings, "witness")
        session.commit()
    hour_ago = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
    text_part = bundle.checkpoint.split("\n\n")[0] + "\n"
    cosigned = bundle.checkpoint + signer.cosign_line(text_part, hour_ago)
    from dataclasses import replace

    from diploma_exchange.transparency.bundle import TrustedLog

    stale = replace(bundle, checkpoint=cosigned)
    common: dict[str, Any] = {
        "credential_digest": secured_digest(credential),
        "issuer": kaznu.did,
        "verification_method": credential["proof"][0]["verificationMethod"],
        "trusted_logs": [TrustedLog(settings.effective_log_origin, (verifier,))],
        "now": datetime.now(UTC),
    }
    fresh_enough = verify_bundle(
        stale, policy=WitnessPolicy((witness,), 1, timedelta(hours=2)), **common
    )
    assert fresh_enough.code == "log.included"
    too_old = verify_bundle(
        stale, policy=WitnessPolicy((witness,), 1, timedelta(minutes=10)), **common
    )
    assert too_old.status is LogStatus.INDETERMINATE and too_old.code == "log.stale-checkpoint"
    unwitnessed = verify_bundle(bundle, policy=WitnessPolicy((witness,), 1), **common)
    assert unwitnessed.code == "log.witnesses"
    # A witness that saw a larger tree refuses an older checkpoint (a rollback): 409.
    _issue(engine, settings, "kaznu", 1)
    old_note = bundle.checkpoint.split("\n\n")[0] + "\n\n" + bundle.checkpoint.split("\n\n")[1]
    new_note = _publish(engine, settings)
    with Session(engine, expire_on_commit=False) as session:
        transparency.add_witnessed_log(
            session, origin=settings.effective_log_origin, vkey=verifier.vkey
        )
        new_size = int(new_note.split("\n")[1])
        assert (
            transparency.witness_add_checkpoint(
                session, settings, encode_request(0, [], new_note)
            ).outcome
            is Outcome.COSIGNED
        )
        rolled_back = transparency.witness_add_checkpoint(
            session, settings, encode_request(0, [], old_note)
        )
        session.commit()
    assert rolled_back.outcome is Outcome.CONFLICT and rolled_back.body == f"{new_size}\n"


def test_tiles_are_stored_once_per_tile(engine: Engine, settings: Settings, kaznu: Tenant) -> None:
    with Session(engine) as session:
        transparency.log_issued(
            session, kaznu.did, f"{kaznu.did}#key-1", [f"{i:064x}" for i in range(600)]
        )
        session.commit()
    _publish(engine, settings)
    with Session(engine) as session:
        rows = {(t.level, t.idx): len(t.hashes) // 32 for t in session.exec(select(LogTileRecord))}
        size = transparency.latest_checkpoint(session).size  # type: ignore[union-attr]
        reader = transparency._reader(session)
        root = merkle.mth(reader, 0, size)
    assert rows[(0, 0)] == 256 and rows[(0, 1)] == 256 and rows[(1, 0)] == size // 256
    assert Checkpoint(settings.effective_log_origin, size, root).text() in _publish(
        engine, settings
    )


def test_the_publisher_signs_while_entries_arrive_and_asks_witnesses(
    engine: Engine, settings: Settings, kaznu: Tenant
) -> None:
    asked: list[str] = []

    def poster(url: str, body: bytes) -> tuple[int, bytes]:
        asked.append(url)
        return 503, b"unavailable"

    with Session(engine, expire_on_commit=False) as session:
        witness = transparency.witness_verifier(session, settings)
        transparency.add_witness(session, vkey=witness.vkey, url="https://witness.example/w")
        session.commit()
    publisher = transparency.Publisher(engine, settings, poster)
    _issue(engine, settings, "kaznu")
    publisher.run_once()
    with Session(engine) as session:
        first = transparency.latest_checkpoint(session)
        assert first is not None and first.size == transparency.sequenced_size(session)
        witnesses = transparency.list_witnesses(session)
    assert asked == ["https://witness.example/w/add-checkpoint"]
    assert witnesses[0].last_error and "503" in witnesses[0].last_error
    publisher.run_once()  # nothing new, witnessed recently: no new checkpoint, no request
    assert len(asked) == 1
    _issue(engine, settings, "kaznu", 1)
    publisher.run_once()
    with Session(engine) as session:
        assert transparency.latest_checkpoint(session).size > first.size  # type: ignore[union-attr]
    assert len(asked) == 2
