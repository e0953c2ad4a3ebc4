"""Plans and parameters built in memory, for the tests that call the engine directly (no workbook written and read
back). `make_plan` takes the same rows as conftest.build_plan and gives the records `read_plan` gives for that
workbook (tests/test_engine_cases.py checks that on a plan with every side sheet)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from invest.excel.driftsattning import parse_driftsattning
from invest.params.loader import DatedValue
from invest.params.parameters import Models
from invest.plan import vocabulary as v
from invest.plan.records import (CoFinancing, Component, Dependency, Driftsattning, ExistingAssets, InvestmentObject,
                                 Plan, RegionInputs, RegionYear, Source)

FILE = "minne"


def _num(value) -> float | None:
    """Numbers as the reader gives them: floats (None stays None)."""
    return None if value is None else float(value)


def make_object(row: dict, components: list[dict] = (), cofinancing: list[dict] = (),
                dependencies: list[dict] = ()) -> InvestmentObject:
    """One object from a template row (ASCII keys, `utgifter` {year: mnkr}) and its rows of the side sheets."""
    oid = row["id"]
    comps = tuple(Component(c.get("komponent") or "komponent", _num(c["andel"]), _num(c["nyttjandeperiod"]))
                  for c in components if c["id"] == oid)
    parts = tuple(CoFinancing(c.get("part") or "ej angiven", _num(c["belopp"]), int(c["ar"]) if c.get("ar") else None)
                  for c in cofinancing if c["id"] == oid)
    if not parts and row.get("medfinansiering"):
        parts = (CoFinancing("ej angiven", _num(row["medfinansiering"])),)
    deps = {d.strip(): Dependency(d.strip(), 0) for d in re.split(r"[,;]", row.get("beroenden") or "") if d.strip()}
    deps.update({d["beror_pa"]: Dependency(d["beror_pa"], int(d.get("fordrojning_manader") or 0))
                 for d in dependencies if d["id"] == oid})
    drift = row["driftsattning"]
    return InvestmentObject(
        id=oid, namn=row.get("namn") or oid, organisation=row.get("organisation") or "",
        verksamhetsomrade=row.get("verksamhetsomrade") or "", kategori=row.get("kategori") or "",
        investeringstyp=row.get("investeringstyp") or "", skede=row.get("skede") or "",
        tillgangsklass=v.normalize(row.get("tillgangsklass") or ""),
        driftsattning=drift if isinstance(drift, Driftsattning) else parse_driftsattning(drift),
        utgifter=tuple((y, float(a)) for y, a in sorted(row.get("utgifter", {}).items()) if a),
        medfinansiering=parts, komponenter=comps or None, beroenden=tuple(deps.values()), source=Source(FILE, "Objekt", 0))


def make_plan(objects: list, years=range(2026, 2031), outturn_year: int | None = 2025, components: list[dict] = (),
              cofinancing: list[dict] = (), dependencies: list[dict] = (), region: list[dict] = (),
              balance: dict | None = None, existing: list[dict] = ()) -> Plan:
    """A Plan as `read_plan` gives it for `build_plan(path, objects, years, outturn_year, **sheets)`; `objects` are
    template rows or InvestmentObject records. Spend must lie in the workbook's columns (outturn year, plan years)."""
    columns = set(years) | ({outturn_year} if outturn_year else set())
    built = tuple(o if isinstance(o, InvestmentObject) else make_object(o, components, cofinancing, dependencies)
                  for o in objects)
    for o in built:
        outside = [y for y, _ in o.utgifter if y not in columns]
        assert not outside, f"{o.id}: spend in {outside}, outside the workbook's columns"
    return Plan(FILE, built, tuple(years), outturn_year, region_inputs(region, balance or {}, existing))


def region_inputs(region: list[dict], balance: dict, existing: list[dict]) -> RegionInputs | None:
    """The Region, Regionbalans and Befintliga sheets; None without a Region sheet, as the reader has it."""
    if not region:
        return None
    source = Source(FILE, "Region", 0)
    years = []
    for r in sorted(region, key=lambda r: r["ar"]):
        n = {name: _num(r.get(name)) for name in v.REGION_COLUMNS if name != "ar"}
        years.append(RegionYear(r["ar"], n["totala_intakter"], n["befintliga_avskrivningar"],
                                n["befintlig_intaktsford_medfinansiering"] or 0.0, n["resultat"] or 0.0,
                                n["ovriga_ej_likviditetspaverkande"] or 0.0, n["rantekostnader"], n["likvida_medel"] or 0.0,
                                source, n["ovriga_intakter"]))
    assets = tuple(ExistingAssets(v.normalize(e["tillgangsklass"]), _num(e["bokfort_varde"]),
                                  _num(e.get("aterstaende_nyttjandeperiod")), source) for e in existing)
    return RegionInputs(tuple(years), _num(balance.get("ingaende_rantebarande_skuld", 0.0)),
                        _num(balance.get("genomsnittsranta_befintlig_skuld")),
                        _num(balance.get("ingaende_materiella_anlaggningstillgangar")), assets)


def with_parameter(models: Models, name: str, value) -> Models:
    """`models` with every dated value of parameter `name` replaced by `value` (as editing its YAML file would)."""
    param = models.params[name]
    return Models({**models.params, name: replace(param, values=tuple(replace(d, value=value) for d in param.values))},
                  models.directory)


def with_path(models: Models, name: str, by_year: dict[int, float]) -> Models:
    """`models` with parameter `name` given a dated value from 1 January of each year (a path moving every year)."""
    param = models.params[name]
    values = tuple(DatedValue(dt.date(y, 1, 1), r, "test", None, 1) for y, r in sorted(by_year.items()))
    return Models({**models.params, name: replace(param, values=values)}, models.directory)


def shifted(obj, years: int, from_year: int):
    """The object `years` later, the long way: its dated driftsättning, and its spend and scheduled co-financing
    from `from_year` on."""
    d = obj.driftsattning
    return replace(
        obj, driftsattning=d if d.lopande else Driftsattning(d.year + years, d.month),
        utgifter=tuple((y + years if y >= from_year else y, a) for y, a in obj.utgifter),
        medfinansiering=tuple(CoFinancing(c.part, c.amount, c.year + years if c.year is not None and c.year >= from_year
                                          else c.year) for c in obj.medfinansiering))


# --- The long way for `invest scenario` (tests/test_scenario_recompute.py, tests/test_sensitivity_breakeven.py): a
# scenario's changes made to the inputs themselves — the models' parameters, the plan's records — and the whole plan
# recomputed with `calculate`. Nothing here reads the scenario implementation.

SKATTEUNDERLAG_PARAMETER = "region/skatteunderlag"
SKATTEUNDERLAG_MNKR_PER_PE = 900.0  # Budget 2026: 0,1 procentenhet of the tax base ≈ 90 mnkr a year


def with_rate_added(models: Models, name: str, add: float, from_year: int) -> Models:
    """`models` with the value of `name` in force in each year ≥ `from_year` raised by `add` (earlier years as
    they were), as a dated path from 1 January of every year 1990–2100."""
    return with_path(models, name, {y: models.value(name, y) + (add if y >= from_year else 0.0)
                                    for y in range(1990, 2101)})


def class_lives_scaled(components, life: float):
    """A class's components with every life multiplied by life / L (L = 1 / Σ andel/nyttjandeperiod), each rounded
    to whole months, a half month up (exact arithmetic on the numbers as written: fastighet_komponenter at 50 years
    gives installationer 25 · 50 / L = 432,5 months exactly, which is 433); lives of 0 (not depreciated) stay 0."""
    from fractions import Fraction as F

    exact = lambda x: F(str(x))  # noqa: E731 - the decimal the YAML file states, not its binary neighbour
    per_krona = sum(exact(share) / exact(n) for _, share, n in components if n > 0)
    months = lambda n: int((exact(n) * exact(life) * per_krona * 12 + F(1, 2)) // 1)  # noqa: E731 - half up
    return tuple((name, share, months(n) / 12 if n > 0 else n) for name, share, n in components)


def with_class_life(models: Models, asset_class: str, life: float) -> Models:
    """`models` with asset class `asset_class`'s components scaled to the life `life` (every dated value), as
    editing models/tillgangsklasser/<klass>.yaml would."""
    name = "tillgangsklasser/" + v.normalize(asset_class)
    param = models.params[name]
    values = tuple(replace(d, value=class_lives_scaled(d.value, life)) for d in param.values)
    return Models({**models.params, name: replace(param, values=values)}, models.directory)


def skatteunderlag_per_pe(models: Models, year: int) -> float:
    """mnkr of övriga intäkter per procentenhet of the tax base: models/region/skatteunderlag.yaml once it exists."""
    if SKATTEUNDERLAG_PARAMETER in models.params:
        value = models.value(SKATTEUNDERLAG_PARAMETER, year)
        return float(value["varde"] if isinstance(value, dict) else value)
    return SKATTEUNDERLAG_MNKR_PER_PE


def _selected(obj, entry: dict) -> bool:
    if entry.get("objekt") is not None:
        return obj.id == str(entry["objekt"])
    if entry.get("tillgangsklass") is not None:
        return obj.tillgangsklass == v.normalize(entry["tillgangsklass"])
    if entry.get("kategori") is not None:
        return v.normalize(obj.kategori) == v.normalize(entry["kategori"])
    raise ValueError(f"fordyring without a selector: {entry}")


def dearer(obj, entries: list[dict], first_year: int):
    """The object's spend with every matching `fordyring` entry applied: amounts in years ≥ max(fran_ar, the plan's
    first year) multiplied by faktor (several entries multiply); co-financing as it was."""
    mine = [e for e in entries if _selected(obj, e)]
    if not mine:
        return obj

    def factor(year):
        f = 1.0
        for e in mine:
            if year >= max(int(e.get("fran_ar", first_year)), first_year):
                f *= float(e["faktor"])
        return f
    return replace(obj, utgifter=tuple((y, a * factor(y)) for y, a in obj.utgifter))


def delay_moves(calc, delays: list[dict]) -> dict[str, int]:
    """The years each object moves for the scenario's `forseningar`, from the delays as `invest forsening` lists
    them (Delays(calc).delay(...).moves), one at a time; an object moved by several takes the largest move (each
    object's constraint is at-or-after every predecessor, monotone in the predecessors' moves)."""
    from invest.analyses.delay import Delays

    moves: dict[str, int] = {}
    for d in delays:
        for m in Delays(calc).delay(str(d["objekt"]), int(d["ar"])).moves:
            moves[m.id] = max(moves.get(m.id, m.years), m.years) if m.years >= 0 else min(moves.get(m.id, m.years), m.years)
    return moves


def scenario_inputs(calc, scenario: dict, base_dir=None, moves: dict[str, int] | None = None):
    """(plan, models) with the scenario's changes made the long way, on the computed base `calc` (whose plan holds
    its övriga intäkter). `moves` replaces delay_moves (e.g. moves worked out by hand)."""
    from pathlib import Path

    from invest.engine.calculation import calculate
    from invest.excel.reader import read_proposal

    plan, models = calc.plan, calc.models
    first = plan.plan_years[0]
    if "marknadsranta" in scenario:
        m = scenario["marknadsranta"]
        models = with_rate_added(models, "ranta/marknadsranta", float(m["tillagg"]), int(m.get("fran_ar", first)))
    if "intaktstillvaxt" in scenario:
        models = with_parameter(models, "region/intaktstillvaxt", float(scenario["intaktstillvaxt"]))
    for entry in scenario.get("nyttjandeperiod", []):
        models = with_class_life(models, entry["tillgangsklass"], float(entry["ar"]))
    objects = [dearer(o, scenario.get("fordyring", []), first) for o in plan.objects]
    if scenario.get("forseningar"):
        moved = moves if moves is not None else delay_moves(calc, scenario["forseningar"])
        objects = [shifted(o, moved[o.id], first) if moved.get(o.id) else o for o in objects]
    for name in scenario.get("forslag", []):  # added to the plan, so a fordyring that matches them applies to them too
        path = Path(name) if Path(name).is_absolute() or base_dir is None else Path(base_dir) / name
        objects += [dearer(o, scenario.get("fordyring", []), first) for o in read_proposal([path], plan, calc.models)[0]]
    region = plan.region
    if "skatteunderlag" in scenario:
        s = scenario["skatteunderlag"]
        add, since = float(s["tillagg"]), int(s.get("fran_ar", first))
        # övriga intäkter as the (scenario's) models give them without the change, then the change added
        other = calculate(plan, models).region.table
        other = dict(zip(other["ar"].to_list(), other["ovriga_intakter"].to_list()))
        per_pe = skatteunderlag_per_pe(models, first)
        region = replace(region, years=tuple(
            replace(r, ovriga_intakter=other[r.year] + (per_pe * add * 100 * (r.year - since + 1) if r.year >= since
                                                        else 0.0)) for r in region.years))
    return replace(plan, objects=tuple(objects), region=region), models


def scenario_long_way(calc, scenario: dict, base_dir=None, moves: dict[str, int] | None = None):
    """The region table (plan years) of the plan with the scenario's changes, recomputed in full."""
    from invest.engine.calculation import calculate

    plan, models = scenario_inputs(calc, scenario, base_dir, moves)
    table = calculate(plan, models, until_year=int(calc.region.table["ar"][-1])).region.table
    return table.filter(table["ar"].is_in(list(calc.plan.plan_years)))
