"""Bulk work that allocates millions of short-lived objects (a full QBO sync decodes, parses and
builds rows for every entity): Python's cyclic garbage collector, tuned for ordinary programs,
runs a young collection every 700 net allocations and, as objects survive, full ones that walk
every object the process holds (Django, the app, its caches). Almost none of a sync's objects
are cyclic garbage — reference counting frees them — so that work finds nothing. Measured with
`python -m tests.bench.sync_cpu` (docs/qbo.md): it was 15–30 % of the sync's CPU.

``fewer_collections()`` raises the young generation's threshold for the duration and freezes
what existed before (set aside, not walked again until unfrozen), then restores both."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000  # allocations between young collections (CPython's default: 700)


@contextmanager
def fewer_collections() -> Iterator[None]:
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()
