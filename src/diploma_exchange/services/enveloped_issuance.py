"""Issuing enveloped credentials: a credential secured by VC-JOSE-COSE instead of an embedded
Data Integrity proof, handed out as a VC Data Model 2.0 ``EnvelopedVerifiableCredential``.

VC-JOSE-COSE §3.1.1 (Securing JSON-LD Verifiable Credentials with JOSE): the JWS payload is
the credential itself (a VC 2.0 JSON-LD document; the JWT claims ``vc`` and ``vp`` are not
used), the protected header has ``alg`` (the institution's key: ``EdDSA``, ``ES256``,
``ES384``), ``kid`` (the verification method of the issuer's DID that signs), ``typ``
``vc+jwt`` and ``cty`` ``vc``. No ``iss`` is added: VC-JOSE-COSE does not require one (it
is a key-discovery hint, §3.3), the credential's own ``issuer`` says who issued it, and the
verifier binds ``kid`` (a DID URL) to that issuer.

VC Data Model 2.0 §4.13.1: the object a holder receives is ``{"@context": [v2], "id":
"data:application/vc+jwt,<JWS>", "type": "EnvelopedVerifiableCredential"}``.

The issuance register and the transparency log name an enveloped credential by the SHA-256
of its compact JWS (ASCII), exactly what the signature covers and what the verifier
recomputes from the token it receives (:func:`formats.tokens.open_compact_jwt`), as for the
issuer-signed JWT of an SD-JWT.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from diploma_exchange.errors import InvalidInput
from diploma_exchange.formats.enveloped import BASE_CONTEXT, ENVELOPED_CREDENTIAL
from diploma_exchange.formats.inputs import parse_compact_jws
from diploma_exchange.proofs import keys
from diploma_exchange.services.signing import AnySigner
from diploma_exchange.wallets.sd_jwt_vc import sign_compact

#: VC-JOSE-COSE §6.1.1: the media type of a credential secured with JOSE.
VC_JWT: Final = "application/vc+jwt"
#: The enveloping mechanisms ``options.envelope`` takes.
ENVELOPES: Final = (VC_JWT,)


def check_envelope(value: str) -> str:
    """``value`` when it names an enveloping mechanism this service issues.

    Raises:
        InvalidInput: (``unsupported-envelope``) anything else.
    """
    if value not in ENVELOPES:
        raise InvalidInput(
            f"unsupported envelope {value!r}; supported: {', '.join(ENVELOPES)} (leave "
            "options.envelope out for an embedded Data Integrity proof)",
            pointer="/options/envelope",
            code="unsupported-envelope",
        )
    return value


@dataclass(frozen=True, slots=True)
class EnvelopedCredential:
    """An issued enveloped credential: the compact JWS, the envelope object handed out, and
    the hex SHA-256 of the JWS (its name in the register and the transparency log)."""

    token: str
    envelope: dict[str, Any]
    digest: str


def envelope_credential(
    credential: Mapping[str, Any], signer: AnySigner, media_type: str = VC_JWT
) -> EnvelopedCredential:
    """Secure ``credential`` (complete, with its status entries, no ``proof``) as
    ``media_type`` with ``signer`` and wrap the token in an EnvelopedVerifiableCredential.

    Raises:
        InvalidInput: ``media_type`` is not one of :data:`ENVELOPES`; the credential carries a
            ``proof``.
    """
    check_envelope(media_type)
    if "proof" in credential:
        raise InvalidInput("an enveloped credential carries no embedded proof", pointer="/proof")
    # VC-JOSE-COSE §3.1.1: typ vc+jwt, cty vc; kid the DID URL of the signing method.
    header = {
        "alg": keys.jws_algorithm(signer),
        "kid": signer.verification_method,
        "typ": "vc+jwt",
        "cty": "vc",
    }
    token = sign_compact(header, credential, signer.sign)
    envelope = {
        "@context": [BASE_CONTEXT],
        "id": f"data:{media_type},{token}",
        "type": ENVELOPED_CREDENTIAL,
    }
    return EnvelopedCredential(
        token=token, envelope=envelope, digest=hashlib.sha256(token.encode("ascii")).hexdigest()
    )


def issued_credential(document: Any) -> Any:
    """The credential a stored issued document stands for: the JWS payload of an
    EnvelopedVerifiableCredential this service issued (read from its own register, where it
    was put after signing; not a verification), else ``document`` itself. For what reads a
    diploma's contents (the PDF, wallet copies, a share link's expiry, recognition); a
    verifier is given the stored document as it is."""
    if not isinstance(document, Mapping) or document.get("type") != ENVELOPED_CREDENTIAL:
        return document
    url = document.get("id")
    prefix = f"data:{VC_JWT},"
    if not isinstance(url, str) or not url.startswith(prefix):
        return document
    try:
        return parse_compact_jws(url[len(prefix) :]).payload_json()
    except InvalidInput:
        return document


__all__ = [
    "ENVELOPES",
    "VC_JWT",
    "EnvelopedCredential",
    "check_envelope",
    "envelope_credential",
    "issued_credential",
]
