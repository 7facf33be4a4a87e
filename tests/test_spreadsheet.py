"""Exported CSV cells never run as spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pytest

from diploma_exchange.spreadsheet import safe_cell, to_csv


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1"],
)
def test_formula_starts_are_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Aigerim Abenova", "Әбенова", "", "1-2", "a=b"])
def test_ordinary_text_is_unchanged(value: str) -> None:
    assert safe_cell(value) == value


def test_csv_round_trip_keeps_commas_quotes_and_newlines() -> None:
    text = to_csv(["name", "note"], [['Doe, "J"', "line1\nline2"], ["=cmd|' /C calc'!A0", None]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["name", "note"],
        ['Doe, "J"', "line1\nline2"],
        ["'=cmd|' /C calc'!A0", ""],
    ]
