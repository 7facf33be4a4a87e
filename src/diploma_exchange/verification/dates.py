"""Date-times in credentials: XML Schema dateTimeStamp, a time zone required."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_datetime(value: object) -> datetime | None:
    """Parse an XML Schema dateTimeStamp (timezone required); None if not one."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def parse_xsd_datetime(value: object) -> datetime | None:
    """Parse an XML Schema dateTime (VC Data Model 1.1 dates): the time zone is optional, and
    a date-time without one is read as UTC. None if not a date-time."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
