"""Write requirements-runtime.lock: the part of requirements.lock that running the service needs.

``make run`` installs only this (no test tools, browsers or linters); ``make test`` installs the
whole requirements.lock. Both are pinned with hashes and installed with ``--require-hashes``.
The runtime set is the closure of ``[project].dependencies`` over the lock's ``# via`` lines
(a package is needed when a needed package depends on it), so the two locks always pin the
same versions and the same hashes. ``make lock`` runs this after pip-compile;
``python tools/runtime_lock.py --check`` fails when the file is out of date (CI runs it).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "requirements.lock"
RUNTIME = ROOT / "requirements-runtime.lock"
HEADER = (
    "#\n"
    "# The runtime part of requirements.lock (what `make run` installs), written by\n"
    "# tools/runtime_lock.py from requirements.lock and pyproject.toml: do not edit.\n"
    "#\n"
)


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    if match is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _blocks(text: str) -> dict[str, tuple[str, set[str]]]:
    """Each pinned package: (its block of lines, the packages it is required via)."""
    blocks: dict[str, tuple[str, set[str]]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if re.match(r"^[A-Za-z0-9]", line):
            current = [line]
            blocks[_name(line.split("==")[0])] = ("", set())
        elif current and line.startswith(("    ", "\t")):
            current.append(line)
        else:
            current = []
            continue
        name = _name(current[0].split("==")[0])
        via = set(blocks[name][1])
        comment = line.strip().removeprefix("#").strip()
        if line.strip().startswith("#"):
            comment = comment.removeprefix("via").strip()
            if comment:
                via.add(comment)
        blocks[name] = ("\n".join(current), via)
    return blocks


def runtime_lock() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = {_name(dep) for dep in project["dependencies"]}
    blocks = _blocks(FULL.read_text(encoding="utf-8"))
    reverse = {
        name: {_name(v) for v in via if not v.startswith("diploma-exchange")}
        for name, (_, via) in blocks.items()
    }
    changed = True
    while changed:
        changed = False
        for name, parents in reverse.items():
            if name not in needed and parents & needed:
                needed.add(name)
                changed = True
    missing = sorted(n for n in needed if n not in blocks)
    if missing:
        raise SystemExit(f"requirements.lock does not pin {', '.join(missing)}: run `make lock`")
    return HEADER + "".join(blocks[name][0] + "\n" for name in sorted(needed))


def main() -> int:
    text = runtime_lock()
    if "--check" in sys.argv[1:]:
        if not RUNTIME.exists() or RUNTIME.read_text(encoding="utf-8") != text:
            print("requirements-runtime.lock is out of date: run `python tools/runtime_lock.py`")
            return 1
        return 0
    RUNTIME.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
