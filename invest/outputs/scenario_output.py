"""`invest scenario` and `invest kanslighet` as text tables and JSON: the scenarios side by side, and the
känslighetsanalys with its break-even column. Numbers in Swedish form in the tables, plain in JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from invest.analyses.scenarios import OUTCOMES, Scenario, ScenarioResult
from invest.analyses.sensitivity import BreakEven, Driver, DriverResult, SensitivityResult
from invest.base import swedish
from invest.outputs import labels
from invest.outputs.calculation_output import text_table
from invest.outputs.rules_output import binding_json, binding_line

UNIT_SHOWN = {"procentenhet": "pe", "procent": "%", "år": "år"}
DECIMALS = {"procentenhet": 2, "procent": 1, "år": 1}  # of a change that is not a whole number of its unit
KIND_NAMES = {"marknadsranta": "Marknadsränta", "intaktstillvaxt": "Intäktstillväxt", "skatteunderlag": "Skatteunderlag",
              "fordyring": "Fördyring", "forsening": "Försening", "nyttjandeperiod": "Nyttjandeperiod"}


def driver_name(driver: Driver) -> str:
    """"Marknadsränta", "Fördyring kollektivtrafik", "Försening TB-NSO", "Nyttjandeperiod fastighet (komponenter)"."""
    if not driver.subject:
        return KIND_NAMES[driver.kind]
    subject = driver.subject
    if driver.kind != "forsening":
        label = labels.value(driver.subject)
        subject = label if label[:2].isupper() else label[:1].lower() + label[1:]  # "IT" stays "IT"
    return f"{KIND_NAMES[driver.kind]} {subject}"


def change_text(driver: Driver, x: float, decimals: int | None = None) -> str:
    """A driver's change as a planner reads it: "+0,50 pe", "−10 %", "+2 år", "+2,5 år"."""
    shown = x if driver.unit == "år" else x * 100
    if decimals is None:
        decimals = 0 if abs(shown - round(shown)) < 1e-9 and driver.unit != "procentenhet" else DECIMALS[driver.unit]
    text = swedish.number(abs(shown), decimals)
    sign = "+" if shown > 0 else "−" if shown < 0 else "±"
    return f"{sign}{text} {UNIT_SHOWN[driver.unit]}"


def break_even_text(driver: Driver, b: BreakEven) -> str:
    """The break-even column: the change and where it binds, with its precision; or why there is none."""
    if b.change is None:
        return b.note
    if b.method == "hela år":
        return f"{change_text(driver, b.change)} ({b.year})"
    if b.precision == 0:
        return f"{change_text(driver, b.change)} ({b.year}, exakt)"
    shown = b.precision if driver.unit == "år" else b.precision * 100
    decimals = max(0, 1 - math.floor(math.log10(shown)))  # two significant digits: 0,000061 pe, not 0,000 pe
    return f"{change_text(driver, b.change)} ({b.year}, på {change_text(driver, b.precision, decimals).lstrip('+')} när)"


def _first(s: Scenario) -> str:
    return str(s.first_breach) if s.first_breach is not None else "inget"


def scenario_table(result: ScenarioResult) -> str:
    """Share per scenario and year, Δ against the base in pe, the first year over the riktvärde and the average."""
    base = result.base
    years = base.table["ar"].to_list()
    header = ["Scenario", *map(str, years), "Första år över", "Genomsnitt"]
    rows = [[base.name, *(swedish.percent(v) for v in base.table["andel"]), _first(base),
             swedish.percent(base.average_share)]]
    for s in result.scenarios:
        rows.append([s.name, *(swedish.percent(v) for v in s.table["andel"]), _first(s),
                     swedish.percent(s.average_share)])
        rows.append(["  Δ mot bas (pe)", *(swedish.signed(v * 100, 2) for v in s.table["delta_andel"]), "",
                     swedish.signed((s.average_share - base.average_share) * 100, 2)])
        rows.append(["  Δ kapkost (mnkr)", *(swedish.signed(v, 0) for v in s.table["delta_kapitalkostnader"]),
                     "", ""])
    lines = [f"Scenarier — andel av totala intäkter mot riktvärdet {swedish.percent(result.riktvarde, 0)} "
             f"({Path(result.calculation.plan.file).name})", "", *text_table(header, rows, left=1)]
    lines += [""] + [f"{s.name}: {line[0].lower()}{line[1:]}" for s in (base, *result.scenarios)
                     for line in binding_line(list(s.rules))]
    for s in result.scenarios:
        lines += [f"Varning ({s.name}): {w}" for w in s.warnings]
    return "\n".join(lines) + "\n"


def _scenario_json(s: Scenario, with_delta: bool) -> dict:
    keys = ("ar", *OUTCOMES) + (("delta_andel", "delta_kapitalkostnader") if with_delta else ())
    return {"namn": s.name, "ar": [{k: _plain(row[k]) for k in keys} for row in s.table.iter_rows(named=True)],
            "forsta_overskridande_ar": s.first_breach, "genomsnittlig_andel": s.average_share,
            "bindande_regel": binding_json(list(s.rules)),
            **({"varningar": list(s.warnings)} if with_delta else {})}


def scenario_json(result: ScenarioResult) -> str:
    base = _scenario_json(result.base, False)
    del base["namn"]
    return json.dumps({"plan": Path(result.calculation.plan.file).name, "riktvarde": result.riktvarde, "bas": base,
                       "scenarier": [_scenario_json(s, True) for s in result.scenarios]}, ensure_ascii=False, indent=2)


def _plain(v):
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


def sensitivity_table(result: SensitivityResult) -> str:
    """The budget's table: per driver and step the share in each plan year, Δ kapitalkostnader over the plan
    period, and the break-even column."""
    years = [int(y) for y in result.years]
    first, last = years[0], years[-1]
    header = ["Drivare", "Ändring", *map(str, years), f"Δ kapkost {first}–{last} (mnkr)", "Brytpunkt"]
    rows = [["Bas", "", *(swedish.percent(v) for v in result.base_shares), "", ""]]
    for dr in result.drivers:
        d = dr.driver
        for k, step in enumerate(dr.steps):
            label = driver_name(d) if k == 0 else ""
            even = break_even_text(d, dr.break_even) if k == 0 else ""
            if step.shares is None:
                rows.append([label, change_text(d, step.change), *(["–"] * len(years)), "–", even])
            else:
                rows.append([label, change_text(d, step.change), *(swedish.percent(v) for v in step.shares),
                             swedish.signed(step.delta_cost, 0), even])
    lines = [f"Känslighetsanalys — andel av totala intäkter mot riktvärdet {swedish.percent(result.riktvarde, 0)} "
             f"({Path(result.calculation.plan.file).name})",
             f"Högsta andel i basen: {swedish.percent(result.base_peak)} år {result.peak_year}. Brytpunkten är den "
             "ändring där planens högsta andel når riktvärdet" + (" (där planen slutar överskrida det)."
                                                                   if max(result.base_shares) >= result.riktvarde
                                                                   else " (där första året når det)."),
             "", *text_table(header, rows, left=2, key=2)]
    return "\n".join(lines) + "\n"


def _driver_json(dr: DriverResult) -> dict:
    d, b = dr.driver, dr.break_even
    return {"id": d.id, "namn": driver_name(d), "typ": d.kind, "galler": d.subject or None, "enhet": d.unit, "steglangd": d.step,
            "steg": [{"steg": s.step, "andring": s.change,
                      "andel": None if s.shares is None else [float(v) for v in s.shares],
                      "toppandel": s.peak_share, "delta_kapitalkostnader_perioden": s.delta_cost,
                      "scenario": s.fragment, **({"orsak": s.reason} if s.reason else {})} for s in dr.steps],
            "brytpunkt": None if b.change is None else {"andring": b.change, "ar": b.year, "precision": b.precision,
                                                        "metod": b.method, "scenario": b.fragment},
            **({"brytpunkt_saknas": b.note} if b.change is None else {})}


def sensitivity_json(result: SensitivityResult) -> str:
    return json.dumps({
        "plan": Path(result.calculation.plan.file).name, "riktvarde": result.riktvarde, "toppar": result.peak_year,
        "bas": {"ar": [int(y) for y in result.years], "andel": [float(v) for v in result.base_shares]},
        "drivare": [_driver_json(dr) for dr in result.drivers]}, ensure_ascii=False, indent=2)
