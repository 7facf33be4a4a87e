"""Random, never-reused status list indexes."""

from __future__ import annotations

import random
import secrets
from collections import Counter

import pytest

from diploma_exchange.errors import Conflict, InvalidInput
from diploma_exchange.status import StatusListFull, pick_free_indexes


def test_picks_are_unique_in_range_and_free() -> None:
    rng = random.Random(1)
    used = set(rng.sample(range(131_072), 50_000))
    picks = pick_free_indexes(used, 1_000, 131_072, rng)
    assert len(picks) == len(set(picks)) == 1_000
    assert all(0 <= i < 131_072 and i not in used for i in picks)


def test_a_predicate_works_like_a_set() -> None:
    used = set(range(0, 1_000, 2))
    picks = pick_free_indexes(used.__contains__, 100, 1_000, random.Random(2))
    assert len(set(picks)) == 100 and all(i % 2 == 1 for i in picks)


def test_seeded_generators_repeat_and_system_random_works() -> None:
    assert pick_free_indexes(set(), 5, 1000, random.Random(3)) == pick_free_indexes(
        set(), 5, 1000, random.Random(3)
    )
    assert len(pick_free_indexes(set(), 5, 1000, secrets.SystemRandom())) == 5
    assert len(pick_free_indexes(set(), 5, 1000)) == 5
    assert pick_free_indexes(set(), 0, 1000) == []


def test_picks_are_spread_over_the_list() -> None:
    rng = random.Random(4)
    picks = [pick_free_indexes(set(), 1, 131_072, rng)[0] for _ in range(2_000)]
    buckets = Counter(i * 16 // 131_072 for i in picks)
    assert len(buckets) == 16
    # Expected 125 per bucket; a sequential or clustered allocator would be far outside.
    assert 70 <= min(buckets.values()) and max(buckets.values()) <= 180
    batch = pick_free_indexes(set(), 2_000, 131_072, rng)
    spread = Counter(i * 16 // 131_072 for i in batch)
    assert 70 <= min(spread.values()) and max(spread.values()) <= 180


def test_full_list_is_refused_clearly() -> None:
    with pytest.raises(StatusListFull) as info:
        pick_free_indexes(set(range(100)), 1, 100, random.Random(5))
    assert isinstance(info.value, Conflict)
    assert "new status list" in info.value.message
    with pytest.raises(StatusListFull):
        pick_free_indexes(set(range(95)), 6, 100, random.Random(5))
    with pytest.raises(StatusListFull):
        pick_free_indexes(set(), 101, 100, random.Random(5))
    with pytest.raises(StatusListFull):  # a predicate: found out by the scan
        pick_free_indexes(lambda i: True, 1, 100, random.Random(5))


def test_near_full_list_falls_back_to_the_free_slots() -> None:
    free = {3, 141, 592, 653, 589}
    used = set(range(1_000)) - free
    assert sorted(pick_free_indexes(used, 5, 1_000, random.Random(6))) == sorted(free)
    calls = 0

    def predicate(index: int) -> bool:
        nonlocal calls
        calls += 1
        return index in used

    assert sorted(pick_free_indexes(predicate, 5, 1_000, random.Random(6))) == sorted(free)
    assert calls < 5_000  # bounded: some misses, then one scan


def test_near_full_fallback_is_still_uniform() -> None:
    free = list(range(0, 1_000, 100))
    used = set(range(1_000)) - set(free)
    rng = random.Random(7)
    counts = Counter(pick_free_indexes(used, 1, 1_000, rng)[0] for _ in range(1_000))
    assert set(counts) == set(free)
    assert min(counts.values()) > 50  # expected 100 each


def test_indexes_outside_the_list_do_not_count_as_used() -> None:
    picks = pick_free_indexes({-5, 10**9}, 10, 10, random.Random(8))
    assert sorted(picks) == list(range(10))


@pytest.mark.parametrize(("count", "size"), [(-1, 10), (1, 0), (True, 10), (1, 2.5)])
def test_bad_arguments(count: int, size: int) -> None:
    with pytest.raises(InvalidInput):
        pick_free_indexes(set(), count, size, random.Random(9))
