"""checks/dates.py: the data model decides which properties hold the validity period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from diploma_exchange.verification.checks.dates import check_period, data_model

NOW = datetime(2025, 6, 1, tzinfo=UTC)
V1, V2 = "https://www.w3.org/2018/credentials/v1", "https://www.w3.org/ns/credentials/v2"


def doc(context: list[Any], **fields: str) -> dict[str, Any]:
    return {"@context": context, **fields}


@pytest.mark.parametrize(
    ("credential", "expected"),
    [
        (doc([V2]), ("passed", "within-period")),
        (doc([V2], validUntil="2025-01-01T00:00:00Z"), ("failed", "expired")),
        (doc([V2], validFrom="2026-01-01T00:00:00Z"), ("failed", "not-yet-valid")),
        (doc([V2], validFrom="2025-01-01"), ("failed", "malformed-date")),
        (
            doc([V2], validFrom="2025-03-01T00:00:00Z", validUntil="2025-02-01T00:00:00Z"),
            ("failed", "inverted-period"),
        ),
        # VC 2.0 reads validUntil, never expirationDate (undefined in 2.0)
        (doc([V2], expirationDate="2020-01-01T00:00:00Z"), ("passed", "within-period")),
        (doc([V1], issuanceDate="2024-01-01T00:00:00Z"), ("passed", "within-period")),
        (
            doc([V1], issuanceDate="2024-01-01T00:00:00Z", expirationDate="2025-01-01T00:00:00Z"),
            ("failed", "expired"),
        ),
        (doc([V1]), ("failed", "missing-issuance-date")),
        (doc([V2, V1], validUntil="2030-01-01T00:00:00Z"), ("failed", "mixed-data-models")),
        (doc(["https://example.org/not-a-vc"]), ("error", "unknown-data-model")),
    ],
)
def test_validity_period(credential: dict[str, Any], expected: tuple[str, str]) -> None:
    check = check_period(credential, NOW)
    assert (check.status.value, check.code) == expected


def test_the_base_context_is_the_first() -> None:
    assert data_model(doc([V2, "https://example.org/x"])) == "2.0"
    assert data_model(doc(["https://example.org/x", V2])) is None


def test_a_credential_issued_a_moment_ahead_is_not_from_the_future() -> None:
    just_issued = doc([V2], validFrom="2025-06-01T00:01:00Z")  # one minute ahead of NOW
    assert check_period(just_issued, NOW).code == "within-period"
