"""No route handler runs on the event loop: database and CPU work in an ``async def`` handler
blocks the loop, and once the connection pool is exhausted the loop waits for connections that
only the loop could give back (a worker that stopped answering, found by the HTTP benchmark).
Bodies are read by async dependencies; handlers are plain ``def`` functions in the pool."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi.routing import APIRoute

from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings


def test_every_handler_is_synchronous(settings: Settings) -> None:
    app = create_app(settings)
    try:  # FastAPI >= 0.16x keeps included routers unflattened in app.routes
        from fastapi.routing import iter_route_contexts

        entries: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # pragma: no cover - older FastAPI
        entries = list(app.routes)
    routes = [getattr(e, "original_route", e) for e in entries]
    handlers = [r for r in routes if isinstance(r, APIRoute)]
    assert len(handlers) > 50  # the listing really saw the application's routes
    coroutines = [
        f"{sorted(r.methods)} {r.path}" for r in handlers if asyncio.iscoroutinefunction(r.endpoint)
    ]
    assert not coroutines
