"""`invest forsening`: a delay computed by hand, propagation through a chain of three with lags, N then −N gives
the plan back, the Δ against an independent computation (tests/oracle.py), the ranking against single delays,
and the refusals. The delays are computed on plans built in memory and rendered as the command's JSON; the
ranking, the refusals and the default plan go through the CLI."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from invest.cli import main
from conftest import build_plan
from inmemory import make_plan
from invest.engine.calculation import calculate
from invest.analyses.delay import Delays, cost_factor
from invest.engine.plan_arrays import plan_arrays, take_objects
from invest.outputs.delay_output import delay_json
from oracle import object_schedule
from strategies import as_plan, plan_object

ROOT = Path(__file__).resolve().parents[1]
YEARS = range(2026, 2031)
REVENUE = 1000.0


def region(fixed_interest=None):
    return [{"ar": y, "totala_intakter": REVENUE, "befintliga_avskrivningar": 0,
             **({"rantekostnader": fixed_interest[y]} if fixed_interest and y in fixed_interest else {})} for y in YEARS]


def forsening(plan, models, oid, years, from_year=None, index="ingen"):
    """What `invest forsening OID --ar YEARS [--fran-ar FROM_YEAR] [--index INDEX] --format json` prints for `plan`."""
    calc = calculate(plan, models)
    return json.loads(delay_json(calc, Delays(calc, from_year, index).delay(oid, years)))


def column(data, name):
    return {r["ar"]: r[name] for r in data["ar"]}


def test_delay_by_hand(models):
    """it (4 år = 48 months), 120 mnkr spent 2027 and taken into use 2027-01: 2,5 mnkr a month, 30 a year from 2027
    to 2030; K (no co-financing) 90, 60, 30, 0 at the end of 2027–2030. One year later: 30 a year 2028–2031,
    K 90, 60, 30 at the end of 2028–2030. At a flat rate r (market rate r, margin 0) the region borrows ΔK and pays
    r·(ΔK_{t−1} + ΔK_t)/2; the budget's own interest for 2027 on the Region sheet changes nothing."""
    x = {"id": "X", "tillgangsklass": "it", "driftsattning": "2027-01", "utgifter": {2027: 120}}
    other = {"id": "Y", "tillgangsklass": "fastighet", "driftsattning": "2026", "utgifter": {2026: 350}}
    r = models.value("ranta/internranta", 2027)
    data = forsening(make_plan([x, other], years=YEARS, region=region({2027: 50.0})), models.with_flat_rate(r), "X", 1)
    assert data["flyttade"] == [{"id": "X", "fran": "2027-01", "till": "2028-01", "ar": 1}]
    expected = {  # year: (Δ investeringar, Δ avskrivningar, Δ räntekostnader)
        2026: (0, 0, 0),
        2027: (-120, -30, -r * (0 + 90) / 2),
        2028: (120, 30 - 30, r * (0 + 90) / 2 - r * (90 + 60) / 2),
        2029: (0, 30 - 30, r * (90 + 60) / 2 - r * (60 + 30) / 2),
        2030: (0, 30 - 30, r * (60 + 30) / 2 - r * (30 + 0) / 2),
    }
    assert [row["ar"] for row in data["ar"]] == list(YEARS)
    for row in data["ar"]:
        inv, dep, interest = expected[row["ar"]]
        assert row["delta_investeringar"] == pytest.approx(inv, abs=1e-9)
        assert row["delta_avskrivningar"] == pytest.approx(dep, abs=1e-9)
        assert row["delta_rantekostnader"] == pytest.approx(interest, abs=1e-9)
        assert row["delta_kapitalkostnader"] == pytest.approx(dep + interest, abs=1e-9)
        assert row["delta_andel"] == pytest.approx((dep + interest) / REVENUE, abs=1e-12)
    assert column(data, "delta_kapitalkostnader")[2027] == pytest.approx(-30 - r * 45)


def test_delay_with_cost_index_by_hand(models):
    x = {"id": "X", "tillgangsklass": "it", "driftsattning": "2027-01", "utgifter": {2025: 40, 2027: 120}}
    data = forsening(make_plan([x], years=YEARS, region=region()), models, "X", 2, index="entreprenad")
    grow = (1 + models.value("index/entreprenad", 2028)) * (1 + models.value("index/entreprenad", 2029))
    inv = column(data, "delta_investeringar")
    assert inv[2027] == pytest.approx(-120) and inv[2029] == pytest.approx(120 * grow, abs=1e-9)
    dep = column(data, "delta_avskrivningar")  # 160 over 48 months before; 40 + 120·grow from 2029-01 after
    assert dep[2027] == pytest.approx(-40) and dep[2028] == pytest.approx(-40)
    assert dep[2029] == pytest.approx((40 + 120 * grow) / 4 - 40, abs=1e-9)
    assert data["flyttade"][0]["till"] == "2029-01"


def chain(c_drift="2030-03"):
    """A 2028-07 ← B 2029-01 (6 months after A: no slack) ← C (12 months after B): the rows of build_plan."""
    objects = [{"id": "A", "tillgangsklass": "kollektivtrafik", "driftsattning": "2028-07", "utgifter": {2026: 100, 2027: 200}},
               {"id": "B", "tillgangsklass": "fordon", "driftsattning": "2029-01", "utgifter": {2028: 50, 2029: 50}},
               {"id": "C", "tillgangsklass": "it", "driftsattning": c_drift, "utgifter": {2029: 10, 2030: 20}},
               {"id": "D", "tillgangsklass": "it", "driftsattning": "2027", "utgifter": {2027: 5}}]
    deps = [{"id": "B", "beror_pa": "A", "fordrojning_manader": 6}, {"id": "C", "beror_pa": "B", "fordrojning_manader": 12}]
    return objects, dict(years=YEARS, region=region(), dependencies=deps)


def chain_plan(c_drift="2030-03"):
    objects, sheets = chain(c_drift)
    return make_plan(objects, **sheets)


def chain_workbook(tmp_path, c_drift="2030-03"):
    objects, sheets = chain(c_drift)
    return build_plan(tmp_path / "chain.xlsx", objects, **sheets)


@pytest.mark.parametrize("c_drift,years,expected", [
    ("2030-03", 1, [("A", "2028-07", "2029-07"), ("B", "2029-01", "2030-01"), ("C", "2030-03", "2031-03")]),
    ("2031-02", 1, [("A", "2028-07", "2029-07"), ("B", "2029-01", "2030-01")]),  # C has 13 months of slack
    ("2031-02", 2, [("A", "2028-07", "2030-07"), ("B", "2029-01", "2031-01"), ("C", "2031-02", "2032-02")]),
    ("2030-03", -1, [("A", "2028-07", "2027-07")]),  # bringing forward loosens, nothing downstream moves
])
def test_propagation_through_a_chain_of_three_with_lags(models, c_drift, years, expected):
    data = forsening(chain_plan(c_drift), models, "A", years, from_year=2027)
    assert [(m["id"], m["fran"], m["till"]) for m in data["flyttade"]] == expected


def test_bringing_forward_past_a_predecessor_warns(models):
    data = forsening(chain_plan(), models, "B", -1)
    assert data["varningar"] == ['"B" tas nu i bruk 2028-01, före "A" (2028-07 + 6 månader), som det beror på']


def _arrays_equal(a, b):
    assert a.ids == b.ids
    for name in a.__dataclass_fields__:
        if name != "ids":
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


@settings(max_examples=40, deadline=None)
@given(objects=st.lists(st.integers(0, 10**6), min_size=1, max_size=5).flatmap(
           lambda seeds: st.tuples(*[plan_object(i) for i in range(len(seeds))])),
       years=st.integers(1, 5), start=st.sampled_from([2026, 2028, 2030]))
def test_delay_then_back_gives_the_plan_exactly(models, objects, years, start):
    """Moving every object N years from Å and then −N from Å gives back the plan bit for bit (no index); with an
    index the amounts come back to rounding (the index levels cancel)."""
    arrays = plan_arrays(as_plan([replace(o, medfinansiering=()) for o in objects]), models)
    rows = np.arange(len(arrays.ids))
    there = take_objects(arrays, rows, np.full(len(rows), years), start)
    _arrays_equal(take_objects(there, rows, np.full(len(rows), -years), start), arrays)
    index = cost_factor(models, "kpi")
    back = take_objects(take_objects(arrays, rows, np.full(len(rows), years), start, index), rows,
                        np.full(len(rows), -years), start, index)
    np.testing.assert_allclose(back.spend_amount, arrays.spend_amount, rtol=1e-13)
    np.testing.assert_array_equal(back.spend_year, arrays.spend_year)


def test_delay_then_back_on_a_plan_gives_zero_change(models):
    """The whole round trip through the engine: the Δ of moving A +2 and then −2 is zero in every year."""
    calc = calculate(chain_plan("2031-02"), models)
    delays = Delays(calc)
    arrays = delays.arrays
    row = np.array([delays.row["A"]])
    moved = take_objects(take_objects(arrays, row, np.array([2]), 2026), np.array([0]), np.array([-2]), 2026)
    from invest.engine.plan_change import DELTA_FIELDS, deltas
    delta = deltas(calc, moved, np.array([0]), row, np.array([0]), 1)
    assert sorted(delta) == sorted([*DELTA_FIELDS, "kapitalkostnader", "lanebehov", "rantebarande_skuld",
                                    "rantekostnader"])
    for name, values in delta.items():
        assert values.shape == (1, len(YEARS)), name
        assert np.all(values == 0), name


def test_delta_matches_an_independent_computation(models):
    """A plan the engine has not seen: co-financing, components, a löpande pot downstream, the KPI index. Each moved
    object is moved by the test itself and computed month by month by tests/oracle.py."""
    objects = [
        {"id": "P", "tillgangsklass": "kollektivtrafik", "driftsattning": "2028-10", "medfinansiering": 300,
         "utgifter": {2025: 150, 2026: 250, 2027: 400, 2028: 200, 2029: 60}},
        {"id": "Q", "tillgangsklass": "fordon", "driftsattning": "2029-02", "utgifter": {2027: 80, 2028: 120}},
        {"id": "R", "tillgangsklass": "it", "driftsattning": "löpande +1", "utgifter": {y: 12.5 for y in YEARS}},
        {"id": "S", "tillgangsklass": "fastighet", "driftsattning": "2027-05", "utgifter": {2026: 90, 2027: 90}},
    ]
    deps = [{"id": "Q", "beror_pa": "P", "fordrojning_manader": 3}, {"id": "R", "beror_pa": "Q", "fordrojning_manader": 0}]
    plan = make_plan(objects, years=YEARS, region=region(), dependencies=deps)
    data = forsening(plan, models.with_flat_rate(0.03), "P", 2, index="kpi")
    moves = {m["id"]: m["ar"] for m in data["flyttade"]}
    # P 2030-10; Q needs 2031-01 (+3 months), from 2029-02 that is 2 whole years (2031-02); R's first activation
    # (2026 + 1 year, July: 2027-07) needs 2031-02: 43 months, 4 whole years
    assert moves == {"P": 2, "Q": 2, "R": 4}
    kpi = lambda y: 1 + models.value("index/kpi", y)  # noqa: E731
    lives = {"kollektivtrafik": [(1.0, 25)], "fordon": [(1.0, 10)], "it": [(1.0, 4)]}
    horizon = 2045

    def schedule(o, shift):
        spend = {}
        for y, a in o["utgifter"].items():
            to = y + shift if y >= 2026 else y
            factor = np.prod([kpi(t) for t in range(y + 1, to + 1)]) if to > y else 1.0
            spend[to] = spend.get(to, 0.0) + a * factor
        d = o["driftsattning"]
        lag = int(d.split("+")[1]) if d.startswith("löpande +") else 0
        drift = None if d.startswith("löpande") else (int(d[:4]) + shift, int(d[5:7]))
        return object_schedule(spend, drift, lives[o["tillgangsklass"]], o.get("medfinansiering") or 0.0, 0.03, horizon,
                               lag=lag)

    by_id = {o["id"]: o for o in objects}

    def change(y, k):
        return sum(schedule(by_id[i], n).get(y, {}).get(k, 0.0) - schedule(by_id[i], 0).get(y, {}).get(k, 0.0)
                   for i, n in moves.items())

    # the region borrows the change in bundet kapital from 2026 on (a change to outturn-year co-financing received,
    # from the index, is not borrowed in the plan period), at the flat rate on the year's average Δ debt
    debt = {y: change(y, "bundet_kapital") - change(2025, "bundet_kapital") for y in [2025, *YEARS]}
    assert [row["ar"] for row in data["ar"]] == list(YEARS)
    for row in data["ar"]:
        y = row["ar"]
        delta = {k: change(y, k) for k in ("utgift", "avskrivning", "intaktsford_medfinansiering")}
        delta["ranta"] = 0.03 * (debt[y - 1] + debt[y]) / 2
        assert row["delta_investeringar"] == pytest.approx(delta["utgift"], abs=1e-6)
        assert row["delta_avskrivningar"] == pytest.approx(delta["avskrivning"], abs=1e-6)
        assert row["delta_rantekostnader"] == pytest.approx(delta["ranta"], abs=1e-6)
        assert row["delta_kapitalkostnader"] == pytest.approx(delta["avskrivning"] + delta["ranta"], abs=1e-6)
    base = calculate(plan, models.with_flat_rate(0.03)).region.table  # what `invest berakna --format json` prints
    for b, row in zip(base.iter_rows(named=True), data["ar"], strict=True):
        y = row["ar"]
        release = sum(schedule(by_id[i], n).get(y, {}).get("intaktsford_medfinansiering", 0.0)
                      - schedule(by_id[i], 0).get(y, {}).get("intaktsford_medfinansiering", 0.0) for i, n in moves.items())
        after = (b["kapitalkostnader"] + row["delta_kapitalkostnader"]) / (b["totala_intakter"] + release)
        assert row["delta_andel"] == pytest.approx(after - b["andel"], abs=1e-12)


def test_ranking_equals_single_delays(tmp_path, models):
    calc = calculate(chain_plan(), models)
    delays = Delays(calc, index="entreprenad")
    ranking, skipped = delays.rank()
    assert skipped == []
    assert set(ranking["id"]) == {"A", "B", "C", "D"}
    period = np.isin(calc.region.table["ar"].to_numpy(), calc.plan.plan_years)
    for r in ranking.iter_rows(named=True):
        single = delays.delay(r["id"], 1).table
        assert r["delta_kapitalkostnader_planperioden"] == pytest.approx(
            single["delta_kapitalkostnader"].to_numpy()[period].sum(), abs=1e-9)
        assert r["hogsta_andel_efter"] == pytest.approx(single["andel_efter"].to_numpy()[period].max(), abs=1e-15)
    effects = ranking["delta_hogsta_andel"].abs().to_list()
    assert effects == sorted(effects, reverse=True)
    cli = CliRunner().invoke(main, ["forsening", str(chain_workbook(tmp_path)), "--rangordna", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    assert [r["id"] for r in json.loads(cli.stdout)["rangordning"]] == Delays(calc).rank()[0]["id"].to_list()


@pytest.mark.parametrize("args,expected", [
    (["--objekt", "Z", "--ar", "1"], 'objektet "Z" finns inte i planen'),
    (["--objekt", "A", "--ar", "1", "--fran-ar", "2025"], "2025 ligger före planens första år 2026"),
    (["--objekt", "A", "--ar", "-1"], "utgiften 2026 skulle flyttas till 2025, före planens första år 2026"),
    (["--objekt", "D", "--ar", "1", "--fran-ar", "2028"], '"D" tas i bruk 2027, före 2028; ett objekt i bruk flyttas inte'),
    (["--objekt", "A"], "ange --objekt ID och --ar N"),
])
def test_refusals_exit_2_with_a_message(tmp_path, args, expected):
    result = CliRunner().invoke(main, ["forsening", str(chain_workbook(tmp_path)), *args])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.output


def test_default_plan_table(tmp_path):
    result = CliRunner().invoke(main, ["forsening", "--objekt", "TB-DEPA", "--ar", "2"])
    assert result.exit_code == 0, result.output
    assert "TB-C30" in result.stdout and "Δ kapitalkostnader 2026–2035" in result.stdout
    assert "Över de flyttade tillgångarnas återstående livslängd, 2026–" in result.stdout


def test_default_plan_delay_moves_cost_past_the_plan_period():
    """Two years' delay of TB-NSO (kollektivtrafik, in use 2030): the plan period saves, the years after pay more —
    its 25-year life runs to the 2050s, and its outturn (19 mdkr) is held two years longer; without an index nothing
    more is written off, with one the uplift is."""
    def run(*extra):
        cli = CliRunner().invoke(main, ["forsening", "--objekt", "TB-NSO", "--ar", "2", "--format", "json", *extra])
        assert cli.exit_code == 0, cli.output
        return json.loads(cli.stdout)["livslangd"]

    plain, indexed = run(), run("--index", "entreprenad")
    assert plain["till_ar"] == indexed["till_ar"] >= 2055
    assert plain["delta_kapitalkostnader_planperioden"] < 0 < plain["delta_kapitalkostnader_efter_planperioden"]
    assert plain["delta_kapitalkostnader"] > 0  # the years after pay more than the plan period saves (anvandarguide §7)
    assert plain["delta_avskrivningar"] == pytest.approx(0, abs=1e-6)
    assert indexed["delta_avskrivningar"] == pytest.approx(indexed["delta_investeringar"], abs=1e-6)
    assert indexed["delta_investeringar"] > 0
    assert indexed["delta_kapitalkostnader"] > plain["delta_kapitalkostnader"]


# --- the Δ over the moved assets' whole life (livslangd) ---------------------------------------------------------

WHOLE_LIFE = ("delta_investeringar", "delta_avskrivningar", "delta_rantekostnader", "delta_kapitalkostnader")


@pytest.mark.parametrize("years,till_ar,after_plan", [
    (1, 2031, lambda r: 40 + r * 20),  # 2031: depreciation 40, interest r·(ΔK_2030 + ΔK_2031)/2 = r·(40 + 0)/2
    # 8 years (past the tail the engine is run to): all depreciation 2035–2038 and the interest on K 40 (2031–2034),
    # 120, 80, 40, 0 (2035–2038) after the plan: r·(K_2030/2 + Σ K_t) = r·(20 + 160 + 240)
    (8, 2038, lambda r: 160 + r * 420),
])
def test_whole_life_by_hand(models, years, till_ar, after_plan):
    """X: it (48 months), 40 mnkr outturn 2025 and 120 spent 2027, in use 2027-01; N years later. With a flat rate r
    and no co-financing the Δ debt is the Δ bundet kapital ΔK, and Σ interest over the whole life is
    r · (K_2025/2 + Σ K_t) for K ending at 0. K before (end of 2026–2030): 40, 120, 80, 40, 0; after: 40 until the
    move, then 120, 80, 40, 0 — the outturn is held N years longer: Δ räntekostnader = 40·N·r. Depreciation 40 a
    year 2027–2030 before and 2027+N–2030+N after: Δ 0 over the life, which ends 2030 + N (after the plan, 2030)."""
    r = 0.03
    x = {"id": "X", "tillgangsklass": "it", "driftsattning": "2027-01", "utgifter": {2025: 40, 2027: 120}}
    data = forsening(make_plan([x], years=YEARS, region=region()), models.with_flat_rate(r), "X", years)
    life = data["livslangd"]
    assert life["fran_ar"] == 2026 and life["till_ar"] == till_ar
    assert life["delta_investeringar"] == pytest.approx(0, abs=1e-9)
    assert life["delta_avskrivningar"] == pytest.approx(0, abs=1e-9)
    assert life["delta_rantekostnader"] == pytest.approx(40 * years * r, abs=1e-9)
    assert life["delta_kapitalkostnader"] == pytest.approx(40 * years * r, abs=1e-9)
    assert life["delta_kapitalkostnader_efter_planperioden"] == pytest.approx(after_plan(r), abs=1e-9)
    assert life["delta_kapitalkostnader_planperioden"] == pytest.approx(
        sum(column(data, "delta_kapitalkostnader").values()), abs=1e-9)
    assert life["delta_kapitalkostnader_planperioden"] == pytest.approx(40 * years * r - after_plan(r), abs=1e-9)


def test_whole_life_takes_the_interest_that_runs_on(tmp_path):
    """The market rate steps from 2,5 % to 5 % in 2031, as X's moved depreciation ends: whatever interest on the Δ
    debt still runs after the last depreciation year (debt fixed at the old rate until it is repriced) is in the
    whole-life sum, which therefore equals the per-year table run far past the life (--till-ar 2090), summed."""
    models_dir = tmp_path / "models"
    shutil.copytree(ROOT / "models", models_dir)
    rate = models_dir / "ranta" / "marknadsranta.yaml"
    step = "  2031-01-01:\n    varde: 0.05\n    antagande: ett språng som testet behöver\n"
    rate.write_text(rate.read_text(encoding="utf-8") + step, encoding="utf-8")
    x = {"id": "X", "tillgangsklass": "it", "driftsattning": "2027-01", "utgifter": {2025: 40, 2026: 60, 2027: 120}}
    path = str(build_plan(tmp_path / "x.xlsx", [x], years=YEARS, region=region()))

    def run(*extra):
        cli = CliRunner().invoke(main, ["forsening", path, "--objekt", "X", "--ar", "1", "--models", str(models_dir),
                                        "--format", "json", *extra])
        assert cli.exit_code == 0, cli.output
        return json.loads(cli.stdout)

    plain, far = run(), run("--till-ar", "2090")
    assert plain["livslangd"]["till_ar"] >= 2031 and far["livslangd"]["till_ar"] == 2090
    for name in WHOLE_LIFE:
        assert plain["livslangd"][name] == pytest.approx(sum(r[name] for r in far["ar"]), abs=1e-9), name


def test_whole_life_of_land_by_hand(models):
    """Land (mark) is never written off. Delayed without an index the Δ bundet kapital is −100 for 2027 only: Δ
    räntekostnader −r·100/2 in 2027 and in 2028, and the life is the table (till 2030). With an index the moved
    land costs more for ever: the sum stops at the table's end and says so."""
    r = 0.03
    m = {"id": "M", "tillgangsklass": "mark", "driftsattning": "2027", "utgifter": {2027: 100}}
    plan = make_plan([m], years=YEARS, region=region())
    life = forsening(plan, models.with_flat_rate(r), "M", 1)
    assert life["livslangd"]["till_ar"] == 2030 and life["varningar"] == []
    assert life["livslangd"]["delta_avskrivningar"] == pytest.approx(0, abs=1e-12)
    assert life["livslangd"]["delta_rantekostnader"] == pytest.approx(-100 * r, abs=1e-9)
    indexed = forsening(plan, models.with_flat_rate(r), "M", 1, index="kpi")
    assert indexed["livslangd"]["till_ar"] == 2030
    assert indexed["livslangd"]["delta_investeringar"] == pytest.approx(100 * models.value("index/kpi", 2028), abs=1e-9)
    assert len(indexed["varningar"]) == 1
    assert "mark" in indexed["varningar"][0] and "räknas till och med 2030" in indexed["varningar"][0]


def test_whole_life_ends_with_the_last_depreciation(models):
    """A (kollektivtrafik, 25 years = 300 months) moves from 2028-07 to 2029-07 and B (fordon) and C (it) follow; A
    is the last to be written off, from its start month after 2029-07 to 300 months on (2054 under the default
    start month). With a flat rate the Δ interest ends with it, so the life ends that year."""
    calc = calculate(chain_plan(), models.with_flat_rate(0.025))
    delays = Delays(calc, 2027)
    grid = calc.grid
    moves, _ = delays.moves("A", 1)
    assert set(moves) == {"A", "B", "C"}
    last_before = max(int(grid.years[np.nonzero(grid.depreciation[delays.row[o]] > 1e-9)[0][-1]]) for o in moves)
    life = delays.delay("A", 1).whole_life
    assert life.till_ar == last_before + 1 == 2054  # everything moved one year: its last depreciation year too


@pytest.mark.parametrize("oid,years,index", [("A", 1, "ingen"), ("A", 2, "entreprenad"), ("B", 1, "kpi"),
                                             ("C", 3, "ingen"), ("A", -1, "kpi")])
def test_whole_life_is_the_table_extended_to_the_end_of_life(models, oid, years, index):
    """With the engine's own rates: the summary equals the per-year table computed with --till-ar at its till_ar,
    summed; its parts add up; the plan-period part is the plan-period table's sum; and the life is at least the
    table. Without an index a delay moves depreciation, never adds to it: Σ Δ avskrivningar = 0 and Σ Δ investeringar
    = 0; with one Σ Δ avskrivningar = Σ Δ investeringar (everything spent is written off within the life), > 0 for a
    delay and < 0 for bringing forward."""
    plan = chain_plan()
    result = Delays(calculate(plan, models), 2027, index).delay(oid, years)
    life = result.whole_life
    assert life.till_ar >= max(YEARS) and life.fran_ar == min(YEARS) and life.plan_end == max(YEARS)
    extended = Delays(calculate(plan, models, life.till_ar), 2027, index).delay(oid, years)
    assert extended.table["ar"].to_list() == list(range(min(YEARS), life.till_ar + 1))
    for name in WHOLE_LIFE:
        assert getattr(life, name) == pytest.approx(extended.table[name].sum(), abs=1e-6), name
        assert getattr(extended.whole_life, name) == pytest.approx(getattr(life, name), abs=1e-6), name
    assert life.delta_kapitalkostnader == pytest.approx(life.delta_avskrivningar + life.delta_rantekostnader, abs=1e-9)
    assert life.delta_kapitalkostnader == pytest.approx(
        life.delta_kapitalkostnader_planperioden + life.delta_kapitalkostnader_efter_planperioden, abs=1e-9)
    assert life.delta_kapitalkostnader_planperioden == pytest.approx(result.table["delta_kapitalkostnader"].sum(),
                                                                      abs=1e-6)
    assert life.delta_avskrivningar == pytest.approx(life.delta_investeringar, abs=1e-6)
    if index == "ingen":
        assert life.delta_avskrivningar == pytest.approx(0, abs=1e-6)
        assert life.delta_investeringar == pytest.approx(0, abs=1e-6)
    else:
        assert np.sign(life.delta_avskrivningar) == np.sign(years)
        assert abs(life.delta_avskrivningar) > 1


def test_till_ar_extends_the_table_and_not_the_life(tmp_path):
    """--till-ar adds years to the per-year table; the whole-life summary is the same, and a --till-ar past the end
    of life makes the life the table."""
    path = str(chain_workbook(tmp_path))

    def run(*extra):
        cli = CliRunner().invoke(main, ["forsening", path, "--objekt", "A", "--ar", "1", "--fran-ar", "2027", "--format", "json",
                                        *extra])
        assert cli.exit_code == 0, cli.output
        return json.loads(cli.stdout)

    plain, longer = run(), run("--till-ar", "2040")
    assert [r["ar"] for r in plain["ar"]] == list(YEARS)
    assert [r["ar"] for r in longer["ar"]] == list(range(2026, 2041))
    for a, b in zip(plain["ar"], longer["ar"]):  # the plan period's rows do not change
        assert a == {k: pytest.approx(v, abs=1e-9) if isinstance(v, float) else v for k, v in b.items()}
    assert longer["livslangd"]["till_ar"] == plain["livslangd"]["till_ar"] > 2040
    for name in WHOLE_LIFE:
        assert longer["livslangd"][name] == pytest.approx(plain["livslangd"][name], abs=1e-6)
    beyond = run("--till-ar", "2090")
    assert beyond["livslangd"]["till_ar"] == 2090
    for name in WHOLE_LIFE:
        assert beyond["livslangd"][name] == pytest.approx(sum(r[name] for r in beyond["ar"]), abs=1e-6)
        assert beyond["livslangd"][name] == pytest.approx(plain["livslangd"][name], abs=1e-6)
    text = CliRunner().invoke(main, ["forsening", path, "--objekt", "A", "--ar", "1", "--fran-ar", "2027", "--till-ar", "2040"])
    assert "Δ kapitalkostnader 2026–2040 (hela tabellen): " in text.stdout
    assert f"återstående livslängd, 2026–{plain['livslangd']['till_ar']} " in text.stdout
