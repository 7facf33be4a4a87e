"""C2SP tlog-tiles: path encoding, the spec's size-70,000 example, entry bundles."""

from __future__ import annotations

import pytest

from diploma_exchange.errors import InvalidInput
from diploma_exchange.transparency import tiles


@pytest.mark.parametrize(
    ("index", "path"),
    [(0, "000"), (67, "067"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_index_paths(index: int, path: str) -> None:
    assert tiles.encode_index(index) == path
    assert tiles.parse_index(path) == index


@pytest.mark.parametrize(
    "path", ["0", "67", "x067", "000/x001", "x000/067", "1234", "", "x001//234", "-01"]
)
def test_non_canonical_paths_are_refused(path: str) -> None:
    with pytest.raises(InvalidInput):
        tiles.parse_index(path)


@pytest.mark.parametrize(
    ("level", "rest", "ref"),
    [
        ("0", "000", tiles.TileRef(0, 0)),
        ("1", "x001/234.p/17", tiles.TileRef(1, 1234, 17)),
        ("entries", "005.p/255", tiles.TileRef(None, 5, 255)),
    ],
)
def test_tile_paths(level: str, rest: str, ref: tiles.TileRef) -> None:
    assert tiles.parse_tile_path(level, rest) == ref
    assert ref.path() == f"tile/{level}/{rest}"


@pytest.mark.parametrize(
    ("level", "rest"),
    [
        ("00", "000"),
        ("64", "000"),
        ("0", "000.p/256"),
        ("0", "000.p/0"),
        ("0", "000.p/07"),
        ("x", "000"),
    ],
)
def test_bad_tile_paths(level: str, rest: str) -> None:
    with pytest.raises(InvalidInput):
        tiles.parse_tile_path(level, rest)


def test_the_specs_size_70000_example() -> None:
    refs = tiles.tiles_for_size(70_000)
    full0 = [r for r in refs if r.level == 0 and not r.partial]
    assert len(full0) == 273
    assert tiles.TileRef(0, 273, 112) in refs
    assert tiles.TileRef(1, 0) in refs and tiles.TileRef(1, 1, 17) in refs
    assert tiles.TileRef(2, 0, 1) in refs
    assert tiles.tiles_for_size(256) == [tiles.TileRef(0, 0), tiles.TileRef(1, 0, 1)]
    assert tiles.tiles_for_size(0) == []


def test_entry_bundles_round_trip_and_refuse_truncation() -> None:
    entries = [b"", b"a", b"x" * 300]
    data = tiles.encode_bundle(entries)
    assert data[:2] == b"\x00\x00" and tiles.decode_bundle(data) == entries
    with pytest.raises(InvalidInput):
        tiles.decode_bundle(data[:-1])
    with pytest.raises(InvalidInput):
        tiles.encode_bundle([b"x" * 65_536])
