"""Demo agency generation time: `--scale 10 --years 5` must take under 2 minutes."""

from __future__ import annotations

import tempfile
from datetime import date

from tests.bench.harness import Result, timed


def run(quick: bool) -> list[Result]:
    from apps.demo.generator import generate_company

    scale, years = (1, 2) if quick else (10, 5)
    with tempfile.TemporaryDirectory() as out:
        seconds, summary = timed(
            generate_company, out, seed=1, years=years, scale=scale, as_of=date(2026, 11, 27)
        )
    counts = summary.counts
    return [
        Result(
            name=f"Generate demo agency (scale {scale}, {years} years)",
            figure=round(seconds, 1), unit="s", target="< 120 s", passed=seconds < 120,
            reference="none (no equivalent generator to compare)",
            notes=(f"{counts['Invoice']} invoices, {counts['Bill']} bills, "
                   f"{counts['Purchase']} purchases, {counts['plaid_transactions']} bank txns"),
        )
    ]
