"""checks/status.py: the 1EdTech Revocation List (Open Badges 3.0, CLR 2.0) of an issuer.

The entry names the issuer's revocation list service; its answer lists revoked credentials
by id. On the list: revoked (failed); not on it: not revoked; another issuer's list, an
answer that is not a list, or no answer: unknown (error), never "not revoked"."""

from __future__ import annotations

import json
from typing import Any

from diploma_exchange.formats import StaticFetcher
from diploma_exchange.verification.checks import status
from verification.checks.fakes import (
    DidKeyOnly,
    FakeStatusLists,
    examined_after_proof,
    new_issuer,
    signed,
)

SERVICE = "https://badges.example/api/revocations/issuer-1"
ID = "urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301"  # the fakes' credential id


def _revocation(answer: Any | None) -> tuple[str, str]:
    issuer = new_issuer()
    document = signed(issuer, credentialStatus={"id": SERVICE, "type": "1EdTechRevocationList"})
    documents = None
    if answer is not None:
        body = answer(issuer.did) if callable(answer) else answer
        documents = StaticFetcher({SERVICE: json.dumps(body).encode()})
    checks = status.run(
        examined_after_proof(document),
        resolver=DidKeyOnly(),
        provider=FakeStatusLists({}),
        documents=documents,
    )
    assert not any(c.code == "unsupported-status-type" for c in checks)
    check = next(c for c in checks if c.name.value == "status.revocation")
    return check.status.value, check.code


def test_a_credential_on_its_issuers_list_is_revoked() -> None:
    answer = lambda did: {
        "id": SERVICE,
        "issuer": did,
        "revokedCredentials": [{"id": "urn:uuid:other"}, {"id": ID, "revocationReason": "error"}],
    }
    assert _revocation(answer) == ("failed", "revoked")


def test_a_credential_not_on_the_list_is_not_revoked() -> None:
    answer = lambda did: {"id": SERVICE, "issuer": {"id": did}, "revokedCredentials": []}
    assert _revocation(answer) == ("passed", "not-revoked")


def test_another_issuers_list_cannot_speak_for_the_credential() -> None:
    answer = {"issuer": "did:key:z6MkSomeoneElse", "revokedCredentials": []}
    assert _revocation(answer) == ("error", "status-list-unverifiable")


def test_an_answer_that_is_not_a_revocation_list_is_unknown() -> None:
    assert _revocation({"revoked": False}) == ("error", "status-list-unverifiable")


def test_no_answer_is_unknown_never_not_revoked() -> None:
    assert _revocation(None) == ("error", "status-list-unavailable")
    assert _revocation(lambda did: []) == ("error", "status-list-unverifiable")
