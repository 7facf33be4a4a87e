"""The audit trail: every state change, appended to a hash-chained log in the same transaction.

A service calls :func:`record` while it changes state; the entries wait in the session and are
appended when the session commits (a ``before_commit`` listener), so an entry exists exactly
when its change does: a rollback or a crash leaves neither. Who acted comes from the session
(:func:`act_as`, set when an API key or a graduate's session is authenticated, or by the CLI).

The chain: entry *n* holds ``prev_sha256`` = the hash of entry *n - 1* (64 zeros for the first)
and ``entry_sha256`` = SHA-256 of the RFC 8785 form of ``{seq, at, actor, action, object,
details, prev}``. The one-row ``audit_head`` table holds the last number and hash. Appending
first *updates* the head, which takes its row lock (PostgreSQL) or the write lock (SQLite), so
appenders in any number of workers get consecutive numbers and link to each other's entries;
it is the last step before the commit, so the lock is held only for the commit itself.

:func:`verify_chain` re-derives every hash: an edited entry no longer matches its hash, a
deleted or reordered one breaks the numbering and the links, and entries removed from the end
no longer match the head. Someone able to rewrite the whole table *and* the head can forge a
consistent chain; against that, publish or store the head elsewhere (``diploma-exchange audit
head``) and pass it back as an anchor (``audit verify --anchor SEQ:SHA256``).

Details never hold secrets: no tokens, codes, PINs or key material, only ids and digests.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from diploma_exchange.db.bulk_insert import insert_rows
from diploma_exchange.db.models import AuditEntryRecord, AuditHeadRecord, as_utc, core_table, utcnow
from diploma_exchange.errors import InvalidInput
from diploma_exchange.proofs import jcs

GENESIS = "0" * 64
HEAD_ID = 1
_PENDING = "dx.audit.pending"
_ACTOR = "dx.audit.actor"

#: The actor of sessions nobody authenticated: anonymous HTTP requests. The CLI replaces it
#: with ``cli:<user>@<host>`` (:func:`set_default_actor`).
_default_actor = "anonymous"


def set_default_actor(actor: str) -> None:
    """The actor for sessions without :func:`act_as` in this process."""
    global _default_actor
    _default_actor = actor


def cli_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (e.g. in a container)
        user = "unknown"
    return f"cli:{user}@{socket.gethostname()}"


def act_as(session: Session, actor: str) -> None:
    """Attribute this session's state changes to ``actor``."""
    session.info[_ACTOR] = actor


def actor_of(session: Session) -> str:
    actor: str = session.info.get(_ACTOR, _default_actor)
    return actor


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: str,
    details: Mapping[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> None:
    """Queue one audit entry; it is appended when ``session`` commits (and dropped on
    rollback)."""
    # Belong to the current transaction (begin one if needed): its rollback drops the entry.
    session.connection()
    pending: list[Event] = session.info.setdefault(_PENDING, [])
    pending.append(
        Event(
            at or utcnow(), actor_of(session), action, object_type, object_id, dict(details or {})
        )
    )


def _time(moment: datetime) -> str:
    return as_utc(moment).astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def entry_digest(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: Mapping[str, Any],
    prev: str,
) -> str:
    body = {
        "seq": seq,
        "at": _time(at),
        "actor": actor,
        "action": action,
        "object": {"type": object_type, "id": object_id},
        "details": details,
        "prev": prev,
    }
    return hashlib.sha256(jcs.canonicalize(body)).hexdigest()


def _insert_head(session: Session) -> None:
    """Create the head row if it is missing; a concurrent creator's row wins silently."""
    table = core_table(AuditHeadRecord)
    values = {"id": HEAD_ID, "seq": 0, "entry_sha256": GENESIS}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(table).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(table).values(values).on_conflict_do_nothing())
    else:  # pragma: no cover - only the two supported backends
        session.execute(insert(table).values(values))


def _append(session: Session, events: list[Event]) -> None:
    head = core_table(AuditHeadRecord)
    claim = update(head).where(head.c.id == HEAD_ID).values(seq=head.c.seq + len(events))
    if session.execute(claim).rowcount == 0:  # type: ignore[attr-defined]
        _insert_head(session)
        session.execute(claim)
    last_seq, prev = session.execute(
        core_select(head.c.seq, head.c.entry_sha256).where(head.c.id == HEAD_ID)
    ).one()
    seq = last_seq - len(events)
    rows = []
    for item in events:
        seq += 1
        details = jcs.canonicalize(item.details).decode()
        digest = entry_digest(
            seq,
            item.at,
            item.actor,
            item.action,
            item.object_type,
            item.object_id,
            item.details,
            prev,
        )
        rows.append(
            {
                "seq": seq,
                "at": item.at,
                "actor": item.actor,
                "action": item.action,
                "object_type": item.object_type,
                "object_id": item.object_id,
                "details": details,
                "prev_sha256": prev,
                "entry_sha256": digest,
            }
        )
        prev = digest
    insert_rows(session, core_table(AuditEntryRecord), rows)
    session.execute(update(head).where(head.c.id == HEAD_ID).values(entry_sha256=prev))


@event.listens_for(OrmSession, "before_commit")
def _flush_audit(session: OrmSession) -> None:
    pending: list[Event] | None = session.info.pop(_PENDING, None)
    if pending:
        # Flush the changes first, so that their row locks are taken before the head's:
        # every writer takes the head lock last, which keeps lock order acyclic.
        session.flush()
        _append(session, pending)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_transaction_end")
def _drop_pending(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended (commit or rollback)
        session.info.pop(_PENDING, None)


# --- reading and verifying ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    code: str  # edited | broken-link | missing-or-reordered | head-mismatch | anchor-mismatch
    message: str


@dataclass(slots=True)
class ChainReport:
    entries: int = 0
    last_seq: int = 0
    last_sha256: str = GENESIS
    head_seq: int | None = None
    head_sha256: str | None = None
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


MAX_PROBLEMS = 100


def _rows(session: Session, chunk: int = 5000) -> Iterator[AuditEntryRecord]:
    after = 0
    while True:
        batch = session.exec(
            select(AuditEntryRecord)
            .where(col(AuditEntryRecord.seq) > after)
            .order_by(col(AuditEntryRecord.seq))
            .limit(chunk)
        ).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


def head(session: Session) -> tuple[int, str]:
    """The last entry's number and hash, as the head row holds them ((0, GENESIS) when the
    log is empty): one row read, whatever the log's length."""
    row = session.get(AuditHeadRecord, HEAD_ID)
    return (row.seq, row.entry_sha256) if row is not None else (0, GENESIS)


def parse_anchor(value: str) -> tuple[int, str]:
    """``SEQ:SHA256`` (as printed by ``audit head``) as a pair.

    Raises:
        InvalidInput: anything else.
    """
    seq, sep, digest = value.partition(":")
    digest = digest.lower()
    if (
        not sep
        or not (seq.isascii() and seq.isdigit())
        or len(seq) > 10
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise InvalidInput(
            "the anchor must be SEQ:SHA256, as printed by `diploma-exchange audit head`",
            pointer="/anchor",
        )
    return int(seq), digest


def verify_chain(session: Session, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Re-derive the whole chain (streaming, in order of ``seq``) and compare it with the head
    and with an optional ``(seq, sha256)`` anchor recorded earlier."""
    report = ChainReport()
    problems = report.problems

    def problem(seq: int, code: str, message: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(ChainProblem(seq, code, message))

    expected_seq, prev = 1, GENESIS
    anchor_seen = False
    for row in _rows(session):
        report.entries += 1
        if row.seq != expected_seq:
            problem(
                row.seq,
                "missing-or-reordered",
                f"entry {row.seq} follows entry {expected_seq - 1}: entries are missing or "
                "were renumbered",
            )
        if row.prev_sha256 != prev:
            problem(row.seq, "broken-link", f"entry {row.seq} does not link to the entry before")
        try:
            details = json.loads(row.details)
            digest = entry_digest(
                row.seq,
                row.at,
                row.actor,
                row.action,
                row.object_type,
                row.object_id,
                details,
                row.prev_sha256,
            )
        except (ValueError, TypeError):
            digest = ""
        if digest != row.entry_sha256:
            problem(row.seq, "edited", f"entry {row.seq} does not match its hash: it was edited")
        if anchor is not None and row.seq == anchor[0]:
            anchor_seen = True
            if row.entry_sha256 != anchor[1]:
                problem(row.seq, "anchor-mismatch", f"entry {row.seq} differs from the anchor")
        expected_seq, prev = row.seq + 1, row.entry_sha256
        report.last_seq, report.last_sha256 = row.seq, row.entry_sha256

    head_seq, head_hash = head(session)
    report.head_seq, report.head_sha256 = head_seq, head_hash
    if (head_seq, head_hash) != (report.last_seq, report.last_sha256):
        problem(
            report.last_seq,
            "head-mismatch",
            f"the log ends at entry {report.last_seq} but its head says {head_seq}: entries "
            "were deleted from the end, or the head was altered",
        )
    if anchor is not None and not anchor_seen:
        problem(anchor[0], "anchor-mismatch", f"anchor entry {anchor[0]} is not in the log")
    return report


def entries(
    session: Session,
    *,
    object_id: str | None = None,
    action: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[AuditEntryRecord]:
    query = select(AuditEntryRecord).where(col(AuditEntryRecord.seq) > after)
    if object_id is not None:
        query = query.where(AuditEntryRecord.object_id == object_id)
    if action is not None:
        query = query.where(AuditEntryRecord.action == action)
    return list(session.exec(query.order_by(col(AuditEntryRecord.seq)).limit(limit)).all())
