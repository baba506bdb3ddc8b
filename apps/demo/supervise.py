"""The demo's processes end with it: on Ctrl-C, on SIGTERM (`kill`, a process manager) and when
one of them exits. Python's default SIGTERM ends the process without running `finally`, which
left the sandboxes, web server and workers running and holding their ports."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Children:
    """Child processes that must not outlive this one; ``stoppers`` run after they are ended
    (e.g. a sandbox's own clean stop)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []
        self.stoppers: list[Callable[[], Any]] = []
        self._previous: Any = None

    def add(self, proc: subprocess.Popen) -> None:
        self.procs.append(proc)

    def wait(self) -> None:
        """Until one of the children exits (or SIGTERM / Ctrl-C)."""
        while all(proc.poll() is None for proc in self.procs):
            time.sleep(0.5)

    def __enter__(self) -> Children:
        self._previous = signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> bool:
        try:
            for proc in self.procs:
                if proc.poll() is None:
                    proc.terminate()
            for proc in self.procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            for stop in self.stoppers:
                stop()
        finally:
            signal.signal(signal.SIGTERM, self._previous)
        return kind is KeyboardInterrupt  # stopping on request is a normal end
