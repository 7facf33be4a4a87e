"""The rules of the W3C VC Data Model (2.0, and 1.1 where a credential says so) that a plain
credential must meet before this service signs it (the ``vc`` issuance profile; diplomas have
their own JSON Schema in :mod:`schema`).

Each rule is a MUST of the specification; every problem is reported with a JSON pointer.
Term safety (every term defined by a bundled context) is checked after these rules by
:func:`~diploma_exchange.credentials.jsonld.find_undefined_terms`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from diploma_exchange.errors import ErrorDetail

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT: Final = "https://www.w3.org/2018/credentials/v1"
#: XML Schema dateTimeStamp (a dateTime with a time zone), as VC 2.0 §4.9 requires.
_DATETIME_STAMP = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
#: XML Schema dateTime (VC 1.1 issuanceDate / expirationDate: the time zone is optional).
_DATETIME = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
#: An absolute URL (RFC 3986 scheme ":"), what VC 2.0 §4.4 means by "a URL".
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
#: Properties whose value (or each item of it) VC 2.0 requires to have a ``type``.
_TYPED = ("credentialStatus", "credentialSchema", "evidence", "termsOfUse", "refreshService")


def version(doc: Mapping[str, Any]) -> str | None:
    """``"2.0"`` or ``"1.1"`` by the first ``@context`` item; None for neither."""
    context = doc.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return (
        {VC_V2_CONTEXT: "2.0", VC_V1_CONTEXT: "1.1"}.get(first) if isinstance(first, str) else None
    )


def is_url(value: Any) -> bool:
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _stamp(value: Any, *, zone_required: bool = True) -> datetime | None:
    pattern = _DATETIME_STAMP if zone_required else _DATETIME
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def validate_vc(doc: Mapping[str, Any]) -> list[ErrorDetail]:
    """Every VC Data Model rule ``doc`` breaks (empty: it is a well-formed credential)."""
    if not isinstance(doc, Mapping):
        return [ErrorDetail("a credential must be a JSON object", "", "type")]
    return list(_problems(doc))


def _problems(doc: Mapping[str, Any]) -> Iterator[ErrorDetail]:
    context = doc.get("@context")
    ver = version(doc)
    if not isinstance(context, list) or not context:
        yield ErrorDetail("@context must be a non-empty list", "/@context", "context")
    elif ver is None:
        yield ErrorDetail(
            f"the first @context item must be {VC_V2_CONTEXT} (or {VC_V1_CONTEXT} for VC 1.1)",
            "/@context/0",
            "context",
        )
    else:
        for i, item in enumerate(context):
            if not (is_url(item) or isinstance(item, Mapping)):
                yield ErrorDetail(
                    "each @context item must be a URL or an object", f"/@context/{i}", "context"
                )
    types = doc.get("type")
    if not (
        isinstance(types, str)
        or (isinstance(types, list) and all(isinstance(t, str) for t in types))
    ) or "VerifiableCredential" not in _items(types):
        yield ErrorDetail('type must include "VerifiableCredential"', "/type", "type")
    if "id" in doc and not is_url(doc["id"]):
        yield ErrorDetail("id must be a URL", "/id", "url")
    issuer = doc.get("issuer")
    if isinstance(issuer, Mapping):
        if not is_url(issuer.get("id")):
            yield ErrorDetail("issuer.id must be a URL", "/issuer/id", "url")
    elif not is_url(issuer):
        yield ErrorDetail("issuer must be a URL or an object with an id", "/issuer", "url")
    subject = doc.get("credentialSubject")
    subjects = _items(subject)
    if subject is None or not subjects:
        yield ErrorDetail("credentialSubject is required", "/credentialSubject", "required")
    for i, item in enumerate(subjects if subject is not None else []):
        pointer = "/credentialSubject" + (f"/{i}" if isinstance(subject, list) else "")
        if not isinstance(item, Mapping) or not item:
            yield ErrorDetail("a credentialSubject must be a non-empty object", pointer, "type")
        elif "id" in item and not is_url(item["id"]):
            yield ErrorDetail("credentialSubject.id must be a URL", pointer + "/id", "url")
    yield from _dates(doc, ver)
    for name in ("name", "description"):
        if name in doc and not _language_value(doc[name]):
            yield ErrorDetail(
                f"{name} must be a string or language value objects", f"/{name}", "type"
            )
    if isinstance(issuer, Mapping):
        for name in ("name", "description"):
            if name in issuer and not _language_value(issuer[name]):
                yield ErrorDetail(
                    f"issuer.{name} must be a string or language value objects",
                    f"/issuer/{name}",
                    "type",
                )
    for name in _TYPED:
        if name not in doc:
            continue
        value = doc[name]
        for i, item in enumerate(_items(value)):
            pointer = f"/{name}" + (f"/{i}" if isinstance(value, list) else "")
            if not isinstance(item, Mapping) or not _has_type(item):
                yield ErrorDetail(f"each {name} must be an object with a type", pointer, "type")
            elif "id" in item and not is_url(item["id"]):
                yield ErrorDetail(f"{name}.id must be a URL", pointer + "/id", "url")
            elif name == "credentialSchema" and "id" not in item:
                yield ErrorDetail("credentialSchema.id is required", pointer + "/id", "required")
    if "relatedResource" in doc:
        value = doc["relatedResource"]
        ids = [item.get("id") for item in _items(value) if isinstance(item, Mapping)]
        if len(ids) != len(set(map(str, ids))):
            yield ErrorDetail(
                "each relatedResource id must be unique", "/relatedResource", "duplicate-id"
            )
        for i, item in enumerate(_items(value)):
            pointer = "/relatedResource" + (f"/{i}" if isinstance(value, list) else "")
            if not isinstance(item, Mapping) or not is_url(item.get("id")):
                yield ErrorDetail("relatedResource needs a URL id", pointer, "url")
            elif not ({"digestSRI", "digestMultibase"} & set(item)):
                yield ErrorDetail(
                    "relatedResource needs digestSRI or digestMultibase", pointer, "required"
                )


def _has_type(item: Mapping[str, Any]) -> bool:
    kind = item.get("type")
    return isinstance(kind, str) or (
        isinstance(kind, list) and bool(kind) and all(isinstance(t, str) for t in kind)
    )


def _language_value(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return all(
        isinstance(v, Mapping) and isinstance(v.get("@value"), str) for v in _items(value)
    ) and bool(_items(value))


def _dates(doc: Mapping[str, Any], ver: str | None) -> Iterator[ErrorDetail]:
    bounds: dict[str, datetime] = {}
    v1 = ver == "1.1"
    names = ("validFrom", "validUntil") + (("issuanceDate", "expirationDate") if v1 else ())
    for name in names:
        if name not in doc:
            continue
        moment = _stamp(doc[name], zone_required=not v1)
        if moment is None:
            yield ErrorDetail(
                f"{name} must be an XML Schema dateTimeStamp, e.g. 2026-01-01T00:00:00Z",
                f"/{name}",
                "datetime",
            )
        else:
            bounds[name] = moment
    start = bounds.get("validFrom") or bounds.get("issuanceDate")
    end = bounds.get("validUntil") or bounds.get("expirationDate")
    if start and end and _comparable(start, end) and end < start:
        yield ErrorDetail("validUntil must not be before validFrom", "/validUntil", "datetime")


def _comparable(a: datetime, b: datetime) -> bool:
    return (a.tzinfo is None) == (b.tzinfo is None)
