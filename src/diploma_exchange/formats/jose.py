"""JWS signature verification through ``joserfc`` (RFC 7515, RFC 7797 for JAdES).

Only asymmetric algorithms are accepted (never ``none`` or an HMAC: a verifier holds no
shared secret with an issuer). ``crit`` header parameters that are not understood make
the signature fail to verify, as RFC 7515 §4.1.11 requires.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, Final

from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError, SecurityWarning
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

from diploma_exchange.formats.keys import JoseKey
from diploma_exchange.verification.report import Check, CheckName, errored, failed, passed

#: Asymmetric JWS algorithms (RFC 7518 §3, RFC 8037, RFC 8812).
ALGORITHMS: Final = (
    "ES256",
    "ES384",
    "ES512",
    "ES256K",
    "EdDSA",
    "Ed25519",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
)

#: Header parameters of the formats handled here, so that joserfc accepts them under
#: ``crit``: JAdES (ETSI TS 119 182-1 §5.1/§5.2: sigT, sigD, etsiU, x5t#S256...).
_EXTRA_HEADERS: Final = {
    "sigT": HeaderParameter("JAdES claimed signing time", "str"),
    "x5t#S256": HeaderParameter("X.509 certificate SHA-256 thumbprint", "str"),
    "etsiU": HeaderParameter("JAdES unsigned properties", "list[str]"),
    "srCms": HeaderParameter("JAdES commitment", lambda value: None),
    "sigX5ts": HeaderParameter("JAdES signing certificates", lambda value: None),
    "sigPl": HeaderParameter("JAdES signature production place", lambda value: None),
    "srAts": HeaderParameter("JAdES signer attributes", lambda value: None),
    "adoTst": HeaderParameter("JAdES data time-stamp", lambda value: None),
    "sigPId": HeaderParameter("JAdES signature policy", lambda value: None),
}


def registry(max_payload: int = 2 * 1024 * 1024) -> JWSRegistry:
    """A joserfc registry with this module's algorithms and limits (JAdES headers carry
    whole certificate chains, so the header limit is raised with the payload's)."""
    reg = JWSRegistry(header_registry=dict(_EXTRA_HEADERS), algorithms=list(ALGORITHMS))
    reg.max_payload_length = max_payload
    reg.max_header_length = 256 * 1024
    reg.max_signature_length = 16 * 1024
    return reg


def _alg_error(header: Mapping[str, Any]) -> Check | None:
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        return failed(
            CheckName.PROOF_SIGNATURE,
            "unsupported-algorithm"
            if alg not in ("none", "HS256", "HS384", "HS512")
            else "insecure-algorithm",
            f"the JWS algorithm {alg!r} is not accepted (asymmetric algorithms only: "
            f"{', '.join(ALGORITHMS)})",
        )
    return None


def verify_compact_signature(
    text: str, header: Mapping[str, Any], key: JoseKey, *, what: str
) -> Check:
    """``proof.signature`` of a compact JWS with ``key``."""
    sig = CheckName.PROOF_SIGNATURE
    bad_alg = _alg_error(header)
    if bad_alg is not None:
        if bad_alg.code == "unsupported-algorithm":
            return errored(sig, bad_alg.code, bad_alg.message)
        return bad_alg
    try:
        with warnings.catch_warnings():
            # joserfc flags "EdDSA" as deprecated by RFC 9864 in favour of "Ed25519"; the
            # issuers of the credentials verified here still write "EdDSA", a valid JWS alg.
            warnings.simplefilter("ignore", SecurityWarning)
            jws.deserialize_compact(text, key, algorithms=list(ALGORITHMS), registry=registry())
    except BadSignatureError:
        return failed(sig, "bad-signature", f"the {what} signature does not verify")
    except JoseError as exc:
        return failed(
            sig, "malformed-jws", f"the {what} cannot be verified: {exc.description or exc.error}"
        )
    except (ValueError, TypeError) as exc:
        return failed(sig, "bad-signature", f"the {what} signature cannot be checked: {exc}")
    return passed(sig, "verified", f"the {what} signature ({header.get('alg')}) is valid")


def verify_json_signature(
    document: Mapping[str, Any], key: JoseKey, *, what: str
) -> tuple[Check, bytes | None]:
    """``proof.signature`` of a JWS in JSON serialization (general or flattened, RFC 7515
    §7.2; RFC 7797 unencoded payloads), and the payload it covers."""
    sig = CheckName.PROOF_SIGNATURE
    try:
        # joserfc types the two JSON serializations as TypedDicts; the document was parsed
        # as JSON and is checked by joserfc itself.
        serialized: Any = dict(document)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            result = jws.deserialize_json(serialized, key, registry=registry())
    except BadSignatureError:
        return failed(sig, "bad-signature", f"the {what} signature does not verify"), None
    except JoseError as exc:
        return (
            failed(
                sig,
                "malformed-jws",
                f"the {what} cannot be verified: {exc.description or exc.error}",
            ),
            None,
        )
    except (ValueError, TypeError, KeyError) as exc:
        return failed(sig, "malformed-jws", f"the {what} cannot be read: {exc}"), None
    return passed(sig, "verified", f"the {what} signature is valid"), bytes(result.payload)


__all__ = ["ALGORITHMS", "registry", "verify_compact_signature", "verify_json_signature"]
