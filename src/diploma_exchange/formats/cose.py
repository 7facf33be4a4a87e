"""COSE_Sign1 (RFC 9052 §4.2) parsing and verification with ``cbor2`` and ``cryptography``.

Written here instead of using ``pycose``: pycose 1.1 (last release 2023) depends on
``python-ecdsa``, which carries an advisory without a fix (CVE-2024-23342), and on the
unmaintained ``certvalidator``/``oscrypto``; COSE_Sign1 verification itself is the
Sig_structure of §4.4 and one signature check, done below with the same keys as JOSE.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from diploma_exchange.errors import InvalidInput, LimitExceeded
from diploma_exchange.formats.keys import JoseKey
from diploma_exchange.verification.report import Check, CheckName, errored, failed, passed

COSE_SIGN1_TAG: Final = 18
CWT_TAG: Final = 61
#: RFC 9052 §3.1 header labels.
ALG, CONTENT_TYPE, KID, TYP, X5CHAIN = 1, 3, 4, 16, 33
#: COSE algorithm identifiers (IANA) -> (kind, hash).
ALGORITHMS: Final[Mapping[int, tuple[str, Any]]] = {
    -7: ("ES", hashes.SHA256()),
    -35: ("ES", hashes.SHA384()),
    -36: ("ES", hashes.SHA512()),
    -47: ("ES", hashes.SHA256()),  # ES256K
    -8: ("EdDSA", None),
    -19: ("EdDSA", None),  # Ed25519 (fully specified)
    -37: ("PS", hashes.SHA256()),
    -38: ("PS", hashes.SHA384()),
    -39: ("PS", hashes.SHA512()),
    -257: ("RS", hashes.SHA256()),
    -258: ("RS", hashes.SHA384()),
    -259: ("RS", hashes.SHA512()),
}
ALGORITHM_NAMES: Final = {
    -7: "ES256",
    -35: "ES384",
    -36: "ES512",
    -47: "ES256K",
    -8: "EdDSA",
    -19: "Ed25519",
    -37: "PS256",
    -38: "PS384",
    -39: "PS512",
    -257: "RS256",
    -258: "RS384",
    -259: "RS512",
}
MAX_CBOR_BYTES: Final = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CoseSign1:
    protected_bytes: bytes
    protected: dict[Any, Any]
    unprotected: dict[Any, Any]
    payload: bytes
    signature: bytes

    def header(self, label: int) -> Any:
        """A header value, protected first (RFC 9052 §3: a label in both is an error,
        checked when parsing)."""
        return self.protected.get(label, self.unprotected.get(label))

    def jose_like_header(self) -> dict[str, Any]:
        """The parts of the header key resolution needs, in JOSE names."""
        out: dict[str, Any] = {}
        kid = self.header(KID)
        if isinstance(kid, bytes):
            try:
                out["kid"] = kid.decode("utf-8")
            except UnicodeDecodeError:
                pass
        elif isinstance(kid, str):
            out["kid"] = kid
        chain = self.header(X5CHAIN)
        if isinstance(chain, bytes):
            chain = [chain]
        if isinstance(chain, list) and all(isinstance(c, bytes) for c in chain):
            import base64

            out["x5c"] = [base64.b64encode(c).decode("ascii") for c in chain]
        return out


def _loads(data: bytes) -> Any:
    if len(data) > MAX_CBOR_BYTES:
        raise LimitExceeded(f"the CBOR input is over {MAX_CBOR_BYTES} bytes", code="cbor-too-large")
    try:
        # cbor2's decoder has no depth option; its C decoder bounds nesting by the input,
        # and 2 MiB is the size limit; string references and shared values are refused.
        return cbor2.load(io.BytesIO(data))
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, EOFError) as exc:
        raise InvalidInput("the input is not valid CBOR", code="malformed-cose") from exc


def parse_cose_sign1(data: bytes) -> CoseSign1:
    """Parse a COSE_Sign1 (tagged 18, optionally inside a CWT tag 61, or untagged).

    Raises:
        InvalidInput: not CBOR, not a COSE_Sign1, detached payload, or a label in both
            header buckets (``malformed-cose``).
    """
    value = _loads(data)
    if isinstance(value, cbor2.CBORTag) and value.tag == CWT_TAG:
        value = value.value
    if isinstance(value, cbor2.CBORTag):
        if value.tag != COSE_SIGN1_TAG:
            raise InvalidInput(
                f"CBOR tag {value.tag} is not COSE_Sign1 (18)", code="malformed-cose"
            )
        value = value.value
    if not (isinstance(value, list | tuple) and len(value) == 4):
        raise InvalidInput("COSE_Sign1 is an array of four items", code="malformed-cose")
    protected_bytes, unprotected, payload, signature = value
    if not isinstance(protected_bytes, bytes) or not isinstance(unprotected, Mapping):
        raise InvalidInput("malformed COSE_Sign1 headers", code="malformed-cose")
    if payload is None:
        raise InvalidInput("a detached COSE payload is not supported", code="malformed-cose")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise InvalidInput("malformed COSE_Sign1 payload or signature", code="malformed-cose")
    protected = _loads(protected_bytes) if protected_bytes else {}
    if not isinstance(protected, Mapping):
        raise InvalidInput("the COSE protected header is not a map", code="malformed-cose")
    protected, unprotected = dict(protected), dict(unprotected)
    if set(protected) & set(unprotected):
        raise InvalidInput(
            "a COSE header label is both protected and unprotected", code="malformed-cose"
        )
    return CoseSign1(protected_bytes, protected, unprotected, payload, signature)


def sig_structure(message: CoseSign1, external_aad: bytes = b"") -> bytes:
    """RFC 9052 §4.4: ["Signature1", body_protected, external_aad, payload]."""
    return cbor2.dumps(["Signature1", message.protected_bytes, external_aad, message.payload])


def verify_cose_signature(message: CoseSign1, key: JoseKey, *, what: str) -> Check:
    """``proof.signature`` of a COSE_Sign1 with ``key`` (alg from the protected header)."""
    sig = CheckName.PROOF_SIGNATURE
    alg = message.protected.get(ALG)
    if not isinstance(alg, int) or isinstance(alg, bool) or alg not in ALGORITHMS:
        return errored(
            sig,
            "unsupported-algorithm",
            f"the COSE algorithm {alg!r} is not supported (or not in the protected header)",
        )
    kind, digest = ALGORITHMS[alg]
    public_key = key.public_key
    to_be_signed = sig_structure(message)
    try:
        if kind == "ES" and isinstance(public_key, ec.EllipticCurvePublicKey):
            half = (public_key.curve.key_size + 7) // 8
            if len(message.signature) != 2 * half:
                return failed(
                    sig, "bad-signature", f"the {what} ECDSA signature has the wrong length"
                )
            r = int.from_bytes(message.signature[:half], "big")
            s = int.from_bytes(message.signature[half:], "big")
            public_key.verify(encode_dss_signature(r, s), to_be_signed, ec.ECDSA(digest))
        elif kind == "EdDSA" and isinstance(
            public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
        ):
            public_key.verify(message.signature, to_be_signed)
        elif kind == "PS" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(
                message.signature,
                to_be_signed,
                padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size),
                digest,
            )
        elif kind == "RS" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(message.signature, to_be_signed, padding.PKCS1v15(), digest)
        else:
            return failed(
                sig, "key-algorithm-mismatch", f"the {what} algorithm does not fit the issuer's key"
            )
    except InvalidSignature:
        return failed(sig, "bad-signature", f"the {what} signature does not verify")
    return passed(sig, "verified", f"the {what} signature ({ALGORITHM_NAMES[alg]}) is valid")


__all__ = ["CoseSign1", "parse_cose_sign1", "sig_structure", "verify_cose_signature"]
