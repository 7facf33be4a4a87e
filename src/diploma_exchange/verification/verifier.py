"""The verifier: the one place where the checks are put in order and a report is made.

Built once with its look-ups (:class:`Lookups`), it verifies any number of credentials. The
server and the CLI get theirs from the named constructors in
:mod:`diploma_exchange.services.verification` (``for_service``, ``for_cli``), so they cannot
assemble different verifiers.

``verify`` takes what arrives: a JSON object, or the bytes (or text) of any supported format.
The format is detected first (:mod:`diploma_exchange.formats`) and named in the report:

- a W3C credential with an embedded Data Integrity proof (also inside a baked badge image)
  runs the Data Integrity path: :mod:`.checks.proof` fixes the secured document, and the
  common checks read only that;
- an envelope (VC-JWT, VC-JOSE-COSE JWT/SD-JWT/COSE, IETF SD-JWT VC, Open Badges 2.0,
  Blockcerts, Europass JAdES/XAdES seals) is opened by
  :func:`~diploma_exchange.formats.open_envelope`, whose checks (signature, key binding,
  disclosures, holder binding, Merkle integrity and anchor, issuer profile) come first; its
  verified payload is then the secured document of the same common checks (coverage, key
  validity, schema, issuance record, validity period, trust, accreditation, status - the
  format's own status mechanism where it has one);
- a presentation (Data Integrity, JWT) is verified as a whole: the holder's proof and
  binding, then every credential inside with its own report (``presented``); each check of
  the presentation's report is the worst of the presentation's own and its credentials'.

The order is declared in :data:`ORDER` and matters: the proof checks decide what every later
check may read (the secured document); the issuance record is looked up before the key's
validity, which takes the signing time from it; trust before accreditation, which an operator's
vouching waives. A check outside the policy is not run and is reported ``skipped``
(``not-in-policy``). A format that is recognised but cannot be verified here is
``indeterminate``, never ``invalid``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from cryptography import x509

from diploma_exchange.dids.document import DidResolver, split_did_url
from diploma_exchange.errors import Error, InvalidInput, LimitExceeded
from diploma_exchange.proofs import data_integrity
from diploma_exchange.proofs.jcs import reused_members
from diploma_exchange.proofs.rdfc import (
    RdfcLimits,
    current_limits,
    sharing_expansions,
    using_limits,
)
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.verification.checks import (
    accreditation,
    coverage,
    dates,
    issuance,
    keys,
    log,
    proof,
    status,
    trust,
)
from diploma_exchange.verification.checks import (
    envelope as envelope_checks,
)
from diploma_exchange.verification.checks import format as format_check
from diploma_exchange.verification.lookups import (
    AccreditationSource,
    IssuanceLog,
    IssuanceRecords,
    KeyHistory,
    SchemaValidator,
    StatusListProvider,
    TrustPolicy,
)
from diploma_exchange.verification.report import (
    DEFAULT_POLICY,
    Check,
    CheckName,
    CheckStatus,
    Verdict,
    VerificationPolicy,
    VerificationReport,
    errored,
    failed,
    passed,
    skipped,
)
from diploma_exchange.verification.state import Examined, issuer_id
from diploma_exchange.verification.vcdm import received_credential_problems

if TYPE_CHECKING:
    from diploma_exchange.formats.model import ChainExplorer, DocumentFetcher, Envelope, FormatInfo

#: The order of the report (and of the checks' families).
ORDER: Final = (
    CheckName.FORMAT_DETECTED,
    CheckName.FORMAT_SCHEMA,
    CheckName.PROOF_SIGNATURE,
    CheckName.PROOF_KEY_BINDING,
    CheckName.PROOF_INTEGRITY,
    CheckName.PROOF_ANCHOR,
    CheckName.PROOF_DISCLOSURES,
    CheckName.PROOF_HOLDER_BINDING,
    CheckName.FORMAT_ENVELOPE,
    CheckName.PROOF_COVERAGE,
    CheckName.KEY_VALIDITY,
    CheckName.ISSUANCE_RECORD,
    CheckName.ISSUANCE_LOG,
    CheckName.VALIDITY_PERIOD,
    CheckName.ISSUER_PROFILE,
    CheckName.ISSUER_TRUST,
    CheckName.ISSUER_ACCREDITATION,
    CheckName.STATUS_REVOCATION,
    CheckName.STATUS_SUSPENSION,
    CheckName.STATUS_OTHER,
    CheckName.PRESENTATION_CREDENTIALS,
)
#: The format of a Data Integrity credential whose format was not detected (kept for callers).
DATA_INTEGRITY_FORMAT: Final = {
    "name": "vc-data-integrity",
    "version": None,
    "label": "W3C Verifiable Credential",
    "securing": "data-integrity",
}
#: Presentations may carry this many credentials; nesting stops at one level.
MAX_PRESENTED_CREDENTIALS: Final = 50
#: The Blockcerts / Open Badges revocation-list status types the envelope checks itself.
_ENVELOPE_STATUS_TYPES: Final = frozenset({"RevocationList", "CredentialStatusList2017"})


@dataclass(frozen=True, slots=True)
class Lookups:
    """Everything the verifier asks the outside world (see :mod:`.lookups`).

    ``documents`` fetches what an envelope names (issuer profiles and keys, JWT VC issuer
    metadata, IETF token status lists, revocation lists, hosted assertions): the safe
    fetcher, files, or nothing. ``trusted_certificates`` are the trust anchors of ``x5c``
    chains and e-seals (imported from an EU trust list, named ``trust_list_name``); none
    means no trust list (indeterminate, never invalid). ``blockchain_explorer`` looks up
    Blockcerts anchors; none is configured by default.
    """

    resolver: DidResolver
    trust: TrustPolicy
    status_lists: StatusListProvider | None = None
    key_history: KeyHistory | None = None
    accreditations: AccreditationSource | None = None
    issuance: IssuanceRecords | None = None
    validate_schema: SchemaValidator | None = None
    transparency: IssuanceLog | None = None
    documents: DocumentFetcher | None = None
    trusted_certificates: Sequence[x509.Certificate] = ()
    trust_list_name: str | None = None
    blockchain_explorer: ChainExplorer | None = None
    max_bytes: int = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Expectations:
    """What a presentation must be bound to (a verifier's request): ``audience`` (JWT
    ``aud``, Data Integrity ``domain``) and ``nonce`` (``nonce``, ``challenge``). When either
    is given, holder binding is required."""

    audience: str | None = None
    nonce: str | None = None


@dataclass
class _Results:
    """The checks of one verification by name, and the reports of presented credentials."""

    by_name: dict[CheckName, list[Check]] = field(default_factory=dict)
    presented: list[VerificationReport] = field(default_factory=list)

    def add(self, check: Check) -> None:
        self.by_name.setdefault(check.name, []).append(check)

    def put(self, check: Check) -> None:
        self.by_name[check.name] = [check]

    def has(self, name: CheckName) -> bool:
        return name in self.by_name


class Verifier:
    """Verifies credentials with a fixed set of look-ups; never raises for a bad credential.

    ``rdfc_limits`` bound the RDF canonicalisation work of one verification (an anonymous
    credential can be built to take minutes to canonicalise); None keeps the defaults.
    """

    def __init__(self, lookups: Lookups, *, rdfc_limits: RdfcLimits | None = None) -> None:
        self.lookups = lookups
        self.rdfc_limits = rdfc_limits
        #: DIDs that are a pure function of themselves (did:jwk, JOSE did:key codecs) are
        #: resolved locally whatever the configured resolver knows.
        self.resolver = _local_first(lookups.resolver)

    # --- the entry -----------------------------------------------------------------------

    def verify(
        self,
        credential: Mapping[str, Any] | bytes | str,
        *,
        policy: VerificationPolicy = DEFAULT_POLICY,
        now: datetime | None = None,
        expect: Expectations | None = None,
    ) -> VerificationReport:
        """Detect the format of ``credential`` (a JSON object, or the bytes or text of any
        supported format), run the policy's checks and return the report.

        Raises:
            InvalidInput: ``credential`` is neither a JSON object, bytes nor text, or is an
                enveloped credential or presentation that breaks VC Data Model 2.0 §4.13
                (``malformed-envelope``: it holds nothing that could be verified).
            LimitExceeded: the input is larger than ``Lookups.max_bytes``.
        """
        moment = now or datetime.now(UTC)
        expect = expect or Expectations()
        if isinstance(credential, str):
            credential = credential.encode("utf-8")
        if not isinstance(credential, Mapping | bytes | bytearray | memoryview):
            raise InvalidInput("a verifiable credential must be a JSON object", pointer="")
        with using_limits(self.rdfc_limits or current_limits()), sharing_expansions():
            if isinstance(credential, Mapping):
                return self._verify_json(credential, policy, moment, expect, depth=0)
            return self._verify_bytes(bytes(credential), policy, moment, expect, depth=0)

    def _verify_bytes(
        self,
        data: bytes,
        policy: VerificationPolicy,
        now: datetime,
        expect: Expectations,
        *,
        depth: int,
    ) -> VerificationReport:
        from diploma_exchange.formats.inputs import json_object, text_of

        if len(data) > self.lookups.max_bytes:
            raise LimitExceeded(
                f"the input is {len(data)} bytes; the limit is {self.lookups.max_bytes}",
                code="input-too-large",
                extra={"limit": self.lookups.max_bytes},
            )
        text = text_of(data)
        if text is not None and text.startswith("{"):
            # A JSON object: parsed strictly (bounded size and depth, no duplicate keys).
            return self._verify_json(
                json_object(text, what="the credential", max_bytes=self.lookups.max_bytes),
                policy,
                now,
                expect,
                depth=depth,
            )
        return self._verify_opened(self._open(data, now, expect, depth), policy, now, expect, depth)

    def _verify_json(
        self,
        document: Mapping[str, Any],
        policy: VerificationPolicy,
        now: datetime,
        expect: Expectations,
        *,
        depth: int,
    ) -> VerificationReport:
        from diploma_exchange.formats.detection import detect_json
        from diploma_exchange.formats.model import FormatName

        enveloped = _enveloped_payload(document)
        if enveloped is not None:
            return self._verify_bytes(enveloped, policy, now, expect, depth=depth)
        info = detect_json(document)
        if info.name is FormatName.VP_DATA_INTEGRITY:
            return self._verify_di_presentation(document, info, policy, now, expect, depth)
        if info.name in (
            FormatName.VC_DATA_INTEGRITY,
            FormatName.OPEN_BADGES_3,
            FormatName.EUROPASS_EDC,
        ) and info.securing in ("data-integrity", None):
            return self._verify_data_integrity(document, info.to_json(), policy, now)
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return self._verify_opened(self._open(data, now, expect, depth), policy, now, expect, depth)

    def _open(self, data: bytes, now: datetime, expect: Expectations, depth: int) -> Envelope:
        from diploma_exchange.formats.context import OpenContext
        from diploma_exchange.formats.envelope import open_envelope_at_depth
        from diploma_exchange.formats.model import EnvelopeOptions

        lookups = self.lookups
        options = EnvelopeOptions(
            audience=expect.audience,
            nonce=expect.nonce,
            require_holder_binding=expect.audience is not None or expect.nonce is not None,
            trusted_certificates=tuple(lookups.trusted_certificates),
            trust_list_name=lookups.trust_list_name,
            blockchain_explorer=lookups.blockchain_explorer,
            max_bytes=lookups.max_bytes,
        )
        context = OpenContext(
            resolver=self.resolver,
            now=now,
            fetcher=lookups.documents,
            options=options,
        )
        # Presentations open their credentials themselves (one level); a credential opened
        # here at depth 1 must not open presentations again.
        return open_envelope_at_depth(data, context, depth=min(depth, 1))

    # --- Data Integrity ------------------------------------------------------------------

    def _verify_data_integrity(
        self,
        credential: Mapping[str, Any],
        format_info: Mapping[str, Any],
        policy: VerificationPolicy,
        now: datetime,
        leading: Sequence[Check] = (),
    ) -> VerificationReport:
        lookups = self.lookups
        examined = Examined(received=credential, now=now)
        examined.issuer = issuer_id(credential)
        wanted = policy.considered
        results = _Results()
        for check in leading:
            results.add(check)
        # The proof decides what everything after it reads. Its checks only read the
        # credential, so the proof's JCS form and the secured digest's share member forms.
        with reused_members():
            signature, binding = proof.run(examined, self.resolver)
        results.put(signature)
        results.put(binding)
        results.put(coverage.run(examined))
        if CheckName.FORMAT_SCHEMA in wanted:
            results.put(format_check.run(examined, _schema_validator(policy, lookups)))
        results.put(issuance.run(examined, lookups.issuance))
        results.put(log.run(examined, lookups.transparency))
        results.put(keys.run(examined, resolver=self.resolver, history=lookups.key_history))
        results.put(dates.run(examined))
        self._trust_and_accreditation(examined, results, wanted)
        for check in status.run(
            examined,
            resolver=self.resolver,
            provider=lookups.status_lists,
            history=lookups.key_history,
            documents=lookups.documents,
        ):
            results.add(check)
        suites_used = sorted(
            {
                str(o.proof.get("cryptosuite") or o.proof.get("type"))
                for o in examined.proofs
                if o.proof.get("cryptosuite") or o.proof.get("type")
            }
        )
        described = {**format_info, "securing": "data-integrity"}
        if suites_used:
            described["cryptosuites"] = suites_used
        cred_id = credential.get("id")
        return self._report(
            results,
            policy,
            examined,
            credential_id=cred_id if isinstance(cred_id, str) else None,
            format_info=described,
        )

    def _trust_and_accreditation(
        self, examined: Examined, results: _Results, wanted: frozenset[CheckName]
    ) -> None:
        lookups = self.lookups
        if CheckName.ISSUER_TRUST in wanted or CheckName.ISSUER_ACCREDITATION in wanted:
            results.put(trust.run(examined, lookups.trust))
        if CheckName.ISSUER_ACCREDITATION in wanted:
            results.put(accreditation.run(examined, lookups.accreditations))

    # --- envelopes -----------------------------------------------------------------------

    def _verify_opened(
        self,
        envelope: Envelope,
        policy: VerificationPolicy,
        now: datetime,
        expect: Expectations,
        depth: int,
    ) -> VerificationReport:
        """The report of an opened envelope (or of a Data Integrity credential found in one,
        such as a baked badge image)."""
        if envelope.data_integrity and envelope.credential is not None:
            detected = [c for c in envelope.checks if c.name is CheckName.FORMAT_DETECTED]
            return self._verify_data_integrity(
                envelope.credential, envelope.format.to_json(), policy, now, leading=detected
            )
        lookups = self.lookups
        wanted = policy.considered
        results = _Results()
        for check in envelope.checks:
            results.add(check)
        examined = Examined(received=envelope.credential or {}, now=now)
        examined.issuer = envelope.issuer
        authentic = _intact(envelope)
        if authentic and envelope.credential is not None:
            # The payload exactly as the envelope's signature (or Merkle proof) covers it.
            examined.secured = envelope.credential
            try:
                examined.secured_digest = envelope.secured_digest or secured_digest(
                    envelope.credential
                )
            except Error:
                examined.secured_digest = None
        if not results.has(CheckName.PROOF_KEY_BINDING):
            results.add(
                skipped(
                    CheckName.PROOF_KEY_BINDING,
                    "signature-not-verified",
                    "no signature verified, so no key to bind to the issuer",
                )
            )
        presentation = envelope.format.name.value in ("vp-jwt", "vp-jose")
        results.put(envelope_checks.coverage(envelope, examined))
        results.put(
            envelope_checks.key_validity(
                envelope,
                examined,
                resolver=self.resolver,
                history=lookups.key_history,
            )
        )
        if presentation:
            results.put(envelope_checks.presentation_period(envelope, examined))
        else:
            results.put(envelope_checks.period(envelope, examined))
        if presentation:
            # What a presentation says about diplomas is in its credentials: their schema,
            # issuance, trust, accreditation and status are theirs (combined below).
            inner = [
                self._verify_opened(item, policy, now, expect, depth + 1)
                for item in envelope.presentation[:MAX_PRESENTED_CREDENTIALS]
            ]
            _fold_presented(results, inner)
        else:
            if CheckName.FORMAT_SCHEMA in wanted:
                results.put(
                    envelope_checks.schema(envelope, examined, _schema_validator(policy, lookups))
                )
            results.put(issuance.run(examined, lookups.issuance))
            signed_by = envelope.signer.method_id if envelope.signer is not None else None
            results.put(log.run(examined, lookups.transparency, signed_by=signed_by))
            if examined.secured is None:
                for name in (CheckName.ISSUER_TRUST, CheckName.ISSUER_ACCREDITATION):
                    if name in wanted:
                        results.put(envelope_checks.not_read(name, envelope))
            else:
                self._trust_and_accreditation(examined, results, wanted)
            for check in self._envelope_status(envelope, examined):
                results.add(check)
        credential = envelope.credential or {}
        cred_id = credential.get("id") if isinstance(credential, Mapping) else None
        described = envelope.format.to_json()
        if envelope.details.get("dataModel"):
            described["dataModel"] = envelope.details["dataModel"]
        return self._report(
            results,
            policy,
            examined,
            credential_id=cred_id if isinstance(cred_id, str) else None,
            format_info=described,
        )

    def _envelope_status(self, envelope: Envelope, examined: Examined) -> list[Check]:
        """The status checks: the format's own mechanism (IETF token status list, Blockcerts
        and Open Badges revocation lists) and any ``credentialStatus`` of a W3C payload."""
        lookups = self.lookups
        if examined.secured is None:
            return [
                envelope_checks.not_read(name, envelope)
                for name in (CheckName.STATUS_REVOCATION, CheckName.STATUS_SUSPENSION)
            ]
        secured = examined.secured
        handled = envelope.check_status is not None
        if handled and "credentialStatus" in secured:
            # Entries the format's own mechanism handles are not the W3C checker's.
            entries = secured["credentialStatus"]
            kept = [
                e
                for e in (entries if isinstance(entries, list) else [entries])
                if not (isinstance(e, Mapping) and e.get("type") in _ENVELOPE_STATUS_TYPES)
            ]
            secured = {k: v for k, v in secured.items() if k != "credentialStatus"}
            if kept:
                secured["credentialStatus"] = kept
        w3c = status.run(
            _with_secured(examined, secured),
            resolver=self.resolver,
            provider=lookups.status_lists,
            history=lookups.key_history,
            documents=lookups.documents,
        )
        if envelope.check_status is None:
            return w3c
        own = envelope.check_status(lookups.documents)
        own_names = {c.name for c in own}
        return [
            *own,
            *(c for c in w3c if c.name not in own_names or c.status is not CheckStatus.SKIPPED),
        ]

    # --- Data Integrity presentations ----------------------------------------------------

    def _verify_di_presentation(
        self,
        presentation: Mapping[str, Any],
        info: FormatInfo,
        policy: VerificationPolicy,
        now: datetime,
        expect: Expectations,
        depth: int,
    ) -> VerificationReport:
        """A W3C presentation with a Data Integrity proof (VC Data Model §4.13, VC Data
        Integrity §2.1: ``proofPurpose`` ``authentication``, ``challenge`` and ``domain``)."""
        results = _Results()
        detected = passed(
            CheckName.FORMAT_DETECTED,
            info.name.value,
            f"{info.label}{' ' + info.version if info.version else ''}",
            format=info.to_json(),
        )
        results.add(detected)
        holder = issuer_id({"issuer": presentation.get("holder")})
        examined = Examined(received=presentation, now=now, issuer=holder)
        own = _presentation_proof(
            presentation, holder, self.resolver, expect, require_holder=policy.require_holder
        )
        for check in own:
            results.put(check)
        signed = all(c.status is CheckStatus.PASSED for c in own[:2])
        if signed:
            examined.secured = presentation
        results.put(dates.run(examined) if signed else _period_of_unsigned(presentation, now))
        items = presentation.get("verifiableCredential", [])
        items = items if isinstance(items, list) else [items]
        # No credential at all (VC Data Model 2.0 §4.13: verifiableCredential MAY be present):
        # a DID authentication, when the policy allows one; not a presentation whose
        # credentials were not read (nested too deep, or not objects).
        did_authentication = not items and not policy.require_credentials
        inner: list[VerificationReport] = []
        for item in items[:MAX_PRESENTED_CREDENTIALS]:
            if depth >= 1:
                break
            try:
                if isinstance(item, str):
                    inner.append(
                        self._verify_bytes(item.encode(), policy, now, Expectations(), depth=1)
                    )
                elif isinstance(item, Mapping):
                    inner.append(self._verify_json(item, policy, now, Expectations(), depth=1))
            except Error as exc:
                inner.append(_unreadable_report(exc, policy, now))
        _fold_presented(results, inner, did_authentication=did_authentication)
        pres_id = presentation.get("id")
        return self._report(
            results,
            policy,
            examined,
            credential_id=pres_id if isinstance(pres_id, str) else None,
            format_info={**info.to_json(), "securing": "data-integrity"},
        )

    # --- the report ----------------------------------------------------------------------

    def _report(
        self,
        results: _Results,
        policy: VerificationPolicy,
        examined: Examined,
        *,
        credential_id: str | None,
        format_info: Mapping[str, Any],
    ) -> VerificationReport:
        wanted = policy.considered
        checks: list[Check] = []
        for name in ORDER:
            if name not in wanted and name not in results.by_name:
                checks.append(
                    skipped(
                        name,
                        "not-in-policy",
                        f"not checked: the {policy.name} policy does not ask for it",
                    )
                )
                continue
            # A check outside the policy that ran because another needed it (trust for
            # accreditation) is reported, but as information it does not count (see
            # VerificationPolicy.considered).
            checks.extend(results.by_name.get(name, []))
        return VerificationReport(
            checks=tuple(checks),
            checked_at=examined.now,
            credential_id=credential_id,
            issuer=examined.issuer,
            policy=policy,
            format=dict(format_info),
            presented=tuple(results.presented),
            content=(
                results.presented[0].content
                if len(results.presented) == 1
                else examined.secured
                if examined.secured is not None
                else examined.received
            ),
        )


# --- helpers ---------------------------------------------------------------------------------


def _local_first(resolver: DidResolver) -> DidResolver:
    from diploma_exchange.formats.keys import LocalFirstResolver

    return LocalFirstResolver(resolver)


def _with_secured(examined: Examined, secured: Mapping[str, Any]) -> Examined:
    copy = Examined(received=examined.received, now=examined.now, issuer=examined.issuer)
    copy.secured = secured
    copy.secured_digest = examined.secured_digest
    return copy


def _intact(envelope: Envelope) -> bool:
    """Whether the envelope's payload is exactly what its issuer secured: the signature (or,
    for Blockcerts, the Merkle proof of the certificate's hash) verified and nothing it
    checked failed. Whether the key is the issuer's is ``proof.key-binding``'s to say; the
    verdict cannot be valid without it."""
    if envelope.credential is None:
        return False
    by_name = {c.name: c for c in envelope.checks}
    integrity_checks = (
        CheckName.PROOF_SIGNATURE,
        CheckName.PROOF_INTEGRITY,
        CheckName.PROOF_DISCLOSURES,
    )
    if any(c.status is CheckStatus.FAILED and c.name in integrity_checks for c in envelope.checks):
        return False
    signature = by_name.get(CheckName.PROOF_SIGNATURE)
    integrity = by_name.get(CheckName.PROOF_INTEGRITY)
    if signature is not None and signature.status is CheckStatus.PASSED:
        return True
    return integrity is not None and integrity.status is CheckStatus.PASSED


def _enveloped_payload(document: Mapping[str, Any]) -> bytes | None:
    """VC Data Model 2.0 §4.13.1/§4.13.2 (VC-JOSE-COSE §3.3) ``EnvelopedVerifiableCredential``
    / ``EnvelopedVerifiablePresentation``: the secured token in the ``data:`` URL of ``id``
    (``data:application/vc+jwt,<jwt>``); None for any other object.

    Raises:
        InvalidInput: an envelope that breaks the Data Model's rules (``malformed-envelope``).
    """
    from diploma_exchange.formats.enveloped import open_enveloped

    enveloped = open_enveloped(document)
    return None if enveloped is None else enveloped.payload


def _presentation_proof(
    presentation: Mapping[str, Any],
    holder: str | None,
    resolver: DidResolver,
    expect: Expectations,
    *,
    require_holder: bool = True,
) -> list[Check]:
    """``proof.signature``, ``proof.key-binding`` and ``proof.holder-binding`` of a Data
    Integrity presentation; coverage and key validity follow from them.

    ``proof.key-binding``: the proof's purpose is ``authentication`` and its verification
    method is an authentication method of the ``holder`` (VC Data Integrity §2.1, VC-API
    verifyPresentation). A presentation that names no holder fails it when
    ``require_holder``; otherwise (VC Data Model 2.0 §4.13, ``holder`` is optional) the
    signer's own DID takes the holder's place and the check passes with a warning: nothing
    binds the presented credentials to whoever signed."""
    sig, bind, hold = (
        CheckName.PROOF_SIGNATURE,
        CheckName.PROOF_KEY_BINDING,
        CheckName.PROOF_HOLDER_BINDING,
    )
    required = expect.audience is not None or expect.nonce is not None
    try:
        proofs = data_integrity.all_proofs(presentation)
    except Error as exc:
        return [
            failed(sig, "malformed-proof", exc.message),
            failed(bind, "malformed-proof", "no usable proof to bind to the holder"),
            failed(hold, "malformed-proof", "no usable proof of the holder"),
        ]
    if not proofs:
        # An unsigned presentation is only a wrapper: the credentials speak for themselves.
        note = "the presentation carries no proof of its holder"
        holder_check = (
            failed(hold, "missing-holder-proof", note + ", but holder binding was required")
            if required
            else skipped(hold, "unsigned-presentation", note + "; whoever holds it presented it")
        )
        return [
            skipped(sig, "unsigned-presentation", note + "; each credential's proof is checked"),
            skipped(bind, "unsigned-presentation", note),
            holder_check,
            passed(
                CheckName.PROOF_COVERAGE,
                "unsigned-presentation",
                "only the credentials' own signed contents are read",
            ),
            passed(
                CheckName.KEY_VALIDITY,
                "unsigned-presentation",
                "no key of the presentation to check; each credential's key is checked",
            ),
        ]
    outcome = proof.verify_one_proof(presentation, proofs[0], resolver)
    checks: list[Check] = []
    signature = (
        outcome.signature
        if len(proofs) == 1
        else errored(
            sig, "unsupported-proof-set", "a presentation with several proofs is not verified here"
        )
    )
    checks.append(signature)
    method = outcome.method
    document = outcome.document
    if method is None or document is None:
        checks.append(
            (errored if signature.status is not CheckStatus.FAILED else failed)(
                bind, signature.code, "the holder's key could not be resolved"
            )
        )
    elif holder is None and require_holder:
        checks.append(failed(bind, "missing-holder", "the presentation names no holder"))
    elif holder is not None and split_did_url(method)[0] != holder:
        checks.append(
            failed(
                bind,
                "key-not-controlled-by-holder",
                f"the presentation names holder {holder} but was signed with {method}",
            )
        )
    elif outcome.proof.get("proofPurpose") != "authentication":
        checks.append(
            failed(
                bind, "wrong-proof-purpose", "a presentation's proofPurpose must be authentication"
            )
        )
    else:
        signer = holder or split_did_url(method)[0]
        target = method
        if target not in document.authentication_ids and not any(
            m.endswith(target) for m in document.authentication_ids
        ):
            checks.append(
                failed(
                    bind,
                    "not-an-authentication-method",
                    f"{method} is not listed as an authentication method of {signer}",
                )
            )
        elif holder is None:
            checks.append(
                passed(
                    bind,
                    "no-holder",
                    f"the presentation names no holder; it was signed by {signer} with "
                    f"{method}, an authentication method of that DID",
                    warning="the presentation names no holder, so no holder binding of its "
                    "credentials was checked: nothing ties them to whoever signed it",
                )
            )
        else:
            checks.append(passed(bind, "bound", f"signed by the holder {holder} with {method}"))
    challenge, domain = outcome.proof.get("challenge"), outcome.proof.get("domain")
    domains = domain if isinstance(domain, list) else [domain]
    if expect.nonce is not None and challenge != expect.nonce:
        checks.append(
            failed(hold, "wrong-nonce", "the presentation's challenge is not the expected one")
        )
    elif expect.audience is not None and expect.audience not in domains:
        checks.append(
            failed(
                hold,
                "wrong-audience",
                f"the presentation is for {domain!r}, not {expect.audience!r}",
            )
        )
    elif all(c.status is CheckStatus.PASSED for c in checks):
        checks.append(
            passed(
                hold,
                "holder-bound" if required else "holder-signed",
                ("the holder" if holder is not None else "its signer")
                + " signed this presentation"
                + (
                    " for this domain and challenge"
                    if required
                    else " (no domain or challenge was expected, so replay was not checked)"
                ),
            )
        )
    else:
        checks.append(skipped(hold, "holder-not-verified", "the holder's proof did not verify"))
    if checks[0].status is CheckStatus.PASSED and checks[1].status is CheckStatus.PASSED:
        checks.append(
            passed(
                CheckName.PROOF_COVERAGE,
                "covered",
                "the holder's proof covers the presentation; each credential's own proof "
                "covers what is read from it",
            )
        )
        created = outcome.proof.get("created")
        checks.append(
            passed(
                CheckName.KEY_VALIDITY,
                "holder-key",
                f"the holder's key {method} is in its DID document"
                + (f" (presented {created})" if isinstance(created, str) else ""),
            )
        )
    return checks


def _period_of_unsigned(presentation: Mapping[str, Any], now: datetime) -> Check:
    del presentation, now
    return passed(
        CheckName.VALIDITY_PERIOD,
        "unsigned-presentation",
        "the presentation states no signed validity period; each credential's is checked",
    )


def _unreadable_report(exc: Error, policy: VerificationPolicy, now: datetime) -> VerificationReport:
    return VerificationReport(
        checks=(failed(CheckName.FORMAT_DETECTED, exc.code, exc.message),),
        checked_at=now,
        policy=policy,
        format={"name": "unknown", "version": None},
    )


_RANK: Final = {
    CheckStatus.FAILED: 3,
    CheckStatus.ERROR: 2,
    CheckStatus.SKIPPED: 1,
    CheckStatus.PASSED: 0,
}


def _schema_validator(policy: VerificationPolicy, lookups: Lookups) -> SchemaValidator | None:
    """What ``format.schema`` validates against: the data model's own rules when the policy
    says so, else the configured validator (by default, the diploma schema for a diploma)."""
    return received_credential_problems if policy.data_model_schema else lookups.validate_schema


def _fold_presented(
    results: _Results, inner: list[VerificationReport], *, did_authentication: bool = False
) -> None:
    """Add the credentials of a presentation: ``presentation.credentials`` sums up their
    verdicts, and every check name of theirs is combined with the presentation's own, worst
    first, so that the presentation is valid only if it and everything in it is. With
    ``did_authentication`` (a presentation of no credential, allowed by the policy) the check
    passes: the presentation's own proof decides."""
    results.presented.extend(inner)
    name = CheckName.PRESENTATION_CREDENTIALS
    verdicts = [r.verdict for r in inner]
    summary = [
        {
            "index": i,
            "format": (r.format or {}).get("name"),
            "issuer": r.issuer,
            "credentialId": r.credential_id,
            "verdict": r.verdict.value,
        }
        for i, r in enumerate(inner)
    ]
    if not inner and did_authentication:
        results.put(
            passed(
                name,
                "did-authentication",
                "the presentation carries no credential: a DID authentication, verified by "
                "its own proof alone",
            )
        )
    elif not inner:
        results.put(
            errored(name, "no-credentials", "the presentation carries no credential to verify")
        )
    elif Verdict.INVALID in verdicts:
        index = verdicts.index(Verdict.INVALID)
        results.put(
            failed(
                name,
                "credential-invalid",
                f"credential {index + 1} of {len(inner)} is invalid",
                credentials=summary,
            )
        )
    elif Verdict.INDETERMINATE in verdicts:
        index = verdicts.index(Verdict.INDETERMINATE)
        results.put(
            errored(
                name,
                "credential-indeterminate",
                f"credential {index + 1} of {len(inner)} could not be fully verified",
                credentials=summary,
            )
        )
    else:
        results.put(
            passed(
                name,
                "credentials-valid",
                f"all {len(inner)} credential(s) in the presentation are valid",
                credentials=summary,
            )
        )
    for check_name in ORDER:
        if check_name in (CheckName.FORMAT_DETECTED, name):
            continue
        parts: list[tuple[str, Check]] = [
            ("the presentation", c) for c in results.by_name.get(check_name, [])
        ]
        for index, report in enumerate(inner):
            parts.extend(
                (f"credential {index + 1}", c) for c in report.checks if c.name is check_name
            )
        if parts and (len(parts) > 1 or parts[0][0] != "the presentation"):
            results.put(_combined(check_name, parts))


def _rank(check: Check) -> int:
    """Worse is higher: failed, error, skipped; a waived check counts as passed."""
    if check.status is CheckStatus.SKIPPED and check.waived:
        return 0
    return _RANK[check.status]


def _combined(name: CheckName, parts: list[tuple[str, Check]]) -> Check:
    """The worst of several checks of one name, with every part in the details. An unsigned
    presentation's placeholders give way to its credentials' own checks."""
    details: dict[str, Any] = {
        "parts": [{"subject": who, "status": c.status.value, "code": c.code} for who, c in parts]
    }
    # a part's warning (e.g. a presentation that names no holder) is not lost in the sum
    warnings = [f"{who}: {c.warning}" for who, c in parts if c.warning]
    if warnings:
        details["warning"] = "; ".join(warnings)[:2000]
    meaningful = [(w, c) for w, c in parts if c.code != "unsigned-presentation"] or parts
    worst_who, worst = max(meaningful, key=lambda p: _rank(p[1]))
    if _rank(worst) > 0:
        return Check(name, worst.status, worst.code, f"{worst_who}: {worst.message}", details)
    message = "; ".join(f"{who}: {c.message}" for who, c in meaningful)[:2000]
    if all(c.waived for _, c in meaningful):
        return Check(name, CheckStatus.SKIPPED, worst.code, message, details, True)
    first = next(c for _, c in meaningful if c.status is CheckStatus.PASSED)
    return Check(name, CheckStatus.PASSED, first.code, message, details)


def verify_credential(
    credential: Mapping[str, Any] | bytes | str,
    *,
    resolver: DidResolver,
    trust: TrustPolicy,
    now: datetime | None = None,
    validate_schema: SchemaValidator | None = None,
    status_lists: StatusListProvider | None = None,
    key_history: KeyHistory | None = None,
    accreditations: AccreditationSource | None = None,
    issuance_records: IssuanceRecords | None = None,
    transparency: IssuanceLog | None = None,
    policy: VerificationPolicy = DEFAULT_POLICY,
    documents: DocumentFetcher | None = None,
) -> VerificationReport:
    """One-off verification with the given look-ups (tests, benchmarks): the same
    :class:`Verifier`, built for one call."""
    verifier = Verifier(
        Lookups(
            resolver=resolver,
            trust=trust,
            status_lists=status_lists,
            key_history=key_history,
            accreditations=accreditations,
            issuance=issuance_records,
            validate_schema=validate_schema,
            transparency=transparency,
            documents=documents,
        )
    )
    return verifier.verify(credential, policy=policy, now=now)


__all__ = [
    "DATA_INTEGRITY_FORMAT",
    "ORDER",
    "Expectations",
    "Lookups",
    "Verifier",
    "verify_credential",
]
