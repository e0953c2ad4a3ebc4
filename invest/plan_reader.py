"""Reads a plan workbook, in the template format or a nämnd's own layout, into a Plan, or every problem."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from .findings import Finding, InputError, error, errors
from .import_defaults import Defaults
from .importer import import_objects
from .mapping import ColumnMapping
from .parameters import Models
from .plan import Plan
from .cells import read_table
from .sheet_records import find_sheet
from .side_sheets import read_cofinancing, read_components, read_dependencies, read_published, read_region
from . import vocabulary as v
from .validation import check_plan


def read_plan(path: Path, models: Models, mapping: ColumnMapping | None = None) -> Plan:
    """The plan in `path`; raises InputError listing every error (warnings travel on Plan.warnings)."""
    from .workbook import open_workbook

    path = Path(path)
    workbook = open_workbook(path)
    try:
        return _read(workbook, path.name, models, mapping or ColumnMapping())
    finally:
        workbook.close()


def _read(workbook, file: str, models: Models, mapping: ColumnMapping) -> Plan:
    problems: list[Finding] = []
    side = {}
    for sheet_name, reader in ((v.COMPONENT_SHEET, read_components), (v.COFINANCING_SHEET, read_cofinancing),
                               (v.DEPENDENCY_SHEET, read_dependencies)):
        sws = find_sheet(workbook, sheet_name)
        side[sheet_name] = reader(read_table(sws, file, sws.title), problems) if sws is not None else {}
    defaults = Defaults(models, dt.date.today().year)  # import rules as in force today
    imported = import_objects(workbook, file, defaults, mapping, side, problems)
    if errors(problems) and not imported.objects:
        raise InputError(problems)
    region = read_region(workbook, file, problems)
    row_ids = {o.id for o in imported.objects}
    for sheet_name, by_id in side.items():
        for oid, entries in by_id.items():
            if oid not in row_ids and oid:
                problems.append(error(entries[0][1].at("id"), f'id "{oid}" finns inte bland objekten'))
    plan = Plan(file, imported.objects, imported.plan_years, imported.outturn_year, region,
                published=read_published(workbook, file, problems))
    problems.extend(defaults.warnings(file))
    problems.extend(check_plan(plan, models))
    if errors(problems):
        raise InputError(problems)
    return replace(plan, warnings=tuple(problems))
