"""A real SMTP server process for the digest benchmark (aiosmtpd): accepts every message and
appends one line per message to a log — arrival time (epoch seconds), the X-Oodaloo-Digest (or
X-Oodaloo-Reminder) header, recipients, size — so a benchmark can count deliveries and time the
last one.

    python -m tests.bench.smtp_sink LOGFILE     # prints "PORT <n>" once listening on 127.0.0.1:0
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.harness import ROOT

DIGEST_HEADER = re.compile(rb"^X-Oodaloo-(?:Digest|Reminder):\s*(\S+)",
                           re.MULTILINE | re.IGNORECASE)


class _Handler:
    def __init__(self, log: Path) -> None:
        self.out = log.open("a", buffering=1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        found = DIGEST_HEADER.search(envelope.original_content or envelope.content)
        key = found.group(1).decode() if found else "-"
        self.out.write(f"{time.time():.6f} {key} {','.join(envelope.rcpt_tos)} "
                       f"{len(envelope.content)}\n")
        return "250 Message accepted"


def _serve(log: Path) -> None:
    from aiosmtpd.controller import Controller

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(_Handler(log), hostname="127.0.0.1", port=port,
                            data_size_limit=20 * 1024 * 1024)
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


class SmtpSink:
    """The sink as a child process; `port`, `received()` lines, `stop()`."""

    def __init__(self, log: Path) -> None:
        self.log = log
        log.write_text("")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.bench.smtp_sink", str(log)],
                                     cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"SMTP sink did not start: {line!r}")
        self.port = int(line.split()[1])

    def received(self) -> list[tuple[float, str]]:
        rows = []
        for line in self.log.read_text().splitlines():
            at, key, *_ = line.split(" ")
            rows.append((float(at), key))
        return rows

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


if __name__ == "__main__":
    _serve(Path(sys.argv[1]))
