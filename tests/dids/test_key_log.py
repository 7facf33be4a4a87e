"""The hash-chained, signed key event log: building, auditing, tampering, windows."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from diploma_exchange.dids.did_key import did_key_from_public_key
from diploma_exchange.dids.key_log import (
    CLOCK_SKEW,
    KeyEvent,
    KeyWindow,
    LogVerification,
    SignatureWindowCode,
    append_event,
    entry_hash,
    key_windows,
    verify_log,
)
from diploma_exchange.errors import InvalidInput, NotFound
from diploma_exchange.proofs.eddsa_jcs_2022 import add_proof
from diploma_exchange.proofs.jcs import canonicalize
from diploma_exchange.proofs.keys import Signer, generate_private_key, public_key_multibase

UNI = "did:web:uni.example"
KEY_1 = f"{UNI}#key-1"
KEY_2 = f"{UNI}#key-2"
KEY_3 = f"{UNI}#key-3"


def t(year: int, month: int = 1, day: int = 1, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_signer() -> Signer:
    key = generate_private_key()
    did = did_key_from_public_key(key.public_key())
    return Signer(key, f"{did}#{did.removeprefix('did:key:')}")


def new_multikey() -> str:
    return public_key_multibase(generate_private_key().public_key())


def accepting(*signers: Signer) -> Callable[[str], Ed25519PublicKey]:
    keys = {s.verification_method: s.public_key for s in signers}

    def public_key_for(method: str) -> Ed25519PublicKey:
        if method not in keys:
            raise NotFound(f"{method} may not sign key logs")
        return keys[method]

    return public_key_for


@pytest.fixture(scope="module")
def nic() -> Signer:
    return make_signer()


@pytest.fixture(scope="module")
def multikeys() -> dict[str, str]:
    return {KEY_1: new_multikey(), KEY_2: new_multikey(), KEY_3: new_multikey()}


@pytest.fixture(scope="module")
def log(nic: Signer, multikeys: dict[str, str]) -> list[dict[str, Any]]:
    """added key-1, added key-2, retired key-1, compromised key-2."""
    entries: list[dict[str, Any]] = []
    steps: list[tuple[Any, str, datetime, datetime]] = [
        ("added", KEY_1, t(2020), t(2020)),
        ("added", KEY_2, t(2024), t(2024)),
        ("retired", KEY_1, t(2024, 6), t(2024, 6)),
        ("compromised", KEY_2, t(2025), t(2025, 3)),  # discovered two months later
    ]
    for event, key_id, effective, recorded in steps:
        entries.append(
            append_event(
                entries,
                controller=UNI,
                event=event,
                key_id=key_id,
                public_key_multibase=multikeys[key_id],
                effective_at=effective,
                recorded_at=recorded,
                signer=nic,
                note=f"{event} {key_id}",
            )
        )
    return entries


def verify(entries: Any, nic: Signer, controller: str = UNI) -> LogVerification:
    return verify_log(entries, controller=controller, public_key_for=accepting(nic))


def resign(entry: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    unsigned = {k: v for k, v in entry.items() if k != "proof"}
    return add_proof(unsigned, signer, created=datetime.fromisoformat(entry["recordedAt"]))


def assert_problem(result: LogVerification, *fragments: str) -> None:
    assert not result
    assert result.valid is False
    assert dict(result.windows) == {}
    for fragment in fragments:
        assert any(fragment in p for p in result.problems), (fragment, result.problems)


# --- a valid log --------------------------------------------------------------------


def test_entries_have_the_documented_shape(log: list[dict[str, Any]], nic: Signer) -> None:
    first = log[0]
    assert set(first) == {
        "type",
        "sequence",
        "controller",
        "event",
        "keyId",
        "publicKeyMultibase",
        "effectiveAt",
        "recordedAt",
        "previousHash",
        "note",
        "proof",
    }
    assert first["type"] == "KeyEvent"
    assert first["sequence"] == 0
    assert first["previousHash"] is None
    assert first["effectiveAt"] == "2020-01-01T00:00:00Z"
    assert first["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert first["proof"]["proofPurpose"] == "assertionMethod"
    assert first["proof"]["verificationMethod"] == nic.verification_method
    assert first["proof"]["created"] == first["recordedAt"]
    assert "@context" not in first
    for index in range(1, len(log)):
        assert log[index]["sequence"] == index
        assert log[index]["previousHash"] == entry_hash(log[index - 1])


def test_entry_hash_is_sha256_of_jcs_including_proof(log: list[dict[str, Any]]) -> None:
    import hashlib

    assert entry_hash(log[0]) == hashlib.sha256(canonicalize(log[0])).hexdigest()
    assert entry_hash(log[0]) != entry_hash({k: v for k, v in log[0].items() if k != "proof"})


def test_valid_log_verifies_with_windows(
    log: list[dict[str, Any]], nic: Signer, multikeys: dict[str, str]
) -> None:
    result = verify(log, nic)
    assert result, result.problems
    assert result.valid is True
    assert result.problems == ()
    assert dict(result.windows) == {
        KEY_1: KeyWindow(KEY_1, multikeys[KEY_1], t(2020), retired_at=t(2024, 6)),
        KEY_2: KeyWindow(KEY_2, multikeys[KEY_2], t(2024), compromised_at=t(2025)),
    }
    assert key_windows(log) == dict(result.windows)
    with pytest.raises(TypeError):
        result.windows[KEY_3] = result.windows[KEY_1]  # type: ignore[index]


def test_verification_does_not_modify_the_log(log: list[dict[str, Any]], nic: Signer) -> None:
    before = copy.deepcopy(log)
    verify(log, nic)
    key_windows(log)
    assert log == before


def test_log_verification_is_never_truthy_by_accident() -> None:
    with pytest.raises(ValueError):
        LogVerification(True, ("a problem",))
    with pytest.raises(ValueError):
        LogVerification(False, ())
    with pytest.raises(ValueError):
        LogVerification(False, ("x",), {KEY_1: KeyWindow(KEY_1, new_multikey(), t(2020))})


def test_empty_log_is_invalid(nic: Signer) -> None:
    assert_problem(verify([], nic), "the log is empty")


@pytest.mark.parametrize("bad", ["not a log", b"bytes", {"sequence": 0}, None])
def test_non_sequence_raises(bad: Any, nic: Signer) -> None:
    with pytest.raises(InvalidInput, match="sequence"):
        verify(bad, nic)


# --- tampering ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("effectiveAt", "2019-01-01T00:00:00Z"),
        ("note", "nothing to see here"),
    ],
)
def test_changed_field_breaks_signature_and_chain(
    log: list[dict[str, Any]], nic: Signer, field: str, value: Any
) -> None:
    entries = copy.deepcopy(log)
    entries[1][field] = value if value is not None else new_multikey()
    result = verify(entries, nic)
    assert_problem(
        result,
        "entry 1: the proof by",
        "(signature-mismatch)",
        "entry 2: previousHash does not match the hash of entry 1",
    )
    assert not any(p.startswith(("entry 0", "entry 3")) for p in result.problems)


def test_dropped_entry_is_detected(log: list[dict[str, Any]], nic: Signer) -> None:
    entries = [log[0], log[2], log[3]]
    assert_problem(
        verify(entries, nic),
        "entry 1: sequence is 2; expected 1",
        "entry 1: previousHash does not match the hash of entry 0",
        "entry 2: sequence is 3; expected 2",
    )


def test_changed_public_key_is_detected_at_the_addition_and_later_events(
    log: list[dict[str, Any]], nic: Signer
) -> None:
    entries = copy.deepcopy(log)
    entries[1]["publicKeyMultibase"] = new_multikey()
    assert_problem(
        verify(entries, nic),
        "entry 1: the proof by",
        "entry 2: previousHash does not match the hash of entry 1",
        "entry 3: publicKeyMultibase of did:web:uni.example#key-2 differs from the one it "
        "was added with",
    )


def test_dropped_first_entry_is_detected(log: list[dict[str, Any]], nic: Signer) -> None:
    assert_problem(
        verify(log[1:], nic),
        "entry 0: sequence is 1; expected 0",
        "entry 0: previousHash must be null on the first entry",
        "entry 1: cannot mark key did:web:uni.example#key-1 retired: it was never added",
    )


def test_dropped_last_entry_is_not_detectable_but_is_a_shorter_history(
    log: list[dict[str, Any]], nic: Signer
) -> None:
    # A truncated log is a consistent prefix: freshness needs the latest hash from elsewhere.
    result = verify(log[:3], nic)
    assert result
    assert result.windows[KEY_2].compromised_at is None


def test_reordered_entries_are_detected(log: list[dict[str, Any]], nic: Signer) -> None:
    entries = [log[0], log[2], log[1], log[3]]
    assert_problem(
        verify(entries, nic),
        "entry 1: sequence is 2; expected 1",
        "entry 2: sequence is 1; expected 2",
        "entry 1: previousHash does not match the hash of entry 0",
        "entry 3: previousHash does not match the hash of entry 2",
    )


def test_proof_by_an_unaccepted_key_is_detected(log: list[dict[str, Any]], nic: Signer) -> None:
    intruder = make_signer()
    entries = copy.deepcopy(log)
    entries[1] = resign(entries[1], intruder)
    assert_problem(
        verify(entries, nic),
        f"entry 1: the signing key {intruder.verification_method} is not accepted",
        "entry 2: previousHash does not match the hash of entry 1",
    )


def test_proof_by_another_key_under_the_accepted_method_is_detected(
    log: list[dict[str, Any]], nic: Signer
) -> None:
    impostor = Signer(generate_private_key(), nic.verification_method)
    entries = copy.deepcopy(log)
    entries[1] = resign(entries[1], impostor)
    assert_problem(
        verify(entries, nic),
        "entry 1: the proof by",
        "(signature-mismatch)",
        "entry 2: previousHash does not match",
    )


def test_re_signing_a_whole_forged_log_needs_an_accepted_key(
    log: list[dict[str, Any]], nic: Signer
) -> None:
    # Rebuilding a consistent chain with another key still fails on every entry.
    intruder = make_signer()
    forged: list[dict[str, Any]] = []
    for entry in log:
        event = KeyEvent.from_json(entry)
        forged.append(
            append_event(
                forged,
                controller=UNI,
                event=event.event,
                key_id=event.key_id,
                public_key_multibase=event.public_key_multibase,
                effective_at=event.effective_at,
                recorded_at=event.recorded_at,
                signer=intruder,
            )
        )
    result = verify(forged, nic)
    assert_problem(result, "is not accepted")
    assert len(result.problems) == len(log)
    assert verify_log(forged, controller=UNI, public_key_for=accepting(intruder))


def test_wrong_controller_is_detected(log: list[dict[str, Any]], nic: Signer) -> None:
    assert_problem(
        verify(log, nic, controller="did:web:other.example"),
        f"entry 0: controller is {UNI}; expected did:web:other.example",
        "entry 3: controller is",
    )


def test_retire_before_add_is_detected(nic: Signer, multikeys: dict[str, str]) -> None:
    # Entries signed directly (bypassing append_event's rules) by the accepted key.
    events = [
        KeyEvent(0, UNI, "retired", KEY_1, multikeys[KEY_1], t(2024), t(2024), None),
    ]
    entries = [add_proof(events[0].to_json(), nic, created=t(2024))]
    later = KeyEvent(
        1, UNI, "added", KEY_1, multikeys[KEY_1], t(2020), t(2024, 2), entry_hash(entries[0])
    )
    entries.append(add_proof(later.to_json(), nic, created=t(2024, 2)))
    result = verify(entries, nic)
    assert_problem(result, "entry 0: the first event must be 'added', not 'retired'")
    # The addition after the failed retirement is itself fine.
    assert not any(p.startswith("entry 1") for p in result.problems)


@pytest.mark.parametrize(
    ("event", "key_id", "effective", "recorded", "fragment"),
    [
        ("added", KEY_1, t(2025), t(2025, 4), "was already added"),
        ("retired", KEY_3, t(2025), t(2025, 4), "it was never added"),
        ("retired", KEY_1, t(2025), t(2025, 4), "already retired"),
        ("retired", KEY_2, t(2025), t(2025, 4), "already compromised"),
        ("compromised", KEY_2, t(2025), t(2025, 4), "already compromised"),
        ("added", KEY_3, t(2025), t(2025, 2), "recordedAt must not go backwards"),
    ],
)
def test_rule_violations_signed_by_an_accepted_key_are_detected(
    log: list[dict[str, Any]],
    nic: Signer,
    multikeys: dict[str, str],
    event: Any,
    key_id: str,
    effective: datetime,
    recorded: datetime,
    fragment: str,
) -> None:
    bad = KeyEvent(
        4, UNI, event, key_id, multikeys[key_id], effective, recorded, entry_hash(log[-1])
    )
    entries = [*log, add_proof(bad.to_json(), nic, created=recorded)]
    result = verify(entries, nic)
    assert_problem(result, fragment)
    assert all(p.startswith("entry 4: ") for p in result.problems), result.problems


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda e: e.pop("proof"), "entry 2: the entry has no proof"),
        (lambda e: e.update(extra=1), "entry 2: unexpected member(s): extra"),
        (lambda e: e.pop("note"), "entry 2: missing member(s): note"),
        (lambda e: e.update(type="VerifiableCredential"), "entry 2: type must be 'KeyEvent'"),
        (lambda e: e.update(sequence="2"), "entry 2: sequence must be an integer"),
        (lambda e: e.update(keyId="did:web:other.example#key-1"), "keyId 'did:web:other"),
        (lambda e: e.update(effectiveAt="2024-06-01"), "effectiveAt must be a UTC timestamp"),
        (lambda e: e["proof"].update(proofPurpose="authentication"), "proofPurpose is"),
        (lambda e: e["proof"].update(created="2030-01-01T00:00:00Z"), "differs from recordedAt"),
        (lambda e: e.update(proof=[e["proof"], e["proof"]]), "malformed proof"),
    ],
)
def test_malformed_entries_are_problems_not_exceptions(
    log: list[dict[str, Any]], nic: Signer, mutate: Callable[[dict[str, Any]], Any], fragment: str
) -> None:
    entries = copy.deepcopy(log)
    mutate(entries[2])
    assert_problem(verify(entries, nic), fragment)


def test_non_object_entry_is_a_problem(log: list[dict[str, Any]], nic: Signer) -> None:
    entries: list[Any] = [log[0], "garbage", *log[2:]]
    assert_problem(
        verify(entries, nic),
        "entry 1: is not a JSON object",
        "entry 2: previousHash cannot be checked",
    )


def test_refusing_key_lookup_with_key_error_is_a_problem(
    log: list[dict[str, Any]], nic: Signer
) -> None:
    no_keys: dict[str, Ed25519PublicKey] = {}
    result = verify_log(log, controller=UNI, public_key_for=no_keys.__getitem__)
    assert_problem(result, "entry 0: the signing key")


# --- key windows --------------------------------------------------------------------


def test_allows_signature_at_boundaries() -> None:
    window = KeyWindow(KEY_1, new_multikey(), t(2024), retired_at=t(2024, 6), compromised_at=None)
    second = timedelta(seconds=1)
    assert window.allows_signature_at(t(2024)) == (True, "ok")
    assert window.allows_signature_at(t(2024) - CLOCK_SKEW) == (True, "ok")
    assert window.allows_signature_at(t(2024) - CLOCK_SKEW - second) == (
        False,
        "before-key-existed",
    )
    assert window.allows_signature_at(t(2024, 6) - second) == (True, "ok")
    assert window.allows_signature_at(t(2024, 6)) == (False, "after-retirement")
    assert window.allows_signature_at(t(2024, 6)) == (False, SignatureWindowCode.AFTER_RETIREMENT)


def test_compromise_after_retirement_and_before_it() -> None:
    retired_then_found = KeyWindow(
        KEY_1, new_multikey(), t(2020), retired_at=t(2024), compromised_at=t(2025)
    )
    assert retired_then_found.allows_signature_at(t(2023)) == (True, "ok")
    assert retired_then_found.allows_signature_at(t(2024, 6)) == (False, "after-retirement")
    assert retired_then_found.allows_signature_at(t(2025)) == (False, "after-compromise")
    compromised_earlier = KeyWindow(
        KEY_1, new_multikey(), t(2020), retired_at=t(2024), compromised_at=t(2023)
    )
    assert compromised_earlier.allows_signature_at(t(2023) - timedelta(seconds=1)) == (True, "ok")
    assert compromised_earlier.allows_signature_at(t(2024, 6)) == (False, "after-compromise")


def test_windows_from_the_log_judge_signatures(log: list[dict[str, Any]], nic: Signer) -> None:
    windows = verify(log, nic).windows
    assert windows[KEY_1].allows_signature_at(t(2022)) == (True, "ok")
    assert windows[KEY_1].allows_signature_at(t(2024, 7)) == (False, "after-retirement")
    assert windows[KEY_2].allows_signature_at(t(2023)) == (False, "before-key-existed")
    assert windows[KEY_2].allows_signature_at(t(2024, 12)) == (True, "ok")
    # Compromise recorded in March is effective from January (backdated).
    assert windows[KEY_2].allows_signature_at(t(2025, 2)) == (False, "after-compromise")


def test_allows_signature_at_refuses_naive_datetime() -> None:
    window = KeyWindow(KEY_1, new_multikey(), t(2024))
    with pytest.raises(InvalidInput, match="timezone-aware"):
        window.allows_signature_at(datetime(2024, 1, 2))


# --- append_event rules -------------------------------------------------------------


def _append(log: list[dict[str, Any]], signer: Signer, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "controller": UNI,
        "event": "added",
        "key_id": KEY_3,
        "public_key_multibase": new_multikey(),
        "effective_at": t(2025, 4),
        "recorded_at": t(2025, 4),
        "signer": signer,
    }
    arguments.update(overrides)
    return append_event(log, **arguments)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"event": "retired"}, "the first event must be 'added', not 'retired'"),
        ({"event": "compromised"}, "the first event must be 'added', not 'compromised'"),
    ],
)
def test_append_first_event_must_be_added(
    nic: Signer, overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidInput, match=fragment):
        _append([], nic, **overrides)


def test_append_rule_errors(
    log: list[dict[str, Any]], nic: Signer, multikeys: dict[str, str]
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"key_id": KEY_1}, "was already added"),
        ({"event": "retired"}, "it was never added"),
        ({"event": "compromised"}, "it was never added"),
        ({"event": "retired", "key_id": KEY_1, "public_key_multibase": multikeys[KEY_1]}, "already retired"),
        ({"event": "retired", "key_id": KEY_2, "public_key_multibase": multikeys[KEY_2]}, "already compromised"),
        ({"event": "compromised", "key_id": KEY_2, "public_key_multibase": multikeys[KEY_2]}, "already compromised"),
        ({"event": "compromised", "key_id": KEY_1}, "differs from the one it was added with"),
        ({"recorded_at": t(2025, 2)}, "recordedAt must not go backwards"),
        ({"controller": "did:web:other.example", "key_id": "did:web:other.example#k"}, "belongs to did:web:uni.example"),
        ({"key_id": "did:web:other.example#key-3"}, "of the controller"),
        ({"key_id": UNI}, "of the controller"),
        ({"public_key_multibase": "zNotAKey"}, "publicKeyMultibase is not an Ed25519, P-256 or P-384 Multikey"),
        ({"effective_at": datetime(2025, 4, 1)}, "timezone-aware"),
        ({"event": "revoked"}, "event must be one of"),
    ]  # fmt: skip
    for overrides, fragment in cases:
        with pytest.raises(InvalidInput, match=fragment):
            _append(log, nic, **overrides)


def test_append_retirement_not_before_addition(nic: Signer) -> None:
    key = new_multikey()
    entries = [_append([], nic, key_id=KEY_1, public_key_multibase=key, effective_at=t(2024))]
    with pytest.raises(InvalidInput, match="is before the key was added"):
        _append(
            entries,
            nic,
            event="retired",
            key_id=KEY_1,
            public_key_multibase=key,
            effective_at=t(2023),
        )
    entries.append(
        _append(
            entries,
            nic,
            event="retired",
            key_id=KEY_1,
            public_key_multibase=key,
            effective_at=t(2024),
        )
    )
    # A retired key may still be found compromised, even backdated before its retirement.
    entries.append(
        _append(
            entries,
            nic,
            event="compromised",
            key_id=KEY_1,
            public_key_multibase=key,
            effective_at=t(2023, 6),
        )
    )
    result = verify(entries, nic)
    assert result, result.problems
    assert result.windows[KEY_1].compromised_at == t(2023, 6)


def test_append_refuses_a_malformed_log(log: list[dict[str, Any]], nic: Signer) -> None:
    broken = copy.deepcopy(log)
    broken[1]["sequence"] = 7
    with pytest.raises(InvalidInput, match="key log entry 1 has sequence 7"):
        _append(broken, nic)
    with pytest.raises(InvalidInput, match="sequence"):
        _append("not a log", nic)  # type: ignore[arg-type]


def test_append_does_not_modify_the_log_and_truncates_to_seconds(
    log: list[dict[str, Any]], nic: Signer
) -> None:
    before = copy.deepcopy(log)
    entry = _append(log, nic, recorded_at=datetime(2025, 4, 1, 12, 0, 0, 999_999, tzinfo=UTC))
    assert log == before
    assert entry["recordedAt"] == "2025-04-01T12:00:00Z"
    assert entry["proof"]["created"] == "2025-04-01T12:00:00Z"
    assert verify([*log, entry], nic)


def test_key_event_round_trips(log: list[dict[str, Any]]) -> None:
    for entry in log:
        unsigned = {k: v for k, v in entry.items() if k != "proof"}
        assert KeyEvent.from_json(entry).to_json() == unsigned


def test_key_windows_refuses_rule_violations(log: list[dict[str, Any]]) -> None:
    with pytest.raises(InvalidInput, match="the first event must be 'added'"):
        key_windows([dict(log[2], sequence=0, previousHash=None)])
