"""Command line: `python -m apps.sandboxes.qbo --company DIR --port N ...`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from . import paylinks
from .errors import SandboxLoadError
from .faults import parse_fault_spec
from .server import build_server


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--company", required=True, help="company directory of <Entity>.json files")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--realm", default=None, help="realm id (default: stable, from the company name)"
    )
    parser.add_argument(
        "--faults",
        default="",
        help="fault SPEC, e.g. "
        "latency=20,error503=0.1,timeout=0.05,drop=0.1,throttle=0.05,"
        "limits=off,seed=1",
    )
    parser.add_argument("--webhook-url", default=None)
    parser.add_argument("--verifier-token", default=None)
    parser.add_argument(
        "--webhook-format", default="cloudevents", choices=["cloudevents", "legacy"]
    )
    parser.add_argument("--no-persist", action="store_true", help="keep writes in memory only")
    parser.add_argument(
        "--ready-json",
        action="store_true",
        help="print one JSON line with realm and URLs once listening",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument(
        "--warm", action="store_true",
        help="encode every object's JSON before listening (benchmarks: no cold first read)",
    )


def serve(options: dict, out=sys.stdout) -> int:
    """Run until SIGINT/SIGTERM; flush on the way out. Returns an exit status."""
    try:
        parse_fault_spec(options.get("faults") or None)
        server = build_server(
            options["company"],
            port=options["port"],
            host=options["host"],
            realm=options.get("realm"),
            faults=options.get("faults") or None,
            webhook_url=options.get("webhook_url"),
            verifier_token=options.get("verifier_token"),
            webhook_format=options.get("webhook_format", "cloudevents"),
            persist=not options.get("no_persist"),
            verbose=options.get("verbose", False),
        )
    except (SandboxLoadError, ValueError, OSError) as exc:
        print(f"qbo_sandbox: {exc}", file=sys.stderr)
        return 2
    app = server.app
    if options.get("warm"):
        app.store.warm()
        paylinks.warm(app.store, app.realm)
    info = {
        "realm": app.realm,
        "base_url": app.base_url,
        "api_base": f"{app.base_url}/v3/company/{app.realm}",
        "discovery_url": f"{app.base_url}/.well-known/openid_configuration",
    }
    if options.get("ready_json"):
        _emit(out, json.dumps(info))
    else:
        _emit(
            out,
            f"QBO sandbox listening\n  realm:     {info['realm']}\n"
            f"  base URL:  {info['base_url']}\n  API base:  {info['api_base']}\n"
            f"  discovery: {info['discovery_url']}",
        )

    def stop(*_: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        app.stopping.set()
        server.server_close()
        app.close()
    return 0


def _emit(out, text: str) -> None:
    out.write(text + "\n")
    out.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qbo_sandbox", description="QBO v3 sandbox server")
    add_arguments(parser)
    return serve(vars(parser.parse_args(argv)))
