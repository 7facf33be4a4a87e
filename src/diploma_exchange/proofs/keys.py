"""Ed25519 key material: the one module that creates, loads, encodes and uses keys.

"Crypto through one narrow door": private keys are generated, decrypted and used for
signing here only; elsewhere they travel inside a :class:`Signer`, whose ``repr`` shows
the verification method and nothing else. Public keys are encoded as Multikey
(Controlled Identifiers v1.0 §2.2.2 "Multikey"): ``z`` + base58btc(0xed01 || 32 bytes).
"""

from __future__ import annotations

from typing import Any, Final, NoReturn

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
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


def generate_private_key() -> Ed25519PrivateKey:
    """Generate a fresh Ed25519 private key from the operating system's CSPRNG."""
    return Ed25519PrivateKey.generate()


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """Return the Multikey ``publicKeyMultibase`` of an Ed25519 public key ("z6Mk...")."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return encode_base58btc(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Decode a Multikey ``publicKeyMultibase`` ("z6Mk...") to an Ed25519 public key.

    Raises:
        KeyLoadError: not base58btc multibase, not the ``ed25519-pub`` multicodec
            (0xed01), or not exactly 32 key bytes.
    """
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


def encrypt_private_key(private_key: Ed25519PrivateKey, passphrase: bytes) -> bytes:
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


def load_private_key(pem: bytes, passphrase: bytes | None) -> Ed25519PrivateKey:
    """Load a PEM private key (PKCS#8, optionally encrypted) and check it is Ed25519.

    Raises:
        KeyLoadError: the PEM cannot be parsed, the passphrase is wrong, missing or
            superfluous, or the key is not an Ed25519 key. Messages never contain key
            bytes or the passphrase.
    """
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
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
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyLoadError(
            f"the private key is of type {type(key).__name__}; an Ed25519 key is required"
        )
    return key


def verify_signature(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """Return whether ``signature`` is a valid Ed25519 (RFC 8032) signature of ``data``.

    Only ``InvalidSignature`` is caught; anything else is a bug and propagates.
    """
    try:
        public_key.verify(signature, data)
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


__all__ = [
    "ED25519_KEY_LENGTH",
    "ED25519_SIGNATURE_LENGTH",
    "Signer",
    "encrypt_private_key",
    "generate_private_key",
    "load_private_key",
    "private_key_from_multibase",
    "public_key_from_multibase",
    "public_key_multibase",
    "verify_signature",
]
