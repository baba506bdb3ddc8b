"""Run the sandbox as a child process (drills that kill it, benchmarks on their own core)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]


class SandboxProcess:
    def __init__(self, proc: subprocess.Popen, info: dict) -> None:
        self.proc = proc
        self.pid = proc.pid
        self.realm: str = info["realm"]
        self.base_url: str = info["base_url"]
        self.api_base: str = info["api_base"]
        self.discovery_url: str = info["discovery_url"]

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM: clean shutdown that flushes writes."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: a crash, nothing flushed."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_sandbox_process(
    company_dir: str | Path,
    port: int = 0,
    realm: str | None = None,
    faults: str | None = None,
    *,
    host: str = "127.0.0.1",
    webhook_url: str | None = None,
    verifier_token: str | None = None,
    webhook_format: str = "cloudevents",
    persist: bool = True,
    warm: bool = False,
    python: str | None = None,
) -> SandboxProcess:
    args = [
        python or sys.executable,
        "-m",
        "apps.sandboxes.qbo",
        "--company",
        str(company_dir),
        "--port",
        str(port),
        "--host",
        host,
        "--webhook-format",
        webhook_format,
        "--ready-json",
    ]
    if realm:
        args += ["--realm", realm]
    if faults:
        args += ["--faults", faults]
    if webhook_url:
        args += ["--webhook-url", webhook_url]
    if verifier_token:
        args += ["--verifier-token", verifier_token]
    if not persist:
        args.append("--no-persist")
    if warm:
        args.append("--warm")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline() if proc.stdout else ""
    if not line:
        err = proc.stderr.read() if proc.stderr else ""
        proc.wait()
        raise RuntimeError(f"QBO sandbox did not start: {err.strip()}")
    return SandboxProcess(proc, json.loads(line))
