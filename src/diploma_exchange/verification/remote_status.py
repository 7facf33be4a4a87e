"""Status list credentials of other services, fetched through the safe fetcher and cached for
as long as the list itself says it may be (its ``ttl``, ``validUntil``, capped)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from diploma_exchange.dids.remote import SafeFetcher
from diploma_exchange.errors import InvalidInput
from diploma_exchange.verification.dates import parse_datetime

DEFAULT_TTL_SECONDS = 300.0
MAX_TTL_SECONDS = 3600.0


class RemoteStatusLists:
    """A :class:`StatusListProvider` for lists hosted elsewhere (https only, SSRF-safe)."""

    def __init__(self, fetcher: SafeFetcher, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetcher = fetcher
        self._clock = clock
        self._cache: dict[str, tuple[float, Mapping[str, Any]]] = {}

    def _ttl(self, credential: Mapping[str, Any]) -> float:
        ttl = DEFAULT_TTL_SECONDS
        subject = credential.get("credentialSubject")
        if isinstance(subject, Mapping) and isinstance(subject.get("ttl"), int | float):
            ttl = float(subject["ttl"]) / 1000.0
        valid_until = parse_datetime(credential.get("validUntil"))
        if valid_until is not None:
            from datetime import UTC, datetime

            ttl = min(ttl, (valid_until - datetime.now(UTC)).total_seconds())
        return max(0.0, min(ttl, MAX_TTL_SECONDS))

    def get(self, url: str) -> Mapping[str, Any]:
        hit = self._cache.get(url)
        now = self._clock()
        if hit is not None and hit[0] > now:
            return hit[1]
        data = self._fetcher.get_json(url.split("#", 1)[0])
        if not isinstance(data, dict):
            raise InvalidInput(f"the status list at {url} is not a JSON object")
        self._cache[url] = (now + self._ttl(data), data)
        return data
