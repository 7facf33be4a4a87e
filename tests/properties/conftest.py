"""Property tests of tamper evidence and verdict soundness on a one-proof diploma: they
mutate and re-sign its single eddsa-jcs-2022 proof, so the service issues that proof alone here
(``issue_rdfc_proof`` off). The default proof set (with eddsa-rdfc-2022) is covered by
tests/services/test_proof_set_issuance.py and tests/interop."""

from __future__ import annotations

import pytest

from diploma_exchange.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"issue_rdfc_proof": False})
