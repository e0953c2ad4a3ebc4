"""Findings: problems in input, collected as values and printed as `location: message`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

ERROR = "fel"
WARNING = "varning"


@dataclass(frozen=True)
class Finding:
    level: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.level}: {self.message}"

    def as_dict(self) -> dict:
        return {"niva": self.level, "plats": self.location, "meddelande": self.message}


def error(location: str, message: str) -> Finding:
    return Finding(ERROR, location, message)


def warning(location: str, message: str) -> Finding:
    return Finding(WARNING, location, message)


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == ERROR]


class InputError(Exception):
    """Input that cannot be used; carries every finding, not just the first."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))


class UnreadableFile(InputError):
    """A file that cannot be opened as a workbook at all: exit 2 even in `invest validera`, where problems inside a
    workbook are findings (exit 1)."""
