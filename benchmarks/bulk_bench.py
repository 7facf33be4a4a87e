"""A national graduating year: 150,000 diplomas from one CSV file into SQLite and PostgreSQL.

Run from the repository root::

    .venv/bin/python benchmarks/bulk_bench.py [--count 150000] [--backend sqlite|postgres|both]

For each backend, in the same run:

* **ours**: ``diploma-exchange``'s bulk path end to end (validate the whole file, then
  build, check, sign on every core, reserve status indexes, store, mint claim codes, commit
  per chunk), in a fresh database, in a child process so that its peak memory (and its
  signing workers') can be read from ``getrusage``;
* **baseline**: bare Ed25519 signing of as many 32-byte digests (one core, the physical
  operation) plus a bulk insert of as many rows of the same size into the same table shape
  (one executemany per 2,000 rows, one transaction per chunk), in a fresh database.

The ratio ours / baseline is the figure the issue's target (<= 2x) is about. Timings are
reported, never asserted.

``--log-cost`` measures the issuance transparency log (issue 17, target <= +10 %): "ours"
runs twice per backend in the same run, once with the log's appends switched off in the
child and once as shipped, plus the first checkpoint after it (integrating every leaf into
the tiles and signing), so the figure is the log's whole cost.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_bench import fresh_database

RESULTS = Path(__file__).resolve().parent / "results"


def _settings(database_url: str, rdfc: str = "on") -> Any:
    from diploma_exchange.config import Settings

    return Settings(
        environment="test",
        database_url=database_url,
        public_base_url="https://bench.example.kz",
        key_passphrase="bench-passphrase",  # type: ignore[arg-type]
        issue_rdfc_proof=rdfc == "on",
    )


def _cpu_seconds(engine: Any) -> dict[str, float]:
    """CPU seconds (user + system) so far of this process, of its reaped children (the
    signing workers, once the pool is shut down) and of the database server processes
    serving this database (PostgreSQL on this machine; 0 for SQLite, which runs in-process).
    On a shared machine these say where the work went when wall time does not."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = 0.0
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with engine.connect() as conn:
            pids = conn.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            ).scalars()
            for pid in pids:
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:  # not on this machine, or gone
                    continue
                server += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return {
        "main": own.ru_utime + own.ru_stime,
        "workers": children.ru_utime + children.ru_stime,
        "database": server,
    }


def _subdir(tmp: Path, name: str) -> Path:
    path = tmp / name
    path.mkdir(exist_ok=True)
    return path


def _peak_mb() -> dict[str, float]:
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child started from a big
    # parent would report the parent's size. The workers' figure is ru_maxrss of children
    # (spawned from this small process, and their own peak is above what they inherit).
    self_kb = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            self_kb = int(line.split()[1])
    if not self_kb:
        self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"main_mb": self_kb / 1024, "largest_worker_mb": children_kb / 1024}


def child_ours(
    database_url: str, csv_path: Path, workers: int | None, log: str = "on", rdfc: str = "on"
) -> dict[str, Any]:
    """Runs in a child process: the bulk issuance end to end (``log`` "off": without the
    transparency log's appends, for ``--log-cost``; ``rdfc`` "off": diplomas with the
    eddsa-jcs-2022 proof alone, setting ``issue_rdfc_proof``)."""
    from sqlmodel import Session

    from diploma_exchange.db.engine import make_engine, upgrade
    from diploma_exchange.services import bulk, institutions, transparency, trust
    from diploma_exchange.trust.accreditation import Scope

    if log == "off":
        transparency.log_issued = lambda *args, **kwargs: None  # type: ignore[assignment]

    settings = _settings(database_url, rdfc)
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        record, _ = institutions.register_institution(
            session, settings, slug="bench-university", name="Bench University"
        )
        institutions.register_institution(
            session, settings, slug="nic", name="Bench NIC", kind="nic"
        )
        trust.accredit(
            session,
            settings,
            record,
            scope=Scope(isced_levels=("6", "7", "8")),
            accrediting_body="bench",
            valid_from=datetime(2016, 1, 1, tzinfo=UTC),
        )
        session.commit()
    started = time.perf_counter()
    result = bulk.issue_csv_file(engine, settings, "bench-university", csv_path, workers=workers)
    issue_seconds = time.perf_counter() - started
    checkpoint_seconds = 0.0
    if log == "on":
        mark = time.perf_counter()
        with Session(engine) as session:
            record = transparency.publish_checkpoint(session, settings)
            session.commit()
            size = record.size
        checkpoint_seconds = time.perf_counter() - mark
        if size < result.issued:
            raise RuntimeError(f"the checkpoint covers {size} of {result.issued} diplomas")
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds(engine)
    engine.dispose()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "phases": result.phases,
        "load_average": list(os.getloadavg()),
        "issue_seconds": issue_seconds,
        "checkpoint_seconds": checkpoint_seconds,
        "validate_seconds": result.validate_seconds,
        "issued": result.issued,
        "workers": result.workers,
        "chunks": result.chunks,
        **_peak_mb(),
    }


def child_baseline(database_url: str, count: int, row_bytes: int) -> dict[str, Any]:
    """Runs in a child process: bare signing, then a bulk insert of same-sized rows."""
    from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, insert

    from diploma_exchange.db.engine import make_engine

    key = Ed25519PrivateKey.generate()
    digests = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(count)]
    started = time.perf_counter()
    for digest in digests:
        key.sign(digest)
    sign_seconds = time.perf_counter() - started

    engine = make_engine(database_url)
    metadata = MetaData()
    table = Table(
        "credential_baseline",
        metadata,
        Column("id", String(255), primary_key=True),
        Column("document", Text, nullable=False),
        Column("document_sha256", String(64), nullable=False),
        Column("issued_at", DateTime(timezone=True), nullable=False),
    )
    metadata.create_all(engine)
    filler = "x" * row_bytes
    now = datetime.now(UTC)
    started = time.perf_counter()
    for start in range(0, count, 2000):
        rows = [
            {
                "id": f"urn:uuid:{uuid.uuid4()}",
                "document": filler,
                "document_sha256": "0" * 64,
                "issued_at": now,
            }
            for _ in range(min(2000, count - start))
        ]
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
    insert_seconds = time.perf_counter() - started
    cpu = _cpu_seconds(engine)
    engine.dispose()
    return {
        "sign_seconds": sign_seconds,
        "insert_seconds": insert_seconds,
        "cpu_seconds": cpu,
        **_peak_mb(),
    }


def _in_child(function: str, *args: str) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", function, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{function} failed:\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def run_bulk_benchmark(
    count: int,
    backends: Sequence[str],
    workers: int | None,
    console: Console,
    log_cost: bool = False,
    rdfc: Sequence[str] = ("on",),
) -> dict[str, Any]:
    from diploma_exchange.credentials.samples import (
        sample_diploma_credential,
        write_sample_class_csv,
    )

    out: dict[str, Any] = {"count": count, "backends": {}, "load_average_at_start": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="dx-bulk-") as tmp_name:
        tmp = Path(tmp_name)
        with console.status(f"writing a CSV of {count:,} diplomas ..."):
            started = time.perf_counter()
            csv_path = write_sample_class_csv(tmp / "class.csv", count)
            out["csv_seconds"] = time.perf_counter() - started
            out["csv_bytes"] = csv_path.stat().st_size
        # The stored rows of the CSV path carry no transcript: size the baseline rows alike.
        sample = dict(sample_diploma_credential(0))
        sample["credentialSubject"] = dict(sample["credentialSubject"])
        sample["credentialSubject"].pop("transcript", None)
        row_bytes = len(json.dumps(sample, ensure_ascii=False).encode()) + 900  # + status, proof
        out["row_bytes"] = row_bytes
        for backend in backends:
            console.print(f"[bold]{backend}[/bold]: baseline ...")
            with fresh_database(backend, _subdir(tmp, "baseline")) as url:
                baseline = _in_child("baseline", url, str(count), str(row_bytes))
            base_seconds = baseline["sign_seconds"] + baseline["insert_seconds"]
            for proofs in rdfc:
                label = backend if len(rdfc) == 1 else f"{backend}, rdfc {proofs}"
                console.print(f"[bold]{label}[/bold]: ours (validate + issue {count:,}) ...")
                with fresh_database(backend, _subdir(tmp, f"ours-{proofs}")) as url:
                    ours = _in_child(
                        "ours",
                        url,
                        str(csv_path),
                        str(-1 if workers is None else workers),
                        "on",
                        proofs,
                    )
                out["backends"][label] = {
                    "rdfc_proof": proofs == "on",
                    "ours": ours,
                    "baseline": baseline,
                    "baseline_seconds": base_seconds,
                    "ratio": ours["seconds"] / base_seconds,
                    "per_second": ours["issued"] / ours["seconds"],
                }
            if log_cost:
                console.print(f"[bold]{backend}[/bold]: ours without the transparency log ...")
                with fresh_database(backend, _subdir(tmp, "nolog")) as url:
                    nolog = _in_child(
                        "ours",
                        url,
                        str(csv_path),
                        str(-1 if workers is None else workers),
                        "off",
                        rdfc[-1],
                    )
                out.setdefault("log_cost", {})[backend] = {
                    "without_seconds": nolog["seconds"],
                    "with_seconds": ours["seconds"],
                    "of_which_checkpoint_seconds": ours["checkpoint_seconds"],
                    "overhead": ours["seconds"] / nolog["seconds"] - 1,
                }
    return out


def _cpu_total(cpu: dict[str, float]) -> float:
    return cpu["main"] + cpu["workers"] + cpu["database"]


def render(results: dict[str, Any], console: Console) -> None:
    table = Table(title=f"Batch issuance of {results['count']:,} diplomas from one CSV file")
    for column in (
        "backend",
        "ours (s)",
        "diplomas/s",
        "of which validate (s)",
        "workers",
        "peak MB main / worker",
        "bare sign (s)",
        "bulk insert (s)",
        "ratio ours / (sign + insert)",
        "CPU s main / workers / db",
        "CPU ratio",
    ):
        table.add_column(column, justify="right")
    for backend, row in results["backends"].items():
        ours, base = row["ours"], row["baseline"]
        cpu = ours["cpu_seconds"]
        table.add_row(
            backend,
            f"{ours['seconds']:.1f}",
            f"{row['per_second']:,.0f}",
            f"{ours['validate_seconds']:.1f}",
            str(ours["workers"]),
            f"{ours['main_mb']:.0f} / {ours['largest_worker_mb']:.0f}",
            f"{base['sign_seconds']:.1f}",
            f"{base['insert_seconds']:.1f}",
            f"{row['ratio']:.2f}x",
            f"{cpu['main']:.0f} / {cpu['workers']:.0f} / {cpu['database']:.0f}",
            f"{_cpu_total(cpu) / _cpu_total(base['cpu_seconds']):.2f}x",
        )
    console.print(table)
    console.print(
        "CPU: user + system seconds of the issuing process, its signing workers and the "
        "PostgreSQL server processes of its database (SQLite works inside the issuing "
        "process); CPU ratio: ours / the baseline's, both summed, which a busy machine "
        "disturbs less than wall time. Phases of the issuing process (s): "
        + "; ".join(
            f"{backend}: "
            + ", ".join(f"{k} {v:.1f}" for k, v in row["ours"].get("phases", {}).items())
            for backend, row in results["backends"].items()
        )
    )
    if "log_cost" in results:
        cost = Table(title="The transparency log's cost (target: at most +10 %)")
        for column in ("backend", "without log (s)", "with log (s)", "of which checkpoint (s)"):
            cost.add_column(column, justify="right")
        cost.add_column("overhead", justify="right")
        for backend, row in results["log_cost"].items():
            cost.add_row(
                backend,
                f"{row['without_seconds']:.1f}",
                f"{row['with_seconds']:.1f}",
                f"{row['of_which_checkpoint_seconds']:.1f}",
                f"{row['overhead']:+.1%}",
            )
        console.print(cost)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=150_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=int, help="signing processes (default: one per core)")
    parser.add_argument("--json-out", type=Path, default=RESULTS / "bulk.json")
    parser.add_argument(
        "--log-cost",
        action="store_true",
        help="also issue without the transparency log and report its overhead",
    )
    parser.add_argument(
        "--rdfc",
        choices=("on", "off", "both"),
        default="on",
        help="diplomas with the eddsa-rdfc-2022 proof beside the eddsa-jcs-2022 one (setting "
        "issue_rdfc_proof, on as shipped), without it, or both in the same run",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        function, *rest = args.child
        if function == "ours":
            workers = int(rest[2])
            log = rest[3] if len(rest) > 3 else "on"
            rdfc = rest[4] if len(rest) > 4 else "on"
            result = child_ours(rest[0], Path(rest[1]), None if workers < 0 else workers, log, rdfc)
        else:
            result = child_baseline(rest[0], int(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return 0
    console = Console(width=None if sys.stdout.isatty() else 140)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    rdfc = ("off", "on") if args.rdfc == "both" else (args.rdfc,)
    results = run_bulk_benchmark(args.count, backends, args.workers, console, args.log_cost, rdfc)
    results["cpu_count"] = os.cpu_count()
    render(results, console)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, indent=2) + "\n")
    console.print(f"written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
