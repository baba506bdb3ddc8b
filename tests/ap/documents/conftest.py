"""Document tests: ``sandbox`` connects tenant_a to a QBO sandbox of its own (helpers.py)."""

import pytest

from tests.ap.documents.helpers import sandbox_for


@pytest.fixture
def sandbox(tenant_a, tmp_path, settings):
    """tenant_a connected to a QBO sandbox of its own (``sandbox_for``), no request limiter."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.QBO_LIMITER = False
    sb = sandbox_for(tenant_a, tmp_path)
    yield sb
    sb.stop()
