"""invest jamfor --arbetsbok: the workbook's formulas compute the values they show and the changes they state sum to
the causes; the waterfall chart's steps add up from A's share to B's and their labels say the steps; nothing names a
folder of the machine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.patches import Rectangle
from openpyxl import load_workbook

from invest.analyses.plan_versions import CAUSES, compare
from invest.excel.reader import read_plan
from invest.outputs.comparison_report import steps, waterfall_figure, waterfall_year, write_comparison_report
from invest.pipeline import load_models
from test_chart_look import drawn, parse, visible_texts
from test_scenario_outputs import assert_formulas_compute_their_values, table, texts

ROOT = Path(__file__).resolve().parents[1]
EARLIER = ROOT / "data" / "jamforelse" / "investeringsplan_foregaende.xlsx"
DEFAULT = ROOT / "data" / "investeringsplan" / "investeringsplan.xlsx"


@pytest.fixture(scope="module")
def result():
    models = load_models()
    return compare(read_plan(EARLIER, models), read_plan(DEFAULT, models), models)


@pytest.fixture(scope="module")
def files(result, tmp_path_factory):
    folder = tmp_path_factory.mktemp("jamfor")
    return folder, write_comparison_report(result, folder, 2031)


def test_the_example_pair_has_the_documented_causes(result):
    """data/jamforelse/README.md: new, removed, amount, timing and the rate — and nothing else."""
    moved = {c for c in CAUSES if np.abs(result.causes_cost[c]).max() > 1e-6}
    assert moved == {"nya_objekt", "borttagna_objekt", "belopp", "tidpunkt", "ranta"}
    assert {(o.id, o.cause) for o in result.objects} == {("SPV-SYD", "nya_objekt"), ("T36-ASN-NY", "nya_objekt"),
                                                        ("T23-RS-ARKIV", "borttagna_objekt"), ("TB-ALV", "belopp"),
                                                        ("TB-ARE", "tidpunkt")}


def test_the_workbook_computes_what_it_shows(files, result):
    folder, written = files
    assert [p.name for p in written] == ["jamforelse.xlsx", "jamforelse_vattenfall.png"]
    assert assert_formulas_compute_their_values(written[0]) >= 4 * len(result.years)
    wb = load_workbook(written[0], data_only=True)
    assert wb.sheetnames == ["Jämförelse", "Vattenfall", "Objekt"]
    rows = {r[0]: r[1:] for r in table(wb["Jämförelse"], "JamforelseAndel")[1:]}
    assert rows["Förändring"] == pytest.approx(rows["Summa orsaker"], abs=1e-12)
    assert rows["Förändring"] == pytest.approx(list(result.share_b - result.share_a), abs=1e-12)
    waterfall = table(wb["Vattenfall"], "Vattenfall")[1:]
    assert waterfall[0][-1] == pytest.approx(result.share_a[list(result.years).index(2031)])
    assert waterfall[-1][-1] == pytest.approx(result.share_b[list(result.years).index(2031)])
    for before, step in zip(waterfall[:-2], waterfall[1:-1]):  # each step starts where the one before ended
        assert step[-1] == pytest.approx(before[-1] + step[2] - step[3], abs=1e-12)
    assert len(wb["Vattenfall"]._charts) == 1
    assert not [t for t in texts(written[0]) if "/" in t and ("work" in t or "tmp" in t or "home" in t)]


def test_the_waterfall_adds_up_and_says_its_steps(result):
    year = waterfall_year(result)
    k = list(result.years).index(year)
    assert abs(result.share_b[k] - result.share_a[k]) == pytest.approx(np.abs(result.share_b - result.share_a).max())
    bars = steps(result, year)
    shown = sum(top - bottom for _, bottom, top in bars[1:-1])
    hidden = sum(result.causes_share[c][k] for c in CAUSES) - shown  # causes too small to draw
    assert bars[-1][2] == pytest.approx(bars[0][2] + shown + hidden, abs=1e-15)
    fig = waterfall_figure(result, year)
    drawn(fig)
    ax = fig.axes[0]
    heights = sorted(round(abs(p.get_height()), 9) for p in ax.patches if isinstance(p, Rectangle) and p.get_width() < 1)
    assert sorted(round(abs(top - bottom), 9) for _, bottom, top in bars[1:-1]) == \
        [h for h in heights if h in {round(abs(t - b), 9) for _, b, t in bars[1:-1]}]
    labels = [t.get_text() for t in visible_texts(fig) if t.get_text().endswith(" pe")]
    assert sorted(round(abs(parse(x.replace(" pe", ""))), 2) for x in labels) == \
        sorted(round(abs(t - b) * 100, 2) for _, b, t in bars[1:-1])
