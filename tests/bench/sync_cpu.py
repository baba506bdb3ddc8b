"""CPU seconds per 10,000 entities of one full QBO sync, per process: ours (and each of our
threads), the other lanes' (forked processes, QBO_SYNC_LANES), the sandbox's (warmed first)
and our main Postgres backend's. For a shared, loaded
machine, where wall time says little (`make bench` measures wall time on a quiet one).

    python -m tests.bench.sync_cpu [--scale 2] [--years 2] [--dir /tmp/sync-cpu] [--profile]

The demo company is generated once into ``--dir`` and reused; every run syncs it into a new
business of the ``oodaloo_bench`` database (``OODALOO_BENCH_DB`` to choose another).
``--profile`` adds a cProfile of every thread (CPU time, not wall) to the output.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import threading
import time
import uuid
from pathlib import Path

from tests.bench.bench_sync_ingest import AS_OF, SEED, connected_business
from tests.bench.harness import setup_django

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children_cpu() -> float:
    """User + system CPU seconds of this process's children that have been waited for."""
    times = os.times()
    return times.children_user + times.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/sync-cpu"))
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    setup_django(fresh=False)
    from django.db import connection

    from apps.demo.generator.company import generate_company
    from apps.integrations.sync.qbo_sync import qbo_sync_run
    from apps.sandboxes.qbo.process import start_sandbox_process

    company = args.dir / f"s{args.scale}y{args.years}"
    if not (company / "qbo").exists():
        generate_company(str(company), seed=SEED, years=args.years, scale=args.scale,
                         as_of=AS_OF, real_books=True)
    threads: list[tuple[str, float, cProfile.Profile | None]] = []
    run_thread = threading.Thread.run

    def measured(self: threading.Thread) -> None:
        prof = cProfile.Profile(time.thread_time) if args.profile else None
        try:
            (prof.runcall if prof else lambda f, *a: f(*a))(run_thread, self)
        finally:
            threads.append((self.name, time.thread_time(), prof))

    threading.Thread.run = measured
    sandbox = start_sandbox_process(company / "qbo", faults="limits=off", persist=False,
                                    warm=True)
    try:
        business = connected_business(f"cpu-{uuid.uuid4().hex[:6]}", sandbox.base_url)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        prof = cProfile.Profile(time.thread_time) if args.profile else None
        ours, main_cpu, box, pg = (time.process_time(), time.thread_time(),
                                   process_cpu(sandbox.pid), process_cpu(backend))
        lane = _children_cpu()  # the full sync's other lanes, forked processes (qbo_lanes)
        started = time.perf_counter()
        run = prof.runcall(qbo_sync_run, business, full=True) if prof else qbo_sync_run(
            business, full=True)
        wall = time.perf_counter() - started
        per = 10_000 / max(1, sum(run.entities.values()))
        print(f"{sum(run.entities.values()):,} entities ({run.state}, {run.quarantined} "
              f"quarantined) in {wall:.2f} s wall; CPU s per 10k: ours "
              f"{(time.process_time() - ours) * per:.2f} "
              f"(main thread {(time.thread_time() - main_cpu) * per:.2f}, "
              + ", ".join(f"{name} {cpu * per:.2f}" for name, cpu, _ in threads)
              + f"), other lanes' processes {(_children_cpu() - lane) * per:.2f}"
              f" (their Postgres backends not counted)"
              f", sandbox {(process_cpu(sandbox.pid) - box) * per:.2f}, "
              f"postgres backend {(process_cpu(backend) - pg) * per:.2f}")
        for name, profile in [("main", prof), *[(n, p) for n, _, p in threads]]:
            if profile is not None:
                print(f"--- {name}")
                pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    finally:
        threading.Thread.run = run_thread
        sandbox.stop()


if __name__ == "__main__":
    main()
