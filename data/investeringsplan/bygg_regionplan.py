"""Builds data/investeringsplan/investeringsplan.xlsx, Region Stockholm's investment plan 2026–2035 as in
Budget 2026 (RS 2025-0026), from the extracted tables in data/investeringsplan/referens/ (verbatim copies of
../shared/reference/). Rerunning gives the same workbook.

    python data/investeringsplan/bygg_regionplan.py [--referens DIR] [-o FIL]

How the plan is put together (the reasoning is in data/investeringsplan/README.md):
- every nämnd/bolag table (Tabell 23–71) row "category × period" becomes named objects plus one pot for the
  rest, so each organisation, category and period sums exactly to the table;
- 2029–2035 is split into years with Tabell 20's shape for the verksamhetsområde (2029, 2030, 2031–2035);
- Tabell 52's "varav medfinansiering" is spread over the co-financed objects in proportion to their spend;
- outturn before 2026 of the objects under construction is scaled so that pågående arbete at the end of 2026
  is Budget 2026's 60,1 mdkr;
- the existing asset base is Tabell 10's materiella anläggningstillgångar less that outturn, split by class.
Figures from the seeds carry file, table and line; everything else is a labelled assumption below.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invest.pipeline import Inputs, calculate_plan  # noqa: E402
from invest.params.parameters import Models  # noqa: E402
from invest.excel.template import write_plan_workbook  # noqa: E402

HERE = Path(__file__).resolve().parent
SEED = "seeds/004_61804352d9c7cbd1.txt"
YEARS = list(range(2026, 2036))
LATE = list(range(2029, 2036))
PERIODS = ("2026", "2027", "2028", "2029–2035")
OUTTURN_YEAR = 2025

# ---------------------------------------------------------------------------------------------------------
# Assumptions (each one is listed with its reasoning in README.md and on the workbook's Antaganden sheet)
# ---------------------------------------------------------------------------------------------------------
# Pågående arbete at the end of 2026 (Budget 2026 kap. 3.2, rad 4245–4246: "60,1 miljarder kronor").
PA_2026 = 60_100.0
# Activation of pots: <100 mkr pots are activated the year they are spent; unnamed objects >100 mkr take years.
POT_LAG = {"beslutade_over_100": 1, "planerade_over_100": 3}
HOSPITAL_POT_LAG = 1  # equipment and rebuilding >100 mkr at the hospitals
# Share of the existing (in use) asset base per class, and remaining life as a share of the class's life.
EXISTING_SPLIT = {"kollektivtrafik": 0.615, "fastighet": 0.28, "medicinteknik": 0.04, "it": 0.005, "fordon": 0.01,
                  "inventarier": 0.01, "mark": 0.04}
# Calibration targets (Tabell 8, rad 4023 and 4039), see calibrate().
T8 = {"avskrivningar": {2026: 8098.0}, "rantekostnader": {2026: 1568.0, 2027: 1764.0, 2028: 1922.0}}
# After 2028: result and other non-cash items held at the 2028 level, cash at the 2028 level.
RESULT_AFTER_2028 = 100.0

SHORT = {"Regionstyrelsen": "RS", "Stockholms läns sjukvårdsområde": "SLSO", "Karolinska Universitetssjukhuset": "KS",
         "Akutsjukhusnämnden": "ASN", "Ambulanssjukvårdsnämnden": "AMB", "Trafikförvaltningen": "TF",
         "Förvaltning av utbyggd tunnelbana": "FUT", "Kulturnämnden": "KUN", "Fastighetsförvaltningen": "FF",
         "Serviceförvaltningen": "SF", "Folktandvården Stockholms län AB": "FTV", "MediCarrier AB": "MC",
         "Locum AB": "LOC", "Hälso- och sjukvårdsnämnden": "HSN"}
CATEGORY = {  # kategori_kod -> (kategori, investeringstyp, id suffix, pot name)
    "beslutade_over_100": ("beslutad", "ersättning", "BESL", "beslutade investeringar >100 mkr, ej namngivna"),
    "planerade_over_100": ("planerad", "ersättning", "PLAN", "planerade investeringar >100 mkr, ej namngivna"),
    "ny_under_100": ("pott", "ny", "NY", "nyinvesteringar <100 mkr"),
    "ers_under_100": ("pott", "ersättning", "ERS", "ersättningsinvesteringar <100 mkr"),
    "inv_under_100": ("pott", "ersättning", "INV", "investeringar <100 mkr"),
}
POT_CLASS = {  # (organisation or section) -> asset class of its pots
    "Regionstyrelsen": "it", "Stockholms läns sjukvårdsområde": "medicinteknik",
    "Karolinska Universitetssjukhuset": "medicinteknik", "Akutsjukhusnämnden": "medicinteknik",
    "Ambulanssjukvårdsnämnden": "fordon", "Trafikförvaltningen": "kollektivtrafik", "Kulturnämnden": "inventarier",
    "Fastighetsförvaltningen": "fastighet", "Serviceförvaltningen": "it", "Folktandvården Stockholms län AB": "medicinteknik",
    "MediCarrier AB": "inventarier", "Locum AB": "fastighet",
}
COFINANCING_PARTY = "Staten och kommuner (Stockholms- och Sverigeförhandlingen)"


def named(id, namn, cell, area, klass, drift, amounts, late=None, outturn=0.0, typ="ny", skede="genomförande",
          cofinanced=False, kalla=""):
    """A named object: `cell` = (tabell, sektion or organisation, kategori_kod); `amounts` per PERIODS entry;
    `late` weights over 2029–2035 (default: the area's shape); `outturn` = weight of the spend before 2026."""
    return dict(id=id, namn=namn, cell=cell, area=area, klass=klass, drift=drift, amounts=amounts, late=late,
                outturn=outturn, typ=typ, skede=skede, cofinanced=cofinanced, kalla=kalla)


# Amounts per period are assumptions (the seeds give object amounts only for the FUT total, Norra Hagastaden and
# NKS Bygg); names, status and co-financing come from the cited lines.
FUT = (52, "Förvaltning av utbyggd tunnelbana", "beslutade_over_100")
TF_B = (52, "Trafikförvaltningen", "beslutade_over_100")
TF_P = (52, "Trafikförvaltningen", "planerade_over_100")
FF_B = (61, "Fastighetsförvaltningen", "beslutade_over_100")
FF_P = (61, "Fastighetsförvaltningen", "planerade_over_100")
FF_U = (61, "Fastighetsförvaltningen", "inv_under_100")
KT, FA, HS = "Kollektivtrafik", "Fastigheter", "Hälso- och sjukvård"
NAMED = [
    named("TB-DEPA", "Tunnelbanedepå Högdalen", FUT, KT, "kollektivtrafik", "2026",
          {"2026": 300, "2027": 0, "2028": 0, "2029–2035": 0}, outturn=3000, cofinanced=True,
          kalla=f"{SEED} rad 1820–1821 (invigs under 2026); Tabell 52 rad 6284"),
    named("TB-BAR", "Tunnelbana till Barkarby (blå linjen)", FUT, KT, "kollektivtrafik", "2027",
          {"2026": 1200, "2027": 900, "2028": 300, "2029–2035": 0}, outturn=5000, cofinanced=True,
          kalla=f"{SEED} rad 1807; Tabell 52 rad 6284"),
    named("TB-ARE", "Tunnelbana till Arenastaden (gula linjen) med Södra Hagalund", FUT, KT, "kollektivtrafik", "2028",
          {"2026": 1800, "2027": 1700, "2028": 1000, "2029–2035": 300}, late=[1, 0, 0, 0, 0, 0, 0], outturn=9000,
          cofinanced=True, kalla=f"{SEED} rad 1807–1812; Tabell 52 rad 6284"),
    named("TB-NSO", "Tunnelbana till Nacka och Söderort (blå linjen, Hagsätragrenen)", FUT, KT, "kollektivtrafik",
          "2030", {"2026": 2900, "2027": 3400, "2028": 2800, "2029–2035": 5200}, late=[3, 2.2, 0, 0, 0, 0, 0],
          outturn=14000, cofinanced=True, kalla=f"{SEED} rad 1807–1809; Tabell 52 rad 6284"),
    named("TB-ALV", "Tunnelbana Fridhemsplan–Älvsjö (gula linjen)", FUT, KT, "kollektivtrafik", "2034",
          None, late=[1, 1, 1.2, 1.2, 1.2, 1.2, 0.2], outturn=1500, cofinanced=True,  # None: the rest of FUT
          kalla=f"{SEED} rad 1810, 1823–1825 (första spadtag oktober 2025); Tabell 52 rad 6284"),
    named("BUSS-SLU", "Ny bussterminal Slussen", TF_B, KT, "kollektivtrafik", "2027",
          {"2026": 500, "2027": 400, "2028": 100, "2029–2035": 0}, outturn=1800,
          kalla=f"{SEED} rad 6302–6305 (driftsätts under planperioden)"),
    named("TVB-KISTA", "Tvärbanans utbyggnad till Kista", TF_B, KT, "kollektivtrafik", "2031",
          {"2026": 300, "2027": 600, "2028": 800, "2029–2035": 1100}, late=[3, 3, 2, 0, 0, 0, 0], outturn=1500,
          kalla=f"{SEED} rad 1834–1837 (omtag, nya upphandlingar 2026), 6302–6305"),
    named("TB-C30", "Nya tunnelbanefordon C30", TF_B, KT, "kollektivtrafik", "löpande",
          {"2026": 1000, "2027": 900, "2028": 800, "2029–2035": 600}, late=[2, 1, 0, 0, 0, 0, 0],
          kalla=f"{SEED} rad 1809–1810 (utökad fordonskapacitet), 6302–6305"),
    named("RB-CITY", "Roslagsbanans utbyggnad (förlängning till city)", TF_P, KT, "kollektivtrafik", "2035",
          {"2026": 250, "2027": 600, "2028": 900, "2029–2035": 9500}, late=[1, 1.4, 1.5, 1.5, 1.5, 1.5, 0.6],
          outturn=800, skede="planering", cofinanced=True,
          kalla=f"{SEED} rad 1832–1834 (Sverigeförhandlingen), 6302–6305"),
    named("SPV-SYD", "Spårväg Syd", TF_P, KT, "kollektivtrafik", "2034",
          {"2026": 150, "2027": 400, "2028": 700, "2029–2035": 6200}, late=[1, 1.2, 1.2, 1.2, 1.2, 1, 0.2],
          outturn=300, skede="planering", cofinanced=True, kalla=f"{SEED} rad 1832–1834 (Sverigeförhandlingen)"),
    named("FF-DS61", "Danderyds sjukhus, ny vårdbyggnad 61", FF_B, FA, "fastighet_komponenter", "2026",
          {"2026": 250, "2027": 0, "2028": 0, "2029–2035": 0}, outturn=2000,
          kalla=f"{SEED} rad 3096–3099, 5420–5441 (driftsättning 2026, villkorad ersättning)"),
    named("FF-SOS1718", "Södersjukhuset, modernisering av byggnad 17 och 18", FF_B, FA, "fastighet_komponenter",
          "2026", {"2026": 200, "2027": 0, "2028": 0, "2029–2035": 0}, outturn=1200, typ="ersättning",
          kalla=f"{SEED} rad 3099–3101, 5422"),
    named("FF-L9", "Solna sjukhusområde, ny byggnad för strålbehandling L9", FF_B, FA, "fastighet_komponenter", "2028",
          {"2026": 250, "2027": 250, "2028": 60, "2029–2035": 0}, outturn=300, kalla=f"{SEED} rad 3083–3084 (pågår)"),
    named("FF-HANDEN", "Nytt närsjukhus i Handen", FF_P, FA, "fastighet_komponenter", "2031",
          {"2026": 60, "2027": 250, "2028": 450, "2029–2035": 1400}, late=[3, 3, 1, 0, 0, 0, 0], outturn=50,
          skede="planering", kalla=f"{SEED} rad 3059–3061 (medel avsatta i investeringsplanen)"),
    named("FF-NORRT", "Norrtälje sjukhus, akutmottagning och vårdavdelningar", FF_P, FA, "fastighet_komponenter",
          "2030", {"2026": 80, "2027": 200, "2028": 300, "2029–2035": 350}, late=[2, 1, 0, 0, 0, 0, 0],
          outturn=50, typ="ersättning", skede="planering", kalla=f"{SEED} rad 3077–3079, 6625"),
    named("FF-STRAL-SOS", "Södersjukhuset, ny strålbyggnad", FF_P, FA, "fastighet_komponenter", "2032",
          {"2026": 20, "2027": 80, "2028": 200, "2029–2035": 900}, late=[2, 3, 3, 1, 0, 0, 0], skede="planering",
          kalla=f"{SEED} rad 3085–3086, 6625–6627"),
    named("FF-NHAGA", "Program Norra Hagastaden, vårdfastigheter", FF_P, FA, "fastighet_komponenter", "2034",
          {"2026": 45, "2027": 200, "2028": 309, "2029–2035": 2346}, late=[1, 1, 1.2, 1.2, 1.2, 1, 0.4],
          skede="planering",
          kalla=f"{SEED} rad 6599–6603 (45 mnkr 2026, 554 mnkr 2026–2028, 2 900 mnkr 2026–2035; fördelning 2027/2028 antagen)"),
    named("FF-NKS", "Nya Karolinska Solna Bygg, hyresgästanpassningar och mindre ersättningsinvesteringar", FF_U, FA,
          "fastighet", "löpande", {"2026": 160, "2027": 77.05, "2028": 77.05, "2029–2035": 390}, typ="ersättning",
          kalla=f"{SEED} rad 6605–6608 (160 mnkr 2026, 314,1 mnkr 2026–2028, 704,1 mnkr 2026–2035; 2027/2028 lika)"),
]
DEPENDENCIES = [  # (id, beror_pa, fordrojning_manader, reason)
    ("TB-C30", "TB-DEPA", 0, "fordonen behöver depån (depå före vagnar)"),
    ("TB-NSO", "TB-DEPA", 0, "Söderortsgrenen trafikeras från depå Högdalen"),
    ("TB-ALV", "TB-ARE", 0, "Älvsjögrenen förlänger gula linjen (etapp 2 efter etapp 1)"),
]
OTHER_OBJECTS = {  # pot ids that get their own name (and class) from the seeds
    "T46-AMB-ERS": ("Ambulansfordon, ersättningsinvesteringar", "fordon", f"{SEED} rad 6103–6108 (Tabell 46)"),
    "T46-AMB-NY": ("Ambulanssjukvårdens it-stöd FRAPP13 och övriga nyinvesteringar", "it", f"{SEED} rad 5459–5462"),
    "T69-MC-NY": ("MediCarrier, beredskapslager", "inventarier", f"{SEED} rad 6969–6982 (Tabell 69)"),
}


# ---------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def read(ref: Path, name: str) -> list[dict]:
    with open(ref / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def cells(ref: Path) -> dict[tuple, dict]:
    """Component rows of the nämnd/bolag tables: (tabell, section or organisation, kategori_kod) -> amounts."""
    out: dict[tuple, dict] = {}
    for r in read(ref, "b2026_investeringsutrymme.csv"):
        if r["niva"] != "namnd_bolag" or r["radtyp"] != "komponent" or r["period"] not in PERIODS:
            continue
        key = (int(r["tabell"]), r["sektion"] or r["organisation"], r["kategori_kod"])
        c = out.setdefault(key, {"organisation": r["organisation"], "area": r["verksamhetsomrade"], "amounts": {},
                                 "kategori": r["kategori"], "kalla": f"{SEED} Tabell {r['tabell']} rad {r['kallrad']}"})
        c["amounts"][r["period"]] = float(r["belopp_mnkr"])
    return {k: c for k, c in out.items() if any(c["amounts"].values())}


def t20(ref: Path) -> dict[tuple[str, str], tuple[float, str]]:
    """(post, period) -> (value, line) from Tabell 19/20."""
    return {(r["post"], r["period"]): (float(r["varde"]), r["kallrad"])
            for r in read(ref, "b2026_t19_t20_investeringsplan.csv") if r["tabell"] == "20"}


def statement(ref: Path, name: str) -> dict[tuple[str, str], tuple[float, str, str]]:
    """(post, period) -> (value, uppgiftstyp, line), the budget/plan/utfall/prognos columns of a statement."""
    return {(r["post"], r["period"]): (float(r["varde"]), r["uppgiftstyp"], r["kallrad"])
            for r in read(ref, name) if r["uppgiftstyp"] in ("utfall", "budget", "prognos", "plan")
            and not (r["period"] == "2025" and r["uppgiftstyp"] == "budget" and name.startswith("b2026_t08"))}


def area_shape(table20, area: str) -> list[float]:
    """Weights of 2029…2035 for `area`: Tabell 20's 2029 and 2030, and 2031–2035 spread evenly (assumption)."""
    a29, a30, a3135 = (table20[(area, p)][0] for p in ("2029", "2030", "2031–2035"))
    return [a29, a30] + [a3135 / 5] * 5


def spread(total: float, weights) -> list[float]:
    s = sum(weights)
    return [total * w / s for w in weights] if s else [0.0] * len(weights)


def build_objects(ref: Path):
    table20 = t20(ref)
    budget_cells = cells(ref)
    objects, by_cell = [], defaultdict(list)
    for n in NAMED:
        by_cell[n["cell"]].append(n)
    # Named objects: amounts per period; the one without amounts takes the rest of its cell (FUT: Älvsjö).
    for key, members in by_cell.items():
        cell = budget_cells[key]
        rest = [m for m in members if m["amounts"] is None]
        for m in rest:
            m["amounts"] = {p: cell["amounts"][p] - sum(o["amounts"][p] for o in members if o is not m) for p in PERIODS}
    # 2029–2035 per area and year: the nämnd tables' total with Tabell 20's shape; named objects first, pots the rest.
    late_target = {area: spread(sum(c["amounts"]["2029–2035"] for c in budget_cells.values() if c["area"] == area),
                                area_shape(table20, area))
                   for area in {c["area"] for c in budget_cells.values()}}
    named_late = {area: [0.0] * 7 for area in late_target}
    for n in NAMED:
        shape = n["late"] or area_shape(table20, n["area"])
        n["late_spend"] = spread(n["amounts"]["2029–2035"], shape)
        named_late[n["area"]] = [a + b for a, b in zip(named_late[n["area"]], n["late_spend"])]
    room = {area: [t - s for t, s in zip(late_target[area], named_late[area])] for area in late_target}
    for area, free in room.items():
        if min(free) < -1e-9:
            raise SystemExit(f"namngivna objekt överskrider {area}s utrymme 2029–2035: {free}")

    for n in NAMED:
        objects.append(_object(n["id"], n["namn"], budget_cells[n["cell"]]["organisation"], n["area"],
                               "beslutad" if n["cell"][2].startswith("beslutade") else
                               "planerad" if n["cell"][2].startswith("planerade") else "pott",
                               n["typ"], n["skede"], n["klass"], n["drift"], n["amounts"], n["late_spend"], n["kalla"],
                               outturn_weight=n["outturn"], cofinanced=n["cofinanced"]))
    for key, cell in sorted(budget_cells.items()):
        members = by_cell.get(key, [])
        pot = {p: cell["amounts"][p] - sum(m["amounts"][p] for m in members) for p in PERIODS}
        if all(abs(v) < 1e-9 for v in pot.values()):
            continue
        if min(pot.values()) < -1e-9:
            raise SystemExit(f"namngivna objekt överskrider cellen {key}: {pot}")
        area = cell["area"]
        free = room[area]
        area_pots = sum(c["amounts"]["2029–2035"] - sum(m["amounts"]["2029–2035"] for m in by_cell.get(k, []))
                        for k, c in budget_cells.items() if c["area"] == area)
        late = [pot["2029–2035"] * f / area_pots for f in free] if area_pots else [0.0] * 7
        kategori, typ, suffix, text = CATEGORY[key[2]]
        section = key[1]
        oid = f"T{key[0]}-{SHORT[section]}-{suffix}"
        name, klass, kalla = f"{section}: {text}", POT_CLASS[section], cell["kalla"]
        if oid in OTHER_OBJECTS:
            name, klass, extra = OTHER_OBJECTS[oid]
            kalla = f"{kalla}; {extra}"
        lag = POT_LAG.get(key[2], 0)
        if lag and area == HS:
            lag = HOSPITAL_POT_LAG
        drift = f"löpande +{lag}" if lag else "löpande"
        objects.append(_object(oid, name, cell["organisation"], area, kategori, typ,
                               "planering" if kategori == "planerad" else "genomförande", klass, drift, pot, late,
                               kalla + " (det som inte är namngivna objekt)" if members else kalla))
    objects.append(_reconciliation(ref, budget_cells))
    return objects


def _object(oid, namn, organisation, area, kategori, typ, skede, klass, drift, amounts, late, kalla,
            outturn_weight=0.0, cofinanced=False) -> dict:
    spend = {2026: amounts["2026"], 2027: amounts["2027"], 2028: amounts["2028"]}
    spend.update(dict(zip(LATE, late)))
    return dict(id=oid, namn=namn, organisation=organisation, verksamhetsomrade=area, kategori=kategori,
                investeringstyp=typ, skede=skede, tillgangsklass=klass, driftsattning=drift,
                utgifter={y: a for y, a in spend.items() if abs(a) > 1e-12}, kalla=kalla,
                _outturn_weight=outturn_weight, _cofinanced=cofinanced)


def _reconciliation(ref: Path, budget_cells) -> dict:
    """Tabell 19's 147 638 mnkr less the nämnd tables' sum (1,5 mnkr, Övrig verksamhet, in no nämnd table)."""
    t19 = {r["period"]: float(r["varde"]) for r in read(ref, "b2026_t19_t20_investeringsplan.csv")
           if r["tabell"] == "19" and r["post"] == "TOTALT"}
    gap = t19["2026–2035"] - sum(sum(c["amounts"].values()) for c in budget_cells.values())
    first = 0.2  # Budget 2026 rad 4999–5000: 41,5 mnkr 2026 against Tabell 23 + 56 = 41,3
    rest = (gap - first) / 9
    return _object("OV-AVST", "Övrig verksamhet utanför nämndtabellerna (avstämning mot Tabell 19/20)",
                   "Regionen, ej fördelat på nämnd", "Övrig verksamhet", "pott", "ersättning", "genomförande",
                   "inventarier", "löpande", {"2026": first, "2027": rest, "2028": rest, "2029–2035": rest * 7},
                   [rest] * 7, f"{SEED} rad 4909 (Tabell 19 totalt 147 638) och 4999–5000 (504,2 mnkr, 41,5 mnkr 2026)")


def cofinancing(ref: Path, objects: list[dict]) -> list[dict]:
    """Tabell 52's varav medfinansiering per year over the co-financed objects in proportion to their spend: 2029
    and 2030 from Tabell 20, 2031–2035 (Tabell 20 gives the sum) with the objects' own spend; their outturn at the
    same share as their own plan period."""
    table20 = t20(ref)
    t52 = {r["period"]: (float(r["belopp_mnkr"]), r["kallrad"]) for r in read(ref, "b2026_investeringsutrymme.csv")
           if r["tabell"] == "52" and r["kategori_kod"] == "varav_medfinansiering"}
    chosen = [o for o in objects if o["_cofinanced"]]
    per_year = {2026: t52["2026"][0], 2027: t52["2027"][0], 2028: t52["2028"][0],
                2029: table20[("varav medfinansiering", "2029")][0], 2030: table20[("varav medfinansiering", "2030")][0]}
    last5 = t52["2029–2035"][0] - per_year[2029] - per_year[2030]  # = Tabell 20's 2031–2035
    per_year.update(zip(LATE[2:], spread(last5, [sum(o["utgifter"].get(y, 0.0) for o in chosen) for y in LATE[2:]])))
    rows = []
    for year, amount in per_year.items():
        base = sum(o["utgifter"].get(year, 0.0) for o in chosen)
        if amount > 0.9 * base:
            raise SystemExit(f"medfinansieringen {year} ({amount:.1f}) är mer än 90 % av de medfinansierade objektens utgift")
        for o in chosen:
            share = o["utgifter"].get(year, 0.0) / base
            if share:
                rows.append(dict(id=o["id"], part=COFINANCING_PARTY, belopp=amount * share, ar=year,
                                 kalla=f"{SEED} Tabell 52 rad {t52['2026'][1]} och Tabell 20 rad 4957, fördelat efter utgift"))
    for o in chosen:
        outturn = o["utgifter"].get(OUTTURN_YEAR, 0.0)
        plan_spend = sum(a for y, a in o["utgifter"].items() if y >= YEARS[0])
        received = sum(r["belopp"] for r in rows if r["id"] == o["id"])
        if outturn:
            rows.append(dict(id=o["id"], part=COFINANCING_PARTY, belopp=outturn * received / plan_spend, ar=OUTTURN_YEAR,
                             kalla="antagande: utfallet t.o.m. 2025 medfinansierat med samma andel som planperioden"))
    return rows


def set_outturn(objects: list[dict]) -> None:
    """Outturn before 2026 = weight × X, X such that pågående arbete at the end of 2026 is PA_2026."""
    def open_after_2026(o):
        d = o["driftsattning"]
        return not d.startswith("löpande") and int(d[:4]) > 2026

    spend_in_pa = sum(o["utgifter"].get(2026, 0.0) for o in objects
                      if open_after_2026(o) or (o["driftsattning"].startswith("löpande +")))
    weights = sum(o["_outturn_weight"] for o in objects if open_after_2026(o))
    scale = (PA_2026 - spend_in_pa) / weights
    for o in objects:
        if o["_outturn_weight"]:
            o["utgifter"][OUTTURN_YEAR] = round(o["_outturn_weight"] * scale, 1)


def region_inputs(ref: Path):
    t8 = statement(ref, "b2026_t08_resultatrakning.csv")
    t10 = statement(ref, "b2026_t10_balansrakning.csv")
    t12 = statement(ref, "b2026_t12_kassaflodesanalys.csv")

    def v(table, post, year):
        return table[(post, str(year))][0]

    def line(table, post, year):
        return table[(post, str(year))][2]

    rows = []
    for year in YEARS:
        if year <= 2028:
            revenue = v(t8, "Verksamhetens intäkter", year) + v(t8, "Summa samlade skatteintäkter", year)
            other = v(t12, "Justering för ej likviditetspåverkande poster", year) + v(t8, "Avskrivningar", year)
            rows.append(dict(
                ar=year, totala_intakter=revenue, resultat=v(t8, "Årets resultat", year),
                ovriga_ej_likviditetspaverkande=other, likvida_medel=v(t10, "Kassa och bank", year),
                kalla=(f"{SEED} Tabell 8 rad {line(t8, 'Verksamhetens intäkter', year)} + "
                       f"{line(t8, 'Summa samlade skatteintäkter', year)} (totala intäkter), rad "
                       f"{line(t8, 'Årets resultat', year)} (resultat); Tabell 12 rad "
                       f"{line(t12, 'Justering för ej likviditetspåverkande poster', year)} − Tabell 8 rad "
                       f"{line(t8, 'Avskrivningar', year)} (övriga poster); Tabell 10 rad "
                       f"{line(t10, 'Kassa och bank', year)} (likvida medel)")))
        else:
            last = rows[2]
            rows.append(dict(ar=year, resultat=RESULT_AFTER_2028,
                             ovriga_ej_likviditetspaverkande=last["ovriga_ej_likviditetspaverkande"],
                             likvida_medel=last["likvida_medel"],
                             kalla="antagande: resultat, övriga poster och likvida medel som 2028; totala intäkter "
                                   "skrivs fram med models/region/intaktstillvaxt.yaml"))
    debt = v(t10, "Långfristiga skulder lån och leasing", 2025)
    assets = v(t10, "Materiella anläggningstillgångar", 2025)
    balance = {
        "ingaende_rantebarande_skuld": debt,
        "genomsnittsranta_befintlig_skuld": None,  # calibrated
        "ingaende_materiella_anlaggningstillgangar": assets,
        "kallor": {
            "ingaende_rantebarande_skuld": f"{SEED} Tabell 10 rad {line(t10, 'Långfristiga skulder lån och leasing', 2025)}, prognos 2025",
            "genomsnittsranta_befintlig_skuld": "antagande, kalibrerad mot Tabell 8 räntekostnader 2026 (se README)",
            "ingaende_materiella_anlaggningstillgangar": f"{SEED} Tabell 10 rad {line(t10, 'Materiella anläggningstillgångar', 2025)}, prognos 2025",
        },
    }
    return rows, balance, assets


def existing_assets(opening: float, outturn: float, remaining_share: float) -> list[dict]:
    in_use = opening - outturn
    models = Models.load(ROOT / "models")
    lives = {k: models.class_life(k, YEARS[0]) for k in EXISTING_SPLIT}
    return [dict(tillgangsklass=k, bokfort_varde=round(in_use * share, 1),
                 aterstaende_nyttjandeperiod=round(remaining_share * lives[k], 2) if lives[k] else None,
                 kalla=f"antagande: {share:.1%} av befintliga tillgångar i bruk ({opening:,.0f} − utfall {outturn:,.0f} mnkr)")
            for k, share in EXISTING_SPLIT.items()]


def published(ref: Path) -> list[dict]:
    """Budget 2026's own figures, for the report's Tabell 19/20 shape and the calibration."""
    out = []
    for r in read(ref, "b2026_t19_t20_investeringsplan.csv"):
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
                            varde=float(r["varde"]), kalla=f"{SEED} Tabell {r['tabell']} rad {r['kallrad']}"))
    t8 = statement(ref, "b2026_t08_resultatrakning.csv")
    t10 = statement(ref, "b2026_t10_balansrakning.csv")
    for year in range(2024, 2029):
        y = str(year)
        for post, table, label, sign in (("avskrivningar", t8, "Avskrivningar", -1),
                                         ("rantekostnader", t8, "Räntekostnader mm.", -1),
                                         ("materiella_anlaggningstillgangar", t10, "Materiella anläggningstillgångar", 1),
                                         ("rantebarande_skuld", t10, "Långfristiga skulder lån och leasing", 1)):
            value, kind, line = table[(label, y)]
            out.append(dict(post=post, ar=year, uppgiftstyp=kind, varde=sign * value, kalla=f"{SEED} Tabell {8 if table is t8 else 10} rad {line}"))
        income, kind, l1 = t8[("Verksamhetens intäkter", y)]
        tax, _, l2 = t8[("Summa samlade skatteintäkter", y)]
        out.append(dict(post="totala_intakter", ar=year, uppgiftstyp=kind, varde=income + tax,
                        kalla=f"{SEED} Tabell 8 rad {l1} + {l2}"))
    out.append(dict(post="pagaende_arbete", ar=2026, uppgiftstyp="budget", varde=PA_2026,
                    kalla=f"{SEED} kap. 3.2 rad 4245–4246 (pågående, ej driftsatta anläggningar 60,1 mdkr)"))
    return out


def assumptions(remaining_share: float, debt_rate: float) -> list[tuple[str, str]]:
    return [
    ("Belopp per namngivet objekt", "Seeds anger belopp bara för utbyggd tunnelbana totalt (Tabell 52), Norra Hagastaden "
     "och NKS Bygg. Övriga namngivna objekts belopp per år är antaganden i rimlig storlek; pottarna tar resten så att "
     "varje nämnds kategori och period summerar exakt till tabellen."),
    ("Driftsättningar", "Depå Högdalen 2026 (seed rad 1820). Övriga är antaganden: Barkarby 2028-06, Arenastaden 2028-10, "
     "Nacka/Söderort 2030-10, Älvsjö 2034-12, Slussen 2027-09, Tvärbanan Kista 2031-08, Roslagsbanan 2035-06, "
     "Spårväg Syd 2034-12, vårdbyggnad 61 2026-09, byggnad 17/18 2026-06, L9 2028-03, Handen 2031-09, Norrtälje 2030-06, "
     "SöS strålbyggnad 2032-06, Norra Hagastaden 2034-06. C30 och NKS Bygg aktiveras löpande."),
    ("2029–2035 per år", "Nämndtabellerna anger 2029–2035 som en summa. Den delas per verksamhetsområde med Tabell 20:s "
     "2029, 2030 och 2031–2035; 2031–2035 jämnt över fem år. Namngivna objekt har egna profiler, pottarna tar resten."),
    ("Pottar för ej namngivna objekt >100 mkr", f"Aktiveras löpande med fördröjning: beslutade +{POT_LAG['beslutade_over_100']} "
     f"år, planerade +{POT_LAG['planerade_over_100']} år (byggtid), sjukhusens +{HOSPITAL_POT_LAG} år. Pottar <100 mkr "
     "aktiveras samma år."),
    ("Medfinansiering", "Tabell 52:s varav medfinansiering per år (2029–2035 med Tabell 20:s år) fördelas på de objekt som "
     "seeds knyter till Stockholms- och Sverigeförhandlingen (utbyggd tunnelbana, Roslagsbanan, Spårväg Syd) i proportion "
     "till årets utgift. Utfallet t.o.m. 2025 antas medfinansierat med samma andel."),
    ("Utfall t.o.m. 2025", f"Pågående objekts utfall skalas så att pågående arbete vid utgången av 2026 blir "
     f"{PA_2026:,.0f} mnkr (Budget 2026 rad 4245–4246). Fördelningen mellan objekten är antagen."),
    ("Befintliga tillgångar", "Tabell 10:s materiella anläggningstillgångar prognos 2025 (168 866 mnkr) minus de pågående "
     "objektens utfall, fördelat per klass: " + ", ".join(f"{k} {s:.1%}" for k, s in EXISTING_SPLIT.items())
     + f". Återstående nyttjandeperiod {remaining_share:.1%} av klassens, kalibrerad så att avskrivningarna 2026 blir "
     "Tabell 8:s 8 098 mnkr; 2027–2028 är kontrollen. Avvecklingen är linjärt avtagande "
     "(models/region/befintliga_avveckling.yaml)."),
    ("Ränta på befintlig skuld", f"{debt_rate:.2%} vid ingången av 2026, kalibrerad så att räntekostnaderna 2026 blir "
     "Tabell 8:s 1 568 mnkr; 2027–2028 (1 764 / 1 922) är kontrollen. Ny och omsatt upplåning kostar "
     "models/ranta/marknadsranta + models/ranta/upplaningsmarginal."),
    ("Efter 2028", f"Resultat {RESULT_AFTER_2028:,.0f} mnkr per år, övriga ej likviditetspåverkande poster och likvida "
     "medel som 2028, totala intäkter +3,4 % per år (models/region/intaktstillvaxt.yaml)."),
    ("Avstämningspost", "Tabell 19/20 har 1,5 mnkr (Övrig verksamhet) som inte finns i någon nämndtabell; objektet OV-AVST "
     "bär dem (0,2 mnkr 2026 enligt rad 4999–5000, resten jämnt)."),
]


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referens", type=Path, default=HERE / "referens")
    parser.add_argument("-o", "--utdata", type=Path, default=HERE / "investeringsplan.xlsx")
    args = parser.parse_args(argv)
    ref = args.referens
    objects = build_objects(ref)
    set_outturn(objects)
    cofin = cofinancing(ref, objects)
    region, balance, opening = region_inputs(ref)
    outturn = sum(o["utgifter"].get(OUTTURN_YEAR, 0.0) for o in objects)
    deps = [dict(id=a, beror_pa=b, fordrojning_manader=lag, kalla=why) for a, b, lag, why in DEPENDENCIES]
    for o in objects:
        o["beroenden"] = ", ".join(b for a, b, _, _ in DEPENDENCIES if a == o["id"])
        o["medfinansiering"] = round(sum(r["belopp"] for r in cofin if r["id"] == o["id"]), 6) or None
    def write(target: Path, remaining_share: float, debt_rate: float) -> Path:
        balance["genomsnittsranta_befintlig_skuld"] = debt_rate
        write_plan_workbook(target, YEARS, OUTTURN_YEAR, objects, cofinancing=cofin, dependencies=deps, region=region,
                            balance=balance, existing=existing_assets(opening, outturn, remaining_share),
                            published=published(ref), assumptions=assumptions(remaining_share, debt_rate))
        return target

    remaining_share, debt_rate = calibrate(write, args.utdata.with_name(".kalibrering.xlsx"))
    print(f"kalibrerat: återstående nyttjandeperiod {remaining_share:.3f} av klassens, ränta befintlig skuld "
          f"{debt_rate:.4f}")
    return write(args.utdata, remaining_share, debt_rate)


def calibrate(write, scratch: Path) -> tuple[float, float]:
    """The calibrated assumptions: the existing assets' remaining life (a share of the class's life) such that the
    model's avskrivningar 2026 equal Tabell 8's (2027–2028 are the check), and the existing debt's average rate
    and the margin on new borrowing fitted by least squares to Tabell 8's räntekostnader 2026–2028 (relative
    errors). The margin is a models/ parameter: the script stops if models/ disagrees."""
    def year_rows(remaining_share: float, debt_rate: float, models_dir: Path = ROOT / "models"):
        table = calculate_plan(Inputs(write(scratch, remaining_share, debt_rate), models_dir)).region.table
        return [table.row(i, named=True) for i in range(3)]

    try:
        low, high = 0.2, 1.5  # depreciation falls as the remaining life grows
        for _ in range(30):
            mid = (low + high) / 2
            low, high = (mid, high) if year_rows(mid, 0.0)[0]["avskrivningar"] > T8["avskrivningar"][2026] else (low, mid)
        share = round((low + high) / 2, 3)
        with tempfile.TemporaryDirectory() as tmp:  # interest is linear in the old rate and the margin
            models = Path(tmp) / "models"
            shutil.copytree(ROOT / "models", models)
            margin_file = models / "ranta" / "upplaningsmarginal.yaml"
            text = margin_file.read_text(encoding="utf-8")
            current = float(text.split("varde:")[1].split()[0])

            def interest(rate, margin):
                margin_file.write_text(text.replace(f"varde: {current}", f"varde: {margin}"), encoding="utf-8")
                return np.array([r["rantekostnader"] for r in year_rows(share, rate, models)])

            base = interest(0.0, 0.0)
            matrix = np.column_stack([interest(0.01, 0.0) - base, interest(0.0, 0.01) - base]) / 0.01
            target = np.array(list(T8["rantekostnader"].values()))
            weights = 1 / target[:, None]  # least squares on the relative error of each year
            (rate, margin), *_ = np.linalg.lstsq(matrix * weights, (target - base) * weights[:, 0], rcond=None)
    finally:
        scratch.unlink(missing_ok=True)
    if abs(round(margin, 4) - current) > 1e-12:
        raise SystemExit(f"models/ranta/upplaningsmarginal.yaml har {current}, kalibreringen ger {margin:.4f}: "
                         "uppdatera filen (och dess antagande) och kör igen")
    return share, round(rate, 4)

if __name__ == "__main__":
    print(main())
