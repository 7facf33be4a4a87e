"""Selective Disclosure for JWTs (IETF RFC 9901, "SD-JWT"), verifier side.

Written here rather than taken from the reference implementation (``sd-jwt`` 0.10 on PyPI):
that package does not reject disclosures the issuer-signed JWT does not reference (§7.1
step 5), does not refuse the claim names ``_sd``/``...`` in disclosures (§7.1 step 3.3),
supports only SHA-256, pins the key-binding JWT to ES256 and has not been released since
2024. The processing below follows §7.1 ("Verification of the SD-JWT") and §7.3
("Verification by the Verifier") step by step.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from diploma_exchange.errors import InvalidInput, KeyLoadError
from diploma_exchange.formats.claims import numeric_date
from diploma_exchange.formats.inputs import (
    MAX_JSON_DEPTH,
    SdJwtParts,
    b64url_decode,
    b64url_encode,
    parse_compact_jws,
)
from diploma_exchange.formats.jose import verify_compact_signature
from diploma_exchange.formats.keys import import_public_jwk
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    CheckStatus,
    errored,
    failed,
    passed,
    skipped,
)

#: IANA "Named Information Hash Algorithm" names accepted in ``_sd_alg`` (RFC 9901 §4.1.1).
HASH_ALGORITHMS: Final[Mapping[str, Callable[[bytes], Any]]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
    "sha3-256": hashlib.sha3_256,
    "sha3-384": hashlib.sha3_384,
    "sha3-512": hashlib.sha3_512,
}
#: SD-JWT VC §3.2.2: claims that must not be selectively disclosable.
SD_JWT_VC_NEVER_DISCLOSABLE: Final = frozenset({"iss", "nbf", "exp", "cnf", "vct", "status"})


class DisclosureError(InvalidInput):
    """The disclosures do not match the issuer-signed JWT (the SD-JWT must be rejected)."""

    code = "invalid-disclosures"


@dataclass(frozen=True, slots=True)
class _Disclosure:
    digest: str
    name: str | None  # None for an array element
    value: Any


def digest_of(text: str, algorithm: str) -> str:
    """base64url(hash(ASCII(text))) (RFC 9901 §4.2.3)."""
    return b64url_encode(HASH_ALGORITHMS[algorithm](text.encode("ascii")).digest())


def _decode_disclosure(text: str, algorithm: str) -> _Disclosure:
    raw = b64url_decode(text, what="a disclosure")
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DisclosureError("a disclosure is not base64url-encoded JSON") from exc
    if not isinstance(value, list) or len(value) not in (2, 3) or not isinstance(value[0], str):
        raise DisclosureError("a disclosure must be a JSON array [salt, (name,) value]")
    if len(value) == 3:
        name = value[1]
        if not isinstance(name, str):
            raise DisclosureError("a disclosure's claim name must be a string")
        # §7.1 step 3.3.2.4: the claim name must not be _sd or ...
        if name in ("_sd", "..."):
            raise DisclosureError(f"a disclosure may not disclose the claim name {name!r}")
        return _Disclosure(digest_of(text, algorithm), name, value[2])
    return _Disclosure(digest_of(text, algorithm), None, value[1])


@dataclass(frozen=True, slots=True)
class ProcessedSdJwt:
    claims: dict[str, Any]
    disclosed: tuple[str, ...]  # the disclosed claim names (array elements as "[]")
    algorithm: str


def process_disclosures(payload: Mapping[str, Any], disclosures: tuple[str, ...]) -> ProcessedSdJwt:
    """RFC 9901 §7.1 steps 3-5: replace digests by the disclosed claims.

    Raises:
        DisclosureError: an unsupported ``_sd_alg``, a malformed disclosure, a digest used
            twice, a disclosed name that already exists, a disclosure of the wrong kind at
            its place, or a disclosure the payload does not reference.
    """
    # 3.1 the hash algorithm
    algorithm = payload.get("_sd_alg", "sha-256")
    if algorithm not in HASH_ALGORITHMS:
        raise DisclosureError(f"unsupported _sd_alg {algorithm!r}")
    by_digest: dict[str, _Disclosure] = {}
    for text in disclosures:
        disclosure = _decode_disclosure(text, algorithm)
        if disclosure.digest in by_digest:
            raise DisclosureError("the same disclosure is presented twice")
        by_digest[disclosure.digest] = disclosure
    seen: set[str] = set()
    used: list[_Disclosure] = []

    def take(digest: Any) -> _Disclosure | None:
        if not isinstance(digest, str):
            raise DisclosureError("a digest must be a string")
        # 3.4 (and §7.1 step 4): a digest may appear only once in the payload and disclosures
        if digest in seen:
            raise DisclosureError("a digest appears more than once")
        seen.add(digest)
        found = by_digest.get(digest)
        if found is not None:
            used.append(found)
        return found

    def walk(node: Any, depth: int) -> Any:
        if depth > MAX_JSON_DEPTH * 2:
            raise DisclosureError("the disclosed claims are nested too deeply")
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            digests = node.get("_sd", [])
            if not isinstance(digests, list):
                raise DisclosureError("_sd must be an array of digests")
            for key, value in node.items():
                if key in ("_sd", "_sd_alg") and depth == 0 or key == "_sd":
                    continue
                out[key] = walk(value, depth + 1)
            for digest in digests:  # 3.2.1 embedded digests in objects
                disclosure = take(digest)
                if disclosure is None:
                    continue  # a decoy digest, or a claim not disclosed
                if disclosure.name is None:
                    raise DisclosureError("an array-element disclosure is referenced from _sd")
                if disclosure.name in out:  # 3.3.2.5 the claim name must not exist already
                    raise DisclosureError(f"the disclosed claim {disclosure.name!r} already exists")
                out[disclosure.name] = walk(disclosure.value, depth + 1)
            return out
        if isinstance(node, list):
            items: list[Any] = []
            for element in node:
                # 3.2.2 embedded digests in arrays: {"...": digest}
                if isinstance(element, dict) and len(element) == 1 and "..." in element:
                    disclosure = take(element["..."])
                    if disclosure is None:
                        continue
                    if disclosure.name is not None:
                        raise DisclosureError(
                            "an object-property disclosure is referenced as an array element"
                        )
                    items.append(walk(disclosure.value, depth + 1))
                else:
                    items.append(walk(element, depth + 1))
            return items
        return node

    claims = walk(payload, 0)
    if not isinstance(claims, dict):  # pragma: no cover - payload is an object
        raise DisclosureError("the SD-JWT payload is not an object")
    claims.pop("_sd_alg", None)
    # 5. every disclosure must have been referenced
    if len(used) != len(by_digest):
        raise DisclosureError(
            f"{len(by_digest) - len(used)} disclosure(s) are not referenced by the issuer-signed JWT"
        )
    names = tuple(d.name if d.name is not None else "[]" for d in used)
    return ProcessedSdJwt(claims, names, algorithm)


def disclosures_check(
    parts: SdJwtParts, payload: Mapping[str, Any], *, sd_jwt_vc: bool
) -> tuple[Check, ProcessedSdJwt | None]:
    """``proof.disclosures``: every disclosure is one the issuer signed a digest of."""
    name = CheckName.PROOF_DISCLOSURES
    try:
        processed = process_disclosures(payload, parts.disclosures)
    except InvalidInput as exc:
        return failed(name, exc.code, exc.message), None
    if sd_jwt_vc:
        forbidden = sorted(set(processed.disclosed) & SD_JWT_VC_NEVER_DISCLOSABLE)
        if forbidden:
            return (
                failed(
                    name,
                    "forbidden-disclosure",
                    f"SD-JWT VC claims {', '.join(forbidden)} must not be selectively disclosed",
                ),
                None,
            )
    count = len(parts.disclosures)
    return (
        passed(
            name,
            "disclosures-verified",
            f"{count} disclosure(s) match digests the issuer signed ({processed.algorithm})"
            if count
            else "no claims are selectively disclosed; the issuer-signed claims are shown",
            disclosed=sorted(set(processed.disclosed)),
        ),
        processed,
    )


def key_binding_check(
    parts: SdJwtParts,
    claims: Mapping[str, Any],
    *,
    algorithm: str,
    audience: str | None,
    nonce: str | None,
    required: bool,
    now: datetime,
    max_age: timedelta,
    leeway: timedelta,
) -> Check:
    """``proof.holder-binding`` (RFC 9901 §7.3 step 5): the key-binding JWT, when present,
    is signed by the ``cnf`` key, is fresh, names the expected audience and nonce, and its
    ``sd_hash`` covers exactly the presented SD-JWT."""
    name = CheckName.PROOF_HOLDER_BINDING
    expected = audience is not None or nonce is not None
    if parts.key_binding_jwt is None:
        if required or expected:
            return failed(
                name,
                "missing-key-binding",
                "holder binding was required, but the SD-JWT has no key-binding JWT",
            )
        return skipped(
            name,
            "no-key-binding",
            "the SD-JWT was presented without a key-binding JWT; whoever holds it presented it",
        )
    try:
        kb = parse_compact_jws(parts.key_binding_jwt, what="the key-binding JWT")
        kb_claims = kb.payload_json("the key-binding JWT payload")
    except InvalidInput as exc:
        return failed(name, "malformed-key-binding", exc.message)
    # 5.2 typ must be kb+jwt
    if kb.header.get("typ") != "kb+jwt":
        return failed(name, "malformed-key-binding", "the key-binding JWT's typ is not kb+jwt")
    cnf = claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, Mapping) else None
    if not isinstance(jwk, Mapping):
        return errored(
            name,
            "unsupported-holder-key",
            "the credential binds no holder key as cnf.jwk, so the key-binding JWT cannot be checked",
        )
    try:
        holder_key = import_public_jwk(jwk)
    except KeyLoadError as exc:
        return failed(
            name, "bad-holder-key", f"the holder key in cnf cannot be used: {exc.message}"
        )
    # 5.3 the signature with the holder's key
    signature = verify_compact_signature(kb.text, kb.header, holder_key, what="key-binding JWT")
    if signature.status is not CheckStatus.PASSED:
        return type(signature)(name, signature.status, signature.code, signature.message)
    # 5.5 sd_hash over <issuer-jwt>~<disclosures>~ (the KB-JWT is for exactly this SD-JWT)
    presented = "~".join((parts.issuer_jwt, *parts.disclosures)) + "~"
    if kb_claims.get("sd_hash") != digest_of(presented, algorithm):
        return failed(
            name, "sd-hash-mismatch", "the key-binding JWT's sd_hash does not cover this SD-JWT"
        )
    # 5.4 iat within an acceptable window. Freshness protects a verifier that asked for a
    # presentation (an audience and a nonce) against replay; when none was asked for, an
    # older key-binding JWT only says when the holder presented it, and an authentic
    # credential is not made invalid by it.
    iat = numeric_date(kb_claims.get("iat"))
    if iat is None:
        return failed(name, "malformed-key-binding", "the key-binding JWT has no iat")
    fresh = now - max_age - leeway <= iat <= now + leeway
    if not fresh and (expected or required):
        return failed(
            name,
            "stale-key-binding",
            f"the key-binding JWT was made at {iat.isoformat()}, outside the accepted window "
            f"of {int(max_age.total_seconds())} s",
        )
    if audience is not None and kb_claims.get("aud") != audience:
        return failed(
            name,
            "wrong-audience",
            f"the key-binding JWT is for {kb_claims.get('aud')!r}, not {audience!r}",
        )
    if nonce is not None and kb_claims.get("nonce") != nonce:
        return failed(name, "wrong-nonce", "the key-binding JWT's nonce is not the one expected")
    if not expected:
        return passed(
            name,
            "holder-signed",
            f"the holder signed this presentation with the bound key at {iat.isoformat()} (no "
            "audience or nonce was expected, so replay was not checked)",
            aud=kb_claims.get("aud"),
        )
    return passed(
        name, "holder-bound", "the holder signed this presentation for this audience and nonce"
    )


__all__ = [
    "DisclosureError",
    "ProcessedSdJwt",
    "digest_of",
    "disclosures_check",
    "key_binding_check",
    "process_disclosures",
]
