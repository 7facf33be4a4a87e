"""Blockcerts v2 (MerkleProof2017, Open Badges 2.0 based) and v3 (MerkleProof2019, VC based).

What is checked, following the Blockcerts verification process (cert-verifier-js
``computeLocalHash``, ``ensureHashesEqual``, ``ensureValidReceipt``, ``ensureMerkleRootEqual``):

1. the local hash: SHA-256 of the RDF canonical form (URDNA2015 = RDFC-1.0,
   :func:`diploma_exchange.proofs.rdfc.canonize`) of the certificate without its
   ``signature`` (v2) or ``proof`` (v3), with ``{"@vocab": "http://fallback.org/"}``
   appended to the ``@context`` so that no property is dropped (unmapped properties are
   reported), must equal the receipt's ``targetHash``;
2. the Merkle path (Chainpoint v2: ``left`` -> SHA-256(sibling || node), ``right`` ->
   SHA-256(node || sibling)) from ``targetHash`` must reach ``merkleRoot``;
3. the anchor: that ``merkleRoot`` is in the named blockchain transaction, sent from a key
   of the issuer's profile. This needs a blockchain explorer; without one configured the
   anchor (and so the signature and the key binding) is not checked and the verdict is
   ``indeterminate``, with the chain and transaction named. An intact certificate is
   never ``invalid``;
4. the issuer profile (fetched through the caller's fetcher or a stored copy) and its
   revocation list.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

import cbor2

from diploma_exchange.credentials.contexts import ContextNotBundled, document_loader
from diploma_exchange.errors import Error, InvalidInput
from diploma_exchange.formats.claims import issuer_id, vc_version
from diploma_exchange.formats.context import OpenContext, detected_check
from diploma_exchange.formats.explorers import parse_anchor
from diploma_exchange.formats.model import (
    DocumentFetcher,
    Envelope,
    FormatInfo,
    Signer,
    StatusKind,
    StatusReference,
)
from diploma_exchange.proofs import rdfc
from diploma_exchange.proofs.multibase import decode_base58btc
from diploma_exchange.verification.dates import parse_datetime
from diploma_exchange.verification.report import Check, CheckName, errored, failed, passed

#: Context URL -> file under formats/contexts/ (see SOURCES.md there), as the Blockcerts
#: reference verifier preloads them (cert-schema ``npm/preloadedContexts.mjs``).
BLOCKCERTS_CONTEXTS: Final[Mapping[str, str]] = {
    "https://w3id.org/openbadges/v2": "openbadges-v2.jsonld",
    "https://openbadgespec.org/v2/context.json": "openbadges-v2.jsonld",
    "https://w3id.org/blockcerts/schema/2.0-alpha/context.json": "blockcerts-v2.0-alpha.jsonld",
    "https://www.blockcerts.org/schema/2.0-alpha/context.json": "blockcerts-v2.0-alpha.jsonld",
    "https://w3id.org/blockcerts/v2": "blockcerts-v2.0.jsonld",
    "https://w3id.org/blockcerts/schema/2.0/context.json": "blockcerts-v2.0.jsonld",
    "https://www.blockcerts.org/schema/2.0/context.json": "blockcerts-v2.0.jsonld",
    "https://w3id.org/blockcerts/v2.1": "blockcerts-v2.1.jsonld",
    "https://w3id.org/blockcerts/schema/2.1/context.json": "blockcerts-v2.1.jsonld",
    "https://www.blockcerts.org/schema/2.1/context.json": "blockcerts-v2.1.jsonld",
    "https://w3id.org/blockcerts/v3": "blockcerts-v3.0.jsonld",
    "https://w3id.org/blockcerts/schema/3.0/context.json": "blockcerts-v3.0.jsonld",
    "https://www.blockcerts.org/schema/3.0/context.json": "blockcerts-v3.0.jsonld",
    "https://w3id.org/blockcerts/v3.0-alpha": "blockcerts-v3.0-alpha.jsonld",
    "https://w3id.org/blockcerts/schema/3.0-alpha/context.json": "blockcerts-v3.0-alpha.jsonld",
    "https://www.blockcerts.org/schema/3.0-alpha/context.json": "blockcerts-v3.0-alpha.jsonld",
    "https://w3id.org/blockcerts/v3.0-beta": "blockcerts-v3.0-beta.jsonld",
    "https://w3id.org/blockcerts/schema/3.0-beta/context.json": "blockcerts-v3.0-beta.jsonld",
    "https://www.blockcerts.org/schema/3.0-beta/context.json": "blockcerts-v3.0-beta.jsonld",
    "https://w3id.org/blockcerts/v3.1": "blockcerts-v3.1.jsonld",
    "https://w3id.org/blockcerts/schema/3.1/context.json": "blockcerts-v3.1.jsonld",
    "https://www.blockcerts.org/schema/3.1/context.json": "blockcerts-v3.1.jsonld",
    "https://w3id.org/blockcerts/v3.2": "blockcerts-v3.2.jsonld",
    "https://w3id.org/blockcerts/schema/3.2/context.json": "blockcerts-v3.2.jsonld",
    "https://www.blockcerts.org/schema/3.2/context.json": "blockcerts-v3.2.jsonld",
    "https://w3id.org/security/suites/merkle-2019/v1": "merkle-proof-2019-v1.jsonld",
    "https://w3id.org/security/suites/chained-2021/v1": "chained-proof-2021-v1.jsonld",
    "https://w3id.org/vc/status-list/2021/v1": "status-list-2021-v1.jsonld",
    # The reference verifier's copy of the VC 1.1 context, without "@protected": Blockcerts
    # v3 contexts redefine VC 1.1 terms, which the protected W3C copy forbids; the hashes
    # the issuers computed use this copy.
    "https://www.w3.org/2018/credentials/v1": "cert-schema-credentials-v1.jsonld",
}
FALLBACK_VOCAB: Final = "http://fallback.org/"
MAX_MERKLE_PATH: Final = 64
#: lds-merkle-proof-2019 key maps (blockchain-certificates/lds-merkle-proof-2019 Keymap.js).
_ROOT_KEYS: Final = {0: "merkleRoot", 1: "targetHash", 2: "anchors", 3: "path"}
_PATH_KEYS: Final = {0: "left", 1: "right"}
_CHAINS: Final = {
    0: ("btc", {1: "mainnet", 3: "testnet"}),
    1: ("eth", {1: "mainnet", 3: "ropsten", 4: "rinkeby", 5: "goerli", 11155111: "sepolia"}),
    2: ("mtc", {137: "mainnet", 80001: "mumbai"}),
    -1: ("mocknet", {-1: "mocknet"}),
}


@cache
def _context_text(filename: str) -> str:
    return resources.files(__package__).joinpath("contexts").joinpath(filename).read_text("utf-8")


def blockcerts_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Offline loader: the Blockcerts contexts, then the service's bundled store."""
    filename = BLOCKCERTS_CONTEXTS.get(url)
    if filename is None:
        return document_loader(url, options)
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(_context_text(filename)),
    }


def local_hash(
    certificate: Mapping[str, Any], *, proof_member: str
) -> tuple[str, list[str], list[str]]:
    """The certificate's hash as its issuer computed it, the unmapped properties (under the
    fallback vocabulary, covered by the hash), and the dropped ones: properties JSON-LD cannot
    turn into RDF (a key with a space gives an invalid IRI), which the Blockcerts reference
    verifier drops silently and the hash therefore does not cover.

    Raises:
        ContextNotBundled: a context that is not bundled.
        InvalidInput: not processable JSON-LD.
    """
    document = copy.deepcopy(dict(certificate))
    document.pop(proof_member, None)
    context = document.get("@context")
    context = list(context) if isinstance(context, list) else [context]
    if not any(isinstance(c, Mapping) and "@vocab" in c for c in context):
        context.append({"@vocab": FALLBACK_VOCAB})
    document["@context"] = context
    dropped: list[str] = []
    # Properties JSON-LD cannot map are dropped and named, as the reference verifier drops
    # them (within the same work bounds as every canonicalization).
    nquads = rdfc.canonize(document, loader=blockcerts_loader, dropped=dropped)
    dropped = sorted({d.removeprefix(FALLBACK_VOCAB) for d in dropped})
    unmapped = sorted(
        {
            line.split(f"<{FALLBACK_VOCAB}", 1)[1].split(">", 1)[0]
            for line in nquads.decode().splitlines()
            if f"<{FALLBACK_VOCAB}" in line
        }
    )
    return hashlib.sha256(nquads).hexdigest(), unmapped, dropped


def merkle_root_of(target_hash: str, path: list[Any]) -> str:
    """Walk a Chainpoint v2 Merkle path from ``target_hash``.

    Raises:
        InvalidInput: a step that is not ``{left|right: hex}`` or a path that is too long.
    """
    if len(path) > MAX_MERKLE_PATH:
        raise InvalidInput("the Merkle path is too long", code="malformed-merkle-proof")
    node = bytes.fromhex(target_hash)
    for step in path:
        if not isinstance(step, Mapping) or len(step) != 1:
            raise InvalidInput(
                "a Merkle path step must be {left|right: hash}", code="malformed-merkle-proof"
            )
        ((side, sibling_hex),) = step.items()
        try:
            sibling = bytes.fromhex(str(sibling_hex))
        except ValueError as exc:
            raise InvalidInput(
                "a Merkle path hash is not hex", code="malformed-merkle-proof"
            ) from exc
        if side == "left":
            node = hashlib.sha256(sibling + node).digest()
        elif side == "right":
            node = hashlib.sha256(node + sibling).digest()
        else:
            raise InvalidInput(f"unknown Merkle path side {side!r}", code="malformed-merkle-proof")
    return node.hex()


def decode_merkle_proof_2019(proof_value: str) -> dict[str, Any]:
    """Decode a MerkleProof2019 ``proofValue`` (multibase base58btc of a CBOR list of
    ``[key, value]`` pairs, lds-merkle-proof-2019): merkleRoot, targetHash, anchors, path.

    Raises:
        InvalidInput: not base58btc, not CBOR, or not of that shape (``malformed-merkle-proof``).
    """

    def inner(value: Any) -> Any:
        """A value as lds-merkle-proof-2019 encodes it: itself CBOR (a byte string of the
        hash, or, as issued by cert-issuer 3, a text string of its hex)."""
        if isinstance(value, bytes):
            try:
                return cbor2.loads(value)
            except (cbor2.CBORDecodeError, ValueError):
                return value
        return value

    def hexed(value: Any) -> str:
        decoded = inner(value)
        if isinstance(decoded, bytes):
            return decoded.hex()
        if isinstance(decoded, str) and all(c in "0123456789abcdefABCDEF" for c in decoded):
            return decoded.lower()
        raise InvalidInput(
            "a MerkleProof2019 hash is neither bytes nor hex", code="malformed-merkle-proof"
        )

    try:
        raw = decode_base58btc(proof_value)
        entries = cbor2.loads(raw)
        if not isinstance(entries, list):
            raise InvalidInput(
                "MerkleProof2019 proofValue is not a CBOR list", code="malformed-merkle-proof"
            )
        out: dict[str, Any] = {}
        for entry in entries:
            key, value = entry
            name = _ROOT_KEYS.get(key)
            if name in ("merkleRoot", "targetHash"):
                out[name] = hexed(value)
            elif name == "path":
                out["path"] = [{_PATH_KEYS[k]: hexed(v)} for k, v in value]
            elif name == "anchors":
                anchors = []
                for anchor in value:
                    parts = ["blink"]
                    chain_name = ""
                    for k, v in anchor:
                        value = inner(v)
                        if k == 0:
                            chain_name = _CHAINS[value][0] if value in _CHAINS else str(value)
                            parts.append(chain_name)
                        elif k == 1:
                            networks = next((n for c, n in _CHAINS.values() if c == chain_name), {})
                            parts.append(str(networks.get(value, value)))
                        else:
                            parts.append(value.hex() if isinstance(value, bytes) else str(value))
                    anchors.append(":".join(parts))
                out["anchors"] = anchors
        return out
    except InvalidInput:
        raise
    except (ValueError, TypeError, KeyError, IndexError, cbor2.CBORDecodeError) as exc:
        raise InvalidInput(
            "the MerkleProof2019 proofValue cannot be decoded", code="malformed-merkle-proof"
        ) from exc


def _receipt(certificate: Mapping[str, Any], version: str | None) -> tuple[dict[str, Any], str]:
    """The Merkle receipt and the member that holds the proof."""
    if version == "2.0":
        signature = certificate.get("signature")
        if not isinstance(signature, Mapping):
            raise InvalidInput(
                "the certificate has no signature receipt", code="malformed-merkle-proof"
            )
        return dict(signature), "signature"
    proof = certificate.get("proof")
    if isinstance(proof, list):
        raise InvalidInput(
            "chained or multiple Blockcerts proofs are not supported",
            code="unsupported-proof-chain",
        )
    if not isinstance(proof, Mapping) or not isinstance(proof.get("proofValue"), str):
        raise InvalidInput(
            "the certificate has no MerkleProof2019 proof", code="malformed-merkle-proof"
        )
    return decode_merkle_proof_2019(proof["proofValue"]), "proof"


def _anchor_description(receipt: Mapping[str, Any]) -> list[str]:
    out = []
    for anchor in receipt.get("anchors", []) or []:
        if isinstance(anchor, str):
            out.append(anchor)
        elif isinstance(anchor, Mapping):
            out.append(f"{anchor.get('chain', anchor.get('type'))}:{anchor.get('sourceId')}")
    return out


def open_certificate(certificate: dict[str, Any], info: FormatInfo, ctx: OpenContext) -> Envelope:
    """Open a Blockcerts certificate (see the module docstring)."""
    checks: list[Check] = [detected_check(info)]
    integrity = CheckName.PROOF_INTEGRITY
    issuer = _issuer_of(certificate, info.version)
    try:
        receipt, member = _receipt(certificate, info.version)
    except InvalidInput as exc:
        make = errored if exc.code == "unsupported-proof-chain" else failed
        checks.append(make(integrity, exc.code, exc.message))
        checks.append(
            errored(CheckName.PROOF_SIGNATURE, exc.code, "the Blockcerts proof cannot be checked")
        )
        return Envelope(info, None, issuer, checks)
    target, root = receipt.get("targetHash"), receipt.get("merkleRoot")
    try:
        digest, unmapped, dropped = local_hash(certificate, proof_member=member)
    except ContextNotBundled as exc:
        checks.append(errored(integrity, exc.code, exc.message))
        checks.append(
            errored(
                CheckName.PROOF_SIGNATURE,
                "integrity-not-checked",
                "the certificate's hash could not be computed",
            )
        )
        return Envelope(info, None, issuer, checks)
    except InvalidInput as exc:
        checks.append(failed(integrity, "not-json-ld", exc.message))
        return Envelope(info, None, issuer, checks)
    try:
        computed_root = merkle_root_of(
            str(target), list(receipt.get("path", receipt.get("proof", [])) or [])
        )
    except (InvalidInput, ValueError) as exc:
        checks.append(failed(integrity, "malformed-merkle-proof", str(exc)))
        return Envelope(info, None, issuer, checks)
    anchors = _anchor_description(receipt)
    details = {"targetHash": target, "merkleRoot": root, "anchors": anchors}
    if digest != target and info.version != "2.0":
        # Blockcerts v3 hashing followed the v3 context through several revisions
        # (cert-schema 3.0 changed three times in 2021-2022); a v3 hash this verifier does
        # not reproduce may be an intact certificate hashed under another revision, so it
        # is indeterminate, never a verdict of tampering.
        checks.append(
            errored(
                integrity,
                "hash-not-reproduced",
                "the certificate's hash could not be reproduced with the bundled Blockcerts v3 "
                "contexts; its integrity is unknown",
                localHash=digest,
                **details,
            )
        )
        checks.append(
            errored(CheckName.PROOF_SIGNATURE, "integrity-not-checked", "see proof.integrity")
        )
        return Envelope(info, None, issuer, checks, details=details)
    if digest != target:
        checks.append(
            failed(
                integrity,
                "hash-mismatch",
                "the certificate was changed after issuance: its hash is not the one in its receipt",
                localHash=digest,
                **details,
            )
        )
        checks.append(
            failed(
                CheckName.PROOF_SIGNATURE, "tampered", "the certificate does not match its proof"
            )
        )
        return Envelope(info, None, issuer, checks, details=details)
    if computed_root != root:
        checks.append(
            failed(
                integrity,
                "merkle-root-mismatch",
                "the Merkle path does not lead to the receipt's Merkle root",
                **details,
            )
        )
        checks.append(failed(CheckName.PROOF_SIGNATURE, "tampered", "the receipt is inconsistent"))
        return Envelope(info, None, issuer, checks, details=details)
    note = (
        f"; unmapped properties {', '.join(unmapped)} are covered by the hash" if unmapped else ""
    )
    if dropped:
        note += (
            f"; the properties {', '.join(dropped)} cannot be read as JSON-LD and are not "
            "covered by the hash"
        )
        details = {**details, "uncovered": dropped}
    checks.append(
        passed(
            integrity,
            "merkle-proof-consistent",
            "the certificate's hash is the receipt's target hash, and the Merkle path leads to "
            f"the Merkle root{note}",
            unmapped=unmapped,
            **details,
        )
    )
    profile_check, profile = _issuer_profile(certificate, info.version, issuer, ctx.fetcher)
    anchor_checks = _anchor_checks(receipt, anchors, ctx, profile, issuer)
    checks.extend(anchor_checks)
    checks.append(profile_check)
    signer = _signer(anchor_checks)
    entries, status_check = _revocation(certificate, info.version, profile)
    return Envelope(
        info,
        certificate,
        issuer,
        checks,
        entries,
        status_check,
        details={
            "dataModel": "ob-2.0"
            if info.version == "2.0"
            else f"w3c-vc-{vc_version(certificate) or '1.1'}",
            **details,
        },
        signer=signer,
    )


def _not_looked_up(reason: str, anchors: list[str], code: str) -> list[Check]:
    return [
        errored(CheckName.PROOF_ANCHOR, code, reason, anchors=anchors),
        errored(
            CheckName.PROOF_SIGNATURE,
            code,
            "a Blockcerts certificate is signed by its blockchain transaction, which was not "
            "checked (see proof.anchor)",
        ),
        errored(
            CheckName.PROOF_KEY_BINDING,
            code,
            "the issuing key is the transaction's sender, which was not looked up",
        ),
    ]


def _anchor_checks(
    receipt: Mapping[str, Any],
    anchors: list[str],
    ctx: OpenContext,
    profile: Mapping[str, Any] | None,
    issuer: str | None,
) -> list[Check]:
    """The anchor (the Merkle root in the named transaction), the signature (that anchor)
    and the key binding (the transaction's sender is a key of the issuer's profile, valid
    when the transaction was mined)."""
    where = ", ".join(anchors) or "an unnamed transaction"
    raw = receipt.get("anchors") or []
    try:
        anchor = parse_anchor(raw[0] if isinstance(raw, list) and raw else None)
    except InvalidInput as exc:
        return _not_looked_up(exc.message, anchors, exc.code)
    if anchor.blockchain == "mocknet":
        return _not_looked_up(
            f"{anchor} is on mocknet, cert-issuer's stand-in for a blockchain: nothing is "
            "anchored, so nothing vouches for who issued this certificate",
            anchors,
            "mock-anchor",
        )
    explorer = ctx.options.blockchain_explorer
    if explorer is None or not explorer.serves(anchor):
        return _not_looked_up(
            f"the Merkle root {receipt.get('merkleRoot')} is anchored in {where}; no blockchain "
            f"explorer is configured for {anchor.key}, so the transaction, its sender (the "
            "issuer's key) and its time were not looked up",
            anchors,
            "anchor-not-checked",
        )
    try:
        found = explorer.lookup(anchor)
    except Error as exc:
        return _not_looked_up(f"{anchor}: {exc.message}", anchors, exc.code)
    if found.remote_hash != str(receipt.get("merkleRoot", "")).lower():
        return [
            failed(
                CheckName.PROOF_ANCHOR,
                "anchor-mismatch",
                f"{where} does not hold the Merkle root (it holds {found.remote_hash})",
                anchors=anchors,
            ),
            failed(
                CheckName.PROOF_SIGNATURE,
                "anchor-mismatch",
                "the blockchain transaction does not anchor this certificate",
            ),
        ]
    if not found.confirmed:
        return _not_looked_up(
            f"{anchor} holds the Merkle root but is not confirmed yet", anchors, "not-confirmed"
        )
    mined = found.time.isoformat() if found.time else "an unknown time"
    test = " (a test network: its coins have no value)" if anchor.test_network else ""
    return [
        passed(
            CheckName.PROOF_ANCHOR,
            "anchored",
            f"{where} holds the Merkle root, mined at {mined}{test}",
            anchors=anchors,
            transactionTime=found.time.isoformat() if found.time else None,
            sender=found.issuing_address,
            testNetwork=anchor.test_network,
        ),
        passed(
            CheckName.PROOF_SIGNATURE,
            "anchored",
            f"the blockchain transaction sent by {found.issuing_address} anchors this certificate",
        ),
        _key_binding(found, profile, issuer),
    ]


def _signer(anchor_checks: list[Check]) -> Signer | None:
    """The signer when the key binding passed: the sending key, at the transaction's time."""
    binding = next((c for c in anchor_checks if c.name is CheckName.PROOF_KEY_BINDING), None)
    anchor = next((c for c in anchor_checks if c.name is CheckName.PROOF_ANCHOR), None)
    if binding is None or anchor is None or binding.code != "issuer-key":
        return None
    when = anchor.details.get("transactionTime")
    return Signer(
        "blockcerts-profile",
        method_id=str(binding.details.get("sender")),
        signed_at=parse_datetime(when),
    )


def _profile_keys(profile: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(address, entry) of the keys an issuer profile lists: v2 ``publicKey`` entries
    (``ecdsa-koblitz-pubkey:<address>``) and v1 ``issuerKeys`` (``key``, ``date``)."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    for entry in profile.get("publicKey") or profile.get("publicKeys") or []:
        if isinstance(entry, str):
            entry = {"id": entry}
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            out.append((entry["id"].removeprefix("ecdsa-koblitz-pubkey:"), entry))
    for entry in profile.get("issuerKeys") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("key"), str):
            out.append((entry["key"], {"created": entry.get("date"), **entry}))
    return out


def _same_address(a: str, b: str) -> bool:
    # Ethereum addresses are hex (EIP-55 case is a checksum); Bitcoin's base58 is case-exact
    if a.lower().startswith("0x") and b.lower().startswith("0x"):
        return a.lower() == b.lower()
    return a == b


def _key_binding(found: Any, profile: Mapping[str, Any] | None, issuer: str | None) -> Check:
    name = CheckName.PROOF_KEY_BINDING
    sender = found.issuing_address
    if issuer is not None and issuer.startswith("did:"):
        return errored(
            name,
            "issuer-is-a-did",
            f"the transaction was sent by {sender}; comparing it with the keys of the DID "
            f"{issuer} is not supported",
        )
    if profile is None:
        return errored(
            name,
            "issuer-profile-unavailable",
            f"the transaction was sent by {sender}; the issuer's profile, which lists its "
            "keys, was not read",
        )
    match = next(
        (e for address, e in _profile_keys(profile) if _same_address(address, sender)), None
    )
    if match is None:
        return failed(
            name,
            "issuing-address-not-in-profile",
            f"the transaction was sent by {sender}, which is not a key of the issuer's profile: "
            "someone else anchored this certificate",
            sender=sender,
        )
    when = found.time
    created, revoked, expires = (
        parse_datetime(match.get(k)) for k in ("created", "revoked", "expires")
    )
    if when is None and (revoked or expires):
        return errored(
            name,
            "transaction-time-unknown",
            f"{sender} is a key of the issuer with an end date, and the transaction's time is "
            "unknown",
        )
    if when is not None and created is not None and when < created:
        return failed(
            name,
            "key-not-yet-valid",
            f"{sender} became a key of the issuer at {created.isoformat()}, after the "
            f"transaction ({when.isoformat()})",
        )
    if when is not None and revoked is not None and when >= revoked:
        return failed(
            name,
            "key-revoked",
            f"{sender} was revoked as a key of the issuer at {revoked.isoformat()}, before the "
            f"transaction ({when.isoformat()})",
        )
    if when is not None and expires is not None and when >= expires:
        return failed(
            name,
            "key-expired",
            f"{sender} expired as a key of the issuer at {expires.isoformat()}, before the "
            f"transaction ({when.isoformat()})",
        )
    return passed(
        name,
        "issuer-key",
        f"the transaction was sent by {sender}, a key of the issuer's profile valid at the time",
        sender=sender,
    )


def _issuer_of(certificate: Mapping[str, Any], version: str | None) -> str | None:
    if version == "2.0":
        badge = certificate.get("badge")
        return issuer_id(badge.get("issuer")) if isinstance(badge, Mapping) else None
    return issuer_id(certificate.get("issuer"))


def _issuer_profile(
    certificate: Mapping[str, Any],
    version: str | None,
    issuer: str | None,
    fetcher: DocumentFetcher | None,
) -> tuple[Check, Mapping[str, Any] | None]:
    name = CheckName.ISSUER_PROFILE
    if issuer is None:
        return failed(name, "missing-issuer", "the certificate names no issuer"), None
    if issuer.startswith("did:"):
        return (
            errored(
                name, "issuer-is-a-did", f"the issuer is {issuer}; its DID document names its keys"
            ),
            None,
        )
    if fetcher is None:
        return errored(
            name, "issuer-profile-not-fetched", f"the issuer profile {issuer} was not fetched"
        ), None
    try:
        profile = fetcher.get_json(issuer)
    except Error as exc:
        return errored(name, "issuer-profile-unavailable", f"{issuer}: {exc.message}"), None
    if not isinstance(profile, Mapping) or profile.get("id") != issuer:
        return failed(
            name,
            "issuer-profile-mismatch",
            f"the document at {issuer} is not that issuer's profile",
        ), None
    keys = (
        profile.get("publicKey")
        or profile.get("publicKeys")
        or profile.get("verificationMethod")
        or []
    )
    count = len(keys) if isinstance(keys, list) else 1
    return (
        passed(
            name,
            "issuer-profile",
            f"the issuer profile of {profile.get('name', issuer)} lists {count} key(s)",
            issuerName=profile.get("name"),
        ),
        profile,
    )


def _revocation(
    certificate: Mapping[str, Any], version: str | None, profile: Mapping[str, Any] | None
) -> tuple[tuple[StatusReference, ...], Any]:
    """Blockcerts revocation: the issuer's ``revocationList`` (v2), or the certificate's
    ``credentialStatus`` of type ``RevocationList``/``CredentialStatusList2017`` (v3)."""
    cert_id = certificate.get("id") if isinstance(certificate.get("id"), str) else None
    url: str | None = None
    status = certificate.get("credentialStatus")
    if isinstance(status, Mapping) and status.get("type") in (
        "RevocationList",
        "CredentialStatusList2017",
    ):
        url = str(status.get("id", "")).split("#", 1)[0] or None
    badge = certificate.get("badge")
    if url is None and isinstance(badge, Mapping) and isinstance(badge.get("issuer"), Mapping):
        value = badge["issuer"].get("revocationList")
        url = value if isinstance(value, str) else None
    if url is None and profile is not None and isinstance(profile.get("revocationList"), str):
        url = str(profile["revocationList"])
    if url is None or cert_id is None:
        return (), None
    entry = StatusReference(StatusKind.BLOCKCERTS_REVOCATION_LIST, url, credential_id=cert_id)

    def check(fetcher: DocumentFetcher | None) -> list[Check]:
        return revocation_list_checks(entry, fetcher)

    return (entry,), check


def revocation_list_checks(entry: StatusReference, fetcher: DocumentFetcher | None) -> list[Check]:
    """``status.revocation`` from a Blockcerts / Open Badges 2.0 revocation list
    (``revokedAssertions``: ids, or objects with ``id`` and ``revocationReason``)."""
    name = CheckName.STATUS_REVOCATION
    if fetcher is None:
        return [
            errored(name, "status-not-fetched", f"the revocation list {entry.uri} was not fetched")
        ]
    try:
        document = fetcher.get_json(entry.uri)
    except Error as exc:
        return [errored(name, "status-list-unavailable", f"{entry.uri}: {exc.message}")]
    revoked = document.get("revokedAssertions") if isinstance(document, Mapping) else None
    if not isinstance(revoked, list):
        return [errored(name, "malformed-status-list", f"{entry.uri} is not a revocation list")]
    for item in revoked:
        item_id = item.get("id") if isinstance(item, Mapping) else item
        if item_id == entry.credential_id:
            reason = item.get("revocationReason") if isinstance(item, Mapping) else None
            return [
                failed(
                    name,
                    "revoked",
                    "the issuer has revoked the certificate" + (f": {reason}" if reason else ""),
                    revocationList=entry.uri,
                )
            ]
    return [
        passed(
            name,
            "not-revoked",
            "the certificate is not on the issuer's revocation list",
            revocationList=entry.uri,
        )
    ]


__all__ = [
    "BLOCKCERTS_CONTEXTS",
    "blockcerts_loader",
    "decode_merkle_proof_2019",
    "local_hash",
    "merkle_root_of",
    "open_certificate",
    "revocation_list_checks",
]
