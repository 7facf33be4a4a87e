"""CSV upload of a graduating class -> one ``DiplomaData`` per row, all or nothing.

The file is UTF-8 (a byte-order mark is accepted), comma-separated with a header row; the
columns are listed in ``CSV_COLUMNS`` and documented in ``docs/schema.md``. Language-map fields
take one column per language, ``<field>_<language tag>`` (``full_name_en``, ``full_name_kk``,
``qualification_name_ru`` ...). The transcript is not part of the CSV.

Every problem of every row is collected (per row: every field problem; the cross-field checks
such as "gpa within the grading scale" run once the row's fields are individually valid); if
there is any, ``InvalidInput`` is raised with one
``ErrorDetail`` per problem (pointer ``/rows/<n>/<column>`` with ``n`` the 1-based data row
number) and nothing is imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from diploma_exchange.credentials.models import DiplomaData, DiplomaDataProblems
from diploma_exchange.errors import ErrorDetail, InvalidInput, LimitExceeded

DEFAULT_MAX_ROWS = 10_000

#: Plain columns (the value is used as is; empty cells mean "not given").
SCALAR_COLUMNS: tuple[str, ...] = (
    "student_id", "student_id_type", "holder_did", "birth_date", "achievement_type",
    "qualification_name", "original_language", "description", "criteria_narrative",
    "field_of_study", "specialization", "programme_code", "programme_id", "isced_f",
    "isced_level", "nqf_level", "nqf_framework", "eqf_level", "length_years", "credits",
    "credit_system", "ects_credits", "credits_earned", "language_of_instruction",
    "mode_of_study", "gpa", "grading_scale", "gpa_pass_mark", "course_grade_scale", "honours",
    "award_date", "study_start", "study_end", "valid_until", "diploma_number",
)  # fmt: skip

#: Language-map fields: columns ``<field>_<tag>``.
LANGUAGE_MAP_FIELDS: tuple[str, ...] = (
    "full_name", "given_name", "family_name", "patronymic_name", "qualification_name",
    "access_requirements", "access_to_further_study", "professional_status", "honours",
)  # fmt: skip

#: Columns a file must have.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "student_id", "full_name_en", "birth_date", "achievement_type", "qualification_name_en",
    "field_of_study", "isced_f", "isced_level", "nqf_level", "length_years", "credits",
    "language_of_instruction", "award_date",
)  # fmt: skip

#: Every column name accepted (``<field>_<tag>`` for the language-map fields).
CSV_COLUMNS: tuple[str, ...] = SCALAR_COLUMNS + tuple(f"{f}_<lang>" for f in LANGUAGE_MAP_FIELDS)

_LIST_COLUMNS = ("language_of_instruction", "course_grade_scale")
_LANG_SUFFIX = re.compile(
    r"^(?P<field>[a-z_]+?)_(?P<tag>[a-z]{2,3}(?:-[a-z0-9]{1,8})*)$", re.IGNORECASE
)


def _column_of(name: str) -> tuple[str, str | None] | None:
    """(field, language) for a header name, or None if unknown."""
    if name in SCALAR_COLUMNS:
        return name, None
    match = _LANG_SUFFIX.match(name)
    if match and match.group("field") in LANGUAGE_MAP_FIELDS:
        return match.group("field"), match.group("tag")
    return None


def _row_payload(
    row: Mapping[str, str], columns: Mapping[str, tuple[str, str | None]]
) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for header, (field, tag) in columns.items():
        value = (row.get(header) or "").strip()
        if not value:
            continue
        if tag is not None:
            payload.setdefault(field, {})[tag] = value
        elif field in _LIST_COLUMNS:
            payload[field] = [part.strip() for part in value.split(";") if part.strip()]
        elif field == "honours":
            payload.setdefault("honours", {})["en"] = value
        elif field == "qualification_name":
            payload.setdefault("_plain_qualification_name", value)
        else:
            payload[field] = value
    plain = payload.pop("_plain_qualification_name", None)
    if plain is not None:
        language = payload.get("original_language")
        names = payload.setdefault("qualification_name", {})
        if language is None:
            payload["_problem"] = (
                "original_language",
                "qualification_name needs original_language (or use qualification_name_<lang>)",
            )
        elif names.get(language, plain) != plain:
            payload["_problem"] = (
                f"qualification_name_{language}",
                (
                    f"qualification_name and qualification_name_{language} differ; give the "
                    "original-language name once"
                ),
            )
        else:
            names[language] = plain
    return payload


def _column_for(loc: tuple[str | int, ...]) -> str:
    """Map a pydantic error location to the CSV column (best effort)."""
    if not loc:
        return ""
    field = str(loc[0])
    if field in LANGUAGE_MAP_FIELDS and len(loc) > 1:
        return f"{field}_{loc[1]}"
    return field


def _row_errors(number: int, exc: ValidationError) -> Iterator[ErrorDetail]:
    for error in exc.errors(include_url=False):
        ctx_error = (error.get("ctx") or {}).get("error")
        if isinstance(ctx_error, DiplomaDataProblems):
            for field, message in ctx_error.problems:
                yield ErrorDetail(f"row {number}: {message}", f"/rows/{number}/{field}")
            continue
        loc = tuple(error["loc"])
        column = _column_for(loc)
        if error["type"] == "missing" and column in LANGUAGE_MAP_FIELDS:
            column = f"{column}_en"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = f"{column} is required; fill it in"
        elif error["type"] == "value_error" and "'en'" in message and len(loc) == 1:
            column = f"{column}_en"
            message = f"{column} is required; fill it in"
        elif error["type"] == "extra_forbidden":
            message = f"unexpected field {column}"
        yield ErrorDetail(
            f"row {number}, column {column or '?'}: {message}",
            f"/rows/{number}/{column}" if column else f"/rows/{number}",
        )


def _columns(reader: csv.DictReader[str]) -> dict[str, tuple[str, str | None]]:
    """The known columns of the header; raises InvalidInput listing every header problem."""
    try:
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise InvalidInput(f"the CSV header cannot be read: {exc}", pointer="/header") from exc
    if not header:
        raise InvalidInput("the CSV file is empty; it needs a header row", pointer="/header")

    problems: list[ErrorDetail] = []
    columns: dict[str, tuple[str, str | None]] = {}
    for name in header:
        clean = name.strip()
        known = _column_of(clean)
        if known is None:
            problems.append(
                ErrorDetail(
                    f"unknown column {clean!r}; see docs/schema.md for the column names",
                    f"/header/{clean.replace('~', '~0').replace('/', '~1')}",
                )
            )
        elif clean in columns:
            problems.append(ErrorDetail(f"column {clean!r} appears twice", f"/header/{clean}"))
        else:
            columns[name] = known
    present = {name.strip() for name in header}
    for required in REQUIRED_COLUMNS:
        if required not in present and not (
            required == "qualification_name_en" and "qualification_name" in present
        ):
            problems.append(ErrorDetail(f"missing required column {required!r}", "/header"))
    if problems:
        raise InvalidInput(
            f"the CSV header has {len(problems)} problem(s); nothing was imported",
            pointer=problems[0].pointer,
            details=problems,
        )
    return columns


def iter_row_payloads(
    stream: Iterable[str], problems: list[ErrorDetail], *, max_rows: int = DEFAULT_MAX_ROWS
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Stream ``(row number, payload)`` for each data row of a CSV graduating class, without
    holding the file in memory. Rows that cannot become a payload add to ``problems``.

    Raises:
        InvalidInput: the header is unusable (every header problem listed).
        LimitExceeded: more than ``max_rows`` data rows.
    """
    reader = csv.DictReader(stream, strict=True)
    columns = _columns(reader)
    try:
        for number, row in enumerate(reader, start=1):
            if number > max_rows:
                raise LimitExceeded(
                    f"the CSV file has more than {max_rows} rows; split it into smaller files",
                    pointer=f"/rows/{number}",
                    extra={"max_rows": max_rows},
                )
            if None in row:
                problems.append(
                    ErrorDetail(
                        f"row {number} has more cells than the header has columns",
                        f"/rows/{number}",
                    )
                )
                continue
            if not any((value or "").strip() for value in row.values()):
                continue  # blank line
            payload = _row_payload(row, columns)
            problem = payload.pop("_problem", None)
            if problem is not None:
                column, message = problem
                problems.append(ErrorDetail(f"row {number}: {message}", f"/rows/{number}/{column}"))
                continue
            yield number, payload
    except csv.Error as exc:
        problems.append(ErrorDetail(f"malformed CSV near line {reader.line_num}: {exc}", "/rows"))


def validate_row(number: int, payload: Mapping[str, Any]) -> DiplomaData | list[ErrorDetail]:
    """The row's DiplomaData, or its problems (pointers ``/rows/<number>/<column>``)."""
    try:
        return DiplomaData.model_validate(payload)
    except ValidationError as exc:
        return list(_row_errors(number, exc))


def _raise_problems(problems: list[ErrorDetail]) -> None:
    if problems:
        raise InvalidInput(
            f"{len(problems)} problem(s) in the CSV file; nothing was imported",
            pointer=problems[0].pointer,
            details=problems,
        )


def parse_graduating_class(text: str, *, max_rows: int = DEFAULT_MAX_ROWS) -> list[DiplomaData]:
    """Parse a CSV graduating class into diploma payloads (all rows or none).

    Raises ``InvalidInput`` with one detail per problem (header and every bad row), and
    ``LimitExceeded`` when the file has more than ``max_rows`` data rows.
    """
    text = text.removeprefix("\ufeff")
    problems: list[ErrorDetail] = []
    diplomas: list[DiplomaData] = []
    for number, payload in iter_row_payloads(
        io.StringIO(text, newline=""), problems, max_rows=max_rows
    ):
        result = validate_row(number, payload)
        if isinstance(result, DiplomaData):
            diplomas.append(result)
        else:
            problems.extend(result)
    _raise_problems(problems)
    if not diplomas:
        raise InvalidInput("the CSV file has no data rows", pointer="/rows")
    return diplomas


def check_graduating_class(stream: Iterable[str], *, max_rows: int, max_problems: int = 500) -> int:
    """Validate a whole CSV graduating class, streaming; the number of diplomas in it.

    Raises:
        InvalidInput: the header, or up to ``max_problems`` problems of the rows.
        LimitExceeded: more than ``max_rows`` data rows.
    """
    problems: list[ErrorDetail] = []
    count = 0
    for number, payload in iter_row_payloads(stream, problems, max_rows=max_rows):
        result = validate_row(number, payload)
        if isinstance(result, DiplomaData):
            count += 1
        else:
            problems.extend(result)
        if len(problems) >= max_problems:
            break
    _raise_problems(problems[:max_problems])
    if not count:
        raise InvalidInput("the CSV file has no data rows", pointer="/rows")
    return count


__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MAX_ROWS",
    "LANGUAGE_MAP_FIELDS",
    "REQUIRED_COLUMNS",
    "SCALAR_COLUMNS",
    "check_graduating_class",
    "iter_row_payloads",
    "parse_graduating_class",
    "validate_row",
]
