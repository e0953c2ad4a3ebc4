"""A corpus of planners' workbooks built from the budget's own figures, not from what the importer happens to read.

Every nämnd's, bolag's and förvaltning's investeringsutrymme in Region Stockholm, Budget 2026 (Tabell 23–71, the
project's copy data/investeringsplan/referens/b2026_investeringsutrymme.csv) is written as a workbook in several
presentations a planner might send: the budget's own print, two-row header bands with the field labels above or
below the years, the table away from A1 among notes, amounts in tkr as Swedish text. `moved_layouts` is a hypothesis
strategy that moves the header band, the unit and the group row of one table.

What a correct import must give back is the table's own arithmetic: per year 2026, 2027, 2028 and for 2029–2035 the
sum of its category rows (`Table.expected`). The budget's printed "Totalt" rows are rounded separately and differ
from their rows by up to 0,1 mnkr (Tabell 52 and 61); `Table.printed_total` keeps them for the reference check.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "investeringsplan" / "referens" / "b2026_investeringsutrymme.csv"

PERIODS = ("2026", "2027", "2028", "2029–2035")  # the budget's amount columns; "2026–2035" is its total column
YEARS = {"2026": (2026,), "2027": (2027,), "2028": (2028,), "2029–2035": tuple(range(2029, 2036))}
TOTAL_PERIOD = "2026–2035"

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"

# The tables' captions as Budget 2026 prints them (not in the CSV): the presentations in the budget's shape use
# these, irregular forms included ("Södersjukhuset investeringsutrymme", "Investeringsutrymme MediCarrier AB").
BUDGET_CAPTIONS = {
    23: "Regionstyrelsens investeringsutrymme",
    27: "Hälso- och sjukvårdsnämndens investeringsutrymme",
    32: "Investeringsutrymme för Stockholms läns sjukvårdsområde",
    34: "Karolinska Universitetssjukhusets investeringsutrymme",
    36: "Akutsjukhusnämndens investeringsutrymme",
    38: "Södersjukhuset investeringsutrymme",
    40: "Investeringsutrymme för Danderyds Sjukhus",
    42: "Investeringsutrymme för Södertälje Sjukhus",
    44: "Investeringsutrymme för S:t Eriks Ögonsjukhus",
    46: "Ambulanssjukvårdsnämnden investeringsutrymme",
    52: "Trafiknämndens investeringsutrymme",
    56: "Kulturnämndens investeringsutrymme",
    61: "Fastighets- och servicenämndens investeringsutrymme",
    66: "Investeringsutrymme för Folktandvården Stockholms län AB",
    69: "Investeringsutrymme MediCarrier AB",
    71: "Investeringsutrymme för Locum AB",
}

# The asset class a planner would write for a verksamhetsområde (Budget 2026 Tabell 9's classes), for the
# presentation that has a Tillgångsklass column.
CLASS_OF_AREA = {"Kollektivtrafik": "kollektivtrafik", "Fastigheter": "fastighet", "Service": "it",
                 "Fastigheter och service": "fastighet", "Hälso- och sjukvård": "medicinteknik",
                 "Övrig verksamhet": "inventarier"}


# The reference -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """One printed row of a table. kind: rubrik (a section heading), komponent (a category row, what is imported),
    delsumma, totalt, varav."""

    kind: str
    label: str
    amounts: tuple[float, ...] = ()  # mnkr per PERIODS
    total: float | None = None  # the row's "Totalt 2026–2035", as printed
    area: str = ""  # verksamhetsområde


@dataclass(frozen=True)
class Table:
    number: int
    name: str  # whose investeringsutrymme: the nämnd, bolag or (Tabell 38–44) förvaltning
    organisation: str  # the nämnd or bolag (for a förvaltning: its nämnd)
    lines: tuple[Line, ...]

    @property
    def components(self) -> list[Line]:
        return [ln for ln in self.lines if ln.kind == "komponent"]

    @property
    def expected(self) -> dict[str, float]:
        """Per period (PERIODS), the sum of the category rows in mnkr: what the import must give."""
        return {p: sum(ln.amounts[k] for ln in self.components) for k, p in enumerate(PERIODS)}

    @property
    def printed_total(self) -> dict[str, float]:
        line = next(ln for ln in self.lines if ln.kind == "totalt")
        return dict(zip(PERIODS, line.amounts)) | {TOTAL_PERIOD: line.total}

    @property
    def area(self) -> str:
        return self.components[0].area if self.components else ""

    @property
    def genitive(self) -> str:
        return genitive(self.name)

    @property
    def slug(self) -> str:
        return f"t{self.number}-{slug(self.name)}"

    @property
    def sheet_name(self) -> str:
        """The table's name as an Excel sheet title (≤ 31 characters, none of : \\ / ? * [ ])."""
        return re.sub(r"[:\\/?*\[\]]", "", self.name)[:31].strip()


def genitive(name: str) -> str:
    if name.endswith("AB"):
        return name + ":s"
    return name if name[-1] in "sxz" else name + "s"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def load_tables(path: Path = REFERENCE) -> list[Table]:
    """The tables of the reference in its order: category rows, section headings where a table has sections
    (Tabell 52 and 61), subtotals, "Totalt" and "varav" rows as the budget prints them."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_table: dict[int, list[dict]] = {}
    for r in rows:
        by_table.setdefault(int(r["tabell"]), []).append(r)
    tables = []
    for number, table_rows in by_table.items():
        ordered: dict[int, list[dict]] = {}
        for r in table_rows:
            ordered.setdefault(int(r["radordning"]), []).append(r)
        first = table_rows[0]
        own = first["niva"].startswith("forvaltning")  # Tabell 38–44: a förvaltning's own table, sektion its name
        lines: list[Line] = []
        heading = ""
        for _, cells in sorted(ordered.items()):
            head = cells[0]
            values = {c["period"]: float(c["belopp_mnkr"]) for c in cells}
            kind = head["radtyp"]
            if kind == "komponent" and not own and head["sektion"] and head["sektion"] != heading:
                heading = head["sektion"]
                lines.append(Line("rubrik", heading))
            if kind == "totalt":
                lines.append(Line("tom", ""))
            lines.append(Line(kind, head["kategori"], tuple(values[p] for p in PERIODS), values[TOTAL_PERIOD],
                              head["verksamhetsomrade"]))
        name = first["sektion"] if own else first["organisation"]
        tables.append(Table(number, name, first["organisation"], tuple(lines)))
    return tables


# Writing cells ----------------------------------------------------------------------------------------------------

def swedish_text(value: float, separator: str = NBSP, decimals: int = 0) -> str:
    """`value` as Swedish print: "1 017 400" (thousands separated by `separator`), "-" for zero."""
    if round(value, decimals) == 0:
        return "-"
    whole, _, frac = f"{abs(value):,.{decimals}f}".partition(".")
    text = whole.replace(",", separator) + (f",{frac}" if frac else "")
    return ("-" if value < 0 else "") + text


class Grid:
    """Writes rows of a table at an offset on a sheet."""

    def __init__(self, ws, top: int = 1, left: int = 1):
        self.ws, self.row, self.left = ws, top, left

    def put(self, values, col: int = 0) -> int:
        """Writes `values` from column `left + col` on the current row; returns that row and moves on."""
        for k, value in enumerate(values):
            if value is not None:
                self.ws.cell(self.row, self.left + col + k, value)
        self.row += 1
        return self.row - 1

    def skip(self, n: int = 1) -> None:
        self.row += n

    def letter(self, col: int) -> str:
        return get_column_letter(self.left + col)

    def merge(self, row1: int, col1: int, row2: int, col2: int) -> None:
        self.ws.merge_cells(f"{self.letter(col1)}{row1}:{self.letter(col2)}{row2}")


def _amount_cells(line: Line, scale: float, as_text: bool, k: int) -> list:
    values = [round(a * scale, 6) for a in line.amounts]
    values.append(round(sum(values), 6) if scale != 1 else line.total)
    if not as_text:
        return values
    separators = (NBSP, NNBSP, THIN, " ")
    return [swedish_text(x, separators[(k + j) % len(separators)]) for j, x in enumerate(values)]


def _label(line: Line, unlabelled_subtotals: bool) -> str | None:
    if line.kind == "delsumma" and unlabelled_subtotals:
        return None  # the budget prints its subtotals without a label
    return line.label


def exact_sums(table: Table) -> list[Line]:
    """The table's lines with every subtotal and "Totalt" the exact sum of its rows: a planner's own sheet in tkr,
    where Excel adds the rows, has none of the print's rounding to 0,1 mnkr (which is 100 tkr)."""
    out, section, every = [], [], []
    for line in table.lines:
        if line.kind == "rubrik":
            section = []
        elif line.kind == "komponent":
            section.append(line)
            every.append(line)
        elif line.kind in ("delsumma", "totalt"):
            rows = section if line.kind == "delsumma" else every
            amounts = tuple(round(sum(r.amounts[k] for r in rows), 6) for k in range(len(PERIODS)))
            line = Line(line.kind, line.label, amounts, round(sum(amounts), 6), line.area)
        out.append(line)
    return out


def _body(grid: Grid, table: Table, *, fields: list[str], scale: float = 1.0, as_text: bool = False,
          unlabelled_subtotals: bool = False, notes: dict[int, str] | None = None, note_col: int = 0) -> None:
    """The table's rows under a header whose columns are `fields` (label first) then the amount columns; `notes`
    {n: text} puts a note in column `note_col` beside the n-th row with amounts.
    Field values: "nämnd" the organisation, "driftsättning" löpande on rows under 100 mkr (empty elsewhere, as many
    planners leave it), "tillgångsklass" the class of the row's verksamhetsområde. In mnkr (scale 1) the figures are
    the budget's print; in another unit the sums and row totals are exact (exact_sums)."""
    written = 0
    for k, line in enumerate(table.lines if scale == 1 else exact_sums(table)):
        if line.kind == "tom":
            grid.skip()
            continue
        if line.kind == "rubrik":
            grid.put([line.label])
            continue
        written += 1
        row = [_label(line, unlabelled_subtotals)]
        for f in fields[1:]:
            if line.kind != "komponent":
                row.append(None)
            elif f == "nämnd":
                row.append(table.organisation)
            elif f == "driftsättning":
                row.append("löpande" if "<100" in line.label else None)
            elif f == "tillgångsklass":
                row.append(CLASS_OF_AREA[line.area])
        at = grid.put(row + _amount_cells(line, scale, as_text, k))
        if notes and written in notes:
            grid.ws.cell(at, note_col, notes[written])


def _title(table: Table, form: int) -> str:
    """0: the budget's caption "Tabell N. …", 1: "Investeringsutrymme för X", 2: "Xs investeringsutrymme 2026–2035"."""
    return (f"Tabell {table.number}. {BUDGET_CAPTIONS.get(table.number, table.genitive + ' investeringsutrymme')}",
            f"Investeringsutrymme för {table.name}",
            f"{table.genitive} investeringsutrymme 2026–2035")[form]


# The presentations -------------------------------------------------------------------------------------------------

def budget(wb, table: Table, sheet_named: bool) -> None:
    """The budget's own print: its caption "Tabell N. Xs investeringsutrymme", a blank row, the group row
    Budget/Plan/Plan/Plan/Totalt over the header "Mnkr 2026 2027 2028 2029–2035 2026–2035", the rows, subtotals without
    a label. `sheet_named`: the sheet is named after the table's nämnd/bolag, else Blad1 (the nämnd is only in the
    caption)."""
    ws = wb.active
    ws.title = table.sheet_name if sheet_named else "Blad1"
    grid = Grid(ws)
    grid.put([_title(table, 0)])
    grid.skip()
    grid.put([None, "Budget", "Plan", "Plan", "Plan", "Totalt"])
    grid.put(["Mnkr", 2026, 2027, 2028, "2029–2035", TOTAL_PERIOD])
    _body(grid, table, fields=["label"], unlabelled_subtotals=True)


def _untitled(wb, unit: str) -> "Grid":
    """Sheet Blad1 whose title names no nämnd (only the Nämnd column does), a unit row and a blank row."""
    grid = Grid(wb.active)
    wb.active.title = "Blad1"
    grid.put(["Investeringsutrymme 2026–2035"])
    grid.put([unit])
    grid.skip()
    return grid


def labels_above_years(wb, table: Table, merged: bool) -> None:
    """A two-row header: the upper row has the field labels Objekt, Nämnd, Driftsättning (merged down over both rows,
    or only in the upper row) and the group labels Budget (over 2026), Plan (merged over 2027–2029–2035) and Totalt;
    the lower row has the years. The nämnd is only in the Nämnd column (the title names none, the sheet is Blad1)."""
    grid = _untitled(wb, "Mnkr")
    upper = grid.put(["Objekt", "Nämnd", "Driftsättning", "Budget", "Plan", None, None, "Totalt"])
    lower = grid.put([None, None, None, 2026, 2027, 2028, "2029–2035", TOTAL_PERIOD])
    grid.merge(upper, 4, upper, 6)
    if merged:
        for col in range(3):
            grid.merge(upper, col, lower, col)
    _body(grid, table, fields=["label", "nämnd", "driftsättning"])


def years_above_labels(wb, table: Table) -> None:
    """The opposite band: the group row (Budget, Plan merged over 2027–2029–2035, Totalt) and the years row above,
    the field labels Objekt, Nämnd, Driftsättning, Tillgångsklass in the row below them. The nämnd is only in the
    Nämnd column."""
    grid = _untitled(wb, "Belopp i mnkr")
    groups = grid.put([None, None, None, None, "Budget", "Plan", None, None, "Totalt"])
    grid.merge(groups, 5, groups, 7)
    grid.put([None, None, None, None, 2026, 2027, 2028, "2029–2035", TOTAL_PERIOD])
    grid.put(["Objekt", "Nämnd", "Driftsättning", "Tillgångsklass"])
    _body(grid, table, fields=["label", "nämnd", "driftsättning", "tillgångsklass"])


def away_from_a1(wb, table: Table) -> None:
    """The table at C5 (group row C5, header C6), a title and a source line above it, notes in column J beside it
    and a note line under it. The sheet is named after the nämnd; subtotals as the budget prints them."""
    ws = wb.active
    ws.title = table.sheet_name
    ws["C2"] = _title(table, 1)
    ws["C3"] = "Belopp i miljoner kronor"
    ws["J2"] = "Uppdaterad 12 juni 2025"
    grid = Grid(ws, top=5, left=3)
    grid.put([None, "Budget", "Plan", "Plan", "Plan", None])
    grid.put(["Investeringar", 2026, 2027, 2028, "2029–2035", f"Totalt {TOTAL_PERIOD}"])
    notes = {1: "Inkl. projektreserv", 2: f"Se Budget 2026, tabell {table.number}"}  # beside the first two rows
    _body(grid, table, fields=["label"], unlabelled_subtotals=True, notes=notes, note_col=10)
    grid.skip()
    grid.put(["Not: beloppen avser utgifter; åren 2029–2035 redovisas som en summa."])


def tkr_as_text(wb, table: Table) -> None:
    """Amounts × 1000 as Swedish text ("1 017 400", with no-break, narrow no-break, thin or plain spaces, "-" for
    zero), the unit only in the title row; one header row "Budget 2026", "Plan 2027", …, "Totalt 2026–2035"."""
    ws = wb.active
    ws.title = "Blad1"
    grid = Grid(ws)
    grid.put([f"{_title(table, 2)}, tkr"])
    grid.skip()
    grid.put(["Objekt", "Nämnd", "Budget 2026", "Plan 2027", "Plan 2028", "Plan 2029–2035", f"Totalt {TOTAL_PERIOD}"])
    _body(grid, table, fields=["label", "nämnd"], scale=1000, as_text=True)
    grid.skip()
    grid.put(["Uppgifterna är hämtade ur Region Stockholms budget 2026."])


PRESENTATIONS = {
    # name: (writer, where the nämnd is named)
    "budget": (lambda wb, t: budget(wb, t, sheet_named=False), "titel"),
    "budget_bladnamn": (lambda wb, t: budget(wb, t, sheet_named=True), "titel, bladnamn"),
    "etiketter_over_ar_sammanfogade": (lambda wb, t: labels_above_years(wb, t, merged=True), "kolumn"),
    "etiketter_over_ar": (lambda wb, t: labels_above_years(wb, t, merged=False), "kolumn"),
    "ar_over_etiketter": (years_above_labels, "kolumn"),
    "forskjuten_c5": (away_from_a1, "titel, bladnamn"),
    "tkr_text": (tkr_as_text, "titel, kolumn"),
}


def write_workbook(directory: Path, table: Table, presentation: str) -> Path:
    path = Path(directory) / f"{table.slug}-{presentation}.xlsx"
    wb = openpyxl.Workbook()
    PRESENTATIONS[presentation][0](wb, table)
    wb.save(path)
    return path


# Moving the header band ----------------------------------------------------------------------------------------------

UNIT_PLACES = ("titel", "rubriksuffix", "enhetsrad")


@dataclass(frozen=True)
class MovedLayout:
    """One table with its header band at (start_row, start_col): an optional group row (Budget over 2026, Plan merged
    over the rest), then the header Objekt, Nämnd, 2026, 2027, 2028, 2029–2035, Totalt 2026–2035. The unit is in the
    title row, a suffix "(tkr)" on every amount header, or a unit row of its own above the band. The nämnd is in
    its column and names the sheet, so that only the band, the unit and the group row move."""

    table: Table
    start_row: int  # 1-based, the band's first row
    start_col: int  # 1 = A
    unit: str  # tkr, mnkr or mdkr
    unit_place: str
    group_row: bool
    title: bool

    def __repr__(self) -> str:
        return (f"MovedLayout(tabell {self.table.number} {self.table.name}, band {get_column_letter(self.start_col)}"
                f"{self.start_row}, {self.unit} i {self.unit_place}, "
                f"{'grupprad' if self.group_row else 'ingen grupprad'}{', titel' if self.title else ''})")

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis prints a falsifying example with this
        printer.text(repr(self))


@st.composite
def moved_layouts(draw, tables: list[Table]) -> MovedLayout:
    table = draw(st.sampled_from(tables))
    start_row = draw(st.integers(1, 6))
    start_col = draw(st.integers(1, 4))
    unit = draw(st.sampled_from(("tkr", "mnkr", "mdkr")))
    # a title or unit row needs a row above the band; a unit row and a title need two
    places = [p for p in UNIT_PLACES if start_row >= 2 or p == "rubriksuffix"]
    unit_place = draw(st.sampled_from(places))
    title = unit_place == "titel" or (start_row >= (3 if unit_place == "enhetsrad" else 2) and draw(st.booleans()))
    return MovedLayout(table, start_row, start_col, unit, unit_place, draw(st.booleans()), title)


def write_moved(directory: Path, layout: MovedLayout, name: str) -> Path:
    table, unit = layout.table, layout.unit
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = table.sheet_name
    left = layout.start_col
    if layout.title:
        in_title = f" ({unit})" if layout.unit_place == "titel" else ""
        ws.cell(1, left, f"{table.genitive} investeringsutrymme{in_title}")
    if layout.unit_place == "enhetsrad":
        ws.cell(layout.start_row - 1, left, f"Belopp i {unit}")
    grid = Grid(ws, layout.start_row, left)
    if layout.group_row:
        groups = grid.put([None, None, "Budget", "Plan", None, None])
        grid.merge(groups, 3, groups, 5)
    suffix = f" ({unit})" if layout.unit_place == "rubriksuffix" else ""
    years = [2026, 2027, 2028, "2029–2035"]
    grid.put(["Objekt", "Nämnd"] + [f"{y}{suffix}" if suffix else y for y in years]
             + [f"Totalt {TOTAL_PERIOD}{suffix}"])
    _body(grid, table, fields=["label", "nämnd"], scale={"tkr": 1000, "mnkr": 1, "mdkr": 0.001}[unit])
    path = Path(directory) / f"{name}.xlsx"
    wb.save(path)
    return path
