"""``status.revocation`` / ``status.suspension``: read the credential's bits in its issuer's lists.

For each BitstringStatusListEntry (or its CCG predecessors StatusList2021Entry and
RevocationList2020Status) of the *secured* credential, the list credential is fetched
through a :class:`~diploma_exchange.verification.lookups.StatusListProvider`, then, before a bit
is believed (Bitstring Status List v1.0 §3.2, plus what the spec leaves to the verifier):

- the list is the one the entry names (its ``id`` is the entry's ``statusListCredential``), not
  another list of the same issuer;
- it is issued and signed by the credential's issuer, with a key the issuer lists as an
  assertion method, that was not compromised when the list was signed (a leaked key can sign a
  list that says "not revoked"), and its proof verifies;
- it serves the entry's purpose, and it is current: a list past its ``validUntil`` (or not yet
  valid) is refused. Its age (from ``validFrom``) is reported.

Fail closed: a list that cannot be fetched, verified or is stale gives ``error`` (verdict
``indeterminate``), never ``passed``; an entry of a type this verifier does not understand is
``status.other`` ``error``, never ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson

from diploma_exchange.dids.document import DidResolver, split_did_url
from diploma_exchange.errors import Error
from diploma_exchange.proofs import data_integrity, suites
from diploma_exchange.proofs.keys import PublicKey
from diploma_exchange.status import (
    StatusList,
    check_status,
    parse_status_entries,
    parse_status_list_credential,
)
from diploma_exchange.verification.checks.keys import CLOCK_SKEW, parse_proof_time
from diploma_exchange.verification.lookups import KeyHistory, StatusListProvider
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    errored,
    failed,
    passed,
    skipped,
)
from diploma_exchange.verification.state import Examined

PURPOSE_CHECKS = {
    "revocation": CheckName.STATUS_REVOCATION,
    "suspension": CheckName.STATUS_SUSPENSION,
}

#: Verified, parsed status lists, keyed by everything their validity depends on: the exact
#: content (a digest of it), the purpose asked for, and the signing key as resolved now (its
#: public key, ``revoked`` time and key-log compromise time). A changed list or a revoked key
#: is a new key, so an entry can never be stale; it only saves re-verifying and re-inflating
#: the same bytes. Freshness (validUntil) is checked on every use, outside the cache.
_VERIFIED_LISTS: dict[tuple[bytes, str, str, str | None, str | None], StatusList] = {}
_VERIFIED_LISTS_MAX = 256


def _content_digest(document: Mapping[str, Any]) -> bytes | None:
    try:
        return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).digest()
    except (TypeError, orjson.JSONEncodeError):
        return None  # not plain JSON: verify without the cache


def _base(url: str) -> str:
    return url.split("#", 1)[0]


@dataclass(frozen=True, slots=True)
class _ListKey:
    public_key: PublicKey
    multibase: str | None


def _list_signing_key(
    proof: Mapping[str, Any],
    issuer: str,
    resolver: DidResolver,
    history: KeyHistory | None,
) -> _ListKey | tuple[str, str]:
    """The public key (and its multibase) of a status list proof when it is an assertion
    method of ``issuer`` neither compromised nor retired; otherwise (code, why not)."""
    unverifiable = "status-list-unverifiable"
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        return unverifiable, "the status list's proof names no verification method"
    try:
        did, _ = split_did_url(method)
        if did != issuer:
            return (
                unverifiable,
                f"the status list is signed with {method}, a key not controlled by {issuer}",
            )
        document = resolver.resolve(did)
        vm = document.verification_method(method)
        if vm is None or not document.is_assertion_method(method):
            return unverifiable, f"{method} is not an assertion method of {issuer}"
        public_key = vm.public_key()
    except Error as exc:
        return unverifiable, f"the status list's signing key could not be resolved: {exc.message}"
    compromised = vm.revoked
    windows = history.windows(did) if history is not None else None
    window = windows.get(method) if windows is not None else None
    if window is not None and window.compromised_at is not None:
        compromised = (
            window.compromised_at
            if compromised is None
            else min(compromised, window.compromised_at)
        )
    if compromised is not None:
        return unverifiable, (
            f"the status list is signed with {method}, which was compromised at "
            f"{compromised.isoformat()}: whoever holds it could sign a list that hides a "
            "revocation; the issuer must publish the list with a valid key"
        )
    if window is not None and window.retired_at is not None:
        return unverifiable, (
            f"the status list is signed with {method}, which the issuer retired at "
            f"{window.retired_at.isoformat()}; a current list is signed with the issuer's "
            "active key"
        )
    return _ListKey(public_key, vm.public_key_multibase)


def verified_status_list(
    list_credential: Mapping[str, Any],
    issuer: str,
    resolver: DidResolver,
    purpose: str,
    *,
    url: str,
    history: KeyHistory | None = None,
    entry_type: str = "BitstringStatusListEntry",
) -> StatusList | tuple[str, str]:
    """The parsed list when it is the list at ``url``, signed by ``issuer`` with a key usable
    at the time, and serves ``purpose``; otherwise (code, why not). Freshness is the caller's."""
    unverifiable = "status-list-unverifiable"
    list_id = list_credential.get("id")
    if not isinstance(list_id, str) or _base(list_id) != _base(url):
        return unverifiable, (
            f"the status list's id {list_id!r} is not the list the credential names ({url}): "
            "another list cannot speak for this entry"
        )
    list_issuer = list_credential.get("issuer")
    list_issuer_id = list_issuer.get("id") if isinstance(list_issuer, Mapping) else list_issuer
    if list_issuer_id != issuer:
        return unverifiable, (
            f"the status list is issued by {list_issuer_id!r}, not by the credential's issuer {issuer}"
        )
    try:
        proofs = data_integrity.all_proofs(list_credential)
    except Error as exc:
        return unverifiable, f"the status list's proof is unusable: {exc.message}"
    if not proofs:
        return unverifiable, "the status list credential carries no proof"
    # A proof set (this service publishes eddsa-jcs-2022 + eddsa-rdfc-2022 by one key): every
    # proof must be made by a usable key of the issuer and verify, like a credential's set.
    keys: list[tuple[Mapping[str, Any], _ListKey]] = []
    for proof in proofs:
        key = _list_signing_key(proof, issuer, resolver, history)
        if isinstance(key, tuple):
            return key
        keys.append((proof, key))
    digest = _content_digest(list_credential)
    cache_key = None
    multibases = [key.multibase for _, key in keys]
    if digest is not None and all(multibases):
        cache_key = (
            digest,
            f"{entry_type} {purpose}",
            "|".join(m or "" for m in multibases),
            None,
            _base(url),
        )
        cached = _VERIFIED_LISTS.get(cache_key)
        if cached is not None:
            return cached
    proof_set = data_integrity.ProofSet.of(list_credential) if len(keys) > 1 else None
    for index, (proof, key) in enumerate(keys):
        result = suites.verify_proof(list_credential, proof, key.public_key, proof_set=proof_set)
        if not result.verified:
            which = f" (proof {index + 1} of {len(keys)})" if len(keys) > 1 else ""
            return unverifiable, f"the status list's signature is invalid{which} ({result.code})"
    try:
        status_list = parse_status_list_credential(
            list_credential, expected_purpose=purpose, entry_type=entry_type
        )
    except Error as exc:
        return "status-list-invalid", f"the {purpose} list is not usable: {exc.message}"
    if cache_key is not None:
        if len(_VERIFIED_LISTS) >= _VERIFIED_LISTS_MAX:
            _VERIFIED_LISTS.clear()
        _VERIFIED_LISTS[cache_key] = status_list
    return status_list


def _freshness(
    status_list: StatusList, list_credential: Mapping[str, Any], now: datetime
) -> tuple[Check | None, dict[str, Any]]:
    """Refuse a list that is not current; describe its age."""
    details: dict[str, Any] = {}
    issued = status_list.valid_from
    if issued is None:
        proof = list_credential.get("proof")
        issued = parse_proof_time(proof.get("created")) if isinstance(proof, Mapping) else None
    if issued is not None:
        details["listIssued"] = issued.isoformat()
        details["listAgeSeconds"] = max(0, int((now - issued).total_seconds()))
    if status_list.valid_until is not None:
        details["listValidUntil"] = status_list.valid_until.isoformat()
    if status_list.valid_until is not None and now > status_list.valid_until:
        return (
            errored(
                CheckName.STATUS_OTHER,
                "status-list-expired",
                f"the status list expired at {status_list.valid_until.isoformat()}; a stale list "
                "may miss a revocation, so the status is unknown",
                **details,
            ),
            details,
        )
    # A list re-signed between this verification's clock reading and the fetch (or by a
    # server whose clock runs a little ahead) is current, not "from the future".
    if status_list.valid_from is not None and now + CLOCK_SKEW < status_list.valid_from:
        return (
            errored(
                CheckName.STATUS_OTHER,
                "status-list-not-yet-valid",
                f"the status list is only valid from {status_list.valid_from.isoformat()}",
                **details,
            ),
            details,
        )
    return None, details


def _age(details: Mapping[str, Any]) -> str:
    seconds = details.get("listAgeSeconds")
    if not isinstance(seconds, int):
        return "the list states no issue time"
    if seconds < 120:
        return f"the list is {seconds} s old"
    if seconds < 7200:
        return f"the list is {seconds // 60} min old"
    if seconds < 172800:
        return f"the list is {seconds // 3600} h old"
    return f"the list is {seconds // 86400} days old"


#: 1EdTech Revocation List (Open Badges 3.0 / CLR 2.0, ``purl.imsglobal.org/spec/vcrl``):
#: the entry's ``id`` is the issuer's revocation list service; its answer is a JSON object
#: ``{"id", "issuer", "revokedCredentials": [{"id", "revocationReason"?}]}``, not signed
#: (TLS vouches for the issuer's host).
REVOCATION_LIST_1EDTECH: Final = "1EdTechRevocationList"
#: An answer listing more revoked credentials than this is refused (bounded work).
MAX_1EDTECH_REVOKED: Final = 100_000


def _issuer_of_list(value: object) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _onedtech_revocation(
    credential: Mapping[str, Any], issuer: str | None, urls: list[str], documents: Any
) -> Check:
    """``status.revocation`` from the issuer's 1EdTech revocation list (every list named)."""
    name = CheckName.STATUS_REVOCATION
    credential_id = credential.get("id")
    if not isinstance(credential_id, str):
        return errored(
            name,
            "revocation-list-needs-id",
            "a 1EdTech revocation list names revoked credentials by id, and this credential "
            "has none",
        )
    if documents is None:
        return errored(
            name,
            "status-list-unavailable",
            f"the issuer's 1EdTech revocation list ({urls[0]}) was not fetched",
        )
    for url in urls:
        try:
            answer = documents.get_json(url)
        except Error as exc:
            return errored(
                name,
                "status-list-unavailable",
                f"the issuer's 1EdTech revocation list could not be read: {exc.message}",
            )
        revoked = answer.get("revokedCredentials") if isinstance(answer, Mapping) else None
        if not isinstance(revoked, list) or len(revoked) > MAX_1EDTECH_REVOKED:
            return errored(
                name,
                "status-list-unverifiable",
                f"{url} is not a 1EdTech revocation list (revokedCredentials)",
            )
        list_issuer = _issuer_of_list(answer.get("issuer"))
        if list_issuer is not None and issuer is not None and list_issuer != issuer:
            return errored(
                name,
                "status-list-unverifiable",
                f"the revocation list at {url} is {list_issuer}'s, not the credential's "
                f"issuer {issuer}'s: another issuer cannot speak for this credential",
            )
        for item in revoked:
            item_id = item.get("id") if isinstance(item, Mapping) else item
            if item_id == credential_id:
                reason = item.get("revocationReason") if isinstance(item, Mapping) else None
                return failed(
                    name,
                    "revoked",
                    "the issuer's 1EdTech revocation list names this credential as revoked"
                    + (f" ({reason})" if isinstance(reason, str) and reason else ""),
                    list=url,
                )
    return passed(
        name,
        "not-revoked",
        "the credential is not on the issuer's 1EdTech revocation list (an unsigned list, "
        "served by the issuer's host)",
        list=urls[0],
    )


def run(
    examined: Examined,
    *,
    resolver: DidResolver,
    provider: StatusListProvider | None,
    history: KeyHistory | None = None,
    documents: Any = None,
) -> list[Check]:
    """The status checks of the secured credential (one per purpose, plus ``status.other``)."""
    if examined.secured is None:
        return [
            skipped(name, "proof-not-verified", "not checked: no proof of the issuer verified")
            for name in PURPOSE_CHECKS.values()
        ]
    credential = examined.secured
    issuer = examined.issuer
    entries, unknown, problems = parse_status_entries(credential)
    checks: list[Check] = []
    onedtech = [
        str(e.get("id"))
        for e in _status_objects(credential)
        if e.get("type") == REVOCATION_LIST_1EDTECH and isinstance(e.get("id"), str)
    ]
    unknown = [u for u in unknown if u.type != REVOCATION_LIST_1EDTECH or not onedtech]
    if problems:
        first = problems[0]
        checks.append(
            failed(
                CheckName.STATUS_OTHER,
                "malformed-status-entry",
                f"a credentialStatus entry is malformed at {first.pointer}: {first.message}",
            )
        )
    if unknown:
        kinds = ", ".join(sorted({u.type for u in unknown}))
        checks.append(
            errored(
                CheckName.STATUS_OTHER,
                "unsupported-status-type",
                f"the credential declares a status of a type this verifier cannot check ({kinds}); "
                "its status is unknown",
            )
        )
    for purpose, name in PURPOSE_CHECKS.items():
        relevant = [e for e in entries if e.status_purpose == purpose]
        if purpose == "revocation" and onedtech and not relevant:
            checks.append(_onedtech_revocation(credential, issuer, onedtech, documents))
            continue
        if not relevant:
            checks.append(
                skipped(name, "no-status-entry", f"the credential declares no {purpose} status")
            )
            continue
        checks.append(
            _check_purpose(
                name, purpose, relevant, issuer, resolver, provider, history, examined.now
            )
        )
    return checks


def _check_purpose(
    name: CheckName,
    purpose: str,
    entries: list[Any],
    issuer: str | None,
    resolver: DidResolver,
    provider: StatusListProvider | None,
    history: KeyHistory | None,
    now: datetime,
) -> Check:
    if issuer is None:
        return failed(name, "missing-issuer", "the credential names no issuer")
    if provider is None:
        return errored(
            name,
            "status-unavailable",
            f"this verifier cannot fetch status lists; the {purpose} status is unknown",
        )
    ages: list[dict[str, Any]] = []
    for entry in entries:
        try:
            list_credential = provider.get(entry.status_list_credential)
        except Error as exc:
            return errored(
                name,
                "status-list-unavailable",
                f"the {purpose} list could not be fetched: {exc.message}",
            )
        verified = verified_status_list(
            list_credential,
            issuer,
            resolver,
            purpose,
            url=entry.status_list_credential,
            history=history,
            entry_type=entry.type,
        )
        if isinstance(verified, tuple):
            return errored(name, verified[0], verified[1])
        stale, details = _freshness(verified, list_credential, now)
        if stale is not None:
            return errored(name, stale.code, stale.message, **details)
        ages.append(details)
        try:
            result = check_status(entry, verified)
        except Error as exc:
            return errored(
                name, "status-list-invalid", f"the {purpose} list is not usable: {exc.message}"
            )
        if result.status != 0:
            code = "revoked" if purpose == "revocation" else "suspended"
            return failed(
                name,
                code,
                f"the issuer has {code} this credential (status list index "
                f"{entry.status_list_index}; {_age(details)})",
                **details,
            )
    label = "not revoked" if purpose == "revocation" else "not suspended"
    details = ages[0] if len(ages) == 1 else {"lists": ages}
    return passed(
        name,
        label.replace(" ", "-"),
        f"the issuer's signed {purpose} list says: {label} ({_age(ages[0])})",
        **details,
    )


def status_checks(
    credential: Mapping[str, Any],
    issuer: str | None,
    *,
    resolver: DidResolver,
    provider: StatusListProvider | None,
    history: KeyHistory | None = None,
    now: datetime | None = None,
) -> list[Check]:
    """The status checks of an already verified (secured) credential on their own (the
    benchmarks measure this part alone)."""
    from datetime import UTC

    examined = Examined(received=credential, now=now or datetime.now(UTC), issuer=issuer)
    examined.secured = credential
    return run(examined, resolver=resolver, provider=provider, history=history)


def _status_objects(credential: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = credential.get("credentialStatus")
    items = raw if isinstance(raw, list) else [raw]
    return [item for item in items if isinstance(item, Mapping)]


__all__ = ["PURPOSE_CHECKS", "run", "status_checks", "verified_status_list"]
