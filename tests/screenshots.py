"""Where tests put their pictures: an ignored folder, so `make test` never rewrites tracked files.
`make screenshots` (OODALOO_SCREENSHOTS=1) writes them to docs/screenshots/ for the README."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def screenshot_dir() -> Path:
    if os.environ.get("OODALOO_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots"
    else:
        target = ROOT / ".data" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    return target
