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
