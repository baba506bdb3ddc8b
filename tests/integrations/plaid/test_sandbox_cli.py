"""The sandbox as its own process: `python -m apps.sandboxes.plaid`."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from apps.integrations.plaid.client import PlaidClient
from apps.sandboxes.plaid import SandboxControl

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ENTRY_POINTS = {
    "module": [sys.executable, "-m", "apps.sandboxes.plaid"],
    "manage.py": [sys.executable, "manage.py", "plaid_sandbox"],
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_entry_points_serve_and_flush(bank_dir: Path, entry: str) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [
            *ENTRY_POINTS[entry],
            "--bank",
            str(bank_dir),
            "--port",
            str(port),
            "--faults",
            "latency=1,seed=3",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()  # printed once the port is bound
        assert f"127.0.0.1:{port}" in banner and "14 transactions" in banner
        client = PlaidClient(f"http://127.0.0.1:{port}", "c", "s")
        access_token, _ = client.exchange_public_token(client.sandbox_public_token())
        assert len(client.sync_transactions(access_token).added) == 14
        control = SandboxControl(f"http://127.0.0.1:{port}")
        assert control.remove_transactions(["t01"]) == ["t01"]
        assert control.flush() == str(bank_dir)
        saved = json.loads((bank_dir / "transactions.json").read_text())["transactions"]
        assert len(saved) == 13
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_bad_bank_directory_exits_with_message(tmp_path: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "apps.sandboxes.plaid",
            "--bank",
            str(tmp_path / "x"),
            "--port",
            "0",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert time.monotonic() - started < 30
