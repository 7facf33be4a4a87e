"""More concurrent verifications than the connection pool holds: every request is answered
and the server keeps answering (a regression test for an event loop that deadlocked on an
exhausted pool). On a loaded machine a request may wait longer for a connection than the
pool allows: it is then answered 503 with ``Retry-After`` (load shedding), never left hanging,
never a 500."""

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

    def verify(_: int) -> tuple[int, str | None]:
        response = httpx.post(f"{base}/v1/verifications", json=credential, timeout=90)
        return response.status_code, response.headers.get("retry-after")

    with ThreadPoolExecutor(64) as pool:
        answers = list(pool.map(verify, range(128)))
    assert {code for code, _ in answers} <= {200, 503}, answers
    assert all(retry is not None for code, retry in answers if code == 503), answers
    assert sum(code == 200 for code, _ in answers) >= 64, answers
    assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    after = httpx.post(f"{base}/v1/verifications", json=credential, timeout=30)
    assert after.status_code == 200 and after.json()["verdict"] == "valid"
