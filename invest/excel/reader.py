"""Reads a plan workbook, in the template format or a nämnd's own layout, into a Plan, or every problem."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from invest.base.findings import Finding, InputError, error, errors, warning
from invest.excel.import_defaults import Defaults
from invest.excel.importer import import_objects
from invest.excel.mapping import ColumnMapping
from invest.params.parameters import Models
from invest.plan.records import InvestmentObject, Plan
from invest.excel.cells import read_table
from invest.excel.sheet_records import find_sheet
from invest.excel.side_sheets import read_cofinancing, read_components, read_dependencies, read_published, read_region
from invest.plan import vocabulary as v
from invest.plan.checks import check_plan


def read_plan(path: Path, models: Models, mapping: ColumnMapping | None = None, readings: list | None = None) -> Plan:
    """The plan in `path`; raises InputError listing every error (warnings travel on Plan.warnings). `readings`, when
    given, gets how each sheet was read (a SheetReading each), also when the plan has errors."""
    from invest.excel.workbook import open_workbook

    path = Path(path)
    workbook = open_workbook(path)
    try:
        return _read(workbook, path.name, models, mapping or ColumnMapping(), readings)
    finally:
        workbook.close()


def _objects(workbook, file: str, models: Models, mapping: ColumnMapping, problems: list, readings: list | None):
    """The workbook's objects with their side sheets (Komponenter, Medfinansiering, Beroenden)."""
    side = {}
    for sheet_name, reader in ((v.COMPONENT_SHEET, read_components), (v.COFINANCING_SHEET, read_cofinancing),
                               (v.DEPENDENCY_SHEET, read_dependencies)):
        sws = find_sheet(workbook, sheet_name)
        side[sheet_name] = _readable(lambda: reader(read_table(sws, file, sws.title), problems), problems, {}) \
            if sws is not None else {}
    defaults = Defaults(models, dt.date.today().year)  # import rules as in force today
    imported = import_objects(workbook, file, defaults, mapping, side, problems, readings)
    if errors(problems) and not imported.objects:
        raise InputError(problems)
    row_ids = {o.id for o in imported.objects}
    for sheet_name, by_id in side.items():
        for oid, entries in by_id.items():
            if oid not in row_ids and oid:
                problems.append(error(entries[0][1].at("id"), f'id "{oid}" finns inte bland objekten'))
    problems.extend(defaults.warnings(file))
    return imported


def _readable(read, problems: list, unread):
    """`read()`, or `unread` with the sheet's finding among `problems` when a sheet it reads cannot be read."""
    from invest.excel.workbook import SheetUnreadable

    try:
        return read()
    except SheetUnreadable as exc:
        problems.extend(exc.findings)
        return unread


def _read(workbook, file: str, models: Models, mapping: ColumnMapping, readings: list | None = None) -> Plan:
    problems: list[Finding] = []
    imported = _objects(workbook, file, models, mapping, problems, readings)
    region = _readable(lambda: read_region(workbook, file, problems), problems, None)
    plan = Plan(file, imported.objects, imported.plan_years, imported.outturn_year, region,
                published=_readable(lambda: read_published(workbook, file, problems), problems, ()))
    problems.extend(check_plan(plan, models))
    if errors(problems):
        raise InputError(problems)
    return replace(plan, warnings=tuple(problems))


def read_proposal(paths: list[Path], plan: Plan, models: Models, mapping: ColumnMapping | None = None
                  ) -> tuple[tuple[InvestmentObject, ...], tuple[Finding, ...]]:
    """Proposed objects from one or more workbooks (any layout the importer reads), checked as part of `plan`:
    their ids must be new, their beroenden may name the plan's objects, and their spend must lie in the plan
    period (a proposal has no outturn). Region and comparison sheets in a proposal are not used."""
    from invest.excel.workbook import open_workbook

    problems: list[Finding] = []
    objects: list[InvestmentObject] = []
    for path in map(Path, paths):
        workbook = open_workbook(path)
        try:
            objects += _objects(workbook, path.name, models, mapping or ColumnMapping(), problems, None).objects
            for name in (v.REGION_SHEET, v.EXISTING_SHEET, v.PUBLISHED_SHEET):
                ws = find_sheet(workbook, name)
                if ws is not None:
                    problems.append(warning(f"{path.name}:{ws.title}", f"bladet {ws.title} i ett förslag används inte; "
                                                                       "regionens förutsättningar kommer från planen"))
        finally:
            workbook.close()
    if not objects:
        problems.append(error(", ".join(Path(p).name for p in paths), "förslaget har inga objekt"))
        raise InputError(problems)
    first, last = plan.plan_years[0], plan.plan_years[-1]
    for obj in objects:
        for year, _ in obj.utgifter:
            if year < first:
                problems.append(error(obj.source.at(str(year)), f'"{obj.id}" har en utgift {year}, före planens första år '
                                                                f"{first} (ett förslag har inget utfall; väntat år {first}–{last})"))
            elif year > last:
                problems.append(warning(obj.source.at(str(year)), f'"{obj.id}" har en utgift {year}, efter planperioden '
                                                                  f"{first}–{last}; den påverkar inte kontrollen"))
    combined = replace(plan, objects=plan.objects + tuple(objects), warnings=())
    known = set(plan.warnings)
    problems += [f for f in check_plan(combined, models) if f not in known]
    if errors(problems):
        raise InputError(problems)
    return tuple(objects), tuple(problems)
