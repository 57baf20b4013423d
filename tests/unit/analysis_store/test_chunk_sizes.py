"""How the analyze task cuts a batch into write chunks."""

from __future__ import annotations

import pytest
from vkc.analysis_store.apply import CHUNK, chunk_sizes


@pytest.mark.parametrize("n", [0, 1, 2, 99, 100, 101, 499, 500, 501, 1000, 1001, 4999, 5000])
def test_chunks_cover_the_batch_once_and_never_exceed_the_chunk(n: int) -> None:
    sizes = chunk_sizes(n)
    assert sum(sizes) == n
    assert all(0 < s <= CHUNK for s in sizes)


def test_chunks_shrink_towards_the_end_so_the_last_write_is_short() -> None:
    sizes = chunk_sizes(1000)  # one analyze message
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= CHUNK // 5
    assert len(sizes) <= 5  # each chunk costs a few statements
    assert chunk_sizes(5000)[:8] == [CHUNK] * 8


def test_a_small_chunk_limit_still_splits() -> None:
    assert chunk_sizes(5, largest=2) == [2, 2, 1]
