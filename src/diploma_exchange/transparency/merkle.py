"""RFC 9162 §2.1 Merkle trees: hashing, inclusion and consistency proofs, and their checks.

Written here rather than taken from a library: the Python packages that implement RFC 6962 /
9162 proofs (e.g. inside sigstore) only *verify* proofs over an in-memory list, while a log
must *generate* proofs for trees of millions of leaves from hashes stored as C2SP tiles. The
algorithms are short and specified exactly; they keep the RFC's names (PATH, SUBPROOF, MTH)
and numbered steps, and the tests check them against the RFC's definitions over every small
tree and against Go's ``golang.org/x/mod/sumdb/tlog``.

Ranges are absolute leaf indexes ``[start, end)``; a :class:`HashReader` answers the hash of
any *aligned complete* subtree (the only ones a log stores), and :func:`mth` composes the
rest, so the proof functions never need the leaves themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

from diploma_exchange.errors import InvalidInput

HASH_SIZE = 32
#: MTH({}) = SHA-256() (RFC 9162 §2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()
#: RFC 9162 §2.1.1 bounds a proof by the tree height; 63 keeps sizes below 2**63.
MAX_PROOF_HASHES = 63
MAX_TREE_SIZE = (1 << 63) - 1


def leaf_hash(data: bytes) -> bytes:
    """MTH({d(0)}) = SHA-256(0x00 || d(0)) (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || MTH(left) || MTH(right)) (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1), as RFC 9162 §2.1.1 splits trees."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf (or equal-height node) hashes (RFC 9162 §2.1.1), bottom-up."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        # Pairing left to right and carrying an odd last node up unchanged builds exactly the
        # RFC's tree (left subtrees are the largest powers of two).
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


class HashReader(Protocol):
    """Hashes of aligned complete subtrees of one tree."""

    def node(self, height: int, index: int) -> bytes:
        """MTH(D[index * 2**height : (index + 1) * 2**height])."""
        ...


class ListHashReader:
    """A :class:`HashReader` over all leaf hashes in memory (tests, small trees)."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self._levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self._levels[-1]) > 1:
            below = self._levels[-1]
            self._levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    def node(self, height: int, index: int) -> bytes:
        return self._levels[height][index]


def mth(reader: HashReader, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range whose left parts are aligned (as every range that
    RFC 9162's recursion visits is): a stored subtree when the range is one, else
    ``HASH(0x01 || MTH(D[start:start+k]) || MTH(D[start+k:end]))``."""
    n = end - start
    if n <= 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        return reader.node(n.bit_length() - 1, start // n)
    k = largest_power_of_two_below(n)
    return node_hash(mth(reader, start, start + k), mth(reader, start + k, end))


def _check_sizes(index: int, size: int) -> None:
    if not 0 <= index < size <= MAX_TREE_SIZE:
        raise InvalidInput(f"leaf index {index} is not in a tree of size {size}")


def inclusion_proof(reader: HashReader, index: int, size: int) -> list[bytes]:
    """PATH(m, D[n]) (RFC 9162 §2.1.3.1): the audit path of leaf ``index`` in the tree of
    ``size`` leaves.

    Raises:
        InvalidInput: ``index`` is not below ``size``.
    """
    _check_sizes(index, size)
    path: list[bytes] = []

    def walk(m: int, start: int, end: int) -> None:
        n = end - start
        if n == 1:  # PATH(0, {d(0)}) = {}
            return
        k = largest_power_of_two_below(n)
        if m < k:  # PATH(m, D[0:k]) : MTH(D[k:n])
            walk(m, start, start + k)
            path.append(mth(reader, start + k, end))
        else:  # PATH(m - k, D[k:n]) : MTH(D[0:k])
            walk(m - k, start + k, end)
            path.append(mth(reader, start, start + k))

    walk(index, 0, size)
    return path


def consistency_proof(reader: HashReader, first: int, second: int) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1); empty for m = 0 or
    m = n (the empty tree is consistent with every tree, a tree with itself).

    Raises:
        InvalidInput: not 0 <= first <= second.
    """
    if not 0 <= first <= second <= MAX_TREE_SIZE:
        raise InvalidInput(f"no consistency proof from size {first} to size {second}")
    if first in (0, second):
        return []
    proof: list[bytes] = []

    def subproof(m: int, start: int, end: int, complete: bool) -> None:
        n = end - start
        if m == n:
            if not complete:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
                proof.append(mth(reader, start, end))
            return  # SUBPROOF(m, D[m], true) = {}
        k = largest_power_of_two_below(n)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            subproof(m, start, start + k, complete)
            proof.append(mth(reader, start + k, end))
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            subproof(m - k, start + k, end, False)
            proof.append(mth(reader, start, start + k))

    subproof(first, 0, second, True)
    return proof


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show the leaf hash ``leaf`` at ``index`` in the tree
    of ``size`` leaves with root ``root``? Never raises for a bad proof."""
    # 1. leaf_index >= tree_size: fail.
    if not 0 <= index < size or len(proof) > MAX_PROOF_HASHES:
        return False
    if any(len(p) != HASH_SIZE for p in proof):
        return False
    # 2. fn = leaf_index, sn = tree_size - 1.
    fn, sn = index, size - 1
    # 3. r = hash.
    r = leaf
    # 4. For each value p in the inclusion_path array:
    for p in proof:
        # a. If sn is 0, stop and fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn == sn:
        if fn & 1 or fn == sn:
            r = node_hash(p, r)  # i.
            if not fn & 1:  # ii. right-shift until LSB(fn) is set or fn is 0.
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)  # i.
        # c. right-shift both once.
        fn >>= 1
        sn >>= 1
    # 5. sn == 0 and r == root_hash.
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show the tree of ``first`` leaves (root
    ``first_root``) is a prefix of the tree of ``second`` leaves (root ``second_root``)?

    Equal sizes need an empty proof and equal roots; size 0 needs an empty proof and the
    empty root (as c2sp.org/tlog-witness requires). Never raises for a bad proof."""
    if not 0 <= first <= second <= MAX_TREE_SIZE or len(proof) > MAX_PROOF_HASHES:
        return False
    if any(len(p) != HASH_SIZE for p in proof):
        return False
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if first == second:
        return not proof and first_root == second_root
    # 1. An empty consistency_path fails.
    if not proof:
        return False
    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash.
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, right-shift both until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        # a. If sn is 0, stop and fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn == sn:
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)  # i.
            sr = node_hash(c, sr)  # ii.
            if not fn & 1:  # iii.
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)  # i.
        # c. right-shift both once.
        fn >>= 1
        sn >>= 1
    # 7. fr == first_hash, sr == second_hash, sn == 0.
    return fr == first_root and sr == second_root and sn == 0


__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "HashReader",
    "ListHashReader",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "mth",
    "node_hash",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]
