"""`make bench` / `make bench-quick`: run every benchmark and write docs/benchmarks.{md,json}.

`--out DIR` writes the results there instead (CI runs quick mode without touching the committed
full figures). Exit status: full mode fails on a missed target or a crash; quick mode fails only
when a benchmark crashes (targets are set for full scale, so at small scale they inform).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from pathlib import Path

from tests.bench.harness import ROOT, Result, setup_django, write_results

CRASHED = "benchmark crashed (see log)"

# Each module exposes run(quick: bool) -> list[Result]. Order: cheap first.
BENCHMARKS = [
    "tests.bench.bench_provisioning",
    "tests.bench.bench_demo_generator",
    "tests.bench.bench_sync_ingest",
    "tests.bench.bench_runway",
    "tests.bench.bench_pages",
    "tests.bench.bench_digest",
    "tests.bench.bench_reminders",
    "tests.bench.bench_automation",
    "tests.bench.bench_plaid_matching",
    "tests.bench.bench_documents",
    "tests.bench.bench_firm_portfolio",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scale (CI)")
    parser.add_argument("--only", nargs="*", help="module suffixes to run, e.g. provisioning")
    parser.add_argument("--merge", action="store_true",
                        help="with --only: keep the other modules' rows of the existing results")
    parser.add_argument("--out", type=Path, default=ROOT / "docs",
                        help="directory for benchmarks.{md,json} (default docs/)")
    args = parser.parse_args()
    setup_django()
    results: list[Result] = []
    missed = crashed = False
    for name in BENCHMARKS:
        if args.only and not any(name.endswith(o) for o in args.only):
            continue
        short = name.rsplit(".", 1)[1]
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            results.append(Result(name=short, figure=0, unit="", target="—", passed=None,
                                  notes="benchmark not written yet", extra={"module": short}))
            continue
        try:
            got = module.run(args.quick)
        except Exception:  # a broken benchmark is reported, the rest still run
            traceback.print_exc()
            got = [Result(name=short, figure=0, unit="", target="—", passed=False,
                          notes=CRASHED)]
            crashed = True
        for r in got:
            r.extra.setdefault("module", short)  # lets CI check every module reported
            print(f"{'PASS' if r.passed else 'FAIL' if r.passed is False else '----'} "
                  f"{r.name}: {r.figure} {r.unit} (target {r.target})", flush=True)
            missed |= r.passed is False
        results.extend(got)
    write_results(results, quick=args.quick, out_dir=args.out, merge=args.merge,
                  order=[name.rsplit(".", 1)[1] for name in BENCHMARKS])
    if crashed or (missed and not args.quick):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
