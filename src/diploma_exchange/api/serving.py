"""Serving details uvicorn gets wrong for us.

With ``--workers N`` uvicorn binds the listening socket itself and hands it to the worker
processes without asyncio knowing it is TCP, so ``TCP_NODELAY`` is never set on accepted
connections (uvicorn issue #3149). Nagle's algorithm then holds each small response until the
client's delayed ACK arrives: about 40 ms per keep-alive request, which the HTTP benchmark
measured as a 6x drop of ``/healthz`` throughput with two workers. This protocol class sets the
option on every connection; it is what ``diploma-exchange serve`` passes as ``http=``.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with ``TCP_NODELAY`` on each accepted connection."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # not a TCP socket after all (or already closed): nothing to do
                pass
        super().connection_made(transport)  # type: ignore[arg-type]
