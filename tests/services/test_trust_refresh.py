"""Refreshing a partner's trust list from its URL goes through the safe fetcher."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from diploma_exchange.dids.remote import SafeFetcher
from diploma_exchange.errors import DidResolutionError
from diploma_exchange.services import trust


def test_refresh_fetches_verifies_and_records_provenance(engine: Any, settings: Any) -> None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "trust_api_tests", Path(__file__).parents[1] / "api" / "test_trust.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    partner = module.Partner()
    document = partner.trust_list()
    served: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        served.append(str(request.url))
        return httpx.Response(200, json=document)

    fetcher = SafeFetcher(
        transport=httpx.MockTransport(handler), resolve_host=lambda host: ["93.184.216.34"]
    )
    with Session(engine, expire_on_commit=False) as s:
        record = trust.add_partner(
            s,
            did=partner.nic_did,
            name="Partner NIC",
            country_code="UZ",
            public_key_multibase=partner.nic_multibase,
            trust_list_url="https://nic.partner.example/trust-list",
        )
        snapshot = trust.refresh_trust_list(s, record, fetcher)
        s.commit()
        assert served == ["https://nic.partner.example/trust-list"]
        assert snapshot.fetched_from == "https://nic.partner.example/trust-list"
        assert snapshot.sequence_number == 5
        assert json.loads(snapshot.document) == document

        # the same partner URL resolving to a private address is refused before any request
        private = SafeFetcher(
            transport=httpx.MockTransport(handler), resolve_host=lambda host: ["10.0.0.7"]
        )
        with pytest.raises(DidResolutionError):
            trust.refresh_trust_list(s, record, private)
        assert len(served) == 1
