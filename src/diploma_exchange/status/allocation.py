"""Random allocation of status list indexes, without reuse.

Bitstring Status List v1.0 §2.1 (``statusListIndex``): "Implementations SHOULD assign indexes
randomly, such that inferences — such as the recency of the assignment or the size of the
group — cannot be easily drawn from that position." (See also §6.4 "Group Privacy".)

Pure logic: the caller says which indexes are taken (a set, or a predicate backed by the
database) and supplies the random generator (a :class:`secrets.SystemRandom` in production, a
seeded :class:`random.Random` in tests). The database still enforces uniqueness with a
constraint: two concurrent allocations may pick the same free index, and one must then retry.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Collection
from typing import Final

from diploma_exchange.errors import InvalidInput
from diploma_exchange.status.errors import StatusListFull

#: Above this share of taken slots, picking by scanning for free slots is cheaper than
#: rejection sampling (which needs 1 / (1 - fill) draws per pick on average).
SCAN_THRESHOLD: Final = 0.9
#: Rejection sampling gives up after this many consecutive draws of taken slots and scans
#: instead (at 90 % fill this happens with probability 0.9**64, about 0.1 %).
MAX_CONSECUTIVE_MISSES: Final = 64


def pick_free_indexes(
    used: Callable[[int], bool] | Collection[int],
    count: int,
    list_size: int,
    rng: random.Random | None = None,
) -> list[int]:
    """Return ``count`` distinct indexes in ``[0, list_size)`` that ``used`` does not hold.

    Each is uniformly random among the free indexes (rejection sampling, or a uniform
    sample of the free slots once the list is more than about 90 % full). ``used`` is a set
    (or other collection) of taken indexes, or a predicate ``used(i) -> bool``; with a
    predicate, the scanning fallback calls it for every index of the list. ``rng`` defaults
    to :class:`secrets.SystemRandom`.

    Raises:
        InvalidInput: ``count`` is negative or ``list_size`` is not positive.
        StatusListFull: fewer than ``count`` free indexes remain.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InvalidInput(f"count must be a non-negative int, not {count!r}")
    if isinstance(list_size, bool) or not isinstance(list_size, int) or list_size <= 0:
        raise InvalidInput(f"list_size must be a positive int, not {list_size!r}")
    generator = rng if rng is not None else secrets.SystemRandom()
    if count == 0:
        return []
    if count > list_size:
        raise StatusListFull(f"a status list of {list_size} entries cannot hold {count} more")

    if callable(used):
        is_used: Callable[[int], bool] = used
        taken: int | None = None
    else:
        taken_set = used if isinstance(used, (set, frozenset)) else set(used)
        is_used = taken_set.__contains__
        taken = sum(1 for i in taken_set if isinstance(i, int) and 0 <= i < list_size)
        free = list_size - taken
        if free < count:
            raise StatusListFull(_full_message(free, count, list_size))
        if (taken + count) / list_size > SCAN_THRESHOLD:
            return _pick_by_scanning(is_used, count, list_size, generator)

    picked: list[int] = []
    chosen: set[int] = set()
    misses = 0
    while len(picked) < count:
        candidate = generator.randrange(list_size)
        if candidate in chosen or is_used(candidate):
            misses += 1
            if misses >= MAX_CONSECUTIVE_MISSES:
                # Nearly full (or unlucky): pick the rest uniformly from the free slots.
                rest = _pick_by_scanning(
                    lambda i: i in chosen or is_used(i),
                    count - len(picked),
                    list_size,
                    generator,
                )
                return picked + rest
            continue
        misses = 0
        chosen.add(candidate)
        picked.append(candidate)
    return picked


def _pick_by_scanning(
    is_used: Callable[[int], bool], count: int, list_size: int, rng: random.Random
) -> list[int]:
    free = [i for i in range(list_size) if not is_used(i)]
    if len(free) < count:
        raise StatusListFull(_full_message(len(free), count, list_size))
    return rng.sample(free, count)


def _full_message(free: int, count: int, list_size: int) -> str:
    return (
        f"the status list ({list_size} entries) has {free} free index(es), {count} needed; "
        "start a new status list"
    )


__all__ = ["MAX_CONSECUTIVE_MISSES", "SCAN_THRESHOLD", "pick_free_indexes"]
