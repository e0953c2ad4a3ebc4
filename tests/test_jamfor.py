"""`invest jamfor PLAN_A PLAN_B`: why the capital costs changed between two versions of a plan, split exactly over nine
causes (the Shapley value), written from the command's contract only — the implementation is never read.

Every expected number comes from somewhere else: from `invest berakna --format json` on the two workbooks (the
totals), from `invest berakna` on a workbook with one change alone made to A (each cause of a plan whose changes are
four separate objects: the region's debt model is linear in the objects' flows for given rates, so Shapley gives
each change exactly its own effect), or by hand at a flat rate of 3 % on small plans of it objects (4 years'
life): an it object of S mnkr in use from January of year y is depreciated S/4 a year in y…y+3 and, as the region
borrows what it spends less what it depreciates, adds S·3/4, S/2, S/4, 0 to the debt at the end of those years,
charged r·(D_{t−1} + D_t)/2 (docs/berakningsmodell.md §4.2–4.3).

Plans: small template workbooks built here (conftest.build_plan, with a Region and a Regionbalans sheet), and the
default plan read into records, changed with dataclasses.replace and written back with plan_to_workbook (the
round trip is checked first)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import MODELS_DIR, ROOT, build_plan
from inmemory import make_object, shifted
from invest.cli import main
from invest.excel.reader import read_plan
from invest.excel.template import plan_to_workbook
from invest.params.parameters import Models
from invest.plan.records import CoFinancing

DEFAULT_PLAN = ROOT / "data" / "investeringsplan" / "investeringsplan.xlsx"
CAUSES = ("nya_objekt", "borttagna_objekt", "belopp", "tidpunkt", "nyttjandeperiod", "medfinansiering", "ranta",
          "intakter", "befintliga")
OBJECT_CAUSES = CAUSES[:6]
MNKR = 1e-6  # kapitalkostnader, absolute
SHARE = 1e-9  # andel, absolute
R = "0,03"  # the flat rate (--ranta) of the tests checked by hand
r = 0.03
RATES = [None, R]  # every comparison on the default plan runs with the plan's own rate paths and with a flat rate
YEARS = range(2026, 2031)  # the small plans
DEFAULT_YEARS = list(range(2026, 2036))
ENGLISH = ("Usage:", "Error:", "Traceback", "No such file", "Invalid value", "is not one of")


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")


# --- running the CLI ------------------------------------------------------------------------------------------------

def invest(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="invest")


def require_jamfor():
    if "jamfor" not in getattr(main, "commands", {}):
        pytest.fail(f"`invest jamfor` does not exist (invest --help lists {sorted(main.commands)})", pytrace=False)


def rate_args(rate):
    return ["--ranta", rate] if rate else []


def jamfor(a: Path, b: Path, *extra) -> dict:
    """`invest jamfor A B --format json EXTRA`: exit 0 and its JSON."""
    require_jamfor()
    result = invest("jamfor", a, b, "--format", "json", *extra)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback
        raise AssertionError("invest jamfor raised:\n" + "".join(traceback.format_exception(result.exception)))
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}"
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"not JSON ({exc}):\n{result.stdout[:2000]}") from None


def berakna(plan: Path, *extra) -> dict[int, dict]:
    """`invest berakna PLAN --format json EXTRA`: its rows by year."""
    result = invest("berakna", plan, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return {row["ar"]: row for row in json.loads(result.stdout)["ar"]}


def delta(a: Path, b: Path, *extra, key="kapitalkostnader", years=DEFAULT_YEARS) -> dict[int, float]:
    """The long way: `invest berakna` on B minus on A, per year."""
    ra, rb = berakna(a, *extra), berakna(b, *extra)
    return {y: rb[y][key] - ra[y][key] for y in years}


def by_year(data: dict) -> dict[int, dict]:
    return {row["ar"]: row for row in data["ar"]}


def cause(data: dict, name: str, key="orsaker") -> dict[int, float]:
    return {row["ar"]: row[key][name] for row in data["ar"]}


def off(got: dict[int, float], expected: dict[int, float]) -> dict[int, tuple[float, float]]:
    return {y: (got[y], expected[y]) for y in expected}


def assert_years(got: dict[int, float], expected: dict[int, float], tol: float, label: str):
    assert sorted(got) == sorted(expected), f"{label}: years {sorted(got)} ≠ {sorted(expected)}"
    bad = {y: (got[y], expected[y]) for y in expected if abs(got[y] - expected[y]) > tol}
    assert not bad, f"{label}: (jamfor, expected) by year, off by more than {tol}: {bad}"


def assert_contract_shape(data: dict, years):
    assert {"plan_a", "plan_b", "ar", "objekt", "namnmatchningar"} <= set(data), sorted(data)
    assert [row["ar"] for row in data["ar"]] == list(years)
    for row in data["ar"]:
        assert {"ar", "andel_a", "andel_b", "delta_kapitalkostnader", "delta_andel", "orsaker", "orsaker_andel",
                "mening"} <= set(row), sorted(row)
        assert set(row["orsaker"]) == set(CAUSES), sorted(row["orsaker"])
        assert set(row["orsaker_andel"]) == set(CAUSES), sorted(row["orsaker_andel"])
        assert isinstance(row["mening"], str) and row["mening"].strip()
    for entry in data["objekt"]:
        assert {"id", "orsak", "delta_kapitalkostnader_perioden"} <= set(entry), sorted(entry)
    for entry in data["namnmatchningar"]:
        assert {"id_a", "id_b", "namn"} <= set(entry), sorted(entry)


def assert_causes_sum_and_match_berakna(data: dict, a: Path, b: Path, *extra, years=DEFAULT_YEARS):
    """Contract 1: in every year the nine causes sum to the total change, and the totals are `invest berakna`'s."""
    assert_contract_shape(data, years)
    ra, rb = berakna(a, *extra), berakna(b, *extra)
    for row in data["ar"]:
        y = row["ar"]
        assert row["andel_a"] == pytest.approx(ra[y]["andel"], abs=SHARE), y
        assert row["andel_b"] == pytest.approx(rb[y]["andel"], abs=SHARE), y
        assert row["delta_kapitalkostnader"] == pytest.approx(rb[y]["kapitalkostnader"] - ra[y]["kapitalkostnader"],
                                                              abs=MNKR), y
        assert row["delta_andel"] == pytest.approx(rb[y]["andel"] - ra[y]["andel"], abs=SHARE), y
        assert sum(row["orsaker"].values()) == pytest.approx(row["delta_kapitalkostnader"], abs=MNKR), (y, row["orsaker"])
        assert sum(row["orsaker_andel"].values()) == pytest.approx(row["delta_andel"], abs=SHARE), \
            (y, row["orsaker_andel"])


def assert_only(data: dict, only: str | set[str], tol_mnkr=SHARE, tol_share=SHARE):
    """Every cause but `only` is 0 in every year, for kapitalkostnader and for the share."""
    only = {only} if isinstance(only, str) else set(only)
    for row in data["ar"]:
        for name in set(CAUSES) - only:
            assert abs(row["orsaker"][name]) <= tol_mnkr, (row["ar"], name, row["orsaker"])
            assert abs(row["orsaker_andel"][name]) <= tol_share, (row["ar"], name, row["orsaker_andel"])


def objekt(data: dict) -> dict[str, dict]:
    return {str(entry["id"]): entry for entry in data["objekt"]}


# --- small plans: it objects, revenue 1000, priced by hand at 3 % ----------------------------------------------------

REVENUE = 1000.0
REGION = [{"ar": y, "totala_intakter": REVENUE, "befintliga_avskrivningar": 10.0, "resultat": 50.0} for y in YEARS]
BALANCE = {"ingaende_rantebarande_skuld": 1000.0, "genomsnittsranta_befintlig_skuld": 0.02}


def it(oid, amount, year, namn=None, **more) -> dict:
    """An it object (4 years) of `amount` mnkr spent in `year`, in use from January that year."""
    return {"id": oid, "namn": namn or f"Objekt {oid}", "tillgangsklass": "it", "driftsattning": f"{year}-01",
            "utgifter": {year: amount}, **more}


def small_objects() -> list[dict]:
    return [it("BAS", 240, 2026, "Basobjekt"), it("Y", 60, 2026, "Ombyggnad av laboratoriet"),
            it("Z", 80, 2026, "Journalsystem"), it("W", 40, 2027, "Nätverk för vårdcentralerna")]


def small(path: Path, objects=None, region=None, balance=None, years=YEARS, **sheets) -> Path:
    return build_plan(path, small_objects() if objects is None else objects, years=years,
                      region=[dict(row) for row in (REGION if region is None else region)],
                      balance=dict(BALANCE if balance is None else balance), **sheets)


def it_cost(amount: float, first: int, years=YEARS) -> dict[int, float]:
    """Δ kapitalkostnader at rate r of an it object of `amount` mnkr spent in `first`, in use from its January:
    depreciation amount/4 in first…first+3, debt amount·(3, 2, 1, 0)/4 at the end of those years."""
    debt = {first + k: amount * (3 - k) / 4 for k in range(4)}
    return {y: (amount / 4 + r * (debt.get(y - 1, 0.0) + debt[y]) / 2 if y in debt else 0.0) for y in years}


def minus(a: dict, b: dict) -> dict:
    return {y: a[y] - b[y] for y in a}


def four_changes(objects: list[dict]) -> list[dict]:
    """B of the small plan: X (it 120, 2027) new, Y removed, Z's spend × 1,3, W one year later."""
    out = []
    for o in objects:
        if o["id"] == "Y":
            continue
        if o["id"] == "Z":
            o = {**o, "utgifter": {y: a * 1.3 for y, a in o["utgifter"].items()}}
        if o["id"] == "W":
            o = {**o, "driftsattning": "2028-01", "utgifter": {y + 1: a for y, a in o["utgifter"].items()}}
        out.append(o)
    return out + [it("X", 120, 2027, "Ny röntgenutrustning i Solna")]


def test_small_plan_by_hand_is_what_berakna_gives(tmp_path):
    """The hand arithmetic the small-plan tests rest on, checked against `invest berakna` (not the new command)."""
    a = small(tmp_path / "a.xlsx")
    b = small(tmp_path / "b.xlsx", objects=small_objects() + [it("X", 120, 2027)])
    assert_years(delta(a, b, "--ranta", R, years=YEARS), it_cost(120, 2027), 1e-9, "adding X")
    assert delta(a, b, "--ranta", R, years=YEARS)[2027] == pytest.approx(30 + r * 45)


@pytest.mark.parametrize("rate", RATES)
def test_four_separate_objects_on_a_small_plan_by_hand(tmp_path, rate):
    """Contract 2 on a small plan: X new, Y removed, Z rescaled (× 1,3), W delayed one year. At 3 % by hand:
    X +it_cost(120, 2027), Y −it_cost(60, 2026), Z +it_cost(24, 2026), W it_cost(40, 2028) − it_cost(40, 2027).
    Without --ranta, each against `invest berakna` on A with that change alone."""
    a = small(tmp_path / "a.xlsx")
    b = small(tmp_path / "b.xlsx", objects=four_changes(small_objects()))
    data = jamfor(a, b, *rate_args(rate))
    assert_causes_sum_and_match_berakna(data, a, b, *rate_args(rate), years=YEARS)

    alone = {
        "nya_objekt": small(tmp_path / "x.xlsx", objects=small_objects() + [it("X", 120, 2027, "Ny röntgenutrustning i Solna")]),
        "borttagna_objekt": small(tmp_path / "y.xlsx", objects=[o for o in small_objects() if o["id"] != "Y"]),
        "belopp": small(tmp_path / "z.xlsx", objects=[
            {**o, "utgifter": {2026: 104.0}} if o["id"] == "Z" else o for o in small_objects()]),
        "tidpunkt": small(tmp_path / "w.xlsx", objects=[
            {**o, "driftsattning": "2028-01", "utgifter": {2028: 40.0}} if o["id"] == "W" else o
            for o in small_objects()]),
    }
    long_way = {name: delta(a, path, *rate_args(rate), years=YEARS) for name, path in alone.items()}
    if rate:
        hand = {"nya_objekt": it_cost(120, 2027), "borttagna_objekt": {y: -c for y, c in it_cost(60, 2026).items()},
                "belopp": it_cost(24, 2026), "tidpunkt": minus(it_cost(40, 2028), it_cost(40, 2027))}
        for name in hand:  # the hand arithmetic and the long way agree
            assert_years(long_way[name], hand[name], 1e-9, f"{name}: berakna vs by hand")
        assert hand["tidpunkt"][2027] == pytest.approx(-(10 + r * 15))
    for name, expected in long_way.items():
        assert_years(cause(data, name), expected, MNKR, name)
        assert_years(cause(data, name, "orsaker_andel"), {y: c / REVENUE for y, c in expected.items()}, SHARE, name)
    assert_only(data, set(alone))
    for name in alone:  # every one of the four causes moves the costs somewhere, so none can be 0 by accident
        assert any(abs(v) > 1 for v in long_way[name].values()), name

    entries = objekt(data)
    assert set(entries) == {"X", "Y", "Z", "W"}, data["objekt"]
    for oid, name in (("X", "nya_objekt"), ("Y", "borttagna_objekt"), ("Z", "belopp"), ("W", "tidpunkt")):
        assert entries[oid]["orsak"] == name, entries[oid]
        assert entries[oid]["delta_kapitalkostnader_perioden"] == pytest.approx(sum(long_way[name].values()),
                                                                                abs=MNKR), oid
    assert data["namnmatchningar"] == []  # four different names: no id changed


def test_nothing_changed_gives_zero_everywhere(tmp_path):
    a = small(tmp_path / "a.xlsx")
    b = small(tmp_path / "b.xlsx")
    data = jamfor(a, b, "--ranta", R)
    assert_causes_sum_and_match_berakna(data, a, b, "--ranta", R, years=YEARS)
    assert_only(data, set())
    for row in data["ar"]:
        assert row["delta_kapitalkostnader"] == pytest.approx(0, abs=SHARE)
        assert row["andel_a"] == pytest.approx(row["andel_b"], abs=SHARE)
    assert data["objekt"] == [] and data["namnmatchningar"] == []


# --- one cause alone on the small plan ---------------------------------------------------------------------------------

def test_opening_debt_is_ranta_and_costs_r_times_the_change_every_year(tmp_path):
    """Contract 3 (ranta): 500 mnkr more opening debt (Regionbalans) lifts the debt by 500 in every year, so at a flat
    3 % it costs 15 mnkr a year, all of it `ranta`."""
    a = small(tmp_path / "a.xlsx")
    b = small(tmp_path / "b.xlsx", balance={**BALANCE, "ingaende_rantebarande_skuld": 1500.0})
    data = jamfor(a, b, "--ranta", R)
    assert_causes_sum_and_match_berakna(data, a, b, "--ranta", R, years=YEARS)
    assert_years(cause(data, "ranta"), {y: r * 500 for y in YEARS}, MNKR, "ranta")
    assert_years(cause(data, "ranta", "orsaker_andel"), {y: r * 500 / REVENUE for y in YEARS}, SHARE, "ranta (andel)")
    assert_only(data, "ranta")
    assert data["objekt"] == []


def test_rate_of_existing_debt_is_ranta(tmp_path):
    """Contract 3: only genomsnittsranta_befintlig_skuld (Regionbalans) changed, with the plan's own rate paths (under
    --ranta every rate is the flat one, so the change would be invisible)."""
    a = small(tmp_path / "a.xlsx")
    b = small(tmp_path / "b.xlsx", balance={**BALANCE, "genomsnittsranta_befintlig_skuld": 0.045})
    data = jamfor(a, b)
    assert_causes_sum_and_match_berakna(data, a, b, years=YEARS)
    total = delta(a, b, years=YEARS)
    assert total[2026] > 1  # the older, higher rate costs more in the first year
    assert_years(cause(data, "ranta"), total, MNKR, "ranta")
    assert_only(data, "ranta")


@pytest.mark.parametrize("rate", RATES)
def test_revenue_is_intakter_and_leaves_the_costs_alone(tmp_path, rate):
    """Contract 3: only totala_intakter on the Region sheet changed (1000 → 1250): the costs do not move, the share
    falls by kk/1000 − kk/1250, all of it `intakter`."""
    a = small(tmp_path / "a.xlsx")
    b = small(tmp_path / "b.xlsx", region=[{**row, "totala_intakter": 1250.0} for row in REGION])
    data = jamfor(a, b, *rate_args(rate))
    assert_causes_sum_and_match_berakna(data, a, b, *rate_args(rate), years=YEARS)
    kk = {y: row["kapitalkostnader"] for y, row in berakna(a, *rate_args(rate)).items()}
    expected = {y: kk[y] / 1250 - kk[y] / 1000 for y in YEARS}
    assert_years(cause(data, "intakter", "orsaker_andel"), expected, SHARE, "intakter (andel)")
    assert_only(data, "intakter")
    assert_years(cause(data, "intakter"), {y: 0.0 for y in YEARS}, MNKR, "intakter (mnkr)")


@pytest.mark.parametrize("rate", RATES)
def test_two_causes_that_interact_split_as_shapley_by_hand(tmp_path, rate):
    """The share is not additive when costs and revenue change together: Z's spend × 1,3 adds c_t to the costs k_t
    while revenue goes 1000 → 1250. Shapley with two causes is the mean of both orders:
    belopp = ½(c/1000 + c/1250), intakter = ½((k/1250 − k/1000) + ((k + c)/1250 − (k + c)/1000)). Any one order
    (belopp first or intakter first) is off by ½·c·(1/1000 − 1/1250), a few 1e-4 here."""
    a = small(tmp_path / "a.xlsx")
    objects = [{**o, "utgifter": {2026: 104.0}} if o["id"] == "Z" else o for o in small_objects()]
    b = small(tmp_path / "b.xlsx", objects=objects, region=[{**row, "totala_intakter": 1250.0} for row in REGION])
    data = jamfor(a, b, *rate_args(rate))
    assert_causes_sum_and_match_berakna(data, a, b, *rate_args(rate), years=YEARS)
    k = {y: row["kapitalkostnader"] for y, row in berakna(a, *rate_args(rate)).items()}
    c = delta(a, b, *rate_args(rate), years=YEARS)
    if rate:
        assert_years(c, it_cost(24, 2026), 1e-9, "Δ kapitalkostnader by hand")
    belopp = {y: (c[y] / 1000 + c[y] / 1250) / 2 for y in YEARS}
    intakter = {y: ((k[y] / 1250 - k[y] / 1000) + ((k[y] + c[y]) / 1250 - (k[y] + c[y]) / 1000)) / 2 for y in YEARS}
    assert_years(cause(data, "belopp", "orsaker_andel"), belopp, SHARE, "belopp (andel)")
    assert_years(cause(data, "intakter", "orsaker_andel"), intakter, SHARE, "intakter (andel)")
    assert_years(cause(data, "belopp"), c, MNKR, "belopp (mnkr)")
    assert_only(data, {"belopp", "intakter"})
    assert abs(c[2026]) * (1 / 1000 - 1 / 1250) / 2 > 100 * SHARE  # an order-dependent split would be caught


@pytest.mark.parametrize("change", ["befintliga_avskrivningar", "resultat", "likvida_medel",
                                    "ovriga_ej_likviditetspaverkande"])
def test_other_region_inputs_are_befintliga(tmp_path, change):
    a = small(tmp_path / "a.xlsx")
    region = [{**row, change: (row.get(change) or 0.0) + 25.0 + 5 * (row["ar"] - 2026)} for row in REGION]
    b = small(tmp_path / "b.xlsx", region=region)
    data = jamfor(a, b, "--ranta", R)
    assert_causes_sum_and_match_berakna(data, a, b, "--ranta", R, years=YEARS)
    assert_only(data, "befintliga")
    if change in ("befintliga_avskrivningar", "resultat", "ovriga_ej_likviditetspaverkande"):
        assert any(abs(v) > 1 for v in delta(a, b, "--ranta", R, years=YEARS).values())


def test_asset_class_and_components_are_nyttjandeperiod(tmp_path):
    """Z from it (4 years) to inventarier (10 years): all `nyttjandeperiod`, the object listed with it; and Z given
    its own components instead of its class's."""
    a = small(tmp_path / "a.xlsx")
    objects = [{**o, "tillgangsklass": "inventarier"} if o["id"] == "Z" else o for o in small_objects()]
    b = small(tmp_path / "b.xlsx", objects=objects)
    data = jamfor(a, b, "--ranta", R)
    assert_causes_sum_and_match_berakna(data, a, b, "--ranta", R, years=YEARS)
    assert_only(data, "nyttjandeperiod")
    # by hand: depreciation 8 a year instead of 20 in 2026–2029, and 8 in 2030
    assert cause(data, "nyttjandeperiod")[2026] == pytest.approx(8 - 20 + r * (72 - 60) / 2, abs=MNKR)
    assert [(e["id"], e["orsak"]) for e in data["objekt"]] == [("Z", "nyttjandeperiod")]

    components = [{"id": "Z", "komponent": "hårdvara", "andel": 0.5, "nyttjandeperiod": 3},
                  {"id": "Z", "komponent": "programvara", "andel": 0.5, "nyttjandeperiod": 6}]
    c = small(tmp_path / "c.xlsx", components=components)
    data = jamfor(a, c, "--ranta", R)
    assert_causes_sum_and_match_berakna(data, a, c, "--ranta", R, years=YEARS)
    assert_only(data, "nyttjandeperiod")
    assert any(abs(v) > 1 for v in cause(data, "nyttjandeperiod").values())


def test_cofinancing_is_medfinansiering(tmp_path):
    """BAS gets 120 mnkr co-financing: less borrowing (interest) and its release; all `medfinansiering`."""
    a = small(tmp_path / "a.xlsx")
    objects = [{**o, "medfinansiering": 120.0} if o["id"] == "BAS" else o for o in small_objects()]
    b = small(tmp_path / "b.xlsx", objects=objects)
    for rate in RATES:
        data = jamfor(a, b, *rate_args(rate))
        assert_causes_sum_and_match_berakna(data, a, b, *rate_args(rate), years=YEARS)
        assert_only(data, "medfinansiering")
        assert any(abs(v) > 0.1 for v in cause(data, "medfinansiering").values())
        assert [(e["id"], e["orsak"]) for e in data["objekt"]] == [("BAS", "medfinansiering")]


def test_a_renamed_id_is_listed_in_namnmatchningar(tmp_path):
    """Contract 5: Y becomes Y-NY, same object, same name: listed, and its removal and its addition cancel."""
    a = small(tmp_path / "a.xlsx")
    objects = [{**o, "id": "Y-NY"} if o["id"] == "Y" else o for o in small_objects()]
    b = small(tmp_path / "b.xlsx", objects=objects)
    data = jamfor(a, b, "--ranta", R)
    assert_causes_sum_and_match_berakna(data, a, b, "--ranta", R, years=YEARS)
    assert [(m["id_a"], m["id_b"], m["namn"]) for m in data["namnmatchningar"]] == \
        [("Y", "Y-NY", "Ombyggnad av laboratoriet")]
    removed, added = cause(data, "borttagna_objekt"), cause(data, "nya_objekt")
    assert_years(removed, {y: -c for y, c in it_cost(60, 2026).items()}, MNKR, "borttagna_objekt")
    assert_years(added, it_cost(60, 2026), MNKR, "nya_objekt")


def test_a_renamed_id_with_a_nearly_equal_name(tmp_path):
    """Contract 5, "(near) equal": the name differs only in letter case."""
    a = small(tmp_path / "a.xlsx")
    objects = [{**o, "id": "Y-NY", "namn": "Ombyggnad av Laboratoriet"} if o["id"] == "Y" else o
               for o in small_objects()]
    b = small(tmp_path / "b.xlsx", objects=objects)
    data = jamfor(a, b, "--ranta", R)
    assert [(m["id_a"], m["id_b"]) for m in data["namnmatchningar"]] == [("Y", "Y-NY")]


# --- the default plan -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_records():
    return read_plan(DEFAULT_PLAN, Models.load(MODELS_DIR))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("jamfor")


def write(plan, path: Path) -> Path:
    plan_to_workbook(plan, path, ())
    return path


def edit_objects(plan, change: dict, drop=(), add=()):
    """`plan` with object id → f(object) applied, ids in `drop` removed and the records in `add` appended."""
    objects = [change[o.id](o) if o.id in change else o for o in plan.objects if o.id not in drop]
    return replace(plan, objects=tuple(objects) + tuple(add))


X_ROW = {"id": "X-NY", "namn": "Testsjukhuset, ny operationsbyggnad", "organisation": "Fastighetsförvaltningen",
         "verksamhetsomrade": "Hälso- och sjukvård", "kategori": "planerad", "investeringstyp": "ny", "skede": "",
         "tillgangsklass": "fastighet", "driftsattning": "2029-07", "utgifter": {2027: 300.0, 2028: 400.0, 2029: 150.0}}
Y_ID, Z_ID, W_ID = "FF-NORRT", "FF-L9", "FF-STRAL-SOS"  # no co-financing, nothing waits for them


def scaled(o, factor=1.3):
    return replace(o, utgifter=tuple((y, a * factor) for y, a in o.utgifter))


def delayed(o):
    return shifted(o, 1, 0)  # every spend year and the driftsättning one year later


def four(plan):
    return {"X": edit_objects(plan, {}, add=[make_object(X_ROW)]), "Y": edit_objects(plan, {}, drop=[Y_ID]),
            "Z": edit_objects(plan, {Z_ID: scaled}), "W": edit_objects(plan, {W_ID: delayed})}


@pytest.fixture(scope="module")
def default_a(default_records, workdir):
    """A: the default plan written back in the template format."""
    return write(default_records, workdir / "a.xlsx")


@pytest.fixture(scope="module")
def default_pair(default_records, default_a, workdir):
    """A = the default plan written back; B = A with X new, Y removed, Z × 1,3 and W one year later; and A with each
    of the four changes alone."""
    plan, a = default_records, default_a
    b = write(edit_objects(plan, {Z_ID: scaled, W_ID: delayed}, drop=[Y_ID], add=[make_object(X_ROW)]),
              workdir / "b.xlsx")
    alone = {k: write(p, workdir / f"alone_{k}.xlsx") for k, p in four(plan).items()}
    return a, b, alone


def test_the_default_plan_round_trip_and_the_chosen_objects(default_records, default_pair):
    """Preconditions of the default-plan tests: writing the records back changes nothing, and Y, Z, W are what the
    tests assume (dated driftsättning, no co-financing, nothing depends on them; W's moved spend stays in the plan)."""
    a, _, _ = default_pair
    original, written = berakna(DEFAULT_PLAN), berakna(a)
    for y in DEFAULT_YEARS:
        assert written[y]["kapitalkostnader"] == pytest.approx(original[y]["kapitalkostnader"], abs=1e-9)
        assert written[y]["andel"] == pytest.approx(original[y]["andel"], abs=1e-12)
    objects = {o.id: o for o in default_records.objects}
    waited_for = {d.pa for o in default_records.objects for d in o.beroenden}
    for oid in (Y_ID, Z_ID, W_ID):
        o = objects[oid]
        assert not o.driftsattning.lopande and not o.medfinansiering and oid not in waited_for
    assert max(y for y, _ in objects[W_ID].utgifter) + 1 <= DEFAULT_YEARS[-1]
    assert X_ROW["id"] not in objects
    assert X_ROW["namn"].casefold() not in {o.namn.casefold() for o in objects.values()}


@pytest.mark.parametrize("rate", RATES)
def test_four_separate_objects_on_the_default_plan(default_pair, rate):
    """Contract 1 and 2 on the default plan: each of the four causes equals `invest berakna` on A with its change
    alone minus on A (kapitalkostnader 1e-6, share 1e-9: none of the four has co-financing, so the denominator is
    A's); the other five causes are 0; `objekt` lists the four with their cause and their own Δ over the period."""
    a, b, alone = default_pair
    data = jamfor(a, b, *rate_args(rate))
    assert_causes_sum_and_match_berakna(data, a, b, *rate_args(rate))
    names = {"X": "nya_objekt", "Y": "borttagna_objekt", "Z": "belopp", "W": "tidpunkt"}
    ids = {"X": X_ROW["id"], "Y": Y_ID, "Z": Z_ID, "W": W_ID}
    entries = objekt(data)
    assert set(entries) == set(ids.values()), data["objekt"]
    for key, name in names.items():
        expected = delta(a, alone[key], *rate_args(rate))
        share = delta(a, alone[key], *rate_args(rate), key="andel")
        assert any(abs(v) > 1 for v in expected.values()), name
        assert_years(cause(data, name), expected, MNKR, name)
        assert_years(cause(data, name, "orsaker_andel"), share, SHARE, f"{name} (andel)")
        entry = entries[ids[key]]
        assert entry["orsak"] == name, entry
        assert entry["delta_kapitalkostnader_perioden"] == pytest.approx(sum(expected.values()), abs=MNKR), entry
    assert_only(data, set(names.values()))
    assert data["namnmatchningar"] == []


def mixed(plan):
    """Every kind of change at once: the four, one object with a new asset class, one with less co-financing, one
    both dearer and later, opening debt and the rate of existing debt, övriga intäkter, resultat and Befintliga."""
    def less_cofinancing(o):
        return replace(o, medfinansiering=tuple(CoFinancing(c.part, c.amount * 0.8, c.year) for c in o.medfinansiering))

    def dearer_and_later(o):
        return scaled(shifted(o, 1, 2026), 1.1)

    changed = edit_objects(plan, {Z_ID: scaled, W_ID: delayed, "TVB-KISTA": lambda o: replace(o, tillgangsklass="fastighet"),
                                  "TB-BAR": less_cofinancing, "FF-HANDEN": dearer_and_later},
                           drop=[Y_ID], add=[make_object(X_ROW)])
    region = plan.region
    years = tuple(replace(y, ovriga_intakter=None if y.ovriga_intakter is None else y.ovriga_intakter + 800.0,
                          resultat=y.resultat + 300.0) for y in region.years)
    existing = tuple(replace(e, bokfort_varde=e.bokfort_varde * 1.2) if e.tillgangsklass == "it" else e
                     for e in region.befintliga)
    region = replace(region, years=years, befintliga=existing, ingaende_rantebarande_skuld=region.ingaende_rantebarande_skuld + 2000,
                     genomsnittsranta_befintlig_skuld=0.035)
    return replace(changed, region=region)


@pytest.fixture(scope="module")
def mixed_pair(default_records, default_a, workdir):
    return default_a, write(mixed(default_records), workdir / "mixed.xlsx")


@pytest.mark.parametrize("rate", RATES)
def test_every_cause_at_once_sums_and_matches_berakna(mixed_pair, rate):
    """Contract 1 where the share is not linear (co-financing and revenue move the denominator): still exact."""
    a, b = mixed_pair
    data = jamfor(a, b, *rate_args(rate))
    assert_causes_sum_and_match_berakna(data, a, b, *rate_args(rate))
    for name in CAUSES:  # every cause is really exercised
        assert any(abs(v) > 1e-3 for v in cause(data, name).values()) or name == "intakter", name
        assert any(abs(v) > 1e-7 for v in cause(data, name, "orsaker_andel").values()), name
    entries = objekt(data)
    assert {X_ROW["id"], Y_ID, Z_ID, W_ID, "TVB-KISTA", "TB-BAR", "FF-HANDEN"} == set(entries), data["objekt"]
    assert entries["TVB-KISTA"]["orsak"] == "nyttjandeperiod" and entries["TB-BAR"]["orsak"] == "medfinansiering"


@pytest.mark.parametrize("rate", RATES)
def test_the_object_causes_do_not_depend_on_the_region_changes(default_records, default_pair, mixed_pair, rate):
    """In the mixed pair the object-level Δ over the period of X, Y, Z and W is still each one's change alone applied
    to A (the contract's definition), whatever else changed."""
    a, _, alone = default_pair
    _, b = mixed_pair
    entries = objekt(jamfor(a, b, *rate_args(rate)))
    ids = {"X": X_ROW["id"], "Y": Y_ID, "Z": Z_ID, "W": W_ID}
    for key, oid in ids.items():
        expected = sum(delta(a, alone[key], *rate_args(rate)).values())
        assert entries[oid]["delta_kapitalkostnader_perioden"] == pytest.approx(expected, abs=MNKR), oid


# Going from B back to A, the objects only in B are the removed ones and the objects only in A the new ones: the
# same change (X added, Y removed) is filed under the mirrored key.
MIRROR = {"nya_objekt": "borttagna_objekt", "borttagna_objekt": "nya_objekt"}


@pytest.mark.parametrize("rate", RATES)
def test_swapping_a_and_b_negates_every_cause(mixed_pair, rate):
    """Contract 4: jamfor(B, A) is −jamfor(A, B) cause by cause (X's addition becomes a removal, Y's removal an
    addition), in every year, to 1e-9."""
    a, b = mixed_pair
    forward, backward = jamfor(a, b, *rate_args(rate)), jamfor(b, a, *rate_args(rate))
    fw, bw = by_year(forward), by_year(backward)
    assert sorted(fw) == sorted(bw) == DEFAULT_YEARS
    bad = []
    for y in DEFAULT_YEARS:
        assert bw[y]["andel_a"] == pytest.approx(fw[y]["andel_b"], abs=SHARE)
        assert bw[y]["delta_kapitalkostnader"] == pytest.approx(-fw[y]["delta_kapitalkostnader"], abs=MNKR)
        for name in CAUSES:
            back = MIRROR.get(name, name)
            for key in ("orsaker", "orsaker_andel"):
                if abs(bw[y][key][back] + fw[y][key][name]) > SHARE:
                    bad.append((y, key, name, fw[y][key][name], back, bw[y][key][back]))
    assert not bad, "(year, key, cause A→B, value, cause B→A, value) not negated to 1e-9:\n" + \
        "\n".join(map(str, bad))
    swapped = objekt(backward)
    for oid, entry in objekt(forward).items():
        assert oid in swapped, oid
    assert objekt(forward)[X_ROW["id"]]["orsak"] == "nya_objekt" and swapped[X_ROW["id"]]["orsak"] == "borttagna_objekt"
    assert objekt(forward)[Y_ID]["orsak"] == "borttagna_objekt" and swapped[Y_ID]["orsak"] == "nya_objekt"


def test_rate_of_existing_debt_on_the_default_plan_is_all_ranta(default_records, default_a, workdir):
    """Contract 3 on the default plan: genomsnittsranta_befintlig_skuld 4,49 % → 3 %."""
    a = default_a
    b = write(replace(default_records, region=replace(default_records.region, genomsnittsranta_befintlig_skuld=0.03)),
              workdir / "ranta.xlsx")
    data = jamfor(a, b)
    assert_causes_sum_and_match_berakna(data, a, b)
    assert delta(a, b)[2026] < -100  # 33 493 mnkr at 1,49 percentage points less
    assert_years(cause(data, "ranta"), delta(a, b), MNKR, "ranta")
    assert_years(cause(data, "ranta", "orsaker_andel"), delta(a, b, key="andel"), SHARE, "ranta (andel)")
    assert_only(data, "ranta")


@pytest.mark.parametrize("rate", RATES)
def test_revenue_and_existing_assets_on_the_default_plan(default_records, default_a, workdir, rate):
    """Contract 3 on the default plan: övriga intäkter +2 % → all `intakter`; the Befintliga sheet's kollektivtrafik
    with 10 % more book value → all `befintliga`."""
    plan, a = default_records, default_a
    revenue = replace(plan, region=replace(plan.region, years=tuple(
        replace(y, ovriga_intakter=None if y.ovriga_intakter is None else y.ovriga_intakter * 1.02)
        for y in plan.region.years)))
    b = write(revenue, workdir / f"intakter_{bool(rate)}.xlsx")
    data = jamfor(a, b, *rate_args(rate))
    assert_causes_sum_and_match_berakna(data, a, b, *rate_args(rate))
    assert_years(cause(data, "intakter", "orsaker_andel"), delta(a, b, *rate_args(rate), key="andel"), SHARE, "intakter")
    assert_only(data, "intakter")

    existing = replace(plan, region=replace(plan.region, befintliga=tuple(
        replace(e, bokfort_varde=e.bokfort_varde * 1.1) if e.tillgangsklass == "kollektivtrafik" else e
        for e in plan.region.befintliga)))
    c = write(existing, workdir / f"befintliga_{bool(rate)}.xlsx")
    data = jamfor(a, c, *rate_args(rate))
    assert_causes_sum_and_match_berakna(data, a, c, *rate_args(rate))
    assert delta(a, c, *rate_args(rate))[2026] > 100
    assert_years(cause(data, "befintliga"), delta(a, c, *rate_args(rate)), MNKR, "befintliga")
    assert_only(data, "befintliga")


def test_models_option_is_used_for_both_plans(tmp_path, mixed_pair):
    """--models DIR: the comparison's totals are `invest berakna --models DIR`'s (a market rate of 4 % instead of
    2,5 %)."""
    models_dir = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models_dir)
    path = models_dir / "ranta" / "marknadsranta.yaml"
    text = path.read_text(encoding="utf-8")
    assert "varde: 0.025" in text
    path.write_text(text.replace("varde: 0.025", "varde: 0.04"), encoding="utf-8")
    a, b = mixed_pair
    data = jamfor(a, b, "--models", models_dir)
    assert_causes_sum_and_match_berakna(data, a, b, "--models", models_dir)
    plain = berakna(a)
    assert any(abs(row["andel_a"] - plain[row["ar"]]["andel"]) > 1e-4 for row in data["ar"])


# --- bad input, text output ---------------------------------------------------------------------------------------------

def assert_bad_input(result, *names):
    assert result.exit_code == 2, f"exit {result.exit_code}\n{result.output}"
    text = result.output
    assert "Traceback" not in text
    assert [w for w in ENGLISH if w in text] == [], text
    for name in names:
        assert name in text, f"{name} is not named in:\n{text}"


def test_a_plan_without_the_region_sheet_is_refused(tmp_path):
    """Contract 6: exit 2 and a Swedish message naming the plan without the Region sheet, in either place."""
    require_jamfor()
    with_region = small(tmp_path / "med_region.xlsx")
    without = build_plan(tmp_path / "utan_region.xlsx", small_objects(), years=YEARS)
    for a, b in ((without, with_region), (with_region, without)):
        result = invest("jamfor", a, b, "--format", "json")
        assert_bad_input(result, "utan_region.xlsx")
        assert "Region" in result.output
        assert result.stdout.strip() == "" or not result.stdout.lstrip().startswith("{")


def test_a_missing_file_is_refused(tmp_path):
    require_jamfor()
    a = small(tmp_path / "a.xlsx")
    result = invest("jamfor", a, tmp_path / "finns_inte.xlsx")
    assert_bad_input(result, "finns_inte.xlsx")


SENTENCE = re.compile(r"(?:^|(?<=[.!?:] ))\s*Andelen\s+(\d{4})\b", re.MULTILINE)


@pytest.mark.parametrize("fmt", [None, "tabell"])
def test_text_has_one_sentence_per_year(tmp_path, fmt):
    """Contract 7: the text output has one sentence per plan year starting "Andelen <år>"; the JSON's `mening` is a
    sentence about its year."""
    require_jamfor()
    a = small(tmp_path / "a.xlsx")
    b = small(tmp_path / "b.xlsx", objects=four_changes(small_objects()),
              balance={**BALANCE, "ingaende_rantebarande_skuld": 1200.0})
    result = invest("jamfor", a, b, "--ranta", R, *(["--format", fmt] if fmt else []))
    assert result.exit_code == 0, result.output
    years = [int(y) for y in SENTENCE.findall(result.stdout)]
    assert sorted(years) == list(YEARS), f"sentences for {years} in:\n{result.stdout}"
    data = jamfor(a, b, "--ranta", R)
    for row in data["ar"]:
        assert row["mening"].startswith(f"Andelen {row['ar']}"), row["mening"]
        assert row["mening"].rstrip().endswith("."), row["mening"]
