"""The Open Badges 3.0 ``AchievementCredential`` issuance profile (certificates,
micro-credentials, course completions, transcripts).

Every accredited institution may issue these through ``POST /credentials/issue`` (the
``open-badge`` profile of :mod:`diploma_exchange.services.issuance`). A credential is issuable
when it meets, in this order:

1. the W3C VC Data Model 2.0 rules (:func:`~diploma_exchange.credentials.vc_data_model.validate_vc`);
2. the official 1EdTech JSON Schema for ``AchievementCredential`` (VC 2.0 edition,
   ``schemas/ob_v3p0_achievementcredential_schema.json``, vendored unchanged: see
   ``schemas/SOURCES.md``): ``@context`` VC 2.0 then OB 3.0, ``type`` with
   ``AchievementCredential`` or ``OpenBadgeCredential``, an ``AchievementSubject`` with an
   ``Achievement`` (id, type, name, description, criteria), ``achievementType`` from the OB 3.0
   enumeration (or ``ext:``-prefixed), ``issuer`` a URL or a ``Profile``;
3. this service's profile rules (:func:`profile_problems`): an ``achievementType`` is required
   (a registrar says what it issues), the subject is identified (``id`` or ``identifier``,
   OB 3.0 §B.1.2), and a transcript's results refer to the achievement's result descriptions.

Term safety (every term defined by a bundled context) is checked afterwards by the issuance
service, as for every profile.

**Transcript** here means an ``AchievementCredential`` whose ``achievement`` is the programme
(or the term) and whose results list the courses: each course is one ``ResultDescription`` of
the achievement (its ``id``, its ``name``, its ``resultType`` such as ``LetterGrade``, its
``allowedValue``s) and one ``Result`` of the subject (``resultDescription`` = the course's id,
``value`` = the grade, ``status``); the credits are the subject's ``creditsEarned`` against the
achievement's ``creditsAvailable``. OB 3.0's core vocabulary has no per-course credits; a
transcript with per-course credits and ECTS is the diploma's (``transcript`` of the diploma
context). ``ClrCredential`` (CLR 2.0) is out of scope.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

from jsonschema import Draft201909Validator  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange.credentials.schema import FORMAT_CHECKER, schema_error_details
from diploma_exchange.credentials.vc_data_model import validate_vc
from diploma_exchange.errors import ErrorDetail

SCHEMA_FILENAME: Final = "ob_v3p0_achievementcredential_schema.json"
#: The credential types that select this profile (OB 3.0: ``OpenBadgeCredential`` is the
#: name, ``AchievementCredential`` its alias).
ACHIEVEMENT_CREDENTIAL_TYPES: Final = frozenset({"AchievementCredential", "OpenBadgeCredential"})


def is_achievement_credential(credential: Mapping[str, Any]) -> bool:
    """Whether ``credential``'s ``type`` names an OB 3.0 AchievementCredential."""
    types = credential.get("type")
    items = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and t in ACHIEVEMENT_CREDENTIAL_TYPES for t in items)


@cache
def load_schema() -> dict[str, Any]:
    """The vendored 1EdTech AchievementCredential JSON Schema (parsed once)."""
    text = resources.files(__package__).joinpath("schemas").joinpath(SCHEMA_FILENAME)
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> Draft201909Validator:
    schema = load_schema()
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=FORMAT_CHECKER)


def _schema_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What the schema is run on. The 1EdTech schema allows one ``credentialStatus`` object
    where VC 2.0 allows a set; this service issues two entries (revocation and suspension), so
    a list's items are validated one by one against the schema's ``CredentialStatus``."""
    view = dict(doc)
    if isinstance(view.get("credentialStatus"), list):
        del view["credentialStatus"]
    return view


def schema_problems(doc: Mapping[str, Any]) -> list[ErrorDetail]:
    """Every violation of the 1EdTech AchievementCredential JSON Schema, with pointers."""
    validator = _validator()
    problems = [
        detail
        for error in sorted(validator.iter_errors(_schema_view(doc)), key=lambda e: e.json_path)
        for detail in schema_error_details(error)
    ]
    statuses = doc.get("credentialStatus")
    if isinstance(statuses, list):
        status_schema = {
            "$schema": load_schema()["$schema"],
            **load_schema()["$defs"]["CredentialStatus"],
        }
        status_validator = Draft201909Validator(status_schema, format_checker=FORMAT_CHECKER)
        for index, entry in enumerate(statuses):
            for error in status_validator.iter_errors(entry):
                for detail in schema_error_details(error):
                    problems.append(
                        ErrorDetail(
                            detail.message,
                            f"/credentialStatus/{index}{detail.pointer}",
                            detail.code,
                        )
                    )
    return problems


def _ids(values: Any) -> Iterator[tuple[int, Any]]:
    if isinstance(values, list):
        for index, item in enumerate(values):
            if isinstance(item, Mapping):
                yield index, item.get("id")


def profile_problems(doc: Mapping[str, Any]) -> Iterator[ErrorDetail]:
    """This service's rules beyond the schema (run on a schema-valid document)."""
    subject = doc.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return
    if "id" not in subject and not subject.get("identifier"):
        yield ErrorDetail(
            "the subject needs an id (the learner's DID or URL) or an identifier "
            "(an IdentityObject, e.g. a student number)",
            "/credentialSubject",
            "subject-identity",
        )
    achievement = subject.get("achievement")
    if not isinstance(achievement, Mapping):
        return
    if "achievementType" not in achievement:
        yield ErrorDetail(
            "say what is issued: achievementType from the Open Badges 3.0 enumeration "
            "(e.g. Certificate, MicroCredential, Course, CertificateOfCompletion) or 'ext:...'",
            "/credentialSubject/achievement/achievementType",
            "required",
        )
    described: dict[Any, Mapping[str, Any]] = {}
    for index, item_id in _ids(achievement.get("resultDescription")):
        if item_id in described:
            yield ErrorDetail(
                f"result description {item_id!r} is listed twice",
                f"/credentialSubject/achievement/resultDescription/{index}/id",
                "result-duplicate",
            )
        described[item_id] = achievement["resultDescription"][index]
    seen: set[Any] = set()
    results = subject.get("result")
    for index, result in enumerate(results if isinstance(results, list) else []):
        if not isinstance(result, Mapping) or "resultDescription" not in result:
            continue
        where = f"/credentialSubject/result/{index}"
        ref = result["resultDescription"]
        if ref not in described:
            yield ErrorDetail(
                f"result {index} refers to {ref!r}, which is not a resultDescription of the "
                "achievement; describe each course in achievement.resultDescription",
                f"{where}/resultDescription",
                "result-description-unknown",
            )
            continue
        if ref in seen:
            yield ErrorDetail(
                f"{ref!r} has more than one result",
                f"{where}/resultDescription",
                "result-duplicate",
            )
        seen.add(ref)
        allowed = described[ref].get("allowedValue")
        value = result.get("value")
        if isinstance(allowed, list) and value is not None and value not in allowed:
            yield ErrorDetail(
                f"{value!r} is not an allowed value of {ref!r} ({', '.join(map(str, allowed))})",
                f"{where}/value",
                "result-value",
            )


def validate_achievement_credential(doc: Mapping[str, Any]) -> list[ErrorDetail]:
    """Every reason ``doc`` is not an issuable OB 3.0 AchievementCredential (empty: it is).

    Never raises: a problem is an :class:`~diploma_exchange.errors.ErrorDetail` with a
    JSON pointer and a stable code."""
    if not isinstance(doc, Mapping):
        return [ErrorDetail("a credential must be a JSON object", "", "type")]
    problems = validate_vc(doc)
    problems.extend(schema_problems(doc))
    if not problems:
        problems.extend(profile_problems(doc))
    return problems


__all__ = [
    "ACHIEVEMENT_CREDENTIAL_TYPES",
    "SCHEMA_FILENAME",
    "is_achievement_credential",
    "load_schema",
    "profile_problems",
    "schema_problems",
    "validate_achievement_credential",
]
