"""Rate limits shared by every worker: fixed-window counters in the database.

Each hit is one atomic upsert (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``) in its own
short transaction, so the count is right across processes and machines, and a hit is counted
even when the request that made it later fails and rolls back (a wrong PIN must count).
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from diploma_exchange.db.models import RateLimitRecord
from diploma_exchange.errors import RateLimited


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``max_hits`` per ``window_seconds`` for one subject (a client, a link...)."""

    name: str
    max_hits: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    count: int
    retry_after: int


#: Claim-code attempts: per client address, and for the whole service (a distributed guess).
CLAIM_PER_CLIENT = Limit("claim:client", 10, 15 * 60)
CLAIM_GLOBAL = Limit("claim:global", 1000, 60)
#: PIN attempts on one link (besides the link's lifetime lock after 10 wrong PINs).
PIN_PER_LINK = Limit("pin:link", 5, 15 * 60)
PIN_PER_CLIENT = Limit("pin:client", 20, 15 * 60)
#: Anonymous verification uploads and link openings per client address.
UPLOAD_PER_CLIENT = Limit("upload:client", 60, 60)
LINK_OPEN_PER_CLIENT = Limit("link-open:client", 120, 60)


def _bucket(limit: Limit, subject: str, window: int) -> str:
    # Subjects may be long or personal (addresses): store a digest, never the raw value.
    tag = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"{limit.name}:{tag}:{window}"


class RateLimiter:
    """Counts hits per (limit, subject, window) in the ``rate_limit`` table."""

    def __init__(self, engine: Engine, *, cleanup_probability: float = 0.01) -> None:
        self._engine = engine
        self._cleanup_probability = cleanup_probability

    def hit(self, limit: Limit, subject: str, now: datetime | None = None) -> Decision:
        """Count one hit and say whether it is within the limit."""
        now = now or datetime.now(UTC)
        epoch = now.timestamp()
        window = math.floor(epoch / limit.window_seconds)
        ends = datetime.fromtimestamp((window + 1) * limit.window_seconds, UTC)
        bucket = _bucket(limit, subject, window)
        insert: Any = (
            postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        )
        table = RateLimitRecord.__table__  # type: ignore[attr-defined]
        statement = (
            insert(table)
            .values(bucket=bucket, count=1, window_ends_at=ends)
            .on_conflict_do_update(index_elements=["bucket"], set_={"count": table.c.count + 1})
            .returning(table.c.count)
        )
        with self._engine.begin() as conn:
            count = int(conn.execute(statement).scalar_one())
            if random.random() < self._cleanup_probability:
                conn.execute(delete(table).where(table.c.window_ends_at < now - timedelta(hours=1)))
        retry_after = max(1, math.ceil((ends - now).total_seconds()))
        return Decision(count <= limit.max_hits, count, retry_after)

    def check(self, limit: Limit, subject: str, message: str, now: datetime | None = None) -> None:
        """Count a hit; raise when over the limit.

        Raises:
            RateLimited: over the limit (``retry_after`` seconds until the window ends).
        """
        decision = self.hit(limit, subject, now)
        if not decision.allowed:
            raise RateLimited(message, retry_after=decision.retry_after)
