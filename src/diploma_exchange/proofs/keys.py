"""Key material: the one module that creates, loads, encodes and uses keys.

"Crypto through one narrow door": private keys are generated, decrypted and used for
signing here only; elsewhere they travel inside a :class:`Signer` (Ed25519, our own
issuers) or an :class:`EcdsaSigner` (P-256/P-384, mainly for tests and interoperability),
whose ``repr`` shows the verification method and nothing else. Public keys are encoded as
Multikey (Controlled Identifiers v1.0 §2.2.2 "Multikey"): ``z`` + base58btc(multicodec ||
key bytes), with

- ``ed25519-pub`` (0xed, varint ``ed 01``) + 32 bytes ("z6Mk...");
- ``p256-pub`` (0x1200, varint ``80 24``) + a 33-byte SEC1 compressed point ("zDn...");
- ``p384-pub`` (0x1201, varint ``81 24``) + a 49-byte SEC1 compressed point ("z82...").

ECDSA signatures (W3C vc-di-ecdsa) are IEEE P1363 ``r || s`` (fixed length: 64 bytes for
P-256, 96 for P-384), not DER; this module converts for ``cryptography``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, NoReturn, TypeAlias

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from diploma_exchange.errors import InvalidInput, KeyLoadError
from diploma_exchange.proofs.multibase import (
    ED25519_PRIV_MULTICODEC,
    ED25519_PUB_MULTICODEC,
    decode_base58btc,
    encode_base58btc,
    strip_multicodec_prefix,
)

ED25519_KEY_LENGTH: Final = 32
ED25519_SIGNATURE_LENGTH: Final = 64

# Multicodec codes as unsigned varints (multicodec table: p256-pub 0x1200, p384-pub 0x1201,
# p256-priv 0x1306, p384-priv 0x1307).
P256_PUB_MULTICODEC: Final = b"\x80\x24"
P384_PUB_MULTICODEC: Final = b"\x81\x24"
P256_PRIV_MULTICODEC: Final = b"\x86\x26"
P384_PRIV_MULTICODEC: Final = b"\x87\x26"

#: A public key this service can verify with.
PublicKey: TypeAlias = Ed25519PublicKey | ec.EllipticCurvePublicKey
#: A private key an institution can sign with (Ed25519, P-256 or P-384).
SigningKey: TypeAlias = Ed25519PrivateKey | ec.EllipticCurvePrivateKey


class KeyType(StrEnum):
    """The key types (and, for ECDSA, curves) of the supported cryptosuites."""

    ED25519 = "Ed25519"
    P256 = "P-256"
    P384 = "P-384"


_CURVES: Final[dict[KeyType, ec.EllipticCurve]] = {
    KeyType.P256: ec.SECP256R1(),
    KeyType.P384: ec.SECP384R1(),
}
#: Field/scalar size in bytes: a compressed point is 1 + size bytes, a P1363 signature 2 * size.
_EC_SIZES: Final = {KeyType.P256: 32, KeyType.P384: 48}
_EC_PUB_CODECS: Final = {KeyType.P256: P256_PUB_MULTICODEC, KeyType.P384: P384_PUB_MULTICODEC}
_EC_PRIV_CODECS: Final = {KeyType.P256: P256_PRIV_MULTICODEC, KeyType.P384: P384_PRIV_MULTICODEC}
#: The hash each ECDSA curve is used with (vc-di-ecdsa §3: SHA-256 for P-256, SHA-384 for P-384).
_EC_HASHES: Final[dict[KeyType, type[hashes.SHA256 | hashes.SHA384]]] = {
    KeyType.P256: hashes.SHA256,
    KeyType.P384: hashes.SHA384,
}

#: The JWS ``alg`` each key type signs JOSE objects (SD-JWT VCs, status list tokens, request
#: objects) with: ES256/ES384 (RFC 7518 §3.4; the curve fixes the hash, so P-256 is never
#: paired with SHA-384) and, for Ed25519, ``EdDSA`` (RFC 8037 §3.1). RFC 9864 deprecates
#: ``EdDSA`` in favour of the fully specified ``Ed25519``; the signature is the same, and
#: ``EdDSA`` is what deployed wallets and verifiers read, so it is what is written here
#: (verification accepts both).
JWS_ALGORITHMS: Final[dict[KeyType, str]] = {
    KeyType.ED25519: "EdDSA",
    KeyType.P256: "ES256",
    KeyType.P384: "ES384",
}


def generate_private_key() -> Ed25519PrivateKey:
    """Generate a fresh Ed25519 private key from the operating system's CSPRNG."""
    return Ed25519PrivateKey.generate()


def generate_signing_key(kind: KeyType) -> SigningKey:
    """Generate a fresh private key of ``kind`` (Ed25519, P-256 or P-384)."""
    if kind is KeyType.ED25519:
        return generate_private_key()
    return generate_ec_private_key(kind)


def parse_key_type(value: str) -> KeyType:
    """The :class:`KeyType` named ``value`` ("Ed25519", "P-256", "P-384"; case and the hyphen
    of the curves do not matter).

    Raises:
        InvalidInput: any other name (code ``unsupported-key-type``).
    """
    wanted = value.strip().lower().replace("-", "") if isinstance(value, str) else ""
    for kind in KeyType:
        if kind.value.lower().replace("-", "") == wanted:
            return kind
    raise InvalidInput(
        f"unsupported key type {value!r}; supported: {', '.join(k.value for k in KeyType)}",
        code="unsupported-key-type",
    )


def multikey_type(public_key_multibase: str) -> KeyType:
    """The :class:`KeyType` of a Multikey ``publicKeyMultibase`` value.

    Raises:
        KeyLoadError: see :func:`public_key_from_multikey`.
    """
    return key_type(public_key_from_multikey(public_key_multibase))


def key_type(public_key: PublicKey) -> KeyType:
    """Return the :class:`KeyType` of a public key.

    Raises:
        KeyLoadError: an elliptic-curve key on a curve other than P-256 or P-384.
    """
    if isinstance(public_key, Ed25519PublicKey):
        return KeyType.ED25519
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        for kind, curve in _CURVES.items():
            if public_key.curve.name == curve.name:
                return kind
        raise KeyLoadError(f"unsupported elliptic curve {public_key.curve.name}")
    raise KeyLoadError(f"unsupported key type {type(public_key).__name__}")


def public_key_multibase(public_key: PublicKey) -> str:
    """Return the Multikey ``publicKeyMultibase`` of a public key.

    Ed25519 gives "z6Mk...", P-256 "zDn..." and P-384 "z82..." (compressed points).

    Raises:
        KeyLoadError: an elliptic-curve key on an unsupported curve.
    """
    kind = key_type(public_key)
    if isinstance(public_key, Ed25519PublicKey):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return encode_base58btc(ED25519_PUB_MULTICODEC + raw)
    point = public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    return encode_base58btc(_EC_PUB_CODECS[kind] + point)


def public_key_from_multikey(value: str) -> PublicKey:
    """Decode any supported Multikey ``publicKeyMultibase`` (Ed25519, P-256 or P-384).

    Elliptic-curve keys must be SEC1 *compressed* points (Multikey §2.2.2) on their curve.

    Raises:
        KeyLoadError: not base58btc multibase, an unsupported multicodec, the wrong
            length, or a point that is not on the curve.
    """
    if type(value) is str:
        # Keys are immutable: the same DID document key is decoded once per process.
        return _public_key_from_multikey_cached(value)
    return _public_key_from_multikey(value)


@lru_cache(maxsize=256)
def _public_key_from_multikey_cached(value: str) -> PublicKey:
    return _public_key_from_multikey(value)


def _public_key_from_multikey(value: str) -> PublicKey:
    try:
        data = decode_base58btc(value)
    except InvalidInput as exc:
        raise KeyLoadError(f"publicKeyMultibase is not valid: {exc.message}") from exc
    if data.startswith(ED25519_PUB_MULTICODEC):
        return public_key_from_multibase(value)
    for kind, codec in _EC_PUB_CODECS.items():
        if data.startswith(codec):
            size = _EC_SIZES[kind]
            point = strip_multicodec_prefix(codec, data, length=size + 1)
            if point[0] not in (2, 3):
                raise KeyLoadError(f"a {kind} Multikey must be a compressed point (02/03 ...)")
            try:
                return ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[kind], point)
            except ValueError as exc:
                raise KeyLoadError(f"publicKeyMultibase is not a point on {kind}") from exc
    raise KeyLoadError(
        f"unsupported Multikey type (multicodec prefix 0x{data[:2].hex()}); supported: "
        "Ed25519 (z6Mk...), P-256 (zDn...), P-384 (z82...)"
    )


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Decode a Multikey ``publicKeyMultibase`` ("z6Mk...") to an Ed25519 public key.

    Raises:
        KeyLoadError: not base58btc multibase, not the ``ed25519-pub`` multicodec
            (0xed01), or not exactly 32 key bytes.
    """
    if type(value) is str:
        # Keys are immutable: the same DID document key is decoded once per process.
        return _public_key_from_multibase_cached(value)
    return _public_key_from_multibase(value)


@lru_cache(maxsize=256)
def _public_key_from_multibase_cached(value: str) -> Ed25519PublicKey:
    return _public_key_from_multibase(value)


def _public_key_from_multibase(value: str) -> Ed25519PublicKey:
    try:
        data = decode_base58btc(value)
    except InvalidInput as exc:
        raise KeyLoadError(f"publicKeyMultibase is not valid: {exc.message}") from exc
    raw = strip_multicodec_prefix(ED25519_PUB_MULTICODEC, data, length=ED25519_KEY_LENGTH)
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:  # pragma: no cover - 32 bytes always load
        raise KeyLoadError("publicKeyMultibase does not encode an Ed25519 public key") from exc


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    """Decode a multibase Ed25519 secret key ("z3u2...", multicodec ``ed25519-priv``).

    This is the ``secretKeyMultibase`` format of the W3C test vectors.

    Raises:
        KeyLoadError: not base58btc multibase, wrong multicodec prefix (0x8026 expected)
            or not exactly 32 seed bytes. The message never contains key material.
    """
    try:
        data = decode_base58btc(value)
    except InvalidInput as exc:
        raise KeyLoadError("secret key multibase value is not valid base58btc") from exc
    seed = strip_multicodec_prefix(ED25519_PRIV_MULTICODEC, data, length=ED25519_KEY_LENGTH)
    return Ed25519PrivateKey.from_private_bytes(seed)


def generate_ec_private_key(kind: KeyType) -> ec.EllipticCurvePrivateKey:
    """Generate a fresh P-256 or P-384 private key.

    Raises:
        KeyLoadError: ``kind`` is not an elliptic curve.
    """
    curve = _CURVES.get(kind)
    if curve is None:
        raise KeyLoadError(f"{kind} is not an elliptic curve (P-256 or P-384)")
    return ec.generate_private_key(curve)


def ec_private_key_from_multibase(value: str) -> ec.EllipticCurvePrivateKey:
    """Decode a multibase P-256/P-384 secret key (multicodec ``p256-priv``/``p384-priv``).

    This is the ``secretKeyMultibase`` format of the W3C vc-di-ecdsa test vectors.

    Raises:
        KeyLoadError: not base58btc, an unsupported multicodec, the wrong length or an
            out-of-range scalar. The message never contains key material.
    """
    try:
        data = decode_base58btc(value)
    except InvalidInput as exc:
        raise KeyLoadError("secret key multibase value is not valid base58btc") from exc
    for kind, codec in _EC_PRIV_CODECS.items():
        if data.startswith(codec):
            scalar = strip_multicodec_prefix(codec, data, length=_EC_SIZES[kind])
            try:
                return ec.derive_private_key(int.from_bytes(scalar, "big"), _CURVES[kind])
            except ValueError as exc:
                raise KeyLoadError(f"the secret key is not a valid {kind} scalar") from exc
    raise KeyLoadError("the secret key is not a P-256 or P-384 multibase secret key")


def encrypt_private_key(private_key: SigningKey, passphrase: bytes) -> bytes:
    """Serialize a private key as passphrase-encrypted PKCS#8 PEM.

    Uses ``BestAvailableEncryption`` (currently PBES2 with scrypt/AES-256-CBC).

    Raises:
        InvalidInput: the passphrase is empty or longer than 1023 bytes.
    """
    if not isinstance(passphrase, bytes) or not 1 <= len(passphrase) <= 1023:
        raise InvalidInput("the passphrase must be between 1 and 1023 bytes long")
    return private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
    )


def _load_pem_private_key(pem: bytes, passphrase: bytes | None) -> Any:
    """The PEM's private key, of whatever type; :class:`KeyLoadError` when it cannot be read
    (messages never contain key bytes or the passphrase)."""
    try:
        return serialization.load_pem_private_key(pem, password=passphrase)
    except TypeError as exc:
        # cryptography raises TypeError when a passphrase is missing or superfluous.
        hint = (
            "the key is encrypted: provide its passphrase"
            if passphrase is None
            else "the key is not encrypted: do not provide a passphrase"
        )
        raise KeyLoadError(f"could not load the private key: {hint}") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyLoadError(
            "could not load the private key: the PEM is malformed or the passphrase is wrong"
        ) from exc


def load_private_key(pem: bytes, passphrase: bytes | None) -> Ed25519PrivateKey:
    """Load a PEM private key (PKCS#8, optionally encrypted) and check it is Ed25519.

    Raises:
        KeyLoadError: the PEM cannot be parsed, the passphrase is wrong, missing or
            superfluous, or the key is not an Ed25519 key. Messages never contain key
            bytes or the passphrase.
    """
    key = _load_pem_private_key(pem, passphrase)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyLoadError(
            f"the private key is of type {type(key).__name__}; an Ed25519 key is required"
        )
    return key


def load_signing_key(pem: bytes, passphrase: bytes | None) -> SigningKey:
    """Load a PEM private key (PKCS#8, optionally encrypted) of any institution key type:
    Ed25519, P-256 or P-384.

    Raises:
        KeyLoadError: as :func:`load_private_key`, or a key of another type or curve.
    """
    key = _load_pem_private_key(pem, passphrase)
    if isinstance(key, Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        key_type(key.public_key())  # P-256 or P-384 only
        return key
    raise KeyLoadError(
        f"the private key is of type {type(key).__name__}; an Ed25519, P-256 or P-384 key "
        "is required"
    )


def signer_for_key(private_key: SigningKey, verification_method: str) -> Signer | EcdsaSigner:
    """A :class:`Signer` (Ed25519) or an :class:`EcdsaSigner` (P-256/P-384) for the key.

    Raises:
        KeyLoadError: an unsupported key. InvalidInput: an empty ``verification_method``.
    """
    if isinstance(private_key, Ed25519PrivateKey):
        return Signer(private_key, verification_method)
    return EcdsaSigner(private_key, verification_method)


def signer_from_pem(
    pem: bytes, passphrase: bytes | None, verification_method: str
) -> Signer | EcdsaSigner:
    """Load an (encrypted) PKCS#8 PEM key of any institution key type and bind it to
    ``verification_method``.

    Raises:
        KeyLoadError: see :func:`load_signing_key`. InvalidInput: an empty method.
    """
    return signer_for_key(load_signing_key(pem, passphrase), verification_method)


def jws_algorithm(signer: Signer | EcdsaSigner) -> str:
    """The JWS ``alg`` header value of what ``signer`` signs (:data:`JWS_ALGORITHMS`):
    ``EdDSA`` for an Ed25519 key, ``ES256`` for P-256, ``ES384`` for P-384. Its signatures
    (:meth:`Signer.sign`, :meth:`EcdsaSigner.sign`: raw Ed25519, P1363 ``r || s``) are the
    JWS signature values of that alg (RFC 8037 §3.1, RFC 7518 §3.4)."""
    return JWS_ALGORITHMS[signer.key_type]


def verify_signature(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """Return whether ``signature`` is a valid Ed25519 (RFC 8032) signature of ``data``.

    Only ``InvalidSignature`` is caught; anything else is a bug and propagates.
    """
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def ecdsa_signature_length(kind: KeyType) -> int:
    """The length of an IEEE P1363 ``r || s`` signature on ``kind`` (64 or 96 bytes).

    Raises:
        KeyLoadError: ``kind`` is not an elliptic curve.
    """
    size = _EC_SIZES.get(kind)
    if size is None:
        raise KeyLoadError(f"{kind} is not an elliptic curve (P-256 or P-384)")
    return 2 * size


def verify_ecdsa_signature(
    public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes
) -> bool:
    """Return whether ``signature`` (IEEE P1363 ``r || s``) is a valid ECDSA signature of
    ``data``, hashed with the curve's hash (SHA-256 for P-256, SHA-384 for P-384).

    A signature of the wrong length is invalid (never an exception). Only
    ``InvalidSignature`` is caught around the verification itself.

    Raises:
        KeyLoadError: the key is on an unsupported curve.
    """
    kind = key_type(public_key)
    size = _EC_SIZES[kind]
    if len(signature) != 2 * size:
        return False
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    # r and s out of [1, n-1] are rejected by the verification itself.
    der = encode_dss_signature(r, s)
    try:
        public_key.verify(der, data, ec.ECDSA(_EC_HASHES[kind]()))
    except InvalidSignature:
        return False
    return True


class Signer:
    """An Ed25519 private key bound to the DID URL of its verification method.

    Immutable after construction; ``repr`` reveals only the verification method; it
    cannot be pickled or copied into another process by accident.
    """

    __slots__ = ("_private_key", "_public_key_multibase", "_verification_method")

    _private_key: Ed25519PrivateKey
    _public_key_multibase: str
    _verification_method: str

    def __init__(self, private_key: Ed25519PrivateKey, verification_method: str) -> None:
        """Bind ``private_key`` to ``verification_method`` (a DID URL).

        Raises:
            KeyLoadError: ``private_key`` is not an Ed25519 private key.
            InvalidInput: ``verification_method`` is not a non-empty string.
        """
        if not isinstance(private_key, Ed25519PrivateKey):
            raise KeyLoadError("a Signer needs an Ed25519 private key")
        if not isinstance(verification_method, str) or not verification_method:
            raise InvalidInput("verification_method must be a non-empty DID URL")
        object.__setattr__(self, "_private_key", private_key)
        object.__setattr__(self, "_verification_method", verification_method)
        object.__setattr__(
            self, "_public_key_multibase", public_key_multibase(private_key.public_key())
        )

    @classmethod
    def from_pem(cls, pem: bytes, passphrase: bytes | None, verification_method: str) -> Signer:
        """Load an (encrypted) PKCS#8 PEM Ed25519 key and bind it to ``verification_method``.

        Raises:
            KeyLoadError: see :func:`load_private_key`.
            InvalidInput: ``verification_method`` is empty.
        """
        return cls(load_private_key(pem, passphrase), verification_method)

    @property
    def verification_method(self) -> str:
        """The DID URL of the verification method that verifies this signer's proofs."""
        return self._verification_method

    @property
    def key_type(self) -> KeyType:
        """``Ed25519``."""
        return KeyType.ED25519

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The Ed25519 public key."""
        return self._private_key.public_key()

    @property
    def public_key_multibase(self) -> str:
        """The Multikey ``publicKeyMultibase`` of the public key ("z6Mk...")."""
        return self._public_key_multibase

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte Ed25519 (Pure EdDSA, RFC 8032) signature of ``data``."""
        return self._private_key.sign(data)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("Signer is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Signer is immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Signer holds a private key and cannot be pickled or copied")

    def __repr__(self) -> str:
        return f"Signer(verification_method={self._verification_method!r})"


class EcdsaSigner:
    """A P-256 or P-384 private key bound to the DID URL of its verification method.

    Signs with the curve's hash and returns IEEE P1363 ``r || s`` signatures, as the
    vc-di-ecdsa cryptosuites require. Immutable; ``repr`` reveals only the verification
    method; it cannot be pickled.
    """

    __slots__ = ("_key_type", "_private_key", "_verification_method")

    _key_type: KeyType
    _private_key: ec.EllipticCurvePrivateKey
    _verification_method: str

    def __init__(self, private_key: ec.EllipticCurvePrivateKey, verification_method: str) -> None:
        """Bind ``private_key`` to ``verification_method`` (a DID URL).

        Raises:
            KeyLoadError: not a P-256 or P-384 private key.
            InvalidInput: ``verification_method`` is not a non-empty string.
        """
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            raise KeyLoadError("an EcdsaSigner needs a P-256 or P-384 private key")
        kind = key_type(private_key.public_key())
        if not isinstance(verification_method, str) or not verification_method:
            raise InvalidInput("verification_method must be a non-empty DID URL")
        object.__setattr__(self, "_private_key", private_key)
        object.__setattr__(self, "_key_type", kind)
        object.__setattr__(self, "_verification_method", verification_method)

    @property
    def verification_method(self) -> str:
        """The DID URL of the verification method that verifies this signer's proofs."""
        return self._verification_method

    @property
    def key_type(self) -> KeyType:
        """``P-256`` or ``P-384``."""
        return self._key_type

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        """The elliptic-curve public key."""
        return self._private_key.public_key()

    @property
    def public_key_multibase(self) -> str:
        """The Multikey ``publicKeyMultibase`` of the public key ("zDn..." / "z82...")."""
        return public_key_multibase(self.public_key)

    def sign(self, data: bytes) -> bytes:
        """Return the IEEE P1363 ``r || s`` ECDSA signature of ``data`` (curve's hash)."""
        der = self._private_key.sign(data, ec.ECDSA(_EC_HASHES[self._key_type]()))
        r, s = decode_dss_signature(der)
        size = _EC_SIZES[self._key_type]
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("EcdsaSigner is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("EcdsaSigner is immutable")

    def __reduce__(self) -> NoReturn:
        raise TypeError("an EcdsaSigner holds a private key and cannot be pickled or copied")

    def __repr__(self) -> str:
        return f"EcdsaSigner(verification_method={self._verification_method!r})"


__all__ = [
    "ED25519_KEY_LENGTH",
    "ED25519_SIGNATURE_LENGTH",
    "JWS_ALGORITHMS",
    "P256_PRIV_MULTICODEC",
    "P256_PUB_MULTICODEC",
    "P384_PRIV_MULTICODEC",
    "P384_PUB_MULTICODEC",
    "EcdsaSigner",
    "KeyType",
    "PublicKey",
    "Signer",
    "SigningKey",
    "ec_private_key_from_multibase",
    "ecdsa_signature_length",
    "encrypt_private_key",
    "generate_ec_private_key",
    "generate_private_key",
    "generate_signing_key",
    "jws_algorithm",
    "key_type",
    "load_private_key",
    "load_signing_key",
    "multikey_type",
    "parse_key_type",
    "private_key_from_multibase",
    "public_key_from_multibase",
    "public_key_from_multikey",
    "public_key_multibase",
    "signer_for_key",
    "signer_from_pem",
    "verify_ecdsa_signature",
    "verify_signature",
]
