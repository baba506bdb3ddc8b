"""`make bench` / `make bench-quick`: run every benchmark and write docs/benchmarks.{md,json}."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from tests.bench.harness import Result, setup_django, write_results

# Each module exposes run(quick: bool) -> list[Result]. Order: cheap first.
BENCHMARKS = [
    "tests.bench.bench_provisioning",
    "tests.bench.bench_demo_generator",
    "tests.bench.bench_sync_ingest",
    "tests.bench.bench_runway",
    "tests.bench.bench_pages",
    "tests.bench.bench_digest",
    "tests.bench.bench_plaid_matching",
    "tests.bench.bench_documents",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scale (CI)")
    parser.add_argument("--only", nargs="*", help="module suffixes to run, e.g. provisioning")
    args = parser.parse_args()
    setup_django()
    results: list[Result] = []
    failed = False
    for name in BENCHMARKS:
        if args.only and not any(name.endswith(o) for o in args.only):
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            results.append(Result(name=name.rsplit(".", 1)[1], figure=0, unit="", target="—",
                                  passed=None, notes="benchmark not written yet"))
            continue
        try:
            got = module.run(args.quick)
        except Exception:  # a broken benchmark is reported, the rest still run
            traceback.print_exc()
            got = [Result(name=name.rsplit(".", 1)[1], figure=0, unit="", target="—",
                          passed=False, notes="benchmark crashed (see log)")]
        for r in got:
            print(f"{'PASS' if r.passed else 'FAIL' if r.passed is False else '----'} "
                  f"{r.name}: {r.figure} {r.unit} (target {r.target})", flush=True)
            failed |= r.passed is False
        results.extend(got)
    write_results(results, quick=args.quick)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
