"""OAuth 2.0 style errors of the wallet protocols.

OpenID4VCI 1.0 prescribes the error format of its endpoints: RFC 6749 §5.2 at the token
endpoint, RFC 6750 §3 for a missing or bad access token at the credential endpoint, and its
own codes (§8.3.1.2: ``invalid_proof``, ``invalid_nonce``, ...) for a bad credential request.
These endpoints therefore answer ``{"error": ..., "error_description": ...}`` rather than
problem+json; every other error of this service stays problem+json.
"""

from __future__ import annotations

import re


class OAuthError(Exception):
    """An error a wallet-protocol endpoint answers in the OAuth format.

    ``status`` is the HTTP status; ``bearer`` marks an RFC 6750 error that goes into the
    ``WWW-Authenticate`` header as well.
    """

    def __init__(
        self, error: str, description: str, *, status: int = 400, bearer: bool = False
    ) -> None:
        super().__init__(description)
        self.error = error
        # RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E only.
        self.description = re.sub(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]", "?", description)[:300]
        self.status = status
        self.bearer = bearer

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}

    def www_authenticate(self) -> str | None:
        if not self.bearer:
            return None
        return f'Bearer error="{self.error}", error_description="{self.description}"'
