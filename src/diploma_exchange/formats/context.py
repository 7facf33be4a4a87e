"""What every opener needs: the resolver, the clock, the fetcher and the options."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from diploma_exchange.dids.document import DidResolver
from diploma_exchange.formats.model import DocumentFetcher, EnvelopeOptions, FormatInfo
from diploma_exchange.verification.report import Check, CheckName, passed


@dataclass(frozen=True, slots=True)
class OpenContext:
    resolver: DidResolver
    now: datetime
    fetcher: DocumentFetcher | None
    options: EnvelopeOptions
    #: Nesting: a presentation's credentials are opened at depth 1 and may not nest further.
    depth: int = 0


def detected_check(info: FormatInfo) -> Check:
    """``format.detected``: which format the input is, in words and as data."""
    version = f" {info.version}" if info.version else ""
    container = f" (in {info.container})" if info.container else ""
    return passed(
        CheckName.FORMAT_DETECTED,
        info.name.value,
        f"{info.label}{version}{container}",
        format=info.to_json(),
    )


__all__ = ["OpenContext", "detected_check"]
