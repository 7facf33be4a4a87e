"""Parsing ``credentialStatus`` into entries, unknown types and problems; making entries."""

from __future__ import annotations

from typing import Any

import pytest

from diploma_exchange.errors import InvalidInput
from diploma_exchange.status import (
    StatusEntry,
    StatusMessage,
    UnknownStatus,
    make_status_entry,
    parse_status_entries,
)

LIST = "https://diplomas.example.kz/status-lists/7"


def _entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": f"{LIST}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST,
    }
    entry.update(overrides)
    return {key: value for key, value in entry.items() if value is not None}


def _credential(status: Any) -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "credentialStatus": status}


def test_no_credential_status_gives_nothing() -> None:
    assert parse_status_entries({"id": "urn:uuid:1"}) == ([], [], [])


def test_single_object() -> None:
    entries, unknown, problems = parse_status_entries(_credential(_entry()))
    assert (unknown, problems) == ([], [])
    assert entries == [
        StatusEntry(
            id=f"{LIST}#94567",
            type="BitstringStatusListEntry",
            status_purpose="revocation",
            status_list_index=94567,
            status_list_credential=LIST,
            status_size=1,
            status_message=None,
            pointer="/credentialStatus",
        )
    ]
    assert entries[0].bit_position == 94567


def test_list_of_entries_keeps_pointers_and_reports_unknown_types() -> None:
    other = {"id": "https://x.example/1", "type": "1EdTechRevocationList"}
    several = {"type": ["Custom", "Status"]}
    parsed = parse_status_entries(
        _credential([_entry(), other, _entry(statusPurpose="suspension", id=None), several])
    )
    assert [e.pointer for e in parsed.entries] == ["/credentialStatus/0", "/credentialStatus/2"]
    assert [e.status_purpose for e in parsed.entries] == ["revocation", "suspension"]
    assert parsed.entries[1].id is None
    assert parsed.unknown == [
        UnknownStatus("1EdTechRevocationList", "/credentialStatus/1"),
        UnknownStatus("Custom Status", "/credentialStatus/3"),
    ]
    assert parsed.problems == []


def test_the_ccg_predecessors_are_read_as_entries() -> None:
    """StatusList2021Entry has the same properties; RevocationList2020Status names them
    revocationListIndex / revocationListCredential and always means revocation."""
    list_url = "https://status.example/lists/3"
    status_2021 = {
        "id": f"{list_url}#7",
        "type": "StatusList2021Entry",
        "statusPurpose": "suspension",
        "statusListIndex": "7",
        "statusListCredential": list_url,
    }
    revocation_2020 = {
        "id": f"{list_url}#9",
        "type": "RevocationList2020Status",
        "revocationListIndex": "9",
        "revocationListCredential": list_url,
    }
    parsed = parse_status_entries(_credential([status_2021, revocation_2020]))
    assert parsed.problems == [] and parsed.unknown == []
    assert [(e.type, e.status_purpose, e.status_list_index) for e in parsed.entries] == [
        ("StatusList2021Entry", "suspension", 7),
        ("RevocationList2020Status", "revocation", 9),
    ]
    assert {e.status_list_credential for e in parsed.entries} == {list_url}
    numeric = parse_status_entries(_credential({**revocation_2020, "revocationListIndex": 9}))
    assert [e.status_list_index for e in numeric.entries] == [9]  # as some issuers write it
    broken = parse_status_entries(_credential({**revocation_2020, "revocationListIndex": "x"}))
    assert [p.pointer for p in broken.problems] == ["/credentialStatus/statusListIndex"]


@pytest.mark.parametrize(
    ("status", "pointer"),
    [
        ("https://x.example/status", "/credentialStatus"),
        ([_entry(), "not an object"], "/credentialStatus/1"),
        ({"statusPurpose": "revocation"}, "/credentialStatus/type"),
        (_entry(type=["BitstringStatusListEntry"]), "/credentialStatus/type"),
        (_entry(statusListIndex="abc"), "/credentialStatus/statusListIndex"),
        (_entry(statusListIndex="-1"), "/credentialStatus/statusListIndex"),
        (_entry(statusListIndex=" 1"), "/credentialStatus/statusListIndex"),
        (_entry(statusListIndex="1" * 21), "/credentialStatus/statusListIndex"),
        (_entry(statusListIndex=94567), "/credentialStatus/statusListIndex"),
        (_entry(statusListIndex=None), "/credentialStatus/statusListIndex"),
        (_entry(statusPurpose=""), "/credentialStatus/statusPurpose"),
        (_entry(statusPurpose=["revocation"]), "/credentialStatus/statusPurpose"),
        (_entry(statusListCredential=None), "/credentialStatus/statusListCredential"),
        (_entry(statusListCredential="not a url"), "/credentialStatus/statusListCredential"),
        (_entry(id=LIST), "/credentialStatus/id"),
        (_entry(statusSize=0), "/credentialStatus/statusSize"),
        (_entry(statusSize=True), "/credentialStatus/statusSize"),
        (_entry(statusSize="2"), "/credentialStatus/statusSize"),
        (_entry(statusSize=17), "/credentialStatus/statusSize"),
        (_entry(statusSize=2), "/credentialStatus/statusMessage"),
        (
            _entry(statusMessage=[{"status": "0x0", "message": "unset"}]),
            "/credentialStatus/statusMessage",
        ),
        (
            _entry(
                statusMessage=[{"status": "0x0", "message": "a"}, {"status": "1", "message": "b"}]
            ),
            "/credentialStatus/statusMessage/1/status",
        ),
        (
            _entry(
                statusMessage=[{"status": "0x0", "message": "a"}, {"status": "0x0", "message": "b"}]
            ),
            "/credentialStatus/statusMessage/1/status",
        ),
        (
            _entry(statusMessage=[{"status": "0x0", "message": "a"}, {"status": "0x1"}]),
            "/credentialStatus/statusMessage/1/message",
        ),
    ],
)
def test_malformed_entries_are_problems_with_pointers(status: Any, pointer: str) -> None:
    entries, unknown, problems = parse_status_entries(_credential(status))
    assert unknown == []
    assert pointer in [p.pointer for p in problems]
    assert all(p.code == "MALFORMED_VALUE_ERROR" and p.message for p in problems)
    if pointer.startswith("/credentialStatus/1"):
        assert len(entries) == 1  # the good entry of the list is still returned
    else:
        assert entries == []


def test_integer_index_only_when_allowed() -> None:
    parsed = parse_status_entries(_credential(_entry(statusListIndex=23)), allow_integer_index=True)
    assert parsed.problems == [] and parsed.entries[0].status_list_index == 23
    for bad in (True, -1, 1.5):
        lenient = parse_status_entries(
            _credential(_entry(statusListIndex=bad)), allow_integer_index=True
        )
        assert lenient.entries == [] and lenient.problems


def test_status_size_two_with_messages() -> None:
    messages = [
        {"status": "0x0", "message": "pending_review"},
        {"status": "0x1", "message": "accepted"},
        {"status": "0x2", "message": "rejected"},
        {"status": "0x3", "message": "undefined", "extra": "allowed"},
    ]
    parsed = parse_status_entries(
        _credential(_entry(statusPurpose="message", statusSize=2, statusMessage=messages))
    )
    assert parsed.problems == []
    (entry,) = parsed.entries
    assert entry.status_size == 2 and entry.bit_position == 2 * 94567
    assert entry.status_message == (
        StatusMessage(0, "pending_review"),
        StatusMessage(1, "accepted"),
        StatusMessage(2, "rejected"),
        StatusMessage(3, "undefined"),
    )
    assert entry.message_for(2) == "rejected"
    assert entry.message_for(4) is None


def test_default_messages_for_one_bit() -> None:
    (entry,) = parse_status_entries(_credential(_entry())).entries
    assert (entry.message_for(0), entry.message_for(1)) == ("unset", "set")


def test_non_object_credential_raises() -> None:
    with pytest.raises(InvalidInput):
        parse_status_entries(["not", "a", "credential"])  # type: ignore[arg-type]


def test_make_status_entry() -> None:
    made = make_status_entry(LIST, 94567, "revocation")
    assert made == {
        "id": f"{LIST}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST,
    }
    (entry,) = parse_status_entries(_credential(made)).entries
    assert (entry.status_list_index, entry.status_list_credential) == (94567, LIST)


@pytest.mark.parametrize(
    ("url", "index", "purpose"),
    [
        (LIST, -1, "revocation"),
        (LIST, True, "revocation"),
        (LIST, "5", "revocation"),
        (LIST, 5, ""),
        (f"{LIST}#list", 5, "revocation"),
        ("status-lists/7", 5, "revocation"),
    ],
)
def test_make_status_entry_rejects_bad_arguments(url: str, index: Any, purpose: str) -> None:
    with pytest.raises(InvalidInput):
        make_status_entry(url, index, purpose)
