"""Rows of a sheet as field dicts with their Source, columns found by header aliases, cells parsed with a message."""

from __future__ import annotations

from invest.excel.cells import CellError, Table, parse_number, value_at
from invest.base.findings import error
from invest.plan.records import Source
from invest.plan import vocabulary as v


def columns(table: Table, spec: dict, required: tuple[str, ...], problems: list) -> dict[str, tuple[int, str]]:
    found = {name: pos for name, aliases in spec.items() if (pos := table.find(aliases))}
    for name in required:
        if name not in found:
            problems.append(error(table.where(row=table.header_row),
                                  f'kolumnen "{name}" saknas i rubrikraden (hittade: '
                                  f'{", ".join(str(h[2]) for h in table.headers) or "inga rubriker"})'))
    return found


def records(table: Table, cols: dict[str, tuple[int, str]]):
    for number, values in table.rows:
        source = Source(table.file, table.sheet, number, tuple((name, letter) for name, (_, letter) in cols.items()))
        yield {name: value_at(values, index) for name, (index, _) in cols.items()}, source


def number(raw, source: Source, name: str, problems: list, *, minimum: float | None = 0.0) -> float | None:
    try:
        value = parse_number(raw)
    except CellError as exc:
        problems.append(error(source.at(name), f"{name}: {exc}"))
        return None
    if value is not None and minimum is not None and value < minimum:
        problems.append(error(source.at(name), f"{name} är {value:g}, väntat ett belopp ≥ {minimum:g}"))
        return None
    return value


def find_sheet(workbook, name: str):
    for title in workbook.sheetnames:
        if v.normalize(title) == v.normalize(name):
            return workbook[title]
    return None
