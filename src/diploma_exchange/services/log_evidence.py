"""The transparency log as issuance evidence for the verifier (issue 17 x issue 9).

:class:`LogEvidenceSource` answers, for one credential, what the logs this service trusts
say about it, as a :class:`~diploma_exchange.transparency.bundle.LogVerdict` (or None when no
log covers the issuer, so the check does not apply):

* an institution of this service: this service's own log (``verify_local``): not in it is
  ``failed`` / ``log.not-included``, logged after its key ended ``failed`` /
  ``log.after-key-event``;
* an institution of a partner NIC that declared (or was configured with) a log: the
  partner's bundle endpoint (``<tiles prefix>/v1/bundles/<digest>``) through the safe fetcher,
  checked with the partner's checkpoint key; a 404 is ``log.not-included``, an unreachable
  log ``indeterminate`` / ``log.unavailable``;
* a bundle handed in with the credential (a JSON download, a PDF attachment, a file on the
  command line): checked offline against the trusted logs; it wins over any look-up.

The verifier turns the verdict into its check (passed / failed / indeterminate with the
verdict's code); see docs/transparency.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from diploma_exchange.config import Settings
from diploma_exchange.db.models import PartnerNicRecord, TrustListSnapshotRecord
from diploma_exchange.dids.remote import SafeFetcher
from diploma_exchange.errors import DidResolutionError, Error
from diploma_exchange.proofs.secured import first_proof, secured_digest
from diploma_exchange.services import institutions, transparency
from diploma_exchange.services.trust import _verified_snapshot
from diploma_exchange.transparency.bundle import (
    LogBundle,
    LogStatus,
    LogVerdict,
    TrustedLog,
    WitnessPolicy,
    verify_bundle,
)
from diploma_exchange.transparency.note import ED25519, parse_vkey


def _issuer(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    return value if isinstance(value, str) else None


def bundle_verdict(
    bundle: object,
    *,
    issuer: str,
    verification_method: str,
    digest: str,
    trusted_logs: Sequence[TrustedLog],
    policy: WitnessPolicy,
    now: datetime | None = None,
) -> LogVerdict:
    """What a bundle (handed in with a credential, or fetched from a partner's log) proves
    about the credential with ``digest``, checked offline against ``trusted_logs`` (never
    raises for a bad bundle)."""
    try:
        parsed = LogBundle.from_json(bundle)
    except Error as exc:
        return LogVerdict(LogStatus.INDETERMINATE, "log.bad-bundle", exc.message)
    return verify_bundle(
        parsed,
        credential_digest=digest,
        issuer=issuer,
        verification_method=verification_method,
        trusted_logs=trusted_logs,
        policy=policy,
        now=now or datetime.now(UTC),
    )


class LogEvidenceSource:
    """What the trusted transparency logs say about a credential (see the module docstring)."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        *,
        fetcher: SafeFetcher | None = None,
        policy: WitnessPolicy | None = None,
        now: datetime | None = None,
    ) -> None:
        self._session = session
        self._settings = settings
        self._fetcher = fetcher
        self._policy = policy or WitnessPolicy()
        self._now = now

    def check_credential(
        self, credential: Mapping[str, Any], bundle: Mapping[str, Any] | None = None
    ) -> LogVerdict | None:
        """The log verdict for ``credential`` (its issuer's proof), or None when no trusted
        log covers its issuer and no bundle came with it. Never raises for a bad credential
        or bundle."""
        issuer = _issuer(credential)
        proof = first_proof(credential)  # the issuer's proof (first of a proof set)
        if issuer is None or proof is None:
            return None
        method = proof.get("verificationMethod")
        try:
            digest = secured_digest(credential)
        except Error:
            return None
        if not isinstance(method, str):
            return None
        if bundle is not None:
            return self.check_bundle(
                bundle, issuer=issuer, verification_method=method, digest=digest
            )
        return self.check(issuer=issuer, verification_method=method, digest=digest)

    def with_bundle(self, bundle: Mapping[str, Any]) -> BundleFirst:
        """This source, with a bundle that came with the credential (a PDF's attachment)."""
        return BundleFirst(self, bundle)

    def check_bundle(
        self, bundle: Mapping[str, Any], *, issuer: str, verification_method: str, digest: str
    ) -> LogVerdict:
        """What a bundle handed in proves about the credential with ``digest``, checked
        offline against the logs trusted here (never raises for a bad bundle)."""
        return bundle_verdict(
            bundle,
            issuer=issuer,
            verification_method=verification_method,
            digest=digest,
            trusted_logs=transparency.trusted_logs(self._session, self._settings),
            policy=self._policy,
            now=self._now,
        )

    def check(self, *, issuer: str, verification_method: str, digest: str) -> LogVerdict | None:
        """The verifier's look-up (:class:`~diploma_exchange.verification.lookups.IssuanceLog`):
        this service's log for its own institutions, a partner's for the partner's."""
        method = verification_method
        now = self._now or datetime.now(UTC)
        if institutions.find_institution_by_did(self._session, issuer) is not None:
            return transparency.local_verdict(
                self._session,
                self._settings,
                issuer=issuer,
                verification_method=method,
                digest=digest,
            )
        partner_log = self._partner_log(issuer)
        if partner_log is None:
            return None
        origin, url = partner_log
        if url is None or self._fetcher is None:
            return LogVerdict(
                LogStatus.INDETERMINATE,
                "log.unavailable",
                f"the issuer's NIC publishes log {origin}, but no bundle came with the "
                "credential and its log cannot be asked from here",
            )
        try:
            data = self._fetcher.get_json(f"{url.rstrip('/')}/v1/bundles/{digest}")
        except DidResolutionError as exc:
            if "HTTP 404" in exc.message:
                return LogVerdict(
                    LogStatus.FAILED,
                    "log.not-included",
                    f"the issuer's NIC log {origin} has no such credential: it was not issued "
                    "through that NIC's service",
                )
            return LogVerdict(
                LogStatus.INDETERMINATE,
                "log.unavailable",
                f"the issuer's NIC log {origin} could not be reached: {exc.message}",
            )
        return bundle_verdict(
            data,
            issuer=issuer,
            verification_method=method,
            digest=digest,
            trusted_logs=[
                t
                for t in transparency.trusted_logs(self._session, self._settings)
                if t.origin == origin
            ],
            policy=self._policy,
            now=now,
        )

    def _partner_log(self, issuer: str) -> tuple[str, str | None] | None:
        """(origin, tiles prefix) of the log of the partner NIC whose current trust list
        vouches for ``issuer``, if that partner's log is witnessed (trusted) here."""
        logs = {
            log.partner_did: log
            for log in transparency.witnessed_logs(self._session)
            if log.partner_did
        }
        if not logs:
            return None
        rows = self._session.exec(
            select(TrustListSnapshotRecord, PartnerNicRecord)
            .join(PartnerNicRecord, col(PartnerNicRecord.id) == TrustListSnapshotRecord.partner_id)
            .where(col(TrustListSnapshotRecord.current).is_(True))
        ).all()
        for snapshot, partner in rows:
            log = logs.get(partner.did)
            if log is None:
                continue
            parsed = _verified_snapshot(snapshot.document, partner)
            if parsed is not None and parsed.entity(issuer) is not None:
                return log.origin, log.url
        return None


class BundleFirst:
    """An :class:`~diploma_exchange.verification.lookups.IssuanceLog` that checks the bundle
    that came with the credential first (offline evidence), then the logs themselves.

    A bundle that proves inclusion, or a logging after the key ended, decides. One that
    proves nothing about this credential (for another diploma, damaged, from a log not
    trusted here) decides nothing: the look-up answers as if there were no bundle (no log
    trusted here covers the issuer: the check does not apply), and only when the look-up
    cannot answer either does the bundle's reason stand (indeterminate).
    So a bundle can never make a credential the log does not have pass, and a stripped or
    swapped bundle never makes an authentic one fail.
    """

    def __init__(self, source: LogEvidenceSource, bundle: Mapping[str, Any]) -> None:
        self._source = source
        self._bundle = bundle

    def check(self, *, issuer: str, verification_method: str, digest: str) -> LogVerdict | None:
        verdict = self._source.check_bundle(
            self._bundle, issuer=issuer, verification_method=verification_method, digest=digest
        )
        if verdict.status is not LogStatus.INDETERMINATE:
            return verdict
        try:
            looked_up = self._source.check(
                issuer=issuer, verification_method=verification_method, digest=digest
            )
        except Error:
            return verdict
        if looked_up is not None and looked_up.status is LogStatus.INDETERMINATE:
            return verdict
        return looked_up


class OfflineBundleLog:
    """An :class:`~diploma_exchange.verification.lookups.IssuanceLog` for a verifier with no
    database: the bundle that came with the credential, checked against logs the operator
    trusts by hand (``verify --log-key``). A bundle proving inclusion passes; one proving a
    logging after the key ended fails; one that proves nothing about this credential (for
    another diploma, damaged, from an untrusted log) is indeterminate with its reason, never
    a pass. Without a bundle the check does not apply (nothing can be asked offline)."""

    def __init__(
        self,
        bundle: Mapping[str, Any] | None,
        trusted_logs: Sequence[TrustedLog],
        *,
        policy: WitnessPolicy | None = None,
        now: datetime | None = None,
    ) -> None:
        self._bundle = bundle
        self._trusted = tuple(trusted_logs)
        self._policy = policy or WitnessPolicy()
        self._now = now

    def check(self, *, issuer: str, verification_method: str, digest: str) -> LogVerdict | None:
        if self._bundle is None:
            return None
        return bundle_verdict(
            self._bundle,
            issuer=issuer,
            verification_method=verification_method,
            digest=digest,
            trusted_logs=self._trusted,
            policy=self._policy,
            now=self._now,
        )


def trusted_log(origin: str, vkey: str) -> TrustedLog:
    """A trusted log from its origin and checkpoint vkey (for verifiers configured by hand)."""
    return TrustedLog(origin, (parse_vkey(vkey, expected_type=ED25519),))


__all__ = ["BundleFirst", "LogEvidenceSource", "OfflineBundleLog", "bundle_verdict", "trusted_log"]
