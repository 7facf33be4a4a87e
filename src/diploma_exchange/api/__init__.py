"""HTTP API (FastAPI): routers, dependencies, limits, and errors as RFC 9457 problem+json."""
