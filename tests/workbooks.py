"""Workbooks in the layouts planners receive, built with openpyxl as a nämnd would make them, modelled on
Region Stockholm, Budget 2026, Tabell 52 and 61."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl

NBSP = "\u00a0"

TABELL_52 = [  # Trafiknämndens investeringsutrymme, mnkr: 2026, 2027, 2028, 2029–2035, Totalt 2026–2035
    ["Trafikförvaltningen"],
    ["Beslutade investeringar >100 mkr", 3993.4, 3831.9, 3393.6, 2868.4, 14087.3],
    ["Planerade investeringar >100 mkr", 977.0, 2489.6, 3275.4, 26892.9, 33635.0],
    ["Investeringar <100 mkr", 1827.7, 1749.7, 1685.7, 7362.4, 12625.5],
    [None, 6798.1, 8071.1, 8354.8, 37123.8, 60347.8],
    ["Förvaltning av utbyggd tunnelbana"],
    ["Beslutade investeringar >100 mkr", 7412.0, 7721.2, 6020.2, 18305.2, 39458.6],
    [],
    ["Totalt", 14210.1, 15792.3, 14375.0, 55429.0, 99806.4],
    ["varav nyinvesteringar", 10217.9, 11688.1, 10991.2, 40935.4, 73832.7],
    ["varav ersättningsinvesteringar", 3992.2, 4104.2, 3383.7, 14493.6, 25973.6],
    ["varav medfinansiering", 6273.9, 5734.4, 4644.1, 24109.0, 40761.4],
    [],
    ["En ekonomiskt hållbar kollektivtrafikutveckling förutsätter ett systematiskt arbete med underhåll."],
]
TABELL_61 = [  # Fastighets- och servicenämndens investeringsutrymme, mnkr, numbers as the PDF prints them
    ["Fastighetsförvaltningen"],
    ["Beslutade investeringar >100 mkr", f"1{NBSP}017,4", "869,5", "603,2", "277,5", f"2{NBSP}767,6"],
    ["Planerade investeringar >100 mkr", "760,4", f"1{NBSP}565,7", f"2{NBSP}144,6", f"8{NBSP}170,1", f"12{NBSP}640,7"],
    ["Investeringar <100 mkr", f"1{NBSP}080,0", f"1{NBSP}161,3", f"1{NBSP}261,3", f"8{NBSP}497,5", f"12{NBSP}000,0"],
    [None, f"2{NBSP}857,8", f"3{NBSP}596,4", f"4{NBSP}009,1", f"16{NBSP}945,1", f"27{NBSP}408,3"],
    ["Serviceförvaltningen"],
    ["Beslutade investeringar >100 mkr", "26,5", "26,5", "26,5", "79,5", "159,0"],
    ["Investeringar <100 mkr", "277,2", "237,0", "177,2", f"1{NBSP}314,7", f"2{NBSP}006,1"],
    [None, "303,7", "263,5", "203,7", f"1{NBSP}394,2", f"2{NBSP}165,1"],
    ["Totalt", f"3{NBSP}161,5", f"3{NBSP}859,9", f"4{NBSP}212,8", f"18{NBSP}339,3", f"29{NBSP}573,4"],
    ["varav nyinvesteringar", "608,6", "790,6", "855,2", f"3{NBSP}776,4", f"6{NBSP}030,8"],
    ["varav ersättningsinvesteringar", f"2{NBSP}552,9", f"3{NBSP}069,3", f"3{NBSP}357,6", f"14{NBSP}562,9", f"23{NBSP}542,6"],
]


def utrymme_sheet(ws, title: str, rows: list[list]) -> None:
    """Layout 3: a nämnd's investeringsutrymme in the budget's shape."""
    ws.append([title])
    ws.append([])
    ws.append([None, "Budget", "Plan", "Plan", "Plan", "Totalt"])
    ws.append(["Mnkr", 2026, 2027, 2028, "2029–2035", "2026–2035"])
    for row in rows:
        ws.append(row)


def utrymme_workbook(path: Path, hidden: bool = False) -> Path:
    """Layout 3 and 4: one sheet per nämnd, optionally a hidden working sheet that must be skipped."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Trafiknämnden"
    utrymme_sheet(ws, "Tabell 52. Trafiknämndens investeringsutrymme", TABELL_52)
    utrymme_sheet(wb.create_sheet("Fastighets- och servicenämnd"),
                  "Tabell 61. Fastighets- och servicenämndens investeringsutrymme", TABELL_61)
    if hidden:
        scratch = wb.create_sheet("Arbetsblad")
        utrymme_sheet(scratch, "Gammalt förslag", [["Investeringar <100 mkr", 1, 1, 1, 1, 4]])
        scratch.sheet_state = "hidden"
    wb.save(path)
    return path


OBJECT_LIST_HEADER = ["Objekt-id", "Objekt", "Typ", "Utfall t.o.m. 2025", "2026", "2027", "2028", "2029", "2030",
                      "2031–2035", "Totalt 2026–2035", "Driftsättning"]


def object_list_workbook(path: Path, unit_row: str = "Belopp i tkr", rows: list[list] | None = None,
                         sum_row: list | None = None, varav_row: list | None = None) -> Path:
    """Layout 2: title and unit rows, a two-row header with merged "Plan", outturn, a 2031–2035 range, a total column,
    Swedish text numbers, a sum row, a varav row and a note below."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Fastighetsnämnden"
    ws.append(["Fastighets- och servicenämnden: investeringsobjekt"])
    ws.append([unit_row])
    ws.append([])
    ws.append([None, None, None, None, "Budget", "Plan", None, None, None, "Plan", None])
    ws.merge_cells("F4:I4")
    ws.append(OBJECT_LIST_HEADER)
    for row in rows if rows is not None else OBJECT_LIST_ROWS:
        ws.append(row)
    ws.append(sum_row if sum_row is not None else OBJECT_LIST_SUM)
    ws.append(varav_row if varav_row is not None else OBJECT_LIST_VARAV)
    ws.append([])
    ws.append(["Not: beloppen avser utgifter inklusive projektreserv."])
    wb.save(path)
    return path


OBJECT_LIST_ROWS = [  # tkr
    ["F1", "Norrtälje sjukhus, ombyggnad", "Ny", f"12{NBSP}500", f"1{NBSP}017{NBSP}400", "869 500", "-", "-", "-", "-",
     f"1{NBSP}886{NBSP}900", "2027"],
    ["F2", "Danderyd vårdbyggnad 61", "Ersättning", 0, 200000, 300000, 400000, 100000, "-", 50000, 1050000, "2030-09"],
    ["F3", "Närsjukhus Handen", "Ny", 1000, 5000, 10000, 80000, 120000, 150000, 250000, 615000, None],
]
OBJECT_LIST_SUM = ["Summa", None, None, 13500, 1222400, 1179500, 480000, 220000, 150000, 300000, 3551900]
OBJECT_LIST_VARAV = ["varav nyinvesteringar", None, None, 13500, 1022400, 879500, 80000, 120000, 150000, 250000, 2501900]


def cache_formula_values(path: Path, values: dict[str, float], sheet: str = "xl/worksheets/sheet1.xml") -> None:
    """Add cached results to formula cells, as Excel does when it saves (openpyxl writes formulas without them)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == sheet:
                text = data.decode()
                for ref, value in values.items():
                    text = re.sub(rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\g<1><v>{value}</v>", text)
                data = text.encode()
            dst.writestr(item, data)
    shutil.move(tmp, path)
