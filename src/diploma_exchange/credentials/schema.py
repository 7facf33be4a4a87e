"""The diploma JSON Schema (generated from the models, committed) and fast validation.

``generate_json_schema()`` derives the schema from ``DiplomaCredential``; the committed copy
``schemas/diploma-credential-v1.schema.json`` is what verifiers load (a test fails when the two
drift; run ``python -m diploma_exchange.credentials.schema --write``). ``validate_credential``
compiles that schema once and reports every problem with an RFC 6901 pointer and a message
that says what to fix. It also checks the VC 2.0 / Open Badges rules JSON Schema cannot say.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import (  # type: ignore[import-untyped,unused-ignore]
    Draft202012Validator,
    FormatChecker,
)
from jsonschema.exceptions import (  # type: ignore[import-untyped,unused-ignore]
    ValidationError,
    best_match,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from diploma_exchange.credentials.models import DIPLOMA_SCHEMA_ID, DiplomaCredential
from diploma_exchange.errors import ErrorDetail, InvalidCredential

SCHEMA_FILENAME = "diploma-credential-v1.schema.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _DiplomaSchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, adjusted for a published interchange schema.

    * optional fields are "absent or valid", never ``null`` (credentials omit empty fields);
    * no ``default`` values (the builder fills them; received documents must be explicit);
    * no auto-generated per-field titles (noise such as "Iscedfieldcode");
    * language maps are closed: only BCP 47-looking keys.
    """

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        result = super().dict_schema(schema)
        if "patternProperties" in result:
            result["additionalProperties"] = False
        return result


def generate_json_schema() -> dict[str, Any]:
    """Generate the diploma credential JSON Schema (draft 2020-12) from the models."""
    generated = DiplomaCredential.model_json_schema(
        by_alias=True, schema_generator=_DiplomaSchemaGenerator
    )
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": DIPLOMA_SCHEMA_ID,
        "title": "Diploma credential (W3C VC 2.0 + Open Badges 3.0 profile)",
        "description": (
            "A university diploma with Diploma Supplement data, shared by every issuer of the "
            "diploma-exchange network. Generated from diploma_exchange.credentials.models; "
            "see docs/schema.md."
        ),
    }
    schema.update({k: v for k, v in generated.items() if k not in ("title", "description")})
    return schema


def _schema_path() -> Path:
    return Path(str(resources.files(__package__).joinpath("schemas").joinpath(SCHEMA_FILENAME)))


def render_json_schema() -> str:
    """The committed file's exact text for the current generator."""
    return json.dumps(generate_json_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


@cache
def load_json_schema() -> dict[str, Any]:
    """The committed diploma JSON Schema (parsed once)."""
    loaded: dict[str, Any] = json.loads(_schema_path().read_text(encoding="utf-8"))
    return loaded


def json_schema() -> dict[str, Any]:
    """A copy of the committed diploma JSON Schema (what ``credentialSchema`` points at)."""
    return copy.deepcopy(load_json_schema())


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


_FORMATS = FormatChecker(formats=())
_FORMATS.checks("date")(_is_date)
_FORMATS.checks("date-time")(_is_date_time)


@cache
def _validator() -> Draft202012Validator:
    schema = load_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_FORMATS)


@cache
def _fast_validator() -> Any:
    """The same schema compiled by jsonschema-rs (Rust, ~100x faster), with the same format
    checks as the Python validator. It only answers "valid or not"; the Python validator runs
    on invalid documents to produce the actionable messages. A test keeps the two in agreement."""
    return jsonschema_rs.Draft202012Validator(
        load_json_schema(),
        formats={"date": _is_date, "date-time": _is_date_time},
        validate_formats=True,
        offline=True,
    )


def json_pointer(path: Sequence[str | int]) -> str:
    """RFC 6901 pointer for a path (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _example(schema: Mapping[str, Any]) -> str:
    examples = schema.get("examples")
    return f" (for example {examples[0]!r})" if examples else ""


def _shown(instance: object) -> str:
    shown = json.dumps(instance, ensure_ascii=False)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _details(error: ValidationError) -> Iterator[ErrorDetail]:
    """Turn one jsonschema error into actionable details (one per offending property)."""
    path = list(error.absolute_path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    instance = error.instance
    if kind in ("anyOf", "oneOf") and error.context:
        choices = schema.get(kind, [])
        enums = [c["enum"] for c in choices if isinstance(c, Mapping) and "enum" in c]
        if enums and all(list(e.absolute_path) == path for e in error.context):
            yield ErrorDetail(
                f"{_shown(instance)} is not a known value; use one of "
                f"{', '.join(map(str, enums[0]))} or an extension value prefixed with 'ext:'",
                json_pointer(path),
                "enum",
            )
            return
        # Prefer the branch that fits the instance's JSON type, then the deepest problem in it.
        candidates = [
            e
            for e in error.context
            if not (e.validator == "type" and list(e.absolute_path) == path)
        ] or list(error.context)
        depth = max(len(e.absolute_path) for e in candidates)
        deepest = best_match(e for e in candidates if len(e.absolute_path) == depth)
        if deepest is not None:
            yield from _details(deepest)
            return
    if kind == "required" and isinstance(instance, Mapping):
        for name in error.validator_value:
            if name not in instance:
                yield ErrorDetail(
                    f"missing required property '{name}'; add it (see docs/schema.md)",
                    json_pointer([*path, name]),
                    "required",
                )
        return
    if kind == "additionalProperties" and isinstance(instance, Mapping):
        known = set(schema.get("properties", {}))
        patterns = schema.get("patternProperties", {})
        for name in instance:
            if name in known or any(re.search(p, name) for p in patterns):
                continue
            what = (
                f"'{name}' is not a valid language tag; use BCP 47 tags such as 'en', 'kk', 'ru'"
                if patterns
                else f"unknown property '{name}' is not part of the diploma schema here; "
                "remove it or fix its spelling"
            )
            yield ErrorDetail(what, json_pointer([*path, name]), "additional-property")
        return
    where = json_pointer(path)
    shown = _shown(instance)
    if kind == "pattern" or kind == "format":
        message = f"{shown} is not in the expected format{_example(schema)}"
        if kind == "format":
            message = f"{shown} is not a valid {error.validator_value}{_example(schema)}"
    elif kind == "type":
        message = f"{shown} has the wrong type; expected {error.validator_value}"
    elif kind == "const":
        message = f"{shown} must be {json.dumps(error.validator_value)}"
    elif kind == "enum":
        message = f"{shown} must be one of {', '.join(map(str, error.validator_value))}"
    elif kind == "contains":
        wanted = error.validator_value
        if "const" in wanted:
            message = f"must include {json.dumps(wanted['const'])}"
        elif "enum" in wanted:
            message = f"must include one of {', '.join(map(json.dumps, wanted['enum']))}"
        else:
            message = "must include an item matching the schema (see docs/schema.md)"
    elif kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        message = f"{shown} is out of range ({kind} {error.validator_value})"
    elif kind in ("minItems", "minProperties", "minLength"):
        message = f"must not be empty ({kind} {error.validator_value})"
    else:
        message = error.message
    yield ErrorDetail(message, where, kind if isinstance(kind, str) else None)


#: For other vendored schemas (credentials/open_badges.py): the same actionable messages and
#: the same ``date``/``date-time`` format checks as the diploma schema's.
schema_error_details = _details
FORMAT_CHECKER = _FORMATS


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _profile_rules(doc: Mapping[str, Any]) -> Iterator[ErrorDetail]:
    """VC 2.0 / OB 3.0 / profile rules that JSON Schema cannot express cheaply."""
    # VC 2.0 section 4.9: validUntil must not be before validFrom.
    start, end = _parse_time(doc.get("validFrom")), _parse_time(doc.get("validUntil"))
    if start and end and end < start:
        yield ErrorDetail(
            "validUntil is earlier than validFrom; fix one of the dates", "/validUntil", "period"
        )
    subject = doc.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return
    first, last = (
        _parse_time(subject.get("activityStartDate")),
        _parse_time(subject.get("activityEndDate")),
    )
    if first and last and last < first:
        yield ErrorDetail(
            "activityEndDate is earlier than activityStartDate",
            "/credentialSubject/activityEndDate",
            "period",
        )
    achievement = subject.get("achievement")
    if not isinstance(achievement, Mapping):
        return
    credits = achievement.get("credits")
    available = achievement.get("creditsAvailable")
    if (
        isinstance(credits, Mapping)
        and isinstance(available, int | float)
        and credits.get("value") != available
    ):
        yield ErrorDetail(
            "credits.value must equal creditsAvailable",
            "/credentialSubject/achievement/credits/value",
            "credits",
        )
    # OB 3.0: a result's resultDescription is the id of a ResultDescription of the achievement.
    descriptions = {
        d.get("id"): d for d in achievement.get("resultDescription") or () if isinstance(d, Mapping)
    }
    for index, result in enumerate(subject.get("result") or ()):
        if not isinstance(result, Mapping) or "resultDescription" not in result:
            continue
        pointer = f"/credentialSubject/result/{index}"
        described = descriptions.get(result["resultDescription"])
        if described is None:
            yield ErrorDetail(
                "resultDescription does not match the id of any "
                "credentialSubject.achievement.resultDescription",
                pointer + "/resultDescription",
                "result-description",
            )
            continue
        value = result.get("value")
        if isinstance(value, str):
            yield from _check_value(value, described, pointer + "/value")


def _check_value(value: str, described: Mapping[str, Any], pointer: str) -> Iterator[ErrorDetail]:
    allowed = described.get("allowedValue")
    if isinstance(allowed, list) and allowed and value not in allowed:
        yield ErrorDetail(f"{value!r} is not an allowedValue of its result description", pointer)
        return
    try:
        number = Decimal(value)
        low = Decimal(str(described["valueMin"])) if "valueMin" in described else None
        high = Decimal(str(described["valueMax"])) if "valueMax" in described else None
    except (InvalidOperation, TypeError):
        return
    if (low is not None and number < low) or (high is not None and number > high):
        yield ErrorDetail(
            f"{value} is outside valueMin..valueMax of its result description", pointer, "range"
        )


def validate_credential(doc: Mapping[str, Any]) -> list[ErrorDetail]:
    """Check ``doc`` against the diploma JSON Schema and the profile rules.

    Returns every problem found (an empty list means valid); never raises for a bad document.
    """
    if not isinstance(doc, Mapping):
        return [ErrorDetail("a credential must be a JSON object", "", "type")]
    if _fast_validator().is_valid(doc):
        return list(_profile_rules(doc))
    details: list[ErrorDetail] = []
    seen: set[tuple[str, str]] = set()
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors:
        for detail in _details(error):
            if (detail.pointer, detail.message) not in seen:
                seen.add((detail.pointer, detail.message))
                details.append(detail)
    if not details:
        details.extend(_profile_rules(doc))
    return details


def ensure_valid_credential(doc: Mapping[str, Any]) -> None:
    """Raise ``InvalidCredential`` (with all details) unless ``doc`` is a valid diploma."""
    details = validate_credential(doc)
    if details:
        first = details[0]
        raise InvalidCredential(
            f"credential does not conform to the diploma schema ({len(details)} problem(s)); "
            f"first: {first.message}",
            pointer=first.pointer,
            details=details,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m diploma_exchange.credentials.schema [--write|--check]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the committed schema")
    args = parser.parse_args(argv)
    text = render_json_schema()
    path = _schema_path()
    if args.write:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
        return 0
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current != text:
        print(f"{path} is out of date; run python -m diploma_exchange.credentials.schema --write")
        return 1
    print(f"{path} is up to date")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
