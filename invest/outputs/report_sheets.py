"""The report workbook's other sheets: Sammanfattning (key figures as numbers and formulas, the share per year,
conventions in words, sources), Kalibrering, Parametrar and Fynd."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
from xlsxwriter.utility import xl_rowcol_to_cell

from invest.analyses.calibration import COMPARED, LABELS as CALIBRATION_LABELS
from invest.base import swedish
from invest.engine.calculation import Calculation
from invest.outputs.labels import (ASSET_CLASSES, CONVENTION_VALUES, PARAMETER_COLUMNS, VALUE_NAMES, column, unit,
                                   value)
from invest.outputs.report_tables import region_kind
from invest.outputs.xlsx_book import BREACH_FILL, BREACH_FONT, Book, Formula, HEADER_FILL, line_height, lines

class SummaryValue(str):
    """A summary value: its Swedish text (what the text summary prints) and, for the workbook, the value itself with
    its number format (a key of NUMBER_FORMATS), a note beside it and further rows it unfolds into."""

    number: object
    fmt: str
    note: str
    more: tuple

    def __new__(cls, text: str, number, fmt: str, note: str = "", more: tuple = ()):
        figure = super().__new__(cls, text)
        figure.number, figure.fmt, figure.note, figure.more = number, fmt, note, more
        return figure


SKIPPED_SUMMARY = {"Andel per år"}  # shown in the workbook as a table of years, not as a line of text
CALIBRATION_ROLE_TEXT = (
    ("prövning", "En verklig prövning av modellen; bara prövningarna räknas i kalibreringsraden på "
                 "Sammanfattning."),
    ("anpassad", "Planen är anpassad så att modellen ger budgetens siffra; raden visar att anpassningen håller, "
                 "den prövar inte modellen."),
    ("identitet", "Modellen ger budgetens siffra per definition (tillgångarna rullas fram med planens egna "
                  "investeringar och avskrivningar)."),
    ("härledd", "Räknad ur andra rader: andelen = (avskrivningar + räntekostnader) / totala intäkter."),
    ("indata", "Budgetens siffra är indata till modellen."),
)


def calibration_sheet(book: Book, ws, frame: pl.DataFrame) -> None:
    """The model beside the budget's own figures, the deviation and the test as formulas; the roles explained."""
    kinds_by_post = {CALIBRATION_LABELS[p]: kind for p, (_, _, kind) in COMPARED.items()}
    headers = ["Post", "År", "Budgetens uppgift", "Roll", "Budget", "Modell", "Avvikelse (andel: procentenheter)",
               "Tolerans", "Inom tolerans", "Källa"]
    rows = []
    for r, x in enumerate(frame.iter_rows(named=True), start=1):
        budget, model = xl_rowcol_to_cell(r, 4), xl_rowcol_to_cell(r, 5)
        pp = kinds_by_post.get(x["post"]) == "pp"
        deviation = Formula(f"{model}-{budget}" if pp else f"{model}/{budget}-1", x["avvikelse"])
        test = (Formula(f'IF(ABS({xl_rowcol_to_cell(r, 6)})<={xl_rowcol_to_cell(r, 7)},"ja","nej")',
                         x["inom_tolerans"]) if x["tolerans"] is not None else "–")
        rows.append([x["post"], x["ar"], x["uppgiftstyp"], x["roll"], x["budget"], x["modell"], deviation,
                     x["tolerans"], test, x["kalla"]])
    kinds = ["text", "ar", "text", "text", "mnkr", "mnkr", "andel", "andel", "text", "text"]
    end = book.table(ws, 0, 0, headers, rows, kinds, "KalibreringTabell", [30, 7, 10, 11, 11, 11, 15, 10, 9, 60], wrap={0, 9})
    centred = book.fmt(None, align="center", valign="top")
    for r, row in enumerate(rows, start=1):  # ja/nej under its heading
        if isinstance(row[8], Formula):
            book.formula(ws, r, 8, row[8].text, centred, row[8].cached)
        else:
            ws.write_string(r, 8, row[8], centred)
    share = book.fmt("andel", valign="top")
    for r, x in enumerate(frame.iter_rows(named=True), start=1):
        if kinds_by_post.get(x["post"]) == "pp":
            ws.write_number(r, 4, x["budget"], share)
            ws.write_number(r, 5, x["modell"], share)
    ws.write_string(end + 1, 0, "Rollerna", book.fmt(None, bold=True, font_size=12))
    text = book.fmt(None, text_wrap=True, valign="top")
    for r, (role, meaning) in enumerate(CALIBRATION_ROLE_TEXT, start=end + 2):
        ws.write_string(r, 0, role, book.fmt(None, bold=True, valign="top"))
        ws.merge_range(r, 1, r, 9, "", text)
        ws.write_string(r, 1, meaning, text)
        ws.set_row(r, line_height(lines(meaning, 120)))


PARAMETER_KINDS = {"andel": "andel", "mnkr": "mnkr", "ar": "tal", "manad": "tal"}  # unit -> the value's format


def _swedish_text(text: str) -> str:
    """A parameter's value or description as a reader reads it: a whole value in words (value()), and in running
    text the snake_case names of convention values, parameter keys and asset classes, and the words without their
    å, ä, ö, in Swedish; names inside a path (models/region/…) stay as they are."""
    if text in CONVENTION_VALUES or text in ASSET_CLASSES:
        return value(text)

    def named(m: re.Match) -> str:
        word = m.group(0)
        return VALUE_NAMES.get(word) or ASSET_CLASSES.get(word) or word

    text = re.sub(r"(?<![\w/.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/])", named, text)
    text = re.sub(r"(?<![\w/.'])(?:jamn|arganger|ingaende)(?![\w/'])", named, text)
    return re.sub(r"(?:(?<=^)|(?<=[,;.] ))([a-z]+)(?= = )", named, text)  # "kollektivtrafik = (…)", "brutto = …"


def _parameter_name(name: str) -> str:
    folder, _, rest = name.partition("/")
    return f"Tillgångsklass: {ASSET_CLASSES[rest]}" if folder == "tillgangsklasser" and rest in ASSET_CLASSES \
        else name


def parameter_sheet(book: Book, ws, calc: Calculation) -> None:
    """Every value used, with Swedish headings; numbers as numbers; the file is named inside models/, never a path."""
    names = list(PARAMETER_COLUMNS)
    rows, numbers = [], {}
    for r, u in enumerate(calc.models.used(), start=1):
        row = []
        for name in names:
            v = u.get(name) or None
            if v is None:
                pass
            elif name == "parameter":
                v = _parameter_name(v)
            elif name == "enhet":
                v = unit(v)
            elif name in ("beskrivning", "antagande"):
                v = _swedish_text(v)
            elif name == "galler_fran":
                v = dt.date.fromisoformat(v)
            elif name == "varde":
                kind = PARAMETER_KINDS.get(u.get("enhet"))
                try:
                    numbers[r] = (float(v), kind) if kind else None
                except ValueError:
                    pass
                v = _swedish_text(v)
            elif name == "fil":
                v = Path(v).name if Path(v).is_absolute() else Path(v).as_posix()
            row.append(v)
        rows.append(row)
    kinds = ["dag" if n == "galler_fran" else "text" for n in names]
    book.table(ws, 0, 0, [PARAMETER_COLUMNS[n] for n in names], rows, kinds, "ParametrarTabell",
               [28, 40, 11, 11, 28, 44, 30, 28], wrap={0, 1, 4, 5, 6, 7})
    v = names.index("varde")
    for r, number in numbers.items():  # a number as a number, in its unit's format
        if number:
            ws.write_number(r, v, number[0], book.fmt(number[1], valign="top", align="left"))


def findings_sheet(book: Book, ws, calc: Calculation) -> None:
    findings = [[f.level, f.location, f.message] for f in calc.plan.warnings] or [["–", "–", "Inga fynd"]]
    book.table(ws, 0, 0, ["Nivå", "Plats", "Meddelande"], findings, ["text"] * 3, "FyndTabell", [10, 36, 110], wrap={1, 2})


def _source_parts(text: str) -> tuple[str, str, str]:
    """A source as document, table (or section) and row: "Region Stockholm, Budget 2026, Tabell 8, Avskrivningar"."""
    parts, depth, current = [], 0, ""
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0 and text[i + 1:i + 2] == " ":
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    for i, p in enumerate(parts):
        if re.match(r"(tabell|tabeller|avsnitt|bilaga|figur|sid)\b", p, re.IGNORECASE):
            table, _, aside = p.partition(" (")  # "avsnitt 3.2 (pågående …)": the parenthesis says what in it
            return ", ".join(parts[:i]), table, ", ".join([aside.rstrip(")")] * bool(aside) + parts[i + 1:])
    return text, "", ""


def _sources(calc: Calculation) -> list[list]:
    grouped: dict[tuple[str, str, str], tuple[set, set]] = {}
    for f in calc.plan.published:
        if not f.kalla:
            continue
        posts, years = grouped.setdefault(_source_parts(f.kalla), (set(), set()))
        posts.add(column(f.post))
        years.add(f.year)
    return [[doc, table, swedish.years(sorted(years)), ", ".join(sorted(posts)), row]
            for (doc, table, row), (posts, years) in sorted(grouped.items(),
                                                            key=lambda kv: (kv[0][0], _natural(kv[0][1]), kv[0][2]))]


def _natural(text: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


SUMMARY_WIDTHS = [30, 16, 14, 24, 40]  # A label; B value; C–E a note, long text, the year table and the sources


def summary_sheet(book: Book, ws, calc: Calculation, summary, region_rows: dict[str, int]) -> None:
    """Key figures as numbers (the average and the highest share as formulas on the Region sheet), conventions and
    notes in words, the share per year, and the budget's tables the plan was compared with."""
    years = calc.region.table["ar"].to_list()
    plan_cols = [j + 1 for j, y in enumerate(years) if y in calc.plan.plan_years]
    contiguous = plan_cols and plan_cols == list(range(plan_cols[0], plan_cols[-1] + 1))
    aggregates = {"Genomsnittlig andel": "AVERAGE", "Högsta andel": "MAX"}
    for c, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(c, c, width)
    ws.write_string(0, 0, "Kapitalkostnader mot riktvärdet", book.fmt(None, bold=True, font_size=14))
    label = book.fmt(None, bold=True, valign="top")
    text = book.fmt(None, text_wrap=True, valign="top", align="left")
    note = book.fmt(None, italic=True, font_color="#555555", text_wrap=True, valign="top")

    def long_text(r: int, first: int, v: str, fmt) -> None:
        ws.merge_range(r, first, r, len(SUMMARY_WIDTHS) - 1, "", fmt)
        ws.write_string(r, first, v, fmt)
        ws.set_row(r, line_height(lines(v, sum(SUMMARY_WIDTHS[first:]))))

    def figure(r: int, key: str, v: SummaryValue) -> None:
        fmt = book.fmt(v.fmt, align="left", valign="top")
        if key in aggregates and "andel" in region_rows and contiguous:
            row = region_rows["andel"]
            book.formula(ws, r, 1, f"{aggregates[key]}(Region!{xl_rowcol_to_cell(row, plan_cols[0], True, True)}:"
                                   f"{xl_rowcol_to_cell(row, plan_cols[-1], True, True)})", fmt, v.number)
        else:
            book.put(ws, r, 1, v.number, fmt)
        if v.note:
            long_text(r, 2, v.note, note)

    r = 2
    for key, v in summary:
        if key in SKIPPED_SUMMARY:
            continue
        ws.write_string(r, 0, key, label)
        if isinstance(v, SummaryValue):
            figure(r, key, v)
            for extra_key, extra in v.more:
                r += 1
                ws.write_string(r, 0, extra_key, label)
                figure(r, extra_key, extra)
        else:
            long_text(r, 1, str(v), text)
        r += 1
    if calc.region.has_share and "andel" in region_rows:
        r = _share_years(book, ws, r + 1, years, region_rows, calc)
    r += 1
    ws.write_string(r, 0, "Källor", book.fmt(None, bold=True, font_size=12))
    sources = _sources(calc)
    long_text(r + 1, 0, f"Planen: {Path(calc.plan.file).name}. "
              + ("Nedan budgetens tabeller som planens siffror för åren före planen och kalibreringen bygger på "
                 "(planens blad Budgetjämförelse). " if sources else "Planen anger inga av budgetens siffror (bladet "
                                                                    "Budgetjämförelse). ")
              + "Parametrarnas källor står på bladet Parametrar.", note)
    if sources:
        book.table(ws, r + 2, 0, ["Dokument", "Tabell eller avsnitt", "År", "Post", "Rad i källan"], sources,
                   ["text"] * 5, "KallorTabell", SUMMARY_WIDTHS, wrap={0, 1, 2, 3, 4})


def _share_years(book: Book, ws, r: int, years: list[int], region_rows: dict[str, int], calc: Calculation) -> int:
    """The share per year beside the riktvärde and the marginal: references to the Region sheet, one year a row."""
    ws.write_string(r, 0, "Andel per år", book.fmt(None, bold=True, font_size=12))
    table = calc.region.table
    columns = [("År", "ar"), ("Andel av totala intäkter", "andel"), ("Riktvärde", "riktvarde"),
               ("Marginal till riktvärdet, mnkr", "marginal"), ("Under riktvärdet", "klarar_riktvarde")]
    columns = [(h, item) for h, item in columns if item == "ar" or item in region_rows]
    head = r + 1
    for c, (h, item) in enumerate(columns):
        ws.write_string(head, c, h, book.heading("mnkr") if 0 < c and item != "klarar_riktvarde" else book.fmt(
            None, bold=True, bg_color=HEADER_FILL, text_wrap=True, valign="top", bottom=1,
            align="center" if c else "left"))
    ws.set_row(head, line_height(max(lines(h, SUMMARY_WIDTHS[c], bold=True) for c, (h, _) in enumerate(columns))))
    for j, y in enumerate(years):
        row = head + 1 + j
        ws.write_number(row, 0, y, book.fmt("ar", align="left"))
        for c, (_, item) in enumerate(columns[1:], start=1):
            kind = region_kind(item)
            book.formula(ws, row, c, f"Region!{xl_rowcol_to_cell(region_rows[item], j + 1)}",
                         book.fmt(kind, align="center" if item == "klarar_riktvarde" else "right"), table[item][j])
    last = head + len(years)
    if "riktvarde" in region_rows:
        breach = book.fmt(None, bg_color=BREACH_FILL, font_color=BREACH_FONT, bold=True)
        ws.conditional_format(head + 1, 1, last, len(columns) - 1,
                              {"type": "formula", "criteria": f"=$B{head + 2}>=$C{head + 2}", "format": breach})
    return last + 1
