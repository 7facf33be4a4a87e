"""Credential formats foreign diplomas arrive in, detected and opened (see ``envelope``)."""

from diploma_exchange.formats.detection import detect
from diploma_exchange.formats.envelope import ENVELOPE_POLICY, envelope_verdict, open_envelope
from diploma_exchange.formats.model import (
    DocumentFetcher,
    Envelope,
    EnvelopeOptions,
    FormatInfo,
    FormatName,
    StaticFetcher,
    StatusKind,
    StatusReference,
)

__all__ = [
    "ENVELOPE_POLICY",
    "DocumentFetcher",
    "Envelope",
    "EnvelopeOptions",
    "FormatInfo",
    "FormatName",
    "StaticFetcher",
    "StatusKind",
    "StatusReference",
    "detect",
    "envelope_verdict",
    "open_envelope",
]
