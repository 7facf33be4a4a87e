"""The exported OpenAPI document in openapi/ must match the code."""

from __future__ import annotations

import json
from pathlib import Path

from diploma_exchange.cli import openapi_document

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_openapi_document_is_in_sync() -> None:
    current = openapi_document()
    assert OPENAPI_FILE.exists(), "run `make openapi` to export openapi/openapi.json"
    committed = json.loads(OPENAPI_FILE.read_text())
    assert committed == current, (
        "openapi/openapi.json is out of date with the code: run `make openapi` and commit it"
    )


def test_openapi_is_3_1_with_stable_operation_ids() -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    operation_ids = [
        op["operationId"]
        for path in document["paths"].values()
        for op in path.values()
        if "operationId" in op
    ]
    assert len(operation_ids) == len(set(operation_ids))
    for required in (
        "issueCredential",
        "verifyCredential",
        "createVerification",
        "issueDiplomaBatch",
        "health",
    ):
        assert required in operation_ids
    assert "/credentials/issue" in document["paths"] and "/credentials/verify" in document["paths"]
