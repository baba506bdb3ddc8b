"""HTTP load for the page benchmark: `wrk` (the driver) and a Python closed loop (cross-check).

Both are *closed loops*: N connections, each sends its next request as soon as the previous
answer arrived (no think time), so N requests are always in flight and the server's queue is
what the latency shows.

wrk (Debian's, C, epoll) eats far less CPU than the server it loads, which matters on 2 cores.
A Lua script rotates the pages per connection, sends the Host header of the business and the
owner's session cookie, counts every answer that is not a 200 (a redirect to the sign-in page
would otherwise look like a fast page) and prints the latency percentiles as JSON.

The Python generator (`python -m tests.bench.http_load ...`, threads, one connection per
request like gunicorn's sync workers close it anyway) is kept as a cross-check: its figures
come from a different client and should tell the same story, slower client included.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.bench.harness import ROOT, median, p95

LUA = r"""
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  paths = args
  n = id  -- threads start at different pages
  bad = 0
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local non200 = 0
  for _, t in ipairs(threads) do non200 = non200 + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    '\nWRK-JSON {"requests": %d, "duration_us": %d, "non200": %d, "connect": %d, ' ..
    '"read": %d, "write": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, non200, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_run(port: int, host: str, cookie: str, paths: list[str], seconds: float,
            connections: int, threads: int = 2) -> dict:
    """One closed-loop wrk run over `paths` (rotated); latency in ms, throughput in req/s."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(min(threads, connections)), "-c", str(connections),
             "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", script.name,
             "-H", f"Host: {host}", "-H", f"Cookie: {cookie}",
             f"http://127.0.0.1:{port}", "--", *paths],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next(x for x in out.splitlines() if x.startswith("WRK-JSON "))
    raw = json.loads(line.removeprefix("WRK-JSON "))
    errors = raw["non200"] + raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    if not raw["requests"]:  # nothing answered within the run: latency is at least its length
        raw["p50_us"] = raw["p95_us"] = raw["p99_us"] = raw["max_us"] = raw["duration_us"]
    return {
        "requests": raw["requests"], "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50": round(raw["p50_us"] / 1000, 1), "p95": round(raw["p95_us"] / 1000, 1),
        "p99": round(raw["p99_us"] / 1000, 1), "max": round(raw["max_us"] / 1000, 1),
        "errors": errors, "non200": raw["non200"],
    }


# --- the Python cross-check (its own process) --------------------------------------------------


def _get(port: int, host: str, cookie: str, url: str) -> tuple[int, float]:
    import http.client

    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", url, headers={"Host": host, "Cookie": cookie})
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.perf_counter() - started
    finally:
        conn.close()


def _python_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--cookie", required=True)
    parser.add_argument("--connections", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    samples: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds

    def loop(n: int) -> None:
        i = n
        while time.monotonic() < stop_at:
            url = args.paths[i % len(args.paths)]
            i += 1
            try:
                status, seconds = _get(args.port, args.host, args.cookie, url)
            except OSError:
                status, seconds = 0, 30.0
            with lock:
                samples.append((url, status, seconds))

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(args.connections)]
    started = time.monotonic()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    json.dump({"elapsed": time.monotonic() - started, "samples": samples}, sys.stdout)


def python_run(port: int, host: str, cookie: str, paths: list[str], seconds: float,
               connections: int) -> dict:
    """The same closed loop from Python threads; per-path and overall latency (ms)."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.http_load", "--port", str(port), "--host", host,
         "--cookie", cookie, "--connections", str(connections), "--seconds", str(seconds),
         *paths],
        cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120, check=True,
    )
    data = json.loads(out.stdout)
    stats: dict[str, dict] = {}
    for url in [*paths, None]:
        rows = [s for s in data["samples"] if url is None or s[0] == url]
        times = [s[2] * 1000 for s in rows if s[1] == 200]
        stats[url or "_all"] = {
            "requests": len(rows), "errors": sum(1 for s in rows if s[1] != 200),
            "p50": round(median(times), 1) if times else None,
            "p95": round(p95(times), 1) if times else None,
        }
    ok = sum(1 for s in data["samples"] if s[1] == 200)
    stats["_all"]["rps"] = round(ok / data["elapsed"], 1)
    return stats


if __name__ == "__main__":
    _python_main(sys.argv[1:])
