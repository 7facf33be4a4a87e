"""Rate limits shared by every worker: fixed-window counters in the database or in Redis.

In the database, each hit is one atomic upsert (``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING``) in its own short transaction, so the count is right across processes and
machines, and a hit is counted even when the request that made it later fails and rolls back
(a wrong PIN must count). In Redis (``rate_limit_redis_url``), each hit is one ``INCR`` with
the window's expiry in a ``MULTI`` block: cheaper, for deployments with heavy anonymous
verification traffic.

When the counter store cannot be reached, limits that guard secrets (claim codes, PINs) fail
closed, and limits that only shed load (verification, recognition) fail open, so that an
outage of Redis does not stop verification.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SqlTimeoutError

from diploma_exchange.config import Settings
from diploma_exchange.db.models import RateLimitRecord
from diploma_exchange.errors import RateLimited, ServiceUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``max_hits`` per ``window_seconds`` for one subject (a client, a link...)."""

    name: str
    max_hits: int
    window_seconds: int
    #: Allow the request when the counter store is unreachable (load shedding only).
    fail_open: bool = False


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


def verification_limits(settings: Settings) -> tuple[Limit, Limit]:
    """Per client and global limits of anonymous verification."""
    return (
        Limit("verify:client", settings.verify_per_client_per_minute, 60, fail_open=True),
        Limit("verify:global", settings.verify_global_per_minute, 60, fail_open=True),
    )


def recognition_limits(settings: Settings) -> tuple[Limit, Limit]:
    """Per client and global limits of recognition assessments (each signs a statement)."""
    return (
        Limit("recognition:client", settings.recognition_per_client_per_minute, 60, fail_open=True),
        Limit("recognition:global", settings.recognition_global_per_minute, 60, fail_open=True),
    )


def is_exempt(settings: Settings, address: str) -> bool:
    """Whether a client address is in ``rate_limit_exempt`` (exempt from the verification and
    recognition limits, on the API and on the pages alike)."""
    if not settings.rate_limit_exempt:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(cidr, strict=False) for cidr in settings.rate_limit_exempt
    )


def _window(limit: Limit, now: datetime) -> tuple[int, datetime]:
    window = math.floor(now.timestamp() / limit.window_seconds)
    return window, datetime.fromtimestamp((window + 1) * limit.window_seconds, UTC)


class RateLimiter(Protocol):
    def hit(self, limit: Limit, subject: str, now: datetime | None = None) -> Decision: ...

    def check(
        self, limit: Limit, subject: str, message: str, now: datetime | None = None
    ) -> None: ...


class _Checking:
    """``check`` on top of ``hit``, with the store-outage policy of each limit."""

    def hit(self, limit: Limit, subject: str, now: datetime | None = None) -> Decision:
        raise NotImplementedError

    def check(self, limit: Limit, subject: str, message: str, now: datetime | None = None) -> None:
        """Count a hit; raise when over the limit.

        Raises:
            RateLimited: over the limit (``retry_after`` seconds until the window ends).
            ServiceUnavailable: the counter store is unreachable and the limit fails closed.
        """
        try:
            decision = self.hit(limit, subject, now)
        except ServiceUnavailable:
            if limit.fail_open:
                return
            raise
        if not decision.allowed:
            raise RateLimited(message, retry_after=decision.retry_after)


class RedisRateLimiter(_Checking):
    """Counts hits in Redis: ``INCR`` plus the window's expiry, atomically."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30
        )
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)

    def hit(self, limit: Limit, subject: str, now: datetime | None = None) -> Decision:
        now = now or datetime.now(UTC)
        window, ends = _window(limit, now)
        key = "dx:rl:" + _bucket(limit, subject, window)
        try:
            pipe = self._redis.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expireat(key, int(ends.timestamp()) + 60)
            count = int(pipe.execute()[0])
        except self._errors as exc:
            log.warning("rate-limit store (Redis) unreachable: %s", type(exc).__name__)
            raise ServiceUnavailable(
                "the rate-limit store is unreachable; try again shortly", retry_after=5
            ) from exc
        retry_after = max(1, math.ceil((ends - now).total_seconds()))
        return Decision(count <= limit.max_hits, count, retry_after)


class DatabaseRateLimiter(_Checking):
    """Counts hits per (limit, subject, window) in the ``rate_limit`` table."""

    def __init__(self, engine: Engine, *, cleanup_probability: float = 0.01) -> None:
        self._engine = engine
        self._cleanup_probability = cleanup_probability

    def hit(self, limit: Limit, subject: str, now: datetime | None = None) -> Decision:
        """Count one hit and say whether it is within the limit."""
        now = now or datetime.now(UTC)
        window, ends = _window(limit, now)
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
        try:
            with self._engine.begin() as conn:
                count = int(conn.execute(statement).scalar_one())
                if random.random() < self._cleanup_probability:
                    conn.execute(
                        delete(table).where(table.c.window_ends_at < now - timedelta(hours=1))
                    )
        except (OperationalError, InterfaceError, SqlTimeoutError) as exc:
            # Unreachable database: the limit's own policy decides (open or closed), and the
            # middleware can answer 503 instead of letting a driver error become a 500.
            log.warning("rate-limit store (database) unreachable: %s", type(exc).__name__)
            raise ServiceUnavailable(
                "the database cannot be reached right now; retry in a few seconds",
                retry_after=2,
                code="database-unavailable",
            ) from exc
        retry_after = max(1, math.ceil((ends - now).total_seconds()))
        return Decision(count <= limit.max_hits, count, retry_after)


def make_rate_limiter(settings: Settings, engine: Engine) -> RateLimiter:
    """Redis when ``rate_limit_redis_url`` is set, else the database."""
    if settings.rate_limit_redis_url:
        return RedisRateLimiter(settings.rate_limit_redis_url)
    return DatabaseRateLimiter(engine)
