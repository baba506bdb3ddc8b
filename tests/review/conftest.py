"""Review queue tests share the document tests' QBO sandbox fixture."""

from tests.ap.documents.conftest import sandbox  # noqa: F401 — a fixture
