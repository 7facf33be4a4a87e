"""Enveloped verifiable credentials and presentations (VC Data Model 2.0 §4.13.1 and §4.13.2;
VC-JOSE-COSE §3.3): a JSON object that stands for a credential or presentation secured by an
enveloping mechanism (a JWT, SD-JWT or COSE token), carried in its ``id`` as a ``data:`` URL
(RFC 2397)::

    {"@context": "https://www.w3.org/ns/credentials/v2",
     "type": "EnvelopedVerifiableCredential",
     "id": "data:application/vc+jwt,eyJhbGciOi..."}

:func:`open_enveloped` checks the object against the Data Model's rules and returns the token
it carries; what the token says is the format's to verify (``formats.tokens``). An object
that claims to be an envelope and breaks one of those rules is not a credential this service
can read: :class:`~diploma_exchange.errors.InvalidInput`, not a verdict.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote_to_bytes

from diploma_exchange.errors import InvalidInput

ENVELOPED_CREDENTIAL: Final = "EnvelopedVerifiableCredential"
ENVELOPED_PRESENTATION: Final = "EnvelopedVerifiablePresentation"
#: The base context: the first ``@context`` item of every VC 2.0 document (§4.3), and the
#: context that defines ``EnvelopedVerifiableCredential`` / ``EnvelopedVerifiablePresentation``.
BASE_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
#: Media types that name the other kind of document than the envelope's type says
#: (VC-JOSE-COSE §6.1: ``application/vc+jwt``, ``application/vp+jwt``, ``vc+sd-jwt``, ...).
_WRONG_KIND: Final = {
    ENVELOPED_CREDENTIAL: ("application/vp+", "application/vp-"),
    ENVELOPED_PRESENTATION: ("application/vc+", "application/vc-"),
}


@dataclass(frozen=True, slots=True)
class Enveloped:
    """What an envelope object carries: its ``type``, the ``data:`` URL's media type (lower
    case, without parameters) and the decoded token."""

    kind: str
    media_type: str
    payload: bytes


def enveloped_kind(document: Mapping[str, Any]) -> str | None:
    """``EnvelopedVerifiableCredential`` or ``EnvelopedVerifiablePresentation`` when the
    object's ``type`` names one of them, else None."""
    types = document.get("type")
    names = types if isinstance(types, list) else [types]
    for kind in (ENVELOPED_CREDENTIAL, ENVELOPED_PRESENTATION):
        if kind in names:
            return kind
    return None


def open_enveloped(document: Mapping[str, Any], pointer: str = "") -> Enveloped | None:
    """The token inside an enveloped credential or presentation; None when ``document`` does
    not claim to be one (its ``type`` names neither).

    VC Data Model 2.0 §4.13.1/§4.13.2: "The @context property of the object MUST be present
    and include a context, such as the base context for this specification, that defines at
    least the id, type, and EnvelopedVerifiableCredential terms"; "The id value of the object
    MUST be a data: URL [RFC2397] that expresses a secured verifiable credential using an
    enveloping security scheme"; "The type value of the object MUST be
    EnvelopedVerifiableCredential" (the same for presentations).

    Raises:
        InvalidInput: (code ``malformed-envelope``, with the JSON pointer of the member) the
            object claims to be an envelope but its ``type`` names anything else too, its
            ``@context`` does not begin with the base context, or its ``id`` is not a
            ``data:`` URL with a media type and a token (base64 that does not decode, a
            media type of the other kind: ``application/vp+jwt`` in a credential envelope).
    """
    kind = enveloped_kind(document)
    if kind is None:
        return None
    # 1. type: exactly the envelope's type
    types = document.get("type")
    if (types if isinstance(types, list) else [types]) != [kind]:
        raise _malformed(f"the type of an {kind} must be {kind} and nothing else", pointer, "type")
    # 2. @context: present, the base context first (the one that defines the envelope's terms)
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first != BASE_CONTEXT:
        raise _malformed(
            f"an {kind} must have an @context whose first item is {BASE_CONTEXT}",
            pointer,
            "@context",
        )
    # 3. id: data:[<mediatype>][;base64],<data> (RFC 2397 §3)
    url = document.get("id")
    if not isinstance(url, str) or url[:5].lower() != "data:":
        raise _malformed(
            f"the id of an {kind} must be a data: URL holding the secured token "
            "(data:application/vc+jwt,<token>)",
            pointer,
            "id",
        )
    header, comma, data = url[5:].partition(",")
    parameters = header.split(";")
    media_type = parameters[0].strip().lower()
    if not comma or not data or "/" not in media_type:
        raise _malformed(
            f"the data: URL of an {kind} must name a media type and hold a token "
            "(data:application/vc+jwt,<token>)",
            pointer,
            "id",
        )
    if media_type.startswith(_WRONG_KIND[kind]):
        raise _malformed(
            f"an {kind} cannot hold a {media_type} token (the media type of the other kind)",
            pointer,
            "id",
        )
    if parameters[-1].strip().lower() == "base64":
        try:
            payload = base64.b64decode(unquote_to_bytes(data), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _malformed(
                f"the data: URL of an {kind} says base64 but does not decode", pointer, "id"
            ) from exc
    else:
        payload = unquote_to_bytes(data)
    return Enveloped(kind=kind, media_type=media_type, payload=payload)


def _malformed(message: str, pointer: str, member: str) -> InvalidInput:
    return InvalidInput(
        message, code="malformed-envelope", pointer=f"{pointer}/{member.replace('/', '~1')}"
    )


__all__ = [
    "BASE_CONTEXT",
    "ENVELOPED_CREDENTIAL",
    "ENVELOPED_PRESENTATION",
    "Enveloped",
    "enveloped_kind",
    "open_enveloped",
]
