"""Where a sheet's investment table is: its header band (invest.excel.header_band), which column holds which
template field, the amount columns, the check columns ("Totalt 2026–2035"), the unit the amounts are in and
the organisation the title names."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from invest.base.findings import error, warning
from invest.excel.header_band import Band, filled, find_band
from invest.excel.cells import cell_text
from invest.base.values import FIRST_YEAR, LAST_YEAR
from invest.excel.headers import AmountKind, year_outside
from invest.excel.mapping import ColumnMapping
from invest.excel.sheet_scan import SheetScan
from invest.excel.sheet_title import organisation_in_title
from invest.excel.units import TO_MNKR, units_in
from invest.plan import vocabulary as v

HEADER_SEARCH_ROWS = 50


@dataclass(frozen=True)
class AmountColumn:
    index: int
    letter: str
    header: str
    kind: AmountKind

    @property
    def years(self) -> range:
        return range(self.kind.first, self.kind.last + 1)


@dataclass(frozen=True)
class Layout:
    fields: dict[str, tuple[int, str]]  # template column -> (0-based index, letter)
    label: tuple[int, str] | None  # the column with the row's wording when there is no namn column
    amounts: tuple[AmountColumn, ...]  # imported: ar, utfall, period
    checks: tuple[AmountColumn, ...]  # totals to compare, not imported
    unit: str
    unit_given: bool
    band: Band
    unit_source: str = ""  # where the unit was read ("rad 2: \"Belopp i tkr\"", "mappningsfilen")
    title_organisation: tuple[str, int] | None = None  # (organisation, row) named in a title above the band

    @property
    def factor(self) -> float:
        return TO_MNKR[self.unit]

    @property
    def header_row(self) -> int:
        """The band's last row (1-based); data starts below it."""
        return self.band.last

    @property
    def year_row(self) -> int:
        return self.band.year_row


def find_layout(rows: list[tuple], scan: SheetScan, where: str, mapping: ColumnMapping, problems: list,
                search_rows: int = HEADER_SEARCH_ROWS) -> Layout | None:
    """The table on a sheet, or None when none of the first `search_rows` rows names years (no investment table)."""
    band = find_band(rows, scan, mapping, search_rows)
    if band is None:
        return None
    at = lambda column: f"{where}!{column.letter}{column.row}"  # noqa: E731

    fields: dict[str, tuple[int, str]] = {}
    amounts, checks, unnamed = [], [], []
    for column in band.columns:
        if column.amount is not None:
            target = checks if column.amount.kind == "kontroll" else amounts
            target.append(AmountColumn(column.index, column.letter, column.text.split(" / ")[-1] if
                                       column.amount.kind != "kontroll" else column.text, column.amount))
        elif column.field is not None:
            if column.field in fields:
                problems.append(warning(at(column), f'kolumnen "{column.text}" är en andra kolumn för {column.field}; '
                                                    f"{fields[column.field][1]} används"))
                continue
            fields[column.field] = (column.index, column.letter)
        elif not column.ignored:
            if outside := _year_outside(rows, scan, band, column.index):
                row, year = outside
                problems.append(error(f"{where}!{column.letter}{row}",
                                      f'rubriken "{column.text}" är året {year}, utanför de år verktyget räknar med '
                                      f"({FIRST_YEAR}–{LAST_YEAR}); rätta året eller ta bort kolumnen"))
                continue
            unnamed.append(column)

    header_at = lambda letter: f"{where}!{letter}{band.last}"  # noqa: E731
    amounts, checks = _resolve_overlaps(amounts, checks, header_at, problems)
    for year, count in Counter(y for a in amounts for y in a.years if a.kind.kind != "utfall").items():
        if count > 1:
            problems.append(error(f"{where}!rad {band.year_row}", f"året {year} finns i flera kolumner "
                                                                    f"({', '.join(a.header for a in amounts if year in a.years)})"))
    outturn = [a for a in amounts if a.kind.kind == "utfall"]
    if len(outturn) > 1:
        problems.append(error(header_at(outturn[1].letter), "flera kolumner med utfall före planperioden (t.o.m. ÅÅÅÅ)"))
    planned = [a for a in amounts if a.kind.kind != "utfall"]
    if outturn and planned and outturn[0].kind.first >= min(a.kind.first for a in planned):
        problems.append(error(header_at(outturn[0].letter), f"utfall t.o.m. {outturn[0].kind.first} överlappar planens "
                                                            f"första år {min(a.kind.first for a in planned)}"))

    first_amount = min((a.index for a in amounts), default=0)
    label = None
    data = rows[band.last:]
    if "namn" not in fields and "kategori" in fields and _names_rows(data, fields["kategori"][0]):
        label = fields.pop("kategori")  # the budget's "Kategori" column holds the rows' wording
    if "namn" not in fields and label is None:
        for column in unnamed:
            if column.index < first_amount and any(cell_text(r[column.index]) for r in data if column.index < len(r)):
                label = (column.index, column.letter)
                break
    for column in unnamed:
        if column.text and (label is None or column.index != label[0]):
            problems.append(warning(at(column), f'kolumnen "{column.text}" känns inte igen och läses inte '
                                                f"(ange den i en mappningsfil med --mapping om den behövs)"))
    unit, given, source = _unit(rows, scan, band, where, mapping, problems)
    return Layout(fields, label, tuple(amounts), tuple(checks), unit, given, band, source,
                  _title_organisation(rows, band))


def _year_outside(rows: list[tuple], scan: SheetScan, band: Band, index: int) -> tuple[int, int] | None:
    """(row, year) of the band cell in column `index` naming a year outside FIRST_YEAR–LAST_YEAR, or None."""
    for r in range(band.first, band.last + 1):
        values = filled(rows, scan, r)
        if index < len(values) and (year := year_outside(values[index])) is not None:
            return r, year
    return None


def _names_rows(data: list[tuple], index: int) -> bool:
    """A "Kategori" column whose texts are not categories (beslutad, planerad, pott) but the rows' wording."""
    texts = [cell_text(r[index]) for r in data if index < len(r) and cell_text(r[index])]
    return bool(texts) and any(v.canonical(t, v.KATEGORIER) is None for t in texts)


def _title_organisation(rows: list[tuple], band: Band) -> tuple[str, int] | None:
    """The first organisation named in a text above the band (a title row)."""
    for r in range(1, band.first):
        for x in rows[r - 1]:
            if isinstance(x, str) and (name := organisation_in_title(x)):
                return name, r
    return None


def _resolve_overlaps(amounts: list, checks: list, at, problems: list):
    """A period column whose years all have their own columns is a total to check, not more spend."""
    single = {a.kind.first for a in amounts if a.kind.kind == "ar"}
    kept = []
    for a in amounts:
        if a.kind.kind != "period":
            kept.append(a)
            continue
        covered = [y for y in a.years if y in single]
        if len(covered) == len(a.years):
            checks.append(AmountColumn(a.index, a.letter, a.header, AmountKind("kontroll", a.kind.first, a.kind.last)))
        elif covered:
            problems.append(error(at(a.letter), f'periodkolumnen "{a.header}" överlappar årskolumnerna '
                                                f"{', '.join(map(str, covered))} (väntat antingen en kolumn per år "
                                                "eller en kolumn för hela perioden)"))
        else:
            kept.append(a)
    return kept, checks


def _unit(rows, scan: SheetScan, band: Band, where: str, mapping: ColumnMapping,
          problems: list) -> tuple[str, bool, str]:
    """The amounts' unit: from --mapping, or the one unit named in the title rows and the band."""
    if mapping.unit:
        return mapping.unit, True, "mappningsfilen"
    found: dict[str, str] = {}
    places = [(r, x) for r in range(1, band.first) for x in rows[r - 1]] + \
             [(r, x) for r in range(band.first, band.last + 1) for x in filled(rows, scan, r)]
    for r, x in places:
        for unit in units_in(x) if isinstance(x, str) else ():
            found.setdefault(unit, f'"{cell_text(x)}" (rad {r})')
    if len(found) > 1:
        problems.append(error(f"{where}!rad {band.last}",
                              "flera enheter anges för beloppen: " + ", ".join(f"{u} i {p}" for u, p in found.items())
                              + " (väntat en enhet för hela tabellen, eller ange enhet i --mapping)"))
    if found:
        unit = next(iter(found))
        return unit, True, found[unit]
    return "mnkr", False, ""
