#!/usr/bin/env python3
"""Compare ``tests/vectors`` with the workplace's shared copy and optionally update it.

    python tools/sync_vectors.py            # report differences (exit 1 if any)
    python tools/sync_vectors.py --update   # copy new and changed files from the shared copy

The shared copy defaults to ``../shared/vectors`` beside the project (``--source`` to change).
Files only in the repository (none today) are reported, never deleted.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "tests" / "vectors"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "vectors")
    parser.add_argument("--update", action="store_true")
    args = parser.parse_args()
    source: Path = args.source
    if not source.is_dir():
        print(f"no shared vectors at {source}", file=sys.stderr)
        return 2
    differences = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source)
        mine = TARGET / rel
        if mine.exists() and filecmp.cmp(path, mine, shallow=False):
            continue
        differences += 1
        print(("changed " if mine.exists() else "new     ") + str(rel))
        if args.update:
            mine.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, mine)
    for path in sorted(p for p in TARGET.rglob("*") if p.is_file()):
        if not (source / path.relative_to(TARGET)).exists():
            print(f"only here {path.relative_to(TARGET)}")
    if differences and not args.update:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
