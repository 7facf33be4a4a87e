"""Open Badges 2.0 assertions, hosted and signed (1EdTech Open Badges 2.0 §"Badge
Verification", Verification object; "Hosted Verification", "Signed Verification").

Hosted: the assertion is authentic if the copy at its ``id`` (an HTTPS URL on a host the
issuer allows: the issuer profile's host, or ``verification.allowedOrigins``) is the same
assertion. Signed: a JWS (RS256) whose payload is the assertion, verified with the
CryptographicKey at ``verification.creator``, whose ``owner`` is the issuer profile. Both
need the issuer's documents (badge class, issuer profile, key), obtained through the
caller's fetcher or stored copies; without them the verdict is ``indeterminate``. A
revocation list named by the issuer (``revocationList``) gives ``status.revocation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from diploma_exchange.errors import Error, InvalidInput
from diploma_exchange.formats.blockcerts import revocation_list_checks
from diploma_exchange.formats.claims import issuer_id
from diploma_exchange.formats.context import OpenContext, detected_check
from diploma_exchange.formats.inputs import json_object, parse_compact_jws
from diploma_exchange.formats.jose import verify_compact_signature
from diploma_exchange.formats.keys import import_native_key
from diploma_exchange.formats.model import (
    DocumentFetcher,
    Envelope,
    FormatInfo,
    Signer,
    StatusKind,
    StatusReference,
)
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    CheckStatus,
    errored,
    failed,
    passed,
    skipped,
)


def _get(fetcher: DocumentFetcher | None, value: Any, what: str) -> Mapping[str, Any]:
    """An embedded object, or the document at a URL (through the fetcher)."""
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"the {what} is missing", code="missing-" + what.replace(" ", "-"))
    if fetcher is None:
        raise Error(f"the {what} {value} was not fetched (no fetcher)", code="not-fetched")
    document = fetcher.get_json(value)
    if not isinstance(document, Mapping):
        raise InvalidInput(
            f"the {what} at {value} is not a JSON object", code="bad-" + what.replace(" ", "-")
        )
    return document


def _issuer_profile(
    assertion: Mapping[str, Any], fetcher: DocumentFetcher | None
) -> Mapping[str, Any]:
    badge = _get(fetcher, assertion.get("badge"), "badge class")
    return _get(fetcher, badge.get("issuer"), "issuer profile")


def open_assertion(text: str, info: FormatInfo, ctx: OpenContext) -> Envelope:
    """Open an OB 2.0 assertion given as JSON (hosted) or as a JWS (signed)."""
    if text.startswith("{"):
        return _hosted(json_object(text, what="the assertion"), info, ctx)
    return _signed(text, info, ctx)


def _hosted(assertion: dict[str, Any], info: FormatInfo, ctx: OpenContext) -> Envelope:
    checks: list[Check] = [detected_check(info)]
    sig, bind = CheckName.PROOF_SIGNATURE, CheckName.PROOF_KEY_BINDING
    verification = assertion.get("verification")
    kind = verification.get("type") if isinstance(verification, Mapping) else None
    if kind in ("signed", "SignedBadge"):
        checks.append(
            failed(
                sig,
                "signed-badge-without-signature",
                "the assertion says it is signed, but was given as plain JSON without its JWS",
            )
        )
        return Envelope(info, None, None, checks)
    assertion_id = assertion.get("id")
    if not isinstance(assertion_id, str) or not assertion_id.startswith("https://"):
        checks.append(
            failed(sig, "hosted-id-not-https", "a hosted assertion's id must be its HTTPS URL")
        )
        return Envelope(info, None, None, checks)
    if ctx.fetcher is None:
        message = (
            f"a hosted assertion is verified by fetching {assertion_id}; fetching is not configured"
        )
        checks.append(errored(sig, "hosted-not-fetched", message))
        checks.append(errored(bind, "hosted-not-fetched", message))
        return Envelope(info, None, None, checks, details={"dataModel": "ob-2.0"})
    try:
        hosted = ctx.fetcher.get_json(assertion_id)
    except Error as exc:
        checks.append(errored(sig, "hosted-unavailable", f"{assertion_id}: {exc.message}"))
        return Envelope(info, None, None, checks)
    if hosted != assertion:
        checks.append(
            failed(
                sig,
                "hosted-copy-differs",
                f"the assertion differs from the issuer's hosted copy at {assertion_id}",
            )
        )
        return Envelope(info, None, None, checks)
    checks.append(
        passed(sig, "hosted-verified", f"the issuer hosts this very assertion at {assertion_id}")
    )
    try:
        profile = _issuer_profile(assertion, ctx.fetcher)
    except Error as exc:
        checks.append(errored(bind, exc.code, exc.message))
        return Envelope(info, assertion, None, checks, details={"dataModel": "ob-2.0"})
    issuer = issuer_id(profile)
    allowed = verification.get("allowedOrigins") if isinstance(verification, Mapping) else None
    origins = [allowed] if isinstance(allowed, str) else list(allowed or [])
    host = urlsplit(assertion_id).hostname
    issuer_host = urlsplit(issuer or "").hostname
    if host and (host == issuer_host or host in origins):
        checks.append(
            passed(bind, "hosted-by-issuer", f"hosted on {host}, the issuer's own origin")
        )
    else:
        checks.append(
            failed(
                bind,
                "hosted-elsewhere",
                f"hosted on {host}, which the issuer {issuer} does not allow",
            )
        )
    entries, status = _revocation(assertion, profile)
    return Envelope(
        info,
        assertion,
        issuer,
        checks,
        entries,
        status,
        details={"dataModel": "ob-2.0"},
        signer=Signer("hosted", method_id=assertion_id),
    )


def _signed(text: str, info: FormatInfo, ctx: OpenContext) -> Envelope:
    checks: list[Check] = [detected_check(info)]
    sig, bind = CheckName.PROOF_SIGNATURE, CheckName.PROOF_KEY_BINDING
    try:
        token = parse_compact_jws(text, what="the signed assertion")
        unverified = token.payload_json("the signed assertion")
    except InvalidInput as exc:
        checks.append(failed(sig, exc.code, exc.message))
        return Envelope(info, None, None, checks)
    verification = unverified.get("verification")
    creator = verification.get("creator") if isinstance(verification, Mapping) else None
    try:
        key_document = _get(ctx.fetcher, creator, "signing key")
        pem = key_document.get("publicKeyPem")
        if not isinstance(pem, str):
            raise InvalidInput("the signing key has no publicKeyPem", code="bad-signing-key")
        key = import_native_key(load_pem_public_key(pem.encode("ascii")))
    except (Error, ValueError) as exc:
        message = exc.message if isinstance(exc, Error) else str(exc)
        checks.append(errored(sig, "unresolvable-key", f"the signing key {creator}: {message}"))
        checks.append(errored(bind, "unresolvable-key", "no key to bind to the issuer"))
        return Envelope(info, None, None, checks)
    signature = verify_compact_signature(text, token.header, key, what="Open Badges assertion")
    checks.append(signature)
    if signature.status is not CheckStatus.PASSED:
        checks.append(skipped(bind, "signature-not-verified", "the signature did not verify"))
        return Envelope(info, None, None, checks)
    assertion = unverified  # covered by the verified signature
    try:
        profile = _issuer_profile(assertion, ctx.fetcher)
    except Error as exc:
        checks.append(errored(bind, exc.code, exc.message))
        return Envelope(info, assertion, None, checks, details={"dataModel": "ob-2.0"})
    issuer = issuer_id(profile)
    keys = profile.get("publicKey")
    listed = [keys] if isinstance(keys, str | Mapping) else list(keys or [])
    listed_ids = {
        k if isinstance(k, str) else k.get("id") for k in listed if isinstance(k, str | Mapping)
    }
    if key_document.get("owner") == issuer and creator in listed_ids:
        checks.append(
            passed(bind, "issuer-key", f"signed with {creator}, a key of the issuer {issuer}")
        )
    else:
        checks.append(
            failed(
                bind,
                "key-not-controlled-by-issuer",
                f"the key {creator} is not owned by, or not listed in, the issuer profile {issuer}",
            )
        )
    entries, status = _revocation(assertion, profile)
    revoked = key_document.get("revoked")
    return Envelope(
        info,
        assertion,
        issuer,
        checks,
        entries,
        status,
        details={"dataModel": "ob-2.0"},
        signer=Signer(
            "ob2-key",
            method_id=str(creator),
            key_details={"revoked": revoked} if revoked is not None else {},
        ),
    )


def _revocation(
    assertion: Mapping[str, Any], profile: Mapping[str, Any]
) -> tuple[tuple[StatusReference, ...], Any]:
    url = profile.get("revocationList")
    assertion_id = assertion.get("id")
    if not isinstance(url, str) or not isinstance(assertion_id, str):
        return (), None
    entry = StatusReference(StatusKind.OPEN_BADGES_REVOCATION_LIST, url, credential_id=assertion_id)

    def check(fetcher: DocumentFetcher | None) -> list[Check]:
        return revocation_list_checks(entry, fetcher)

    return (entry,), check


__all__ = ["open_assertion"]
