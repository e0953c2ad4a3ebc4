"""What a reader checks in the files of `invest scenario` and `invest kanslighet`: the workbooks open, have the sheets
they should (one per scenario, valid and unique names even for hostile scenario names, which stay text), the shares
on Jämförelse are the result's, every formula's cached value is what it computes, nothing a reader sees is an
internal snake_case name; the tornado's bars are the table's figures, the charts' tick labels are their values and no
text touches the riktvärde line."""

from __future__ import annotations

import dataclasses
import re
import zipfile

import pytest
from matplotlib.path import Path as LinePath
from matplotlib.text import Text
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, range_boundaries

from invest.analyses.changes import Change, Overrun
from invest.analyses.scenarios import run_scenarios
from invest.analyses.sensitivity import sensitivity
from invest.outputs.chart import GUARD_IDS
from test_chart_look import drawn, parse
from invest.outputs.scenario_charts import scenario_figure, tornado_figure, tornado_rows
from invest.outputs.scenario_report import SHEET_LENGTH, sheet_names, write_scenario_report
from invest.outputs.sensitivity_report import write_sensitivity_report
from invest.pipeline import Inputs, calculate_plan

CHANGES = [Change("Ränta +1 pe från 2027", rate=(0.01, 2027)), Change("Intäkter 3,0 %", growth=0.03),
           Change("Kollektivtrafik +20 %", overruns=(Overrun("tillgangsklass", "kollektivtrafik", 1.2, 2026),)),
           Change("NSO två år senare", delays=(("TB-NSO", 2),)),
           Change("Längre livslängd tunnel", lives=(("kollektivtrafik", 30.0),))]
HOSTILE = ["=1+1", "a/b:c*?", "Fyrtio tecken långt scenarionamn, ja visst", "Ett scenario med ett mycket långt namn A",
           "Ett scenario med ett mycket långt namn B", "Bas", "jämförelse", "'citat'", "[x]\\y"]
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")


@pytest.fixture(scope="module")
def calc():
    return calculate_plan(Inputs())


@pytest.fixture(scope="module")
def scenarios(calc):
    return run_scenarios(calc, CHANGES)


@pytest.fixture(scope="module")
def sens(calc):
    return sensitivity(calc)


@pytest.fixture(scope="module")
def scenario_files(scenarios, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenario")
    return folder, write_scenario_report(scenarios, folder)


@pytest.fixture(scope="module")
def sensitivity_files(sens, tmp_path_factory):
    folder = tmp_path_factory.mktemp("kanslighet")
    return folder, write_sensitivity_report(sens, folder)


# --- reading a workbook back ---

def table(ws, name: str) -> list[list]:
    """An Excel table's rows (the header first) as values."""
    low_col, low_row, high_col, high_row = range_boundaries(ws.tables[name].ref)
    return [[ws.cell(r, c).value for c in range(low_col, high_col + 1)] for r in range(low_row, high_row + 1)]


REF = re.compile(r"(?:'((?:[^']|'')+)'!|([A-Za-z_][\w.]*)!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")
FUNCTIONS = {"SUM": lambda *a: sum(_flat(a)), "AVERAGE": lambda *a: sum(_flat(a)) / len(_flat(a)),
             "MAX": lambda *a: max(_flat(a)), "MIN": lambda *a: min(_flat(a))}


def _flat(args) -> list[float]:
    out = []
    for a in args:
        out += _flat(a) if isinstance(a, list) else [] if a is None else [a]
    return out


def compute(formula: str, sheet: str, values) -> float:
    """A formula of cell references, + − × /, SUM, AVERAGE, MAX and MIN, computed from the cached values."""
    def cell(m: re.Match) -> str:
        name = (m.group(1) or "").replace("''", "'") or m.group(2) or sheet
        ws = values[name]
        if m.group(5):
            c0, r0, c1, r1 = (column_index_from_string(m.group(3)), int(m.group(4)),
                              column_index_from_string(m.group(5)), int(m.group(6)))
            return repr([ws.cell(r, c).value for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)])
        return repr(ws.cell(int(m.group(4)), column_index_from_string(m.group(3))).value)

    expression = REF.sub(cell, formula.lstrip("="))
    return eval(expression, {"__builtins__": {}}, FUNCTIONS)  # noqa: S307 - our own workbook's formulas


def assert_formulas_compute_their_values(path) -> int:
    stored = [f for f in formula_texts(path) if f.startswith("=")]
    assert not stored, f"a formula is stored with its '=' (Excel calls the file damaged): {stored[:3]}"
    formulas, values = load_workbook(path), load_workbook(path, data_only=True)
    count = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    cached = values[ws.title][c.coordinate].value
                    assert cached is not None, (ws.title, c.coordinate)
                    assert compute(c.value, ws.title, values) == pytest.approx(cached, rel=1e-12, abs=1e-9), \
                        (ws.title, c.coordinate, c.value)
                    count += 1
    return count


def texts(path) -> list[str]:
    wb = load_workbook(path)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
            and c.data_type != "f"]


def formula_texts(path) -> list[str]:
    """Every <f> element of the workbook's sheets (what Excel would compute)."""
    with zipfile.ZipFile(path) as z:
        return [f for name in z.namelist() if name.startswith("xl/worksheets/sheet")
                for f in re.findall(r"<f>(.*?)</f>", z.read(name).decode())]


# --- the scenarios' workbook ---

def assert_workbook_and_chart_alone(folder, written, names: list[str]) -> None:
    """An analysis wrote exactly its workbook and its PNG chart into `folder`, in that order."""
    assert [p.name for p in written] == names
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)
    assert written[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_scenario_files(scenario_files):
    assert_workbook_and_chart_alone(*scenario_files, ["scenarier.xlsx", "scenarier_andel.png"])


def test_a_sheet_per_scenario_after_jamforelse(scenario_files, scenarios):
    wb = load_workbook(scenario_files[1][0])
    assert wb.sheetnames == ["Jämförelse", "Bas", *(c.name for c in CHANGES)]
    assert "Scenarier" in wb.properties.title
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.oddHeader.center.text == "&A"
    for s, name in zip((scenarios.base, *scenarios.scenarios), wb.sheetnames[1:]):
        assert wb[name]["A1"].value == f"Scenario: {s.name}"


def test_jamforelse_holds_the_results_shares(scenario_files, scenarios):
    ws = load_workbook(scenario_files[1][0])["Jämförelse"]
    rows = table(ws, "ScenarioAndel")
    years = scenarios.base.table["ar"].to_list()
    assert rows[0][:len(years) + 1] == ["Scenario", *map(str, years)]
    for row, s in zip(rows[1:], (scenarios.base, *scenarios.scenarios), strict=True):
        assert row[0] == s.name
        for got, expected in zip(row[1:len(years) + 1], s.table["andel"].to_list(), strict=True):
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
        assert row[len(years) + 1] == (s.first_breach if s.first_breach is not None else "inget")
    deltas = table(ws, "ScenarioDeltaAndel")
    assert [r[0] for r in deltas[1:]] == [s.name for s in scenarios.scenarios]
    assert ws["A3"].value == "Riktvärde" and ws["B3"].value == scenarios.riktvarde
    assert ws.conditional_formatting  # breach years marked


def test_formulas_cache_what_they_compute(scenario_files, scenarios):
    path = scenario_files[1][0]
    assert assert_formulas_compute_their_values(path) > 100
    wb = load_workbook(path)
    bas, first = wb["Bas"], wb[CHANGES[0].name]
    labels = [bas.cell(r, 1).value for r in range(5, 12)]
    assert labels == ["Andel av totala intäkter", "Riktvärde", "Kapitalkostnader", "Avskrivningar",
                      "Räntekostnader", "Totala intäkter", "Marginal till riktvärdet"]
    assert bas["B5"].value == "=B7/B10" and bas["B7"].value == "=B8+B9"  # brutto: the share is a formula
    assert first["B12"].value == "=(B5-Bas!B5)*100" and first["B13"].value == "=B7-Bas!B7"


def test_netto_writes_the_share_as_values(calc, scenarios, tmp_path):
    netto = dataclasses.replace(calc, conventions=dataclasses.replace(calc.conventions, riktvardesmetod="netto"))
    result = dataclasses.replace(scenarios, calculation=netto)
    ws = load_workbook(write_scenario_report(result, tmp_path)[0])["Bas"]
    assert all(ws.cell(5, c).data_type == "n" for c in range(2, 12))  # andel: values, no brutto formula
    assert all(ws.cell(11, c).data_type == "n" for c in range(2, 12))  # marginal too
    assert ws["B7"].value == "=B8+B9"
    assert "netto" in ws.cell(5, 12).value


def test_no_internal_names_in_the_cells(scenario_files, sensitivity_files):
    for path in (scenario_files[1][0], sensitivity_files[1][0]):
        found = [t for t in texts(path) if SNAKE.search(t)]
        assert not found, found[:5]
        assert not any(t in ("fastighet_komponenter", "delta_andel") for t in texts(path))


def test_hostile_scenario_names_give_valid_sheets_and_stay_text(calc, tmp_path):
    result = run_scenarios(calc, [Change(name, rate=(0.001 * (k + 1), None)) for k, name in enumerate(HOSTILE)])
    path = write_scenario_report(result, tmp_path)[0]
    wb = load_workbook(path)
    names = wb.sheetnames
    assert len(names) == len(HOSTILE) + 2
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= SHEET_LENGTH and not re.search(r"[\[\]:*?/\\]", name)
        assert not name.startswith("'") and not name.endswith("'")
    assert names[:2] == ["Jämförelse", "Bas"] and "Bas (2)" in names and "jämförelse (2)" in names
    for name, s in zip(names[2:], result.scenarios):
        assert wb[name]["A1"].value == f"Scenario: {s.name}"
    shown = [r[0] for r in table(wb["Jämförelse"], "ScenarioAndel")[1:]]
    assert shown == ["Bas", *HOSTILE]
    assert wb["Jämförelse"]["A7"].data_type == "s"
    assert not any("1+1" in f for f in formula_texts(path))
    assert_formulas_compute_their_values(path)  # the Δ rows refer to Bas, not to a scenario named so


def test_sheet_names_truncate_apart():
    names = sheet_names(["x" * 40, "x" * 35, "X" * 31, "", "History", "?"])
    assert names == ["x" * 31, "x" * 27 + " (2)", "X" * 27 + " (3)", "Scenario", "History (2)", "-"]


# --- the sensitivity workbook ---

def test_the_sensitivity_files(sensitivity_files, sens):
    folder, written = sensitivity_files
    assert [p.name for p in written] == ["kanslighet.xlsx", "kanslighet_tornado.png"]
    assert sorted(p.name for p in folder.iterdir()) == ["kanslighet.xlsx", "kanslighet_tornado.png"]
    wb = load_workbook(written[0])
    assert wb.sheetnames == ["Känslighet", "Tornado"]
    assert "Känslighet" in wb.properties.title
    rows = table(wb["Känslighet"], "Kanslighet")
    years = [int(y) for y in sens.years]
    assert rows[1][0] == "Bas" and rows[1][3:3 + len(years)] == pytest.approx(list(sens.base_shares), rel=1e-12)
    assert len(rows) == 2 + sum(len(dr.steps) for dr in sens.drivers)
    assert_formulas_compute_their_values(written[0])


def test_the_tornado_is_the_tables_figures(sensitivity_files, sens):
    wb = load_workbook(sensitivity_files[1][0])
    peak = {(r[0], r[1]): r[3 + len(sens.years)] for r in table(wb["Känslighet"], "Kanslighet")[2:]}
    sheet = table(wb["Tornado"], "Tornado")[1:]
    rows = tornado_rows(sens)
    fig = tornado_figure(sens)
    ax = fig.axes[0]
    ends: dict[float, set] = {}
    for patch in (p for p in ax.patches if p.get_gid() == "stapel"):
        assert patch.get_x() == sens.base_peak  # every bar starts at the base's share
        ends.setdefault(round(patch.get_y() + patch.get_height() / 2, 6), set()).add(patch.get_x() + patch.get_width())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(rows) == len(sheet)
    spans = [r.span for r in rows]
    assert spans == sorted(spans, reverse=True)
    for i, (row, line) in enumerate(zip(rows, sheet)):
        y = len(rows) - 1 - i  # the widest on top
        assert labels[y] == f"{row.name}  {row.range_text}" and line[0] == row.name
        assert ends[y] == {s.peak_share for s in (row.low, row.high) if s}  # exactly the steps' peak_share
        for step, text, value in ((row.low, line[2], line[3]), (row.high, line[4], line[5])):
            if step is None:
                assert text == "–" and value is None
            else:
                assert value == pytest.approx(step.peak_share, rel=1e-12)
                assert peak[(row.name, text)] == pytest.approx(step.peak_share, rel=1e-12)
    delays = [r for r in rows if r.result.driver.kind == "forsening"]
    assert delays and all(r.low is None and r.range_text.startswith("+") for r in delays)


# --- the charts ---



def assert_ticks_are_their_values(fig, axis: str) -> None:
    drawn(fig)
    ax = fig.axes[0]
    low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    ticks = zip(*((ax.get_xticks(), ax.get_xticklabels()) if axis == "x" else (ax.get_yticks(), ax.get_yticklabels())))
    shown = [(v, t.get_text()) for v, t in ticks if low - 1e-12 <= v <= high + 1e-12]
    assert len(shown) >= 3, shown
    assert len({len(t.split(",")[1]) if "," in t else 0 for _, t in shown}) == 1, shown  # one precision
    for value, text in shown:
        assert parse(text) == pytest.approx(value, abs=1e-12), (text, value)


def assert_nothing_touches_the_riktvarde(fig) -> None:
    renderer = drawn(fig)
    lines = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() in GUARD_IDS]
    assert lines
    for line in lines:
        path = LinePath(line.get_transform().transform(line.get_xydata()))
        touching = [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
                    and path.intersects_bbox(t.get_window_extent(renderer).padded(1), filled=False)]
        assert not touching, touching


def test_the_tornado_chart_reads_right(sens):
    fig = tornado_figure(sens)
    assert_ticks_are_their_values(fig, "x")
    assert_nothing_touches_the_riktvarde(fig)
    shown = " ".join(t.get_text() for t in fig.findobj(Text) if t.get_visible())
    assert f"Känslighet: andelen år {sens.peak_year} vid ändring av varje drivare" in shown
    assert "±1,50 pe" in shown and "Plan: investeringsplan.xlsx" in shown
    assert not SNAKE.search(shown) and not re.search(r"\d\.\d", shown)


def test_the_scenario_chart_reads_right(scenarios, calc):
    fig = scenario_figure(scenarios)
    assert_ticks_are_their_values(fig, "y")
    assert_nothing_touches_the_riktvarde(fig)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[0].startswith("Bas") and all(any(t.startswith(c.name) for t in legend) for c in CHANGES)
    many = run_scenarios(calc, [Change(f"Ränta +{k / 10:.1f} pe".replace(".", ","), rate=(k / 1000, None))
                                for k in range(1, 11)])
    fig = scenario_figure(many)  # ten scenarios: still readable, ticks still right
    assert_ticks_are_their_values(fig, "y")
    assert_nothing_touches_the_riktvarde(fig)
    assert len(fig.axes[0].get_legend().get_texts()) == 13
