"""The automation replay (tests/bench/bench_automation.py): its books are the generator's, day
by day, and its quick mode runs the real tick over the 13 weeks and reports a figure that can
fail."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path

from apps.demo.generator import generate_company
from tests.bench.automation_replay import Morning, books_on, demo_ledger
from tests.bench.run import CRASHED

AS_OF = date(2026, 11, 27)


def test_the_books_cut_at_the_as_of_day_are_the_generators_and_the_mornings_add_up_to_them():
    led, start = demo_ledger(1, 1, 0.4, AS_OF)
    full = books_on(led, start, AS_OF)
    with tempfile.TemporaryDirectory() as out:
        generate_company(out, seed=1, years=1, scale=0.4, as_of=AS_OF)
        for entity, rows in full.items():
            wire = json.loads((Path(out) / "qbo" / f"{entity}.json").read_text())[entity]
            ours = json.loads(json.dumps(list(rows.values()), default=str))
            assert sorted(ours, key=lambda r: int(r["Id"])) == \
                sorted(wire, key=lambda r: int(r["Id"])), entity
    # Thirty mornings of changes, applied in turn, give the books of the last of them; an
    # earlier cut leaves out what came after it.
    morning, got = Morning(led, start), {}
    first = AS_OF - timedelta(days=30)
    for n in range(31):
        for entity, rows in morning.changes(first + timedelta(days=n)).items():
            for row in rows:
                got.setdefault(entity, {})[row["Id"]] = row
    assert got == {e: rows for e, rows in full.items() if rows}
    earlier = books_on(led, start, first)
    assert len(earlier["Bill"]) < len(full["Bill"])
    assert all(row["TxnDate"] <= first.isoformat() for row in earlier["Purchase"].values())


def assert_replay_row(row: dict) -> None:
    """The quick bench's automation row (tests/bench/test_bench_quick.py runs it with every other
    benchmark — the 13-week replay is too slow to run twice in CI): the real tick ran over the 13
    weeks and the figure is computed from what it did, a verdict that can fail."""
    assert row["notes"] != CRASHED, row
    met, taken, held = row["extra"]["met"], row["extra"]["taken"], row["extra"]["held"]
    # Every kind of routine decision came up in the 13 weeks, each either taken or held.
    assert set(met) == {"approve", "schedule", "record", "remind"} and all(met.values())
    assert sum(met.values()) == sum(taken.values()) + sum(held.values())
    assert row["figure"] == round(100 * sum(taken.values()) / sum(met.values()), 1)
    assert row["passed"] is (row["figure"] >= 70.0)
    assert row["extra"]["ticks"] == 2 * 91
