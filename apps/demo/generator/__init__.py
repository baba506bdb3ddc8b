"""Demo agency generator: a seeded service agency as a QBO company directory (v3 wire JSON)
plus a Plaid bank directory. Pure Python; the management command is a thin wrapper."""

from .company import Summary, build_ledger, generate_company

__all__ = ["Summary", "build_ledger", "generate_company"]
