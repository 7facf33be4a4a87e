"""``format.schema``: the credential's structure, on the secured document.

A ``DiplomaCredential`` is validated against the shared diploma schema; any other credential (a
foreign Open Badges or plain VC) against the VC Data Model and the Open Badges 3.0 structure, so
that what other W3C issuers send can be verified too.
"""

from __future__ import annotations

from diploma_exchange.credentials.schema import validate_credential
from diploma_exchange.verification.lookups import SchemaValidator
from diploma_exchange.verification.report import Check, CheckName, failed, passed
from diploma_exchange.verification.state import Examined
from diploma_exchange.verification.vcdm import received_credential_problems

DIPLOMA_TYPE = "DiplomaCredential"


def run(examined: Examined, validate: SchemaValidator | None = None) -> Check:
    """Validate what the checks read, without its proofs: the secured document when a proof
    verified (appended, unsigned contexts are not part of it), else the received one (the
    verdict is then not ``valid`` anyway; the result only informs)."""
    # The proofs are the proof checks' business: a proof type or cryptosuite this verifier
    # does not know is "could not check" there, never a schema violation here.
    credential = {k: v for k, v in examined.view.items() if k != "proof"}
    types = credential.get("type")
    is_diploma = isinstance(types, list) and DIPLOMA_TYPE in types
    if validate is None:
        validate = validate_credential if is_diploma else received_credential_problems
    schema = (
        "the diploma schema"
        if validate is validate_credential
        else "the VC Data Model / Open Badges 3.0 structure"
    )
    problems = validate(credential)
    if not problems:
        return passed(CheckName.FORMAT_SCHEMA, "conforms", f"the credential conforms to {schema}")
    first = problems[0]
    where = f" at {first.pointer}" if first.pointer else ""
    return failed(
        CheckName.FORMAT_SCHEMA,
        "schema-violation",
        f"the credential does not conform to {schema} ({len(problems)} problem(s)); "
        f"first{where}: {first.message}",
        problems=[{"pointer": p.pointer, "message": p.message} for p in problems[:50]],
    )


__all__ = ["DIPLOMA_TYPE", "run"]
