"""Europass Digital Credentials (EDC, European Learning Model): JAdES-sealed JSON-LD
(ETSI TS 119 182-1, a JWS in JSON serialization with an unencoded payload, RFC 7797) and
XAdES-sealed XML (ETSI EN 319 132-1, verified with ``signxml``).

The seal's signature is verified with the certificate it carries (``x5c`` / ``KeyInfo``);
that proves the document is intact and was sealed by the holder of that certificate. Who
that is, is vouched for by an EU trust list: when trust anchors are configured (imported
from a trust list) the chain must end at one; otherwise ``proof.key-binding`` is in
``error`` (indeterminate) with the signer's name shown, never ``failed``. Long-term
validation data (timestamps, CRLs in ``etsiU``) is reported as present, not evaluated.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from cryptography import x509

from diploma_exchange.errors import InvalidInput, KeyLoadError
from diploma_exchange.formats.claims import issuer_id
from diploma_exchange.formats.context import OpenContext, detected_check
from diploma_exchange.formats.inputs import b64url_decode, json_object, local_name, parse_xml
from diploma_exchange.formats.jose import verify_json_signature
from diploma_exchange.formats.keys import (
    KeyNotFound,
    ResolvedKey,
    import_native_key,
    key_binding_check,
    subject_name,
)
from diploma_exchange.formats.model import Envelope, FormatInfo, Signer
from diploma_exchange.verification.dates import parse_datetime
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    CheckStatus,
    errored,
    failed,
    passed,
    skipped,
)


def _chain(header: dict[str, Any]) -> tuple[x509.Certificate, ...]:
    raw = header.get("x5c")
    if not isinstance(raw, list) or not raw:
        raise KeyNotFound("the JAdES seal carries no x5c certificate")
    try:
        return tuple(
            x509.load_der_x509_certificate(base64.b64decode(c, validate=True)) for c in raw[:8]
        )
    except (ValueError, binascii.Error, TypeError) as exc:
        raise KeyNotFound("an x5c certificate of the seal cannot be read") from exc


def open_jades(document: dict[str, Any], info: FormatInfo, ctx: OpenContext) -> Envelope:
    """A JAdES-sealed EDC (JWS JSON serialization; one signature is expected)."""
    checks: list[Check] = [detected_check(info)]
    sig, bind = CheckName.PROOF_SIGNATURE, CheckName.PROOF_KEY_BINDING
    signatures = document.get("signatures")
    first = signatures[0] if isinstance(signatures, list) and signatures else document
    try:
        if not isinstance(first, dict) or not isinstance(first.get("protected"), str):
            raise InvalidInput("the seal has no protected header", code="malformed-jws")
        header = json_object(
            b64url_decode(first["protected"], what="the seal header"), what="the seal header"
        )
        chain = _chain(header)
        key = import_native_key(chain[0].public_key())
    except (InvalidInput, KeyNotFound) as exc:
        checks.append(
            failed(sig, exc.code, exc.message)
            if isinstance(exc, InvalidInput)
            else errored(sig, exc.code, exc.message)
        )
        return Envelope(info, None, None, checks)
    except KeyLoadError as exc:  # a certificate whose key cannot be used for JOSE
        checks.append(errored(sig, "unusable-certificate-key", exc.message))
        return Envelope(info, None, None, checks)
    signature, payload = verify_json_signature(document, key, what="JAdES seal")
    signer = subject_name(chain[0])
    if signature.status is CheckStatus.PASSED:
        signature = passed(sig, "verified", f"the JAdES seal by {signer} is valid", signer=signer)
    checks.append(signature)
    if signature.status is not CheckStatus.PASSED or payload is None:
        checks.append(skipped(bind, "signature-not-verified", "the seal did not verify"))
        return Envelope(info, None, None, checks, details={"signer": signer})
    try:
        credential = json_object(payload, what="the sealed credential")
    except InvalidInput as exc:
        checks.append(failed(CheckName.FORMAT_ENVELOPE, exc.code, exc.message))
        return Envelope(info, None, None, checks)
    signed_at = parse_datetime(header.get("sigT")) if isinstance(header.get("sigT"), str) else None
    issuer = issuer_id(credential.get("issuer"))
    resolved = ResolvedKey(key, "x5c", chain=chain)
    checks.append(_seal_binding(resolved, issuer, ctx, signed_at))
    unsigned_header = first.get("header")
    unsigned: dict[str, Any] = unsigned_header if isinstance(unsigned_header, dict) else {}
    return Envelope(
        info,
        credential,
        issuer,
        checks,
        details={
            "dataModel": "edc",
            "signer": signer,
            "signingTime": header.get("sigT"),
            "longTermValidationData": "etsiU" in unsigned,
        },
        signer=Signer("x5c", signed_at=signed_at, chain=chain),
    )


def _seal_binding(
    resolved: ResolvedKey, issuer: str | None, ctx: OpenContext, signed_at: datetime | None
) -> Check:
    """The sealing certificate: chain intact at signing time, anchored in a trust list."""
    check = key_binding_check(
        resolved,
        issuer or "(the sealing organisation)",
        trusted=ctx.options.trusted_certificates,
        trust_list_name=ctx.options.trust_list_name or "the configured EU trust list",
        signed_at=signed_at,
        now=ctx.now,
    )
    if check.code == "no-trust-anchor":
        return errored(
            CheckName.PROOF_KEY_BINDING,
            "no-trust-list",
            f"sealed by {subject_name(resolved.chain[0])} (certificate issued by "
            f"{subject_name(resolved.chain[-1]) if len(resolved.chain) > 1 else resolved.chain[0].issuer.rfc4514_string()}); "
            "no EU trust list is configured, so whether this is a qualified seal of the "
            "issuer is unknown",
            signer=subject_name(resolved.chain[0]),
        )
    return check


_DS = "http://www.w3.org/2000/09/xmldsig#"


def open_xades(data: bytes, info: FormatInfo, ctx: OpenContext) -> Envelope:
    """A XAdES-sealed EDC (enveloped XML signature with the certificate in KeyInfo)."""
    from signxml.exceptions import InvalidInput as SignXmlInvalidInput
    from signxml.exceptions import InvalidSignature as SignXmlInvalidSignature
    from signxml.xades.xades import XAdESVerifier

    checks: list[Check] = [detected_check(info)]
    sig = CheckName.PROOF_SIGNATURE
    root = parse_xml(data)  # the bounded, DTD-free parse first; signxml re-parses safely
    certificates = [
        e.text for e in root.iter(f"{{{_DS}}}X509Certificate") if e.text and e.text.strip()
    ]
    if not certificates:
        checks.append(
            errored(sig, "no-certificate", "the XML signature carries no X509Certificate")
        )
        return Envelope(info, None, None, checks)
    try:
        chain = tuple(
            x509.load_der_x509_certificate(base64.b64decode("".join(c.split())))
            for c in certificates[:8]
        )
    except (ValueError, binascii.Error) as exc:
        checks.append(
            failed(sig, "bad-certificate", f"a KeyInfo certificate cannot be read: {exc}")
        )
        return Envelope(info, None, None, checks)
    signer = subject_name(chain[0])
    pem = chain[0].public_bytes(
        encoding=__import__(
            "cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]
        ).Encoding.PEM
    )
    try:
        # XAdES signs the document, its SignedProperties and, with some signers, KeyInfo:
        # any number of references, of which one must be the whole document (checked below).
        results = XAdESVerifier().verify(
            data, x509_cert=pem.decode("ascii"), expect_references=True
        )
    except SignXmlInvalidSignature as exc:
        checks.append(
            failed(sig, "bad-signature", f"the XAdES seal by {signer} does not verify: {exc}")
        )
        return Envelope(info, None, None, checks, details={"signer": signer})
    except (SignXmlInvalidInput, ValueError) as exc:
        checks.append(failed(sig, "malformed-xades", f"the XAdES seal cannot be verified: {exc}"))
        return Envelope(info, None, None, checks, details={"signer": signer})
    verified = results if isinstance(results, list) else [results]
    signed = next(
        (
            r.signed_xml
            for r in verified
            if r.signed_xml is not None and str(r.signed_xml.tag) == str(root.tag)
        ),
        None,
    )
    if signed is None:
        checks.append(
            failed(
                sig,
                "seal-does-not-cover-document",
                f"the XAdES seal by {signer} verifies, but none of its references is the whole "
                "credential: what it signs is not what was received",
                signer=signer,
            )
        )
        return Envelope(info, None, None, checks, details={"signer": signer})
    checks.append(passed(sig, "verified", f"the XAdES seal by {signer} is valid", signer=signer))
    signed_at = None
    for element in root.iter():
        if local_name(element) == "SigningTime" and element.text:
            signed_at = parse_datetime(element.text.strip())
    resolved = ResolvedKey(import_native_key(chain[0].public_key()), "x5c", chain=chain)
    checks.append(_seal_binding(resolved, None, ctx, signed_at))
    return Envelope(
        info,
        None,
        None,
        checks,
        details={
            "dataModel": "edc-xml",
            "signer": signer,
            "signedRoot": local_name(signed) if signed is not None else None,
        },
        signer=Signer("x5c", signed_at=signed_at, chain=chain),
    )


__all__ = ["open_jades", "open_xades"]
