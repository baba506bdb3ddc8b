"""fewer_collections(): fewer garbage-collector passes during bulk work, everything as it was
afterwards (even when the work fails), and cyclic garbage still collected."""

import gc
import weakref

import pytest

from apps.core.allocations import YOUNG_THRESHOLD, fewer_collections


class Boom(Exception):
    pass


class Node:
    pass


def test_thresholds_and_frozen_objects_are_restored_even_after_a_failure():
    before = gc.get_threshold()
    with pytest.raises(Boom), fewer_collections():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_freeze_count() > 0  # what existed before is set aside
        raise Boom
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_cycles_made_during_bulk_work_are_still_collected():
    with fewer_collections():
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        assert gone() is not None  # no collection yet: the threshold is far
        kept = [Node() for _ in range(YOUNG_THRESHOLD + 100)]  # enough for a young collection
        assert gone() is None
        del kept
