"""The ``did:web`` method (W3C CCG "did:web Method Specification").

§3.1 Method-Specific Identifier: a domain name, an optional port whose colon is
percent-encoded (``%3A``), and optional path segments delimited by ``:``.
§3.2.2 Read (Resolve): ``:`` -> ``/``, percent-decode the port colon, prepend
``https://``, append ``/.well-known`` when there is no path, then ``/did.json``.

This module is pure (no network): it maps DIDs to URLs and builds DID documents. Fetching
is done by ``dids.remote`` (SSRF-safe fetcher, resolver with cache).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from diploma_exchange.dids.did_key import DID_CONTEXT, MULTIKEY_CONTEXT
from diploma_exchange.dids.document import parse_did, split_did_url
from diploma_exchange.errors import DidResolutionError, KeyLoadError
from diploma_exchange.proofs.keys import public_key_from_multikey

# RFC 1035/1123 labels: letters, digits, inner hyphens, at most 63 characters.
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# Path segments: DID Core idchar without percent-encoding (kept strict on purpose).
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")
_FRAGMENT = re.compile(r"[A-Za-z0-9._-]+")
_PORT_SEPARATOR: Final = "%3A"


def _invalid(message: str) -> DidResolutionError:
    return DidResolutionError(message, code="invalid-did-web")


def _check_host(host: str) -> str:
    """Validate a DNS host name (no IP literals, per §3.1); return it lower-cased."""
    if not host or len(host) > 253:
        raise _invalid(f"invalid did:web host {host!r}")
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        raise _invalid(f"did:web must use a domain name, not an IP address: {host!r}")
    if not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise _invalid(f"invalid did:web host {host!r}")
    return host.lower()


def _check_port(port: str) -> int:
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise _invalid(f"invalid did:web port {port!r}")
    return int(port)


def _check_segment(segment: str) -> str:
    """Validate one path segment: non-empty, ``[A-Za-z0-9._-]``, not ``.`` or ``..``."""
    if not isinstance(segment, str) or not _SEGMENT.fullmatch(segment) or segment in {".", ".."}:
        raise _invalid(
            f"invalid did:web path segment {segment!r}: use 1 or more of A-Z a-z 0-9 . - _ "
            "and not '.' or '..'"
        )
    return segment


def did_web_from_url(base_url: str, path_segments: Sequence[str] = ()) -> str:
    """Return the ``did:web`` DID of the DID document under ``base_url``/``path_segments``.

    ``base_url`` is ``http(s)://host[:port][/path]``; its path segments come before
    ``path_segments``. The port colon is written ``%3A`` and segments are joined by ``:``,
    e.g. ``("https://example.com:3000", ["user", "alice"])`` ->
    ``did:web:example.com%3A3000:user:alice``.

    Raises:
        DidResolutionError: the URL has another scheme, user info, a query or fragment, an
            IP address host, a bad port, or a path segment that is empty, ``.``/``..`` or
            has characters outside ``A-Z a-z 0-9 . - _``.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"}:
        raise _invalid(f"base URL must be http(s): {base_url!r}")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise _invalid(f"base URL must not have user info, a query or a fragment: {base_url!r}")
    host = _check_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError as exc:
        raise _invalid(f"invalid port in base URL {base_url!r}") from exc
    authority = host if port is None else f"{host}{_PORT_SEPARATOR}{port}"
    base_path = parts.path.removesuffix("/")
    base_segments = base_path.split("/")[1:] if base_path else []
    if isinstance(path_segments, str):
        raise _invalid("path_segments must be a sequence of segments, not a string")
    segments = [_check_segment(s) for s in (*base_segments, *path_segments)]
    return ":".join(["did:web", authority, *segments])


def _parse_did_web(did: str) -> tuple[str, int | None, list[str]]:
    """Validate a did:web DID; return ``(host, port, path_segments)``."""
    method, msid = parse_did(did)
    if method != "web":
        raise _invalid(f"not a did:web DID: {did!r}")
    # 1. Replace ":" with "/" in the method-specific identifier (split on ":").
    authority, *segments = msid.split(":")
    # 2. If the domain contains a port, percent-decode the colon.
    host, separator, port_text = authority.partition(_PORT_SEPARATOR)
    if not separator:
        host, separator, port_text = authority.partition(_PORT_SEPARATOR.lower())
    if "%" in host or "%" in port_text:
        raise _invalid(f"only the port colon may be percent-encoded in a did:web: {did!r}")
    port = _check_port(port_text) if separator else None
    return _check_host(host), port, [_check_segment(s) for s in segments]


def did_web_to_url(did: str, *, allow_http_hosts: Collection[str] = ()) -> str:
    """Return the URL of the DID document of a ``did:web`` DID (§3.2.2 Read).

    ``did:web:w3c-ccg.github.io`` -> ``https://w3c-ccg.github.io/.well-known/did.json``;
    ``did:web:example.com%3A3000:user:alice`` ->
    ``https://example.com:3000/user/alice/did.json``. A DID URL's fragment is ignored.
    ``http`` is used instead of ``https`` only for hosts listed in ``allow_http_hosts``
    (as ``host`` or ``host:port``), for local development.

    Raises:
        DidResolutionError: not a well-formed ``did:web`` (see :func:`did_web_from_url`).
    """
    bare_did, _ = split_did_url(did)
    host, port, segments = _parse_did_web(bare_did)
    authority = host if port is None else f"{host}:{port}"
    allowed = {h.lower() for h in allow_http_hosts}
    # 3. Prepend https:// (http only for explicitly allowed development hosts).
    scheme = "http" if host in allowed or authority in allowed else "https"
    # 4. If no path has been specified, append /.well-known.
    path = "/".join(segments) if segments else ".well-known"
    # 5. Append /did.json.
    return f"{scheme}://{authority}/{path}/did.json"


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """A public key to publish in a did:web document under ``#fragment``."""

    fragment: str
    public_key_multibase: str
    #: When the key was compromised (VC Controlled Identifiers ``revoked``): proofs created at
    #: or after it are invalid; earlier ones still verify.
    revoked: str | None = None
    #: False for a retired key: listed so that what it signed still verifies, but not for
    #: authentication any more.
    active: bool = True


def build_did_document(
    did: str, keys: Sequence[VerificationKey], services: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Build the JSON DID document of a ``did:web`` issuer with Multikey keys.

    Every key is listed under ``verificationMethod`` (type ``Multikey``, controller
    ``did``) and referenced from ``assertionMethod`` and ``authentication``.

    Raises:
        DidResolutionError: ``did`` is not a valid ``did:web``, ``keys`` is empty, or a
            fragment is invalid (``[A-Za-z0-9._-]+``) or repeated.
        KeyLoadError: a ``public_key_multibase`` is not an Ed25519, P-256 or P-384 Multikey.
    """
    _parse_did_web(did)
    if not keys:
        raise _invalid("a did:web document needs at least one key")
    methods: list[dict[str, str]] = []
    active_ids: list[str] = []
    seen: set[str] = set()
    for key in keys:
        if not _FRAGMENT.fullmatch(key.fragment) or key.fragment in seen:
            raise _invalid(f"invalid or repeated key fragment {key.fragment!r}")
        seen.add(key.fragment)
        try:
            public_key_from_multikey(key.public_key_multibase)
        except KeyLoadError as exc:
            raise KeyLoadError(
                f"key #{key.fragment} is not an Ed25519, P-256 or P-384 Multikey value: "
                f"{exc.message}"
            ) from exc
        method = {
            "id": f"{did}#{key.fragment}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        if key.revoked is not None:
            method["revoked"] = key.revoked
        methods.append(method)
        if key.active and key.revoked is None:
            active_ids.append(method["id"])
    method_ids = [m["id"] for m in methods]
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": list(method_ids),
        "authentication": active_ids,
    }
    if services:
        document["service"] = [dict(s) for s in services]
    return document


__all__ = [
    "VerificationKey",
    "build_did_document",
    "did_web_from_url",
    "did_web_to_url",
]
