"""How the importer read a sheet (`invest importera --forklara`): the header band, the unit and where it came
from, what each column was taken for and what decided it, what each row was taken for, and every default used."""

from __future__ import annotations

from dataclasses import dataclass

from invest.base import swedish
from invest.excel.import_defaults import Defaults
from invest.excel.sheet_layout import Layout
from invest.excel.sheet_rows import ROW_KINDS, SheetRows


@dataclass(frozen=True)
class ColumnUse:
    letter: str
    header: str  # the band's texts in the column, top to bottom
    use: str  # "fältet namn", "år 2026", "period 2029–2035", "kontrollsumma 2026–2035", "läses inte", …
    how: str  # what decided it: 'rubriken "Objekt"', "mappningsfilen", …


@dataclass(frozen=True)
class SheetReading:
    sheet: str
    read: bool
    reason: str = ""  # why a sheet was not read
    band: tuple[int, int] | None = None  # first and last row of the header band
    year_row: int | None = None
    unit: str = ""
    unit_source: str = ""
    title_organisation: str = ""
    columns: tuple[ColumnUse, ...] = ()
    rows: tuple[tuple[int, str, str], ...] = ()  # (row, kind in Swedish, label)
    defaults: tuple[tuple[str, str], ...] = ()  # (what was set, the rows)


def skipped(sheet: str, reason: str) -> SheetReading:
    return SheetReading(sheet, False, reason)


def _amount_use(kind, spread: str) -> str:
    if kind.kind == "ar":
        return f"år {kind.first}"
    if kind.kind == "utfall":
        return f"utfall t.o.m. {kind.first} (bokförs på {kind.first})"
    if kind.kind == "period":
        return f"period {kind.first}–{kind.last} (fördelas {SPREAD_TEXT.get(spread, spread)})"
    if kind.first is None:
        return "kontrollsumma för hela raden (läses inte in, jämförs med raden)"
    return f"kontrollsumma {kind.first}–{kind.last} (läses inte in, jämförs med raden)"


SPREAD_TEXT = {"jamn": "jämnt över åren", "forsta_aret": "på första året", "sista_aret": "på sista året"}


def sheet_reading(sheet: str, layout: Layout, rows: SheetRows, defaults: Defaults) -> SheetReading:
    """The reading of a sheet whose table was found and whose objects were built (so every default used on it is
    known)."""
    band = layout.band
    by_index = {c.index: c for c in band.columns}
    amounts = {a.index: a for a in (*layout.amounts, *layout.checks)}
    fields = {index: name for name, (index, _) in layout.fields.items()}
    uses = []
    for index, column in sorted(by_index.items()):
        if index in amounts:
            use = _amount_use(amounts[index].kind, defaults.spread)
        elif index in fields:
            use = f"fältet {fields[index]}"
        elif column.field is not None:
            use = f"läses inte (en andra kolumn för {column.field})"
        elif layout.label and layout.label[0] == index:
            use = "radernas benämning (ingen kolumn heter namn)"
        elif column.ignored:
            use = "läses inte (ignoreras)"
        else:
            use = "läses inte (okänd rubrik)"
        uses.append(ColumnUse(column.letter, column.text, use, column.how))
    unit_source = layout.unit_source or "ingen enhet anges; antas vara mnkr"
    return SheetReading(
        sheet, True, band=(band.first, band.last),
        year_row=layout.year_row, unit=layout.unit, unit_source=unit_source,
        title_organisation=layout.title_organisation[0] if layout.title_organisation else "",
        columns=tuple(uses), rows=tuple((x.row, ROW_KINDS[x.kind], x.label) for x in rows.records),
        defaults=tuple((what, swedish.rows(used)) for (name, what), used in defaults.used.items() if name == sheet))
