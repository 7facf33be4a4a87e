"""Building and reading BitstringStatusListCredentials; the Validate Algorithm."""

from __future__ import annotations

import copy
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from diploma_exchange.errors import InvalidCredential, InvalidInput, LimitExceeded
from diploma_exchange.proofs.multibase import encode_base64url
from diploma_exchange.status import (
    Bitstring,
    StatusEntry,
    StatusMessage,
    StatusRangeError,
    build_status_list_credential,
    check_status,
    encode_list,
    parse_status_list_credential,
)

LIST = "https://diplomas.example.kz/status-lists/7"
ISSUER = "did:web:university.example.kz"
NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)


def _list(bits: Bitstring | None = None, **kwargs: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "list_url": LIST,
        "issuer": ISSUER,
        "purpose": "revocation",
        "bitstring": bits or Bitstring(),
        "valid_from": NOW,
    }
    arguments.update(kwargs)
    return build_status_list_credential(**arguments)


def _entry(index: int, purpose: str = "revocation", **kwargs: Any) -> StatusEntry:
    return StatusEntry(
        id=f"{LIST}#{index}",
        type="BitstringStatusListEntry",
        status_purpose=purpose,
        status_list_index=index,
        status_list_credential=LIST,
        **kwargs,
    )


def _error(doc: Any, purpose: str = "revocation", **kwargs: Any) -> InvalidCredential:
    with pytest.raises(InvalidCredential) as info:
        parse_status_list_credential(doc, expected_purpose=purpose, **kwargs)
    return info.value


# --- building ------------------------------------------------------------------------------


def test_build_produces_the_spec_shape() -> None:
    bits = Bitstring()
    bits.set(42, 1)
    doc = _list(bits, valid_until=NOW + timedelta(days=30), ttl_ms=300_000)
    assert doc == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER,
        "validFrom": "2025-06-01T12:00:00Z",
        "validUntil": "2025-07-01T12:00:00Z",
        "credentialSubject": {
            "id": f"{LIST}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(bits),
            "ttl": 300_000,
        },
    }
    assert "validUntil" not in _list() and "ttl" not in _list()["credentialSubject"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"issuer": "https://university.example.kz"},
        {"purpose": "message"},
        {"purpose": "revoked"},
        {"bitstring": Bitstring(64, allow_small=True)},
        {"valid_from": datetime(2025, 6, 1)},  # naive
        {"valid_until": NOW},
        {"valid_until": NOW - timedelta(days=1)},
        {"ttl_ms": 0},
        {"ttl_ms": True},
        {"list_url": f"{LIST}#list"},
        {"list_url": "/status-lists/7"},
    ],
)
def test_build_rejects_bad_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        _list(**kwargs)


# --- reading -------------------------------------------------------------------------------


def test_parse_what_was_built() -> None:
    bits = Bitstring()
    bits.set(7, 1)
    doc = _list(bits, valid_until=NOW + timedelta(days=1), ttl_ms=1000)
    status_list = parse_status_list_credential(doc, expected_purpose="revocation")
    assert status_list.id == LIST
    assert status_list.issuer == ISSUER
    assert status_list.purposes == ("revocation",)
    assert status_list.bitstring == bits
    assert status_list.subject_id == f"{LIST}#list"
    assert status_list.ttl_ms == 1000
    assert status_list.valid_from == NOW
    assert status_list.valid_until == NOW + timedelta(days=1)
    assert status_list.is_valid_at(NOW)
    assert not status_list.is_valid_at(NOW - timedelta(seconds=1))
    assert not status_list.is_valid_at(NOW + timedelta(days=2))


def test_issuer_object_and_several_purposes() -> None:
    doc = _list()
    doc["issuer"] = {"id": ISSUER, "name": "University"}
    doc["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    status_list = parse_status_list_credential(doc, expected_purpose="suspension")
    assert status_list.issuer == ISSUER
    assert status_list.purposes == ("revocation", "suspension")


def test_parse_does_not_mutate_the_document() -> None:
    doc = _list()
    before = copy.deepcopy(doc)
    parse_status_list_credential(doc, expected_purpose="revocation")
    assert doc == before


def test_wrong_credential_type_is_a_verification_error() -> None:
    doc = _list()
    doc["type"] = ["VerifiableCredential", "StatusList2021Credential"]
    error = _error(doc)
    assert (error.code, error.pointer) == ("STATUS_VERIFICATION_ERROR", "/type")


def test_purpose_mismatch_is_a_verification_error() -> None:
    error = _error(_list(), "suspension")
    assert error.code == "STATUS_VERIFICATION_ERROR"
    assert error.pointer == "/credentialSubject/statusPurpose"
    assert "suspension" in error.message and "revocation" in error.message


def _mutated(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    doc = _list()
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "pointer"),
    [
        (("issuer",), None, "/issuer"),
        (("issuer",), {"name": "no id"}, "/issuer"),
        (("id",), 7, "/id"),
        (("validFrom",), "2025-06-01", "/validFrom"),
        (("validFrom",), "2025-06-01T12:00:00", "/validFrom"),  # no time zone
        (("validUntil",), "yesterday", "/validUntil"),
        (("credentialSubject",), [{"type": "BitstringStatusList"}], "/credentialSubject"),
        (("credentialSubject", "type"), "StatusList2021", "/credentialSubject/type"),
        (("credentialSubject", "id"), "not a url", "/credentialSubject/id"),
        (("credentialSubject", "statusPurpose"), None, "/credentialSubject/statusPurpose"),
        (("credentialSubject", "statusPurpose"), [], "/credentialSubject/statusPurpose"),
        (("credentialSubject", "ttl"), -1, "/credentialSubject/ttl"),
        (("credentialSubject", "ttl"), "1000", "/credentialSubject/ttl"),
        (("credentialSubject", "encodedList"), None, "/credentialSubject/encodedList"),
        (("credentialSubject", "encodedList"), "u!!!", "/credentialSubject/encodedList"),
        (("credentialSubject", "encodedList"), "H4sIAAAA", "/credentialSubject/encodedList"),
    ],
)
def test_malformed_values(path: tuple[str, ...], value: Any, pointer: str) -> None:
    error = _error(_mutated(path, value))
    assert (error.code, error.pointer) == ("MALFORMED_VALUE_ERROR", pointer)


def test_non_object_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        parse_status_list_credential("{}", expected_purpose="revocation")  # type: ignore[arg-type]


def test_short_list_is_a_length_error_unless_the_minimum_is_lowered() -> None:
    doc = _list()
    doc["credentialSubject"]["encodedList"] = encode_list(Bitstring(1024, allow_small=True))
    assert _error(doc).code == "STATUS_LIST_LENGTH_ERROR"
    small = parse_status_list_credential(doc, expected_purpose="revocation", minimum_entries=1024)
    assert small.bitstring.length == 1024


def test_bomb_in_a_list_credential_is_limit_exceeded_with_pointer() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    raw = compressor.compress(bytes(4 * 1024 * 1024)) + compressor.flush()
    doc = _list()
    doc["credentialSubject"]["encodedList"] = encode_base64url(raw)
    with pytest.raises(LimitExceeded) as info:
        parse_status_list_credential(
            doc, expected_purpose="revocation", max_decompressed_bytes=1024 * 1024
        )
    assert info.value.pointer == "/credentialSubject/encodedList"


# --- the Validate Algorithm ----------------------------------------------------------------


def test_check_status_reads_the_bit() -> None:
    bits = Bitstring()
    bits.set(94567, 1)
    status_list = parse_status_list_credential(_list(bits), expected_purpose="revocation")
    revoked = check_status(_entry(94567), status_list)
    assert (revoked.status, revoked.valid, revoked.purpose) == (1, False, "revocation")
    assert (revoked.status_list_index, revoked.status_list_credential) == (94567, LIST)
    assert revoked.message is None  # only the message purpose carries one (step 14)
    fine = check_status(_entry(94568), status_list)
    assert (fine.status, fine.valid) == (0, True)
    last = check_status(_entry(131_071), status_list)
    assert last.valid


def test_a_status_result_has_no_truth_value() -> None:
    status_list = parse_status_list_credential(_list(), expected_purpose="revocation")
    result = check_status(_entry(1), status_list)
    with pytest.raises(TypeError):
        bool(result)


@pytest.mark.parametrize("index", [131_072, 10**19])
def test_index_out_of_range_is_a_range_error(index: int) -> None:
    status_list = parse_status_list_credential(_list(), expected_purpose="revocation")
    with pytest.raises(StatusRangeError) as info:
        check_status(_entry(index), status_list)
    assert info.value.code == "RANGE_ERROR"
    assert info.value.pointer == "/credentialStatus/statusListIndex"


def test_check_status_refuses_an_entry_of_another_purpose() -> None:
    status_list = parse_status_list_credential(_list(), expected_purpose="revocation")
    with pytest.raises(InvalidCredential) as info:
        check_status(_entry(1, "suspension"), status_list)
    assert info.value.code == "STATUS_VERIFICATION_ERROR"


def test_status_size_two() -> None:
    bits = Bitstring(2 * 131_072)
    bits.set_status(492_847 % 131_072, 0b10, 2)
    doc = _list(bits)
    doc["credentialSubject"]["statusPurpose"] = "message"
    status_list = parse_status_list_credential(doc, expected_purpose="message")
    messages = tuple(
        StatusMessage(i, m) for i, m in enumerate(("pending_review", "accepted", "rejected", "x"))
    )
    entry = _entry(492_847 % 131_072, "message", status_size=2, status_message=messages)
    result = check_status(entry, status_list)
    assert (result.status, result.valid, result.message) == (2, False, "rejected")
    neighbour = _entry(
        entry.status_list_index + 1, "message", status_size=2, status_message=messages
    )
    assert check_status(neighbour, status_list).message == "pending_review"
    with pytest.raises(StatusRangeError):
        check_status(
            _entry(131_072, "message", status_size=2, status_message=messages), status_list
        )


def test_status_size_two_needs_twice_the_bits() -> None:
    status_list = parse_status_list_credential(_list(), expected_purpose="revocation")
    entry = _entry(3, status_size=2)
    with pytest.raises(InvalidCredential) as info:
        check_status(entry, status_list)
    assert info.value.code == "STATUS_LIST_LENGTH_ERROR"
    assert check_status(entry, status_list, minimum_entries=65_536).status == 0
