"""``open_envelope``: detect the format of an input and run the format's own checks.

The contract with the verifier: the returned :class:`Envelope` says what the input is
(``format``), what the signature covers (``credential``, ``None`` if nothing verified),
who issued it, the checks of the envelope (``format.detected``, ``proof.signature``,
``proof.key-binding``, ``proof.disclosures``, ``proof.holder-binding``,
``proof.integrity``, ``proof.anchor``, ``format.envelope``...), and the format's own
status mechanism. A credential with an embedded Data Integrity proof comes back with
``data_integrity=True``: the Data Integrity pipeline verifies it. An input in a format that
is recognised but not verifiable here is ``indeterminate`` (a ``proof.signature`` in
``error`` with a code naming it), never ``invalid``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from diploma_exchange.dids.document import DidResolver
from diploma_exchange.errors import Error, InvalidInput, LimitExceeded
from diploma_exchange.formats import blockcerts, europass, open_badges, tokens
from diploma_exchange.formats.context import OpenContext, detected_check
from diploma_exchange.formats.detection import PNG_BADGE_KEYWORDS, _svg_badge, detect
from diploma_exchange.formats.inputs import json_object, png_text_chunks, text_of
from diploma_exchange.formats.model import (
    DocumentFetcher,
    Envelope,
    EnvelopeOptions,
    FormatInfo,
    FormatName,
)
from diploma_exchange.verification.report import CheckName, errored, failed


def open_envelope(
    data: bytes,
    *,
    resolver: DidResolver,
    now: datetime,
    fetcher: DocumentFetcher | None = None,
    options: EnvelopeOptions | None = None,
) -> Envelope:
    """Detect and open ``data`` (see the module docstring). Never raises for a bad
    credential; the verdict follows from the checks.

    Raises:
        LimitExceeded: ``data`` is larger than ``options.max_bytes``.
    """
    options = options or EnvelopeOptions()
    if len(data) > options.max_bytes:
        raise LimitExceeded(
            f"the input is {len(data)} bytes; the limit is {options.max_bytes}",
            code="input-too-large",
            extra={"limit": options.max_bytes},
        )
    ctx = OpenContext(resolver=resolver, now=now, fetcher=fetcher, options=options)
    return open_envelope_at_depth(data, ctx, depth=0)


def open_envelope_at_depth(data: bytes, ctx: OpenContext, *, depth: int) -> Envelope:
    ctx = OpenContext(ctx.resolver, ctx.now, ctx.fetcher, ctx.options, depth)
    info = detect(data)
    try:
        return _open(data, info, ctx)
    except InvalidInput as exc:
        # Bounded decoders refusing the input: a clear, named failure of the envelope.
        return Envelope(
            info,
            None,
            None,
            [detected_check(info), failed(CheckName.FORMAT_ENVELOPE, exc.code, exc.message)],
        )


def inner_text(data: bytes, info: FormatInfo) -> str:
    """The badge inside a PNG or SVG container, else the input as text."""
    if info.container == "png":
        for keyword, text in png_text_chunks(data):
            if keyword in PNG_BADGE_KEYWORDS:
                return text.strip()
    if info.container == "svg":
        found = _svg_badge(data)
        if found is not None:
            return found[1].strip()
    return text_of(data) or ""


def _open(data: bytes, info: FormatInfo, ctx: OpenContext) -> Envelope:
    name = info.name
    text = inner_text(data, info)
    if name in (FormatName.SD_JWT_VC, FormatName.VC_SD_JWT) or info.securing == "sd-jwt":
        return tokens.open_sd_jwt(text, info, ctx)
    if name in (FormatName.VC_JWT, FormatName.VP_JWT, FormatName.VC_JOSE, FormatName.VP_JOSE) or (
        name is FormatName.OPEN_BADGES_3 and info.securing in ("jws", "vc-jwt")
    ):
        return tokens.open_compact_jwt(text, info, ctx)
    if name is FormatName.VC_COSE:
        return tokens.open_cose(data, info, ctx)
    if name is FormatName.OPEN_BADGES_2:
        return open_badges.open_assertion(text, info, ctx)
    if name is FormatName.BLOCKCERTS:
        return blockcerts.open_certificate(json_object(text, what="the certificate"), info, ctx)
    if name is FormatName.EUROPASS_EDC and info.securing == "jades":
        return europass.open_jades(json_object(text, what="the sealed credential"), info, ctx)
    if name is FormatName.EUROPASS_EDC and info.securing == "xades":
        return europass.open_xades(data, info, ctx)
    if name in (
        FormatName.VC_DATA_INTEGRITY,
        FormatName.VP_DATA_INTEGRITY,
        FormatName.OPEN_BADGES_3,
        FormatName.EUROPASS_EDC,
    ) and text.startswith("{"):
        return _data_integrity(text, info)
    if name in (FormatName.DIPLOMA_PDF, FormatName.DIPLOMA_QR):
        # Extraction (documents/extract.py, the QR decoder) yields the credential JSON,
        # which the caller then opens again; named here so the report says what came in.
        return Envelope(
            info,
            None,
            None,
            [
                detected_check(info),
                errored(
                    CheckName.PROOF_SIGNATURE,
                    "extract-first",
                    f"{info.label}: the credential inside is extracted and verified by the "
                    "upload path (PDF attachment or QR code)",
                ),
            ],
        )
    if (
        name is FormatName.UNKNOWN
        and info.container == "url"
        and ctx.fetcher is not None
        and ctx.depth == 0
    ):
        return _open_url(text, ctx)
    if name is FormatName.STATUS_LIST_TOKEN:
        return Envelope(
            info,
            None,
            None,
            [
                detected_check(info),
                errored(
                    CheckName.PROOF_SIGNATURE,
                    "status-list-not-a-credential",
                    "this is a status list token, not a credential: verify the credential that "
                    "names it",
                ),
            ],
        )
    return Envelope(
        info,
        None,
        None,
        [
            detected_check(info),
            errored(
                CheckName.PROOF_SIGNATURE,
                "unsupported-format",
                f"the input is {info.label}; it cannot be verified here",
            ),
        ],
    )


def _data_integrity(text: str, info: FormatInfo) -> Envelope:
    document = json_object(text, what="the credential")
    checks = [detected_check(info)]
    if "proof" not in document:
        checks.append(
            failed(
                CheckName.PROOF_SIGNATURE,
                "missing-proof",
                f"the {info.label} carries no proof (no embedded proof, and it is not a JWT, "
                "SD-JWT, COSE or sealed form)",
            )
        )
        return Envelope(info, document, _issuer(document), checks)
    return Envelope(info, document, _issuer(document), checks, data_integrity=True)


def _issuer(document: dict[str, Any]) -> str | None:
    from diploma_exchange.formats.claims import issuer_id

    return issuer_id(document.get("issuer")) or issuer_id(document.get("holder"))


def _open_url(url: str, ctx: OpenContext) -> Envelope:
    """A URL given as the input: a hosted Open Badges 2.0 assertion (fetched once)."""
    assert ctx.fetcher is not None
    try:
        body = ctx.fetcher.get_bytes(url, accept="application/ld+json, application/json")
    except Error as exc:
        info = FormatInfo(FormatName.UNKNOWN, None, "text/uri-list", "a URL", "url")
        return Envelope(
            info,
            None,
            None,
            [
                detected_check(info),
                errored(CheckName.PROOF_SIGNATURE, "url-unavailable", exc.message),
            ],
        )
    return open_envelope_at_depth(body, ctx, depth=1)


def envelope_summary(envelope: Envelope) -> str:
    """One line for logs and the CLI."""
    return json.dumps(
        {"format": envelope.format.name.value, "checks": [c.code for c in envelope.checks]}
    )


__all__ = ["envelope_summary", "inner_text", "open_envelope", "open_envelope_at_depth"]
