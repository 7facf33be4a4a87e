"""`diploma-exchange serve` turns Nagle's algorithm off on every connection (uvicorn does not
with several workers, which cost ~40 ms per keep-alive request)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from uvicorn.protocols.http.h11_impl import H11Protocol

from diploma_exchange.api.serving import NoDelayH11Protocol


class _Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str) -> Any:
        return self.sock if name == "socket" else None


def test_accepted_connections_get_tcp_nodelay(monkeypatch: pytest.MonkeyPatch) -> None:
    handed_on: list[object] = []
    monkeypatch.setattr(H11Protocol, "connection_made", lambda self, t: handed_on.append(t))
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        with client, accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
            protocol = object.__new__(NoDelayH11Protocol)
            transport = _Transport(accepted)
            protocol.connection_made(transport)  # type: ignore[arg-type]
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    assert handed_on == [transport]


def test_serve_uses_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import uvicorn

    from diploma_exchange import cli
    from diploma_exchange.config import get_settings

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: seen.update(k))
    monkeypatch.setenv("DIPLOMA_EXCHANGE_DATABASE_URL", f"sqlite:///{tmp_path}/s.db")
    get_settings.cache_clear()
    try:
        cli.serve(host="127.0.0.1", port=8000, workers=2)
    finally:
        get_settings.cache_clear()
    assert seen["http"] is NoDelayH11Protocol and seen["workers"] == 2
