"""`invest kanslighet [PLAN] --format json` against `invest scenario` and the long way: every step's shares are what
`invest scenario` gives for the step's own `scenario` fragment (and what the whole plan recomputed gives); every
break-even's fragment puts the plan's highest share in the plan period on the riktvärde, within what its `precision`
and `metod` promise; and the break-even is the first crossing from the base (steps between the base and the
break-even keep the base's verdict). On the default plan (over the riktvärde in 2030–2031) and on a plan that stays
under it (a models copy with higher revenue growth), where the break-even is where the first year reaches it.

Readings of the contract (stated here, see also the report): a step or break-even fragment is a YAML scenario for
`invest scenario`; the share "within what precision implies" for a bisection means the highest shares at
andring − precision and andring + precision lie on both sides of the riktvärde (or one is within 1e-9 of it), the
fragments at andring ± precision being the driver's fragment with its varying numbers moved along the line the
steps' fragments lie on; for "hela år", one whole year back toward the base flips the verdict (over / not over)."""

from __future__ import annotations

import copy
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from inmemory import scenario_long_way
from invest.pipeline import Inputs, calculate_plan
from test_scenario_recompute import (ROOT, SHARE, MNKR, _by_name, _writes_files, invest_json, require_command,
                                     run_scenarios)

STEP_KEYS = ("steg", "andring", "andel", "toppandel", "delta_kapitalkostnader_perioden", "scenario")
BREAK_KEYS = ("andring", "ar", "precision", "metod", "scenario")
METHODS = ("exakt", "bisektion", "hela år")
HIGH_GROWTH = 0.05  # models copy: the default plan then stays under the riktvärde every year (highest 7,87 %)


def _has_option(command: str, option: str) -> bool:
    from invest.cli import main
    return any(option in getattr(p, "opts", ()) for p in main.commands[command].params)


def run_kanslighet(directory: Path, models_dir: Path | None = None) -> dict:
    """`invest kanslighet --format json [--models DIR]`, with --arbetsbok (the workbook in DIRECTORY/ut) when the
    command has it."""
    require_command("kanslighet")
    directory.mkdir(parents=True, exist_ok=True)
    args = ["kanslighet", "--format", "json", *(["--models", models_dir] if models_dir else [])]
    if _writes_files("kanslighet"):
        args += ["-o", directory / "ut", "--skriv-over"]
        if _has_option("kanslighet", "--arbetsbok"):
            args += ["--arbetsbok"]
    return invest_json(args, directory)


def _guarded(make):
    try:
        return make(), None
    except BaseException as exc:  # noqa: BLE001 - reported by every test that needs it
        return None, exc


def _need(pair, what):
    value, failure = pair
    if failure is not None:
        pytest.fail(f"{what} failed: {failure}", pytrace=False)
    return value


def write_high_growth_models(directory: Path) -> Path:
    target = directory / "modeller"
    shutil.copytree(ROOT / "models", target)
    path = target / "region" / "intaktstillvaxt.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    (entry,) = doc["varden"].values()
    entry["varde"] = HIGH_GROWTH
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


# --- the fragments ----------------------------------------------------------------------------------------------------

def _leaves(obj, path=()):
    if isinstance(obj, dict):
        for k, val in obj.items():
            yield from _leaves(val, path + (k,))
    elif isinstance(obj, list):
        for i, val in enumerate(obj):
            yield from _leaves(val, path + (i,))
    else:
        yield path, obj


def _set(obj, path, value):
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def fragment_line(driver: dict):
    """The numbers of the driver's fragments that move with `andring`, as lines value = a + b·andring fitted
    through its steps (every step on it); returns `at(andring)`: the break-even's fragment moved to `andring`."""
    bp = driver["brytpunkt"]
    shape = {p for p, _ in _leaves(bp["scenario"])}
    steps = [s for s in driver["steg"] if s.get("scenario") and {p for p, _ in _leaves(s["scenario"])} == shape]
    assert len({s["andring"] for s in steps}) >= 2, (
        f"{driver['id']}: fewer than two steps with the break-even's fragment shape; cannot move it along andring")
    lines = {}
    for path in shape:
        values = [(s["andring"], dict(_leaves(s["scenario"]))[path]) for s in steps]
        if not all(_number(val) for _, val in values):
            assert len({str(val) for _, val in values}) == 1, f"{driver['id']}: {path} varies and is not a number"
            continue
        if len({val for _, val in values}) == 1:
            continue
        (x0, y0), (x1, y1) = min(values), max(values)
        b = (y1 - y0) / (x1 - x0)
        a = y0 - b * x0
        for x, val in values:
            assert abs(a + b * x - val) <= 1e-9 * max(1, abs(val)), (
                f"{driver['id']}: {path} is not linear in andring across the steps ({values})")
        whole = all(isinstance(val, int) for _, val in values)
        lines[path] = (a, b, whole)
    assert lines, f"{driver['id']}: no number in the fragment moves with andring"
    bp_leaves = dict(_leaves(bp["scenario"]))
    for path, (a, b, whole) in lines.items():  # the break-even's own fragment lies on the same line
        want = a + b * bp["andring"]
        assert abs(bp_leaves[path] - want) <= 1e-9 * max(1, abs(want)), (
            f"{driver['id']}: brytpunkt andring {bp['andring']} but its fragment has {path} = {bp_leaves[path]}, "
            f"the steps' line gives {want}")

    def at(andring):
        fragment = copy.deepcopy(bp["scenario"])
        for path, (a, b, whole) in lines.items():
            value = a + b * andring
            _set(fragment, path, int(round(value)) if whole else value)
        return fragment
    return at


# --- the runs ---------------------------------------------------------------------------------------------------------

def _scenario_batch(data: dict) -> tuple[list[dict], dict, dict]:
    """Every step and break-even of every driver (and the break-even moved by ± precision, or one year back toward
    the base for whole years) as named scenarios; where each is; and the drivers whose break-even could not be
    moved along andring, with why."""
    scenarios, index, unmovable = [], {}, {}
    for i, d in enumerate(data["drivare"]):
        for s in d["steg"]:
            if s.get("scenario") is not None and s.get("andel") is not None:
                name = f"d{i} steg {s['steg']}"
                scenarios.append({"namn": name, **s["scenario"]})
                index[name] = (d, s)
        bp = d.get("brytpunkt")
        if bp is None:
            continue
        scenarios.append({"namn": f"d{i} brytpunkt", **bp["scenario"]})
        index[f"d{i} brytpunkt"] = (d, bp)
        if bp["metod"] not in ("bisektion", "hela år"):
            continue
        try:
            at = fragment_line(d)
        except AssertionError as exc:
            unmovable[d["id"]] = str(exc)
            continue
        if bp["metod"] == "bisektion":
            for sign, tag in ((-1, "minus"), (1, "plus")):
                scenarios.append({"namn": f"d{i} brytpunkt {tag}", **at(bp["andring"] + sign * bp["precision"])})
        elif bp["metod"] == "hela år":
            back = bp["andring"] - math.copysign(1, bp["andring"])
            scenarios.append({"namn": f"d{i} brytpunkt ett år närmare basen", **at(back)})
    return scenarios, index, unmovable


class Run:
    """kanslighet's JSON, the base calculation, and `invest scenario` with every fragment in one run."""

    def __init__(self, directory: Path, models_dir: Path | None):
        self.calc = calculate_plan(Inputs(models_dir=models_dir))
        self.data = run_kanslighet(directory / "kanslighet", models_dir)
        self.workbooks = sorted((directory / "kanslighet" / "ut").glob("*.xlsx"))
        self.scenarios, self.index, self.unmovable = _scenario_batch(self.data)
        extra = ("--models", models_dir) if models_dir else ()
        self.scenario = _by_name(run_scenarios(self.scenarios, directory / "scenario", extra=extra))
        self.years = list(self.calc.plan.plan_years)
        self.riktvarde = self.calc.conventions.riktvarde

    def shares(self, name: str) -> list[float]:
        rows = {r["ar"]: r for r in self.scenario[name]["ar"]}
        return [rows[y]["andel"] for y in self.years]


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    return _guarded(lambda: Run(tmp_path_factory.mktemp("kanslighet_default"), None))


@pytest.fixture(scope="module")
def under(tmp_path_factory):
    directory = tmp_path_factory.mktemp("kanslighet_under")
    return _guarded(lambda: Run(directory, write_high_growth_models(directory)))


RUNS = ["default", "under"]


@pytest.fixture(params=RUNS)
def runs(request):
    """The run on the default plan and on the plan under the riktvärde (its failure is reported by the test)."""
    return request.getfixturevalue(request.param), f"kanslighet/scenario ({request.param})"


# --- the tests --------------------------------------------------------------------------------------------------------

def test_kanslighet_exists():
    require_command("kanslighet")


def test_shape_base_and_peak_year(runs):
    """The JSON's shape; bas is berakna's plan-period shares; toppar is the base year with the highest share; each
    step's toppandel is its share in that year; every driver has steps."""
    run = _need(*runs)
    data, calc = run.data, run.calc
    for key in ("plan", "riktvarde", "toppar", "bas", "drivare"):
        assert key in data, key
    assert data["riktvarde"] == pytest.approx(run.riktvarde, abs=1e-15)
    assert data["bas"]["ar"] == run.years
    base = calc.plan_period()["andel"].to_list()
    assert np.abs(np.array(data["bas"]["andel"]) - base).max() <= SHARE
    assert data["toppar"] == run.years[int(np.argmax(base))]
    top = run.years.index(data["toppar"])
    assert data["drivare"], "no drivers"
    for d in data["drivare"]:
        for key in ("id", "namn", "enhet", "steg", "brytpunkt"):
            assert key in d, (d.get("id"), key)
        assert d["steg"], d["id"]
        for s in d["steg"]:
            for key in STEP_KEYS:
                assert key in s, (d["id"], s.get("steg"), key)
            if s["andel"] is not None:
                assert len(s["andel"]) == len(run.years), (d["id"], s["steg"])
                assert s["toppandel"] == pytest.approx(s["andel"][top], abs=1e-15), (d["id"], s["steg"])
        if d["brytpunkt"] is not None:
            for key in BREAK_KEYS:
                assert key in d["brytpunkt"], (d["id"], key)
            assert d["brytpunkt"]["metod"] in METHODS, (d["id"], d["brytpunkt"]["metod"])


def test_steps_equal_invest_scenario_with_their_fragment(runs):
    """Every step with a share: its shares, toppandel and Δ kapitalkostnader over the plan period equal `invest
    scenario` with the step's fragment (1e-9 in the share, 1e-6 mnkr)."""
    run = _need(*runs)
    problems = []
    top = run.years.index(run.data["toppar"])
    for name, (d, s) in run.index.items():
        if "steg" not in s:
            continue
        got = run.scenario.get(name)
        if got is None:
            problems.append(f"{d['id']} steg {s['steg']}: not in invest scenario's output")
            continue
        shares = run.shares(name)
        for y, want, have in zip(run.years, shares, s["andel"]):
            if not abs(want - have) <= SHARE:
                problems.append(f"{d['id']} steg {s['steg']} ({s['scenario']}) {y}: kanslighet andel {have!r}, "
                                f"scenario {want!r}")
        if not abs(s["toppandel"] - shares[top]) <= SHARE:
            problems.append(f"{d['id']} steg {s['steg']}: toppandel {s['toppandel']!r}, scenario {shares[top]!r}")
        delta = sum(r["delta_kapitalkostnader"] for r in got["ar"] if r["ar"] in run.years)
        if not abs(s["delta_kapitalkostnader_perioden"] - delta) <= MNKR:
            problems.append(f"{d['id']} steg {s['steg']}: delta_kapitalkostnader_perioden "
                            f"{s['delta_kapitalkostnader_perioden']!r}, scenario Σ {delta!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("run_name", RUNS)
def test_sampled_steps_equal_full_recompute(request, run_name):
    """Independently of `invest scenario`: the first, middle and last step of every driver equal the whole plan
    recomputed with the fragment's changes made to the inputs (tests/inmemory.py)."""
    run = _need(request.getfixturevalue(run_name), f"kanslighet/scenario ({run_name})")
    problems = []
    for d in run.data["drivare"]:
        steps = [s for s in d["steg"] if s.get("andel") is not None and s.get("scenario") is not None]
        for s in {id(s): s for s in (steps[:1] + steps[len(steps) // 2:len(steps) // 2 + 1] + steps[-1:])}.values():
            table = scenario_long_way(run.calc, s["scenario"])
            for y, want, have in zip(run.years, table["andel"].to_list(), s["andel"]):
                if not abs(want - have) <= SHARE:
                    problems.append(f"{d['id']} steg {s['steg']} ({s['scenario']}) {y}: kanslighet {have!r}, "
                                    f"recomputed {want!r}")
    assert not problems, "\n".join(problems)


def test_break_even_puts_the_highest_share_on_the_riktvarde(runs):
    """Every driver with a break-even: `invest scenario` with its fragment gives a highest plan-period share on the
    riktvärde — exakt to 1e-9; bisektion: at andring ± precision on both sides (or within 1e-9); hela år: the verdict
    one year back toward the base is the other one. `ar` is the year of the highest share there."""
    run = _need(*runs)
    r = run.riktvarde
    problems, seen = [], 0
    for i, d in enumerate(run.data["drivare"]):
        bp = d.get("brytpunkt")
        if bp is None:
            continue
        seen += 1
        name = f"d{i} brytpunkt"
        shares = run.shares(name)
        top = max(shares)
        label = f"{d['id']} brytpunkt andring {bp['andring']!r} ({bp['metod']}, precision {bp.get('precision')!r})"
        if bp["metod"] == "exakt":
            if not abs(top - r) <= SHARE:
                problems.append(f"{label}: highest share {top!r}, riktvärde {r}")
            if not shares[run.years.index(bp["ar"])] >= top - SHARE:
                problems.append(f"{label}: ar {bp['ar']} is not the year of the highest share ({shares})")
        elif d["id"] in run.unmovable:
            problems.append(f"{label}: {run.unmovable[d['id']]}")
        elif bp["metod"] == "bisektion":
            low, high = max(run.shares(name + " minus")), max(run.shares(name + " plus"))
            if not ((low - r) * (high - r) <= 0 or min(abs(low - r), abs(high - r)) <= SHARE):
                problems.append(f"{label}: highest shares at ± precision {low!r}, {high!r} not on both sides of {r}")
            if not bp["precision"] > 0:
                problems.append(f"{label}: precision {bp['precision']!r}")
        else:
            back = max(run.shares(name + " ett år närmare basen"))
            if (top >= r) == (back >= r):
                problems.append(f"{label}: highest share {top!r} there and {back!r} one year nearer the base: "
                                f"the verdict does not flip at {r}")
    assert seen, "no driver has a break-even"
    assert not problems, "\n".join(problems)


def test_break_even_is_the_first_crossing_from_the_base(runs):
    """Steps strictly between the base and a break-even (same sign, smaller change) keep the base's verdict: the
    default plan still breaches there; a plan under the riktvärde stays under it."""
    run = _need(*runs)
    base_over = max(run.calc.plan_period()["andel"].to_list()) >= run.riktvarde
    problems = []
    for d in run.data["drivare"]:
        bp = d.get("brytpunkt")
        if bp is None:
            continue
        for s in d["steg"]:
            if s.get("andel") is None or not bp["andring"]:
                continue
            t = s["andring"] / bp["andring"]
            if 0 <= t < 1 and abs(t - 1) * abs(bp["andring"]) > (bp.get("precision") or 0):
                over = max(s["andel"]) >= run.riktvarde
                if over != base_over:
                    problems.append(f"{d['id']}: step {s['steg']} (andring {s['andring']}) already "
                                    f"{'over' if over else 'under'} the riktvärde ({max(s['andel'])!r}) before the "
                                    f"break-even at {bp['andring']}")
    assert not problems, "\n".join(problems)


def test_break_even_fragment_equals_full_recompute(runs):
    """Independently of `invest scenario`: the break-even's fragment recomputed in full gives the same shares."""
    run = _need(*runs)
    problems = []
    for i, d in enumerate(run.data["drivare"]):
        if d.get("brytpunkt") is None:
            continue
        table = scenario_long_way(run.calc, d["brytpunkt"]["scenario"])
        for y, want, have in zip(run.years, table["andel"].to_list(), run.shares(f"d{i} brytpunkt")):
            if not abs(want - have) <= SHARE:
                problems.append(f"{d['id']} brytpunkt {y}: scenario {have!r}, recomputed {want!r}")
    assert not problems, "\n".join(problems)


def test_a_driver_without_break_even_has_no_step_across_the_riktvarde(runs):
    """brytpunkt null is only right when no computable step has crossed (the steps lie inside the search range, and
    a step across the riktvärde means a break-even between the base and it)."""
    run = _need(*runs)
    base_over = max(run.calc.plan_period()["andel"].to_list()) >= run.riktvarde
    problems = [f"{d['id']}: no brytpunkt, but step {s['steg']} (andring {s['andring']}) has highest share "
                f"{max(s['andel'])!r} on the other side of {run.riktvarde}"
                for d in run.data["drivare"] if d.get("brytpunkt") is None
                for s in d["steg"] if s.get("andel") is not None and (max(s["andel"]) >= run.riktvarde) != base_over]
    assert not problems, "\n".join(problems)


def _table(ws, first_header: str = "Drivare"):
    """(header, rows) of the sheet's table: the row whose first cell is `first_header`, and the rows under it up to
    the first empty one."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    body = []
    for r in rows[start + 1:]:
        if r[0] is None:
            break
        body.append(r)
    return rows[start], body


def _workbook(run):
    import openpyxl
    if not run.workbooks:
        pytest.fail("invest kanslighet --arbetsbok wrote no workbook", pytrace=False)
    return openpyxl.load_workbook(run.workbooks[0], data_only=True)  # cached values of the formulas


def test_tornado_sheet_equals_the_table(runs):
    """The Tornado sheet's bars are the JSON's figures: per driver the peak-year share at its lowest and highest
    computable step (– when no step on that side can be computed), the span from the lowest to the highest of those
    and the base's peak share (procentenheter), every driver once, widest bar first."""
    run = _need(*runs)
    wb = _workbook(run)
    if "Tornado" not in wb.sheetnames:
        pytest.fail(f"no Tornado sheet in {run.workbooks[0].name}: {wb.sheetnames}", pytrace=False)
    ws = wb["Tornado"]
    top = run.years.index(run.data["toppar"])
    base_top = run.data["bas"]["andel"][top]
    base_cell = next(r[1] for r in ws.iter_rows(values_only=True) if isinstance(r[0], str) and r[0].startswith("Bas"))
    assert base_cell == pytest.approx(base_top, abs=SHARE)
    header, rows = _table(ws)
    drivers = {d["namn"]: d for d in run.data["drivare"]}
    assert sorted(r[0] for r in rows) == sorted(drivers), "every driver once"
    problems, spans = [], []
    for r in rows:
        d = drivers[r[0]]
        ok = [s for s in d["steg"] if s.get("andel") is not None]
        low = min((s for s in ok if s["andring"] < 0), key=lambda s: s["andring"], default=None)
        high = max((s for s in ok if s["andring"] > 0), key=lambda s: s["andring"], default=None)
        for cell, step, side in ((r[3], low, "lowest"), (r[5], high, "highest")):
            want = None if step is None else step["toppandel"]
            if (want is None) != (cell is None) or (want is not None and not abs(cell - want) <= SHARE):
                problems.append(f"{d['id']} {side} step: tornado {cell!r}, table {want!r}")
        ends = [x for x in (r[3], r[5], base_top) if x is not None]
        span = (max(ends) - min(ends)) * 100
        if r[6] is None or not abs(r[6] - span) <= 1e-7:
            problems.append(f"{d['id']} span: tornado {r[6]!r}, from the figures {span!r}")
        spans.append(r[6] if r[6] is not None else span)
    if spans != sorted(spans, reverse=True):
        problems.append(f"bars not widest first: {spans}")
    assert not problems, "\n".join(problems)


def test_kanslighet_sheet_equals_the_json(runs):
    """The Känslighet sheet's rows are the JSON's: the base's shares, and per driver and step the shares per year,
    the peak-year share and Δ kapitalkostnader over the plan period (empty where the step cannot be computed)."""
    run = _need(*runs)
    wb = _workbook(run)
    ws = wb[next(n for n in wb.sheetnames if n.lower().startswith("k"))]
    header, rows = _table(ws)
    year_cols = [header.index(str(y)) for y in run.years]
    problems = []
    base = next(r for r in rows if r[0] == "Bas")
    if not all(abs(base[c] - a) <= SHARE for c, a in zip(year_cols, run.data["bas"]["andel"])):
        problems.append(f"Bas row {[base[c] for c in year_cols]} != bas.andel {run.data['bas']['andel']}")
    seen = set()
    by_name = {d["namn"]: d for d in run.data["drivare"]}
    for r in rows:
        if r[0] == "Bas":
            continue
        d = by_name.get(r[0])
        if d is None:
            problems.append(f"row {r[0]!r} is no driver of the JSON")
            continue
        step = next((s for s in d["steg"] if abs(s["andring"] - r[2]) <= 1e-12), None)
        if step is None:
            problems.append(f"{d['id']}: row andring {r[2]!r} is no step of the JSON")
            continue
        seen.add((d["id"], step["steg"]))
        shares = [r[c] for c in year_cols]
        if step["andel"] is None:
            if any(x is not None for x in shares):
                problems.append(f"{d['id']} steg {step['steg']}: not computable in the JSON, shares {shares} in the sheet")
            continue
        if not all(x is not None and abs(x - a) <= SHARE for x, a in zip(shares, step["andel"])):
            problems.append(f"{d['id']} steg {step['steg']}: sheet {shares} != JSON {step['andel']}")
        top, delta = r[year_cols[-1] + 1], r[year_cols[-1] + 2]
        if not abs(top - step["toppandel"]) <= SHARE:
            problems.append(f"{d['id']} steg {step['steg']}: toppandel sheet {top!r}, JSON {step['toppandel']!r}")
        if not abs(delta - step["delta_kapitalkostnader_perioden"]) <= MNKR:
            problems.append(f"{d['id']} steg {step['steg']}: Δ kapitalkostnader sheet {delta!r}, "
                            f"JSON {step['delta_kapitalkostnader_perioden']!r}")
    missing = {(d["id"], s["steg"]) for d in run.data["drivare"] for s in d["steg"]} - seen
    if missing:
        problems.append(f"steps missing from the sheet: {sorted(missing)}")
    assert not problems, "\n".join(problems)
