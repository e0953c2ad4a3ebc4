"""invest scenario and invest kanslighet: the scenario file (YAML and the sheet Scenarier) and its located errors,
the break-even's defining property for a plan that breaches and one that does not, the tornado's figures equal to
the table's, and the commands end to end. (Each scenario against a full recompute of the changed inputs:
tests/test_scenario_recompute.py.)"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from invest.analyses.changes import Change, Changes
from invest.analyses.scenario_spec import read_scenarios
from invest.analyses.sensitivity import sensitivity
from invest.base.findings import InputError
from invest.cli import main
from invest.pipeline import Inputs, calculate_plan, load_models

EXAMPLE = """\
scenarier:
  - namn: Ränta +1 pe från 2027
    marknadsranta: {tillagg: 0.01, fran_ar: 2027}
  - namn: Dyrare vård och senare bana
    fordyring: [{kategori: Nyinvestering, faktor: 1.15}, {objekt: TB-ARE, faktor: 0.9, fran_ar: 2028}]
    forseningar: [{objekt: TB-NSO, ar: 1}]
    nyttjandeperiod: [{tillgangsklass: it, ar: 6}]
"""


@pytest.fixture(scope="module")
def calc():
    return calculate_plan(Inputs())


@pytest.fixture(scope="module")
def passing():
    """The default plan at a flat 1 % rate: every year under the riktvärde."""
    return calculate_plan(Inputs(flat_rate=0.01))


def write(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_yaml_and_sheet_give_the_same_scenarios(tmp_path, calc):
    kategori = next(o.kategori for o in calc.plan.objects if o.kategori)
    yaml_specs = read_scenarios(write(tmp_path, EXAMPLE.replace("Nyinvestering", kategori)), calc.plan, calc.models)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Scenarier"
    ws.append(["namn", "nyckel", "tillgangsklass", "objekt", "kategori", "fil", "varde", "fran_ar"])
    ws.append(["Ränta +1 pe från 2027", "marknadsränta", None, None, None, None, 0.01, 2027])
    ws.append(["Dyrare vård och senare bana", "fordyring", None, None, kategori, None, 1.15, None])
    ws.append(["Dyrare vård och senare bana", "fordyring", None, "TB-ARE", None, None, 0.9, 2028])
    ws.append(["Dyrare vård och senare bana", "forsening", None, "TB-NSO", None, None, 1, None])
    ws.append(["Dyrare vård och senare bana", "nyttjandeperiod", "it", None, None, None, 6, None])
    book.save(tmp_path / "s.xlsx")
    sheet_specs = read_scenarios(tmp_path / "s.xlsx", calc.plan, calc.models)

    def plain(specs):
        return [(s.change.name, s.change.rate, s.change.growth, s.change.tax_base,
                 [(o.field, o.value, o.factor, o.from_year) for o in s.change.overruns], s.change.delays,
                 s.change.lives) for s in specs]
    assert plain(yaml_specs) == plain(sheet_specs)
    assert plain(yaml_specs)[1][4][1] == ("objekt", "TB-ARE", 0.9, 2028)


@pytest.mark.parametrize("text,where,words", [
    ("scenarier:\n  - namn: A\n    marknadsranta: {tilagg: 0.01}\n", ":3", "okänd nyckel \"tilagg\""),
    ("scenarier:\n  - namn: A\n    forseningar: [{objekt: FINNS-EJ, ar: 1}]\n", ":3", "FINNS-EJ"),
    ("scenarier:\n  - namn: A\n    fordyring: [{tillgangsklass: kollektivtrafk, faktor: 1.2}]\n", ":3",
     "kollektivtrafk"),
    ("scenarier:\n  - namn: A\n    fordyring: [{objekt: TB-NSO, faktor: 20}]\n", ":3", "faktor 20"),
    ("scenarier:\n  - namn: A\n    forseningar: [{objekt: TB-NSO, ar: 1.5}]\n", ":3", "helt antal år"),
    ("scenarier:\n  - namn: A\n    marknadsranta: {tillagg: 0.01, fran_ar: 3000}\n", ":3", "fran_ar"),
    ("scenarier:\n  - namn: A\n    intaktstillvaxt: 0.03\n  - namn: A\n    intaktstillvaxt: 0.02\n", ":4",
     "finns redan"),
    ("scenarier:\n  - intaktstillvaxt: 0.03\n", ":2", "saknar namn"),
    ("scenarier:\n  - namn: A\n    okand: 1\n", ":3", "okänd nyckel \"okand\""),
    ("scenarier: []\n", ":1", "minst ett scenario"),
])
def test_a_bad_scenario_file_is_refused_at_its_line(tmp_path, calc, text, where, words):
    with pytest.raises(InputError) as caught:
        read_scenarios(write(tmp_path, text), calc.plan, calc.models)
    found = caught.value.findings[0]
    assert found.location.endswith(where) and words in found.message, (found.location, found.message)


def test_a_delay_that_cannot_be_made_names_the_scenario_and_its_line(tmp_path, calc):
    specs = read_scenarios(write(tmp_path, "scenarier:\n  - namn: Tidigare\n    forseningar: [{objekt: TB-NSO, ar: -3}]\n"),
                           calc.plan, calc.models)
    with pytest.raises(InputError) as caught:
        Changes(calc).evaluate([s.change for s in specs])
    found = caught.value.findings[0]
    assert found.location.endswith(":2") and found.message.startswith('scenariot "Tidigare": ')


def _check_break_evens(result, tolerance: float = 1e-12):
    """At each break-even the plan's highest share is at the riktvärde (exact), or the verdict differs on the two
    sides of it within the stated precision (bisection, whole years)."""
    engine = Changes(result.calculation)
    period = np.isin(engine.years, result.calculation.plan.plan_years)
    limit = result.riktvarde
    breaching = result.base_shares.max() >= limit
    checked = 0
    for dr in result.drivers:
        d, b = dr.driver, dr.break_even
        if b.change is None:
            continue
        checked += 1
        if b.method == "exakt":
            peak = engine.evaluate([d.build(b.change)]).values["andel"][0][period].max()
            assert abs(peak - limit) < tolerance, (d.id, peak)
            continue
        sign = np.sign(b.change)
        if b.method == "hela år":  # one year nearer keeps the base's verdict, the break-even changes it
            inner, outer = b.change - sign * d.step, b.change
        else:  # the bracket the bisection ended with: the break-even flips the verdict, one precision nearer does not
            inner, outer = b.change - sign * b.precision, b.change
        shares = engine.evaluate([d.build(inner), d.build(outer)]).values["andel"][:, period].max(axis=1)
        assert (shares[0] >= limit) == breaching, (d.id, "inside", shares)
        assert (shares[1] >= limit) != breaching or abs(shares[1] - limit) < 1e-9, (d.id, "outside", shares)
    return checked


def test_break_even_on_a_plan_that_breaches(calc):
    result = sensitivity(calc)
    assert result.base_shares.max() >= result.riktvarde
    assert _check_break_evens(result) >= 8
    rate = next(dr for dr in result.drivers if dr.driver.id == "marknadsranta").break_even
    assert rate.method == "exakt" and rate.change < 0 and rate.year == 2031


def test_break_even_on_a_plan_that_passes(passing):
    result = sensitivity(passing)
    assert result.base_shares.max() < result.riktvarde
    assert _check_break_evens(result) >= 3
    rate = next(dr for dr in result.drivers if dr.driver.id == "marknadsranta").break_even
    assert rate.change > 0  # the first year reaches the riktvärde as the rate rises


def test_the_tornado_is_the_tables_peak_year(calc):
    result = sensitivity(calc)
    peak = list(result.years).index(result.peak_year)
    assert result.base_shares[peak] == result.base_shares.max()
    for dr in result.drivers:
        for step in dr.steps:
            if step.shares is not None:
                assert step.peak_share == step.shares[peak]


def test_steps_equal_a_scenario_with_their_fragment(tmp_path, calc):
    """A step's shares are what `invest scenario` gives for the YAML fragment it names."""
    result = sensitivity(calc)
    chosen = [(dr, dr.steps[-1]) for dr in result.drivers if dr.driver.kind in ("marknadsranta", "fordyring",
                                                                                  "nyttjandeperiod", "forsening")]
    chosen = [c for c in chosen if c[1].shares is not None][:6]
    text = "scenarier:\n" + "".join(f"  - namn: S{k}\n" + "".join(
        f"    {key}: {json.dumps(value)}\n" for key, value in step.fragment.items()) for k, (_, step) in enumerate(chosen))
    specs = read_scenarios(write(tmp_path, text), calc.plan, calc.models)
    out = Changes(calc).evaluate([s.change for s in specs])
    period = np.isin(out.years, calc.plan.plan_years)
    for k, (dr, step) in enumerate(chosen):
        assert np.abs(out.values["andel"][k][period] - step.shares).max() < 1e-12, dr.driver.id


def test_no_change_is_the_base(calc):
    out = Changes(calc).evaluate([Change("ingen")])
    assert np.abs(out.delta("andel")).max() == 0 and np.abs(out.delta("kapitalkostnader")).max() == 0


def test_the_commands_end_to_end(tmp_path):
    runner = CliRunner()
    scenarios = write(tmp_path, "scenarier:\n  - namn: NSO två år senare\n    forseningar: [{objekt: TB-NSO, ar: 2}]\n")
    out = runner.invoke(main, ["scenario", str(scenarios), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [s["namn"] for s in data["scenarier"]] == ["NSO två år senare"]
    assert data["bas"]["forsta_overskridande_ar"] == 2030 and data["scenarier"][0]["forsta_overskridande_ar"] is None
    out = runner.invoke(main, ["kanslighet"])
    assert out.exit_code == 0 and "Brytpunkt" in out.output and "Marknadsränta" in out.output
    assert "fastighet_komponenter" not in out.output  # classes by their Swedish label


def test_a_plan_without_region_sheet_is_refused(tmp_path):
    from conftest import build_plan
    plan = build_plan(tmp_path / "p.xlsx", [{"id": "A", "tillgangsklass": "it", "driftsattning": "2027",
                                             "utgifter": {2026: 10}}])
    calc = calculate_plan(Inputs(plan=plan))
    with pytest.raises(InputError, match="saknar bladet Region"):
        Changes(calc)
    assert load_models() is not None
