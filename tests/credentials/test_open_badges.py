"""The Open Badges 3.0 AchievementCredential profile (credentials/open_badges.py): the vendored
1EdTech schema is the file SOURCES.md names, and its rules and this profile's are reported
with pointers and stable codes."""

from __future__ import annotations

import copy
import hashlib
from importlib import resources
from typing import Any

import pytest

from diploma_exchange.credentials.open_badges import (
    SCHEMA_FILENAME,
    is_achievement_credential,
    load_schema,
    validate_achievement_credential,
)

SCHEMAS = resources.files("diploma_exchange.credentials").joinpath("schemas")


def credential() -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:6f1a3c2e-0d7b-4f43-9c55-1d2f3e4a5b6c",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Micro-credential: Python for data analysis",
        "issuer": {"id": "did:web:kaznu.example", "type": ["Profile"], "name": "KazNU"},
        "validFrom": "2025-06-30T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": False,
                    "identityHash": "2025-00017",
                    "identityType": "sourcedId",
                }
            ],
            "achievement": {
                "id": "https://kaznu.example/achievements/python-data",
                "type": ["Achievement"],
                "name": "Python for data analysis",
                "description": "Pandas, plotting and statistics with Python.",
                "criteria": {"narrative": "Four graded projects."},
                "achievementType": "MicroCredential",
            },
        },
    }


def codes(doc: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(p.pointer, p.code) for p in validate_achievement_credential(doc)]


def test_the_vendored_schema_is_the_one_sources_names() -> None:
    data = SCHEMAS.joinpath(SCHEMA_FILENAME).read_bytes()
    sources = SCHEMAS.joinpath("SOURCES.md").read_text(encoding="utf-8")
    assert hashlib.sha256(data).hexdigest() in sources
    assert load_schema()["$id"].endswith("ob_v3p0_achievementcredential-jsonschema1.json")
    assert "validFrom" in load_schema()["required"]  # the VC 2.0 edition


def test_a_micro_credential_with_an_identifier_conforms() -> None:
    assert codes(credential()) == []
    assert is_achievement_credential(credential())
    assert not is_achievement_credential({"type": ["VerifiableCredential"]})


def test_a_list_of_status_entries_is_validated_item_by_item() -> None:
    doc = credential()
    doc["credentialStatus"] = [
        {"id": "https://x.example/status/1#5", "type": "BitstringStatusListEntry"},
        {"type": "BitstringStatusListEntry"},
    ]
    assert ("/credentialStatus/1/id", "required") in codes(doc)
    doc["credentialStatus"][1]["id"] = "https://x.example/status/2#5"
    assert codes(doc) == []


@pytest.mark.parametrize(
    ("path", "value", "pointer", "code"),
    [
        (("type",), ["VerifiableCredential"], "/type", "contains"),
        (("issuer",), {"id": "did:web:kaznu.example", "name": "KazNU"}, "/issuer", None),
        (("validFrom",), None, "/validFrom", "required"),
    ],
)
def test_schema_problems_have_pointers(
    path: tuple[str, ...], value: Any, pointer: str, code: str | None
) -> None:
    doc = copy.deepcopy(credential())
    if value is None:
        del doc[path[0]]
    else:
        doc[path[0]] = value
    found = codes(doc)
    assert found, "expected a problem"
    assert any(p.startswith(pointer) and (code is None or c == code) for p, c in found), found
