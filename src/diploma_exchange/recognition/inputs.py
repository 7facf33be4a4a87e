"""One reading of a hand-described qualification for the API, the CLI and the web form.

The three front ends collect the same facts under different spellings (JSON camelCase, CLI
options, form fields). :func:`qualification_from_fields` takes them as snake_case keys and
returns the :class:`Qualification` the engine assesses, or raises :class:`InvalidInput`
naming the field, so that the same input gives the same outcome everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from diploma_exchange.errors import InvalidInput
from diploma_exchange.recognition.assessment import Qualification
from diploma_exchange.recognition.frameworks import INSTITUTION_TYPES, PURPOSES

FIELDS = (
    "country",
    "qualification_type",
    "achievement_type",
    "isced_level",
    "isced_field",
    "nqf_level",
    "credits",
    "credits_max",
    "credit_system",
    "length_years",
    "award_date",
    "grade",
    "grading_scale",
    "institution_accredited",
    "purpose",
    "institution_type",
    "institution_tier",
    "prior_qualification",
    "completed",
)
_TEXT = re.compile(r"^[\w .:/()+\-]{1,80}$", re.UNICODE)
#: A credit range in one text field: "180-240", "180–240", "180 to 240".
_RANGE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:-|–|—|to)\s*(\d+(?:[.,]\d+)?)\s*$")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def qualification_from_fields(values: Mapping[str, Any]) -> Qualification:
    """A :class:`Qualification` from snake_case ``values`` (missing or empty = unknown).

    Raises :class:`InvalidInput` (pointer ``/qualification/<camelCaseName>``) for an unknown
    key, a purpose or institution type outside the vocabularies, a malformed code, number,
    date or boolean, or a credit range that ends below its start.
    """
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise InvalidInput(
            f"unknown qualification field {unknown[0]!r}",
            pointer=f"/qualification/{_camel(unknown[0])}",
        )
    credits_text = values.get("credits")
    ranged = _RANGE.match(credits_text) if isinstance(credits_text, str) else None
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if name == "credits" and ranged is not None:
            continue
        out[name] = _parse(name, value)
    if ranged is not None:
        # "180-240" (a range in one field: the CLI's --credits, a form's text box)
        if values.get("credits_max") not in (None, ""):
            raise InvalidInput(
                "give the credit range either as credits '180-240' or as credits and "
                "credits_max, not both",
                pointer="/qualification/creditsMax",
            )
        out["credits"] = _parse("credits", ranged.group(1))
        out["credits_max"] = _parse("credits_max", ranged.group(2))
    if out.get("credits_max") is not None:
        if out.get("credits") is None:
            raise InvalidInput(
                "credits_max needs credits (the lower bound)",
                pointer="/qualification/creditsMax",
            )
        if out["credits_max"] < out["credits"]:
            raise InvalidInput(
                "the credit range ends below its start", pointer="/qualification/creditsMax"
            )
    return Qualification(
        country=out.pop("country", None),
        qualification_type=out.pop("qualification_type", None),
        **out,
    )


def purpose_from(value: Any, *, pointer: str = "/purpose") -> str | None:
    """The purpose of recognition (one of :data:`PURPOSES`), None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if value not in PURPOSES:
        raise InvalidInput(f"purpose: one of {', '.join(PURPOSES)}", pointer=pointer)
    return str(value)


def required_field_from(value: Any, *, pointer: str = "/requiredField") -> str | None:
    """The ISCED-F 2013 field the receiving programme or post requires (2-4 digits), None
    when not given: it makes the field a criterion of the assessment."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{2,4}", value.strip()):
        raise InvalidInput("requiredField: an ISCED-F 2013 code of 2-4 digits", pointer=pointer)
    return value.strip()


def _parse(name: str, value: Any) -> Any:
    pointer = f"/qualification/{_camel(name)}"

    def bad(why: str) -> InvalidInput:
        return InvalidInput(f"{name}: {why}", pointer=pointer)

    if name == "country":
        if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
            raise bad("an ISO 3166-1 alpha-2 code, e.g. NL")
        return value.strip().upper()
    if name == "purpose":
        if value not in PURPOSES:
            raise bad(f"one of {', '.join(PURPOSES)}")
        return value
    if name == "institution_type":
        if value not in INSTITUTION_TYPES:
            raise bad(f"one of {', '.join(INSTITUTION_TYPES)}")
        return value
    if name in ("credits", "credits_max", "length_years"):
        number = _number(value)
        if number is None or number < 0 or (name == "length_years" and not 0 < number <= 12):
            raise bad("a non-negative number" if name != "length_years" else "years, 0-12")
        return number
    if name in ("institution_accredited", "completed"):
        flag = _flag(value)
        if flag is None:
            raise bad("true or false")
        return flag
    if name == "award_date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise bad("a date YYYY-MM-DD") from None
    if name == "isced_level":
        if not isinstance(value, str) or not re.fullmatch(r"[5-8]\d{0,2}", value):
            raise bad("an ISCED 2011 level or programme code 5-8xx")
        return value
    if name == "isced_field":
        if not isinstance(value, str) or not re.fullmatch(r"\d{2,4}", value):
            raise bad("an ISCED-F 2013 code of 2-4 digits")
        return value
    if not isinstance(value, str) or not _TEXT.fullmatch(value):
        raise bad("a short code or name (letters, digits, . - / ( ) :)")
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = (
            float(value) if isinstance(value, int | float) else float(str(value).replace(",", "."))
        )
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    return None
