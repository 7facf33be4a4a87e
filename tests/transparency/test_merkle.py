"""RFC 9162 §2.1: the tile-backed proofs equal the RFC's recursive definitions on every small
tree, verify with the RFC's algorithms, and fail for every single change."""

from __future__ import annotations

import hashlib

import pytest

from diploma_exchange.errors import InvalidInput
from diploma_exchange.transparency import merkle, tiles

N_MAX = 40


def leaves(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


# --- the RFC's definitions, written directly over lists (the reference) --------------------


def k_of(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def MTH(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = k_of(len(d))
    return hashlib.sha256(b"\x01" + MTH(d[:k]) + MTH(d[k:])).digest()


def PATH(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = k_of(len(d))
    if m < k:
        return PATH(m, d[:k]) + [MTH(d[k:])]
    return PATH(m - k, d[k:]) + [MTH(d[:k])]


def SUBPROOF(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [MTH(d)]
    k = k_of(len(d))
    if m <= k:
        return SUBPROOF(m, d[:k], b) + [MTH(d[k:])]
    return SUBPROOF(m - k, d[k:], False) + [MTH(d[:k])]


def tile_reader(data: list[bytes]) -> tiles.TileHashReader:
    store: dict[tuple[int, int], bytes] = {}
    grown = tiles.integrate(0, [merkle.leaf_hash(x) for x in data], lambda l, i: store[(l, i)])
    store.update(grown.tiles)
    return tiles.TileHashReader(lambda l, i: store[(l, i)])


@pytest.mark.parametrize("n", range(1, N_MAX + 1))
def test_proofs_equal_the_rfc_definitions(n: int) -> None:
    d = leaves(n)
    hashes = [merkle.leaf_hash(x) for x in d]
    readers = [merkle.ListHashReader(hashes), tile_reader(d)]
    root = MTH(d)
    for reader in readers:
        assert merkle.mth(reader, 0, n) == root
        for m in range(n):
            proof = merkle.inclusion_proof(reader, m, n)
            assert proof == PATH(m, d)
            assert merkle.verify_inclusion(hashes[m], m, n, proof, root)
        for m in range(1, n):
            proof = merkle.consistency_proof(reader, m, n)
            assert proof == SUBPROOF(m, d, True)
            assert merkle.verify_consistency(m, n, MTH(d[:m]), root, proof)
    assert merkle.root_of(hashes) == root


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 31])
def test_every_single_change_fails(n: int) -> None:
    d = leaves(n)
    hashes = [merkle.leaf_hash(x) for x in d]
    reader = merkle.ListHashReader(hashes)
    root = MTH(d)
    bad = hashlib.sha256(b"other").digest()
    for m in range(n):
        proof = merkle.inclusion_proof(reader, m, n)
        assert not merkle.verify_inclusion(bad, m, n, proof, root)  # another leaf
        assert not merkle.verify_inclusion(hashes[m], m, n, proof, bad)  # another root
        assert not merkle.verify_inclusion(hashes[m], n, n, proof, root)  # index out of range
        if n > 1:
            assert not merkle.verify_inclusion(hashes[m], (m + 1) % n, n, proof, root)
        for i in range(len(proof)):
            changed = list(proof)
            changed[i] = bad
            assert not merkle.verify_inclusion(hashes[m], m, n, changed, root)
        assert not merkle.verify_inclusion(hashes[m], m, n, [*proof, bad], root)
        if proof:
            assert not merkle.verify_inclusion(hashes[m], m, n, proof[:-1], root)
    for m in range(1, n):
        proof = merkle.consistency_proof(reader, m, n)
        old = MTH(d[:m])
        assert not merkle.verify_consistency(m, n, bad, root, proof)  # a forked old tree
        assert not merkle.verify_consistency(m, n, old, bad, proof)
        for i in range(len(proof)):
            changed = list(proof)
            changed[i] = bad
            assert not merkle.verify_consistency(m, n, old, root, changed)
        assert not merkle.verify_consistency(m, n, old, root, [])


def test_edge_sizes() -> None:
    root = MTH(leaves(5))
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root, [])
    assert not merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root, [root])
    assert merkle.verify_consistency(5, 5, root, root, [])
    assert not merkle.verify_consistency(5, 5, root, merkle.EMPTY_ROOT, [])
    assert not merkle.verify_consistency(6, 5, root, root, [])
    assert merkle.mth(merkle.ListHashReader([]), 0, 0) == merkle.EMPTY_ROOT
    with pytest.raises(InvalidInput):
        merkle.inclusion_proof(merkle.ListHashReader([b"x" * 32]), 1, 1)
    with pytest.raises(InvalidInput):
        merkle.consistency_proof(merkle.ListHashReader([b"x" * 32]), 2, 1)
