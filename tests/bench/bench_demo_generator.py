"""Demo agency generation time: `--scale 10 --years 5` must take under 2 minutes (median of
REPEATS runs, each into a fresh directory)."""

from __future__ import annotations

import tempfile
from datetime import date

from tests.bench.harness import Result, Spread, timed

REPEATS = 5


def run(quick: bool) -> list[Result]:
    from apps.demo.generator import generate_company

    scale, years = (1, 2) if quick else (10, 5)
    times = []
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory() as out:
            seconds, summary = timed(
                generate_company, out, seed=1, years=years, scale=scale,
                as_of=date(2026, 11, 27),
            )
        times.append(seconds)
    spread = Spread.of(times, 1)
    counts = summary.counts
    return [
        Result(
            name=f"Generate demo agency (scale {scale}, {years} years)",
            unit="s", target="< 120 s", passed=spread.median < 120,
            reference="none (no equivalent generator to compare)",
            notes=(f"{counts['Invoice']} invoices, {counts['Bill']} bills, "
                   f"{counts['Purchase']} purchases, {counts['plaid_transactions']} bank txns; "
                   f"{REPEATS} runs"),
            **spread.fields(),
        )
    ]
