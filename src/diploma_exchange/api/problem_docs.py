"""Problem responses in the OpenAPI document: every operation declares the errors it answers.

What follows from a route's shape is added by the route class
(:class:`~diploma_exchange.api.limits.StrictJsonRoute` calls :func:`derived_statuses`):
400, 429 and 503 everywhere (a malformed request, abuse limits, an unreachable database),
413/415/422 where a body is read, 422 for parameters, 401/403 behind an API key, 404 under a
path parameter. A route declares only what is particular to it, e.g.
``responses=problem_responses(409)``. :func:`document_problems` adds the ``ProblemDetails``
schema the entries refer to.
"""

from __future__ import annotations

import email.message
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, params
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase

from diploma_exchange.api.problems import PROBLEM_MEDIA_TYPE
from diploma_exchange.api.schemas import ProblemDetails

PROBLEM_SCHEMA_REF = "#/components/schemas/ProblemDetails"

#: Every operation can answer these: a malformed request (e.g. NUL in a header or the query
#: string), abuse limits and an unreachable database.
ALWAYS = (400, 429, 503)

DESCRIPTIONS = {
    400: "Bad request: not valid JSON, a duplicate key, or an invalid value",
    401: "Not authenticated: send an API key as `Authorization: Bearer dx_...`",
    403: "Forbidden: this API key may not do this",
    404: "Not found (or not visible to this API key)",
    406: "Not acceptable: none of the media types in `Accept` is served here",
    409: "Conflict with the current state",
    410: "Gone: it expired",
    413: "Content too large: the body, its JSON nesting or a batch is over a limit",
    415: "Unsupported media type: send the body as one of the documented media types",
    422: "Unprocessable content: the request does not match the schema, or a credential is invalid",
    429: "Too many requests: retry after `Retry-After` seconds",
    503: "Service unavailable (e.g. the database cannot be reached): retry after `Retry-After` seconds",
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
    }
}
_RATE_LIMIT = {
    **_RETRY_AFTER,
    "RateLimit-Policy": {
        "description": "On the rate-limited operations (verification, recognition): the "
        "limit that was reached (IETF RateLimit fields draft): "
        '`"<name>";q=<requests>;w=<seconds>`.',
        "schema": {"type": "string", "maxLength": 200},
    },
    "RateLimit": {
        "description": 'What is left of it: `"<name>";r=0;t=<seconds until it resets>`.',
        "schema": {"type": "string", "maxLength": 200},
    },
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}},
    },
    429: _RATE_LIMIT,
    503: _RETRY_AFTER,
}

JSON_MEDIA_TYPE = "application/json"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses`` entries of problem+json answers for the given status codes."""
    return {
        status: {
            "description": DESCRIPTIONS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
            **({"headers": _HEADERS[status]} if status in _HEADERS else {}),
        }
        for status in sorted(set(statuses))
    }


def media_type(content_type: str) -> str:
    """The media type of a Content-Type header value, lowercased, without parameters."""
    message = email.message.Message()
    message["content-type"] = content_type
    return message.get_content_type() if content_type else ""


def is_json(content_type: str) -> bool:
    """Whether a Content-Type is JSON (``application/json`` or ``application/*+json``), as
    FastAPI decides when it parses a body: the strict parser must see every body FastAPI reads."""
    kind = media_type(content_type)
    return kind == JSON_MEDIA_TYPE or (kind.startswith("application/") and kind.endswith("+json"))


def request_media_types(route: APIRoute) -> frozenset[str]:
    """The media types a route documents for its request body (none if it takes no body)."""
    declared = (route.openapi_extra or {}).get("requestBody", {}).get("content")
    if declared:
        return frozenset(declared)
    if route.body_field is None:
        return frozenset()
    if isinstance(route.body_field.field_info, params.Form):
        return frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
    return frozenset({JSON_MEDIA_TYPE})


def _needs_api_key(dependant: Any) -> bool:
    return isinstance(dependant.call, SecurityBase) or any(
        _needs_api_key(d) for d in dependant.dependencies
    )


def _has_parameters(dependant: Any) -> bool:
    return bool(
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
    ) or any(_has_parameters(d) for d in dependant.dependencies)


def derived_statuses(route: APIRoute) -> set[int]:
    """The problem statuses that follow from the route's shape (see the module docstring)."""
    statuses = set(ALWAYS)
    if (route.methods or set()) & BODY_METHODS:
        statuses |= {413, 415, 422}  # 415 also for a Content-Encoding
    if _has_parameters(route.dependant) or route.body_field is not None:
        statuses.add(422)
    if route.param_convertors:
        statuses.add(404)
    if _needs_api_key(route.dependant):
        statuses |= {401, 403}
    return statuses


def declare_derived_problems(route: APIRoute) -> None:
    """Add the derived problem responses to ``route``; what the route declares itself wins,
    except that a declared problem status without content gets the problem+json schema."""
    derived = problem_responses(*derived_statuses(route))
    responses = {status: dict(entry) for status, entry in route.responses.items()}
    for status, entry in derived.items():
        declared = responses.get(status, responses.get(str(status)))
        if declared is None:
            responses[status] = entry
        elif "content" not in declared and "model" not in declared:
            declared["content"] = entry["content"]
    route.responses = responses


def document_problems(app: FastAPI) -> None:
    """Add the ``ProblemDetails`` schema to the app's OpenAPI components (the problem
    responses refer to it; FastAPI only collects the schemas of models it sees)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = generate()
        schema = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(schema.pop("$defs", {}))
        schemas["ProblemDetails"] = schema
        return document

    app.openapi = openapi  # type: ignore[method-assign]
