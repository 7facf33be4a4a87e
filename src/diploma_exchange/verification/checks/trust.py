"""``issuer.trust``: who vouches for the issuer? (This NIC's registry, a partner NIC's signed
trust list, or the operator with ``--trust-issuer``.)"""

from __future__ import annotations

from diploma_exchange.verification.lookups import TrustPolicy
from diploma_exchange.verification.report import Check, CheckName, errored, failed, passed, skipped
from diploma_exchange.verification.state import Examined


def run(examined: Examined, trust: TrustPolicy) -> Check:
    """Ask the trust policy; sets ``examined.trust``."""
    name = CheckName.ISSUER_TRUST
    if examined.secured is None:
        return skipped(name, "proof-not-verified", "not checked: no proof of the issuer verified")
    if examined.issuer is None:
        return failed(name, "missing-issuer", "the credential names no issuer")
    decision = trust.evaluate(examined.issuer, examined.secured)
    examined.trust = decision
    details = {"source": decision.source} if decision.source else {}
    if decision.trusted is True:
        return passed(name, decision.code, decision.message, **details)
    if decision.trusted is False:
        return failed(name, decision.code, decision.message, **details)
    return errored(name, decision.code, decision.message, **details)


__all__ = ["run"]
