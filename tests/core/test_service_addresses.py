"""Tests, benchmarks and drills take Postgres/Redis addresses from settings (`DATABASE_URL`,
`REDIS_URL`, the embedded `.data/env`) — a literal address would test whatever happens to listen
there (a system service on CI) instead of what the README promises. Loopback HTTP servers the
tests start themselves (port 0) are not service addresses."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

# A Redis/Postgres address this machine could answer: a service URL whose host is loopback, empty
# (libpq's default socket) or a socket path; a loopback host with a Redis/Postgres port; a port
# keyword with one; a system socket directory. A fake remote host handed to the production
# settings check (`db.internal:5432`) is nothing a test connects to. URLs built from settings
# (`f"redis://{head}/{db}"`) are fine.
LOOPBACK = r"(?:127\.\d+\.\d+\.\d+|localhost|0\.0\.0\.0|\[::1\])"
SERVICE_ADDRESS = re.compile(
    r"(?:redis|rediss|postgres|postgresql)://(?:[^@/\s\"'{}]*@)?"
    r"(?:" + LOOPBACK + r"|%2[Ff]|/|(?=[/?]))"
    r"|(?:unix|redis\+socket)://[^\"'{}\s]"
    r"|" + LOOPBACK + r"[\"']?\s*[:,]\s*(?:5432|6379)(?!\d)"
    r"|\bport\s*=\s*(?:5432|6379)(?!\d)"
    r"|/(?:var/)?run/postgresql|/tmp/\.s\.PGSQL"
)


def literal_addresses(text: str) -> list[str]:
    return [m.group(0) for m in SERVICE_ADDRESS.finditer(text)]


def test_the_pattern_catches_what_it_should():
    for bad in ('"redis://127.0.0.1:6379/0"', "'postgres://postgres@localhost/x'",
                '"postgres://postgres@/oodaloo"', '"postgresql://u@%2Ftmp%2Fpg/db"',
                "port=5432", "('127.0.0.1', 6379)", '"localhost:6379"',
                "unix:///x.sock", "/var/run/postgresql"):
        assert literal_addresses(bad), bad
    for fine in ('f"redis://{head}/{db}"', 'url.startswith("redis://")', '("127.0.0.1", 0)',
                 'Decimal("5432.10")', '"http://127.0.0.1:9"',
                 '"postgres://oodaloo:pw@db.internal:5432/oodaloo"'):
        assert not literal_addresses(fine), fine


def test_no_test_bench_or_drill_source_names_a_service_address():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.resolve() == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for hit in literal_addresses(line):
                offenders.append(f"{path.relative_to(TESTS.parent)}:{number}: {hit}")
    assert offenders == [], "take it from settings:\n" + "\n".join(offenders)
