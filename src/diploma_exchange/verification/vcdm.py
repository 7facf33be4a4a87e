"""Lightweight structural validation of credentials received from other issuers.

``format.schema`` of the pipeline validates against the *diploma* schema, which a foreign
Open Badges 3.0 credential or a plain VC need not follow. These validators check only what
the standards themselves require, so that a structurally broken credential is rejected
while any conformant one passes. Both have the pipeline's ``SchemaValidator`` signature
(credential in, list of :class:`~diploma_exchange.errors.ErrorDetail` out, never raising),
so a verification policy can pass them as ``validate_schema``:

- :func:`vcdm_problems`: W3C VC Data Model 2.0 §4 (and 1.1 for ``credentials/v1``
  credentials): ``@context`` first entry, ``type`` contains ``VerifiableCredential``,
  ``issuer`` is a URL or an object with an ``id`` URL, ``credentialSubject`` present,
  ``id`` a URL, the dates, and the shape of ``proof``/``credentialStatus``/... objects;
- :func:`openbadges_problems`: the Open Badges 3.0 classes' ``type`` values (an
  ``OpenBadgeCredential`` whose issuer is a ``Profile``, whose subject is an
  ``AchievementSubject`` with an ``Achievement``, ...), only for credentials whose
  ``@context`` includes an Open Badges 3.0 context;
- :func:`received_credential_problems`: both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from diploma_exchange.errors import ErrorDetail

CREDENTIALS_V2: Final = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1: Final = "https://www.w3.org/2018/credentials/v1"
_OB_CONTEXT_PREFIX: Final = "https://purl.imsglobal.org/spec/ob/v3p0/"

# RFC 3986 absolute URI: a scheme, ":", and something without whitespace.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")
# XML Schema dateTimeStamp-ish (VC DM 2.0 §4.9 requires a time zone offset or Z).
_DATETIME = re.compile(
    r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
#: Properties whose value is one object or a list of objects, each with a ``type``.
_TYPED_PROPERTIES: Final = (
    "credentialStatus",
    "credentialSchema",
    "evidence",
    "refreshService",
    "termsOfUse",
)


def _pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _types(value: Any) -> list[str] | None:
    """The ``type`` value as a list of strings, or None when it is not one."""
    types = _as_list(value)
    if not types or not all(isinstance(t, str) and t for t in types):
        return None
    return types


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def vcdm_problems(credential: Mapping[str, Any]) -> list[ErrorDetail]:
    """Structural problems of ``credential`` under the W3C VC Data Model (2.0, or 1.1).

    Returns an empty list for a conformant credential; never raises.
    """
    if not isinstance(credential, Mapping):
        return [ErrorDetail("a verifiable credential must be a JSON object", "", "not-an-object")]
    problems: list[ErrorDetail] = []
    # §4.3 Contexts: the first item is the base context (v2; v1 for VC DM 1.1).
    context = credential.get("@context")
    contexts = _as_list(context) if context is not None else []
    first = contexts[0] if contexts else None
    if first not in (CREDENTIALS_V2, CREDENTIALS_V1):
        problems.append(
            ErrorDetail(
                f"the first @context must be {CREDENTIALS_V2} (or {CREDENTIALS_V1} for a "
                f"VC Data Model 1.1 credential); got {first!r}",
                "/@context/0" if isinstance(context, list) else "/@context",
                "context",
            )
        )
    elif not all(isinstance(c, (str, Mapping)) for c in contexts):
        problems.append(
            ErrorDetail("@context items must be URLs or objects", "/@context", "context")
        )
    # §4.4 Identifiers.
    if "id" in credential and not _is_url(credential["id"]):
        problems.append(ErrorDetail("id must be a URL", "/id", "id"))
    # §4.5 Types.
    types = _types(credential.get("type"))
    if types is None or "VerifiableCredential" not in types:
        problems.append(ErrorDetail("type must include VerifiableCredential", "/type", "type"))
    # §4.7 Issuer: a URL, or an object whose id is a URL.
    issuer = credential.get("issuer")
    if issuer is None:
        problems.append(ErrorDetail("the credential must name its issuer", "/issuer", "issuer"))
    elif isinstance(issuer, Mapping):
        if not _is_url(issuer.get("id")):
            problems.append(ErrorDetail("issuer.id must be a URL", "/issuer/id", "issuer"))
    elif not _is_url(issuer):
        problems.append(
            ErrorDetail("issuer must be a URL or an object with an id", "/issuer", "issuer")
        )
    # §4.8 Credential Subject: one object or a non-empty list of objects.
    subject = credential.get("credentialSubject")
    subjects = _as_list(subject) if subject is not None else []
    if not subjects or not all(isinstance(s, Mapping) for s in subjects):
        problems.append(
            ErrorDetail(
                "credentialSubject must be an object or a non-empty list of objects",
                "/credentialSubject",
                "credential-subject",
            )
        )
    # §4.9 Validity period (2.0: validFrom/validUntil; 1.1: issuanceDate required,
    # expirationDate optional).
    date_names = ("validFrom", "validUntil")
    if first == CREDENTIALS_V1:
        date_names = ("issuanceDate", "expirationDate")
        if "issuanceDate" not in credential:
            problems.append(
                ErrorDetail(
                    "a VC Data Model 1.1 credential needs issuanceDate", "/issuanceDate", "date"
                )
            )
    for name in date_names:
        value = credential.get(name)
        if value is not None and not (isinstance(value, str) and _DATETIME.fullmatch(value)):
            problems.append(
                ErrorDetail(f"{name} must be a date-time with a time zone", _pointer(name), "date")
            )
    # §4.10 Status, §4.11 Schema, §5.x evidence, refresh, terms of use: typed objects.
    for name in _TYPED_PROPERTIES:
        if name in credential:
            problems.extend(
                _typed_objects(credential[name], name, need_id=name == "credentialSchema")
            )
    # Securing mechanism (Data Integrity §2.1): proof objects with a type.
    if "proof" in credential:
        problems.extend(_typed_objects(credential["proof"], "proof", need_id=False))
    return problems


def _typed_objects(value: Any, name: str, *, need_id: bool) -> Iterator[ErrorDetail]:
    items = _as_list(value)
    if not items:
        yield ErrorDetail(f"{name} must not be an empty list", _pointer(name), name)
    for index, item in enumerate(items):
        where = _pointer(name, index) if isinstance(value, list) else _pointer(name)
        if not isinstance(item, Mapping):
            yield ErrorDetail(f"{name} must be an object (or a list of objects)", where, name)
            continue
        if _types(item.get("type")) is None:
            yield ErrorDetail(f"{name} needs a type", f"{where}/type", name)
        if need_id and not _is_url(item.get("id")):
            yield ErrorDetail(f"{name} needs an id (a URL)", f"{where}/id", name)
        elif "id" in item and not _is_url(item["id"]):
            yield ErrorDetail(f"{name}.id must be a URL", f"{where}/id", name)


# Open Badges 3.0 (1EdTech, ob_v3p0 model): a class's `type` must include its class name.
# (path from the credential, accepted type names); "*" walks every item of a list.
_OB_CREDENTIAL_TYPES: Final = frozenset(
    {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"}
)
_OB_TYPED_PATHS: Final[tuple[tuple[tuple[str, ...], frozenset[str]], ...]] = (
    (("issuer",), frozenset({"Profile"})),
    (("issuer", "parentOrg"), frozenset({"Profile"})),
    (("issuer", "otherIdentifier", "*"), frozenset({"IdentifierEntry"})),
    (("issuer", "address"), frozenset({"Address"})),
    (("evidence", "*"), frozenset({"Evidence"})),
    (("credentialSubject", "source"), frozenset({"Profile"})),
    (("credentialSubject", "identifier", "*"), frozenset({"IdentityObject"})),
    (("credentialSubject", "result", "*"), frozenset({"Result"})),
    (("credentialSubject", "achievement"), frozenset({"Achievement"})),
    (("credentialSubject", "achievement", "creator"), frozenset({"Profile"})),
    (("credentialSubject", "achievement", "alignment", "*"), frozenset({"Alignment"})),
    (
        ("credentialSubject", "achievement", "resultDescription", "*"),
        frozenset({"ResultDescription"}),
    ),
    (
        ("credentialSubject", "achievement", "resultDescription", "*", "rubricCriterionLevel", "*"),
        frozenset({"RubricCriterionLevel"}),
    ),
    (("credentialSubject", "result", "*", "alignment", "*"), frozenset({"Alignment"})),
)


def _walk(
    node: Any, path: Sequence[str], where: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Yield (pointer parts, value) for every value at ``path`` ("*" = each list item)."""
    if not path:
        yield where, node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _walk(item, rest, (*where, index))
        elif node is not None:
            yield from _walk(node, rest, where)
        return
    if isinstance(node, Mapping) and head in node:
        yield from _walk(node[head], rest, (*where, head))


def is_open_badge(credential: Mapping[str, Any]) -> bool:
    """Whether ``credential``'s ``@context`` includes an Open Badges 3.0 context."""
    contexts = _as_list(credential.get("@context")) if isinstance(credential, Mapping) else []
    return any(isinstance(c, str) and c.startswith(_OB_CONTEXT_PREFIX) for c in contexts)


def openbadges_problems(credential: Mapping[str, Any]) -> list[ErrorDetail]:
    """Open Badges 3.0 class ``type`` problems; ``[]`` for credentials that are not OB 3.0.

    The credential's ``type`` must include ``OpenBadgeCredential`` (or its alias
    ``AchievementCredential``, or ``EndorsementCredential``); its subject must be an
    ``AchievementSubject`` (an ``EndorsementSubject`` for an endorsement); the issuer,
    achievement, evidence, results, identifiers ... must carry their class names. Never raises.
    """
    if not isinstance(credential, Mapping) or not is_open_badge(credential):
        return []
    problems: list[ErrorDetail] = []
    types = _types(credential.get("type")) or []
    if not _OB_CREDENTIAL_TYPES.intersection(types):
        problems.append(
            ErrorDetail(
                "an Open Badges 3.0 credential's type must include OpenBadgeCredential "
                "(or AchievementCredential, or EndorsementCredential)",
                "/type",
                "ob-type",
            )
        )
    subject_type = (
        "EndorsementSubject" if "EndorsementCredential" in types else "AchievementSubject"
    )
    checks = (*_OB_TYPED_PATHS, (("credentialSubject", "*"), frozenset({subject_type})))
    for path, accepted in checks:
        for where, value in _walk(credential, path, ()):
            if isinstance(value, str):
                continue  # a reference (URL) to the object, not the object itself
            found = _types(value.get("type")) if isinstance(value, Mapping) else None
            if found is None or not accepted.intersection(found):
                problems.append(
                    ErrorDetail(
                        f"{'.'.join(str(p) for p in where)} must be an object whose type "
                        f"includes {' or '.join(sorted(accepted))}; got {found!r}",
                        _pointer(*where, "type"),
                        "ob-type",
                    )
                )
    return problems


def received_credential_problems(credential: Mapping[str, Any]) -> list[ErrorDetail]:
    """:func:`vcdm_problems` followed by :func:`openbadges_problems`. Never raises."""
    return [*vcdm_problems(credential), *openbadges_problems(credential)]


__all__ = [
    "is_open_badge",
    "openbadges_problems",
    "received_credential_problems",
    "vcdm_problems",
]
