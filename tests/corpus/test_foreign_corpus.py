"""Real credentials of other implementations through the real verifier, offline.

Every ``tests/corpus/foreign/*/manifest.json`` is read (the envelope formats, the Data
Integrity credentials, ...); each item is verified as ``diploma-exchange verify FILE
--offline`` would verify it: :func:`~diploma_exchange.services.verification.for_cli` with
the files stored beside the corpus (DID documents, status lists, documents the credential
names: issuer profiles, JWT VC issuer metadata, token status lists), no database and no
network. The item's expected verdict and check outcomes (``"status:code"``) are asserted.

Manifest (shared by every corpus):

- top level: ``now`` (the moment of verification, ISO 8601), ``policy`` (``default`` or
  ``authenticity``, optionally followed by ``:`` and a comment), ``dids`` (``[{did, file}]``),
  ``status_lists`` (``[{url, file}]``) and ``documents`` (``[{url, file}]``) used by every
  item, ``items``;
- an item: ``id``, ``file``, ``kind``, ``format`` (``{"name": ...}``; for envelope corpora
  the format name the report must give), ``source`` (``repository``, ``path``, ``commit``,
  ``licence``), ``sha256``, optional ``dids`` / ``status_lists`` / ``documents`` (``{key:
  file}``), ``trusted_issuers``, ``seal_anchors`` (PEM files), ``blockcerts_explorers``
  (the ``Settings`` value: chain -> explorer URL, answered from ``documents``), ``policy``, ``now``,
  ``tampered_from``; ``expected``: ``verdict``, ``checks`` (``{name: "status:code"}``),
  ``why``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from diploma_exchange.config import Settings
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.errors import DidResolutionError
from diploma_exchange.services.verification import CliInputs, for_cli
from diploma_exchange.verification.report import select_policy

FOREIGN = Path(__file__).resolve().parent / "foreign"
MANIFESTS = sorted(FOREIGN.glob("*/manifest.json"))
VERDICTS = {"valid", "invalid", "indeterminate"}
STATUSES = {"passed", "failed", "error", "skipped"}


@cache
def manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))  # type: ignore[no-any-return]


def cases() -> list[Any]:
    out = []
    for path in MANIFESTS:
        for item in manifest(path)["items"]:
            out.append(pytest.param(path, item["id"], id=f"{path.parent.name}/{item['id']}"))
    return out


def _item(path: Path, item_id: str) -> dict[str, Any]:
    return next(i for i in manifest(path)["items"] if i["id"] == item_id)


def _entries(value: Any, key: str) -> dict[str, str]:
    """``[{key, file}]`` or ``{key: file}`` as ``{key: file}``."""
    if isinstance(value, dict):
        return dict(value)
    return {entry[key]: entry["file"] for entry in value or []}


def cli_inputs(path: Path, item: dict[str, Any]) -> CliInputs:
    """What ``diploma-exchange verify --offline`` would be given for this item."""
    root = path.parent
    top = manifest(path)
    dids = {**_entries(top.get("dids"), "did"), **_entries(item.get("dids"), "did")}
    lists = {
        **_entries(top.get("status_lists"), "url"),
        **_entries(item.get("status_lists"), "url"),
    }
    documents = {
        **_entries(top.get("documents"), "url"),
        **_entries(item.get("documents"), "url"),
    }
    anchors = [
        certificate
        for file in item.get("seal_anchors", [])
        for certificate in x509.load_pem_x509_certificates((root / file).read_bytes())
    ]
    return CliInputs(
        did_documents=[doc for f in dids.values() if (doc := _did_document(root / f))],
        status_lists=[
            json.loads((root / f).read_text("utf-8"))
            for f in lists.values()
            if (root / f).read_bytes().lstrip()[:1] == b"{"
        ],
        trusted_issuers=list(item.get("trusted_issuers", [])),
        offline=True,
        documents={
            **{url: (root / f).read_bytes() for url, f in lists.items()},
            **{url: (root / f).read_bytes() for url, f in documents.items()},
        },
        seal_anchors=anchors,
    )


def _did_document(path: Path) -> DidDocument | None:
    """A stored DID document; one this code cannot read is left out here (an item that needs
    it then gets the verdict of an unresolvable key) and fails
    :func:`test_support_documents_are_readable` instead, which names it."""
    try:
        return DidDocument.from_json(json.loads(path.read_text("utf-8")))
    except (DidResolutionError, ValueError):
        return None


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.parent.name)
def test_support_documents_are_readable(path: Path) -> None:
    top = manifest(path)
    files = set(_entries(top.get("dids"), "did").values())
    for item in top["items"]:
        files |= set(_entries(item.get("dids"), "did").values())
    unreadable = [f for f in sorted(files) if _did_document(path.parent / f) is None]
    assert not unreadable, f"DID documents this verifier cannot read: {unreadable}"


@pytest.mark.parametrize(("path", "item_id"), cases())
def test_item_gets_its_verdict(path: Path, item_id: str, tmp_path: Path) -> None:
    item = _item(path, item_id)
    top = manifest(path)
    data = (path.parent / item["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == item["sha256"], "the corpus file was changed"
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'none.db'}",
        blockcerts_explorers=item.get("blockcerts_explorers", {}),
    )
    policy = select_policy(str(item.get("policy", top.get("policy", "default"))).split(":")[0])
    now = datetime.fromisoformat(str(item.get("now", top["now"])))
    report = for_cli(settings, cli_inputs(path, item), None).verify(data, policy=policy, now=now)
    expected = item["expected"]
    outcomes: dict[str, str] = {}
    for check in report.checks:
        outcomes.setdefault(check.name.value, f"{check.status.value}:{check.code}")
    for name, outcome in expected["checks"].items():
        assert outcomes.get(name) == outcome, (name, outcomes)
    assert report.verdict.value == expected["verdict"], outcomes
    if report.verdict.value == "invalid":
        # "invalid" is a finding, never a shrug: some check failed and says why.
        assert any(c.status.value == "failed" for c in report.checks), outcomes
    wanted_format = item.get("format", {}).get("report")
    if wanted_format is not None:
        assert report.format is not None and report.format["name"] == wanted_format


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.parent.name)
def test_manifest_is_complete_and_honest(path: Path) -> None:
    """Every file is listed (or a documented support file), every item has provenance and a
    reason, tampered copies point at an original, and the verdicts say something."""
    top = manifest(path)
    root = path.parent
    listed = {item["file"] for item in top["items"]}
    support: set[str] = set()
    for key in ("dids", "status_lists", "documents"):
        support |= set(_entries(top.get(key), "did" if key == "dids" else "url").values())
        for item in top["items"]:
            support |= set(_entries(item.get(key), "did" if key == "dids" else "url").values())
    for item in top["items"]:
        support |= set(item.get("seal_anchors", []))
    files = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name not in ("manifest.json", "README.md", "SOURCES.md")
    }
    assert files - support == listed, "corpus files and manifest items differ"
    ids = [item["id"] for item in top["items"]]
    assert len(ids) == len(set(ids))
    for item in top["items"]:
        source = item["source"]
        assert source["repository"] and source["path"] and source["licence"], item["id"]
        assert len(source["commit"]) == 40, item["id"]
        expected = item["expected"]
        assert expected["verdict"] in VERDICTS and expected["why"], item["id"]
        assert expected["checks"], item["id"]
        for outcome in expected["checks"].values():
            status, _, code = outcome.partition(":")
            assert status in STATUSES and code, (item["id"], outcome)
        if "tampered_from" in item:
            assert item["tampered_from"] in ids
            assert expected["verdict"] != "valid", "a tampered copy is never valid"
        if expected["verdict"] == "invalid":
            failed = [o for o in expected["checks"].values() if o.startswith("failed:")]
            assert failed, f"{item['id']}: an invalid verdict must name the failed check"


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.parent.name)
def test_every_kind_has_a_tampered_copy(path: Path) -> None:
    """Each securing kind of a corpus (format, and the cryptosuites of Data Integrity
    credentials) that has an authentic item also has a tampered copy, which is invalid."""
    items = manifest(path)["items"]

    def kind(item: dict[str, Any]) -> tuple[str, ...]:
        fmt = item.get("format", {})
        return (str(fmt.get("report") or fmt.get("name")), *fmt.get("cryptosuites", []))

    tampered = {kind(i) for i in items if "tampered_from" in i}
    for item in items:
        if "tampered_from" in item or not item["expected"]["checks"].get(
            "proof.signature", ""
        ).startswith("passed"):
            continue
        suites = set(kind(item)[1:])
        assert any(suites <= set(k[1:]) or suites & set(k[1:]) for k in tampered), (
            item["id"],
            "no tampered copy of this kind",
        )
    for item in items:
        if "tampered_from" in item:
            assert item["expected"]["verdict"] == "invalid", item["id"]
