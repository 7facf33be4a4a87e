"""Finding the key that signed a JWS or COSE message, and whether it is the issuer's.

Where a key may come from (in this order): an ``x5c`` certificate chain in the protected
header; a ``kid`` that is a DID URL, or the issuer's DID (``iss``) with a ``kid`` fragment,
resolved through the caller's :class:`DidResolver` (``did:jwk`` and the ``did:key`` codecs
JOSE issuers use - ``jwk_jcs-pub`` as EBSI's natural persons have, ``secp256k1-pub`` - are
decoded here, since they are pure functions of the DID); the issuer's JWT VC issuer
metadata (``/.well-known/jwt-vc-issuer``, SD-JWT VC §5) through the caller's
:class:`DocumentFetcher`; or a ``jwk`` in the header, which proves nothing about who holds
it (self-asserted) unless the issuer is the ``did:jwk`` of that very key.

The key binding (``proof.key-binding``) is judged separately by :func:`key_binding_check`,
so that a valid signature by an unknown key is reported as such.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtensionOID, NameOID
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from diploma_exchange.dids.did_jwk import did_jwk_document
from diploma_exchange.dids.document import (
    DidDocument,
    DidResolver,
    VerificationMethod,
    split_did_url,
)
from diploma_exchange.errors import Error, InvalidInput, KeyLoadError
from diploma_exchange.formats.inputs import b64url_encode
from diploma_exchange.formats.model import DocumentFetcher
from diploma_exchange.proofs.multibase import decode_base58btc
from diploma_exchange.verification.report import Check, CheckName, errored, failed, passed

JoseKey = ECKey | OKPKey | RSAKey

#: Members that only a private JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4): refused in keys
#: taken from credentials, DID documents or headers.
_PRIVATE_JWK_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
#: did:key multicodec prefixes decoded here (unsigned varints): jwk_jcs-pub 0xeb51 and
#: secp256k1-pub 0xe7.
_JWK_JCS_PUB: Final = b"\xd1\xd6\x03"
_SECP256K1_PUB: Final = b"\xe7\x01"
MAX_CHAIN_LENGTH: Final = 8


class KeyNotFound(Error, LookupError):
    """The signing key could not be found or loaded (an indeterminate outcome)."""

    code = "unresolvable-key"


@dataclass(frozen=True)
class ResolvedKey:
    """A verification key and where it came from."""

    key: JoseKey
    #: ``did``, ``x5c``, ``jwt-vc-issuer``, ``header-jwk``.
    source: str
    method_id: str | None = None
    document: DidDocument | None = None
    chain: tuple[x509.Certificate, ...] = ()
    issuer_metadata: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def did(self) -> str | None:
        return split_did_url(self.method_id)[0] if self.method_id else None


def import_public_jwk(jwk: Mapping[str, Any]) -> JoseKey:
    """Import a public JWK (EC, OKP or RSA).

    Raises:
        KeyLoadError: not a JSON object, private members, another key type, or bad values.
    """
    if not isinstance(jwk, Mapping):
        raise KeyLoadError("a JWK must be a JSON object")
    if _PRIVATE_JWK_MEMBERS & set(jwk):
        raise KeyLoadError("the JWK holds private key material; only public keys are accepted")
    if jwk.get("kty") not in ("EC", "OKP", "RSA"):
        raise KeyLoadError(f"unsupported JWK key type {jwk.get('kty')!r} (EC, OKP or RSA)")
    try:
        key = JWKRegistry.import_key(dict(jwk))
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise KeyLoadError(f"the JWK cannot be loaded: {exc}") from exc
    if not isinstance(key, ECKey | OKPKey | RSAKey):  # pragma: no cover - kty checked
        raise KeyLoadError("unsupported JWK")
    return key


def import_native_key(public_key: object) -> JoseKey:
    """Wrap a ``cryptography`` public key as a JOSE key.

    Raises:
        KeyLoadError: a key type JOSE cannot verify with.
    """
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return ECKey.import_key(public_key)
    if isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return OKPKey.import_key(public_key)
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < 2048:
            raise KeyLoadError(f"an RSA key of {public_key.key_size} bits is too weak")
        return RSAKey.import_key(public_key)
    raise KeyLoadError(f"unsupported public key type {type(public_key).__name__}")


def _did_key_jwk(did: str) -> dict[str, Any] | None:
    """The JWK of a ``did:key`` with a codec the DID resolver does not handle, else None."""
    if not did.startswith("did:key:z"):
        return None
    try:
        data = decode_base58btc(did.removeprefix("did:key:").partition("#")[0])
    except (InvalidInput, ValueError):
        return None
    if data.startswith(_JWK_JCS_PUB):
        try:
            jwk = json.loads(data[len(_JWK_JCS_PUB) :])
        except ValueError as exc:
            raise KeyNotFound(f"{did[:60]} does not hold a JSON JWK") from exc
        if not isinstance(jwk, dict):
            raise KeyNotFound(f"{did[:60]} does not hold a JWK object")
        return jwk
    if data.startswith(_SECP256K1_PUB):
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256K1(), data[len(_SECP256K1_PUB) :]
            )
        except ValueError as exc:
            raise KeyNotFound(f"{did[:60]} is not a secp256k1 point") from exc
        return dict(ECKey.import_key(point).as_dict())
    return None


def _local_document(did: str) -> DidDocument | None:
    """DID documents that are a pure function of the DID and not every resolver knows."""
    bare, _ = split_did_url(did)
    if bare.startswith("did:jwk:"):
        return DidDocument.from_json(did_jwk_document(bare))
    jwk = _did_key_jwk(bare)
    if jwk is None:
        return None
    method_id = f"{bare}#{bare.removeprefix('did:key:')}"
    return DidDocument.from_json(
        {
            "id": bare,
            "verificationMethod": [
                {"id": method_id, "type": "JsonWebKey2020", "controller": bare, "publicKeyJwk": jwk}
            ],
            "assertionMethod": [method_id],
            "authentication": [method_id],
        }
    )


class LocalFirstResolver:
    """A :class:`DidResolver` that answers the DIDs whose documents are a pure function of
    the DID itself (``did:jwk``, the ``did:key`` codecs of JOSE issuers) locally and asks
    ``inner`` for every other DID, so that later checks (``key.validity``) see the same
    document the signature was verified with."""

    def __init__(self, inner: DidResolver) -> None:
        self._inner = inner

    def resolve(self, did: str) -> DidDocument:
        bare, _ = split_did_url(did)
        return _local_document(bare) or self._inner.resolve(bare)


def method_key(method: VerificationMethod) -> JoseKey:
    """The key of a DID document's verification method (``publicKeyJwk`` or Multikey).

    Raises:
        KeyLoadError, DidResolutionError: no usable key material.
    """
    if method.public_key_jwk is not None:
        return import_public_jwk(method.public_key_jwk)
    return import_native_key(method.public_key())


def resolve_did_method(
    did_url: str, resolver: DidResolver
) -> tuple[DidDocument, VerificationMethod]:
    """Resolve a DID URL (or a bare DID with exactly one assertion method) to its method.

    Raises:
        KeyNotFound: unresolvable, no such method, or an ambiguous bare DID.
    """
    try:
        did, fragment = split_did_url(did_url)
        document = _local_document(did) or resolver.resolve(did)
    except Error as exc:
        raise KeyNotFound(f"could not resolve {did_url[:120]}: {exc.message}") from exc
    if fragment:
        method = document.verification_method(did_url)
    else:
        candidates = [
            m for m in document.verification_methods if document.is_assertion_method(m.id)
        ] or list(document.verification_methods)
        if len(candidates) != 1:
            raise KeyNotFound(
                f"{did} has {len(candidates)} verification methods and the signature names none"
            )
        method = candidates[0]
    if method is None and did.startswith("did:key:") and fragment:
        # did:key v0.7: the fragment is the key itself; some issuers write another form.
        only = document.verification_methods
        method = only[0] if len(only) == 1 and fragment in only[0].id else None
    if method is None:
        raise KeyNotFound(f"{did} has no verification method #{fragment}")
    return document, method


def _certificates(header: Mapping[str, Any]) -> tuple[x509.Certificate, ...]:
    import base64
    import binascii

    raw = header.get("x5c")
    if not isinstance(raw, list) or not raw or len(raw) > MAX_CHAIN_LENGTH:
        raise KeyNotFound(f"x5c must be a list of 1 to {MAX_CHAIN_LENGTH} certificates")
    out = []
    for item in raw:
        if not isinstance(item, str):
            raise KeyNotFound("an x5c entry is not a string")
        try:
            out.append(x509.load_der_x509_certificate(base64.b64decode(item, validate=True)))
        except (ValueError, binascii.Error) as exc:
            raise KeyNotFound("an x5c entry is not a base64 DER certificate") from exc
    return tuple(out)


def resolve_jws_key(
    header: Mapping[str, Any],
    *,
    issuer: str | None,
    resolver: DidResolver,
    fetcher: DocumentFetcher | None,
) -> ResolvedKey:
    """Find the key that should verify a JWS/COSE signature (see the module docstring).

    Raises:
        KeyNotFound: no key could be found or loaded (the signature is then indeterminate).
    """
    kid = header.get("kid")
    kid = kid if isinstance(kid, str) and kid else None
    if "x5c" in header:
        chain = _certificates(header)
        try:
            key = import_native_key(chain[0].public_key())
        except KeyLoadError as exc:
            raise KeyNotFound(f"the x5c certificate's key cannot be used: {exc.message}") from exc
        return ResolvedKey(key, "x5c", chain=chain, details={"subject": subject_name(chain[0])})
    did_url: str | None = None
    if kid and kid.startswith("did:"):
        did_url = kid
    elif issuer and issuer.startswith("did:"):
        did_url = issuer + kid if kid and kid.startswith("#") else issuer
        if kid and not kid.startswith("#") and issuer.startswith(("did:key:", "did:jwk:")):
            did_url = issuer  # a bare key id with a DID that has a single key
        elif kid and not kid.startswith("#"):
            did_url = f"{issuer}#{kid}"
    if did_url is not None:
        document, method = resolve_did_method(did_url, resolver)
        try:
            key = method_key(method)
        except Error as exc:
            raise KeyNotFound(f"the key {method.id} cannot be used: {exc.message}") from exc
        return ResolvedKey(key, "did", method_id=method.id, document=document)
    if issuer and issuer.startswith("https://") and fetcher is not None:
        return _issuer_metadata_key(issuer, kid, fetcher)
    jwk = header.get("jwk")
    if isinstance(jwk, Mapping):
        try:
            return ResolvedKey(import_public_jwk(jwk), "header-jwk")
        except KeyLoadError as exc:
            raise KeyNotFound(f"the header's jwk cannot be used: {exc.message}") from exc
    if issuer and issuer.startswith("https://"):
        raise KeyNotFound(
            f"the issuer {issuer} publishes its keys on the web (JWT VC issuer metadata), "
            "which is not fetched without a configured fetcher"
        )
    raise KeyNotFound(
        "the signature names no key this verifier can find (no x5c, no DID kid or issuer, "
        "no issuer metadata)"
    )


def jwt_vc_issuer_metadata_url(issuer: str) -> str:
    """SD-JWT VC §5.1: ``https://host/.well-known/jwt-vc-issuer`` + the issuer's path."""
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")
    return f"https://{parts.netloc}/.well-known/jwt-vc-issuer{path}"


def _issuer_metadata_key(issuer: str, kid: str | None, fetcher: DocumentFetcher) -> ResolvedKey:
    url = jwt_vc_issuer_metadata_url(issuer)
    try:
        metadata = fetcher.get_json(url)
        if not isinstance(metadata, Mapping):
            raise KeyNotFound(f"the JWT VC issuer metadata at {url} is not an object")
        if metadata.get("issuer") != issuer:
            raise KeyNotFound(
                f"the JWT VC issuer metadata at {url} is for {metadata.get('issuer')!r}, "
                f"not {issuer}"
            )
        jwks = metadata.get("jwks")
        if jwks is None and isinstance(metadata.get("jwks_uri"), str):
            jwks = fetcher.get_json(metadata["jwks_uri"])
    except KeyNotFound:
        raise
    except Error as exc:
        raise KeyNotFound(f"could not obtain the issuer's keys from {url}: {exc.message}") from exc
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise KeyNotFound(f"the issuer metadata at {url} has no JWK set")
    matching = [k for k in keys if isinstance(k, Mapping) and (kid is None or k.get("kid") == kid)]
    if len(matching) != 1:
        raise KeyNotFound(
            f"the issuer's JWK set has {len(matching)} keys matching kid {kid!r}; expected one"
        )
    try:
        key = import_public_jwk(matching[0])
    except KeyLoadError as exc:
        raise KeyNotFound(f"the issuer's key {kid!r} cannot be used: {exc.message}") from exc
    return ResolvedKey(key, "jwt-vc-issuer", issuer_metadata=url)


# --- certificates ---------------------------------------------------------------------------


def subject_name(certificate: x509.Certificate) -> str:
    """The certificate subject's common name / organisation, for people to read."""
    name = certificate.subject
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        values = name.get_attributes_for_oid(oid)
        if values:
            value = values[0].value
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return name.rfc4514_string()


@dataclass(frozen=True, slots=True)
class ChainResult:
    """Basic path validation of a certificate chain (RFC 5280 §6, reduced: signatures,
    validity at ``at``, CA constraints of issuers; no revocation look-up)."""

    ok: bool
    trusted: bool
    code: str
    message: str
    anchor: str | None = None


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_oid(
            ExtensionOID.BASIC_CONSTRAINTS
        ).value
    except x509.ExtensionNotFound:
        return False
    return bool(getattr(constraints, "ca", False))


def validate_chain(
    chain: Sequence[x509.Certificate],
    *,
    trusted: Sequence[x509.Certificate],
    at: datetime,
) -> ChainResult:
    """Check that each certificate was issued by the next one, all were valid at ``at``
    (the signing time when it is known), issuers are CAs, and the chain ends at (or was
    issued by) one of ``trusted``.

    Hand-written on purpose: ``cryptography``'s ``x509.verification`` builds Web PKI
    (server/client TLS) paths and refuses the extended key usages of e-seal and
    document-signing certificates; this is the reduced path validation those need.
    """
    at = at.astimezone(UTC)
    for index, certificate in enumerate(chain):
        if not (certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc):
            return ChainResult(
                False,
                False,
                "certificate-not-valid-at-signing-time",
                f"the certificate of {subject_name(certificate)} was not valid at {at.isoformat()}",
            )
        if index + 1 < len(chain):
            parent = chain[index + 1]
            if not _issued_by(certificate, parent):
                return ChainResult(
                    False,
                    False,
                    "broken-certificate-chain",
                    f"the certificate of {subject_name(certificate)} was not issued by "
                    f"{subject_name(parent)}, the next certificate in the chain",
                )
            if not _is_ca(parent):
                return ChainResult(
                    False,
                    False,
                    "issuer-not-a-ca",
                    f"{subject_name(parent)} issued a certificate but is not a CA",
                )
    top = chain[-1]
    for anchor in trusted:
        if top == anchor or (top.issuer == anchor.subject and _issued_by(top, anchor)):
            return ChainResult(
                True,
                True,
                "trusted",
                "the certificate chain ends at a trusted anchor",
                anchor=subject_name(anchor),
            )
        for certificate in chain:
            if certificate == anchor:
                return ChainResult(
                    True,
                    True,
                    "trusted",
                    "the chain contains a trusted certificate",
                    anchor=subject_name(anchor),
                )
    return ChainResult(
        True,
        False,
        "no-trust-anchor" if not trusted else "untrusted-certificate-chain",
        f"the certificate chain of {subject_name(chain[0])} is intact, but "
        + ("no trust list is configured" if not trusted else "it does not end at a trusted anchor"),
    )


def certificate_names(certificate: x509.Certificate) -> tuple[list[str], list[str]]:
    """(dNSName, uniformResourceIdentifier) subject alternative names."""
    try:
        san = certificate.extensions.get_extension_for_oid(
            ExtensionOID.SUBJECT_ALTERNATIVE_NAME
        ).value
    except x509.ExtensionNotFound:
        return [], []
    if not isinstance(san, x509.SubjectAlternativeName):  # pragma: no cover
        return [], []
    return san.get_values_for_type(x509.DNSName), san.get_values_for_type(
        x509.UniformResourceIdentifier
    )


# --- the key-binding check ------------------------------------------------------------------


def key_binding_check(
    resolved: ResolvedKey,
    issuer: str | None,
    *,
    trusted: Sequence[x509.Certificate] = (),
    trust_list_name: str | None = None,
    signed_at: datetime | None = None,
    now: datetime,
    require_san_match: bool = False,
) -> Check:
    """``proof.key-binding``: is the key that signed the issuer's?

    DID keys: the method's DID is the issuer and lists it as an ``assertionMethod``.
    Issuer metadata keys: published by the issuer itself. ``x5c``: the chain is intact and
    ends at a trusted anchor (``error``, never ``failed``, when no trust list is
    configured: the signer's name is shown); with ``require_san_match`` (SD-JWT VC §3.5)
    the issuer URL must be a SAN of the leaf. A header ``jwk`` is self-asserted (``error``).
    """
    bind = CheckName.PROOF_KEY_BINDING
    if issuer is None:
        return failed(bind, "missing-issuer", "the credential names no issuer")
    if resolved.source == "did":
        document = resolved.document
        method_id = resolved.method_id or ""
        did = resolved.did
        if document is None or did != issuer:
            return failed(
                bind,
                "key-not-controlled-by-issuer",
                f"the credential names issuer {issuer} but was signed with {method_id}",
            )
        if not document.is_assertion_method(method_id):
            return failed(
                bind,
                "not-an-assertion-method",
                f"{method_id} is not listed as an assertionMethod of {did}",
            )
        return passed(
            bind, "issuer-key", f"signed with {method_id}, an assertion key of the issuer"
        )
    if resolved.source == "jwt-vc-issuer":
        return passed(
            bind,
            "issuer-metadata-key",
            f"signed with a key the issuer publishes in its JWT VC issuer metadata "
            f"({resolved.issuer_metadata})",
        )
    if resolved.source == "x5c":
        leaf = resolved.chain[0]
        signer = subject_name(leaf)
        result = validate_chain(resolved.chain, trusted=trusted, at=signed_at or now)
        details = {"signer": signer, "certificateIssuer": leaf.issuer.rfc4514_string()}
        if not result.ok:
            return failed(bind, result.code, result.message, **details)
        if require_san_match and issuer.startswith("https://"):
            dns, uris = certificate_names(leaf)
            host = urlsplit(issuer).hostname or ""
            if issuer not in uris and host not in dns:
                return failed(
                    bind,
                    "issuer-not-in-certificate",
                    f"the issuer {issuer} is not a subject alternative name of the signing "
                    f"certificate ({signer})",
                    **details,
                )
        if not result.trusted:
            return errored(
                bind,
                result.code,
                f"signed by {signer}; {result.message}, so who holds the key is unknown",
                **details,
            )
        source = f" of {trust_list_name}" if trust_list_name else ""
        return passed(
            bind,
            "trusted-certificate",
            f"signed by {signer}, whose certificate chains to {result.anchor}, a trust "
            f"anchor{source}",
            anchor=result.anchor,
            **details,
        )
    return errored(
        bind,
        "self-asserted-key",
        "the signature was made with a key carried in the token itself; nothing ties it to "
        "the issuer",
    )


def jwk_thumbprint_did(jwk: Mapping[str, Any]) -> str:
    """``did:jwk`` of a public JWK (its members as given, base64url of compact JSON)."""
    return "did:jwk:" + b64url_encode(json.dumps(dict(jwk), separators=(",", ":")).encode())


__all__ = [
    "ChainResult",
    "JoseKey",
    "KeyNotFound",
    "LocalFirstResolver",
    "ResolvedKey",
    "certificate_names",
    "import_native_key",
    "import_public_jwk",
    "key_binding_check",
    "method_key",
    "resolve_did_method",
    "resolve_jws_key",
    "subject_name",
    "validate_chain",
]
