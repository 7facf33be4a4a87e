"""checks/status.py: a bit is believed only from the list the entry names, signed by the
issuer with a usable key, current; otherwise the status is unknown (error), never "fine"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from diploma_exchange.dids.key_log import KeyWindow
from diploma_exchange.proofs import suites
from diploma_exchange.status import Bitstring, build_status_list_credential, make_status_entry
from diploma_exchange.verification.checks import status
from verification.checks.fakes import (
    NOW,
    DidKeyOnly,
    FakeHistory,
    FakeStatusLists,
    examined_after_proof,
    new_issuer,
    signed,
)

URL = "https://status.example/lists/1"
LIST_SIZE = 131_072


def status_list(
    issuer: Any,
    *,
    url: str = URL,
    revoked: tuple[int, ...] = (),
    valid_from: datetime = NOW - timedelta(hours=1),
    valid_until: datetime | None = NOW + timedelta(days=1),
    purpose: str = "revocation",
) -> dict[str, Any]:
    bits = Bitstring(LIST_SIZE)
    for index in revoked:
        bits.set(index, 1)
    unsigned = build_status_list_credential(
        list_url=url,
        issuer=issuer.did,
        purpose=purpose,
        bitstring=bits,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return suites.add_proof(unsigned, "eddsa-jcs-2022", issuer.signer, created=valid_from)


def revocation_of(
    document: dict[str, Any], lists: dict[str, Any], history: FakeHistory | None = None
) -> tuple[str, str, dict[str, Any]]:
    checks = status.run(
        examined_after_proof(document),
        resolver=DidKeyOnly(),
        provider=FakeStatusLists(lists),
        history=history,
    )
    check = next(c for c in checks if c.name.value == "status.revocation")
    return check.status.value, check.code, dict(check.details)


def with_entry(issuer: Any, index: int = 7) -> dict[str, Any]:
    return signed(issuer, credentialStatus=make_status_entry(URL, index, "revocation"))


def test_not_revoked_and_revoked_with_the_lists_age() -> None:
    issuer = new_issuer()
    code_ok = revocation_of(with_entry(issuer), {URL: status_list(issuer)})
    assert code_ok[:2] == ("passed", "not-revoked")
    assert code_ok[2]["listAgeSeconds"] == 3600
    assert revocation_of(with_entry(issuer), {URL: status_list(issuer, revoked=(7,))})[:2] == (
        "failed",
        "revoked",
    )


def test_an_expired_or_future_list_is_refused() -> None:
    issuer = new_issuer()
    expired = status_list(
        issuer, valid_from=NOW - timedelta(days=3), valid_until=NOW - timedelta(days=1)
    )
    assert revocation_of(with_entry(issuer), {URL: expired})[:2] == (
        "error",
        "status-list-expired",
    )
    future = status_list(issuer, valid_from=NOW + timedelta(days=1), valid_until=None)
    assert revocation_of(with_entry(issuer), {URL: future})[:2] == (
        "error",
        "status-list-not-yet-valid",
    )


def test_another_list_or_another_issuer_cannot_speak_for_the_entry() -> None:
    issuer, other = new_issuer(), new_issuer()
    elsewhere = status_list(issuer, url="https://status.example/lists/2")
    assert revocation_of(with_entry(issuer), {URL: elsewhere})[:2] == (
        "error",
        "status-list-unverifiable",
    )
    theirs = status_list(other)
    assert revocation_of(with_entry(issuer), {URL: theirs})[:2] == (
        "error",
        "status-list-unverifiable",
    )


def test_a_list_by_a_compromised_or_retired_key_is_refused() -> None:
    issuer = new_issuer()
    added = datetime(2024, 1, 1, tzinfo=UTC)
    for moments in (
        {"compromised_at": NOW - timedelta(days=5)},
        {"retired_at": NOW - timedelta(days=5)},
    ):
        history = FakeHistory(
            {
                issuer.did: {
                    issuer.method: KeyWindow(
                        issuer.method, issuer.method.rsplit("#", 1)[1], added, **moments
                    )
                }
            }
        )
        result = revocation_of(with_entry(issuer), {URL: status_list(issuer)}, history)
        assert result[:2] == ("error", "status-list-unverifiable"), moments


def test_an_unavailable_list_and_no_entry() -> None:
    issuer = new_issuer()
    assert revocation_of(with_entry(issuer), {})[:2] == ("error", "status-list-unavailable")
    assert revocation_of(signed(issuer), {})[:2] == ("skipped", "no-status-entry")


def test_a_list_signed_a_moment_after_the_clock_reading_is_current() -> None:
    """Under load, a list re-signed between the verification's clock reading and the fetch
    is current (this raced in a soak test), as is one from a server a little ahead."""
    issuer = new_issuer()
    just_after = status_list(issuer, valid_from=NOW + timedelta(seconds=2))
    assert revocation_of(with_entry(issuer), {URL: just_after})[:2] == ("passed", "not-revoked")
