"""The verdict is derived from the checks and is never truthy by accident."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from diploma_exchange.verification.report import (
    MANDATORY_CHECKS,
    Check,
    CheckName,
    CheckStatus,
    Verdict,
    VerificationReport,
    decide,
)

NOW = datetime(2026, 7, 1, tzinfo=UTC)


def all_checks(status: CheckStatus = CheckStatus.PASSED) -> list[Check]:
    return [Check(name, status, "x", "x") for name in CheckName if name in MANDATORY_CHECKS]


def test_all_passed_is_valid_and_truthy() -> None:
    report = VerificationReport(tuple(all_checks()), NOW)
    assert report.verdict is Verdict.VALID
    assert bool(report) is True


def test_empty_report_is_never_valid() -> None:
    report = VerificationReport((), NOW)
    assert report.verdict is Verdict.INDETERMINATE
    assert not report


def test_missing_mandatory_check_is_indeterminate() -> None:
    checks = all_checks()[:-1]
    assert decide(checks) is Verdict.INDETERMINATE


@pytest.mark.parametrize("name", sorted(MANDATORY_CHECKS))
def test_any_failure_is_invalid(name: CheckName) -> None:
    checks = [
        Check(c.name, CheckStatus.FAILED if c.name is name else CheckStatus.PASSED, "x", "x")
        for c in all_checks()
    ]
    report = VerificationReport(tuple(checks), NOW)
    assert report.verdict is Verdict.INVALID
    assert not report


@pytest.mark.parametrize("status", [CheckStatus.ERROR, CheckStatus.SKIPPED])
def test_incomplete_check_is_indeterminate(status: CheckStatus) -> None:
    checks = all_checks()
    checks[1] = Check(checks[1].name, status, "x", "x")
    assert decide(checks) is Verdict.INDETERMINATE


def test_failure_beats_error() -> None:
    checks = all_checks()
    checks[0] = Check(checks[0].name, CheckStatus.ERROR, "x", "x")
    checks[1] = Check(checks[1].name, CheckStatus.FAILED, "x", "x")
    assert decide(checks) is Verdict.INVALID


def test_verdict_cannot_be_set_by_hand() -> None:
    with pytest.raises(TypeError):
        VerificationReport((), NOW, verdict=Verdict.VALID)  # type: ignore[call-arg]


def test_skipped_status_checks_do_not_block_valid() -> None:
    checks = [
        *all_checks(),
        Check(CheckName.STATUS_REVOCATION, CheckStatus.SKIPPED, "no-status-entry", "x"),
    ]
    assert decide(checks) is Verdict.VALID


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (CheckStatus.FAILED, Verdict.INVALID),
        (CheckStatus.ERROR, Verdict.INDETERMINATE),
        (CheckStatus.PASSED, Verdict.VALID),
    ],
)
def test_status_check_outcomes(status: CheckStatus, verdict: Verdict) -> None:
    for name in (CheckName.STATUS_REVOCATION, CheckName.STATUS_SUSPENSION, CheckName.STATUS_OTHER):
        assert decide([*all_checks(), Check(name, status, "x", "x")]) is verdict
