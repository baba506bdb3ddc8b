"""`make drill`: try every reliability promise (docs/reliability.md). Each drill prints a one-line
verdict with its counts; the run exits non-zero if any drill fails."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from tests.bench.harness import setup_django

DRILLS = [
    "tests.drills.drill_isolation",
    "tests.drills.drill_bad_input",
    "tests.drills.drill_qbo_faults",
    "tests.drills.drill_worker_crash",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scale (CI)")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    setup_django()
    failed = 0
    for name in DRILLS:
        if args.only and not any(name.endswith(o) for o in args.only):
            continue
        short = name.rsplit(".", 1)[1]
        try:
            ok, line = importlib.import_module(name).run(quick=args.quick)
        except Exception:
            traceback.print_exc()
            ok, line = False, "crashed"
        print(f"{'PASS' if ok else 'FAIL'} {short}: {line}", flush=True)
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
