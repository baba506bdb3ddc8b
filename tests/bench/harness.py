"""Benchmark harness: a fresh bench database, timing helpers, and the results writer.

Every figure is compared with a reference measured in the same run wherever one exists.
Results go to docs/benchmarks.md (for people) and docs/benchmarks.json (for machines).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    name: str
    figure: float
    unit: str
    target: str
    passed: bool | None
    reference: str = ""
    reference_figure: float | None = None
    ratio: float | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict)


def bench_database_name(default: str = "oodaloo_bench") -> str:
    """`OODALOO_BENCH_DB` names the database (tests give each run its own); else `default`."""
    return os.environ.get("OODALOO_BENCH_DB") or default


def bench_database_url(name: str | None = None) -> str:
    """The bench runs in its own database, created fresh, next to the configured one."""
    import oodaloo.settings.env  # noqa: F401  (loads .data/env: the embedded services' URLs)

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oodaloo")
    head, _, _ = base.rpartition("/")
    return f"{head}/{name or bench_database_name()}"


def setup_django(fresh: bool = True, db_name: str | None = None) -> None:
    """Point Django at a fresh bench database (`db_name`, default `oodaloo_bench`)."""
    name = db_name or bench_database_name()
    # Before anything imports `oodaloo` (its celery module defaults to production settings).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.bench")
    os.environ["DATABASE_URL"] = bench_database_url(name)
    import django

    if fresh:
        _recreate_database(name)
    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", shared=True, verbosity=0)
    call_command("setup_tenancy", verbosity=0)


def _recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(**_admin_params()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    """Remove a database made by a run (tests clean up after a subprocess run)."""
    import psycopg

    with psycopg.connect(**_admin_params()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_params() -> dict:
    from urllib.parse import unquote

    from oodaloo.settings.env import env

    cfg = env.db_url_config(os.environ.get("DATABASE_URL",
                                           "postgres://postgres@127.0.0.1:5432/oodaloo"))
    params = {"user": cfg["USER"] or "postgres", "host": unquote(cfg["HOST"] or "127.0.0.1"),
              "dbname": "postgres", "autocommit": True}
    if cfg.get("PASSWORD"):
        params["password"] = cfg["PASSWORD"]
    if cfg.get("PORT"):
        params["port"] = cfg["PORT"]
    return params


def child_env(db_name: str) -> dict[str, str]:
    """Environment for running `tests.bench.run` / `tests.drills.run` as a subprocess from a
    test: the test settings' Postgres server and Redis, the run's own database `db_name`."""
    from urllib.parse import quote

    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "127.0.0.1", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"postgres://{auth}@{host}{port}/{db_name}",
        "REDIS_URL": settings.REDIS_URL,
        "OODALOO_BENCH_DB": db_name,
        "DJANGO_SETTINGS_MODULE": "oodaloo.settings.bench",
        "PYTHONPATH": str(ROOT),
    })
    return env


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> dict:
    try:
        cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        cpu = "?"
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) // 1024 // 1024} GiB"
    except OSError:
        pass
    return {"cores": cpu, "memory": mem, "python": platform.python_version(),
            "platform": platform.platform()}


def write_results(results: list[Result], *, quick: bool, out_dir: Path = ROOT / "docs") -> None:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    rows = [asdict(r) for r in results]
    payload = {"date": now, "quick": quick, "machine": info, "results": rows}
    (out_dir / "benchmarks.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    lines = [
        "# Benchmarks",
        "",
        f"Run `make bench` (full) or `make bench-quick` (small scale, as in CI). Last run: {now}, "
        f"{'quick' if quick else 'full'} mode, on {info['cores']} cores / {info['memory']}, "
        f"Python {info['python']}.",
        "",
        "| benchmark | figure | reference (same run) | ratio | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        ref = f"{r.reference}: {r.reference_figure:g}" if r.reference_figure is not None else (
            r.reference or "—")
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        verdict = {True: "pass", False: "**FAIL**", None: "not measured"}[r.passed]
        lines.append(
            f"| {r.name} | {r.figure:g} {r.unit} | {ref} | {ratio} | {r.target} | {verdict} |"
        )
    notes = [r for r in results if r.notes]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- **{r.name}**: {r.notes}" for r in notes]
    (out_dir / "benchmarks.md").write_text("\n".join(lines) + "\n")
