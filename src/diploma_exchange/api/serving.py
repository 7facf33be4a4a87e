"""Serving details uvicorn gets wrong for us.

With ``--workers N`` uvicorn binds the listening socket itself and hands it to the worker
processes without asyncio knowing it is TCP, so ``TCP_NODELAY`` is never set on accepted
connections (uvicorn issue #3149). Nagle's algorithm then holds each small response until the
client's delayed ACK arrives: about 40 ms per keep-alive request, which the HTTP benchmark
measured as a 6x drop of ``/healthz`` throughput with two workers. This protocol class sets the
option on every connection; it is what ``diploma-exchange serve`` passes as ``http=``.

uvicorn's access log also writes each request's full path, and the paths of share links
(``/s/<token>``) and claim links (``/claim/<code>``) are bearer secrets: anyone who reads the
log could open the diploma or claim it. :data:`LOG_CONFIG` is uvicorn's logging configuration
with :class:`RedactSecretPaths` on the access log.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import socket
from typing import Any, Final

from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Where a path carries a secret: the segment after each of these prefixes (regular
#: expressions) is a share-link token, a claim code, an OpenID4VCI offer's pre-authorized code, the handle that reads an OpenID4VP or
#: VC-API exchange's result (API and pages), or a VC-API exchange's id (whoever holds the
#: exchange URL can answer it). ``test_every_secret_path_parameter_is_redacted`` checks every
#: route of the app against them.
SECRET_PATH_PREFIXES: tuple[str, ...] = (
    r"/s/",
    r"/claim/",
    r"/verify/wallet/lcw/",
    r"/verify/wallet/(?!lcw(?:[/?#]|$))",
    r"/v1/presentation-requests/",
    r"/oid4vci/offers/",
    r"/workflows/[^/?#]+/exchanges/",
)
_SECRET_PATH = re.compile("^(" + "|".join(SECRET_PATH_PREFIXES) + ")[^/?#]+")


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


def redact_path(path: str) -> str:
    """``path`` with its secret segment (:data:`SECRET_PATH_PREFIXES`) replaced by ``<redacted>``."""
    return _SECRET_PATH.sub(r"\1<redacted>", path)


class RedactSecretPaths(logging.Filter):
    """Redacts share-link tokens, claim codes and request handles in uvicorn access-log records.

    uvicorn logs ``'%s - "%s %s HTTP/%s" %d'`` with the path (and query) as third argument.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


#: uvicorn's default logging configuration, with the secret paths of the access log redacted.
LOG_CONFIG: Final[dict[str, Any]] = copy.deepcopy(LOGGING_CONFIG)
LOG_CONFIG.setdefault("filters", {})["redact_secret_paths"] = {"()": RedactSecretPaths}
LOG_CONFIG["handlers"]["access"]["filters"] = ["redact_secret_paths"]
