"""`batched` walks a stream in lists of a given size, in order, the last one shorter."""

import pytest

from apps.core.batching import batched


def test_items_come_in_order_in_lists_of_the_size_the_last_shorter():
    assert list(batched(iter(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []


def test_a_size_below_one_is_refused():
    with pytest.raises(ValueError):
        list(batched([1], 0))
