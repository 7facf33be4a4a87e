"""More concurrent verifications than the connection pool holds: every request is answered
and the server keeps answering (a regression test for an event loop that deadlocked on an
exhausted pool)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from e2e.test_served import served  # noqa: F401  (the module-scoped server fixture)
from helpers import diploma_payload


def test_sixty_four_concurrent_verifications_on_one_worker(
    served: tuple[str, str, str, dict[str, str]],  # noqa: F811
) -> None:
    base, _did, api_key, _meta = served
    issued = httpx.post(
        f"{base}/v1/diplomas",
        json=diploma_payload(1),
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=30,
    )
    credential = issued.json()["verifiableCredential"]

    def verify(_: int) -> int:
        return httpx.post(f"{base}/v1/verifications", json=credential, timeout=60).status_code

    with ThreadPoolExecutor(64) as pool:
        codes = list(pool.map(verify, range(128)))
    assert codes == [200] * 128
    assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
