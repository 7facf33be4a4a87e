"""What the OpenAPI document says besides the routes: where the API is served, whom to ask,
what each tag groups, which operations need no credentials, and the CORS decision.

Linted with Spectral (``spectral:oas``, ``.spectral.yaml``) by ``tests/api/test_openapi_lint.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from diploma_exchange.config import Settings

#: Every tag an operation uses, with what it groups (the document declares them all).
TAGS: dict[str, str] = {
    "diplomas": "Issue diplomas (one, a JSON batch or a CSV graduating class) and read them "
    "back. Institution API key.",
    "status": "Revoke, suspend and reinstate diplomas; the published Bitstring Status Lists.",
    "verification": "Verify a diploma or presentation in any supported format. Public, "
    "rate-limited per client.",
    "vc-api": "The W3C VC API's issue and verify operations over the same services.",
    "institutions": "Register institutions, their keys and API keys (NIC administration).",
    "dids": "DID documents and key event logs of the NIC and the institutions (did:web).",
    "trust": "Accreditation, the NIC's signed trust list and partner NICs' lists.",
    "recognition": "Recognition assessments of foreign qualifications, signed by the NIC.",
    "transparency": "The issuance transparency log: checkpoints, tiles, proofs (C2SP tlog).",
    "witness": "Cosigning other logs' checkpoints as a witness (C2SP tlog-witness).",
    "audit": "The tamper-evident audit log of every change (NIC administration).",
    "wallets": "Diplomas to and from graduates' wallets: credential offers and issuance to a "
    "wallet, presentation requests and their answers.",
    "meta": "Health, contexts, schemas and service metadata.",
}

#: The decision on cross-origin browser access, stated in the document.
CORS = (
    "**CORS.** No response carries `Access-Control-Allow-Origin`: scripts on other origins "
    "cannot call this API from a browser, including the public verification operations. "
    "Verifiers call it from their servers (or send people to this service's own `/verify` "
    "page); this keeps API keys and the rate limits out of third-party pages."
)


def describe(app: FastAPI, settings: Settings) -> None:
    """Complete ``app``'s OpenAPI document (generated once, then cached by FastAPI)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        complete(document, settings)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any], settings: Settings) -> None:
    base = settings.public_base_url.rstrip("/")
    document["servers"] = [{"url": base, "description": "This deployment"}]
    info = document.setdefault("info", {})
    info["contact"] = {"name": "The operator of this deployment", "url": f"{base}/"}
    if CORS not in info.get("description", ""):
        info["description"] = f"{info.get('description', '').rstrip()}\n\n{CORS}\n"
    used: set[str] = set()
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            used.update(operation.get("tags", []))
            # public: say so (an operation without ``security`` reads as "not stated")
            operation.setdefault("security", [])
            # a route without a docstring is described by its summary (write a docstring!)
            if not operation.get("description") and operation.get("summary"):
                operation["description"] = f"{operation['summary']}."
    # limits the server enforces from its settings (a larger batch is refused with 413)
    schemas = document.get("components", {}).get("schemas", {})
    batch = schemas.get("DiplomaBatchCreate", {}).get("properties", {}).get("diplomas")
    if isinstance(batch, dict):
        batch["maxItems"] = settings.max_batch_size
    unknown = sorted(used - set(TAGS))
    if unknown:
        raise RuntimeError(f"describe these tags in api/openapi_doc.py TAGS: {unknown}")
    document["tags"] = [{"name": name, "description": TAGS[name]} for name in TAGS if name in used]
