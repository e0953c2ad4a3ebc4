"""Builds data/forslag/exempel_forslag.xlsx, an invented set of proposals to try `invest kontroll` on, and
data/forslag/exempel_optimering.xlsx, a larger invented set with the optimiser's columns (varde, tidigast_start,
senast_start, utesluter) to try `invest optimera` on (see README.md here). Rerunning gives the same workbooks.

    python data/forslag/bygg_exempel.py [-o FIL]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invest.excel.template import write_plan_workbook  # noqa: E402

HERE = Path(__file__).resolve().parent
YEARS = list(range(2026, 2036))
NOTE = "Påhittat exempel för invest kontroll; inga belopp kommer från en nämnd."


def _object(oid, namn, organisation, omrade, klass, drift, utgifter, typ="ny", skede="inriktning", medfin=None):
    return {"id": oid, "namn": namn, "organisation": organisation, "verksamhetsomrade": omrade, "kategori": "planerad",
            "investeringstyp": typ, "skede": skede, "tillgangsklass": klass, "driftsattning": drift,
            "medfinansiering": medfin, "utgifter": utgifter, "kalla": NOTE}


OBJECTS = [
    _object("F-DEPA", "Bussdepå Söderort", "Trafiknämnden", "Kollektivtrafik", "fastighet", "2029-09",
            {2027: 250, 2028: 600, 2029: 350}),
    _object("F-EBUSS", "Elbussar till bussdepå Söderort", "Trafiknämnden", "Kollektivtrafik", "fordon", "2030-01",
            {2029: 400, 2030: 400}),
    _object("F-AKUT", "Ny akutmottagning, Södersjukhuset", "Fastighets- och servicenämnden", "Fastigheter",
            "fastighet_komponenter", "2031-10", {2028: 150, 2029: 400, 2030: 450, 2031: 200}, skede="åtgärdsval"),
    _object("F-MT", "Medicinteknik till ny akutmottagning", "Akutsjukhusnämnden", "Hälso- och sjukvård", "medicinteknik",
            "2031-10", {2031: 120}),
    _object("F-SPV", "Spårväg Syd, förlängning", "Trafiknämnden", "Kollektivtrafik", "kollektivtrafik", "2034-12",
            {2030: 300, 2031: 700, 2032: 900, 2033: 900, 2034: 400}, medfin=1280),
    _object("F-JOURNAL", "Journalsystem, ny modul", "Regionstyrelsen", "Övrig verksamhet", "it", "2028-07",
            {2027: 90, 2028: 110}),
]
COFINANCING = [{"id": "F-SPV", "part": "staten", "belopp": 960, "kalla": NOTE},
               {"id": "F-SPV", "part": "kommuner", "belopp": 320, "kalla": NOTE}]
DEPENDENCIES = [{"id": "F-EBUSS", "beror_pa": "F-DEPA", "fordrojning_manader": 3},
                {"id": "F-MT", "beror_pa": "F-AKUT", "fordrojning_manader": 0}]


def _valued(obj: dict, varde: float, **terms) -> dict:
    return {**obj, "varde": varde, **terms, "kalla": NOTE.replace("invest kontroll", "invest optimera")}


# varde: an invented benefit score (nytta, 0–100 per proposal) the optimiser maximises
OPTIMISATION = [
    _valued(OBJECTS[0], 40), _valued(OBJECTS[1], 30),  # the depot and its buses: one proposal, value 70
    _valued(OBJECTS[2], 60, senast_start=2031), _valued(OBJECTS[3], 20),  # the emergency unit and its equipment
    _valued(OBJECTS[4], 90, tidigast_start=2031),  # the tram extension, not before 2031
    _valued(OBJECTS[5], 35, senast_start=2029),  # the journal module, by 2029 at the latest
    _valued(_object("F-DEPA-B", "Bussdepå Söderort, mindre variant", "Trafiknämnden", "Kollektivtrafik", "fastighet",
                    "2029-09", {2027: 180, 2028: 420, 2029: 250}), 45, utesluter="F-DEPA"),
    _valued(_object("F-VARD", "Vårdcentral Barkarby", "Fastighets- och servicenämnden", "Fastigheter", "fastighet",
                    "2030-03", {2028: 120, 2029: 260, 2030: 60}), 50),
    _valued(_object("F-LAB", "Laboratoriemedicin, automationslinje", "Akutsjukhusnämnden", "Hälso- och sjukvård",
                    "medicinteknik", "2028-01", {2027: 140}), 30),
    _valued(_object("F-PENDEL", "Pendeltågsvagnar, tillskott", "Trafiknämnden", "Kollektivtrafik", "fordon",
                    "2032-06", {2031: 700, 2032: 900}, skede="inriktning"), 55),
    _valued(_object("F-CYKEL", "Regionala cykelstråk", "Trafiknämnden", "Kollektivtrafik", "kollektivtrafik",
                    "löpande", {2027: 60, 2028: 60, 2029: 60, 2030: 60}), 15),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", type=Path, default=HERE / "exempel_forslag.xlsx")
    parser.add_argument("--optimering", type=Path, default=HERE / "exempel_optimering.xlsx")
    args = parser.parse_args()
    write_plan_workbook(args.o, YEARS, None, OBJECTS, cofinancing=COFINANCING, dependencies=DEPENDENCIES)
    print(f"Skrev {args.o} ({len(OBJECTS)} objekt).")
    write_plan_workbook(args.optimering, YEARS, None, OPTIMISATION, cofinancing=COFINANCING, dependencies=DEPENDENCIES)
    print(f"Skrev {args.optimering} ({len(OPTIMISATION)} objekt).")


if __name__ == "__main__":
    main()
