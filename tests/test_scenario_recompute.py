"""`invest scenario SCENARIER.yaml [PLAN] --format json` against the long way: every scenario's per-year figures equal
the whole plan recomputed with `calculate` after the scenario's changes are made to the inputs themselves —
parameters replaced in the models (tests/inmemory.py: with_rate_added, with_parameter, with_class_life), objects
scaled, moved (`shifted`, with the moves `invest forsening` lists) or added (`read_proposal`) in the plan's records,
övriga intäkter written on the Region records. Each key alone, keys combined, objects, classes, categories and years
the documentation's example does not use, two delays that a third object waits for, a property test over random
scenarios; and through the CLI against `invest berakna` on a changed plan workbook and on an edited copy of models/.

The long-way builders are checked first against what exists independently of the new command (`invest forsening`,
`invest kontroll`, `invest berakna` on edited files), so a failure of a scenario test points at the command."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from inmemory import (delay_moves, scenario_long_way, skatteunderlag_per_pe, with_class_life, with_parameter,
                      with_rate_added)
from invest.analyses.delay import Delays
from invest.cli import main
from invest.pipeline import Inputs, calculate_plan

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PLAN = ROOT / "data" / "investeringsplan" / "investeringsplan.xlsx"
PROPOSAL = ROOT / "data" / "forslag" / "exempel_forslag.xlsx"
SHARE = 1e-9  # andel, absolute
MNKR = 1e-6  # amounts, absolute
YEAR_KEYS = ("andel", "kapitalkostnader", "avskrivningar", "rantekostnader", "totala_intakter", "marginal")


# --- running the CLI ------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _cwd(directory: Path):
    old = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(old)


def _has_command(name: str) -> bool:
    return name in getattr(main, "commands", {})


def _writes_files(name: str) -> bool:
    """Whether the command takes -o/--utdata (then the tests point it at their own folder)."""
    command = main.commands[name]
    return any("--utdata" in getattr(p, "opts", ()) for p in command.params)


def invest(args: list[str], directory: Path) -> tuple[int, str, str]:
    """`invest ARGS` in-process (click's CliRunner), run from `directory`: (exit code, stdout, stderr)."""
    with _cwd(directory):
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback
        raise AssertionError(f"invest {' '.join(map(str, args))} raised:\n"
                             + "".join(traceback.format_exception(result.exception)))
    return result.exit_code, result.stdout, getattr(result, "stderr", "")


def invest_json(args: list[str], directory: Path, codes=(0, 1)) -> dict:
    code, out, err = invest(args, directory)
    assert code in codes, f"invest {' '.join(map(str, args))}: exit {code}\n{out}\n{err}"
    try:
        return json.loads(out)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"invest {' '.join(map(str, args))}: not JSON ({exc}):\n{out[:2000]}") from None


def require_command(name: str):
    if not _has_command(name):
        pytest.fail(f"`invest {name}` does not exist yet (invest --help lists {sorted(main.commands)})", pytrace=False)


def run_scenarios(scenarios: list[dict], directory: Path, plan: Path | None = None, extra: tuple = ()) -> dict:
    """`invest scenario DIRECTORY/scenarier.yaml [PLAN] --format json [EXTRA]`, its JSON."""
    require_command("scenario")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "scenarier.yaml"
    path.write_text(yaml.safe_dump({"scenarier": scenarios}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    args = ["scenario", path, *([plan] if plan else []), "--format", "json", *extra]
    if _writes_files("scenario"):
        args += ["-o", directory / "ut", "--skriv-over"]
    elsewhere = directory / "annan_katalog"  # run from another folder: relative paths in the YAML are the YAML's
    elsewhere.mkdir(exist_ok=True)
    return invest_json(args, elsewhere)


def berakna(directory: Path, plan: Path | None = None, models_dir: Path | None = None) -> dict:
    """`invest berakna [PLAN] --format json [--models DIR]`, its per-year rows by year."""
    args = ["berakna", *([plan] if plan else []), "--format", "json", *(["--models", models_dir] if models_dir else [])]
    return {r["ar"]: r for r in invest_json(args, directory, codes=(0,))["ar"]}


# --- comparing --------------------------------------------------------------------------------------------------------

def _by_name(data: dict) -> dict[str, dict]:
    return {s["namn"]: s for s in data["scenarier"]}


def mismatches(label: str, got: dict, table, base, riktvarde: float, years) -> list[str]:
    """Every difference between a scenario's JSON and the recomputed region table (`table`, plan years), with the base
    (`base`, plan years) for the deltas."""
    out = []
    rows = {r["ar"]: r for r in got["ar"]}
    if sorted(rows) != list(years):
        return [f"{label}: years {sorted(rows)} != plan years {list(years)}"]
    expected = {name: dict(zip(table["ar"].to_list(), table[name].to_list())) for name in YEAR_KEYS}
    before = {name: dict(zip(base["ar"].to_list(), base[name].to_list())) for name in ("andel", "kapitalkostnader")}
    for y in years:
        row = rows[y]
        checks = [(k, expected[k][y], SHARE if k == "andel" else MNKR) for k in YEAR_KEYS]
        checks += [("delta_andel", expected["andel"][y] - before["andel"][y], SHARE),
                   ("delta_kapitalkostnader", expected["kapitalkostnader"][y] - before["kapitalkostnader"][y], MNKR)]
        for key, want, tol in checks:
            have = row.get(key)
            if have is None or not abs(have - want) <= tol:
                out.append(f"{label} {y} {key}: expected {want!r}, got {have!r}")
    shares = [expected["andel"][y] for y in years]
    if not any(abs(s - riktvarde) < SHARE for s in shares):  # the verdict is not on a knife edge
        first = next((y for y, s in zip(years, shares) if s >= riktvarde), None)
        if got.get("forsta_overskridande_ar") != first:
            out.append(f"{label} forsta_overskridande_ar: expected {first}, got {got.get('forsta_overskridande_ar')}")
    mean = float(np.mean(shares))
    if got.get("genomsnittlig_andel") is None or not abs(got["genomsnittlig_andel"] - mean) <= SHARE:
        out.append(f"{label} genomsnittlig_andel: expected {mean!r}, got {got.get('genomsnittlig_andel')!r}")
    return out


def check_scenarios(data: dict, calc, scenarios: list[dict], base_dir: Path | None, moves=None):
    """Every scenario of `scenarios` in `data` (by namn) equals its long way; one message listing all differences."""
    years = list(calc.plan.plan_years)
    base = calc.plan_period()
    got = _by_name(data)
    problems = []
    for sc in scenarios:
        name = sc["namn"]
        if name not in got:
            problems.append(f"{name}: missing from the output (has {sorted(got)})")
            continue
        change = {k: val for k, val in sc.items() if k != "namn"}
        table = scenario_long_way(calc, change, base_dir, (moves or {}).get(name))
        problems += mismatches(name, got[name], table, base, calc.conventions.riktvarde, years)
    assert not problems, "\n".join(problems)


# --- the default plan -------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def default_calc():
    return calculate_plan(Inputs())


@pytest.fixture(scope="module")
def calc():
    return default_calc()


SINGLE = [  # each key alone; the documentation's examples and others
    {"namn": "Ränta +1 pe från 2027", "marknadsranta": {"tillagg": 0.01, "fran_ar": 2027}},
    {"namn": "Ränta −0,75 pe från 2031", "marknadsranta": {"tillagg": -0.0075, "fran_ar": 2031}},
    {"namn": "Ränta +0,4 pe utan fran_ar", "marknadsranta": {"tillagg": 0.004}},
    {"namn": "Intäkter 3,0 %", "intaktstillvaxt": 0.030},
    {"namn": "Intäkter 4,6 %", "intaktstillvaxt": 0.046},
    {"namn": "Intäkter 0 %", "intaktstillvaxt": 0.0},
    {"namn": "Skatteunderlag −0,5 pe", "skatteunderlag": {"tillagg": -0.005, "fran_ar": 2026}},
    {"namn": "Skatteunderlag +0,3 pe från 2030", "skatteunderlag": {"tillagg": 0.003, "fran_ar": 2030}},
    {"namn": "Skatteunderlag −1,2 pe från 2033", "skatteunderlag": {"tillagg": -0.012, "fran_ar": 2033}},
    {"namn": "Kollektivtrafik +20 %", "fordyring": [{"tillgangsklass": "kollektivtrafik", "faktor": 1.20,
                                                     "fran_ar": 2026}]},
    {"namn": "Medicinteknik +15 % från 2029", "fordyring": [{"tillgangsklass": "medicinteknik", "faktor": 1.15,
                                                             "fran_ar": 2029}]},
    {"namn": "Pottar −10 % från 2028", "fordyring": [{"kategori": "pott", "faktor": 0.9, "fran_ar": 2028}]},
    {"namn": "Planerade +25 % från 2030", "fordyring": [{"kategori": "planerad", "faktor": 1.25, "fran_ar": 2030}]},
    {"namn": "FF-HANDEN +35 % och fastighetskomponenter +5 %",  # FF-HANDEN is both: the factors multiply from 2029
     "fordyring": [{"objekt": "FF-HANDEN", "faktor": 1.35, "fran_ar": 2027},
                   {"tillgangsklass": "fastighet_komponenter", "faktor": 1.05, "fran_ar": 2029}]},
    {"namn": "TB-NSO +10 % med fran_ar före planen",  # the outturn column (2025) never changes
     "fordyring": [{"objekt": "TB-NSO", "faktor": 1.10, "fran_ar": 2020}]},
    {"namn": "NSO två år senare", "forseningar": [{"objekt": "TB-NSO", "ar": 2}]},
    {"namn": "Depån ett år senare", "forseningar": [{"objekt": "TB-DEPA", "ar": 1}]},  # moves TB-C30 with it
    {"namn": "Arenastaden sju år senare", "forseningar": [{"objekt": "TB-ARE", "ar": 7}]},  # moves TB-ALV one year
    {"namn": "SÖS 17/18 ett år senare", "forseningar": [{"objekt": "FF-SOS1718", "ar": 1}]},  # and its equipment
    {"namn": "Längre livslängd tunnel", "nyttjandeperiod": [{"tillgangsklass": "kollektivtrafik", "ar": 30}]},
    {"namn": "Medicinteknik 5 år", "nyttjandeperiod": [{"tillgangsklass": "medicinteknik", "ar": 5}]},
    {"namn": "Fastighetskomponenter 40 år", "nyttjandeperiod": [{"tillgangsklass": "fastighet_komponenter", "ar": 40}]},
    {"namn": "Fastighetskomponenter 50 år (halva månader)",  # installationer 432,5 and ytskikt 259,5 months exactly
     "nyttjandeperiod": [{"tillgangsklass": "fastighet_komponenter", "ar": 50}]},
    {"namn": "Fastighet 30 år och it 6 år", "nyttjandeperiod": [{"tillgangsklass": "fastighet", "ar": 30},
                                                                 {"tillgangsklass": "it", "ar": 6}]},
    {"namn": "Med förslagen", "forslag": ["forslag/exempel_forslag.xlsx"]},  # relative to the YAML file's folder
]

COMBINED = [
    {"namn": "Allt utom förslag",
     "marknadsranta": {"tillagg": 0.0075, "fran_ar": 2028}, "intaktstillvaxt": 0.031,
     "fordyring": [{"tillgangsklass": "kollektivtrafik", "faktor": 1.1, "fran_ar": 2027}],
     "forseningar": [{"objekt": "TB-NSO", "ar": 2}],
     "nyttjandeperiod": [{"tillgangsklass": "kollektivtrafik", "ar": 30}]},
    {"namn": "Lägre ränta, starkare skatteunderlag och förslagen",
     "marknadsranta": {"tillagg": -0.005, "fran_ar": 2026}, "skatteunderlag": {"tillagg": 0.002, "fran_ar": 2027},
     "forslag": ["forslag/exempel_forslag.xlsx"]},
    {"namn": "Fördyring och försening av samma objekt",  # the original years are scaled, then the spend moves
     "fordyring": [{"objekt": "TB-ARE", "faktor": 1.3, "fran_ar": 2027}], "forseningar": [{"objekt": "TB-ARE", "ar": 1}]},
    {"namn": "Två förseningar och fastighet längre",
     "forseningar": [{"objekt": "TB-DEPA", "ar": 2}, {"objekt": "FF-HANDEN", "ar": 1}],
     "nyttjandeperiod": [{"tillgangsklass": "fastighet_komponenter", "ar": 38}]},
    {"namn": "Förslagen och planerade objekt +15 % från 2029",  # the proposals' objects are planerade too
     "forslag": ["forslag/exempel_forslag.xlsx"], "fordyring": [{"kategori": "planerad", "faktor": 1.15, "fran_ar": 2029}],
     "forseningar": [{"objekt": "FF-HANDEN", "ar": 2}]},
    {"namn": "Svagare tillväxt och skatteunderlag",  # the Δ is added to the övriga intäkter the new growth gives
     "intaktstillvaxt": 0.028, "skatteunderlag": {"tillagg": -0.003, "fran_ar": 2028}},
]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """One `invest scenario` run with every scenario of SINGLE and COMBINED on the default plan (or why it failed)."""
    directory = tmp_path_factory.mktemp("scenario_default")
    (directory / "forslag").mkdir()
    shutil.copy(PROPOSAL, directory / "forslag" / "exempel_forslag.xlsx")
    try:
        return directory, run_scenarios(SINGLE + COMBINED, directory), None
    except BaseException as exc:  # noqa: BLE001 - reported by every test that needs the run
        return directory, None, exc


def _run(default_run):
    directory, data, failure = default_run
    if failure is not None:
        pytest.fail(f"invest scenario on the default plan failed: {failure}", pytrace=False)
    return directory, data


# --- the long way itself, against what exists independently of `invest scenario` ---------------------------------

@pytest.mark.parametrize("oid, years", [("TB-NSO", 2), ("TB-DEPA", 1), ("TB-ARE", 7), ("FF-SOS1718", 1)])
def test_long_way_delay_equals_forsening(calc, oid, years):
    """The long way of `forseningar` (the moves forsening lists, shifted in the records, recomputed) gives the share
    `invest forsening --objekt ID --ar N` reports after the delay."""
    table = scenario_long_way(calc, {"forseningar": [{"objekt": oid, "ar": years}]})
    after = Delays(calc).delay(oid, years).table
    assert np.abs(table["andel"].to_numpy() - after["andel_efter"].to_numpy()).max() <= SHARE


def test_long_way_proposal_equals_kontroll(calc, tmp_path):
    """The long way of `forslag` gives `invest kontroll --forslag FIL`'s andel_med."""
    data = invest_json(["kontroll", "--forslag", PROPOSAL, "--format", "json", "-o", tmp_path / "ut"], tmp_path)
    table = scenario_long_way(calc, {"forslag": [str(PROPOSAL)]})
    expected = dict(zip(table["ar"].to_list(), table["andel"].to_list()))
    for row in data["ar"]:
        assert row["andel_med"] == pytest.approx(expected[row["ar"]], abs=SHARE), row["ar"]


def test_long_way_builders_by_hand(calc):
    """The models builders do what the contract says, checked on the values themselves."""
    m = with_rate_added(calc.models, "ranta/marknadsranta", 0.01, 2027)
    assert [m.value("ranta/marknadsranta", y) - calc.models.value("ranta/marknadsranta", y)
            for y in (2025, 2026, 2027, 2035, 2060)] == pytest.approx([0, 0, 0.01, 0.01, 0.01])
    assert with_class_life(calc.models, "kollektivtrafik", 30).class_life("kollektivtrafik", 2026) == pytest.approx(30)
    comps = with_class_life(calc.models, "fastighet_komponenter", 40).asset_class_at("fastighet_komponenter", 2026)
    old = calc.models.asset_class_at("fastighet_komponenter", 2026)
    whole = calc.models.class_life("fastighet_komponenter", 2026)
    for (_, _, new), (_, _, life) in zip(comps, old):
        assert abs(new * 12 - round(new * 12)) < 1e-9 and abs(new - life * 40 / whole) <= 1 / 24 + 1e-12
    half = dict((c, n) for c, _, n in with_class_life(calc.models, "fastighet_komponenter", 50)
                .asset_class_at("fastighet_komponenter", 2026))
    assert (half["installationer"] * 12, half["ytskikt"] * 12) == pytest.approx((433, 260))  # 432,5 and 259,5 up
    assert with_parameter(calc.models, "region/intaktstillvaxt", 0.03).value("region/intaktstillvaxt", 2030) == 0.03


# --- each scenario of the default run -----------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", SINGLE + COMBINED, ids=[s["namn"] for s in SINGLE + COMBINED])
def test_scenario_equals_full_recompute(calc, default_run, scenario):
    """Per year: andel (1e-9), kapitalkostnader, avskrivningar, räntekostnader, totala intäkter, marginal (1e-6 mnkr),
    the deltas against the base, the first year over the riktvärde and the mean share — as the long way gives them."""
    directory, data = _run(default_run)
    check_scenarios(data, calc, [scenario], directory)


def test_base_equals_berakna(calc, default_run):
    """`bas` is the plan as `invest berakna` computes it, plan years only."""
    _, data = _run(default_run)
    base = calc.plan_period()
    rows = {r["ar"]: r for r in data["bas"]["ar"]}
    assert sorted(rows) == list(calc.plan.plan_years)
    for key in YEAR_KEYS:
        for y, want in zip(base["ar"].to_list(), base[key].to_list()):
            assert rows[y][key] == pytest.approx(want, abs=SHARE if key == "andel" else MNKR), (key, y)
    assert data["bas"]["forsta_overskridande_ar"] == (calc.breach_years() or [None])[0]
    assert data["bas"]["genomsnittlig_andel"] == pytest.approx(calc.average_share(), abs=SHARE)
    assert [s["namn"] for s in data["scenarier"]] == [s["namn"] for s in SINGLE + COMBINED]  # in the file's order


# --- a plan where a third object waits for two delayed ones, through the CLI against berakna --------------------

X_DEP = ["X-DEP", "Gemensam depå för två linjer", "Trafiknämnden", "Kollektivtrafik", "planerad", "ny", "planering",
         "fastighet", "2032-06", None, None]
X_SPEND = {2029: 200.0, 2030: 300.0, 2031: 300.0, 2032: 100.0}
X_WAITS = [("X-DEP", "TB-NSO", 6), ("X-DEP", "TVB-KISTA", 9)]
TWO_DELAYS = {"namn": "NSO tre år och Kista ett år", "forseningar": [{"objekt": "TB-NSO", "ar": 3},
                                                                      {"objekt": "TVB-KISTA", "ar": 1}]}
# by hand: TB-NSO opens 2030 (July, konventioner/aktivering), +3 → 2033-07, +6 months → X-DEP at the earliest 2034-01;
# TVB-KISTA 2031 (July) +1 → 2032-07, +9 months → 2033-04. X-DEP (2032-06) moves 2 years (1 would be 2033-06 < 2034-01).
HAND_MOVES = {"TB-NSO": 3, "TVB-KISTA": 1, "X-DEP": 2}


def _columns(ws) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[1] if c.value is not None}


def _row_of(ws, oid: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == oid)


def _shift_row(ws, row: int, years: int, driftsattning: str, plan_years=range(2026, 2036)):
    cols = _columns(ws)
    spend = {y: ws.cell(row, cols[str(y)]).value for y in plan_years}
    for y in plan_years:
        ws.cell(row, cols[str(y)]).value = None
    for y, a in spend.items():
        if a is not None:
            assert y + years in plan_years, "the test keeps moved spend inside the workbook's columns"
            ws.cell(row, cols[str(y + years)]).value = a
    ws.cell(row, cols["driftsättning"]).value = driftsattning


def write_two_dependency_plan(path: Path, moved: bool) -> Path:
    """The default plan with X-DEP (fastighet, 2032-06) waiting for TB-NSO (+6 months) and TVB-KISTA (+9 months);
    with `moved`, the plan as HAND_MOVES leave it, edited cell by cell (spend columns, driftsättning, the
    co-financing years on Medfinansiering)."""
    wb = openpyxl.load_workbook(DEFAULT_PLAN)
    ws = wb["Objekt"]
    cols = _columns(ws)
    row = ws.max_row + 1
    for j, value in enumerate(X_DEP, start=1):
        ws.cell(row, j).value = value
    for y, a in X_SPEND.items():
        ws.cell(row, cols[str(y)]).value = a
    deps = wb["Beroenden"]
    for values in X_WAITS:
        deps.append(list(values) + ["test"])
    if moved:
        _shift_row(ws, _row_of(ws, "TB-NSO"), 3, "2033")
        _shift_row(ws, _row_of(ws, "TVB-KISTA"), 1, "2032")
        _shift_row(ws, _row_of(ws, "X-DEP"), 2, "2034-06")
        co = wb["Medfinansiering"]
        ccols = _columns(co)
        for r in range(2, co.max_row + 1):
            if co.cell(r, 1).value == "TB-NSO" and (co.cell(r, ccols["ar"]).value or 0) >= 2026:
                co.cell(r, ccols["ar"]).value += 3
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def two_dependency_plans(tmp_path_factory):
    directory = tmp_path_factory.mktemp("two_deps")
    return (directory, write_two_dependency_plan(directory / "plan.xlsx", False),
            write_two_dependency_plan(directory / "flyttad.xlsx", True))


def test_two_delays_long_way_and_moved_workbook(two_dependency_plans):
    """The builder: forsening's moves, combined, are the moves worked out by hand, and the long way equals
    `invest berakna` on the workbook with those moves made in its cells."""
    directory, plan, moved = two_dependency_plans
    calc = calculate_plan(Inputs(plan=plan))
    assert delay_moves(calc, TWO_DELAYS["forseningar"]) == HAND_MOVES
    assert {m.id: m.years for m in Delays(calc).delay("TB-NSO", 3).moves} == {"TB-NSO": 3, "X-DEP": 2}
    assert {m.id: m.years for m in Delays(calc).delay("TVB-KISTA", 1).moves} == {"TVB-KISTA": 1, "X-DEP": 1}
    table = scenario_long_way(calc, {"forseningar": TWO_DELAYS["forseningar"]}, moves=HAND_MOVES)
    rows = berakna(directory, moved)
    for y, share in zip(table["ar"].to_list(), table["andel"].to_list()):
        assert rows[y]["andel"] == pytest.approx(share, abs=SHARE), y


def test_two_delays_a_third_waits_for_cli_equals_berakna_on_moved_workbook(two_dependency_plans):
    """`invest scenario` with two delays on the plan where X-DEP waits for both: per year as the long way (moves by
    hand) and as `invest berakna` on the workbook with the objects moved in its cells."""
    directory, plan, moved = two_dependency_plans
    data = run_scenarios([TWO_DELAYS], directory / "run", plan=plan)
    calc = calculate_plan(Inputs(plan=plan))
    check_scenarios(data, calc, [TWO_DELAYS], None, moves={TWO_DELAYS["namn"]: HAND_MOVES})
    rows = berakna(directory, moved)
    got = {r["ar"]: r for r in _by_name(data)[TWO_DELAYS["namn"]]["ar"]}
    for y in calc.plan.plan_years:
        for key in YEAR_KEYS:
            assert got[y][key] == pytest.approx(rows[y][key], abs=SHARE if key == "andel" else MNKR), (y, key)


# --- through the CLI: an edited plan workbook and an edited copy of models/ ----------------------------------------

DEARER = {"namn": "Kollektivtrafik +20 % från 2027 och skatteunderlag −0,5 pe",
          "fordyring": [{"tillgangsklass": "kollektivtrafik", "faktor": 1.2, "fran_ar": 2027}],
          "skatteunderlag": {"tillagg": -0.005, "fran_ar": 2026}}


def write_dearer_plan(path: Path, calc) -> Path:
    """The default plan with every kollektivtrafik row's spend 2027–2035 × 1,2 and övriga intäkter written on the
    Region sheet for every year: berakna's övriga intäkter + 900 mnkr × (−0,5) × (år − 2026 + 1)."""
    wb = openpyxl.load_workbook(DEFAULT_PLAN)
    ws = wb["Objekt"]
    cols = _columns(ws)
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, cols["tillgångsklass"]).value == "kollektivtrafik":
            for y in range(2027, 2036):
                cell = ws.cell(r, cols[str(y)])
                if cell.value is not None:
                    cell.value = cell.value * 1.2
    region = wb["Region"]
    rcols = _columns(region)
    other = dict(zip(calc.region.table["ar"].to_list(), calc.region.table["ovriga_intakter"].to_list()))
    per_pe = skatteunderlag_per_pe(calc.models, 2026)
    for r in range(2, region.max_row + 1):
        y = region.cell(r, rcols["ar"]).value
        region.cell(r, rcols["ovriga_intakter"]).value = other[y] + per_pe * (-0.005 * 100) * (y - 2026 + 1)
    wb.save(path)
    return path


def assert_three_agree(calc, tmp_path, spec: dict, rows: dict, what: str) -> None:
    """The long way of `spec`, `invest berakna` (`rows`, by year) and `invest scenario` agree in every plan year."""
    table = scenario_long_way(calc, {k: val for k, val in spec.items() if k != "namn"})
    for y, share in zip(table["ar"].to_list(), table["andel"].to_list()):
        assert rows[y]["andel"] == pytest.approx(share, abs=SHARE), (what, y)
    data = run_scenarios([spec], tmp_path / "run")
    got = {r["ar"]: r for r in _by_name(data)[spec["namn"]]["ar"]}
    problems = [f"{y} {key}: berakna {rows[y][key]!r}, scenario {got[y][key]!r}" for y in calc.plan.plan_years
                for key in YEAR_KEYS
                if not abs(got[y][key] - rows[y][key]) <= (SHARE if key == "andel" else MNKR)]
    assert not problems, "\n".join(problems)


def test_cli_fordyring_and_skatteunderlag_equal_berakna_on_edited_workbook(calc, tmp_path):
    """fordyring and skatteunderlag through the CLI against `invest berakna` on the workbook edited by hand (and the
    long way against the same workbook, so the three agree)."""
    edited = write_dearer_plan(tmp_path / "dyrare.xlsx", calc)
    rows = berakna(tmp_path, edited)
    assert_three_agree(calc, tmp_path, DEARER, rows, "long way vs berakna")


MODELS_EDIT = {"namn": "Ränta +1 pe från 2027, tunnel 30 år, intäkter 3,0 %",
               "marknadsranta": {"tillagg": 0.01, "fran_ar": 2027},
               "nyttjandeperiod": [{"tillgangsklass": "kollektivtrafik", "ar": 30}], "intaktstillvaxt": 0.030}


def _edit_yaml(path: Path, edit) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_models_copy(directory: Path) -> Path:
    """models/ copied, with marknadsranta raised by 0,01 from 2027-01-01, kollektivtrafik 30 years, growth 3,0 %."""
    target = directory / "modeller"
    shutil.copytree(ROOT / "models", target)

    def rate(doc):
        (start, entry), = doc["varden"].items()  # one dated value today; the edit below assumes it
        doc["varden"][__import__("datetime").date(2027, 1, 1)] = {"varde": entry["varde"] + 0.01, "antagande": "test"}

    def life(doc):
        (entry,) = doc["varden"].values()
        assert len(entry["varde"]) == 1
        entry["varde"][0]["nyttjandeperiod"] = 30

    def growth(doc):
        (entry,) = doc["varden"].values()
        entry["varde"] = 0.030

    _edit_yaml(target / "ranta" / "marknadsranta.yaml", rate)
    _edit_yaml(target / "tillgangsklasser" / "kollektivtrafik.yaml", life)
    _edit_yaml(target / "region" / "intaktstillvaxt.yaml", growth)
    return target


def test_cli_models_keys_equal_berakna_with_edited_models_copy(calc, tmp_path):
    """marknadsranta, nyttjandeperiod and intaktstillvaxt through the CLI against `invest berakna --models COPY` with
    the YAML files edited (and the long way against the same, so the three agree)."""
    models_dir = write_models_copy(tmp_path)
    rows = berakna(tmp_path, models_dir=models_dir)
    assert_three_agree(calc, tmp_path, MODELS_EDIT, rows, "long way vs berakna --models")


def test_cli_with_models_flag_applies_scenario_on_top(calc, tmp_path):
    """`invest scenario --models COPY`: the scenario is applied on top of the copy's parameters (growth 3,0 % in the
    copy, then +0,5 pe market rate from 2029 in the scenario)."""
    models_dir = write_models_copy(tmp_path)
    require_command("scenario")
    if not any("--models" in getattr(p, "opts", ()) for p in main.commands["scenario"].params):
        pytest.fail("invest scenario has no --models option", pytrace=False)
    sc = {"namn": "Ränta +0,5 pe från 2029", "marknadsranta": {"tillagg": 0.005, "fran_ar": 2029}}
    data = run_scenarios([sc], tmp_path / "run", extra=("--models", models_dir))
    copy_calc = calculate_plan(Inputs(models_dir=models_dir))
    check_scenarios(data, copy_calc, [sc], None)


# --- property: random scenarios -----------------------------------------------------------------------------------

CLASSES = {"kollektivtrafik": 25, "fastighet": 35, "fastighet_komponenter": 35, "medicinteknik": 7, "it": 4,
           "fordon": 10, "inventarier": 10}
DELAYABLE = ["TB-NSO", "TB-DEPA", "TB-ARE", "TVB-KISTA", "FF-HANDEN", "FF-NORRT", "FF-L9", "BUSS-SLU", "RB-CITY"]
SELECTORS = ([("tillgangsklass", c) for c in CLASSES] + [("kategori", k) for k in ("beslutad", "planerad", "pott")]
             + [("objekt", o) for o in ("TB-NSO", "TB-ALV", "FF-NHAGA", "T61-FF-INV", "T34-KS-ERS", "RB-CITY")])
years = st.integers(2026, 2035)


@st.composite
def random_scenario(draw, index: int) -> dict:
    keys = draw(st.sets(st.sampled_from(["marknadsranta", "intaktstillvaxt", "skatteunderlag", "fordyring",
                                         "forseningar", "nyttjandeperiod"]), min_size=1, max_size=4))
    sc: dict = {"namn": f"slump {index}"}
    if "marknadsranta" in keys:
        sc["marknadsranta"] = {"tillagg": draw(st.integers(-150, 250)) / 10_000, "fran_ar": draw(years)}
    if "intaktstillvaxt" in keys:
        sc["intaktstillvaxt"] = draw(st.integers(0, 600)) / 10_000
    if "skatteunderlag" in keys:
        sc["skatteunderlag"] = {"tillagg": draw(st.integers(-100, 100)) / 10_000, "fran_ar": draw(years)}
    if "fordyring" in keys:
        entries = draw(st.lists(st.sampled_from(SELECTORS), min_size=1, max_size=2))
        sc["fordyring"] = [{key: value, "faktor": draw(st.integers(60, 160)) / 100,
                            "fran_ar": draw(st.integers(2024, 2035))} for key, value in entries]
    if "forseningar" in keys:
        delayed = draw(st.lists(st.sampled_from(DELAYABLE), min_size=1, max_size=2, unique=True))
        sc["forseningar"] = [{"objekt": oid, "ar": draw(st.integers(1, 3))} for oid in delayed]
    if "nyttjandeperiod" in keys:
        klass = draw(st.sampled_from(sorted(CLASSES)))
        life = CLASSES[klass]
        sc["nyttjandeperiod"] = [{"tillgangsklass": klass,
                                  "ar": draw(st.integers(max(2, int(life * 0.6)), int(life * 1.6)))}]
    return sc


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])  # no shrinking: each example is a CLI run; the failure is printed
@given(scenarios=st.tuples(random_scenario(1), random_scenario(2), random_scenario(3)))
def test_random_scenarios_equal_full_recompute(tmp_path_factory, scenarios):
    """Random tillägg, factors, selectors, years, delays and lives, up to four keys a scenario, three scenarios a
    run: every per-year figure as the long way gives it."""
    directory = tmp_path_factory.mktemp("slump")
    data = run_scenarios(list(scenarios), directory)
    check_scenarios(data, default_calc(), list(scenarios), directory)


def test_till_ar_keeps_the_plan_years(calc, tmp_path):
    """With --till-ar past the plan, the scenario table still has the plan years only, with the same figures (the
    long way, computed to 2045)."""
    require_command("scenario")
    if not any("--till-ar" in getattr(p, "opts", ()) for p in main.commands["scenario"].params):
        pytest.fail("invest scenario has no --till-ar", pytrace=False)
    sc = {"namn": "NSO ett år och ränta +0,25 pe", "forseningar": [{"objekt": "TB-NSO", "ar": 1}],
          "marknadsranta": {"tillagg": 0.0025, "fran_ar": 2030}}
    data = run_scenarios([sc], tmp_path, extra=("--till-ar", "2045"))
    check_scenarios(data, calc, [sc], None)


# --- the guidelines on each scenario ------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", SINGLE + COMBINED, ids=[s["namn"] for s in SINGLE + COMBINED])
def test_scenario_binding_rule_equals_full_recompute(calc, default_run, scenario):
    """Each scenario's bindande_regel (rule, year, margin in mnkr) is what every active rule, judged on the fully
    recomputed plan with the scenario's changes, gives."""
    from invest.analyses.guidelines import binding, judge_all
    from invest.engine.calculation import calculate
    from inmemory import scenario_inputs

    directory, data = _run(default_run)
    plan, models = scenario_inputs(calc, {k: v for k, v in scenario.items() if k != "namn"}, directory)
    recomputed = calculate(plan, models, until_year=int(calc.region.table["ar"][-1]))
    expected = binding(judge_all(recomputed))
    got = _by_name(data)[scenario["namn"]]["bindande_regel"]
    assert (got["regel"], got["ar"], got["utanfor"]) == (expected.result.rule.id, expected.year, expected.failed)
    assert got["marginal_mnkr"] == pytest.approx(expected.margin, abs=1e-6)
