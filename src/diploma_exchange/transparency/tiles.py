"""C2SP tlog-tiles (c2sp.org/tlog-tiles): tile paths, entry bundles, reading stored tiles
as a :class:`~diploma_exchange.transparency.merkle.HashReader`, and integrating new leaves.

A tile at level L holds up to 256 consecutive Merkle tree hashes of height 8L; tile N of
level L holds ``MTH(D[(N*256 + i) * 256**L : (N*256 + i + 1) * 256**L])`` for i < width.
Every hash of the tree is either one of those or computed from at most 128 of them, so an
inclusion or consistency proof in a tree of 10**7 leaves needs three tiles per side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from diploma_exchange.errors import InvalidInput, NotFound
from diploma_exchange.transparency.merkle import HASH_SIZE, mth, root_of

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes, 8,192 bytes when full
MAX_LEVEL = 63
#: Entries are length-prefixed with a big-endian uint16 in entry bundles.
MAX_ENTRY_SIZE = 0xFFFF

_ELEMENT = re.compile(r"^(x?)(\d{3})$")


def encode_index(n: int) -> str:
    """``<N>`` of a tile path: zero-padded 3-digit elements, all but the last with an ``x``
    (1234067 -> ``x001/x234/067``)."""
    if n < 0:
        raise InvalidInput("a tile index is never negative")
    parts = [f"{n % 1000:03d}"]
    n //= 1000
    while n > 0:
        parts.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(parts))


def parse_index(path: str) -> int:
    """The tile index of ``<N>``; only the canonical encoding is accepted (so a tile has
    exactly one URL and caches cannot be filled with aliases).

    Raises:
        InvalidInput: not a canonical ``<N>``.
    """
    elements = path.split("/")
    if not 1 <= len(elements) <= 7:  # 7 elements reach 10**21 > 2**63
        raise InvalidInput(f"{path!r} is not a tile index")
    value = 0
    for position, element in enumerate(elements):
        match = _ELEMENT.match(element)
        last = position == len(elements) - 1
        if match is None or bool(match.group(1)) == last:
            raise InvalidInput(f"{path!r} is not a tile index")
        value = value * 1000 + int(match.group(2))
    if encode_index(value) != path:
        raise InvalidInput(f"{path!r} is not the canonical form of tile index {value}")
    return value


@dataclass(frozen=True, slots=True)
class TileRef:
    """A tile (``level`` 0-63) or an entry bundle (``level`` None) and its width."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    @property
    def partial(self) -> bool:
        return self.width < TILE_WIDTH

    def path(self) -> str:
        """``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``."""
        level = "entries" if self.level is None else str(self.level)
        suffix = f".p/{self.width}" if self.partial else ""
        return f"tile/{level}/{encode_index(self.index)}{suffix}"


def parse_tile_path(level: str, rest: str) -> TileRef:
    """Parse ``<L>`` (or ``entries``) and ``<N>[.p/<W>]`` of a tile URL.

    Raises:
        InvalidInput: anything but a canonical tile path.
    """
    if level == "entries":
        parsed_level: int | None = None
    elif re.fullmatch(r"0|[1-9]\d?", level) and int(level) <= MAX_LEVEL:
        parsed_level = int(level)
    else:
        raise InvalidInput(f"tile level {level!r} must be 0-63 without leading zeroes")
    width = TILE_WIDTH
    index_part = rest
    if ".p/" in rest:
        index_part, _, width_part = rest.partition(".p/")
        if not re.fullmatch(r"[1-9]\d{0,2}", width_part) or int(width_part) >= TILE_WIDTH:
            raise InvalidInput(f"partial tile width {width_part!r} must be 1-255")
        width = int(width_part)
    return TileRef(parsed_level, parse_index(index_part), width)


def level_width(size: int, level: int) -> int:
    """How many hashes of level ``level`` a tree of ``size`` leaves has (full and partial)."""
    return size >> (TILE_HEIGHT * level)


def tile_exists(ref: TileRef, size: int) -> bool:
    """Whether the tree of ``size`` leaves has tile ``ref`` with at least its width
    (entry bundles follow level 0)."""
    available = level_width(size, ref.level or 0) - ref.index * TILE_WIDTH
    return available >= ref.width


def tiles_for_size(size: int) -> list[TileRef]:
    """Every tile (not entry bundle) a tree of ``size`` leaves has, partial ones last per
    level (c2sp.org/tlog-tiles §Partial Tiles)."""
    refs: list[TileRef] = []
    level = 0
    while True:
        count = level_width(size, level)
        if count == 0:
            break
        refs.extend(TileRef(level, n) for n in range(count // TILE_WIDTH))
        if count % TILE_WIDTH:
            refs.append(TileRef(level, count // TILE_WIDTH, count % TILE_WIDTH))
        level += 1
    return refs


# --- entry bundles -------------------------------------------------------------------------


def encode_bundle(entries: Iterable[bytes]) -> bytes:
    """An entry bundle: each entry prefixed with its length as a big-endian uint16."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise InvalidInput("a log entry is limited to 65,535 bytes")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    """The entries of an entry bundle.

    Raises:
        InvalidInput: truncated or more than 256 entries.
    """
    entries: list[bytes] = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise InvalidInput("the entry bundle is truncated")
        length = int.from_bytes(data[offset : offset + 2], "big")
        offset += 2
        if offset + length > len(data):
            raise InvalidInput("the entry bundle is truncated")
        entries.append(data[offset : offset + length])
        offset += length
        if len(entries) > TILE_WIDTH:
            raise InvalidInput("an entry bundle holds at most 256 entries")
    return entries


# --- tiles as a hash reader ----------------------------------------------------------------

#: ``(level, index) -> the stored hashes of that tile`` (any width; raise NotFound if absent).
TileSource = Callable[[int, int], bytes]


class TileHashReader:
    """Answers aligned subtree hashes from stored tiles, reading each tile once.

    Hashes of heights that are not multiples of 8 are computed from the tile below (at most
    128 hashes), and cached with the tile."""

    def __init__(self, source: TileSource, overlay: dict[tuple[int, int], bytes] | None = None):
        self._source = source
        self._tiles: dict[tuple[int, int], bytes] = dict(overlay or {})
        self._nodes: dict[tuple[int, int], bytes] = {}

    def tile(self, level: int, index: int) -> bytes:
        key = (level, index)
        data = self._tiles.get(key)
        if data is None:
            data = self._source(level, index)
            self._tiles[key] = data
        return data

    def node(self, height: int, index: int) -> bytes:
        level, rest = divmod(height, TILE_HEIGHT)
        first = index << rest  # first hash of the tile level that this subtree covers
        count = 1 << rest
        tile_index, offset = divmod(first, TILE_WIDTH)
        if rest == 0:
            data = self.tile(level, tile_index)
            if len(data) < (offset + 1) * HASH_SIZE:
                raise NotFound(f"tile {level}/{tile_index} does not reach hash {offset}")
            return data[offset * HASH_SIZE : (offset + 1) * HASH_SIZE]
        cached = self._nodes.get((height, index))
        if cached is not None:
            return cached
        data = self.tile(level, tile_index)
        if len(data) < (offset + count) * HASH_SIZE:
            raise NotFound(f"tile {level}/{tile_index} does not reach hash {offset + count - 1}")
        hashes = [
            data[(offset + i) * HASH_SIZE : (offset + i + 1) * HASH_SIZE] for i in range(count)
        ]
        value = root_of(hashes)
        self._nodes[(height, index)] = value
        return value


def split_hashes(data: bytes) -> list[bytes]:
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


@dataclass(frozen=True, slots=True)
class Integration:
    """The tiles that changed when leaves were added, and the new tree's root."""

    size: int
    root: bytes
    tiles: dict[tuple[int, int], bytes]


def integrate(old_size: int, leaf_hashes: Sequence[bytes], source: TileSource) -> Integration:
    """Add ``leaf_hashes`` (leaves ``old_size`` ...) to the tree stored as tiles in ``source``:
    returns every tile that grew (level 0 gets the leaf hashes; a tile that becomes full adds
    its root to the level above) and the root of the grown tree."""
    changed: dict[tuple[int, int], bytes] = {}
    level, start, new = 0, old_size, list(leaf_hashes)
    while new:
        first_tile, kept = divmod(start, TILE_WIDTH)
        prefix = source(level, first_tile)[: kept * HASH_SIZE] if kept else b""
        if len(prefix) != kept * HASH_SIZE:
            raise NotFound(f"the stored tile {level}/{first_tile} is shorter than the tree")
        hashes = split_hashes(prefix) + new
        completed: list[bytes] = []
        for offset in range(0, len(hashes), TILE_WIDTH):
            chunk = hashes[offset : offset + TILE_WIDTH]
            changed[(level, first_tile + offset // TILE_WIDTH)] = b"".join(chunk)
            if len(chunk) == TILE_WIDTH:
                completed.append(root_of(chunk))
        level, start, new = level + 1, first_tile, completed
    size = old_size + len(leaf_hashes)
    reader = TileHashReader(source, overlay=changed)
    return Integration(size, mth(reader, 0, size), changed)


def iter_entry_tiles(start: int, end: int) -> Iterator[TileRef]:
    """The entry bundles (full, or partial at the tree's edge ``end``) covering leaves
    ``[start, end)``."""
    for n in range(start // TILE_WIDTH, -(-end // TILE_WIDTH)):
        width = min(TILE_WIDTH, end - n * TILE_WIDTH)
        yield TileRef(None, n, width)
