"""Errors of the recognition domain (frameworks data and look-ups)."""

from __future__ import annotations

from diploma_exchange.errors import Error, ErrorDetail, NotFound


class FrameworkDataError(Error, ValueError):
    """The packaged frameworks data is malformed or has a dangling reference.

    ``details`` lists every problem found, each with the file and JSON pointer.
    """

    code = "framework-data-invalid"


class UnknownReference(NotFound):
    """A country, qualification type, code or scale is not in the frameworks registry."""

    code = "recognition-unknown-reference"


__all__ = ["ErrorDetail", "FrameworkDataError", "UnknownReference"]
