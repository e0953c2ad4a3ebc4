"""Writing a plan workbook in the template format (the format every command reads): from plain rows, from a
read Plan (`invest importera`), or empty with instructions and drop-down lists (`invest mall`)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from invest.base.atomic import atomic_path
from invest.plan.records import Plan
from invest.plan import vocabulary as v
from invest.excel.writer import put, write_table

TERM_FORMATS = {"varde": "mnkr", "tidigast_start": "ar", "senast_start": "ar", "utesluter": "text"}
OBJECT_HEADERS = ["id", "namn", "organisation", "verksamhetsområde", "kategori", "investeringstyp", "skede",
                  "tillgångsklass", "driftsättning", "medfinansiering", "beroenden"]


def write_plan_workbook(path: Path, years: list[int], outturn_year: int | None, objects: list[dict],
                        components: list[dict] = (), cofinancing: list[dict] = (), dependencies: list[dict] = (),
                        region: list[dict] = (), balance: dict | None = None, existing: list[dict] = (),
                        asset_classes: tuple[str, ...] = (), published: list[dict] = (),
                        assumptions: list[tuple[str, str]] = (), areas: tuple[str, ...] = ()) -> None:
    """`objects`: dicts with the OBJECT_HEADERS keys in ASCII (verksamhetsomrade, …) and `utgifter` {year: mnkr}.
    Any row may carry `kalla` (its source), written in a last column `källa` that every reader ignores.
    With `asset_classes` the Objekt sheet gets drop-down lists (verksamhetsområde from `areas`, the models'
    Models.areas) and an Instruktioner sheet is added;
    `published` rows go to the Budgetjämförelse sheet, `assumptions` (term, text) to an Antaganden sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = v.OBJECT_SHEET
    spend_headers = ([f"t.o.m. {outturn_year}"] if outturn_year else []) + [str(y) for y in years]
    spend_keys = ([outturn_year] if outturn_year else []) + list(years)
    keys = [v.normalize(h) for h in OBJECT_HEADERS]
    sourced = any(o.get("kalla") for o in objects)
    terms = [k for k in v.ADMISSION_COLUMNS if any(o.get(k) not in (None, "") for o in objects)]  # a proposal's
    rows = [[o.get(k) for k in keys] + [o.get("utgifter", {}).get(y) for y in spend_keys] + [o.get(k) for k in terms]
            + ([o.get("kalla")] if sourced else []) for o in objects]
    write_table(ws, OBJECT_HEADERS + spend_headers + terms + (["källa"] if sourced else []), rows,
                ["text"] * 9 + ["mnkr", "text"] + ["mnkr"] * len(spend_keys)
                + [TERM_FORMATS[k] for k in terms] + (["text"] if sourced else []))
    region_columns = [c for c in v.REGION_COLUMNS
                      if c not in v.OPTIONAL_REGION_COLUMNS or any(d.get(c) is not None for d in region)]
    for title, headers, data, formats in (
        (v.COMPONENT_SHEET, ["id", "komponent", "andel", "nyttjandeperiod"], components, ["text", "text", "tal", "tal"]),
        (v.COFINANCING_SHEET, ["id", "part", "belopp", "ar"], cofinancing, ["text", "text", "mnkr", "ar"]),
        (v.DEPENDENCY_SHEET, ["id", "beror_pa", "fordrojning_manader"], dependencies, ["text", "text", "tal"]),
        (v.REGION_SHEET, region_columns, region, ["ar"] + ["mnkr"] * (len(region_columns) - 1)),
        (v.EXISTING_SHEET, ["tillgangsklass", "bokfort_varde", "aterstaende_nyttjandeperiod"], existing,
         ["text", "mnkr", "tal"]),
        (v.PUBLISHED_SHEET, list(v.PUBLISHED_COLUMNS), published, ["text", "text", "ar", "text", "mnkr", "text", "text"]),
    ):
        if data:
            if any(d.get("kalla") for d in data) and "kalla" not in headers:
                headers, formats = headers + ["kalla"], formats + ["text"]
            write_table(wb.create_sheet(title), headers, [[d.get(h) for h in headers] for d in data], formats)
    if balance:
        write_table(wb.create_sheet(v.REGION_BALANCE_SHEET), ["post", "belopp", "kalla"],
                    [[k, val, (balance.get("kallor") or {}).get(k, "")] for k, val in balance.items() if k != "kallor"],
                    ["text", "tal", "text"])
    if assumptions:
        write_table(wb.create_sheet(ASSUMPTIONS_SHEET), ["Antagande", "Värde och skäl"], list(assumptions),
                    ["text", "text"], widths=[34, 140])
    if asset_classes:
        _drop_downs(ws, {"D": areas, **LISTS, "H": asset_classes}, max(len(objects) + 1, 1000))
        _instructions(wb.create_sheet(INSTRUCTIONS_SHEET, 0), years, outturn_year, asset_classes, areas)
        wb.active = 1
    with atomic_path(Path(path)) as tmp:
        wb.save(tmp)


INSTRUCTIONS_SHEET = "Instruktioner"
ASSUMPTIONS_SHEET = "Antaganden"
LISTS = {  # template column letter -> the tool's own values (verksamhetsområden and asset classes from models/)
    "E": v.KATEGORIER, "F": v.INVESTERINGSTYPER, "G": v.SKEDEN,
}


def _drop_downs(ws, lists: dict[str, tuple[str, ...]], last_row: int) -> None:
    for letter, values in lists.items():
        if not values or len(",".join(values)) > 255 or any("," in x for x in values):
            continue  # Excel takes at most 255 characters in a list, and a comma splits a name; the sheet
            # Instruktioner still lists the values and `invest validera` checks them
        rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle="Okänt värde",
                              error=f"Välj ett av: {', '.join(values)}")
        rule.add(f"{letter}2:{letter}{last_row}")
        ws.add_data_validation(rule)


def _instructions(ws, years: list[int], outturn_year: int | None, asset_classes: tuple[str, ...],
                  areas: tuple[str, ...]) -> None:
    first = years[0] if years else 2026
    lines = [
        ("Investeringsplan i mallformat", ""),
        ("", ""),
        ("Bladet Objekt", "En rad per investeringsobjekt eller pott. Belopp i mnkr (miljoner kronor), utgift per år."),
        ("id", "Unikt id, t.ex. TN-001. Används av beroenden och bladen Komponenter, Medfinansiering och Beroenden."),
        ("namn", "Objektets benämning."),
        ("organisation", "Nämnd, förvaltning eller bolag."),
        ("verksamhetsområde", ("Välj i listan: " + ", ".join(areas) + ". " if areas else "")
         + "Listan finns i models/import/verksamhetsomraden.yaml; en kommun kan ange sina egna."),
        ("kategori", "beslutad, planerad eller pott (investeringar under 100 mkr)."),
        ("investeringstyp", "ny eller ersättning."),
        ("skede", ", ".join(v.SKEDEN) + "."),
        ("tillgångsklass", "Styr nyttjandeperioderna (models/tillgangsklasser/): " + ", ".join(asset_classes) + "."),
        ("driftsättning", "ÅÅÅÅ (aktiveras 1 juli), ÅÅÅÅ-MM, löpande (varje års utgift aktiveras samma år) eller "
                          "löpande +N (en pott av större projekt: varje års utgift aktiveras N år senare)."),
        ("medfinansiering", "Statens och kommunernas bidrag i mnkr (del av utgiften). Delar och år på bladet Medfinansiering."),
        ("beroenden", "Id för objekt som måste vara klara först, kommaseparerade (t.ex. depån före vagnarna)."),
        (f"t.o.m. {outturn_year}" if outturn_year else "utfall",
         f"Utfall före {first}: nedlagda utgifter för pågående objekt, aktiveras vid driftsättning."),
        (", ".join(str(y) for y in years[:3]) + " …", "Utgift per år i mnkr (utan medfinansiering avdragen)."),
        ("", ""),
        ("Övriga blad (valfria)", ""),
        (v.COMPONENT_SHEET, "id, komponent, andel, nyttjandeperiod — egna komponenter i stället för tillgångsklassens."),
        (v.COFINANCING_SHEET, "id, part, belopp, ar — medfinansiering per part och det år den tas emot."),
        (v.DEPENDENCY_SHEET, "id, beror_pa, fordrojning_manader — beroenden med minsta tid mellan driftsättningarna."),
        (v.REGION_SHEET, "ar, totala_intakter, befintliga_avskrivningar, … — regionens resultaträkning per år."),
        ("", ""),
        ("Kontrollera", "invest validera PLAN.xlsx listar fel och varningar med blad och cell."),
        ("Andra format", "invest importera NAMNDENS_FIL.xlsx -o KATALOG läser nämndernas egna tabeller och skriver en plan i mallformat i katalogen."),
    ]
    for r, (term, text) in enumerate(lines, start=1):
        put(ws, r, 1, term)
        put(ws, r, 2, text)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 110


def plan_to_workbook(plan: Plan, path: Path, asset_classes: tuple[str, ...], areas: tuple[str, ...] = ()) -> None:
    """`plan` written in the template format, with every object's columns, side sheets and region inputs."""
    objects, components, cofinancing, dependencies = [], [], [], []
    for o in plan.objects:
        detailed = len(o.medfinansiering) > 1 or any(c.year is not None or c.part != "ej angiven" for c in o.medfinansiering)
        objects.append({"id": o.id, "namn": o.namn, "organisation": o.organisation,
                        "verksamhetsomrade": o.verksamhetsomrade, "kategori": o.kategori,
                        "investeringstyp": o.investeringstyp, "skede": o.skede, "tillgangsklass": o.tillgangsklass,
                        "driftsattning": str(o.driftsattning), "medfinansiering": o.total_medfinansiering or None,
                        "beroenden": ", ".join(d.pa for d in o.beroenden), "utgifter": dict(o.utgifter)})
        dependencies += [{"id": o.id, "beror_pa": d.pa, "fordrojning_manader": d.fordrojning_manader}
                         for d in o.beroenden if d.fordrojning_manader]
        components += [{"id": o.id, "komponent": c.name, "andel": c.share, "nyttjandeperiod": c.life}
                       for c in o.komponenter or ()]
        if detailed:
            cofinancing += [{"id": o.id, "part": c.part, "belopp": c.amount, "ar": c.year} for c in o.medfinansiering]
    region, balance, existing = [], None, []
    if plan.region is not None:
        r = plan.region
        region = [{"ar": y.year} | {name: getattr(y, name) for name in v.REGION_COLUMNS if name != "ar"} for y in r.years]
        balance = {k: getattr(r, k) for k in v.REGION_BALANCE_KEYS if getattr(r, k) is not None}
        existing = [{"tillgangsklass": e.tillgangsklass, "bokfort_varde": e.bokfort_varde,
                     "aterstaende_nyttjandeperiod": e.aterstaende_nyttjandeperiod} for e in r.befintliga]
    published = [{"post": f.post, "verksamhetsomrade": f.verksamhetsomrade, "ar": f.year, "uppgiftstyp": f.uppgiftstyp,
                  "varde": f.value, "kalla": f.kalla, "roll": v.CALIBRATION_ROLES[f.roll or "provning"]}
                 for f in plan.published]
    write_plan_workbook(path, list(plan.plan_years), plan.outturn_year, objects, components, cofinancing,
                        dependencies, region=region, balance=balance, existing=existing, asset_classes=asset_classes,
                        published=published, areas=areas)
