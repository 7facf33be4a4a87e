"""``validity.period``: is the credential within its validity period, by its own data model?

Which properties hold the period is decided by the *base* context, the first entry of the
secured document's ``@context`` (VC Data Model 2.0 §4.3; 1.1 §4.1): ``validFrom``/``validUntil``
for 2.0 (``https://www.w3.org/ns/credentials/v2``), ``issuanceDate``/``expirationDate`` for 1.1
(``https://www.w3.org/2018/credentials/v1``), where ``issuanceDate`` is required and an
issuance date in the future means "not yet valid". A credential whose signed contexts name both
base contexts has no well-defined period (and no consistent JSON-LD meaning): ``invalid``.
Contexts appended after the signed ones never reach this check (it reads the secured document).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from diploma_exchange.verification.checks.keys import CLOCK_SKEW
from diploma_exchange.verification.dates import parse_datetime, parse_xsd_datetime
from diploma_exchange.verification.report import (
    Check,
    CheckName,
    errored,
    failed,
    passed,
    skipped,
)
from diploma_exchange.verification.state import Examined

CREDENTIALS_V2: Final = "https://www.w3.org/ns/credentials/v2"
CREDENTIALS_V1: Final = "https://www.w3.org/2018/credentials/v1"


def data_model(credential: Mapping[str, Any]) -> str | None:
    """``"2.0"``, ``"1.1"``, ``"mixed"`` (both base contexts) or None (neither first)."""
    context = credential.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if CREDENTIALS_V1 in contexts and CREDENTIALS_V2 in contexts:
        return "mixed"
    first = contexts[0] if contexts else None
    return (
        {CREDENTIALS_V2: "2.0", CREDENTIALS_V1: "1.1"}.get(first)
        if isinstance(first, str)
        else None
    )


def check_period(credential: Mapping[str, Any], now: datetime) -> Check:
    """The period check of one (secured) credential."""
    name = CheckName.VALIDITY_PERIOD
    model = data_model(credential)
    if model == "mixed":
        return failed(
            name,
            "mixed-data-models",
            "the signed @context names both the VC 1.1 and the VC 2.0 base context; the "
            "credential's validity period is not well defined",
        )
    if model is None:
        return errored(
            name,
            "unknown-data-model",
            "the first @context entry is neither the VC 2.0 nor the VC 1.1 base context, so "
            "this verifier does not know which properties hold the validity period",
        )
    from_name, until_name = (
        ("issuanceDate", "expirationDate") if model == "1.1" else ("validFrom", "validUntil")
    )
    raw_from, raw_until = credential.get(from_name), credential.get(until_name)
    if model == "1.1" and raw_from is None:
        return failed(name, "missing-issuance-date", "a VC 1.1 credential must have issuanceDate")
    # VC 2.0 dates are dateTimeStamps (an offset is required, §4.9); VC 1.1 dates are
    # XML Schema dateTimes, where the offset is optional: one without is read as UTC.
    read = parse_datetime if model == "2.0" else parse_xsd_datetime
    valid_from = read(raw_from) if raw_from is not None else None
    valid_until = read(raw_until) if raw_until is not None else None
    if raw_from is not None and valid_from is None:
        return failed(name, "malformed-date", f"{from_name} is not a date-time with a time zone")
    if raw_until is not None and valid_until is None:
        return failed(name, "malformed-date", f"{until_name} is not a date-time with a time zone")
    if valid_from and valid_until and valid_until < valid_from:
        return failed(name, "inverted-period", f"{until_name} is before {from_name}")
    details = {"dataModel": model}
    # The issuing server's clock may run a little ahead of the verifier's: a credential issued
    # "now" elsewhere is not "from the future" (the same allowance as for a proof's created).
    if valid_from and now + CLOCK_SKEW < valid_from:
        if from_name == "issuanceDate":
            return failed(
                name,
                "not-yet-valid",
                f"the credential claims to be issued at {raw_from}, in the future",
                **details,
            )
        return failed(
            name, "not-yet-valid", f"the credential is only valid from {raw_from}", **details
        )
    if valid_until and now > valid_until:
        return failed(name, "expired", f"the credential expired at {raw_until}", **details)
    bounds = [f"{from_name} {raw_from}"] if raw_from else []
    bounds += [f"{until_name} {raw_until}"] if raw_until else []
    described = f" ({', '.join(bounds)})" if bounds else " (it states no bounds)"
    return passed(
        name,
        "within-period",
        f"the credential is within its validity period{described}",
        **details,
    )


def run(examined: Examined) -> Check:
    if examined.secured is None:
        return skipped(
            CheckName.VALIDITY_PERIOD,
            "proof-not-verified",
            "not checked: no proof of the issuer verified, so no date in it is known to be signed",
        )
    return check_period(examined.secured, examined.now)


__all__ = ["CREDENTIALS_V1", "CREDENTIALS_V2", "check_period", "data_model", "run"]
