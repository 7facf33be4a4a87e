"""JOSE and COSE secured credentials: VC-JWT 1.1 (``vc``/``vp`` claims: EBSI, OB 3.0 JWT),
VC-JOSE-COSE (``vc+jwt``, ``vp+jwt``, ``vc+sd-jwt``, ``vc+cose``) and IETF SD-JWT VC
(``dc+sd-jwt``; ``vc+sd-jwt`` typed tokens without ``@context``).

Order of work: parse; find the key; verify the signature; only then read the payload
(everything after the signature runs on the signed bytes only); disclosures; claims
mapping; holder binding; the format's own status reference.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from diploma_exchange.errors import Error, InvalidInput
from diploma_exchange.formats import cose, sd_jwt
from diploma_exchange.formats.claims import (
    envelope_check,
    issuer_id,
    jose_payload_conflicts,
    jwt_time_check,
    map_vc_jwt,
    numeric_date,
    strip_jwt_claims,
    vc_version,
)
from diploma_exchange.formats.context import OpenContext, detected_check
from diploma_exchange.formats.inputs import (
    CompactJws,
    b64url_decode,
    json_object,
    parse_compact_jws,
    split_sd_jwt,
)
from diploma_exchange.formats.jose import verify_compact_signature
from diploma_exchange.formats.keys import KeyNotFound, key_binding_check, resolve_jws_key
from diploma_exchange.formats.model import (
    DocumentFetcher,
    Envelope,
    FormatInfo,
    FormatName,
    Signer,
    StatusKind,
    StatusReference,
)
from diploma_exchange.status.token_status_list import (
    StatusListError,
    TokenStatus,
    TokenStatusReference,
    parse_status_claim,
    status_list_from_cwt_claims,
    status_list_from_jwt_claims,
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

#: Presentations may carry this many credentials.
MAX_PRESENTED_CREDENTIALS = 50


def _unverified(info: FormatInfo, checks: list[Check], issuer: str | None = None) -> Envelope:
    """An envelope whose signature did not pass: no payload is handed on."""
    return Envelope(info, None, issuer, checks)


def _signature_and_binding(
    header: Mapping[str, Any],
    issuer: str | None,
    ctx: OpenContext,
    verify: Any,
    *,
    signed_at: datetime | None,
    require_san_match: bool = False,
) -> tuple[Check, Check, Signer | None]:
    """Resolve the key, verify with ``verify(key)``, judge the key binding; the signer is
    returned when the signature verified."""
    try:
        resolved = resolve_jws_key(
            header, issuer=issuer, resolver=ctx.resolver, fetcher=ctx.fetcher
        )
    except KeyNotFound as exc:
        check = errored(CheckName.PROOF_SIGNATURE, exc.code, exc.message)
        return check, errored(CheckName.PROOF_KEY_BINDING, exc.code, exc.message), None
    signature: Check = verify(resolved.key)
    if signature.status is not CheckStatus.PASSED:
        return (
            signature,
            skipped(
                CheckName.PROOF_KEY_BINDING,
                "signature-not-verified",
                "the signature did not verify",
            ),
            None,
        )
    binding = key_binding_check(
        resolved,
        issuer,
        trusted=ctx.options.trusted_certificates,
        trust_list_name=ctx.options.trust_list_name,
        signed_at=signed_at,
        now=ctx.now,
        require_san_match=require_san_match,
    )
    signer = Signer(
        resolved.source,
        method_id=resolved.method_id,
        signed_at=signed_at,
        chain=resolved.chain,
    )
    return signature, binding, signer


# --- compact JWTs ---------------------------------------------------------------------------


def open_compact_jwt(text: str, info: FormatInfo, ctx: OpenContext) -> Envelope:
    """VC-JWT / VP-JWT / VC-JOSE / VP-JOSE / OB 3.0 JWT."""
    checks = [detected_check(info)]
    try:
        token = parse_compact_jws(text)
        unverified = token.payload_json()
    except InvalidInput as exc:
        checks.append(failed(CheckName.PROOF_SIGNATURE, exc.code, exc.message))
        return _unverified(info, checks)
    member = "vp" if info.name in (FormatName.VP_JWT,) else "vc"
    carried = unverified.get(member) if info.securing == "vc-jwt" else unverified
    issuer_claim = unverified.get("iss")
    issuer = issuer_claim if isinstance(issuer_claim, str) else None
    if issuer is None and isinstance(carried, Mapping):
        issuer = issuer_id(carried.get("holder" if member == "vp" else "issuer"))
    signature, binding, signer = _signature_and_binding(
        token.header,
        issuer,
        ctx,
        lambda key: verify_compact_signature(text, token.header, key, what=info.label),
        signed_at=numeric_date(unverified.get("iat")) or numeric_date(unverified.get("nbf")),
    )
    checks.append(signature)
    if signature.status is not CheckStatus.PASSED:
        checks.append(binding)
        return _unverified(info, checks, issuer)
    claims = unverified  # now covered by the verified signature
    notes: list[str] = []
    if info.securing == "vc-jwt":
        document, conflicts, notes = map_vc_jwt(claims, member)
    else:
        document, conflicts = strip_jwt_claims(claims), jose_payload_conflicts(claims)
    checks.append(binding)
    checks.append(envelope_check(conflicts, "JWT", notes))
    if info.securing != "vc-jwt":
        # VC-JOSE-COSE §3.1.2: exp/nbf beside the credential bound the token's validity.
        checks.append(jwt_time_check(claims, ctx.now, ctx.options.leeway, what="JWT"))
    status_entries, status_check = _token_status(claims, issuer, ctx)
    presentation: tuple[Envelope, ...] = ()
    if info.name in (FormatName.VP_JWT, FormatName.VP_JOSE):
        checks.append(_presentation_holder_check(claims, document, ctx, kind="JWT"))
        if info.securing == "vc-jwt":
            # A presentation's own validity is its token's (nbf/exp); it has no issuance date.
            checks.append(jwt_time_check(claims, ctx.now, ctx.options.leeway, what="JWT"))
        presentation = _open_presented(document, ctx)
    return Envelope(
        info,
        document,
        issuer_id(document.get("holder" if member == "vp" else "issuer")) or issuer,
        checks,
        status_entries,
        status_check,
        presentation=presentation,
        details={"dataModel": _data_model(document), "header": _safe_header(token.header)},
        signer=signer,
        # What the issuer's register and transparency log name this token by: the SHA-256
        # of exactly the signed compact JWS (services/enveloped_issuance.py), as for the
        # issuer-signed JWT of an SD-JWT; the payload has no proof to compute a digest from.
        secured_digest=hashlib.sha256(text.encode("ascii")).hexdigest(),
    )


def _safe_header(header: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in header.items() if k in ("alg", "typ", "cty", "kid")}


def _data_model(document: Mapping[str, Any]) -> str:
    version = vc_version(document)
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    kind = "w3c-vp" if "VerifiablePresentation" in types else "w3c-vc"
    return f"{kind}-{version}" if version else kind


def _presentation_holder_check(
    claims: Mapping[str, Any], document: Mapping[str, Any], ctx: OpenContext, *, kind: str
) -> Check:
    """``proof.holder-binding`` of a JWT presentation: signed by the holder (the key
    binding above), for the expected audience and nonce."""
    name = CheckName.PROOF_HOLDER_BINDING
    audience, nonce = ctx.options.audience, ctx.options.nonce
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if audience is not None and audience not in auds:
        return failed(name, "wrong-audience", f"the presentation is for {aud!r}, not {audience!r}")
    if nonce is not None and claims.get("nonce") != nonce:
        return failed(name, "wrong-nonce", "the presentation's nonce is not the one expected")
    if audience is None and nonce is None:
        return passed(
            name,
            "holder-signed",
            f"the presentation {kind} is signed by its holder (no audience or nonce was "
            "expected, so replay was not checked)",
        )
    return passed(name, "holder-bound", "the presentation is for this audience and nonce")


def _open_presented(document: Mapping[str, Any], ctx: OpenContext) -> tuple[Envelope, ...]:
    """The credentials inside a presentation, each opened as an envelope of its own."""
    from diploma_exchange.formats.envelope import open_envelope_at_depth
    from diploma_exchange.formats.enveloped import enveloped_kind, open_enveloped

    if ctx.depth >= 1:
        return ()
    items = document.get("verifiableCredential", [])
    items = items if isinstance(items, list) else [items]
    out = []
    for index, item in enumerate(items[:MAX_PRESENTED_CREDENTIALS]):
        raw: bytes | None
        if isinstance(item, str):
            raw = item.encode("utf-8")
        elif isinstance(item, Mapping) and enveloped_kind(item) is not None:
            # VC Data Model 2.0 §4.13.1; a malformed envelope is refused, never skipped
            try:
                enveloped = open_enveloped(item)
            except InvalidInput as exc:
                # inside the signed presentation: no pointer into the request
                raise InvalidInput(
                    f"credential {index + 1} of the presentation: {exc.message}",
                    code=exc.code,
                ) from exc
            raw = enveloped.payload if enveloped is not None else None
        elif isinstance(item, Mapping):
            raw = json.dumps(item).encode("utf-8")
        else:
            raw = None
        if raw is not None:
            out.append(open_envelope_at_depth(raw, ctx, depth=ctx.depth + 1))
    return tuple(out)


# --- SD-JWT ---------------------------------------------------------------------------------


def open_sd_jwt(text: str, info: FormatInfo, ctx: OpenContext) -> Envelope:
    """IETF SD-JWT VC and VC-JOSE-COSE ``vc+sd-jwt``."""
    checks = [detected_check(info)]
    try:
        parts = split_sd_jwt(text)
        token = parse_compact_jws(parts.issuer_jwt, what="the issuer-signed JWT")
        unverified = token.payload_json()
    except InvalidInput as exc:
        checks.append(failed(CheckName.PROOF_SIGNATURE, exc.code, exc.message))
        return _unverified(info, checks)
    is_vc_dm = info.name is FormatName.VC_SD_JWT
    # A VC-JWT 1.1 (``vc`` claim) with selectively disclosable claims (walt.id's W3C SD-JWT).
    vc_jwt = info.securing == "sd-jwt" and isinstance(unverified.get("vc"), Mapping)
    issuer = unverified.get("iss") if isinstance(unverified.get("iss"), str) else None
    if is_vc_dm and issuer is None:
        issuer = issuer_id(unverified.get("issuer"))
    signature, binding, signer = _signature_and_binding(
        token.header,
        issuer,
        ctx,
        lambda key: verify_compact_signature(parts.issuer_jwt, token.header, key, what=info.label),
        signed_at=numeric_date(unverified.get("iat")),
        require_san_match=not (is_vc_dm or vc_jwt),
    )
    checks.append(signature)
    if signature.status is not CheckStatus.PASSED:
        checks.append(binding)
        return _unverified(info, checks, issuer)
    checks.append(binding)
    payload = unverified  # covered by the verified signature
    disclosures, processed = sd_jwt.disclosures_check(
        parts, payload, sd_jwt_vc=not (is_vc_dm or vc_jwt)
    )
    checks.append(disclosures)
    if processed is None:
        return Envelope(info, None, issuer, checks)
    claims = processed.claims
    checks.append(
        sd_jwt.key_binding_check(
            parts,
            claims,
            algorithm=processed.algorithm,
            audience=ctx.options.audience,
            nonce=ctx.options.nonce,
            required=ctx.options.require_holder_binding,
            now=ctx.now,
            max_age=ctx.options.max_key_binding_age,
            leeway=ctx.options.leeway,
        )
    )
    status_entries, status_check = _token_status(claims, issuer, ctx)
    if vc_jwt:
        document, problems, notes = map_vc_jwt(claims, "vc")
        checks.append(envelope_check(problems, "SD-JWT", notes))
        data_model = _data_model(document)
    elif is_vc_dm:
        checks.append(envelope_check(jose_payload_conflicts(claims), "SD-JWT"))
        checks.append(jwt_time_check(claims, ctx.now, ctx.options.leeway, what="SD-JWT"))
        document = strip_jwt_claims(claims)
        data_model = _data_model(document)
    else:
        vct = claims.get("vct")
        checks.append(
            envelope_check([] if isinstance(vct, str) and vct else ["vct is missing"], "SD-JWT VC")
        )
        checks.append(jwt_time_check(claims, ctx.now, ctx.options.leeway, what="SD-JWT VC"))
        document = claims
        data_model = "sd-jwt-vc"
    return Envelope(
        info,
        document,
        issuer,
        checks,
        status_entries,
        status_check,
        details={
            "dataModel": data_model,
            "disclosed": sorted(set(processed.disclosed)),
            "header": _safe_header(token.header),
        },
        signer=signer,
        # Disclosures and key binding vary between presentations of one issued SD-JWT; the
        # issuer-signed JWT does not, and is what an issuer records.
        secured_digest=hashlib.sha256(parts.issuer_jwt.encode("ascii")).hexdigest(),
    )


# --- COSE -----------------------------------------------------------------------------------


def open_cose(data: bytes, info: FormatInfo, ctx: OpenContext) -> Envelope:
    """VC-JOSE-COSE ``application/vc+cose``: a COSE_Sign1 whose payload is the VC JSON."""
    checks = [detected_check(info)]
    try:
        message = cose.parse_cose_sign1(data)
        unverified = json_object(message.payload, what="the COSE payload")
    except InvalidInput as exc:
        checks.append(failed(CheckName.PROOF_SIGNATURE, exc.code, exc.message))
        return _unverified(info, checks)
    issuer = issuer_id(unverified.get("issuer")) or issuer_id(unverified.get("holder"))
    signature, binding, signer = _signature_and_binding(
        message.jose_like_header(),
        issuer,
        ctx,
        lambda key: cose.verify_cose_signature(message, key, what=info.label),
        signed_at=None,
    )
    checks.append(signature)
    checks.append(binding)
    if signature.status is not CheckStatus.PASSED:
        return _unverified(info, checks, issuer)
    document = strip_jwt_claims(unverified)
    checks.append(envelope_check(jose_payload_conflicts(unverified), "COSE"))
    return Envelope(
        info,
        document,
        issuer,
        checks,
        details={"dataModel": _data_model(document)},
        signer=signer,
    )


# --- IETF Token Status List ----------------------------------------------------------------


def _token_status(
    claims: Mapping[str, Any], issuer: str | None, ctx: OpenContext
) -> tuple[tuple[StatusReference, ...], Any]:
    try:
        reference = parse_status_claim(claims)
    except StatusListError as exc:
        message = exc.message

        def malformed(fetcher: DocumentFetcher | None) -> list[Check]:
            del fetcher
            return [failed(CheckName.STATUS_REVOCATION, "malformed-status", message)]

        return (), malformed
    if reference is None:
        return (), None
    entry = StatusReference(StatusKind.TOKEN_STATUS_LIST, reference.uri, reference.index)

    def check(fetcher: DocumentFetcher | None) -> list[Check]:
        return token_status_checks(reference, issuer, ctx, fetcher)

    return (entry,), check


def token_status_checks(
    reference: TokenStatusReference,
    issuer: str | None,
    ctx: OpenContext,
    fetcher: DocumentFetcher | None,
) -> list[Check]:
    """Status of a Referenced Token (draft-ietf-oauth-status-list §8.3): fetch the status
    list token, verify it is signed by the referenced token's issuer, that its ``sub`` is
    the URI asked for and it has not expired, then read the entry. 1 (INVALID) fails
    ``status.revocation``, 2 (SUSPENDED) fails ``status.suspension``."""
    revocation = CheckName.STATUS_REVOCATION
    where = f"the status list {reference.uri}"
    if fetcher is None:
        return [
            errored(
                revocation,
                "status-not-fetched",
                f"{where} (entry {reference.index}) was not fetched: no fetcher is configured",
            )
        ]
    try:
        raw = fetcher.get_bytes(
            reference.uri, accept="application/statuslist+jwt, application/statuslist+cwt"
        )
    except Error as exc:
        return [errored(revocation, "status-list-unavailable", f"{where}: {exc.message}")]
    try:
        if raw[:1] in (b"\xd2", b"\x84", b"\xd8"):
            message = cose.parse_cose_sign1(raw)
            header = message.jose_like_header()
            cwt = cose._loads(message.payload)
            if not isinstance(cwt, Mapping):
                raise StatusListError("the status list CWT's claims are not a map")
            claims: dict[Any, Any] = {
                "sub": cwt.get(2),
                "iat": cwt.get(6),
                "exp": cwt.get(4),
                "ttl": cwt.get(65534),
            }
            status_list = status_list_from_cwt_claims(dict(cwt))
            list_issuer = issuer

            def verify(key: Any) -> Check:
                return cose.verify_cose_signature(message, key, what="status list CWT")
        else:
            token: CompactJws = parse_compact_jws(
                raw.decode("ascii", "replace").strip(), what="the status list token"
            )
            if (
                str(token.header.get("typ", "")).lower().removeprefix("application/")
                != "statuslist+jwt"
            ):
                raise StatusListError("the status list token's typ is not statuslist+jwt")
            claims = token.payload_json("the status list token")
            status_list = status_list_from_jwt_claims(claims, b64url_decode)
            header = token.header
            list_issuer = claims.get("iss") if isinstance(claims.get("iss"), str) else issuer

            def verify(key: Any) -> Check:
                return verify_compact_signature(
                    token.text, token.header, key, what="status list token"
                )
    except InvalidInput as exc:
        return [failed(revocation, exc.code, f"{where}: {exc.message}")]
    signature, binding, _ = _signature_and_binding(header, list_issuer, ctx, verify, signed_at=None)
    if signature.status is not CheckStatus.PASSED:
        status = failed if signature.status is CheckStatus.FAILED else errored
        return [
            status(revocation, "status-list-" + signature.code, f"{where}: {signature.message}")
        ]
    if list_issuer != issuer or binding.status is CheckStatus.FAILED:
        return [
            failed(
                revocation,
                "status-list-wrong-issuer",
                f"{where} is not signed by the credential's issuer {issuer}",
            )
        ]
    if claims.get("sub") != reference.uri:
        return [
            failed(
                revocation, "status-list-wrong-subject", f"{where} names sub {claims.get('sub')!r}"
            )
        ]
    exp = numeric_date(claims.get("exp"))
    if exp is not None and ctx.now - ctx.options.leeway > exp:
        return [errored(revocation, "status-list-expired", f"{where} expired at {exp.isoformat()}")]
    try:
        value = status_list.status(reference.index)
    except StatusListError as exc:
        return [failed(revocation, exc.code, f"{where}: {exc.message}")]
    details = {"statusList": reference.uri, "index": reference.index, "value": value}
    if value == TokenStatus.INVALID:
        return [failed(revocation, "revoked", "the issuer has revoked the credential", **details)]
    if value == TokenStatus.SUSPENDED:
        return [
            passed(revocation, "not-revoked", "the credential is not revoked", **details),
            failed(
                CheckName.STATUS_SUSPENSION,
                "suspended",
                "the issuer has suspended the credential",
                **details,
            ),
        ]
    if value != TokenStatus.VALID:
        return [
            errored(
                CheckName.STATUS_OTHER,
                "application-specific-status",
                f"the status list gives the application-specific status {value}",
                **details,
            )
        ]
    return [
        passed(revocation, "not-revoked", "the status list says VALID (not revoked)", **details)
    ]


__all__ = ["open_compact_jwt", "open_cose", "open_sd_jwt", "token_status_checks"]
