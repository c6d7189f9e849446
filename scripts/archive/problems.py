"""Problems found in the data, reported to the editor all at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake in one place, in words an editor can act on.

    `message` says what was found, `expected` what the archive accepts there, `fix` what to do.
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str
    fix: str = ""
    expected: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        if self.expected:
            text += f"\n    Expected: {self.expected}"
        if self.fix:
            text += f"\n    How to fix: {self.fix}"
        return text

    def sort_key(self) -> tuple:
        """File by file, then in the order of the lines (problems without a line first)."""
        return (self.file, self.line or 0, self.column or 0, self.field, self.message)


class ArchiveProblems(Exception):
    """Raised once, with every problem of the run, when the data cannot be published."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(dict.fromkeys(problems), key=Problem.sort_key)
        super().__init__(self.report())

    def report(self, outcome: str = "nothing was built") -> str:
        """Every problem, under a first line that says what the command did not do because of them
        (`{them}` in `outcome` is "it" for one problem)."""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"The archive data has {count} {noun}; {outcome.format(them='it' if count == 1 else 'them')}."]
        lines += [str(problem) for problem in self.problems]
        return "\n".join(lines)
