"""Command line: `python -m apps.sandboxes.plaid --bank DIR --port N [--faults SPEC]`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from .bank import BankDataError, BankLoadError
from .faults import FaultSpecError
from .server import start_sandbox


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Serve a bank directory as Plaid does.")
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bank", required=True, help="directory with accounts.json, transactions.json"
    )
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0 = any free)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--faults",
        default=None,
        help="e.g. latency=20,error500=0.1,ratelimit=0.05,seed=1,mutation=1,sync_per_min=50",
    )
    parser.add_argument("--client-id", default=None, help="require this PLAID-CLIENT-ID")
    parser.add_argument("--secret", default=None, help="require this PLAID-SECRET")
    parser.add_argument("--strict", action="store_true", help="refuse to start on rejected records")
    parser.add_argument("--verbose", action="store_true", help="log every request")


def run(options: argparse.Namespace, out=sys.stdout, err=sys.stderr) -> int:
    credentials = (options.client_id, options.secret) if options.client_id else None
    try:
        handle = start_sandbox(
            options.bank,
            options.port,
            options.faults,
            host=options.host,
            credentials=credentials,
            strict=options.strict,
            verbose=options.verbose,
        )
    except (BankLoadError, FaultSpecError) as exc:
        print(f"plaid sandbox: {exc}", file=err)
        return 2
    except BankDataError as exc:
        print("plaid sandbox: rejected records (--strict):", file=err)
        for problem in exc.problems:
            print(f"  {problem}", file=err)
        return 2
    report = handle.state.bank.load_report
    for problem in report["rejected"]:
        print(f"plaid sandbox: rejected {problem}", file=err)
    print(
        f"Plaid sandbox on {handle.base_url}: {report['accounts']} accounts, "
        f"{report['transactions']} transactions, {len(report['rejected'])} rejected",
        file=out,
        flush=True,
    )
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    stopped.wait()
    handle.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser("python -m apps.sandboxes.plaid").parse_args(argv))
