#!/usr/bin/env python3
"""Rewrite the coverage table in src/diploma_exchange/recognition/data/README.md from the data."""

from __future__ import annotations

from diploma_exchange.recognition.coverage import coverage_table, with_table
from diploma_exchange.recognition.frameworks import DATA_DIR, load_registry


def main() -> None:
    readme = DATA_DIR / "README.md"
    readme.write_text(
        with_table(readme.read_text(encoding="utf-8"), coverage_table(load_registry())),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
