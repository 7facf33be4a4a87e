"""The people who sign a university's diplomas, as its profile names them (rector, dean,
registrar): printed in the signatory block of the PDF diploma and as the certifying officials
of the Diploma Supplement (section 7).

Names and capacities are language maps (``{"kk": ..., "ru": ..., "en": ...}``): an officer
abroad reads the English, a Kazakh employer the Kazakh. Validated strictly, since they are
printed on every diploma: at most :data:`MAX_SIGNATORIES`, known language tags, no control
or invisible characters, bounded lengths.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

#: Signatories printed on one diploma (the block has room for three).
MAX_SIGNATORIES: Final = 3
MAX_TEXT: Final = 120
#: The raw text accepted before spaces are collapsed (then at most MAX_TEXT remain).
MAX_RAW_TEXT: Final = 4 * MAX_TEXT
_Text = Annotated[str, StringConstraints(max_length=MAX_RAW_TEXT)]
LANGUAGE_TAGS: Final = ("kk", "ru", "en")
_INVISIBLE: Final = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def _language_map(value: Mapping[str, str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag, text in value.items():
        if tag not in LANGUAGE_TAGS:
            raise ValueError(f"{what}: language {tag!r} is not one of {', '.join(LANGUAGE_TAGS)}")
        clean = " ".join(text.split())
        if not clean:
            raise ValueError(f"{what} in {tag!r} is empty")
        if len(clean) > MAX_TEXT:
            raise ValueError(f"{what} in {tag!r} is longer than {MAX_TEXT} characters")
        if any(unicodedata.category(char) in _INVISIBLE for char in clean):
            raise ValueError(f"{what} in {tag!r} contains control or invisible characters")
        out[tag] = clean
    if "en" not in out:
        raise ValueError(f"{what} needs at least its English form ('en')")
    return out


class Signatory(BaseModel):
    """One signing official: a name and a capacity (title), each per language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: dict[str, _Text] = Field(
        description="The official's name per language (kk, ru, en; en required), at most "
        f"{MAX_TEXT} characters once spaces are collapsed.",
        max_length=len(LANGUAGE_TAGS),
        json_schema_extra={"propertyNames": {"enum": list(LANGUAGE_TAGS)}, "required": ["en"]},
        examples=[
            {"kk": "Жансейіт Туймебаев", "ru": "Жансеит Туймебаев", "en": "Zhanseit Tuimebayev"}
        ],
    )
    title: dict[str, _Text] = Field(
        description="The official's capacity per language (kk, ru, en; en required), at most "
        f"{MAX_TEXT} characters once spaces are collapsed.",
        max_length=len(LANGUAGE_TAGS),
        json_schema_extra={"propertyNames": {"enum": list(LANGUAGE_TAGS)}, "required": ["en"]},
        examples=[{"kk": "Ректор", "ru": "Ректор", "en": "Rector"}],
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: dict[str, str]) -> dict[str, str]:
        return _language_map(value, "name")

    @field_validator("title")
    @classmethod
    def _title(cls, value: dict[str, str]) -> dict[str, str]:
        return _language_map(value, "title")


Signatories = Annotated[list[Signatory], Field(max_length=MAX_SIGNATORIES)]


def parse_signatories(value: Any) -> tuple[Signatory, ...]:
    """Signatories from stored JSON; anything unreadable is left out (never raises)."""
    if not isinstance(value, list):
        return ()
    out: list[Signatory] = []
    for item in value[:MAX_SIGNATORIES]:
        try:
            out.append(Signatory.model_validate(item))
        except ValueError:
            continue
    return tuple(out)


__all__ = ["MAX_SIGNATORIES", "Signatories", "Signatory", "parse_signatories"]
