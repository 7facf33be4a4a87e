"""Inclusion and consistency proofs from a transparency log of 10**7 entries (issue 17: under
5 ms each).

Run from the repository root::

    .venv/bin/python benchmarks/log_proofs.py [--leaves 10000000] [--backend sqlite|postgres]
        [--samples 2000]

Builds the tree's tiles with the service's own integration (tiles.integrate, in rounds of a
million leaves, as the publisher would), stores them in a fresh database exactly as the
service does (``log_tile``), signs a checkpoint, then times, for random leaves and sizes:

* ``service``: ``services.transparency.inclusion_proof`` / ``consistency_proof`` on a
  session (tile reads from the database + hashing), which is what every API path calls;
* ``http``: ``GET /log/v1/proof/inclusion`` and ``/consistency`` through the ASGI app
  (in-process client, so the figure includes routing, validation and JSON, not a network).

Each proof is checked (RFC 9162 verification against the checkpoint's root) outside the
timed section. Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_bench import fresh_database

RESULTS = Path(__file__).resolve().parent / "results"
ROUND = 1 << 20


def _settings(database_url: str) -> Any:
    from diploma_exchange.config import Settings

    return Settings(
        environment="test",
        database_url=database_url,
        public_base_url="https://bench.example.kz",
        key_passphrase="bench-passphrase",  # type: ignore[arg-type]
        log_checkpoint_interval_seconds=0,
        verify_per_client_per_minute=10_000_000,
        verify_global_per_minute=10_000_000,
    )


def build(database_url: str, leaves: int, console: Console) -> tuple[Any, Any, int, bytes]:
    """The tiles of a tree of ``leaves`` synthetic entries, stored and checkpointed."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from diploma_exchange.db.engine import make_engine, upgrade
    from diploma_exchange.db.models import LogTileRecord, LogTreeRecord, core_table
    from diploma_exchange.services import transparency
    from diploma_exchange.transparency import merkle, tiles

    settings = _settings(database_url)
    engine = make_engine(database_url)
    upgrade(engine)
    store: dict[tuple[int, int], bytes] = {}
    started = time.perf_counter()
    size = 0
    root = merkle.EMPTY_ROOT
    while size < leaves:
        count = min(ROUND, leaves - size)
        hashes = [
            merkle.leaf_hash(hashlib.sha256(i.to_bytes(8, "big")).digest())
            for i in range(size, size + count)
        ]
        grown = tiles.integrate(size, hashes, lambda level, index: store[(level, index)])
        store.update(grown.tiles)
        size, root = grown.size, grown.root
        console.print(f"  {size:,} leaves integrated ({time.perf_counter() - started:.0f} s)")
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rows = [{"level": k[0], "idx": k[1], "hashes": v} for k, v in sorted(store.items())]
    with engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(insert(core_table(LogTileRecord)), rows[start : start + 2000])
    with Session(engine) as session:
        session.add(LogTreeRecord(id=1, size=0, root_sha256=merkle.EMPTY_ROOT.hex()))
        session.commit()
        # The tree row says 0, so the checkpoint must not re-integrate: write it directly.
        from diploma_exchange.db.models import LogCheckpointRecord
        from diploma_exchange.transparency.checkpoint import Checkpoint, sign_checkpoint

        signer = transparency._note_signer(session, settings, "log")
        session.add(
            LogCheckpointRecord(
                size=size,
                root_sha256=root.hex(),
                note=sign_checkpoint(Checkpoint(settings.effective_log_origin, size, root), signer),
            )
        )
        session.execute(
            core_table(LogTreeRecord).update().values(size=size, root_sha256=root.hex())
        )
        session.commit()
    store_seconds = time.perf_counter() - started
    console.print(
        f"  {len(rows):,} tiles ({sum(len(r['hashes']) for r in rows) / 2**20:.0f} MiB) "
        f"built in {build_seconds:.0f} s, stored in {store_seconds:.0f} s"
    )
    return engine, settings, size, root


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "max_ms": ordered[-1] * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


def measure(engine: Any, settings: Any, size: int, root: bytes, samples: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from diploma_exchange.api.app import create_app
    from diploma_exchange.services import transparency
    from diploma_exchange.transparency import merkle

    rng = random.Random(17)
    indexes = [rng.randrange(size) for _ in range(samples)]
    firsts = [rng.randrange(1, size) for _ in range(samples)]
    out: dict[str, Any] = {}

    timings: list[float] = []
    proofs = []
    for index in indexes:
        with Session(engine) as session:  # a fresh session per proof: no warm tile cache
            started = time.perf_counter()
            proofs.append(transparency.inclusion_proof(session, index, size))
            timings.append(time.perf_counter() - started)
    out["service_inclusion"] = _stats(timings)
    leaf = [merkle.leaf_hash(hashlib.sha256(i.to_bytes(8, "big")).digest()) for i in indexes]
    assert all(
        merkle.verify_inclusion(h, i, size, p, root)
        for h, i, p in zip(leaf, indexes, proofs, strict=True)
    )
    out["proof_hashes"] = statistics.fmean(len(p) for p in proofs)

    timings = []
    for first in firsts:
        with Session(engine) as session:
            started = time.perf_counter()
            transparency.consistency_proof(session, first, size)
            timings.append(time.perf_counter() - started)
    out["service_consistency"] = _stats(timings)

    with TestClient(create_app(settings, engine)) as client:
        timings = []
        for index in indexes:
            started = time.perf_counter()
            response = client.get(
                "/log/v1/proof/inclusion", params={"index": index, "treeSize": size}
            )
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(response.text)
        out["http_inclusion"] = _stats(timings)
        check = response.json()["proof"]
        assert merkle.verify_inclusion(
            leaf[-1], indexes[-1], size, [base64.b64decode(h) for h in check], root
        )
        timings = []
        for first in firsts:
            started = time.perf_counter()
            response = client.get(
                "/log/v1/proof/consistency", params={"first": first, "second": size}
            )
            timings.append(time.perf_counter() - started)
        out["http_consistency"] = _stats(timings)
        # The in-process client's own cost per request, for reference: a route that only
        # answers from the database (GET /healthz).
        timings = []
        for _ in range(len(indexes)):
            started = time.perf_counter()
            client.get("/healthz")
            timings.append(time.perf_counter() - started)
        out["http_healthz_reference"] = _stats(timings)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--json-out", type=Path, default=RESULTS / "log_proofs.json")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 120)
    with (
        tempfile.TemporaryDirectory(prefix="dx-log-") as tmp,
        fresh_database(args.backend, Path(tmp)) as url,
    ):
        console.print(f"[bold]{args.backend}[/bold]: building a tree of {args.leaves:,} leaves")
        engine, settings, size, root = build(url, args.leaves, console)
        results = measure(engine, settings, size, root, args.samples)
        engine.dispose()
    results.update({"leaves": size, "backend": args.backend, "samples": args.samples})
    table = Table(title=f"Proofs from a log of {size:,} entries ({args.backend})")
    for column in ("proof", "p50 (ms)", "p99 (ms)", "max (ms)"):
        table.add_column(column, justify="right")
    for name in (
        "service_inclusion",
        "service_consistency",
        "http_inclusion",
        "http_consistency",
        "http_healthz_reference",
    ):
        row = results[name]
        table.add_row(
            name.replace("_", " "),
            f"{row['p50_ms']:.2f}",
            f"{row['p99_ms']:.2f}",
            f"{row['max_ms']:.2f}",
        )
    console.print(table)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, indent=2) + "\n")
    console.print(f"written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
