"""Untrusted files are parsed in a separate, limited process (`apps.ap.documents.reader`).

The web and worker processes never open a received file with a parser: they hand its bytes to a
fresh child that caps its own memory (RLIMIT_AS), CPU seconds and output size, with a wall-clock
limit enforced here, a minimal environment (no secrets, no database), and its own process group
(so a stuck Tesseract dies with it). What a child does to itself — running out of memory,
crashing, looping — becomes a `BudgetExceeded` refusal for that one file; the caller's process
lives on. Budgets: `apps.ap.documents.limits.Limits`; docs/documents.md "Budgets".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from apps.ap.documents.limits import Limits
from apps.ap.documents.reader import MEMORY_EXIT, OUTPUT_EXIT
from apps.ap.documents.refusals import BudgetExceeded, DocumentRefused

ROOT = Path(__file__).resolve().parents[3]
_POLL_S = 0.02


class ReaderFailed(RuntimeError):
    """The reader stopped with an ordinary error (a parser bug): not the file's fault."""


@dataclass
class ReaderRun:
    """What one child cost: the drill and the logs quote these."""

    seconds: float = 0.0
    peak_rss_bytes: int = 0
    exit: str = ""


@dataclass
class ReadResult:
    content_type: str
    pages: int
    method: str
    note: str
    lines: list[list] = field(default_factory=list)
    run: ReaderRun = field(default_factory=ReaderRun)


def _child_env(tmp: str, name: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": tmp,
           "TMPDIR": tmp, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1",
           "OMP_THREAD_LIMIT": "1", "READER_FILE_NAME": name}
    if os.environ.get("TESSDATA_PREFIX"):
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    return env


def _high_water_kb(pid: int) -> int:
    """The child's peak resident memory so far (VmHWM). Read from /proc while it runs: the
    rusage figure after exit also counts the parent's memory at fork (Linux keeps maxrss
    across exec), so it would overstate a small child."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _wait(proc: subprocess.Popen, wall_s: float) -> tuple[int | None, int]:
    """Reap the child or kill its group at the wall limit. Returns (exit code or None when
    killed for time, peak resident kB seen)."""
    deadline = time.monotonic() + wall_s
    peak = 0
    while True:
        peak = max(peak, _high_water_kb(proc.pid))
        pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, peak
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
            return None, peak
        time.sleep(_POLL_S)


def _verdict(code: int | None, stderr: bytes, name: str, limits: Limits, wall_s: float) -> None:
    """Raise the refusal (or failure) a non-zero end of the child means."""
    mb = limits.reader_memory_bytes // 1048576
    if code is None:
        raise BudgetExceeded(name, "time", f"reading took longer than {wall_s:.0f} s")
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and b"MemoryError" not in stderr):
        raise BudgetExceeded(name, "time", f"more than {limits.reader_cpu_s} s of CPU")
    if code in (OUTPUT_EXIT, -signal.SIGXFSZ):
        raise BudgetExceeded(name, "output", "the reader's output passed "
                                             f"{limits.reader_output_bytes:,} bytes")
    if code == MEMORY_EXIT or b"MemoryError" in stderr or b"bad_alloc" in stderr or code < 0:
        # Native parsers (pdfium, Tesseract) die by a signal when an allocation fails.
        raise BudgetExceeded(name, "memory", f"the reader needed more than {mb} MB"
                             + (f"; it stopped with signal {-code}" if code < 0 else ""))
    tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
    raise ReaderFailed(f"the reader stopped with status {code}: {tail[0][:200]}")


def _run(args: list[str], data: bytes, name: str, limits: Limits,
         wall_s: float) -> tuple[bytes, ReaderRun]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="oodaloo-reader-") as tmp:
        source = Path(tmp) / "input"
        source.write_bytes(data)
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "apps.ap.documents.reader", args[0], str(source),
                 json.dumps(limits.as_json()), *args[1:]],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=str(ROOT),
                env=_child_env(tmp, name), start_new_session=True,
            )
            code, peak_kb = _wait(proc, wall_s)
        run = ReaderRun(seconds=round(time.monotonic() - started, 3),
                        peak_rss_bytes=peak_kb * 1024, exit=str(code))
        stderr = err_path.read_bytes()[-4000:]
        if code != 0:
            try:
                _verdict(code, stderr, name, limits, wall_s)
            except Exception as exc:
                exc.run = run  # what the refused child cost (the drill quotes it)
                raise
        output = out_path.read_bytes()
    return output, run


def _refusal_in(output: bytes, run: ReaderRun) -> None:
    """Raise the refusal the child answered with, if it did."""
    if output[:1] != b"{":
        return
    payload = json.loads(output)
    if "refused" in payload:
        refusal = DocumentRefused(payload["refused"])
        if payload.get("budget"):
            refusal = BudgetExceeded.__new__(BudgetExceeded)
            DocumentRefused.__init__(refusal, payload["refused"])
            refusal.budget = payload["budget"]
        refusal.run = run
        raise refusal


def isolated_read(data: bytes, *, name: str, limits: Limits) -> ReadResult:
    """Check a file and take its text in a limited child. Raises `DocumentRefused` (or
    `BudgetExceeded`) for files we will not use, `ReaderFailed` for a parser bug."""
    output, run = _run(["read"], data, name, limits, limits.reader_wall_s)
    _refusal_in(output, run)
    payload = json.loads(output)
    return ReadResult(content_type=payload["content_type"], pages=payload["pages"],
                      method=payload["method"], note=payload["note"], lines=payload["lines"],
                      run=run)


def isolated_render(data: bytes, *, page: int, dpi: int, limits: Limits,
                    name: str = "the file") -> bytes:
    """One page as PNG, rendered in a limited child (the staff preview)."""
    output, run = _run(["render", str(page), str(dpi)], data, name, limits,
                       limits.preview_wall_s)
    _refusal_in(output, run)
    return output
