from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from apps.sandboxes.plaid import SandboxHandle, start_sandbox
from tests.integrations.plaid.bank_fixtures import write_bank


@pytest.fixture
def sandbox(tmp_path: Path, settings) -> Iterator[SandboxHandle]:
    handle = start_sandbox(write_bank(tmp_path / "bank"))
    settings.PLAID_HOST = handle.base_url
    yield handle
    handle.stop()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run tasks inline (a real .delay() through Celery's eager mode) so tests see the effect."""
    from oodaloo.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
