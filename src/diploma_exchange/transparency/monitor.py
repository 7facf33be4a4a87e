"""Monitoring a log: every entry since a checkpoint, checked against the tree, filtered by
issuer. A university runs it to notice diplomas issued in its name that it did not issue
(a stolen API key, an insider), and key events it did not ask for.

Everything is verified, nothing is taken on the log's word: the tiles must hash to the
checkpoint's root, each entry must hash to its leaf in the tiles, and the earlier checkpoint
the scan starts from must be a prefix of the new one (RFC 9162 consistency), so a log that
rewrote or forked its history since is reported, not scanned.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from diploma_exchange.errors import Error
from diploma_exchange.transparency.checkpoint import Checkpoint
from diploma_exchange.transparency.entries import (
    EntryError,
    IssuanceEntry,
    KeyEntry,
    StatusEntry,
    parse_entry,
)
from diploma_exchange.transparency.merkle import (
    consistency_proof,
    leaf_hash,
    mth,
    verify_consistency,
)
from diploma_exchange.transparency.tiles import TileHashReader, TileSource, iter_entry_tiles

#: ``(bundle index, width) -> the entries of that bundle``.
BundleSource = Callable[[int, int], list[bytes]]


@dataclass(frozen=True, slots=True)
class MonitorProblem:
    code: str  # tiles-mismatch | entry-mismatch | inconsistent | unreadable
    message: str
    index: int | None = None


@dataclass(slots=True)
class MonitorReport:
    origin: str
    start: int
    size: int
    issuances: list[tuple[int, IssuanceEntry]] = field(default_factory=list)
    status_changes: list[tuple[int, StatusEntry]] = field(default_factory=list)
    key_events: list[tuple[int, KeyEntry]] = field(default_factory=list)
    problems: list[MonitorProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def scan(
    checkpoint: Checkpoint,
    *,
    read_tile: TileSource,
    read_bundle: BundleSource,
    issuers: Collection[str],
    since: Checkpoint | None = None,
    max_problems: int = 100,
) -> MonitorReport:
    """Entries ``[since.size, checkpoint.size)`` of the issuers ``issuers`` (all issuers when
    empty), after verifying the tree as the module docstring says. ``checkpoint`` and
    ``since`` must already be verified (their signatures)."""
    start = since.size if since is not None else 0
    report = MonitorReport(checkpoint.origin, start, checkpoint.size)
    reader = TileHashReader(read_tile)
    try:
        if mth(reader, 0, checkpoint.size) != checkpoint.root:
            report.problems.append(
                MonitorProblem("tiles-mismatch", "the log's tiles do not hash to its checkpoint")
            )
            return report
        if since is not None:
            if since.origin != checkpoint.origin or since.size > checkpoint.size:
                report.problems.append(
                    MonitorProblem(
                        "inconsistent",
                        f"the earlier checkpoint (size {since.size}) is not a prefix of the "
                        f"current one (size {checkpoint.size}): the log rolled back",
                    )
                )
                return report
            proof = consistency_proof(reader, since.size, checkpoint.size)
            if not verify_consistency(
                since.size, checkpoint.size, since.root, checkpoint.root, proof
            ):
                report.problems.append(
                    MonitorProblem(
                        "inconsistent",
                        f"the log's tree of size {checkpoint.size} does not extend the "
                        f"checkpoint of size {since.size}: the log forked or was rewritten",
                    )
                )
                return report
    except Error as exc:
        report.problems.append(MonitorProblem("unreadable", exc.message))
        return report
    wanted = set(issuers)
    for ref in iter_entry_tiles(start, checkpoint.size):
        first = ref.index * 256
        try:
            bundle = read_bundle(ref.index, ref.width)
        except Error as exc:
            report.problems.append(MonitorProblem("unreadable", exc.message, first))
            return report
        if len(bundle) < ref.width:
            report.problems.append(
                MonitorProblem("entry-mismatch", "an entry bundle is missing entries", first)
            )
            return report
        for offset, data in enumerate(bundle[: ref.width]):
            index = first + offset
            if index < start:
                continue
            if leaf_hash(data) != reader.node(0, index):
                if len(report.problems) < max_problems:
                    report.problems.append(
                        MonitorProblem(
                            "entry-mismatch",
                            f"entry {index} does not hash to leaf {index} of the tree: it was "
                            "rewritten",
                            index,
                        )
                    )
                continue
            try:
                entry = parse_entry(data)
            except EntryError as exc:
                report.problems.append(MonitorProblem("unreadable", exc.message, index))
                continue
            if wanted and entry.issuer not in wanted:
                continue
            if isinstance(entry, IssuanceEntry):
                report.issuances.append((index, entry))
            elif isinstance(entry, StatusEntry):
                report.status_changes.append((index, entry))
            else:
                report.key_events.append((index, entry))
    return report
