"""Every investeringsutrymme of Budget 2026 (Tabell 23–71), written in the presentations planners send
(tests/corpus.py), imports to the budget's own totals: per year 2026, 2027, 2028 and for 2029–2035 the sum of the
imported objects' spend equals the sum of the table's category rows within 0,05 mnkr. The workbooks come from the
reference CSV, not from the importer's rules; a refusal fails with the importer's first error finding. Nothing is
marked xfail: a presentation the importer cannot read yet fails with that finding."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from corpus import PERIODS, PRESENTATIONS, YEARS, load_tables, moved_layouts, write_moved, write_workbook
from invest.base.findings import InputError, errors
from invest.cli import main
from invest.excel.reader import read_plan
from invest.params.parameters import Models

TABLES = load_tables()
TOLERANCE = 0.05  # mnkr
CASES = [(t, p) for t in TABLES for p in PRESENTATIONS]


@pytest.fixture(scope="module")
def models() -> Models:
    return Models.load(None)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("corpus")


def imported_totals(path, models) -> dict[str, float]:
    """Spend per PERIODS of the objects read_plan imports from `path`; fails with the first error if it refuses."""
    try:
        plan, found = read_plan(path, models), []
    except InputError as exc:
        plan, found = None, errors(exc.findings) or exc.findings
    if plan is None:
        pytest.fail(f"read_plan avvisar {path.name} ({len(found)} fel); första: {found[0]}", pytrace=False)
    by_year: dict[int, float] = {}
    for obj in plan.objects:
        for year, amount in obj.utgifter:
            by_year[year] = by_year.get(year, 0.0) + amount
    return {p: sum(by_year.get(y, 0.0) for y in YEARS[p]) for p in PERIODS}


def assert_totals(got: dict[str, float], table) -> None:
    expected = table.expected
    wrong = {p: (round(got[p], 3), round(expected[p], 3)) for p in PERIODS if abs(got[p] - expected[p]) > TOLERANCE}
    assert not wrong, f"tabell {table.number} {table.name}, period: (importerat, väntat): {wrong}"


def test_reference_tables_are_whole():
    """The corpus's source: 16 tables, each row's Totalt 2026–2035 its four periods, subtotals and Totalt their rows,
    within the print's rounding (0,05 per row)."""
    assert [t.number for t in TABLES] == [23, 27, 32, 34, 36, 38, 40, 42, 44, 46, 52, 56, 61, 66, 69, 71]
    assert all(t.components for t in TABLES)
    for t in TABLES:
        for line in t.lines:
            if line.amounts:
                assert sum(line.amounts) == pytest.approx(line.total, abs=0.05 * 4), (t.number, line.label)
        printed = t.printed_total
        for p in PERIODS:
            assert printed[p] == pytest.approx(t.expected[p], abs=0.05 * len(t.components)), (t.number, p)
        section: list = []
        for line in t.lines:
            if line.kind == "rubrik":
                section = []
            elif line.kind == "komponent":
                section.append(line)
            elif line.kind == "delsumma":
                for k in range(len(PERIODS)):
                    assert line.amounts[k] == pytest.approx(sum(c.amounts[k] for c in section), abs=0.05 * len(section))


@pytest.mark.parametrize("table,presentation", CASES, ids=[f"{t.slug}-{p}" for t, p in CASES])
def test_presentation_imports_the_budget_totals(table, presentation, models, corpus_dir):
    path = write_workbook(corpus_dir, table, presentation)
    assert_totals(imported_totals(path, models), table)


CLI_CASES = [(t, p) for t in TABLES if t.number in (52, 69) for p in PRESENTATIONS]


@pytest.mark.parametrize("table,presentation", CLI_CASES, ids=[f"{t.slug}-{p}" for t, p in CLI_CASES])
def test_berakna_csv_gives_the_budget_totals(table, presentation, corpus_dir):
    """The same through `invest berakna FIL.xlsx --format csv` (its column investeringar), for Tabell 52 (sections,
    subtotals, varav rows) and Tabell 69 (a bolag, a caption without "för")."""
    (corpus_dir / "cli").mkdir(exist_ok=True)
    path = write_workbook(corpus_dir / "cli", table, presentation)
    result = CliRunner().invoke(main, ["berakna", str(path), "--format", "csv"])
    if result.exit_code != 0:
        found = [line for line in result.stderr.splitlines() if ": fel: " in line] or result.output.splitlines()
        first = found[0] if found else "(ingen utskrift)"
        pytest.fail(f"invest berakna avslutar med {result.exit_code}; första: {first}", pytrace=False)
    by_year = {int(r["ar"]): float(r["investeringar"]) for r in csv.DictReader(io.StringIO(result.stdout))}
    assert_totals({p: sum(by_year.get(y, 0.0) for y in YEARS[p]) for p in PERIODS}, table)


_example = itertools.count()


@settings(max_examples=30, deadline=None)
@given(layout=moved_layouts(TABLES))
def test_moved_header_band_imports_the_budget_totals(layout, models, corpus_dir):
    path = write_moved(corpus_dir, layout, f"flyttad-{next(_example)}")
    assert_totals(imported_totals(path, models), layout.table)
