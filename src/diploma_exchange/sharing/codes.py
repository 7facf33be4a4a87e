"""Unguessable tokens, claim codes and PINs, and how they are stored.

Tokens (share links, sessions) carry 256 random bits and claim codes 125: far beyond guessing,
so they are stored as plain SHA-256 digests (a slow hash would only slow the service down) and
compared by digest lookup. PINs are short and guessable offline, so they get a salted, memory-
hard hash (scrypt from the standard library) and are compared in constant time; online
guessing is stopped by attempt limits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from diploma_exchange.errors import InvalidInput

#: Crockford's base32 alphabet: no I, L, O, U, so codes survive being read aloud or retyped.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_READ = {**{c: c for c in _CROCKFORD}, "O": "0", "I": "1", "L": "1"}
CLAIM_CODE_CHARS = 25  # 125 bits
CLAIM_CODE_GROUP = 5
TOKEN_BYTES = 32  # 256 bits

# scrypt parameters: n=2**14, r=8 needs 16 MiB and ~50 ms, OWASP's minimum for scrypt.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 12


def new_token() -> str:
    """A fresh 256-bit URL-safe token (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def derived_token(secret: bytes, purpose: str, ident: str) -> str:
    """A 256-bit URL-safe token that ``secret`` alone can recompute for ``ident``.

    For links printed on paper (the diploma link of a PDF): the service must put the same
    token into every copy it renders, yet stores only the token's digest, like any other.
    HMAC-SHA256 under a key bound to ``purpose``; without ``secret`` the token is as
    unguessable as :func:`new_token`'s.
    """
    key = hmac.new(secret, f"diploma-exchange/{purpose}/v1".encode(), hashlib.sha256).digest()
    mac = hmac.new(key, ident.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def digest(secret: str) -> str:
    """The SHA-256 hex digest under which a token or normalised claim code is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_claim_code() -> str:
    """A fresh claim code: 25 Crockford base32 characters (125 bits) in groups of five."""
    # 125 random bits -> 25 base32 digits (one call to the CSPRNG, not 25).
    number = secrets.randbits(5 * CLAIM_CODE_CHARS)
    raw = "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in range(CLAIM_CODE_CHARS))
    return "-".join(
        raw[i : i + CLAIM_CODE_GROUP] for i in range(0, CLAIM_CODE_CHARS, CLAIM_CODE_GROUP)
    )


def normalize_claim_code(text: str) -> str:
    """The canonical form of a typed claim code (case, spaces and dashes ignored; O->0, I/L->1).

    Raises:
        InvalidInput: not a claim code (code ``claim-code-malformed``).
    """
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    out = []
    for ch in cleaned[: CLAIM_CODE_CHARS + 1]:
        mapped = _CROCKFORD_READ.get(ch)
        if mapped is None:
            raise InvalidInput(
                "a claim code has 25 letters and digits, as printed by your university",
                code="claim-code-malformed",
                pointer="/code",
            )
        out.append(mapped)
    if len(out) != CLAIM_CODE_CHARS:
        raise InvalidInput(
            "a claim code has 25 letters and digits, as printed by your university",
            code="claim-code-malformed",
            pointer="/code",
        )
    return "-".join(
        "".join(out[i : i + CLAIM_CODE_GROUP]) for i in range(0, CLAIM_CODE_CHARS, CLAIM_CODE_GROUP)
    )


def check_pin_format(pin: str) -> str:
    """The PIN if it is 4 to 12 ASCII digits.

    Raises:
        InvalidInput: otherwise (code ``pin-malformed``).
    """
    if not (PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS) or not pin.isascii() or not pin.isdigit():
        raise InvalidInput(
            f"a PIN is {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits",
            code="pin-malformed",
            pointer="/pin",
        )
    return pin


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of a valid PIN: ``scrypt$n$r$p$salt$hash`` (base64)."""
    check_pin_format(pin)
    salt = secrets.token_bytes(16)
    derived = _scrypt(pin, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    b64 = base64.b64encode
    return (
        f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(derived).decode()}"
    )


def verify_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` matches ``stored`` (constant-time comparison; False on any malformed
    input rather than an exception, so a bad PIN and a broken record look the same)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        derived = _scrypt(pin, base64.b64decode(salt), int(n), int(r), int(p))
        return hmac.compare_digest(derived, base64.b64decode(expected))
    except (ValueError, TypeError):
        return False
