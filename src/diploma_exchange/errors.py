"""One exception tree for the whole package.

No HTTP status codes live here: ``api/problems.py`` maps each family to a status once.
Every error carries a stable ``code`` (part of the public API, used as the problem ``type``
suffix), a human message that says what to fix, and optionally a JSON pointer to where.
Exceptions subclass ``ValueError`` or ``LookupError`` where that is what they are, so that
callers that only know builtins still catch them sensibly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One problem at one place: ``pointer`` is an RFC 6901 JSON pointer into the input."""

    message: str
    pointer: str = ""
    code: str | None = None


class Error(Exception):
    """Base of every error this package raises on purpose."""

    code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        pointer: str | None = None,
        details: Sequence[ErrorDetail] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.pointer = pointer
        self.details: tuple[ErrorDetail, ...] = tuple(details)
        self.extra: dict[str, Any] = dict(extra or {})

    def __str__(self) -> str:
        where = f" (at {self.pointer})" if self.pointer else ""
        return f"{self.message}{where}"


class InvalidInput(Error, ValueError):
    """The caller sent something malformed: bad JSON, wrong shape, out of limits."""

    code = "invalid-input"


class InvalidCredential(InvalidInput):
    """A credential does not conform to the diploma schema or to VC Data Model 2.0."""

    code = "invalid-credential"


class UndefinedTerm(InvalidCredential):
    """A credential uses a JSON-LD term that none of its contexts define."""

    code = "undefined-term"


class LimitExceeded(InvalidInput):
    """Body size, nesting depth, batch size or a similar limit was exceeded."""

    code = "limit-exceeded"


class ProofError(Error, ValueError):
    """A proof could not be created or is structurally unusable (not: a bad signature)."""

    code = "proof-error"


class KeyLoadError(Error, ValueError):
    """Key material could not be decoded, decrypted, or is of the wrong type."""

    code = "key-load-error"


class DidResolutionError(Error, LookupError):
    """A DID or verification method could not be resolved."""

    code = "did-resolution-error"


class UntrustedIssuer(Error):
    """The issuer is not one this service or its trust anchors vouch for."""

    code = "untrusted-issuer"


class NotVerified(Error):
    """A claim about a credential was asked for (a recognition statement), but the credential
    did not verify as ``valid``; ``extra["report"]`` holds the full verification report."""

    code = "diploma-not-verified"


class NotAuthenticated(Error):
    """No or invalid credentials (API key) were presented."""

    code = "not-authenticated"


class Forbidden(Error):
    """Authenticated, but not allowed to do this."""

    code = "forbidden"


class NotFound(Error, LookupError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    code = "not-found"


class Conflict(Error):
    """The request conflicts with the current state (duplicate, idempotency key reuse...)."""

    code = "conflict"


class Gone(Error):
    """The thing existed but is no longer available (an expired or revoked share link)."""

    code = "gone"


class RateLimited(Error):
    """Too many attempts; ``retry_after`` says how many seconds to wait."""

    code = "rate-limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code, extra={"retryAfter": retry_after})
        self.retry_after = retry_after


class ServiceUnavailable(Error):
    """A backing service (database, rate-limit store) is unreachable for now; the request
    changed nothing and can be retried after ``retry_after`` seconds."""

    code = "service-unavailable"

    def __init__(self, message: str, *, retry_after: int = 5, code: str | None = None) -> None:
        super().__init__(message, code=code, extra={"retryAfter": retry_after})
        self.retry_after = retry_after


class ConfigurationError(Error):
    """The service is misconfigured (missing passphrase, default secret in production...)."""

    code = "configuration-error"


__all__ = [
    "ConfigurationError",
    "Conflict",
    "DidResolutionError",
    "Error",
    "ErrorDetail",
    "Forbidden",
    "Gone",
    "InvalidCredential",
    "InvalidInput",
    "KeyLoadError",
    "LimitExceeded",
    "NotAuthenticated",
    "NotFound",
    "ProofError",
    "RateLimited",
    "UndefinedTerm",
    "UntrustedIssuer",
]
