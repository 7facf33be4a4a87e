"""No route handler runs on the event loop: database and CPU work in an ``async def`` handler
blocks the loop, and once the connection pool is exhausted the loop waits for connections that
only the loop could give back (a worker that stopped answering, found by the HTTP benchmark).
Bodies are read by async dependencies; handlers are plain ``def`` functions in the pool."""

from __future__ import annotations

import asyncio

from fastapi.routing import APIRoute

from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings


def test_every_handler_is_synchronous(settings: Settings) -> None:
    app = create_app(settings)
    coroutines = [
        f"{sorted(route.methods)} {route.path}"
        for route in app.routes
        if isinstance(route, APIRoute) and asyncio.iscoroutinefunction(route.endpoint)
    ]
    assert not coroutines
