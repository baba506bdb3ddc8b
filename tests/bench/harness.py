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

from tests.service_urls import (
    admin_connect_params,
    configured_database_url,
    database_url,
    with_database,
)

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
    # The repeated runs behind `figure` (the median): min, max and how many.
    low: float | None = None
    high: float | None = None
    runs: int | None = None
    reference_low: float | None = None
    reference_high: float | None = None


@dataclass
class Spread:
    """Median, min and max of repeated measurements (what every figure reports)."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: list[float], digits: int = 4) -> Spread:
        return cls(round(statistics.median(values), digits), round(min(values), digits),
                   round(max(values), digits), len(values))

    def fields(self) -> dict:
        """Keyword arguments for Result: figure (the median), low, high, runs."""
        return {"figure": self.median, "low": self.low, "high": self.high, "runs": self.runs}

    def reference(self) -> dict:
        return {"reference_figure": self.median, "reference_low": self.low,
                "reference_high": self.high}


def bench_database_name(default: str = "oodaloo_bench") -> str:
    """`OODALOO_BENCH_DB` names the database (tests give each run its own); else `default`."""
    return os.environ.get("OODALOO_BENCH_DB") or default


def bench_database_url(name: str | None = None) -> str:
    """The bench runs in its own database, created fresh, next to the configured one."""
    return with_database(configured_database_url(), name or bench_database_name())


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

    with psycopg.connect(**admin_params()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    """Remove a database made by a run (tests clean up after a subprocess run)."""
    import psycopg

    with psycopg.connect(**admin_params()) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def admin_params() -> dict:
    return admin_connect_params(configured_database_url())


def child_env(db_name: str) -> dict[str, str]:
    """Environment for running `tests.bench.run` / `tests.drills.run` as a subprocess from a
    test: the test settings' Postgres server and Redis, the run's own database `db_name`."""
    from django.conf import settings

    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url(settings.DATABASES["default"], db_name),
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


def write_results(results: list[Result], *, quick: bool, out_dir: Path = ROOT / "docs",
                  merge: bool = False, order: list[str] | None = None) -> None:
    """benchmarks.json, then benchmarks.md rendered from it (never written separately).

    Every row carries the date and load average of the run that measured it. With `merge`, the
    modules run now replace their own rows and the other modules' rows are kept as they were
    measured (in `order`, the registry's module order) — so one benchmark can be re-measured on
    a quiet machine without re-running hours of the others."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    rows = [asdict(r) for r in results]
    for row in rows:
        row["extra"].setdefault("measured", now)
        row["extra"].setdefault("measured_load", info["load_average"])
    target = out_dir / "benchmarks.json"
    if merge and target.exists():
        before = json.loads(target.read_text())
        if before.get("quick") != quick:
            raise SystemExit("--merge: the existing results are of the other mode")
        ran = {row["extra"].get("module") for row in rows}
        kept = [row for row in before["results"] if row["extra"].get("module") not in ran]
        for row in kept:
            row["extra"].setdefault("measured", before["date"])
            row["extra"].setdefault("measured_load", before["machine"].get("load_average"))
        rank = {name: i for i, name in enumerate(order or [])}
        rows = sorted(kept + rows, key=lambda r: rank.get(r["extra"].get("module"), len(rank)))
    payload = {"date": now, "quick": quick, "machine": info, "results": rows}
    (out_dir / "benchmarks.json").write_text(json.dumps(payload, indent=2, default=str) + "\n")
    (out_dir / "benchmarks.md").write_text(render_markdown(payload))


def _num(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _with_spread(value: float, low: float | None, high: float | None, runs: int | None) -> str:
    if low is None or high is None:
        return _num(value)
    return f"{_num(value)} ({_num(low)}–{_num(high)}{f', n={runs}' if runs else ''})"


VERDICTS = {True: "pass", False: "**FAIL**", None: "no target"}


def render_markdown(payload: dict) -> str:
    """docs/benchmarks.md from the JSON payload: every figure in it comes from the JSON
    (tests/bench/test_benchmarks_doc.py checks the committed pair matches)."""
    info = payload["machine"]
    load = info.get("load_average")
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` from `benchmarks.json` (do not edit by hand). "
        "`make bench-quick` runs the same at small scale. "
        f"Last run: {payload['date']}, {'quick' if payload['quick'] else 'full'} mode, on "
        f"{info['cores']} cores / {info['memory']}, Python {info['python']}"
        + (f"; load average at the end {load[0]:g} / {load[1]:g} / {load[2]:g} (1/5/15 min)"
           if load else "") + "."
        + (" Rows were measured in more than one run (`--merge`): each note says when and at "
           "what load." if len(_measured(payload)) > 1 else ""),
        "",
        "Each figure is the median of the runs shown as (min–max, n=runs); the reference is "
        "measured in the same run, the same way.",
        "",
        "| benchmark | figure | reference (same run) | ratio | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in payload["results"]:
        figure = _with_spread(r["figure"], r.get("low"), r.get("high"), r.get("runs"))
        if r["reference_figure"] is not None:
            ref = f"{r['reference']}: " + _with_spread(
                r["reference_figure"], r.get("reference_low"), r.get("reference_high"), None)
        else:
            ref = r["reference"] or "—"
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "—"
        target = r["target"] if r["target"] not in ("", "—") else "no target"
        lines.append(f"| {r['name']} | {figure} {r['unit']} | {ref} | {ratio} | {target} | "
                     f"{VERDICTS[r['passed']]} |")
    mixed = len(_measured(payload)) > 1
    notes = [r for r in payload["results"] if r["notes"] or mixed]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- **{r['name']}**: {_when(r) if mixed else ''}{r['notes']}" for r in notes]
    return "\n".join(lines) + "\n"


def _measured(payload: dict) -> set:
    return {r.get("extra", {}).get("measured", payload["date"]) for r in payload["results"]}


def _when(row: dict) -> str:
    extra = row.get("extra", {})
    load = extra.get("measured_load") or []
    return (f"(measured {extra.get('measured')}"
            + (", load average " + " / ".join(f"{x:g}" for x in load) if load else "")
            + ") ")
