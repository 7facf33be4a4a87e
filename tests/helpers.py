"""Small helpers shared by tests (JSON pointers on plain dicts, sample payloads)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from diploma_exchange.credentials import sample_diploma_data


def diploma_payload(i: int = 0) -> dict[str, Any]:
    """The JSON body a university sends to POST /v1/diplomas."""
    return sample_diploma_data(i).model_dump(mode="json", by_alias=True, exclude_none=True)


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def get_at(doc: Any, pointer: str) -> Any:
    for part in _parts(pointer):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def set_at(doc: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``doc`` with the value at ``pointer`` replaced."""
    out = copy.deepcopy(doc)
    parts = _parts(pointer)
    target: Any = out
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return out


def tamper(value: Any) -> Any:
    """A different value of the same JSON type."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x" if not value.endswith("x") else value[:-1]
    if isinstance(value, list):
        return [*value, value[0]] if value else ["x"]
    if isinstance(value, dict):
        return {**value, "tampered": True}
    raise TypeError(value)


TESTS_DIR = Path(__file__).resolve().parent


def load_scenarios(relative: str) -> list[dict[str, Any]]:
    """Named scenario files under tests/ (e.g. credentials/scenarios/schema_errors.json)."""
    loaded: list[dict[str, Any]] = json.loads((TESTS_DIR / relative).read_text(encoding="utf-8"))
    return loaded


def apply_scenario(doc: dict[str, Any], scenario: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``doc`` with the scenario's ``delete`` or ``set``/``value`` applied."""
    out = copy.deepcopy(doc)
    pointer = scenario.get("delete") or scenario["set"]
    *parents, last = _parts(pointer)
    target: Any = out
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if "delete" in scenario:
        del target[last]
    else:
        target[last] = scenario["value"]
    return out


class ExplodingSigner:
    """Wraps a signer: signs ``ok`` times, then fails as a crash or a lost HSM would."""

    def __init__(self, inner: Any, ok: int) -> None:
        self._inner, self._left = inner, ok
        self.verification_method = inner.verification_method
        self.signed = 0

    def sign(self, data: bytes) -> bytes:
        if self._left == 0:
            raise RuntimeError("signer died")
        self._left -= 1
        self.signed += 1
        return bytes(self._inner.sign(data))
