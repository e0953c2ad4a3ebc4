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
        """One line `location: level: message`; a control character from the input (a line break in an id) is
        shown as an escape, so that no text from a sheet can start a line of its own that reads as another
        finding."""
        return f"{visible(self.location)}: {self.level}: {visible(self.message)}"

    def as_dict(self) -> dict:
        return {"niva": self.level, "plats": self.location, "meddelande": self.message}


_ESCAPES = {**{c: f"\\x{c:02x}" for c in [*range(0x20), 0x7f]}, 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t",
            0x85: "\\x85", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def visible(text: str) -> str:
    """`text` on one line: control characters and line separators as escapes (\\n, \\x1b, …)."""
    return str(text).translate(_ESCAPES)


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
