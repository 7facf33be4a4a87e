"""The common checks of credentials that arrive in an envelope (JWT, SD-JWT, COSE, JAdES,
XAdES, Open Badges 2.0, Blockcerts): the envelope's own checks come from
:func:`diploma_exchange.formats.open_envelope`; these answer the core questions the Data
Integrity path answers with :mod:`.coverage`, :mod:`.keys`, :mod:`.format` and :mod:`.dates`,
in the terms of each format, on the envelope's secured payload (``Examined.secured``):

- ``proof.coverage``: an envelope's signature (or Merkle hash) covers its whole payload, so
  nothing unsigned can be appended; what a selectively disclosed credential hides is named
  (``proof.disclosures`` checked that each disclosed claim is one the issuer signed);
- ``key.validity``: a DID key through the same signing-window rules as a Data Integrity
  proof (:func:`.keys.proof_key_validity`: DID document ``revoked``, key event logs), with
  the envelope's claimed signing time (``iat``/``nbf``, JAdES ``sigT``); a certificate must
  have been valid at the signing time;
- ``format.schema``: the W3C VC structure for W3C payloads, and for the other data models
  (Open Badges 2.0, SD-JWT VC) the members their specifications require;
- ``validity.period``: VC 1.1/2.0 dates by the base context, Open Badges 2.0 ``issuedOn`` /
  ``expires``, or the JWT's own ``nbf``/``exp`` when the payload is not a W3C VC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from diploma_exchange.dids.document import DidResolver
from diploma_exchange.formats.keys import validate_chain
from diploma_exchange.formats.model import Envelope
from diploma_exchange.verification.checks.dates import check_period, data_model
from diploma_exchange.verification.checks.keys import proof_key_validity
from diploma_exchange.verification.dates import parse_datetime
from diploma_exchange.verification.lookups import KeyHistory, SchemaValidator
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    CheckStatus,
    errored,
    failed,
    passed,
    skipped,
)
from diploma_exchange.verification.state import Examined
from diploma_exchange.verification.vcdm import received_credential_problems

_SECURED_BY = {
    "jws": "JWS signature",
    "vc-jwt": "JWS signature",
    "sd-jwt": "SD-JWT issuer signature",
    "cose": "COSE_Sign1 signature",
    "jades": "JAdES seal",
    "xades": "XAdES seal",
    "signed": "JWS signature",
    "hosted": "issuer's hosted copy",
    "merkle-proof-2017": "Merkle proof (the certificate's hash)",
    "merkle-proof-2019": "Merkle proof (the certificate's hash)",
}


def not_read(name: CheckName, envelope: Envelope) -> Check:
    """A later check when the envelope's signature verified over content this verifier does
    not read as a credential (an XML credential), or when nothing verified."""
    if envelope.signer is not None and envelope.credential is None:
        return skipped(
            name,
            "content-not-read",
            f"not checked: the {envelope.format.label} is sealed, but its content is not read "
            "as a credential by this verifier",
        )
    return skipped(name, "proof-not-verified", "not checked: no proof of the issuer verified")


def coverage(envelope: Envelope, examined: Examined) -> Check:
    name = CheckName.PROOF_COVERAGE
    if examined.secured is None:
        return not_read(name, envelope)
    securing = envelope.format.securing or "signature"
    by = _SECURED_BY.get(securing, securing)
    uncovered = envelope.details.get("uncovered")
    if uncovered:
        return errored(
            name,
            "uncovered-properties",
            f"the {by} does not cover the properties {', '.join(map(str, uncovered))} (they "
            "cannot be read as JSON-LD): anyone could have changed them",
            properties=list(uncovered),
        )
    disclosed = envelope.details.get("disclosed")
    if securing == "sd-jwt":
        return passed(
            name,
            "enveloped",
            "every claim the checks read is signed by the issuer, directly or as a disclosure "
            "whose digest the issuer signed; undisclosed claims are not shown and not read",
            disclosed=list(disclosed) if isinstance(disclosed, list | tuple) else [],
        )
    return passed(
        name,
        "enveloped",
        f"the {by} covers the whole credential; nothing outside it is read",
    )


def key_validity(
    envelope: Envelope,
    examined: Examined,
    *,
    resolver: DidResolver,
    history: KeyHistory | None,
) -> Check:
    """Was the signing key allowed to sign when the envelope was made?"""
    name = CheckName.KEY_VALIDITY
    signer = envelope.signer
    if examined.secured is None or signer is None:
        if signer is None and envelope.format.securing in (
            "merkle-proof-2017",
            "merkle-proof-2019",
        ):
            return errored(
                name,
                "anchor-not-checked",
                "a Blockcerts certificate's key is the sender of its blockchain transaction, "
                "which was not looked up (see proof.anchor)",
            )
        return not_read(name, envelope)
    when = signer.signed_at
    if signer.source == "did" and signer.method_id:
        proof: dict[str, Any] = {"verificationMethod": signer.method_id}
        if when is not None:
            proof["created"] = when.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return proof_key_validity(
            proof,
            resolver=resolver,
            history=history,
            evidence=examined.issuance,
            now=examined.now,
        )
    if signer.source == "x5c" and signer.chain:
        at = when or examined.now
        result = validate_chain(signer.chain, trusted=(), at=at)
        if not result.ok:
            return failed(name, result.code, result.message)
        said = f"signed at {when.isoformat()}" if when else "no signing time is stated; checked now"
        return passed(
            name,
            "certificate-valid-at-signing",
            f"the signing certificate (and its chain) was valid when the credential was sealed "
            f"({said}); revocation of the certificate is not looked up",
        )
    if signer.source == "jwt-vc-issuer":
        return passed(
            name,
            "issuer-metadata-key",
            "the key is among those the issuer publishes now in its JWT VC issuer metadata; "
            "no key history is published",
        )
    if signer.source == "ob2-key":
        revoked = signer.key_details.get("revoked")
        if revoked is True:
            return failed(
                name, "key-revoked", f"the issuer has revoked the signing key {signer.method_id}"
            )
        return passed(
            name,
            "no-key-history",
            f"the signing key {signer.method_id} is published by the issuer and not revoked",
        )
    if signer.source == "blockcerts-profile":
        # proof.key-binding compared the sender with the profile's key entries (created,
        # revoked, expires) at the transaction's time, which the issuer cannot choose
        return passed(
            name,
            "key-valid-at-anchoring",
            f"the sending key {signer.method_id} was a key of the issuer when the transaction "
            f"was mined ({signer.signed_at.isoformat() if signer.signed_at else 'time unknown'})",
        )
    if signer.source == "hosted":
        return passed(
            name,
            "hosted",
            "a hosted assertion has no signing key: the issuer's server serves it now",
        )
    return errored(
        name,
        "self-asserted-key",
        "the signing key is carried in the credential itself; nothing says whose it is or "
        "when it was valid",
    )


def _ob2_problems(assertion: Mapping[str, Any]) -> list[str]:
    """Open Badges 2.0 §Assertion: required members."""
    problems = [
        f"{member} is missing"
        for member in ("id", "recipient", "badge", "verification", "issuedOn")
        if member not in assertion
    ]
    recipient = assertion.get("recipient")
    if isinstance(recipient, Mapping) and not isinstance(recipient.get("identity"), str):
        problems.append("recipient.identity is missing")
    return problems


def schema(
    envelope: Envelope, examined: Examined, validate: SchemaValidator | None = None
) -> Check:
    """``format.schema`` of an envelope's payload, by its data model."""
    name = CheckName.FORMAT_SCHEMA
    if examined.secured is None:
        return not_read(name, envelope)
    credential = examined.secured
    model = str(envelope.details.get("dataModel") or "")
    if model.startswith("w3c-vc") or model == "edc" or data_model(credential) is not None:
        check = validate or received_credential_problems
        problems = check({k: v for k, v in credential.items() if k != "proof"})
        if not problems:
            return passed(
                name, "conforms", "the credential conforms to the VC Data Model structure"
            )
        first = problems[0]
        where = f" at {first.pointer}" if first.pointer else ""
        # An authentic credential of another issuer that bends the data model (an id that
        # is not a URL, a schema without one) is not forged: what it means is unclear, so
        # the answer is "cannot say" (indeterminate), never "invalid".
        return errored(
            name,
            "nonconformant-structure",
            f"the credential does not conform to the VC Data Model ({len(problems)} "
            f"problem(s)); first{where}: {first.message}",
            problems=[{"pointer": p.pointer, "message": p.message} for p in problems[:50]],
        )
    if model == "ob-2.0":
        found = _ob2_problems(credential)
        if found:
            return errored(
                name,
                "nonconformant-structure",
                f"the assertion does not conform to Open Badges 2.0: {'; '.join(found)}",
            )
        return passed(name, "conforms", "the assertion has the members Open Badges 2.0 requires")
    if model == "sd-jwt-vc":
        # vct and iss were checked by format.envelope (SD-JWT VC §3.2.2.2).
        return passed(
            name, "conforms", "the SD-JWT VC has the claims its specification requires (iss, vct)"
        )
    return errored(
        name,
        "unknown-data-model",
        f"the payload of the {envelope.format.label} is not a data model this verifier validates",
    )


def period(envelope: Envelope, examined: Examined) -> Check:
    """``validity.period`` by the payload's data model; a JWT's own ``nbf``/``exp`` (checked
    by the envelope) must agree too: a token past its ``exp`` is expired whatever its payload
    says."""
    name = CheckName.VALIDITY_PERIOD
    if examined.secured is None:
        return not_read(name, envelope)
    own = next((c for c in envelope.checks if c.name is name), None)
    if own is not None and own.status is not CheckStatus.PASSED:
        return own
    credential = examined.secured
    if data_model(credential) is not None:
        return check_period(credential, examined.now)
    if own is not None:
        return own
    if envelope.details.get("dataModel") == "ob-2.0":
        return _ob2_period(credential, examined.now)
    return errored(
        name,
        "unknown-data-model",
        "this verifier does not know which properties hold the credential's validity period",
    )


def presentation_period(envelope: Envelope, examined: Examined) -> Check:
    """A presentation's own validity: its token's ``nbf``/``exp`` (checked by the envelope)
    or, for VC 2.0, ``validFrom``/``validUntil`` when it states them; a presentation has no
    issuance date to require."""
    name = CheckName.VALIDITY_PERIOD
    if examined.secured is None:
        return not_read(name, envelope)
    own = next((c for c in envelope.checks if c.name is name), None)
    if own is not None and own.status is not CheckStatus.PASSED:
        return own
    presentation = examined.secured
    if data_model(presentation) == "2.0" and (
        "validFrom" in presentation or "validUntil" in presentation
    ):
        return check_period(presentation, examined.now)
    if own is not None:
        return own
    return passed(name, "no-period", "the presentation states no validity period of its own")


def ob2_datetime(value: Any) -> datetime | None:
    """An Open Badges 2.0 ``DateTime``: an ISO 8601 date-time (an offset-less one read as
    UTC), a date (its start, UTC; Blockcerts v2 certificates use them), or an integer Unix
    timestamp."""
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    parsed = parse_datetime(value)
    if parsed is not None:
        return parsed
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return None
    return naive if naive.tzinfo is not None else naive.replace(tzinfo=UTC)


def _ob2_period(assertion: Mapping[str, Any], now: datetime) -> Check:
    name = CheckName.VALIDITY_PERIOD
    issued_raw, expires_raw = assertion.get("issuedOn"), assertion.get("expires")
    issued = ob2_datetime(issued_raw)
    expires = ob2_datetime(expires_raw)
    if issued is None:
        return failed(name, "malformed-date", "issuedOn is missing or not a date-time")
    if expires_raw is not None and expires is None:
        return failed(name, "malformed-date", "expires is not a date-time")
    if expires is not None and expires < issued:
        return failed(name, "inverted-period", "expires is before issuedOn")
    if now < issued:
        return failed(name, "not-yet-valid", f"the assertion claims to be issued at {issued_raw}")
    if expires is not None and now > expires:
        return failed(name, "expired", f"the assertion expired at {expires_raw}")
    bounds = f"issuedOn {issued_raw}" + (f", expires {expires_raw}" if expires_raw else "")
    return passed(
        name,
        "within-period",
        f"the assertion is within its validity period ({bounds})",
        dataModel="ob-2.0",
    )


__all__ = [
    "coverage",
    "key_validity",
    "not_read",
    "ob2_datetime",
    "period",
    "presentation_period",
    "schema",
]
