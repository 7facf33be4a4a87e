"""Which diploma a credential is: the same graduate's same programme at the same institution.

Issuing twice what a registrar meant to issue once (a CSV posted twice, a retry without an
Idempotency-Key) must be caught, so every issued diploma is stored with a digest of:

- the institution,
- the graduate: the institution's own student identifier (the first ``identifier`` that is not
  a name) when there is one, else the full name (English, or the first given) with the date of
  birth,
- the programme: the achievement type with the programme code (``humanCode``) when there is
  one, else with the qualification's name,

each normalised (Unicode NFKC, case and runs of white space ignored). The diploma number, when
given, is kept apart: two diplomas of one institution never share one. A credential that names
no graduate or no programme (not a diploma: any other VC an institution may issue) has no
identity (an empty digest), and is never taken for a duplicate.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class DiplomaIdentity:
    """What makes a diploma the same diploma (see the module docstring)."""

    holder_programme_sha256: str
    diploma_number: str  # "" when the credential has none


def _norm(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return " ".join(text.casefold().split())


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _first_name(names: Any) -> str:
    if isinstance(names, Mapping):
        return str(names.get("en") or next(iter(names.values()), ""))
    return str(names or "")


def diploma_identity(institution_id: str, credential: Mapping[str, Any]) -> DiplomaIdentity:
    """The identity of ``credential`` (a diploma credential, signed or not) at an institution."""
    subject = _obj(credential.get("credentialSubject"))
    achievement = _obj(subject.get("achievement"))
    graduate = _obj(subject.get("graduate"))
    student: list[str] = []
    identifiers = subject.get("identifier")
    for ident in identifiers if isinstance(identifiers, list) else []:
        ident = _obj(ident)
        kind = _norm(ident.get("identityType"))
        value = _norm(ident.get("identityHash"))
        if kind and kind != "name" and value:
            student = ["id", kind, value]
            break
    if not student:
        student = [
            "person",
            _norm(_first_name(graduate.get("fullName"))),
            _norm(graduate.get("dateOfBirth"))[:10],
        ]
    code = _norm(achievement.get("humanCode"))
    programme_named = code or _norm(_first_name(achievement.get("name")))
    if not any(student[1:]) or not programme_named:
        return DiplomaIdentity("", "")
    programme = [
        _norm(achievement.get("achievementType")),
        ("code", code) if code else ("name", _norm(_first_name(achievement.get("name")))),
    ]
    key = json.dumps([institution_id, student, programme], ensure_ascii=False)
    number = " ".join(str(subject.get("diplomaNumber") or "").split())[:64]
    return DiplomaIdentity(hashlib.sha256(key.encode()).hexdigest(), number)
