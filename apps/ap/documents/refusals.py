"""The two ways a file is refused: unusable (`DocumentRefused`), or over a parsing budget
(`BudgetExceeded`, which names the budget). `str(exc)` is the message for the person."""

from __future__ import annotations


class DocumentRefused(Exception):
    """The file cannot be used; `str(exc)` is the message for the sender."""


class BudgetExceeded(DocumentRefused):
    """A file that would take more than a parsing budget; `budget` names which one."""

    def __init__(self, name: str, budget: str, detail: str) -> None:
        self.budget = budget
        super().__init__(
            f"Refused: {name} exceeds the {budget} budget ({detail}). Nothing was read from "
            "it; please send a normal PDF export or a smaller scan."
        )
