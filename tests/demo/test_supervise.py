"""`make demo`'s processes end with it (apps/demo/supervise.py): a SIGTERM to the demo, or one of
its processes exiting, ends every other one it started — nothing is left holding a port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]

# The demo's shape, with sleepers for the sandboxes and servers; prints the children's pids.
SCRIPT = """
import subprocess, sys
from apps.demo.supervise import Children
with Children() as children:
    for argv in {argv!r}:
        children.add(subprocess.Popen(argv))
    print(" ".join(str(p.pid) for p in children.procs), flush=True)
    children.wait()
print("stopped", flush=True)
"""


@pytest.fixture
def supervisor():
    """Start the script over the given commands; whatever is left is killed afterwards."""
    started: list[tuple[subprocess.Popen, list[int]]] = []

    def run(*argv: list[str]) -> tuple[subprocess.Popen, list[int]]:
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT.format(argv=list(argv))],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)
        started.append((proc, [int(pid) for pid in proc.stdout.readline().split()]))
        return started[-1]

    yield run
    for proc, pids in started:
        proc.kill()
        for pid in pids:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _gone(pids: list[int], within: float = 15) -> bool:
    deadline = time.monotonic() + within
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_alive(pid) for pid in pids)


def test_sigterm_ends_every_child_and_exits_cleanly(supervisor):
    proc, pids = supervisor(SLEEPER, SLEEPER)
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert proc.stdout.read().strip() == "stopped"
    assert _gone(pids), "a child outlived the demo"


def test_one_child_exiting_ends_the_others(supervisor):
    proc, pids = supervisor([sys.executable, "-c", "import time; time.sleep(1)"], SLEEPER)
    assert proc.wait(timeout=20) == 0
    assert _gone(pids)
