"""The hash-chained audit log: every state change leaves an entry (actor, time, object), in the
same transaction as the change, and ``audit verify`` finds any edited, reordered or deleted
entry. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.test_trust import Partner, add_partner  # a partner NIC and its signed trust list
from cli_support import run_cli
from conftest import PUBLIC_BASE_URL, Tenant
from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings
from diploma_exchange.db.models import AuditEntryRecord, AuditHeadRecord, CredentialRecord
from diploma_exchange.services import audit
from helpers import diploma_payload


def entries(engine: Engine) -> list[AuditEntryRecord]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEntryRecord).order_by(col(AuditEntryRecord.seq))).all())


def chain(engine: Engine, anchor: tuple[int, str] | None = None) -> audit.ChainReport:
    with Session(engine) as s:
        return audit.verify_chain(s, anchor=anchor)


def codes_of(report: audit.ChainReport) -> set[str]:
    return {p.code for p in report.problems}


def test_every_kind_of_state_change_is_audited_with_actor_and_object(
    settings: Settings, engine: Engine, admin_key: str, kaznu: Tenant
) -> None:
    admin = {"Authorization": f"Bearer {admin_key}"}
    with TestClient(
        create_app(settings, engine), base_url=PUBLIC_BASE_URL, follow_redirects=False
    ) as web:
        made = web.post(
            "/v1/institutions", json={"slug": "satbayev", "name": "Satbayev"}, headers=admin
        )
        assert made.status_code == 201, made.text
        issued = web.post("/v1/diplomas", json=diploma_payload(), headers=kaznu.headers).json()
        cid = issued["verifiableCredential"]["id"]
        # a statement about a diploma that verifies valid (before anything below changes that)
        statement = web.post(
            "/v1/recognition/assessments",
            json={"credential": issued["verifiableCredential"], "receivingCountry": "AU"},
        ).json()["statement"]
        for action, reason in (
            ("suspend", "investigation"),
            ("reinstate", "investigation-closed"),
            ("revoke", "fraud"),
        ):
            changed = web.post(
                f"/v1/diplomas/{cid}/status-changes",
                json={"action": action, "reasonCode": reason},
                headers=kaznu.headers,
            )
            assert changed.status_code in (200, 201), changed.text
        assert (
            web.post("/v1/institutions/kaznu/keys/rotate", json={}, headers=kaznu.headers)
        ).status_code == 201
        compromised = web.post(
            "/v1/institutions/kaznu/keys/key-1/compromise",
            json={"compromisedAt": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
            headers=kaznu.headers,
        )
        assert compromised.status_code == 200, compromised.text
        withdrawn = web.post(
            "/v1/institutions/kaznu/accreditations/withdraw",
            json={"withdrawnAt": datetime.now(UTC).isoformat(), "reason": "test"},
            headers=admin,
        )
        assert withdrawn.status_code == 201, withdrawn.text
        partner = Partner()
        pid = add_partner(web, admin_key, partner)
        imported = web.post(
            f"/v1/partners/{pid}/trust-list", json=partner.trust_list(), headers=admin
        )
        assert imported.status_code == 201, imported.text
        assert web.delete(f"/v1/partners/{pid}", headers=admin).status_code == 204
        assert web.get("/.well-known/trust-list.json").status_code in (200, 404)
        second = web.post("/v1/diplomas", json=diploma_payload(1), headers=kaznu.headers).json()
        decided = web.post(
            f"/v1/recognition/assessments/{statement['id']}/decisions",
            json={"decision": "accepted"},
            headers=admin,
        )
        assert decided.status_code == 201, decided.text
        # the graduate: claim, make a link, revoke it
        claimed = web.post("/claim", data={"code": second["claim"]["code"]})
        assert claimed.status_code == 303, claimed.text
        page = web.get("/me").text
        csrf = page.split('name="csrf" value="')[1][:64]
        created = web.post("/me/links", data={"csrf": csrf, "days": "30"}, follow_redirects=False)
        assert created.status_code == 303 and created.headers["location"] == "/me/links/new"
        with Session(engine) as s:
            link_id = s.exec(
                select(AuditEntryRecord.object_id).where(
                    AuditEntryRecord.action == "sharelink.create"
                )
            ).one()
        assert web.post(f"/me/links/{link_id}/revoke", data={"csrf": csrf}).status_code == 303

    log = entries(engine)
    by_action: dict[str, list[AuditEntryRecord]] = {}
    for entry in log:
        by_action.setdefault(entry.action, []).append(entry)
    expected = {
        "institution.register",
        "apikey.create",
        "key.added",
        "key.retired",
        "key.compromised",
        "accreditation.grant",
        "accreditation.withdraw",
        "diploma.issue",
        "diploma.suspend",
        "diploma.reinstate",
        "diploma.revoke",
        "partner.add",
        "trustlist.import",
        "partner.remove",
        "recognition.assess",
        "recognition.accepted",
        "diploma.claim",
        "sharelink.create",
        "sharelink.revoke",
    }
    assert expected <= set(by_action), expected - set(by_action)
    institution_actor = "institution:kaznu/api-key:"
    revoke = by_action["diploma.revoke"][0]
    assert revoke.object_type == "diploma" and revoke.object_id == cid
    assert revoke.actor.startswith(institution_actor)
    assert '"reasonCode":"fraud"' in revoke.details
    assert by_action["institution.register"][-1].actor.startswith("admin/api-key:")
    assert by_action["recognition.assess"][0].actor == "anonymous"
    graduate = f"graduate:{second['verifiableCredential']['id']}/session:"
    assert by_action["diploma.claim"][0].actor.startswith(graduate)
    assert by_action["sharelink.revoke"][0].actor.startswith(graduate)
    issue_entry = next(e for e in by_action["diploma.issue"] if e.object_id == cid)
    with Session(engine) as s:
        stored = s.get(CredentialRecord, cid)
        assert stored is not None
        assert stored.document_sha256 in issue_entry.details
    times = [e.at for e in log]
    assert all(t is not None for t in times)
    report = chain(engine)
    assert report.intact, report.problems
    assert report.entries == len(log) and [e.seq for e in log] == list(range(1, len(log) + 1))


def test_nothing_is_audited_when_the_change_is_rolled_back(
    client: TestClient, engine: Engine, kaznu: Tenant
) -> None:
    before = len(entries(engine))
    bad = diploma_payload(1)
    bad["credentialSubject"] = "not an object"
    response = client.post(
        "/v1/diplomas/batch",
        json={"diplomas": [diploma_payload(0), bad]},
        headers=kaznu.headers,
    )
    assert 400 <= response.status_code < 500, response.text
    assert len(entries(engine)) == before, [(e.action, e.details) for e in entries(engine)[before:]]
    # and a transaction that fails after recording an event leaves no entry
    with Session(engine) as s:
        audit.record(s, "test.event", "test", "x")
        s.rollback()
        s.commit()  # nothing pending any more
    assert len(entries(engine)) == before
    assert chain(engine).intact


@pytest.fixture
def populated(client: TestClient, engine: Engine, kaznu: Tenant) -> list[AuditEntryRecord]:
    for i in range(4):
        response = client.post("/v1/diplomas", json=diploma_payload(i), headers=kaznu.headers)
        assert response.status_code == 201, response.text
    log = entries(engine)
    assert len(log) >= 8 and chain(engine).intact
    return log


def _tamper(engine: Engine, statement: Any) -> None:
    with engine.begin() as conn:
        conn.execute(statement)


def test_an_edited_entry_is_found(engine: Engine, populated: list[AuditEntryRecord]) -> None:
    target = populated[3].seq
    table = AuditEntryRecord.__table__  # type: ignore[attr-defined]
    _tamper(engine, update(table).where(table.c.seq == target).values(actor="someone-else"))
    report = chain(engine)
    assert not report.intact and ("edited", target) in {(p.code, p.seq) for p in report.problems}


def test_edited_details_are_found(engine: Engine, populated: list[AuditEntryRecord]) -> None:
    target = next(e for e in populated if e.action == "diploma.issue")
    table = AuditEntryRecord.__table__  # type: ignore[attr-defined]
    forged = target.details.replace(target.details[-6:-2], "0000")
    _tamper(engine, update(table).where(table.c.seq == target.seq).values(details=forged))
    assert "edited" in codes_of(chain(engine))


def test_a_deleted_entry_is_found(engine: Engine, populated: list[AuditEntryRecord]) -> None:
    table = AuditEntryRecord.__table__  # type: ignore[attr-defined]
    _tamper(engine, delete(table).where(table.c.seq == populated[2].seq))
    assert {"missing-or-reordered", "broken-link"} <= codes_of(chain(engine))


def test_reordered_entries_are_found(engine: Engine, populated: list[AuditEntryRecord]) -> None:
    a, b = populated[1], populated[2]
    table = AuditEntryRecord.__table__  # type: ignore[attr-defined]
    # swap the two entries' numbers (through a free number, to respect the primary key)
    _tamper(engine, update(table).where(table.c.seq == a.seq).values(seq=10_000_000))
    _tamper(engine, update(table).where(table.c.seq == b.seq).values(seq=a.seq))
    _tamper(engine, update(table).where(table.c.seq == 10_000_000).values(seq=b.seq))
    report = chain(engine)
    assert not report.intact and {"edited", "broken-link"} <= codes_of(report)


def test_entries_cut_from_the_end_are_found(
    engine: Engine, populated: list[AuditEntryRecord]
) -> None:
    table = AuditEntryRecord.__table__  # type: ignore[attr-defined]
    _tamper(engine, delete(table).where(table.c.seq > populated[-3].seq))
    assert codes_of(chain(engine)) == {"head-mismatch"}


def test_a_rewritten_log_is_found_only_with_an_anchor(
    engine: Engine, populated: list[AuditEntryRecord]
) -> None:
    """Whoever rewrites every hash and the head makes a consistent chain: only a head kept
    elsewhere (the anchor) reveals it. That is why ``audit head`` exists."""
    anchor = (populated[-1].seq, populated[-1].entry_sha256)
    assert chain(engine, anchor).intact
    with Session(engine) as s:
        rows = list(s.exec(select(AuditEntryRecord).order_by(col(AuditEntryRecord.seq))).all())
        prev = audit.GENESIS
        for row in rows:
            if row.seq == 2:
                row.actor = "forger"
            row.prev_sha256 = prev
            row.entry_sha256 = audit.entry_digest(
                row.seq,
                row.at,
                row.actor,
                row.action,
                row.object_type,
                row.object_id,
                __import__("json").loads(row.details),
                prev,
            )
            prev = row.entry_sha256
            s.add(row)
        head = s.get(AuditHeadRecord, audit.HEAD_ID)
        assert head is not None
        head.entry_sha256 = prev
        s.add(head)
        s.commit()
    assert chain(engine).intact  # consistent...
    assert codes_of(chain(engine, anchor)) == {"anchor-mismatch"}  # ...but not the same log


def test_cli_audit_verify_and_head(
    settings: Settings, engine: Engine, populated: list[AuditEntryRecord], tmp_path: Path
) -> None:
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": settings.database_url,
        "DIPLOMA_EXCHANGE_KEY_PASSPHRASE": "test-passphrase",
        "DIPLOMA_EXCHANGE_ENVIRONMENT": "test",
    }
    ok = run_cli("audit", "verify", env=env)
    assert ok.returncode == 0, ok.stderr
    assert f"{len(populated)} entries" in ok.stdout
    head = run_cli("audit", "head", env=env)
    assert head.returncode == 0 and head.stdout.strip() == (
        f"{populated[-1].seq}:{populated[-1].entry_sha256}"
    )
    anchored = run_cli("audit", "verify", "--anchor", head.stdout.strip(), env=env)
    assert anchored.returncode == 0, anchored.stderr
    shown = run_cli("audit", "show", "--action", "diploma.issue", env=env)
    assert shown.returncode == 0 and shown.stdout.count('"diploma.issue"') == 4
    table = AuditEntryRecord.__table__  # type: ignore[attr-defined]
    _tamper(engine, update(table).where(table.c.seq == 1).values(object_id="tampered"))
    broken = run_cli("audit", "verify", env=env)
    assert broken.returncode == 1
    assert "edited" in broken.stderr and "entry 1" in broken.stderr


def test_the_cli_attributes_changes_to_the_operator(
    settings: Settings, engine: Engine, nic: str
) -> None:
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": settings.database_url,
        "DIPLOMA_EXCHANGE_KEY_PASSPHRASE": "test-passphrase",
        "DIPLOMA_EXCHANGE_ENVIRONMENT": "test",
    }
    made = run_cli("institutions", "create", "satbayev", "Satbayev University", env=env)
    assert made.returncode == 0, made.stderr
    registered = [e for e in entries(engine) if e.action == "institution.register"]
    assert registered[-1].object_id.endswith(":satbayev")
    assert registered[-1].actor.startswith("cli:")


@pytest.mark.postgres
def test_concurrent_writers_keep_one_unbroken_chain(
    backend: Any, settings: Settings, engine: Engine, kaznu: Tenant
) -> None:
    """Eight threads issue at once: numbers stay consecutive and every entry links to the one
    before, whichever worker wrote it."""
    if backend.name != "postgres":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")
    app = create_app(settings, engine)
    errors: list[str] = []

    def worker(n: int) -> None:
        with TestClient(app) as c:
            for i in range(5):
                r = c.post("/v1/diplomas", json=diploma_payload(n * 10 + i), headers=kaznu.headers)
                if r.status_code != 201:
                    errors.append(r.text)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    report = chain(engine)
    assert report.intact, report.problems
    issued = [e for e in entries(engine) if e.action == "diploma.issue"]
    assert len(issued) == 40 and len({e.object_id for e in issued}) == 40


def test_the_administrator_reads_and_verifies_the_log_over_the_api(
    client: TestClient, engine: Engine, admin_key: str, populated: list[AuditEntryRecord]
) -> None:
    admin = {"Authorization": f"Bearer {admin_key}"}
    listed = client.get("/v1/audit-log", params={"action": "diploma.issue"}, headers=admin)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert len(body) == 4 and all(e["action"] == "diploma.issue" for e in body)
    assert body[0]["object"]["type"] == "diploma" and "documentSha256" in body[0]["details"]
    page = client.get("/v1/audit-log", params={"after": 2, "limit": 3}, headers=admin).json()
    assert [e["seq"] for e in page] == [3, 4, 5]
    verified = client.get("/v1/audit-log/verification", headers=admin).json()
    assert verified["intact"] is True and verified["entries"] == len(populated)
    anchor = f"{populated[0].seq}:{'0' * 64}"
    wrong = client.get("/v1/audit-log/verification", params={"anchor": anchor}, headers=admin)
    assert wrong.json()["intact"] is False
    assert wrong.json()["problems"][0]["code"] == "anchor-mismatch"
