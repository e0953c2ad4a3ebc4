"""The scenario file of `invest scenario`: YAML (`scenarier:`, a list of named scenarios, each with the keys of
KEYS) or a workbook with a sheet `Scenarier` in the same shape (one row per change: namn, nyckel, tillgangsklass,
objekt, kategori, fil, varde, fran_ar). Both are read into one tree of values that know where they stand, and
that tree into named changes; every problem is a finding at its line or cell."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from invest.analyses.changes import SELECTORS, Change, Overrun
from invest.base import values as parse
from invest.base.findings import InputError, error
from invest.base.yaml_nodes import read_mapping
from invest.excel.cells import parse_text, read_table
from invest.excel.sheet_records import columns, find_sheet, records
from invest.excel.workbook import open_workbook
from invest.params.parameters import Models
from invest.plan.records import Plan

KEYS = ("namn", "marknadsranta", "intaktstillvaxt", "skatteunderlag", "fordyring", "forseningar", "nyttjandeperiod",
        "forslag")
LIST_KEYS = ("fordyring", "forseningar", "nyttjandeperiod", "forslag")
SHEET = "Scenarier"
SHEET_COLUMNS = {name: (name,) for name in ("namn", "nyckel", *SELECTORS, "fil", "varde", "fran_ar")}
VALUE_FIELD = {"marknadsranta": "tillagg", "skatteunderlag": "tillagg", "fordyring": "faktor", "forseningar": "ar",
               "nyttjandeperiod": "ar"}  # what the sheet's `varde` is for each key
MAX_SCENARIOS = 200
FACTOR_MAX = 10.0  # an overrun factor above ten times the spend is a typo (20 for 1,20)
DELAY_MAX = 50  # whole years, as `invest forsening --ar`


@dataclass(frozen=True)
class At:
    """A value of the scenario file and where it stands (`FIL.yaml:rad`, `FIL.xlsx:Scenarier!C4`): a scalar, a
    dict of At or a list of At."""

    value: Any
    where: str


@dataclass(frozen=True)
class ScenarioSpec:
    change: Change  # without proposals: the pipeline reads `proposal_files` and adds them
    proposal_files: tuple[tuple[Path, str], ...] = ()  # the file and where the file names it


def read_scenarios(path: Path, plan: Plan, models: Models) -> list[ScenarioSpec]:
    """The scenarios of `path` (YAML, or a workbook with a sheet Scenarier), checked against the plan and models."""
    path = Path(path)
    tree = _sheet_tree(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _yaml_tree(path)
    problems: list = []
    specs = _specs(tree, path, plan, models, problems)
    if problems:
        raise InputError(problems)
    return specs


# --- YAML and workbook into one tree ---

def _yaml_tree(path: Path) -> At:
    root = read_mapping(path, "scenariofilen", "scenarier")
    return _located(path, root)


def _located(path: Path, node: yaml.Node) -> At:
    where = f"{path}:{node.start_mark.line + 1}"
    if isinstance(node, yaml.MappingNode):
        return At({k.value: _located(path, v) for k, v in node.value}, where)
    if isinstance(node, yaml.SequenceNode):
        return At([_located(path, item) for item in node.value], where)
    return At(yaml.constructor.SafeConstructor().construct_object(node), where)


def _sheet_tree(path: Path) -> At:
    """The sheet Scenarier as the YAML tree: rows with the same namn form one scenario, in order."""
    workbook = open_workbook(path)
    sheet = find_sheet(workbook, SHEET)
    if sheet is None:
        raise InputError([error(str(path), f'bladet "{SHEET}" saknas (väntat en rad per ändring: '
                                           f'{", ".join(SHEET_COLUMNS)})')])
    table = read_table(sheet, str(path), sheet.title)
    problems: list = []
    cols = columns(table, SHEET_COLUMNS, ("namn", "nyckel"), problems)
    if problems:
        raise InputError(problems)
    scenarios: dict[str, dict] = {}
    for raw, src in records(table, cols):
        name = parse_text(raw["namn"])
        cell = {k: At(raw.get(k), src.at(k)) for k in cols}
        scenario = scenarios.setdefault(name, {"namn": At(name, src.at("namn"))})
        key = parse_text(raw["nyckel"]).lower().replace("ä", "a").replace("ö", "o").replace("å", "a")
        key = "forseningar" if key == "forsening" else key
        if key not in KEYS or key == "namn":
            problems.append(error(src.at("nyckel"), f'okänd nyckel "{raw["nyckel"]}" (väntat en av '
                                                    f'{", ".join(KEYS[1:])})'))
            continue
        if key == "intaktstillvaxt":
            scenario[key] = cell["varde"] if "varde" in cell else At(None, src.at("nyckel"))
        elif key == "forslag":
            scenario.setdefault(key, At([], src.at("nyckel"))).value.append(cell.get("fil", At(None, src.at("nyckel"))))
        else:
            fields = {VALUE_FIELD[key]: cell.get("varde", At(None, src.at("nyckel")))}
            fields.update({k: cell[k] for k in (*SELECTORS, "fran_ar") if k in cell and cell[k].value is not None})
            item = At(fields, src.at("nyckel"))
            if key in LIST_KEYS:
                scenario.setdefault(key, At([], src.at("nyckel"))).value.append(item)
            elif key in scenario:
                problems.append(error(src.at("nyckel"), f'scenariot "{name}" har redan nyckeln {key} '
                                                        f'({scenario[key].where})'))
            else:
                scenario[key] = item
    if problems:
        raise InputError(problems)
    return At({"scenarier": At([At(s, s["namn"].where) for s in scenarios.values()], str(path))}, str(path))


# --- the tree into changes ---

def _specs(tree: At, path: Path, plan: Plan, models: Models, problems: list) -> list[ScenarioSpec]:
    top = tree.value
    if set(top) != {"scenarier"}:
        problems.append(error(tree.where, f'väntat nyckeln scenarier överst (hittade: {", ".join(top) or "ingen"})'))
        return []
    items = top["scenarier"]
    if not isinstance(items.value, list) or not items.value:
        problems.append(error(items.where, "scenarier ska vara en lista med minst ett scenario"))
        return []
    if len(items.value) > MAX_SCENARIOS:
        problems.append(error(items.where, f"{len(items.value)} scenarier; högst {MAX_SCENARIOS} i en fil"))
        return []
    specs, seen = [], {}
    for item in items.value:
        spec = _spec(item, path, plan, models, problems)
        if spec is None:
            continue
        name = spec.change.name
        if name in seen:
            problems.append(error(item.where, f'scenariot "{name}" finns redan ({seen[name]})'))
        seen[name] = item.where
        specs.append(spec)
    return specs


def _spec(item: At, path: Path, plan: Plan, models: Models, problems: list) -> ScenarioSpec | None:
    if not isinstance(item.value, dict):
        problems.append(error(item.where, "ett scenario ska vara en tabell med namn och ändringar"))
        return None
    fields = item.value
    for key in fields:
        if key not in KEYS:
            problems.append(error(fields[key].where, f'okänd nyckel "{key}" (tillåtna: {", ".join(KEYS)})'))
    name_at = fields.get("namn")
    name = str(name_at.value).strip() if name_at is not None and name_at.value is not None else ""
    if not name:
        problems.append(error(item.where, "scenariot saknar namn"))
        return None
    n = len(problems)
    rate = _shift(fields.get("marknadsranta"), parse.rate, problems)
    growth = _number(fields.get("intaktstillvaxt"), parse.rate, problems)
    tax = _shift(fields.get("skatteunderlag"), parse.signed_share, problems)
    overruns = tuple(o for o in (_overrun(a, plan, models, problems) for a in _items(fields.get("fordyring"), problems))
                     if o)
    delays = tuple(d for d in (_delay(a, plan, problems) for a in _items(fields.get("forseningar"), problems)) if d)
    lives = tuple(x for x in (_life(a, models, problems) for a in _items(fields.get("nyttjandeperiod"), problems)) if x)
    files = tuple(f for f in (_file(a, path, problems) for a in _items(fields.get("forslag"), problems)) if f)
    if len(problems) > n:
        return None
    return ScenarioSpec(Change(name, rate, growth, tax, overruns, delays, lives, where=item.where), files)


def _items(at: At | None, problems: list) -> list[At]:
    if at is None:
        return []
    if not isinstance(at.value, list):
        problems.append(error(at.where, "väntat en lista (- ...)"))
        return []
    return at.value


def _fields(at: At, allowed: tuple[str, ...], problems: list, required: tuple[str, ...] = (),
            hint: str = "") -> dict[str, At] | None:
    """The table `at` with only `allowed` keys and every `required` one (else `hint` at the table), or None."""
    if not isinstance(at.value, dict):
        problems.append(error(at.where, f'väntat en tabell med {", ".join(allowed)}'))
        return None
    unknown = [k for k in at.value if k not in allowed]
    for k in unknown:
        problems.append(error(at.value[k].where, f'okänd nyckel "{k}" (tillåtna: {", ".join(allowed)})'))
    if unknown:
        return None
    if any(k not in at.value for k in required):
        problems.append(error(at.where, hint))
        return None
    return at.value


def _name(at: At, known, what: str, place: str, problems: list) -> str | None:
    """The text of `at` when it is one of `known`, else None with an error naming a few that are."""
    value = str(at.value).strip()
    if value in known:
        return value
    shown = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
    problems.append(error(at.where, f'{what} "{value}" finns inte {place} (väntat en av {shown})'))
    return None


def _number(at: At | None, kind, problems: list, what: str = ""):
    """`kind` (a parser of invest.base.values) of the value, or None with an error at it (None when `at` is)."""
    if at is None:
        return None
    try:
        value = kind(at.value)
    except parse.BadValue as exc:
        problems.append(error(at.where, f"{what}{': ' if what else ''}{exc}"))
        return None
    if value is None:
        problems.append(error(at.where, f"{what or 'värdet'} saknas"))
    return value


def _shift(at: At | None, kind, problems: list) -> tuple[float, int | None] | None:
    """`{tillagg, fran_ar}`: an addition to a rate or growth from a year (default the plan's first year)."""
    if at is None:
        return None
    fields = _fields(at, ("tillagg", "fran_ar"), problems, ("tillagg",),
                     "tillagg saknas (t.ex. tillagg: 0.01 för en procentenhet)")
    if fields is None:
        return None
    tillagg = _number(fields["tillagg"], kind, problems, "tillagg")
    year = _number(fields.get("fran_ar"), parse.year, problems, "fran_ar")
    return None if tillagg is None else (tillagg, year)


def _overrun(at: At, plan: Plan, models: Models, problems: list) -> Overrun | None:
    fields = _fields(at, (*SELECTORS, "faktor", "fran_ar"), problems, ("faktor",),
                     "fordyring anger faktor och en av tillgangsklass, objekt eller kategori")
    if fields is None:
        return None
    chosen = [k for k in SELECTORS if k in fields]
    if len(chosen) != 1:
        problems.append(error(at.where, "fordyring anger faktor och en av tillgangsklass, objekt eller kategori"))
        return None
    field = chosen[0]
    known = {"tillgangsklass": set(models.asset_classes), "objekt": {o.id for o in plan.objects},
             "kategori": {o.kategori for o in plan.objects if o.kategori}}[field]
    value = _name(fields[field], known, field, "i models/" if field == "tillgangsklass" else "i planen", problems)
    if value is None:
        return None
    factor = _number(fields["faktor"], parse.number, problems, "faktor")
    if factor is not None and not 0 <= factor <= FACTOR_MAX:
        problems.append(error(fields["faktor"].where, f"faktor {parse.show(factor)} ligger utanför 0–{FACTOR_MAX:g} "
                                                      "(1,2 = 20 % dyrare)"))
        return None
    year = _number(fields.get("fran_ar"), parse.year, problems, "fran_ar")
    return None if factor is None else Overrun(field, value, factor, year, at.where)


def _delay(at: At, plan: Plan, problems: list) -> tuple[str, int] | None:
    fields = _fields(at, ("objekt", "ar"), problems, ("objekt", "ar"),
                     "en försening anger objekt och ar (hela år, negativt = tidigare)")
    if fields is None:
        return None
    oid = _name(fields["objekt"], {o.id for o in plan.objects}, "objektet", "i planen", problems)
    if oid is None:
        return None
    years = _number(fields["ar"], parse.number, problems, "ar")
    if years is not None and (years != int(years) or abs(years) > DELAY_MAX):
        problems.append(error(fields["ar"].where, f"ar ska vara ett helt antal år −{DELAY_MAX}–{DELAY_MAX}, "
                                                  f"fick {parse.show(years)}"))
        return None
    return None if years is None else (oid, int(years))


def _life(at: At, models: Models, problems: list) -> tuple[str, float] | None:
    fields = _fields(at, ("tillgangsklass", "ar"), problems, ("tillgangsklass", "ar"),
                     "nyttjandeperiod anger tillgangsklass och ar (klassens nyttjandeperiod i år)")
    if fields is None:
        return None
    klass = _name(fields["tillgangsklass"], set(models.asset_classes), "tillgångsklassen", "i models/", problems)
    if klass is None:
        return None
    years = _number(fields["ar"], lambda v: parse.life_years(v, whole_months=False), problems, "ar")
    if years == 0:
        problems.append(error(fields["ar"].where, "ar ska vara större än 0"))
        return None
    return None if years is None else (klass, years)


def _file(at: At, path: Path, problems: list) -> tuple[Path, str] | None:
    if not isinstance(at.value, str) or not at.value.strip():
        problems.append(error(at.where, "forslag anger arbetsböcker med föreslagna objekt (sökväg som text)"))
        return None
    file = Path(at.value.strip())
    return (file if file.is_absolute() else path.parent / file), at.where
