"""QBO → ledger reference data (filled in below)."""


def register() -> None:
    pass
