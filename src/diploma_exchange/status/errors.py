"""Errors of the status-list domain: the spec's error codes and two specific exceptions.

Every exception here belongs to a family of :mod:`diploma_exchange.errors`, so the API maps
it without knowing this module. Where Bitstring Status List v1.0 §3.5 "Processing Errors"
(or VC Data Model 2.0 for ``RANGE_ERROR`` and ``MALFORMED_VALUE_ERROR``) names an error, the
exception's ``code`` is that name, as :mod:`diploma_exchange.proofs.eddsa_jcs_2022` does with
``PROOF_GENERATION_ERROR``.
"""

from __future__ import annotations

from enum import StrEnum

from diploma_exchange.errors import Conflict, InvalidInput


class StatusErrorCode(StrEnum):
    """Error codes named by Bitstring Status List v1.0 §3 and VC Data Model 2.0 §7.1."""

    STATUS_RETRIEVAL_ERROR = "STATUS_RETRIEVAL_ERROR"
    STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
    STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"
    RANGE_ERROR = "RANGE_ERROR"
    MALFORMED_VALUE_ERROR = "MALFORMED_VALUE_ERROR"


class StatusRangeError(InvalidInput, IndexError):
    """An index (times ``statusSize``) lies outside the bitstring (the spec's RANGE_ERROR).

    Subclasses :class:`IndexError` too, so that code treating a :class:`Bitstring` like a
    sequence catches it naturally.
    """

    code = StatusErrorCode.RANGE_ERROR.value


class StatusListFull(Conflict):
    """No free index is left in a status list: start a new list."""

    code = "status-list-full"


__all__ = ["StatusErrorCode", "StatusListFull", "StatusRangeError"]
