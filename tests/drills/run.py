"""`make drill`: try every reliability promise (docs/reliability.md). Each drill prints a one-line
verdict with its counts; the run exits non-zero if any drill fails.

Runs in its own database (`oodaloo_drill`, recreated; `OODALOO_BENCH_DB` overrides the name).
The verdicts are also written to `drills.json`: in docs/ after a full run, or in `--out DIR`
(CI runs quick mode there, so the committed full figures stay untouched).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.harness import ROOT, bench_database_name, machine, setup_django

DRILLS = [
    "tests.drills.drill_isolation",
    "tests.drills.drill_bad_input",
    "tests.drills.drill_qbo_faults",
    "tests.drills.drill_worker_crash",
    "tests.drills.drill_reminder_crash",
    "tests.drills.drill_accounts",
]


def write_verdicts(rows: list[dict], *, quick: bool, out_dir: Path) -> Path:
    """Write this run's verdicts; drills not run this time (`--only`) keep their last row."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "drills.json"
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = [{**row, "date": now, "quick": quick} for row in rows]
    if path.exists():
        try:
            previous = json.loads(path.read_text()).get("drills", [])
        except ValueError:
            previous = []
        ran = {row["drill"] for row in rows}
        rows = [row for row in previous if row.get("drill") not in ran] + rows
    rows.sort(key=lambda row: [d.rsplit(".", 1)[1] for d in DRILLS].index(row["drill"])
              if row["drill"] in {d.rsplit(".", 1)[1] for d in DRILLS} else len(DRILLS))
    payload = {"date": now, "machine": machine(), "drills": rows}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scale (CI)")
    parser.add_argument("--only", nargs="*", help="drill suffixes, e.g. isolation bad_input")
    parser.add_argument("--out", type=Path, help="write drills.json here (default: docs/ after "
                                                  "a full run, nowhere after a quick one)")
    args = parser.parse_args(argv)
    setup_django(db_name=bench_database_name("oodaloo_drill"))
    failed = 0
    rows = []
    for name in DRILLS:
        if args.only and not any(name.endswith(o) for o in args.only):
            continue
        short = name.rsplit(".", 1)[1]
        started = time.perf_counter()
        try:
            ok, line = importlib.import_module(name).run(quick=args.quick)
        except Exception:
            traceback.print_exc()
            ok, line = False, "crashed"
        print(f"{'PASS' if ok else 'FAIL'} {short}: {line}", flush=True)
        rows.append({"drill": short, "passed": ok, "verdict": line,
                     "seconds": round(time.perf_counter() - started, 1)})
        failed += not ok
    out = args.out or (None if args.quick else ROOT / "docs")
    if out is not None:
        write_verdicts(rows, quick=args.quick, out_dir=out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
