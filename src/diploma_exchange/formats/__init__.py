"""Credential formats foreign diplomas arrive in, detected and opened (see ``envelope``)."""

from diploma_exchange.formats.detection import detect
from diploma_exchange.formats.envelope import open_envelope
from diploma_exchange.formats.model import (
    DocumentFetcher,
    Envelope,
    EnvelopeOptions,
    FormatInfo,
    FormatName,
    LayeredFetcher,
    Signer,
    StaticFetcher,
    StatusKind,
    StatusReference,
)

__all__ = [
    "DocumentFetcher",
    "Envelope",
    "EnvelopeOptions",
    "FormatInfo",
    "FormatName",
    "LayeredFetcher",
    "Signer",
    "StaticFetcher",
    "StatusKind",
    "StatusReference",
    "detect",
    "open_envelope",
]
