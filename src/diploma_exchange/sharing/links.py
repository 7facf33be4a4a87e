"""The rules of a verification link's life: expiry bounds, states, PIN attempt limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from diploma_exchange.errors import InvalidInput


class LinkState(StrEnum):
    """Where a share link stands. Only ``active`` links show the diploma."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    LOCKED = "locked"  # too many wrong PINs


@dataclass(frozen=True, slots=True)
class LinkPolicy:
    """Bounds for links: expiry default and maximum (days), label length, PIN attempts.

    ``max_failed_pins`` wrong PINs in total lock the link for good (the graduate can make a
    new one); attempts are also rate-limited per client and window elsewhere.
    """

    default_days: int = 30
    max_days: int = 365
    max_label_chars: int = 120
    max_failed_pins: int = 10
    max_links_per_diploma: int = 200

    def expiry(self, now: datetime, days: int | None) -> datetime:
        """When a link made ``now`` for ``days`` (default when None) expires.

        Raises:
            InvalidInput: days outside 1..max_days (code ``link-expiry-out-of-range``).
        """
        chosen = self.default_days if days is None else days
        if not 1 <= chosen <= self.max_days:
            raise InvalidInput(
                f"a link lasts between 1 and {self.max_days} days",
                code="link-expiry-out-of-range",
                pointer="/expiresInDays",
                extra={"max": self.max_days},
            )
        return now + timedelta(days=chosen)

    def clean_label(self, label: str | None) -> str:
        """The label with surrounding and control whitespace collapsed.

        Raises:
            InvalidInput: longer than ``max_label_chars`` (code ``link-label-too-long``).
        """
        text = " ".join((label or "").split())
        text = "".join(ch for ch in text if ch.isprintable())
        if len(text) > self.max_label_chars:
            raise InvalidInput(
                f"a label has at most {self.max_label_chars} characters",
                code="link-label-too-long",
                pointer="/label",
            )
        return text


def link_state(
    *,
    now: datetime,
    expires_at: datetime,
    revoked_at: datetime | None,
    locked_at: datetime | None,
) -> LinkState:
    """The state of a link at ``now``; revocation wins over lock, lock over expiry."""
    if revoked_at is not None and revoked_at <= now:
        return LinkState.REVOKED
    if locked_at is not None:
        return LinkState.LOCKED
    if now >= expires_at:
        return LinkState.EXPIRED
    return LinkState.ACTIVE
