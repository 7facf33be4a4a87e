"""``proof.coverage``: everything the later checks read is covered by the issuer's proof.

Two ways the received JSON can say more (or less) than what was signed, each closed here:

1. **Appended contexts.** The Data Integrity cryptosuites verify a proof over the document with
   the proof's ``@context`` (vc-di-eddsa §3.3.2 step 4, §3.2.2; vc-di-ecdsa likewise), so
   anyone may append ``@context`` entries after the signed ones. The later checks read the
   secured document (with the proof's contexts) anyway; the appended entries are ignored when
   they do not change what any term of the document means, and make the credential
   ``invalid`` (``unsigned-context``) when they do, or when they cannot be processed (then they
   could). A VC 1.1 context appended to a VC 2.0 credential is the classic case: it would make
   a reader look for ``expirationDate`` instead of ``validUntil``.
2. **JSON that says something else than its signed RDF.** The ``*-rdfc-*`` suites sign the
   canonical RDF, not the JSON, and JSON-LD gives the same RDF to different JSON: a property
   written with its full IRI as the key (``"https://www.w3.org/2018/credentials#validUntil"``)
   or an alias means exactly what ``validUntil`` means, but a reader of the JSON key would not
   see it. For RDF-signed proofs the properties the checks read (issuer, validity dates,
   status entries, subjects, type) are compared between the expanded (signed) form and the
   JSON keys; any difference is ``invalid`` (``json-differs-from-signed-data``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pyld import jsonld  # type: ignore[import-untyped,unused-ignore]

from diploma_exchange.credentials.contexts import document_loader
from diploma_exchange.jsonld_contexts import CachingProcessor
from diploma_exchange.jsonld_lock import PYLD_LOCK
from diploma_exchange.proofs.rdfc import shared_expansion
from diploma_exchange.proofs.secured import unsigned_contexts
from diploma_exchange.verification.report import Check, CheckName, failed, passed, skipped
from diploma_exchange.verification.state import Examined

_CRED: Final = "https://www.w3.org/2018/credentials#"
#: JSON key -> the IRI it has in both VC base contexts (v1 and v2 share the namespace).
_CHECKED_PROPERTIES: Final = {
    "issuer": _CRED + "issuer",
    "validFrom": _CRED + "validFrom",
    "validUntil": _CRED + "validUntil",
    "issuanceDate": _CRED + "issuanceDate",
    "expirationDate": _CRED + "expirationDate",
    "credentialStatus": _CRED + "credentialStatus",
    "credentialSubject": _CRED + "credentialSubject",
}
_RDF_SUITES: Final = frozenset(
    {"eddsa-rdfc-2022", "ecdsa-rdfc-2019", "ecdsa-sd-2023", "eddsa-2022"}
)


class _Unprocessable(Exception):
    """The document could not be expanded (an unbundled or malformed context)."""


def _expand(document: Mapping[str, Any]) -> list[Any]:
    body = {k: v for k, v in document.items() if k != "proof"}
    shared = shared_expansion(body)  # the body's RDF proof, in this verification, expanded it
    if shared is not None:
        return shared
    try:
        with PYLD_LOCK:  # pyld's context caches are not thread-safe
            expanded = CachingProcessor().expand(
                body,
                {"documentLoader": document_loader, "base": "", "processingMode": "json-ld-1.1"},
            )
    except (jsonld.JsonLdError, RecursionError, ValueError, TypeError) as exc:
        raise _Unprocessable(str(exc)) from exc
    if not isinstance(expanded, list):
        raise _Unprocessable("expansion did not produce a list")
    return expanded


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _json_values(document: Mapping[str, Any], key: str) -> list[Any]:
    """What a reader of the JSON sees under ``key``: ids for objects, else the values."""
    values = []
    for item in _as_list(document.get(key)):
        if isinstance(item, Mapping):
            values.append(item.get("id"))
        else:
            values.append(item)
    return values


def _rdf_values(node: Mapping[str, Any], iri: str) -> list[Any]:
    values = []
    for item in _as_list(node.get(iri)):
        if isinstance(item, Mapping) and "@value" in item:
            values.append(item["@value"])
        elif isinstance(item, Mapping):
            values.append(item.get("@id"))
        else:
            values.append(item)
    return values


def _same(json_values: list[Any], rdf_values: list[Any]) -> bool:
    """Same number of values and the same identified values (blank nodes have no id)."""
    if len(json_values) != len(rdf_values):
        return False
    return sorted(map(repr, (v for v in json_values if v is not None))) == sorted(
        map(repr, (v for v in rdf_values if v is not None))
    )


def _json_rdf_differences(secured: Mapping[str, Any]) -> list[str] | None:
    """The checked properties whose JSON and signed RDF differ; None if not expandable."""
    try:
        expanded = _expand(secured)
    except _Unprocessable:
        return None
    nodes = [n for n in expanded if isinstance(n, Mapping)]
    if len(nodes) != 1:
        return ["@graph"]
    node = nodes[0]
    differences = [
        key
        for key, iri in _CHECKED_PROPERTIES.items()
        if not _same(_json_values(secured, key), _rdf_values(node, iri))
    ]
    json_types = {t for t in _as_list(secured.get("type")) if isinstance(t, str)}
    rdf_types = {t for t in _as_list(node.get("@type")) if isinstance(t, str)}
    if ("VerifiableCredential" in json_types) != (_CRED + "VerifiableCredential" in rdf_types):
        differences.append("type")
    return differences


def run(examined: Examined) -> Check:
    name = CheckName.PROOF_COVERAGE
    outcome = examined.issuer_proof
    if outcome is None or examined.secured is None:
        return skipped(name, "proof-not-verified", "no proof of the issuer verified")
    appended = unsigned_contexts(examined.received, outcome.proof)
    notes = []
    if appended:
        try:
            meaning_received = _expand(examined.received)
            meaning_signed = _expand(examined.secured)
        except _Unprocessable as exc:
            return failed(
                name,
                "unsigned-context",
                f"{len(appended)} @context entr{'y' if len(appended) == 1 else 'ies'} after the "
                "signed ones cannot be processed, so they could change what the credential "
                f"means; no signature covers them ({str(exc)[:200]})",
                unsignedContexts=[str(c)[:200] for c in appended],
            )
        if meaning_received != meaning_signed:
            return failed(
                name,
                "unsigned-context",
                "@context entries after the signed ones, which no signature covers, change "
                "what terms of the credential mean",
                unsignedContexts=[str(c)[:200] for c in appended],
            )
        notes.append(
            f"{len(appended)} unsigned @context entr{'y' if len(appended) == 1 else 'ies'} "
            "after the signed ones change nothing and were ignored"
        )
    if outcome.proof.get("cryptosuite") in _RDF_SUITES:
        differences = _json_rdf_differences(examined.secured)
        if differences is None:
            # The proof verified over this document's RDF, so it is expandable; reaching this
            # means the two processors disagree: fail closed.
            return failed(
                name,
                "json-differs-from-signed-data",
                "the signed document could not be re-read as JSON-LD to compare it with its JSON",
            )
        if differences:
            return failed(
                name,
                "json-differs-from-signed-data",
                "the JSON does not say what the signed data says for "
                f"{', '.join(differences)} (a property written under another key, such as its "
                "full IRI or an alias, means the same to the signature but not to a reader)",
                properties=differences,
            )
    message = "everything the checks read is covered by the issuer's proof"
    if notes:
        message += "; " + "; ".join(notes)
    details = {"unsignedContexts": [str(c)[:200] for c in appended]} if appended else {}
    return passed(name, "covered", message, **details)


__all__ = ["run"]
