"""The project's own documentation is what the tool cites: every `docs/<fil>.md §N` cited in the package,
cli.py, models/, README.md, docs/ and tests/ exists (the file, and a heading for section N), and nothing the
tool prints or writes cites a file a user does not have (the team's working notes, the budget's text file)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# A citation: docs/<fil>.md, optionally in backticks, optionally followed by §N, §N.M or a range §N–M.
SECTION = r"\d+(?:\.\d+)*"
CITATION = re.compile(rf"docs/([A-Za-z0-9_\-]+\.md)`?(?:[ \t]*§[ \t]*({SECTION})(?:[ \t]*[–-][ \t]*({SECTION}))?)?")
BARE_SECTION = re.compile(rf"(?<![\w.])§[ \t]*({SECTION})(?:[ \t]*[–-][ \t]*({SECTION}))?")
HEADING = re.compile(rf"^#{{2,6}}[ \t]+({SECTION})\.?[ \t]", re.MULTILINE)
# What a user never has: the team's notes outside the repository and the budget as a numbered text file.
FORBIDDEN = (
    ("seeds/", re.compile(r"seeds/")),
    ("../shared", re.compile(r"\.\./shared")),
    ("berakningsmodell.md utan docs/", re.compile(r"(?<!docs/)berakningsmodell\.md")),
)


def _files(*patterns: str) -> list[Path]:
    found = []
    for pattern in patterns:
        found += sorted(p for p in ROOT.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    return found


def citing_files() -> list[Path]:
    files = _files("invest/**/*.py", "cli.py", "models/**/*.yaml", "models/**/*.md", "README.md", "docs/*.md",
                   "tests/**/*.py", "tests/**/*.yaml")
    return [p for p in files if p.resolve() != Path(__file__).resolve()]


def tool_files() -> list[Path]:
    """Everything the tool prints or writes comes from these: messages, notes, the parameters' sources."""
    return _files("invest/**/*.py", "cli.py", "models/**/*.yaml", "models/**/*.md")


def _where(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def headings(path: Path) -> set[str]:
    return set(HEADING.findall(path.read_text(encoding="utf-8")))


def _section_problems(doc: Path, first: str, last: str | None) -> list[str]:
    """Missing sections of `doc` for §first or §first–last (every whole section in a whole-number range)."""
    have = headings(doc)
    wanted = [first] if last is None else [first, last]
    if last is not None and first.isdigit() and last.isdigit():
        wanted = [str(n) for n in range(int(first), int(last) + 1)]
    return [f"§{n}" for n in wanted if n not in have]


def citations(path: Path) -> list[tuple[int, str, str | None, str | None]]:
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2), m.group(3)) for m in CITATION.finditer(text)]


def problems_in(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        for line, name, first, last in citations(path):
            where = f"{_where(path)}:{line}"
            doc = DOCS / name
            if not doc.is_file():
                out.append(f"{where}: docs/{name} finns inte")
            elif first is not None:
                out += [f"{where}: docs/{name} har ingen rubrik för {s}" for s in _section_problems(doc, first, last)]
    return out


def bare_problems(doc: Path) -> list[str]:
    """A bare §N inside docs/<fil>.md refers to that file's own sections."""
    text = CITATION.sub(lambda m: " " * len(m.group(0)), doc.read_text(encoding="utf-8"))
    out = []
    for m in BARE_SECTION.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out += [f"{_where(doc)}:{line}: ingen rubrik för {s}"
                for s in _section_problems(doc, m.group(1), m.group(2))]
    return out


def forbidden_in(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            out += [f"{_where(path)}:{number}: {what}: {line.strip()}"
                    for what, pattern in FORBIDDEN if pattern.search(line)]
    return out


def test_the_documentation_exists_with_numbered_sections():
    for name in ("berakningsmodell.md", "anvandarguide.md"):
        assert (DOCS / name).is_file(), f"docs/{name} saknas"
        assert {"1", "2", "3"} <= headings(DOCS / name), f"docs/{name} har inte numrerade avsnitt (## 1 …)"


def test_every_cited_docs_section_exists():
    paths = citing_files()
    cited = [c for p in paths for c in citations(p)]
    assert any(name == "berakningsmodell.md" and first for _, name, first, _ in cited), \
        "hittade inga citat av docs/berakningsmodell.md §N (har mönstret slutat matcha?)"
    problems = problems_in(paths)
    assert not problems, "citat av docs/ som inte finns:\n" + "\n".join(problems)


def test_every_bare_section_reference_inside_docs_exists():
    problems = [p for doc in sorted(DOCS.glob("*.md")) for p in bare_problems(doc)]
    assert not problems, "\n".join(problems)


def test_nothing_the_tool_prints_cites_a_file_the_user_does_not_have():
    problems = forbidden_in(tool_files())
    assert not problems, "källor som användaren inte har:\n" + "\n".join(problems)


# The checks above must be able to fail: each of them on a planted bad citation.

@pytest.mark.parametrize("text, expected", [
    ("se docs/berakningsmodell.md §99", "har ingen rubrik för §99"),
    ("se `docs/berakningsmodell.md` §4.9", "har ingen rubrik för §4.9"),
    ("se docs/berakningsmodell.md §8–17", "har ingen rubrik för §15"),
    ("se docs/finns_inte.md", "docs/finns_inte.md finns inte"),
])
def test_a_bad_citation_is_found(tmp_path, text, expected):
    planted = tmp_path / "modul.py"
    planted.write_text(f'"""{text}"""\n', encoding="utf-8")
    problems = problems_in([planted])
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("text", ["kalla: Budget 2026 (seeds/004_x.txt rad 4224)", "se ../shared/docs/x.md",
                                  "kalla: berakningsmodell.md §4"])
def test_a_forbidden_source_is_found(tmp_path, text):
    planted = tmp_path / "parameter.yaml"
    planted.write_text(f"beskrivning: x\n{text}\n", encoding="utf-8")
    assert len(forbidden_in([planted])) == 1


def test_a_good_source_is_not_flagged(tmp_path):
    planted = tmp_path / "parameter.yaml"
    planted.write_text("kalla: Region Stockholm, Budget 2026, Tabell 9; docs/berakningsmodell.md §2\n",
                       encoding="utf-8")
    assert forbidden_in([planted]) == []
    assert problems_in([planted]) == []


def test_a_bare_section_inside_docs_is_checked(tmp_path):
    doc = tmp_path / "guide.md"
    doc.write_text("# T\n\n## 1 Ett\n\nSe §1 och §2; `docs/berakningsmodell.md` §4 är inte ett eget avsnitt.\n",
                   encoding="utf-8")
    assert bare_problems(doc) == [f"{doc}:5: ingen rubrik för §2"]
