"""``status.revocation`` / ``status.suspension``: read a diploma's bits in its issuer's lists.

For each BitstringStatusListEntry the list credential is fetched through a
:class:`StatusListProvider`, its own proof is verified with the same resolver as the diploma's
(and must be made by the diploma's issuer), then the bit is read. Fail closed: a list that
cannot be fetched or verified gives ``error`` (verdict ``indeterminate``), never ``passed``; an
entry of a type this verifier does not understand is ``status.other`` ``error``, never ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Protocol

import orjson

from diploma_exchange.dids.document import DidResolver, split_did_url
from diploma_exchange.errors import Error
from diploma_exchange.proofs import eddsa_jcs_2022, suites
from diploma_exchange.status import (
    StatusList,
    check_status,
    parse_status_entries,
    parse_status_list_credential,
)
from diploma_exchange.verification.report import Check, CheckName, errored, failed, passed, skipped

PURPOSE_CHECKS = {
    "revocation": CheckName.STATUS_REVOCATION,
    "suspension": CheckName.STATUS_SUSPENSION,
}


class StatusListProvider(Protocol):
    """Fetches a status list credential by URL; raises ``Error`` when it cannot."""

    def get(self, url: str) -> Mapping[str, Any]: ...


#: Verified, parsed status lists, keyed by everything their validity depends on: the exact
#: content (a digest of it), the purpose asked for, and the signing key as resolved now
#: (its public key and ``revoked`` time). A changed list or a revoked key is a new key, so
#: an entry can never be stale; it only saves re-verifying and re-inflating the same bytes.
_VERIFIED_LISTS: dict[tuple[bytes, str, str, str | None], StatusList] = {}
_VERIFIED_LISTS_MAX = 256


def _content_digest(document: Mapping[str, Any]) -> bytes | None:
    try:
        return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).digest()
    except (TypeError, orjson.JSONEncodeError):
        return None  # not plain JSON: verify without the cache


def _verified_status_list(
    list_credential: Mapping[str, Any], issuer: str, resolver: DidResolver, purpose: str
) -> StatusList | tuple[str, str]:
    """The parsed list when it is signed by ``issuer`` and usable for ``purpose``; otherwise
    (code, why not)."""
    unverifiable = "status-list-unverifiable"
    list_issuer = list_credential.get("issuer")
    list_issuer_id = list_issuer.get("id") if isinstance(list_issuer, Mapping) else list_issuer
    if list_issuer_id != issuer:
        return unverifiable, (
            f"the status list is issued by {list_issuer_id!r}, not by the diploma's issuer {issuer}"
        )
    try:
        proof = eddsa_jcs_2022.proof_of(list_credential)
    except Error as exc:
        return unverifiable, f"the status list's proof is unusable: {exc.message}"
    if proof is None:
        return unverifiable, "the status list credential is not signed"
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
    digest = _content_digest(list_credential)
    cache_key = None
    if digest is not None and vm.public_key_multibase is not None:
        cache_key = (
            digest,
            purpose,
            vm.public_key_multibase,
            vm.revoked.isoformat() if vm.revoked else None,
        )
        cached = _VERIFIED_LISTS.get(cache_key)
        if cached is not None:
            return cached
    result = suites.verify_proof(list_credential, proof, public_key)
    if not result.verified:
        return unverifiable, f"the status list's signature is invalid ({result.code})"
    try:
        status_list = parse_status_list_credential(list_credential, expected_purpose=purpose)
    except Error as exc:
        return "status-list-invalid", f"the {purpose} list is not usable: {exc.message}"
    if cache_key is not None:
        if len(_VERIFIED_LISTS) >= _VERIFIED_LISTS_MAX:
            _VERIFIED_LISTS.clear()
        _VERIFIED_LISTS[cache_key] = status_list
    return status_list


def status_checks(
    credential: Mapping[str, Any],
    issuer: str | None,
    *,
    resolver: DidResolver,
    provider: StatusListProvider | None,
) -> list[Check]:
    """The status checks of ``credential`` (one per purpose, plus ``status.other`` if needed)."""
    entries, unknown, problems = parse_status_entries(credential)
    checks: list[Check] = []
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
        if not relevant:
            checks.append(
                skipped(name, "no-status-entry", f"the credential declares no {purpose} status")
            )
            continue
        checks.append(_check_purpose(name, purpose, relevant, issuer, resolver, provider))
    return checks


def _check_purpose(
    name: CheckName,
    purpose: str,
    entries: list[Any],
    issuer: str | None,
    resolver: DidResolver,
    provider: StatusListProvider | None,
) -> Check:
    if issuer is None:
        return failed(name, "missing-issuer", "the credential names no issuer")
    if provider is None:
        return errored(
            name,
            "status-unavailable",
            f"this verifier cannot fetch status lists; the {purpose} status is unknown",
        )
    for entry in entries:
        try:
            list_credential = provider.get(entry.status_list_credential)
        except Error as exc:
            return errored(
                name,
                "status-list-unavailable",
                f"the {purpose} list could not be fetched: {exc.message}",
            )
        verified = _verified_status_list(list_credential, issuer, resolver, purpose)
        if isinstance(verified, tuple):
            return errored(name, verified[0], verified[1])
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
                f"the issuer has {code} this diploma (status list index {entry.status_list_index})",
            )
    label = "not revoked" if purpose == "revocation" else "not suspended"
    return passed(
        name, label.replace(" ", "-"), f"the issuer's signed {purpose} list says: {label}"
    )
