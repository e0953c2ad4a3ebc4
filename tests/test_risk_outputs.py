"""What a reader checks in the files of `invest risk`: the two files are written and nothing else, the workbook's
figures are the result's (probabilities, quantiles, the plan's own figures, the drivers in their order, the
distributions of the models), no cell a reader sees holds an internal snake_case name; the fan chart's band and
lines are the result's quantiles, P10 ≤ P50 ≤ P90 in what is shown, its tick labels are their values and no text
touches the riktvärde line."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.text import Text
from openpyxl import load_workbook

from invest.analyses.risk import risk
from invest.outputs.risk_report import figures, probability_text, risk_figure, write_risk_report
from invest.outputs.labels import value
from invest.pipeline import Inputs, calculate_plan
from test_scenario_outputs import assert_workbook_and_chart_alone
from test_scenario_outputs import (SNAKE, assert_nothing_touches_the_riktvarde, assert_ticks_are_their_values, table,
                                   texts)

DRAWS, SEED = 2000, 7


@pytest.fixture(scope="module")
def result():
    return risk(calculate_plan(Inputs()), DRAWS, SEED)


@pytest.fixture(scope="module")
def files(result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("risk")
    return folder, write_risk_report(result, folder)


@pytest.fixture(scope="module")
def book(files):
    return load_workbook(files[1][0])


def test_the_files_and_nothing_else(files):
    assert_workbook_and_chart_alone(*files, ["risk.xlsx", "risk_andel.png"])


def test_another_stem(result, tmp_path):
    assert [p.name for p in write_risk_report(result, tmp_path / "ny", "plan_risk")] == ["plan_risk.xlsx",
                                                                                          "plan_risk_andel.png"]


def test_the_risk_sheet_holds_the_results_figures(book, result):
    assert book.sheetnames == ["Risk", "Drivande objekt", "Antaganden"]
    ws = book["Risk"]
    assert ws["A3"].value == "Riktvärde" and ws["B3"].value == result.riktvarde
    assert ws["B4"].value == pytest.approx(result.any_year_probability, abs=1e-12)
    assert (ws["A5"].value, ws["B5"].value, ws["A6"].value, ws["B6"].value) == ("Dragningar", DRAWS, "Frö", SEED)
    rows = table(ws, "Risk")
    assert rows[0] == ["Per år", *(str(int(y)) for y in result.years)]
    p10, p50, p90 = result.share_quantiles([0.1, 0.5, 0.9])
    c50, c85 = result.cost_quantiles([0.5, 0.85])
    base = result.calculation.plan_period()
    expected = [result.breach_probability, p10, p50, p90, base["andel"].to_numpy(), c50, c85,
                base["kapitalkostnader"].to_numpy()]
    assert len(rows) == 1 + len(expected)
    for row, values in zip(rows[1:], expected, strict=True):
        assert row[1:] == pytest.approx(list(values), rel=1e-12, abs=1e-12), row[0]
    assert [r[0] for r in rows[1:3]] == ["Sannolikhet att nå riktvärdet", "Andel P10"]
    assert ws.conditional_formatting  # shares at or over the riktvärde marked


def test_the_drivers_in_the_order_given(book, result):
    rows = table(book["Drivande objekt"], "DrivandeObjekt")
    names = {o.id: o.namn for o in result.calculation.plan.objects}
    assert result.drivers
    assert [r[0] for r in rows[1:]] == [oid for oid, _ in result.drivers]
    for row, (oid, bidrag) in zip(rows[1:], result.drivers, strict=True):
        assert row[1] == names[oid] and row[3] == pytest.approx(bidrag, abs=1e-12)


def test_the_assumptions_are_the_models(book, result):
    calc = result.calculation
    year = calc.plan.plan_years[0]
    costs, delays = calc.models.value("risk/fordyring", year), calc.models.value("risk/forsening", year)
    ws = book["Antaganden"]
    assert ws["B4"].value == pytest.approx(calc.models.value("risk/korrelation", year), abs=1e-12)
    rows = table(ws, "Antaganden")
    classes = {o.tillgangsklass for o in calc.plan.objects}
    assert sorted(r[0] for r in rows[1:]) == sorted(value(c) for c in classes)
    shown = {r[0]: r for r in rows[1:]}
    for c in classes:
        row = shown[value(c)]
        assert row[1] == sum(o.tillgangsklass == c for o in calc.plan.objects)
        assert tuple(row[2:4]) == pytest.approx(costs.get(c, (0.0, 0.0)), abs=1e-12)
        dist = delays.get(c) or {0: 1.0}
        for k, p in enumerate(row[4:]):
            assert p == pytest.approx(dist.get(k, 0.0), abs=1e-12), (c, k)
        assert sum(row[4:]) == pytest.approx(1.0)


def test_no_internal_names(files):
    found = [t for t in texts(files[1][0]) if SNAKE.search(t)]
    assert not found, found[:5]


# --- the fan chart ---

def band(fig) -> dict[float, tuple[float, float]]:
    """The shaded band per year as drawn: (lowest, highest) of its outline at that year."""
    (poly,) = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection) and c.get_gid() == "p10_p90"]
    out: dict[float, list[float]] = {}
    for x, y in poly.get_paths()[0].vertices:
        out.setdefault(round(float(x), 9), []).append(float(y))
    return {x: (min(ys), max(ys)) for x, ys in out.items()}


def line(fig, gid: str) -> np.ndarray:
    (ln,) = [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == gid]
    return np.asarray(ln.get_ydata(), dtype=float)


def test_the_band_and_lines_are_the_quantiles(result):
    fig = risk_figure(result)
    p10, p50, p90 = result.share_quantiles([0.1, 0.5, 0.9])
    drawn_band = band(fig)
    for k, year in enumerate(result.years):
        low, high = drawn_band[float(year)]
        assert low == pytest.approx(p10[k], abs=1e-12) and high == pytest.approx(p90[k], abs=1e-12)
    assert line(fig, "p50") == pytest.approx(list(p50), abs=1e-12)
    assert line(fig, "plan") == pytest.approx(result.calculation.plan_period()["andel"].to_list(), abs=1e-12)
    shown = figures(result)
    assert np.all(shown["p10"] <= shown["p50"]) and np.all(shown["p50"] <= shown["p90"])
    assert all(low <= m <= high for (low, high), m in zip(drawn_band.values(), line(fig, "p50")))


def test_the_fan_chart_reads_right(result):
    fig = risk_figure(result)
    assert_ticks_are_their_values(fig, "y")
    assert_nothing_touches_the_riktvarde(fig)
    visible = [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    words = " ".join(visible).replace("\n", " ").replace("\u00a0", " ")  # the title wraps, never inside "2 000"
    assert "Risk: andelen av totala intäkter, P10–P90, 2 000 dragningar" in words
    assert f"något år {int(result.years[0])}–{int(result.years[-1])} når riktvärdet: " \
           f"{probability_text(result.any_year_probability)}" in words
    assert "Plan: investeringsplan.xlsx" in words and "Riktvärde 8 %" in words
    row = [t.get_text() for t in fig.axes[0].texts if t.xycoords == ("data", "axes fraction")]
    assert row == [probability_text(p) for p in result.breach_probability]
    assert not SNAKE.search(words)


def test_probabilities_never_read_as_certain_or_impossible():
    assert [probability_text(p) for p in (0, 0.0004, 0.005, 0.0051, 0.57, 0.994, 0.995, 1)] == \
        ["0 %", "<1 %", "<1 %", "1 %", "57 %", "99 %", ">99 %", "100 %"]
