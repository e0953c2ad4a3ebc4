"""Builds investeringsplan.xlsx, Region Stockholm's investment plan 2026–2035 as in Budget 2026 (RS 2025-0026),
from the budget's tables in referens/ and the named objects in objekt.csv. Rerunning gives the same workbook.

    python data/investeringsplan/bygg_regionplan.py [--referens DIR] [-o FIL]

1. Every nämnd/bolag table row (Tabell 23–71: organisation × category × period 2026, 2027, 2028, 2029–2035)
   becomes the named objects in it plus one pot for the rest, so that it sums exactly to the table. In Tabell 52 and
   61 the unnamed >100 mkr pots are split into new and replacement investment so that the varav rows hold.
2. 2029–2035 is split into years with Tabell 20's shape for the verksamhetsområde.
3. Tabell 52's medfinansiering is spread over the co-financed objects in proportion to their spend.
4. The outturn before 2026: the unnamed >100 mkr pots get their pipeline (as many years of spend at the 2026 rate
   as they take from spend to use), the named objects' weights are scaled so that pågående arbete at the end of
   2026 is the budget's 60,1 mdkr.
5. The existing assets' remaining life and the existing debt's rate are calibrated against Tabell 8, in memory.
6. The workbook is written once, with an Antaganden sheet written from the same data and constants.
The reasoning is in README.md.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invest.base.swedish import number, percent  # noqa: E402
from invest.engine.calculation import calculate  # noqa: E402
from invest.excel.driftsattning import parse_driftsattning  # noqa: E402
from invest.excel.reader import read_plan  # noqa: E402
from invest.excel.template import write_plan_workbook  # noqa: E402
from invest.params.parameters import Models  # noqa: E402
from invest.plan.records import (CoFinancing, Dependency, ExistingAssets, InvestmentObject, Plan,  # noqa: E402
                                 RegionInputs, RegionYear, Source)

HERE = Path(__file__).resolve().parent
BUDGET = "Region Stockholm, Budget 2026"
YEARS = list(range(2026, 2036))
LATE = list(range(2029, 2036))
PERIODS = ("2026", "2027", "2028", "2029–2035")
OUTTURN_YEAR = 2025

# Assumptions (the Antaganden sheet states each of them, README.md gives the reasons) --------------------------
PA_2026 = 60_100.0  # pågående, ej driftsatta anläggningar 2026: "60,1 miljarder kronor" (avsnitt 3.2)
POT_LAG = {"beslutade_over_100": 1, "planerade_over_100": 3}  # years from spend to use, unnamed objects >100 mkr
HOSPITAL_POT_LAG = 1  # the same for Hälso- och sjukvård (equipment and rebuilding)
VARAV_TABLES = (52, 61)  # tables with varav nyinvesteringar / ersättningsinvesteringar: unnamed >100 mkr pots are split
POT_TYPE = {  # unnamed >100 mkr pots outside VARAV_TABLES (or not split) whose type the budget implies, and why
    (32, "Stockholms läns sjukvårdsområde", "beslutade_over_100"): (
        "ny", "Tabell 13:s varav nyinvesteringar 2026–2028 (11 316 / 12 777 / 12 162 mnkr) minus Tabell 52:s och 61:s "
              "varav nyinvesteringar och nämndernas nyinvesteringar <100 mkr lämnar 102,6 / 75,0 / 87,7 mnkr: utrustningen "
              "för Södersjukhusets byggnad 17 och 18 (77,6 mnkr 2026) och denna rad"),
    (61, "Serviceförvaltningen", "beslutade_over_100"): (
        "ersättning", "avsnitt 4.1: servicens investeringar \"avser ersättningsinvesteringar i form av datorer och "
                      "nätverksutrustning\""),
}
EXISTING_SPLIT = {"kollektivtrafik": 0.615, "fastighet": 0.28, "medicinteknik": 0.04, "it": 0.005, "fordon": 0.01,
                  "inventarier": 0.01, "mark": 0.04}  # the assets in use at the start of 2026, per class
RESULT_AFTER_2028 = 100.0
RECONCILIATION_2026 = 0.2  # avsnitt 4.1: övrig verksamhet 41,5 mnkr 2026 against Tabell 23 + 56's 41,3
COFINANCING_PARTY = "Staten och kommuner (Stockholms- och Sverigeförhandlingen)"
MARGIN = "ranta/upplaningsmarginal"  # calibrated here, kept in models/: the build stops if they disagree

CATEGORY = {  # kategori_kod -> (kategori, investeringstyp, id suffix, what the pot holds)
    "beslutade_over_100": ("beslutad", "ersättning", "BESL", "beslutade investeringar >100 mkr, ej namngivna"),
    "planerade_over_100": ("planerad", "ersättning", "PLAN", "planerade investeringar >100 mkr, ej namngivna"),
    "ny_under_100": ("pott", "ny", "NY", "nyinvesteringar <100 mkr"),
    "ers_under_100": ("pott", "ersättning", "ERS", "ersättningsinvesteringar <100 mkr"),
    "inv_under_100": ("pott", "ersättning", "INV", "investeringar <100 mkr"),
}
POTS = {  # section or organisation of a table -> (id abbreviation, asset class of its pots)
    "Regionstyrelsen": ("RS", "it"), "Hälso- och sjukvårdsnämnden": ("HSN", "medicinteknik"),
    "Stockholms läns sjukvårdsområde": ("SLSO", "medicinteknik"),
    "Karolinska Universitetssjukhuset": ("KS", "medicinteknik"), "Akutsjukhusnämnden": ("ASN", "medicinteknik"),
    "Ambulanssjukvårdsnämnden": ("AMB", "fordon"), "Trafikförvaltningen": ("TF", "kollektivtrafik"),
    "Förvaltning av utbyggd tunnelbana": ("FUT", "kollektivtrafik"), "Kulturnämnden": ("KUN", "inventarier"),
    "Fastighetsförvaltningen": ("FF", "fastighet"), "Serviceförvaltningen": ("SF", "it"),
    "Folktandvården Stockholms län AB": ("FTV", "medicinteknik"), "MediCarrier AB": ("MC", "inventarier"),
    "Locum AB": ("LOC", "fastighet"),
}
HOSPITALS = "Hälso- och sjukvård"
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")


# Inputs ------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def named_objects(path: Path) -> list[dict]:
    """objekt.csv: the named objects (slag objekt) and the pots that get a name of their own (slag pott)."""
    out = []
    for r in read(path):
        amounts = [r[f"belopp_{p.replace('–', '_')}"] for p in PERIODS]
        out.append(dict(
            id=r["id"], namn=r["namn"], pot=r["slag"] == "pott", cell=(int(r["tabell"]), r["sektion"], r["kategori_kod"]),
            klass=r["tillgangsklass"], typ=r["investeringstyp"] or "ny", drift=r["driftsattning"],
            drift_from_budget=r["driftsattning_ur_budgeten"] == "ja", cofinanced=r["medfinansierad"] == "ja",
            amounts=dict(zip(PERIODS, map(float, amounts))) if all(amounts) else None,  # None: the rest of the row
            rest_of_row=not all(amounts), amounts_from_budget=r["belopp_ur_budgeten"] == "ja",
            late=[float(w) for w in r["profil_2029_2035"].split()] or None,  # None: the area's shape
            outturn=float(r["utfall_vikt"] or 0), beror_pa=r["beror_pa"].split(), reason=r["beroende_skal"],
            source=r["kalla_i_budget_2026"], kalla=f"{BUDGET}, {r['kalla_i_budget_2026']}", note=r["antagande"]))
    return out


def cells(ref: Path) -> dict[tuple, dict]:
    """The rows of the nämnd/bolag tables: (tabell, section or organisation, kategori_kod) -> amount per period."""
    out: dict[tuple, dict] = {}
    for r in read(ref / "b2026_investeringsutrymme.csv"):
        if r["niva"] != "namnd_bolag" or r["radtyp"] != "komponent" or r["period"] not in PERIODS:
            continue
        section = r["sektion"] or r["organisation"]
        c = out.setdefault((int(r["tabell"]), section, r["kategori_kod"]), dict(
            organisation=r["organisation"], area=r["verksamhetsomrade"], section=section, amounts={},
            kalla=f"{BUDGET}, Tabell {r['tabell']}, {section}: {r['kategori']}"))
        c["amounts"][r["period"]] = float(r["belopp_mnkr"])
    return {k: c for k, c in out.items() if any(c["amounts"].values())}


def t20(ref: Path) -> dict[tuple[str, str], float]:
    return {(r["post"], r["period"]): float(r["varde"])
            for r in read(ref / "b2026_t19_t20_investeringsplan.csv") if r["tabell"] == "20"}


def statement(ref: Path, name: str) -> dict[tuple[str, str], tuple[float, str]]:
    """(post, period) -> (value, uppgiftstyp): the utfall, prognos 2025, budget and plan columns of a statement."""
    return {(r["post"], r["period"]): (float(r["varde"]), r["uppgiftstyp"]) for r in read(ref / name)
            if r["uppgiftstyp"] in ("utfall", "budget", "prognos", "plan")
            and not (r["period"] == "2025" and r["uppgiftstyp"] == "budget" and name.startswith("b2026_t08"))}


def tables(ref: Path):
    return (statement(ref, "b2026_t08_resultatrakning.csv"), statement(ref, "b2026_t10_balansrakning.csv"),
            statement(ref, "b2026_t12_kassaflodesanalys.csv"))


# The objects -------------------------------------------------------------------------------------------------
def area_shape(table20, area: str) -> list[float]:
    """Weights of 2029…2035 for `area`: Tabell 20's 2029 and 2030, and 2031–2035 spread evenly."""
    a29, a30, a3135 = (table20[(area, p)] for p in ("2029", "2030", "2031–2035"))
    return [a29, a30] + [a3135 / 5] * 5


def spread(total: float, weights) -> list[float]:
    s = sum(weights)
    return [total * w / s for w in weights] if s else [0.0] * len(weights)


def plan_object(oid, namn, cell, kategori, typ, klass, drift, amounts, late, kalla, outturn=0.0, cofinanced=False,
                pipeline=0.0):
    """`outturn` is a weight (scaled by set_outturn), `pipeline` an amount of spend before 2026 in mnkr."""
    spend = {2026: amounts["2026"], 2027: amounts["2027"], 2028: amounts["2028"], **dict(zip(LATE, late))}
    return dict(id=oid, namn=namn, organisation=cell["organisation"], verksamhetsomrade=cell["area"],
                kategori=kategori, investeringstyp=typ, skede="planering" if kategori == "planerad" else "genomförande",
                tillgangsklass=klass, driftsattning=drift, utgifter={y: a for y, a in spend.items() if abs(a) > 1e-12},
                kalla=kalla, _outturn_weight=outturn, _cofinanced=cofinanced, _pipeline=pipeline)


def build_objects(ref: Path, named: list[dict]) -> list[dict]:
    table20, budget = t20(ref), cells(ref)
    objects = [n for n in named if not n["pot"]]
    in_cell = defaultdict(list)
    for n in objects:
        in_cell[n["cell"]].append(n)
    for key, members in in_cell.items():  # an object without amounts takes the rest of its table row
        for m in members:
            if m["amounts"] is None:
                m["amounts"] = {p: budget[key]["amounts"][p] - sum(o["amounts"][p] for o in members if o is not m)
                                for p in PERIODS}
    # 2029–2035 per area and year: the nämnd tables' sum in Tabell 20's shape; named objects first, pots the rest
    areas = {c["area"] for c in budget.values()}
    target = {a: spread(sum(c["amounts"]["2029–2035"] for c in budget.values() if c["area"] == a),
                        area_shape(table20, a)) for a in areas}
    taken = {a: [0.0] * 7 for a in areas}
    for n in objects:
        area = budget[n["cell"]]["area"]
        n["late_spend"] = spread(n["amounts"]["2029–2035"], n["late"] or area_shape(table20, area))
        taken[area] = [t + s for t, s in zip(taken[area], n["late_spend"])]
    room = {a: [t - s for t, s in zip(target[a], taken[a])] for a in areas}
    for area, free in room.items():
        if min(free) < -1e-9:
            raise SystemExit(f"namngivna objekt överskrider {area}s utrymme 2029–2035: {free}")

    out = [plan_object(n["id"], n["namn"], budget[n["cell"]], CATEGORY[n["cell"][2]][0], n["typ"], n["klass"],
                       n["drift"], n["amounts"], n["late_spend"], n["kalla"], n["outturn"], n["cofinanced"])
           for n in objects]
    pot_left = {k: {p: c["amounts"][p] - sum(m["amounts"][p] for m in in_cell.get(k, [])) for p in PERIODS}
                for k, c in budget.items()}
    named_pots = {n["cell"]: n for n in named if n["pot"]}
    ny_share = new_investment_share(ref, budget, pot_left, objects)
    for key, cell in sorted(budget.items()):
        pot = pot_left[key]
        if all(abs(v) < 1e-9 for v in pot.values()):
            continue
        if min(pot.values()) < -1e-9:
            raise SystemExit(f"namngivna objekt överskrider tabellraden {key}: {pot}")
        area = cell["area"]
        area_pots = sum(pot_left[k]["2029–2035"] for k, c in budget.items() if c["area"] == area)
        late = [pot["2029–2035"] * f / area_pots for f in room[area]] if area_pots else [0.0] * 7
        kategori, typ, suffix, text = CATEGORY[key[2]]
        short, klass = POTS[cell["section"]]
        oid, name, kalla = f"T{key[0]}-{short}-{suffix}", f"{cell['section']}: {text}", cell["kalla"]
        if key in named_pots:
            n = named_pots[key]
            oid, name, klass, kalla = n["id"], n["namn"], n["klass"], f"{kalla}; {n['source']}"
        elif key in in_cell:
            kalla += " (det som inte är namngivna objekt)"
        lag = POT_LAG.get(key[2], 0)
        if lag and area == HOSPITALS:
            lag = HOSPITAL_POT_LAG
        drift = f"löpande +{lag}" if lag else "löpande"
        if key in POT_TYPE:
            typ, why = POT_TYPE[key]
            kalla += f"; {dict(ny='nyinvestering').get(typ, typ + 'sinvestering')} enligt {why}"
        if lag:
            kalla += (f"; utfall t.o.m. 2025 antaget: utgiften 2025 i pottens takt 2026, i bruk {OUTTURN_YEAR + lag}"
                      + (f"; utgifterna {OUTTURN_YEAR - lag + 1}–{OUTTURN_YEAR - 1} i egna objekt (id som slutar på "
                         f"-PA{OUTTURN_YEAR + 1} … -PA{OUTTURN_YEAR + lag - 1})" if lag > 1 else ""))
        parts = [(oid, name, typ, pot, late, kalla)]
        if key in ny_share:  # one pot for the new investments, one for the replacements: the table's varav rows hold
            share = ny_share[key]
            why = (f"; delad på ny- och ersättningsinvesteringar så att Tabell {key[0]}:s varav nyinvesteringar stämmer "
                   f"(andel ny: {', '.join(f'{p} {percent(share[p], 1)}' for p in PERIODS)})")
            parts = [(f"{oid}-{tag}", f"{name}, {label}", t, {p: pot[p] * (f(share[p])) for p in PERIODS},
                      [x * f(share["2029–2035"]) for x in late], kalla + why)
                     for tag, label, t, f in (("NY", "nyinvesteringar", "ny", lambda a: a),
                                              ("ERS", "ersättningsinvesteringar", "ersättning", lambda a: 1 - a))]
        for pid, pname, ptyp, amounts, plate, pkalla in parts:
            out.append(plan_object(pid, pname, cell, kategori, ptyp, klass, drift, amounts, plate, pkalla,
                                   pipeline=lag * amounts["2026"]))
            out[-1]["_split_of"] = (oid, name) if len(parts) > 1 else None
            out += pipeline_objects(out[-1], lag)
    out.append(reconciliation(ref, budget))
    return out


def new_investment_share(ref: Path, budget, pot_left, named: list[dict]) -> dict[tuple, dict[str, float]]:
    """Tabell 52 and 61 give varav nyinvesteringar per period. What the named new investments and the pots of new
    investments <100 mkr leave of it is the share of new investment in the unnamed >100 mkr pots of the table (one
    share for all of them, per period)."""
    target = {(int(r["tabell"]), r["period"]): float(r["belopp_mnkr"]) for r in read(ref / "b2026_investeringsutrymme.csv")
              if r["kategori_kod"] == "varav_ny" and r["period"] in PERIODS}
    out = {}
    for table in VARAV_TABLES:
        split = [k for k in budget if k[0] == table and k[2] in POT_LAG and k not in POT_TYPE
                 and any(abs(v) > 1e-9 for v in pot_left[k].values())]
        fixed_ny = {p: sum(n["amounts"][p] for n in named if n["cell"][0] == table and n["typ"] == "ny")
                    + sum(pot_left[k][p] for k in budget if k[0] == table and k not in split
                          and (POT_TYPE.get(k, (CATEGORY[k[2]][1],))[0] == "ny"))
                    for p in PERIODS}
        share = {}
        for p in PERIODS:
            pool = sum(pot_left[k][p] for k in split)
            share[p] = (target[(table, p)] - fixed_ny[p]) / pool if pool else 0.0
            if not -1e-9 <= share[p] <= 1 + 1e-9:
                raise SystemExit(f"Tabell {table} {p}: varav nyinvesteringar {target[(table, p)]} ryms inte: namngivna "
                                 f"nyinvesteringar {fixed_ny[p]:.1f}, ej namngivna >100 mkr {pool:.1f}")
        out.update({k: share for k in split})
    return out


def pipeline_objects(pot: dict, lag: int) -> list[dict]:
    """A pot taken into use `lag` years after spend had `lag` years of spend under way at the start of 2026, at its
    2026 rate (plan_object's `pipeline`). The latest year's (2025) is the pot's own outturn, taken into use 2025 + lag;
    each earlier year's is an object of its own, taken into use 2026, …, 2024 + lag."""
    if lag < 2 or not pot["_pipeline"]:
        return []
    year_spend = pot["_pipeline"] / lag
    pot["_pipeline"] = year_spend
    return [dict(pot, id=f"{pot['id']}-PA{year}", namn=f"{pot['namn']}: pågående arbete vid ingången av 2026, i bruk {year}",
                 driftsattning=str(year), utgifter={}, _pipeline=year_spend, _outturn_weight=0.0, _cofinanced=False,
                 _split_of=None,
                 kalla=f"antagande: utgiften {year - lag} i takt med pottens utgift 2026 ({number(year_spend, 1)} mnkr), i "
                       f"bruk {lag} år efter utgiften som potten {pot['id']} ({BUDGET}, Tabell {pot['id'][1:3]})")
            for year in range(OUTTURN_YEAR + 1, OUTTURN_YEAR + lag)]


def reconciliation(ref: Path, budget) -> dict:
    """Tabell 19's 147 638 mnkr less the sum of the nämnd tables' rows (1,4 mnkr of övrig verksamhet)."""
    gap = total_2026_2035(ref) - sum(sum(c["amounts"].values()) for c in budget.values())
    rest = (gap - RECONCILIATION_2026) / 9
    cell = dict(organisation="Regionen, ej fördelat på nämnd", area="Övrig verksamhet")
    return plan_object("OV-AVST", "Övrig verksamhet utanför nämndtabellerna (avstämning mot Tabell 19/20)", cell,
                       "pott", "ersättning", "inventarier", "löpande",
                       {"2026": RECONCILIATION_2026, "2027": rest, "2028": rest, "2029–2035": rest * 7}, [rest] * 7,
                       f"{BUDGET}, Tabell 19 (totalt 147 638 mnkr) och avsnitt 4.1 (övrig verksamhet 504,2 mnkr, "
                       "varav 41,5 mnkr 2026)")


def total_2026_2035(ref: Path) -> float:
    return next(float(r["varde"]) for r in read(ref / "b2026_t19_t20_investeringsplan.csv")
                if r["tabell"] == "19" and r["post"] == "TOTALT" and r["period"] == "2026–2035")


def in_use(o: dict, spent: int) -> int:
    """The year spend of year `spent` is taken into use (docs/berakningsmodell.md §1)."""
    d = o["driftsattning"]
    if d.startswith("löpande"):
        return spent + int(d.partition("+")[2] or 0)
    return max(int(d[:4]), spent)


def set_outturn(objects: list[dict]) -> None:
    """Outturn before 2026: the pots' pipeline as it is; the named objects' weight × X, X such that pågående arbete
    at the end of 2026 is PA_2026."""
    for o in objects:
        if o["_pipeline"]:
            o["utgifter"][OUTTURN_YEAR] = round(o["_pipeline"], 1)
    in_pa = [o for o in objects if in_use(o, OUTTURN_YEAR) > 2026]
    fixed = sum(o["utgifter"].get(2026, 0.0) for o in objects if in_use(o, 2026) > 2026) \
        + sum(o["utgifter"].get(OUTTURN_YEAR, 0.0) for o in in_pa)
    scale = (PA_2026 - fixed) / sum(o["_outturn_weight"] for o in in_pa)
    for o in objects:
        if o["_outturn_weight"]:
            o["utgifter"][OUTTURN_YEAR] = round(o["_outturn_weight"] * scale, 1)


def cofinancing(ref: Path, objects: list[dict]) -> list[dict]:
    """Tabell 52's varav medfinansiering per year over the co-financed objects in proportion to their spend: 2029
    and 2030 from Tabell 20, 2031–2035 (Tabell 20 gives the sum) after the objects' own spend; their outturn at the
    same share as their own plan period."""
    table20 = t20(ref)
    t52 = {r["period"]: float(r["belopp_mnkr"]) for r in read(ref / "b2026_investeringsutrymme.csv")
           if r["tabell"] == "52" and r["kategori_kod"] == "varav_medfinansiering"}
    chosen = [o for o in objects if o["_cofinanced"]]
    per_year = {2026: t52["2026"], 2027: t52["2027"], 2028: t52["2028"],
                2029: table20[("varav medfinansiering", "2029")], 2030: table20[("varav medfinansiering", "2030")]}
    last5 = t52["2029–2035"] - per_year[2029] - per_year[2030]  # = Tabell 20's 2031–2035
    per_year.update(zip(LATE[2:], spread(last5, [sum(o["utgifter"].get(y, 0.0) for o in chosen) for y in LATE[2:]])))
    source = f"{BUDGET}, Tabell 52 och Tabell 20 (varav medfinansiering), fördelat efter utgift"
    rows = []
    for year, amount in per_year.items():
        base = sum(o["utgifter"].get(year, 0.0) for o in chosen)
        if amount > 0.9 * base:
            raise SystemExit(f"medfinansieringen {year} ({amount:.1f}) är mer än 90 % av de medfinansierade objektens utgift")
        for o in chosen:
            if share := o["utgifter"].get(year, 0.0) / base:
                rows.append(dict(id=o["id"], part=COFINANCING_PARTY, belopp=amount * share, ar=year, kalla=source))
    for o in chosen:
        outturn = o["utgifter"].get(OUTTURN_YEAR, 0.0)
        plan_spend = sum(a for y, a in o["utgifter"].items() if y >= YEARS[0])
        received = sum(r["belopp"] for r in rows if r["id"] == o["id"])
        if outturn:
            rows.append(dict(id=o["id"], part=COFINANCING_PARTY, belopp=outturn * received / plan_spend, ar=OUTTURN_YEAR,
                             kalla="antagande: utfallet t.o.m. 2025 medfinansierat med samma andel som planperioden"))
    return rows


# The region --------------------------------------------------------------------------------------------------
def region_rows(ref: Path) -> list[dict]:
    t8, t10, t12 = tables(ref)
    rows = []
    for year in map(str, YEARS[:3]):
        rows.append(dict(
            ar=int(year), totala_intakter=t8[("Verksamhetens intäkter", year)][0] + t8[("Summa samlade skatteintäkter", year)][0],
            resultat=t8[("Årets resultat", year)][0],
            ovriga_ej_likviditetspaverkande=t12[("Justering för ej likviditetspåverkande poster", year)][0]
            + t8[("Avskrivningar", year)][0],
            likvida_medel=t10[("Kassa och bank", year)][0],
            kalla=f"{BUDGET}: totala intäkter = verksamhetens intäkter + samlade skatteintäkter (Tabell 8), resultat = "
                  "årets resultat (Tabell 8), övriga poster = justering för ej likviditetspåverkande poster (Tabell 12) "
                  "− avskrivningar (Tabell 8), likvida medel = kassa och bank (Tabell 10)"))
    last = rows[-1]
    rows += [dict(ar=year, resultat=RESULT_AFTER_2028, ovriga_ej_likviditetspaverkande=last["ovriga_ej_likviditetspaverkande"],
                  likvida_medel=last["likvida_medel"],
                  kalla="antagande: resultat, övriga poster och likvida medel som 2028; övriga intäkter skrivs fram med "
                        "models/region/intaktstillvaxt.yaml") for year in YEARS[3:]]
    return rows


def balance(ref: Path, rate: float) -> dict:
    t10 = tables(ref)[1]
    return {"ingaende_rantebarande_skuld": t10[("Långfristiga skulder lån och leasing", "2025")][0],
            "genomsnittsranta_befintlig_skuld": rate,
            "ingaende_materiella_anlaggningstillgangar": t10[("Materiella anläggningstillgångar", "2025")][0],
            "kallor": {"ingaende_rantebarande_skuld": f"{BUDGET}, Tabell 10, långfristiga skulder lån och leasing, prognos 2025",
                       "genomsnittsranta_befintlig_skuld": "antagande, kalibrerad mot Tabell 8:s räntekostnader 2026–2028 "
                                                           "(se bladet Antaganden)",
                       "ingaende_materiella_anlaggningstillgangar": f"{BUDGET}, Tabell 10, materiella anläggningstillgångar, "
                                                                   "prognos 2025"}}


def existing_assets(models: Models, opening: float, outturn: float, remaining_share: float) -> list[dict]:
    in_use = opening - outturn
    lives = {k: models.class_life(k, YEARS[0]) for k in EXISTING_SPLIT}
    return [dict(tillgangsklass=k, bokfort_varde=round(in_use * share, 1),
                 aterstaende_nyttjandeperiod=round(remaining_share * lives[k], 2) if lives[k] else None,
                 kalla=f"antagande: {percent(share, 1)} av befintliga tillgångar i bruk ({number(opening, 0)} − utfall "
                       f"{number(outturn, 0)} mnkr)")
            for k, share in EXISTING_SPLIT.items()]


def published(ref: Path) -> list[dict]:
    """Budget 2026's own figures, for the report's Tabell 19/20 shape and the calibration."""
    out = []
    for r in read(ref / "b2026_t19_t20_investeringsplan.csv"):
        if r["period"] not in ("2024", "2025"):
            continue
        post, area = None, None
        if r["tabell"] == "19" and r["post"] == "TOTALT":
            post = "investeringar"
        elif r["tabell"] == "20" and r["radtyp"] == "post":
            post, area = "investeringar", r["post"]
        elif r["tabell"] == "20" and r["post"] == "varav medfinansiering":
            post = "medfinansiering"
        if post:
            out.append(dict(post=post, verksamhetsomrade=area, ar=int(r["period"]), uppgiftstyp=r["uppgiftstyp"],
                            varde=float(r["varde"]), kalla=f"{BUDGET}, Tabell {r['tabell']}, {r['post']}"))
    t8, t10, _ = tables(ref)
    for y in map(str, range(2024, 2029)):
        for post, table, n, label, sign in (("avskrivningar", t8, 8, "Avskrivningar", -1),
                                            ("rantekostnader", t8, 8, "Räntekostnader mm.", -1),
                                            ("materiella_anlaggningstillgangar", t10, 10, "Materiella anläggningstillgångar", 1),
                                            ("rantebarande_skuld", t10, 10, "Långfristiga skulder lån och leasing", 1)):
            value, kind = table[(label, y)]
            out.append(dict(post=post, ar=int(y), uppgiftstyp=kind, varde=sign * value, kalla=f"{BUDGET}, Tabell {n}, {label}"))
        (income, kind), (tax, _) = t8[("Verksamhetens intäkter", y)], t8[("Summa samlade skatteintäkter", y)]
        out.append(dict(post="totala_intakter", ar=int(y), uppgiftstyp=kind, varde=income + tax,
                        kalla=f"{BUDGET}, Tabell 8, Verksamhetens intäkter + Summa samlade skatteintäkter"))
    out.append(dict(post="pagaende_arbete", ar=2026, uppgiftstyp="budget", varde=PA_2026,
                    kalla=f"{BUDGET}, avsnitt 3.2 (pågående, ej driftsatta anläggningar 60,1 mdkr)"))
    return out


# Calibration, in memory --------------------------------------------------------------------------------------
def stored(value: float | None) -> float | None:
    """A number as a workbook cell holds it: openpyxl writes 16 significant digits."""
    return None if value is None else float(f"{value:.16g}")


def as_plan(book: dict) -> Plan:
    """The plan the workbook will hold, as the records invest.excel.reader makes of it."""
    src = Source("bygg_regionplan", "", 0)
    cofin, deps = defaultdict(list), defaultdict(list)
    for r in book["cofinancing"]:
        cofin[r["id"]].append(CoFinancing(r["part"], stored(r["belopp"]), r["ar"]))
    for d in book["dependencies"]:
        deps[d["id"]].append(Dependency(d["beror_pa"], d["fordrojning_manader"]))
    objects = tuple(InvestmentObject(
        o["id"], o["namn"], o["organisation"], o["verksamhetsomrade"], o["kategori"], o["investeringstyp"], o["skede"],
        o["tillgangsklass"], parse_driftsattning(o["driftsattning"]),
        tuple((y, stored(a)) for y, a in sorted(o["utgifter"].items())), tuple(cofin[o["id"]]), None,
        tuple(deps[o["id"]]), src) for o in book["objects"])
    years = tuple(RegionYear(r["ar"], stored(r.get("totala_intakter")), None, 0.0, stored(r["resultat"]),
                             stored(r["ovriga_ej_likviditetspaverkande"]), None, stored(r["likvida_medel"]), src,
                             stored(r.get("ovriga_intakter")))
                  for r in book["region"])
    b = book["balance"]
    region = RegionInputs(years, stored(b["ingaende_rantebarande_skuld"]), stored(b["genomsnittsranta_befintlig_skuld"]),
                          stored(b["ingaende_materiella_anlaggningstillgangar"]),
                          tuple(ExistingAssets(e["tillgangsklass"], stored(e["bokfort_varde"]),
                                               stored(e["aterstaende_nyttjandeperiod"]), src) for e in book["existing"]))
    return Plan(src.file, objects, tuple(YEARS), OUTTURN_YEAR, region)


def with_margin(models: Models, margin: float) -> Models:
    p = models.params[MARGIN]
    return Models({**models.params, MARGIN: replace(p, values=tuple(replace(v, value=margin) for v in p.values))},
                  models.directory)


# The budget figures calibrate() fits the plan to, and the ones the plan takes as inputs; the rest are tests.
ROLES = {("avskrivningar", 2026): "anpassad", **{("rantekostnader", y): "anpassad" for y in YEARS[:3]},
         ("pagaende_arbete", 2026): "indata"}
GIVEN = ("investeringar", "medfinansiering", "totala_intakter")


def calibrate(book_at, models: Models, ref: Path) -> tuple[float, float]:
    """The existing assets' remaining life (a share of the class's life) such that the model's avskrivningar 2026
    equal Tabell 8's (2027–2028 are the check); then the existing debt's rate and the margin on new borrowing fitted
    by least squares to Tabell 8's räntekostnader 2026–2028 (relative errors). The margin lives in models/: the
    build stops if models/ disagrees."""
    t8 = tables(ref)[0]
    depreciation = -t8[("Avskrivningar", "2026")][0]
    interest_target = np.array([-t8[("Räntekostnader mm.", str(y))][0] for y in YEARS[:3]])

    def first_years(share: float, rate: float, m: Models = models):
        table = calculate(as_plan(book_at(share, rate)), m).region.table
        return [table.row(i, named=True) for i in range(3)]

    low, high = 0.2, 1.5  # depreciation falls as the remaining life grows
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (mid, high) if first_years(mid, 0.0)[0]["avskrivningar"] > depreciation else (low, mid)
    share = round((low + high) / 2, 3)

    def interest(rate, margin):  # linear in both
        return np.array([r["rantekostnader"] for r in first_years(share, rate, with_margin(models, margin))])

    base = interest(0.0, 0.0)
    matrix = np.column_stack([interest(0.01, 0.0) - base, interest(0.0, 0.01) - base]) / 0.01
    weights = 1 / interest_target[:, None]  # least squares on the relative error of each year
    (rate, margin), *_ = np.linalg.lstsq(matrix * weights, (interest_target - base) * weights[:, 0], rcond=None)
    current = models.params[MARGIN].at(YEARS[0]).value
    if abs(round(margin, 4) - current) > 1e-12:
        raise SystemExit(f"models/{MARGIN}.yaml har {current}, kalibreringen ger {margin:.4f}: uppdatera filen (och "
                         "dess antagande) och kör igen")
    return share, round(rate, 4)


# The Antaganden sheet ----------------------------------------------------------------------------------------
def assumptions(named: list[dict], book: dict, models: Models, ref: Path, share: float) -> list[tuple[str, str]]:
    """What the plan assumes, stated from the data the plan is built from."""
    objects = [n for n in named if not n["pot"]]
    names = {o["id"]: o["namn"] for o in book["objects"]}
    conv = models.conventions(YEARS[0])

    def listing(items):  # names may hold commas: items are separated by semicolons
        return "; ".join(f"{n['namn']}: {n['drift']}" for n in sorted(items, key=lambda n: n["drift"]))

    def which(items):
        return "; ".join(n["namn"] for n in items)

    def which_ids(items):
        return ", ".join(o["id"] for o in items)

    def period(o, p):
        return sum(o["utgifter"].get(y, 0.0) for y in (LATE if p == "2029–2035" else [int(p)]))

    dated = [n for n in objects if not n["drift"].startswith("löpande")]
    outturn = sum(o["utgifter"].get(OUTTURN_YEAR, 0.0) for o in book["objects"])
    b = book["balance"]
    t8 = tables(ref)[0]
    interest = " / ".join(number(-t8[("Räntekostnader mm.", str(y))][0], 0) for y in YEARS[:3])
    avst = next(o for o in book["objects"] if o["id"] == "OV-AVST")
    pipeline = sum(o["utgifter"].get(OUTTURN_YEAR, 0.0) for o in book["objects"] if o["_pipeline"])
    split = defaultdict(dict)  # (id, name) of a split pot -> investeringstyp -> part
    for o in book["objects"]:
        if o.get("_split_of"):
            split[o["_split_of"]][o["investeringstyp"]] = o
    split_shares = "; ".join(f"{name} " + ", ".join(
        f"{p} {percent(period(pair['ny'], p) / (period(pair['ny'], p) + period(pair['ersättning'], p)), 1)}"
        for p in PERIODS) for (_, name), pair in split.items())
    t12 = statement(ref, "b2026_t12_kassaflodesanalys.csv")
    bidrag = " / ".join(number(v, 0) for (post, _), (v, _) in sorted(t12.items())
                        if post == "Utbetalning av bidrag till statlig infrastruktur")
    contributions = [o["id"] for o in book["objects"] if o["tillgangsklass"] == "bidrag_statlig_infrastruktur"]
    if bool(contributions) != bool(bidrag.strip("0 /")):
        raise SystemExit(f"bidrag till statlig infrastruktur: Tabell 12 betalar {bidrag} mnkr 2024–2028, planen har "
                         f"{contributions or 'inga'}")
    return [
        ("Belopp per namngivet objekt",
         f"Ur budgeten (källan står per rad på bladet Objekt): {which(n for n in objects if n['amounts_from_budget'])}. "
         + "".join(f"{n['namn']} tar det som återstår av Tabell {n['cell'][0]}, {n['cell'][1]}. "
                   for n in objects if n["rest_of_row"])
         + "Övriga namngivna objekts belopp per period är antagna storlekar som ryms i sin nämnds kategori. En pott per "
         "tabellrad tar resten, så att varje nämnds kategori och period summerar exakt till tabellen."),
        ("Driftsättningar",
         f"Enligt budgeten: {listing(n for n in dated if n['drift_from_budget'])}. "
         f"Antagna: {listing(n for n in dated if not n['drift_from_budget'])}. "
         f"Ett år utan månad betyder {MONTHS[conv.standardmanad - 1]} (models/konventioner/aktivering.yaml). "
         f"Aktiveras löpande, varje års utgift samma år: {which(n for n in objects if n['drift'] == 'löpande')}."),
        ("Beroenden", "; ".join(f"{n['namn']} väntar på {names[first]}: {n['reason']}"
                                for n in objects for first in n["beror_pa"]) + "."),
        ("2029–2035 per år",
         "Nämndtabellerna anger 2029–2035 som en summa. Den delas per verksamhetsområde med Tabell 20:s 2029, 2030 och "
         "2031–2035; 2031–2035 jämnt över fem år. Namngivna objekt har egna profiler, pottarna tar resten."),
        ("Pottar",
         f"Pottar under 100 mkr aktiveras samma år som utgiften. Ej namngivna beslutade investeringar >100 mkr aktiveras "
         f"{POT_LAG['beslutade_over_100']} år efter utgiften, planerade {POT_LAG['planerade_over_100']} år efter "
         f"(byggtid); inom {HOSPITALS.lower()} aktiveras båda {HOSPITAL_POT_LAG} år efter utgiften."),
        ("Pågående arbete i pottarna",
         "En pott som aktiveras N år efter utgiften hade vid ingången av 2026 N års utgifter i arbete, i pottens takt 2026 "
         f"(ett jämnt flöde): sammanlagt {number(pipeline, 0)} mnkr, som tas i bruk 2026–"
         f"{OUTTURN_YEAR + max(POT_LAG.values())}. Utgiften 2025 står som pottens utfall t.o.m. 2025; tidigare års "
         f"utgifter som egna objekt ({which_ids(o for o in book['objects'] if '-PA' in o['id'])}). Budgeten anger inte "
         "hur pågående arbete fördelas på objekt; beloppen är antagna."),
        ("Ny- och ersättningsinvesteringar",
         "Tabell 52 och 61 anger varav nyinvesteringar och ersättningsinvesteringar. Namngivna objekt har sin egen typ, "
         "pottar under 100 mkr radens (Tabell 52 och 61: ersättning). Ej namngivna investeringar >100 mkr i de två "
         "tabellerna (utom de rader vars typ anges nedan) delas i en pott för nyinvesteringar och en för ersättningsinvesteringar, så att tabellens varav "
         f"nyinvesteringar stämmer per period; andel ny: {split_shares}. Övriga ej namngivna >100 mkr: "
         + "; ".join(f"Tabell {k[0]}, {k[1]}: {typ}, {why}" for k, (typ, why) in POT_TYPE.items())
         + "; i övrigt ersättning. Därmed stämmer också Tabell 13:s varav nyinvesteringar och ersättningsinvesteringar "
         "2026–2028 (hela mnkr)."),
        ("Medfinansiering",
         "Tabell 52:s varav medfinansiering per år (2029 och 2030 enligt Tabell 20, 2031–2035 efter objektens utgifter) "
         f"fördelas på {which(n for n in objects if n['cofinanced'])}, i proportion till årets utgift. Utfallet t.o.m. "
         "2025 antas medfinansierat med samma andel som objektets planperiod."),
        ("Utfall t.o.m. 2025",
         f"De namngivna pågående objektens utfall ({number(outturn - pipeline, 0)} mnkr) skalas så att pågående arbete "
         f"vid utgången av 2026, med pottarnas pågående arbete ({number(pipeline, 0)} mnkr, se ovan), blir "
         f"{number(PA_2026, 0)} mnkr ({BUDGET}, avsnitt 3.2). Fördelningen mellan objekten är antagen."),
        ("Befintliga tillgångar",
         f"Materiella anläggningstillgångar prognos 2025 ({number(b['ingaende_materiella_anlaggningstillgangar'], 0)} "
         f"mnkr, Tabell 10) minus de pågående objektens utfall, fördelat per klass: "
         + ", ".join(f"{k} {percent(s, 1)}" for k, s in EXISTING_SPLIT.items())
         + f". Återstående nyttjandeperiod {percent(share, 1)} av klassens, kalibrerad så att avskrivningarna 2026 blir "
         f"Tabell 8:s {number(-t8[('Avskrivningar', '2026')][0], 0)} mnkr; 2027–2028 är kontrollen. Avvecklingen: "
         f"{dict(arganger='årgångar', jamn='jämn').get(conv.befintliga_avveckling, conv.befintliga_avveckling)} "
         "(models/region/befintliga_avveckling.yaml)."),
        ("Räntor",
         f"Räntan på den befintliga skulden ({percent(b['genomsnittsranta_befintlig_skuld'])}) och marginalen på ny och "
         f"omsatt upplåning ({number(models.value(MARGIN, YEARS[0]) * 100, 2)} procentenheter över marknadsräntan "
         f"{percent(models.value('ranta/marknadsranta', YEARS[0]))}, models/ranta/) är kalibrerade med minsta kvadrat "
         f"mot Tabell 8:s räntekostnader {interest} mnkr 2026–2028."),
        ("Efter 2028",
         f"Resultat {number(RESULT_AFTER_2028, 0)} mnkr per år, övriga ej likviditetspåverkande poster och likvida medel "
         f"som 2028, totala intäkter +{percent(conv.intaktstillvaxt, 1)} per år (models/region/intaktstillvaxt.yaml)."),
        *((f"{n['namn']}", n["note"]) for n in objects if n["note"]),
        ("Bidrag till statlig infrastruktur",
         f"Tabell 12 budgeterar utbetalning av bidrag till statlig infrastruktur till {bidrag} mnkr 2024–2028. "
         + (f"Objekt med tillgångsklassen bidrag_statlig_infrastruktur: {', '.join(contributions)}." if contributions
            else "Planen har därför inget objekt med tillgångsklassen bidrag_statlig_infrastruktur.")
         + " Ett bidrag upplöses under högst 25 år från det år det beslutas (LKBR), inte från en driftsättning."),
        ("Avstämningspost",
         f"Tabell 19:s totalt 2026–2035 är {number(sum(avst['utgifter'].values()), 1)} mnkr större än summan av "
         "nämndtabellernas rader (övrig verksamhet utanför nämndtabellerna). Objektet OV-AVST bär dem: "
         f"{number(RECONCILIATION_2026, 1)} mnkr 2026 (avsnitt 4.1: 41,5 mnkr mot Tabell 23 och 56:s 41,3), resten jämnt."),
    ]


# The workbook ------------------------------------------------------------------------------------------------
def build(ref: Path, models: Models) -> dict:
    """The keyword arguments of write_plan_workbook: every sheet, calibrated."""
    named = named_objects(HERE / "objekt.csv")
    objects = build_objects(ref, named)
    set_outturn(objects)
    cofin = cofinancing(ref, objects)
    deps = [dict(id=n["id"], beror_pa=b, fordrojning_manader=0, kalla=n["reason"]) for n in named for b in n["beror_pa"]]
    for o in objects:
        o["beroenden"] = ", ".join(d["beror_pa"] for d in deps if d["id"] == o["id"])
        o["medfinansiering"] = round(sum(r["belopp"] for r in cofin if r["id"] == o["id"]), 6) or None
    outturn = sum(o["utgifter"].get(OUTTURN_YEAR, 0.0) for o in objects)
    opening = tables(ref)[1][("Materiella anläggningstillgångar", "2025")][0]

    region, figures = region_rows(ref), published(ref)
    for f in figures:  # what the plan was fitted to, and what it takes as given (the Kalibrering sheet's roll)
        f["roll"] = ROLES.get((f["post"], f["ar"]), "indata" if f["post"] in GIVEN else "prövning")

    def book_at(share: float, rate: float) -> dict:
        return dict(years=YEARS, outturn_year=OUTTURN_YEAR, objects=objects, cofinancing=cofin, dependencies=deps,
                    region=region, balance=balance(ref, rate), existing=existing_assets(models, opening, outturn, share),
                    published=figures)

    share, rate = calibrate(book_at, models, ref)
    print(f"kalibrerat: återstående nyttjandeperiod {share:.3f} av klassens, ränta befintlig skuld {rate:.4f}")
    book = book_at(share, rate)
    other = calculate(as_plan(book), models).region.table["ovriga_intakter"].to_list()
    for row, value in zip(region, other[:3]):  # the published total without the plan's own release: an input
        del row["totala_intakter"]
        row["ovriga_intakter"] = value
        row["kalla"] = row["kalla"].replace("totala intäkter = verksamhetens intäkter + samlade skatteintäkter",
                                            "övriga intäkter = verksamhetens intäkter + samlade skatteintäkter − "
                                            "planens intäktsförda medfinansiering")
    return dict(book, assumptions=assumptions(named, book, models, ref, share))


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referens", type=Path, default=HERE / "referens")
    parser.add_argument("-o", "--utdata", type=Path, default=HERE / "investeringsplan.xlsx")
    args = parser.parse_args(argv)
    models = Models.load(ROOT / "models")
    book = build(args.referens, models)
    write_plan_workbook(args.utdata, book["years"], book["outturn_year"], book["objects"],
                        **{k: v for k, v in book.items() if k not in ("years", "outturn_year", "objects")})
    written = calculate(read_plan(args.utdata, models), models).region.table
    if not written.equals(calculate(as_plan(book), models).region.table):
        raise SystemExit(f"{args.utdata}: arbetsboken ger inte samma siffror som planen kalibrerades på")
    return args.utdata


if __name__ == "__main__":
    print(main())
