"""Builds data/investeringsplan/exempelplan.xlsx, the small example plan that is the default until the
Region Stockholm plan lands. Rerunning gives the same plan. Run: python data/investeringsplan/bygg_exempelplan.py"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invest.template import write_plan_workbook  # noqa: E402

YEARS = list(range(2026, 2036))
T8 = "Budget 2026 Tabell 8 (seeds/004_61804352d9c7cbd1.txt rad 4017–4039)"


def even(total: float, years) -> dict[int, float]:
    return {y: round(total / len(years), 1) for y in years}


def spend(*pairs) -> dict[int, float]:
    out: dict[int, float] = {}
    for years, amount in pairs:
        for y, a in (even(amount, years) if isinstance(years, range) else {years: amount}).items():
            out[y] = out.get(y, 0.0) + a
    return out


OBJECTS = [
    dict(id="TB-ARE", namn="Tunnelbana Arenastaden (gula linjen)", organisation="Trafiknämnden",
         verksamhetsomrade="Kollektivtrafik", kategori="beslutad", investeringstyp="ny", skede="genomförande",
         tillgangsklass="kollektivtrafik", driftsattning="2028-10", medfinansiering=2600,
         utgifter=spend((2025, 6200), (2026, 1300), (2027, 900), (2028, 400))),
    dict(id="TB-DEPA", namn="Depå Högdalen", organisation="Trafiknämnden", verksamhetsomrade="Kollektivtrafik",
         kategori="beslutad", investeringstyp="ny", skede="genomförande", tillgangsklass="kollektivtrafik",
         driftsattning="2029-01", medfinansiering=900, utgifter=spend((2025, 1800), (2026, 700), (2027, 600), (2028, 300))),
    dict(id="TB-C30", namn="Tunnelbanefordon C30, etapp 2", organisation="Trafiknämnden",
         verksamhetsomrade="Kollektivtrafik", kategori="planerad", investeringstyp="ny", skede="planering",
         tillgangsklass="kollektivtrafik", driftsattning="2030", beroenden="TB-DEPA",
         utgifter=spend((2027, 400), (2028, 900), (2029, 1100), (2030, 600), (2031, 300))),
    dict(id="TB-SODER", namn="Tunnelbana Nacka/Söderort", organisation="Trafiknämnden",
         verksamhetsomrade="Kollektivtrafik", kategori="beslutad", investeringstyp="ny", skede="genomförande",
         tillgangsklass="kollektivtrafik", driftsattning="2030-12", beroenden="TB-DEPA",
         utgifter=spend((2025, 9500), (range(2026, 2031), 12500))),
    dict(id="BUSS-SLU", namn="Bussterminal Slussen", organisation="Trafiknämnden",
         verksamhetsomrade="Kollektivtrafik", kategori="beslutad", investeringstyp="ny", skede="genomförande",
         tillgangsklass="kollektivtrafik", driftsattning="2027-09",
         utgifter=spend((2025, 1100), (2026, 450), (2027, 250))),
    dict(id="SJH-HANDEN", namn="Närsjukhus Handen", organisation="Fastighets- och servicenämnden",
         verksamhetsomrade="Fastigheter", kategori="planerad", investeringstyp="ny", skede="planering",
         tillgangsklass="fastighet_komponenter", driftsattning="2031",
         utgifter=spend((2027, 150), (2028, 500), (2029, 700), (2030, 700), (2031, 250))),
    dict(id="SJH-NORRT", namn="Norrtälje sjukhus, ny vårdbyggnad", organisation="Fastighets- och servicenämnden",
         verksamhetsomrade="Fastigheter", kategori="planerad", investeringstyp="ersättning", skede="inriktning",
         tillgangsklass="fastighet", driftsattning="2033-03", utgifter=spend((range(2029, 2034), 2400))),
    dict(id="MARK-HANDEN", namn="Markförvärv Handen", organisation="Fastighets- och servicenämnden",
         verksamhetsomrade="Fastigheter", kategori="planerad", investeringstyp="ny", skede="planering",
         tillgangsklass="mark", driftsattning="2027", utgifter=spend((2027, 120))),
]
# Budget 2026 Tabell 20, Totalt 2026–2035 per verksamhetsområde (seeds/004_61804352d9c7cbd1.txt rad 4955–4963).
AREA_TOTALS = {"Kollektivtrafik": 99806, "Fastigheter": 27453, "Hälso- och sjukvård": 17710, "Service": 2165,
               "Övrig verksamhet": 504}
POTS = {  # area -> (id, name, organisation, asset class)
    "Kollektivtrafik": ("KT-POTT", "Kollektivtrafik, övriga investeringar", "Trafiknämnden", "kollektivtrafik"),
    "Fastigheter": ("FAST-POTT", "Fastigheter, övriga investeringar", "Fastighets- och servicenämnden", "fastighet"),
    "Hälso- och sjukvård": ("MT-POTT", "Medicinteknisk utrustning", "Akutsjukhusnämnden", "medicinteknik"),
    "Service": ("IT-POTT", "It-utrustning och nätverk", "Fastighets- och servicenämnden", "it"),
    "Övrig verksamhet": ("INV-POTT", "Inventarier", "Regionstyrelsen", "inventarier"),
}


def pots() -> list[dict]:
    """One löpande pot per area: Tabell 20's total less the named objects' spend 2026–2035, spread evenly."""
    out = []
    for area, total in AREA_TOTALS.items():
        named = sum(a for o in OBJECTS if o["verksamhetsomrade"] == area for y, a in o["utgifter"].items() if y in YEARS)
        oid, name, org, cls = POTS[area]
        out.append(dict(id=oid, namn=name, organisation=org, verksamhetsomrade=area, kategori="pott",
                        investeringstyp="ersättning", skede="genomförande", tillgangsklass=cls, driftsattning="löpande",
                        utgifter=even(total - named, YEARS)))
    return out


COFINANCING = [
    dict(id="TB-ARE", part="Staten", belopp=1300), dict(id="TB-ARE", part="Solna stad", belopp=1300),
    dict(id="TB-DEPA", part="Staten", belopp=900),
    dict(id="TB-SODER", part="Staten", belopp=5500, ar=None), dict(id="TB-SODER", part="Nacka kommun", belopp=2500),
]
COMPONENTS = [
    dict(id="TB-SODER", komponent="tunnel och spår", andel=0.7, nyttjandeperiod=50),
    dict(id="TB-SODER", komponent="stationer", andel=0.2, nyttjandeperiod=25),
    dict(id="TB-SODER", komponent="signalsystem", andel=0.1, nyttjandeperiod=15),
]
DEPENDENCIES = [dict(id="TB-C30", beror_pa="TB-DEPA", fordrojning_manader=6)]
REGION = [
    dict(ar=2026, totala_intakter=29734 + 110644, resultat=75),
    dict(ar=2027, totala_intakter=30070 + 115189, resultat=100),
    dict(ar=2028, totala_intakter=30296 + 119951, resultat=100),
] + [dict(ar=y, resultat=100) for y in range(2029, 2036)]
BALANCE = {
    "ingaende_rantebarande_skuld": 33493,
    "genomsnittsranta_befintlig_skuld": 0.044,
    "ingaende_materiella_anlaggningstillgangar": 168866,
    "kallor": {
        "ingaende_rantebarande_skuld": "Budget 2026 Tabell 10, långfristiga skulder lån och leasing, prognos 2025 (rad 4289)",
        "genomsnittsranta_befintlig_skuld": "Tabell 8 räntekostnader prognos 2025 1 445 / genomsnittlig skuld "
                                            "(32 019 + 33 493) / 2 ≈ 4,4 % (antagande)",
        "ingaende_materiella_anlaggningstillgangar": "Budget 2026 Tabell 10, prognos 2025 (rad 4263)",
    },
}
EXISTING = [
    dict(tillgangsklass="kollektivtrafik", bokfort_varde=55000, aterstaende_nyttjandeperiod=16),
    dict(tillgangsklass="fastighet", bokfort_varde=33000, aterstaende_nyttjandeperiod=18),
    dict(tillgangsklass="medicinteknik", bokfort_varde=3500, aterstaende_nyttjandeperiod=3.5),
    dict(tillgangsklass="it", bokfort_varde=1400, aterstaende_nyttjandeperiod=2),
    dict(tillgangsklass="inventarier", bokfort_varde=2500, aterstaende_nyttjandeperiod=5),
    dict(tillgangsklass="mark", bokfort_varde=4000),
]


def main(target: Path = Path(__file__).with_name("exempelplan.xlsx")) -> Path:
    write_plan_workbook(target, YEARS, 2025, OBJECTS + pots(), COMPONENTS, COFINANCING, DEPENDENCIES, REGION, BALANCE, EXISTING)
    return target


if __name__ == "__main__":
    print(main())
