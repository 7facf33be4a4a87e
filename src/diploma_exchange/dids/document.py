"""DID documents as frozen value objects, and DID resolution interfaces.

References: W3C "Decentralized Identifiers (DIDs) v1.0" §3.1 (DID syntax), §3.2 (DID URL
syntax), §5.2 (verification methods), §5.3.2 (assertionMethod); W3C "Controlled
Identifiers v1.0" §2.2.2 (Multikey). Parsing is parse-then-validate:
:meth:`DidDocument.from_json` either returns a consistent document or raises
:class:`~diploma_exchange.errors.DidResolutionError`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final, Protocol, runtime_checkable

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.errors import DidResolutionError, InvalidInput, KeyLoadError
from diploma_exchange.proofs.keys import (
    ED25519_KEY_LENGTH,
    public_key_from_multibase,
    public_key_from_multikey,
)
from diploma_exchange.proofs.multibase import decode_base58btc

# DID Core §3.1: did = "did:" method-name ":" method-specific-id
#   method-name = 1*method-char (%x61-7A / DIGIT)
#   method-specific-id = *( *idchar ":" ) 1*idchar ; idchar = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
_DID = re.compile(
    r"did:(?P<method>[a-z0-9]+):(?P<msid>(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*"
    r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+)"
)
# RFC 3986 fragment = *( pchar / "/" / "?" )
_FRAGMENT = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*")

#: Verification method types whose ``publicKeyMultibase`` is an Ed25519 Multikey value.
ED25519_METHOD_TYPES: Final = frozenset({"Multikey", "Ed25519VerificationKey2020"})
#: Verification method types :meth:`VerificationMethod.public_key` can load (Multikey holds
#: Ed25519, P-256 or P-384 keys).
SUPPORTED_METHOD_TYPES: Final = frozenset(
    {
        "Multikey",
        "Ed25519VerificationKey2020",
        # Legacy key types of Ed25519Signature2018/2020 issuers and JWK methods: an Ed25519
        # key as publicKeyBase58, publicKeyMultibase or an OKP publicKeyJwk.
        "Ed25519VerificationKey2018",
        "JsonWebKey2020",
        "JsonWebKey",
    }
)
#: Longest ``publicKeyBase58`` read (an Ed25519 key has 43 or 44 characters).
_MAX_BASE58_KEY: Final = 64


def parse_did(did: str) -> tuple[str, str]:
    """Split a DID into ``(method, method_specific_id)``.

    Raises:
        DidResolutionError: ``did`` is not a syntactically valid DID (DID Core §3.1).
    """
    match = _DID.fullmatch(did) if isinstance(did, str) else None
    if match is None:
        raise DidResolutionError(f"not a valid DID: {did!r}", code="invalid-did")
    return match["method"], match["msid"]


def split_did_url(did_url: str) -> tuple[str, str]:
    """Split a DID URL ``did#fragment`` into ``(did, fragment)``; fragment may be ``""``.

    Raises:
        DidResolutionError: not a valid DID, an invalid fragment, or a DID URL with a
            path or query (not supported for verification methods).
    """
    if not isinstance(did_url, str):
        raise DidResolutionError("a DID URL must be a string", code="invalid-did")
    return _split_did_url(did_url)


@lru_cache(maxsize=1024)
def _split_did_url(did_url: str) -> tuple[str, str]:
    # A pure function of the string, asked several times per verification (the proof's
    # method, the issuer, each status list's): the answer is cached, a refusal is not.
    did, hash_sign, fragment = did_url.partition("#")
    if "/" in did or "?" in did:
        raise DidResolutionError(
            f"DID URLs with a path or query are not supported: {did_url!r}", code="invalid-did"
        )
    parse_did(did)
    if hash_sign and (not fragment or not _FRAGMENT.fullmatch(fragment)):
        raise DidResolutionError(f"invalid fragment in DID URL {did_url!r}", code="invalid-did")
    return did, fragment


def _absolute(reference: str, base_did: str) -> str:
    return base_did + reference if reference.startswith("#") else reference


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """One verification method of a DID document (DID Core §5.2)."""

    id: str
    type: str
    controller: str
    public_key_multibase: str | None = None
    #: ``publicKeyJwk`` (JsonWebKey2020 / JsonWebKey / Multikey-with-JWK methods), as given;
    #: used by the JOSE/COSE envelope formats, which carry keys as JWKs.
    public_key_jwk: Mapping[str, Any] | None = field(default=None, hash=False)
    #: VC Controlled Identifiers ``revoked``: proofs created at or after it are invalid.
    revoked: datetime | None = None
    #: ``publicKeyBase58`` (Ed25519VerificationKey2018): the raw key, base58btc.
    public_key_base58: str | None = None

    @classmethod
    def from_json(cls, value: Any, *, base_did: str, pointer: str) -> VerificationMethod:
        """Parse a verification method object; relative ``#frag`` ids resolve to ``base_did``.

        Raises:
            DidResolutionError: not an object, or ``id``/``type``/``controller`` are not
                strings, or ``publicKeyMultibase`` is present but not a string.
        """
        if not isinstance(value, Mapping):
            raise DidResolutionError("a verification method must be an object", pointer=pointer)
        fields: dict[str, str] = {}
        for name in ("id", "type", "controller"):
            if not isinstance(value.get(name), str) or not value[name]:
                raise DidResolutionError(
                    f"verification method {name} must be a non-empty string",
                    pointer=f"{pointer}/{name}",
                )
            fields[name] = value[name]
        multibase = value.get("publicKeyMultibase")
        if multibase is not None and not isinstance(multibase, str):
            raise DidResolutionError(
                "publicKeyMultibase must be a string", pointer=f"{pointer}/publicKeyMultibase"
            )
        base58_key = value.get("publicKeyBase58")
        if base58_key is not None and (
            not isinstance(base58_key, str) or len(base58_key) > _MAX_BASE58_KEY
        ):
            raise DidResolutionError(
                "publicKeyBase58 must be a short string", pointer=f"{pointer}/publicKeyBase58"
            )
        jwk = value.get("publicKeyJwk")
        if jwk is not None and (
            not isinstance(jwk, Mapping) or not all(isinstance(k, str) for k in jwk)
        ):
            raise DidResolutionError(
                "publicKeyJwk must be a JSON object", pointer=f"{pointer}/publicKeyJwk"
            )
        method_id = _absolute(fields["id"], base_did)
        split_did_url(method_id)
        revoked = value.get("revoked")
        revoked_at: datetime | None = None
        if revoked is not None:
            try:
                revoked_at = datetime.fromisoformat(str(revoked))
            except ValueError:
                revoked_at = None
            if revoked_at is None or revoked_at.tzinfo is None:
                raise DidResolutionError(
                    "revoked must be a date-time with a time zone", pointer=f"{pointer}/revoked"
                )
        return cls(
            id=method_id,
            type=fields["type"],
            controller=_absolute(fields["controller"], base_did),
            public_key_multibase=multibase,
            public_key_jwk=MappingProxyType(dict(jwk)) if jwk is not None else None,
            revoked=revoked_at,
            public_key_base58=base58_key,
        )

    def public_key(self) -> Ed25519PublicKey | EllipticCurvePublicKey:
        """Return the public key of a ``Multikey`` or ``Ed25519VerificationKey2020`` method.

        A ``Multikey`` may hold an Ed25519 (``z6Mk...``), P-256 (``zDn...``) or P-384
        (``z82...``) key; an ``Ed25519VerificationKey2020`` only an Ed25519 key.

        Raises:
            DidResolutionError: another method type, or no ``publicKeyMultibase``.
            KeyLoadError: ``publicKeyMultibase`` is not a supported Multikey value (or, for
                ``Ed25519VerificationKey2020``, not an Ed25519 one).
        """
        if self.type not in SUPPORTED_METHOD_TYPES:
            raise DidResolutionError(
                f"verification method {self.id} has type {self.type!r}; expected one of "
                f"{', '.join(sorted(SUPPORTED_METHOD_TYPES))}",
                code="unsupported-verification-method",
            )
        if self.public_key_multibase is not None:
            if self.type in ("Multikey", "JsonWebKey2020", "JsonWebKey"):
                return public_key_from_multikey(self.public_key_multibase)
            return public_key_from_multibase(self.public_key_multibase)
        if self.public_key_base58 is not None and self.type.startswith("Ed25519"):
            return _ed25519_from_base58(self.public_key_base58)
        if self.public_key_jwk is not None:
            return _public_key_from_jwk(self.public_key_jwk, self.id)
        raise DidResolutionError(
            f"verification method {self.id} has no publicKeyMultibase, publicKeyBase58 or "
            "publicKeyJwk",
            code="unsupported-verification-method",
        )


def _ed25519_from_base58(value: str) -> Ed25519PublicKey:
    """An Ed25519 public key given as ``publicKeyBase58`` (32 raw bytes, base58btc).

    Raises:
        KeyLoadError: not base58btc, or not 32 bytes.
    """
    try:
        raw = decode_base58btc("z" + value)
    except InvalidInput as exc:
        raise KeyLoadError(f"publicKeyBase58 is not valid base58: {exc.message}") from exc
    if len(raw) != ED25519_KEY_LENGTH:
        raise KeyLoadError(f"publicKeyBase58 has {len(raw)} bytes; an Ed25519 key has 32")
    return Ed25519PublicKey.from_public_bytes(raw)


def _public_key_from_jwk(
    jwk: Mapping[str, Any], method_id: str
) -> Ed25519PublicKey | EllipticCurvePublicKey:
    """An Ed25519 (``OKP``/``Ed25519``) or P-256/P-384 (``EC``) public ``publicKeyJwk``.

    Raises:
        DidResolutionError: another key type or curve (``unsupported-verification-method``).
        KeyLoadError: the coordinates are not a valid key, or the JWK has a private part.
    """
    if "d" in jwk:
        raise KeyLoadError(f"the publicKeyJwk of {method_id} contains a private key")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    try:
        if kty == "OKP" and crv == "Ed25519":
            raw = _b64url(jwk.get("x"))
            if len(raw) != ED25519_KEY_LENGTH:
                raise KeyLoadError(f"the Ed25519 publicKeyJwk of {method_id} is not 32 bytes")
            return Ed25519PublicKey.from_public_bytes(raw)
        curves: dict[Any, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}
        if kty == "EC" and crv in curves:
            x = int.from_bytes(_b64url(jwk.get("x")), "big")
            y = int.from_bytes(_b64url(jwk.get("y")), "big")
            return ec.EllipticCurvePublicNumbers(x, y, curves[crv]).public_key()
    except (ValueError, TypeError) as exc:
        raise KeyLoadError(f"the publicKeyJwk of {method_id} is not a valid key") from exc
    raise DidResolutionError(
        f"verification method {method_id} has a publicKeyJwk with kty {kty!r} and crv {crv!r}; "
        "supported: OKP Ed25519, EC P-256 and P-384",
        code="unsupported-verification-method",
    )


def _b64url(value: Any) -> bytes:
    if not isinstance(value, str) or len(value) > 128:
        raise ValueError("not a base64url string")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _references(
    value: Any, *, base_did: str, pointer: str, embedded: list[VerificationMethod]
) -> tuple[str, ...]:
    """Parse a verification relationship: references (strings) or embedded methods."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DidResolutionError("a verification relationship must be a list", pointer=pointer)
    ids: list[str] = []
    for index, item in enumerate(value):
        if isinstance(item, str):
            reference = _absolute(item, base_did)
            split_did_url(reference)
            ids.append(reference)
        else:
            method = VerificationMethod.from_json(
                item, base_did=base_did, pointer=f"{pointer}/{index}"
            )
            embedded.append(method)
            ids.append(method.id)
    return tuple(ids)


@dataclass(frozen=True, slots=True)
class DidDocument:
    """A parsed, validated DID document (the subset this service needs)."""

    id: str
    verification_methods: tuple[VerificationMethod, ...]
    assertion_method_ids: tuple[str, ...]
    authentication_ids: tuple[str, ...] = ()
    controller: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, value: Any) -> DidDocument:
        """Parse and validate a DID document given as a JSON object.

        Raises:
            DidResolutionError: not an object, ``id`` is not a DID, a verification method
                or relationship is malformed, or two methods share an id.
        """
        if not isinstance(value, Mapping):
            raise DidResolutionError("a DID document must be a JSON object")
        did = value.get("id")
        if not isinstance(did, str):
            raise DidResolutionError("a DID document needs a string id", pointer="/id")
        parse_did(did)
        raw_methods = value.get("verificationMethod", [])
        if not isinstance(raw_methods, list):
            raise DidResolutionError(
                "verificationMethod must be a list", pointer="/verificationMethod"
            )
        methods = [
            VerificationMethod.from_json(item, base_did=did, pointer=f"/verificationMethod/{i}")
            for i, item in enumerate(raw_methods)
        ]
        # DID documents written before DID Core 1.0 (did:web issuers of Ed25519Signature2018
        # credentials among them) list their keys under ``publicKey``.
        legacy_keys = value.get("publicKey", [])
        if not isinstance(legacy_keys, list):
            raise DidResolutionError("publicKey must be a list", pointer="/publicKey")
        methods += [
            VerificationMethod.from_json(item, base_did=did, pointer=f"/publicKey/{i}")
            for i, item in enumerate(legacy_keys)
        ]
        assertion = _references(
            value.get("assertionMethod"), base_did=did, pointer="/assertionMethod", embedded=methods
        )
        authentication = _references(
            value.get("authentication"), base_did=did, pointer="/authentication", embedded=methods
        )
        # A method may be both listed under verificationMethod and embedded in a
        # relationship (as some did:web documents do); the same method twice is one method,
        # two different methods with one id are an error.
        seen: dict[str, VerificationMethod] = {}
        for method in methods:
            if method.id in seen and seen[method.id] != method:
                raise DidResolutionError(f"duplicate verification method id {method.id}")
            seen.setdefault(method.id, method)
        methods = list(seen.values())
        controller = value.get("controller", ())
        controllers = (controller,) if isinstance(controller, str) else controller
        if not isinstance(controllers, (list, tuple)) or not all(
            isinstance(c, str) for c in controllers
        ):
            raise DidResolutionError("controller must be a string or a list of strings")
        return cls(
            id=did,
            verification_methods=tuple(methods),
            assertion_method_ids=assertion,
            authentication_ids=authentication,
            controller=tuple(controllers),
        )

    def _absolute_url(self, did_url: str) -> str | None:
        try:
            did, _ = split_did_url(_absolute(did_url, self.id))
        except DidResolutionError:
            return None
        return _absolute(did_url, self.id) if did == self.id else None

    def verification_method(self, did_url: str) -> VerificationMethod | None:
        """Return the verification method ``did_url`` (absolute or ``#frag``), if present."""
        target = self._absolute_url(did_url)
        if target is None:
            return None
        return next((m for m in self.verification_methods if m.id == target), None)

    def is_assertion_method(self, did_url: str) -> bool:
        """Return whether ``did_url`` is listed under ``assertionMethod`` (DID Core §5.3.2)."""
        target = self._absolute_url(did_url)
        return target is not None and target in self.assertion_method_ids


@runtime_checkable
class DidResolver(Protocol):
    """Resolves a DID to its DID document."""

    def resolve(self, did: str) -> DidDocument:
        """Return the DID document of ``did``.

        Raises:
            DidResolutionError: the DID is invalid, unsupported or cannot be resolved.
        """
        ...


class CompositeResolver:
    """A :class:`DidResolver` that dispatches by DID method to registered resolvers.

    A composite with no resolvers resolves nothing. The resolved document's ``id`` must
    equal the DID asked for (DID Core §7.1 resolution).
    """

    __slots__ = ("_resolvers",)

    def __init__(self, resolvers: Mapping[str, DidResolver]) -> None:
        """Register ``resolvers`` by DID method name (e.g. ``{"key": ..., "web": ...}``)."""
        self._resolvers: Mapping[str, DidResolver] = MappingProxyType(dict(resolvers))

    @property
    def methods(self) -> Sequence[str]:
        """The DID method names this resolver handles."""
        return tuple(sorted(self._resolvers))

    def resolve(self, did: str) -> DidDocument:
        """Resolve ``did`` (a DID or DID URL; the fragment is ignored) by its method.

        Raises:
            DidResolutionError: invalid DID, unsupported method, resolution failure, or
                the document's id differs from the DID.
        """
        bare_did, _ = split_did_url(did)
        method, _ = parse_did(bare_did)
        resolver = self._resolvers.get(method)
        if resolver is None:
            raise DidResolutionError(
                f"DID method {method!r} is not supported (supported: "
                f"{', '.join(self.methods) or 'none'})",
                code="unsupported-did-method",
            )
        document = resolver.resolve(bare_did)
        if document.id != bare_did:
            raise DidResolutionError(
                f"the DID document of {bare_did} has id {document.id}", code="did-id-mismatch"
            )
        return document


__all__ = [
    "ED25519_METHOD_TYPES",
    "CompositeResolver",
    "DidDocument",
    "DidResolver",
    "VerificationMethod",
    "parse_did",
    "split_did_url",
]
