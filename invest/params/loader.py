"""Strict loader for the dated parameter files in models/: every problem names file and line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from invest.base import values as parse  # the one value parser: finite, and in the unit's range
from invest.base.findings import Finding, InputError, error
from invest.base.yaml_nodes import read_mapping
from invest.params.guideline_rules import RuleShape, read_rule_shape

TOP_KEYS = {"beskrivning", "enhet", "tillatna", "varden", "regel"}
UNITS = {"andel", "procent", "ar", "manad", "val", "komponenter", "mnkr", "ordlista", "lista", "taltabell", "lognormal", "diskret"}
ENTRY_KEYS = {"varde", "kalla", "antagande"}
COMPONENT_KEYS = {"komponent", "andel", "nyttjandeperiod"}


@dataclass(frozen=True)
class DatedValue:
    start: dt.date
    value: Any
    source: str | None
    assumption: str | None
    line: int


@dataclass(frozen=True)
class Parameter:
    """One concept from one file: its values keyed by the date they take effect."""

    name: str  # path relative to models/, without .yaml, e.g. "ranta/internranta"
    path: Path
    description: str
    unit: str
    allowed: tuple[str, ...]
    values: tuple[DatedValue, ...]  # sorted by start
    rule: RuleShape | None = None  # a guideline's ratio (the `regel` block; params/guideline_rules.py)

    def at(self, year: int) -> DatedValue:
        """The value in force on 1 January of `year` (the first value before any date)."""
        chosen = self.values[0]
        for v in self.values:
            if v.start <= dt.date(year, 1, 1):
                chosen = v
        return chosen


def _loc(path: Path, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}"


def _plain(node: yaml.Node) -> Any:
    """Python value of a node, with YAML's own typing of scalars (safe schema)."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _mapping(path: Path, node: yaml.Node, allowed: set[str], what: str, problems: list) -> dict:
    if not isinstance(node, yaml.MappingNode):
        problems.append(error(_loc(path, node), f"{what} ska vara en tabell med nycklar ({', '.join(sorted(allowed))})"))
        return {}
    out = {}
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in allowed:
            problems.append(error(_loc(path, key_node),
                                  f'okänd nyckel "{key}" i {what} (tillåtna: {", ".join(sorted(allowed))})'))
            continue
        if key in out:
            problems.append(error(_loc(path, key_node), f'nyckeln "{key}" förekommer två gånger i {what}'))
        out[key] = (key_node, value_node)
    return out


def _check_value(path: Path, node: yaml.Node, unit: str, allowed: tuple[str, ...], problems: list) -> Any:
    value = _plain(node)
    where = _loc(path, node)
    if unit == "komponenter":
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            problems.append(error(where, "varde ska vara en lista med komponenter (komponent, andel, nyttjandeperiod)"))
            return None
        comps = []
        for item in node.value:
            fields = _mapping(path, item, COMPONENT_KEYS, "komponent", problems)
            if set(fields) != COMPONENT_KEYS:
                missing = COMPONENT_KEYS - set(fields)
                if missing:
                    problems.append(error(_loc(path, item), f"komponenten saknar {', '.join(sorted(missing))}"))
                continue
            name = _plain(fields["komponent"][1])
            share = _plain(fields["andel"][1])
            life = _plain(fields["nyttjandeperiod"][1])
            if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 < share <= 1:
                problems.append(error(_loc(path, fields["andel"][1]), f"andel ska vara ett tal i (0, 1], fick {share!r}"))
                continue
            try:
                if not isinstance(life, (int, float)) or isinstance(life, bool):
                    raise parse.BadValue(f"{life!r} är inget tal (väntat ett antal år 0–{parse.LIFE_YEARS_MAX})")
                parse.life_years(life)
            except parse.BadValue as exc:
                problems.append(error(_loc(path, fields["nyttjandeperiod"][1]), f"nyttjandeperiod: {exc}"))
                continue
            comps.append((str(name), float(share), float(life)))
        if comps and abs(sum(c[1] for c in comps) - 1) > 1e-9:
            problems.append(error(where, f"komponenternas andelar summerar till {sum(c[1] for c in comps):g}, väntat 1"))
        return tuple(comps)
    if unit == "val":
        if value not in allowed:
            problems.append(error(where, f"värdet {value!r} är inte tillåtet (tillåtna: {', '.join(allowed)})"))
        return value
    if unit in TABLES:
        shape, read, empty = TABLES[unit]
        return _named_table(value, where, problems, shape, read, empty)
    if unit == "lista":
        return _name_list(path, node, problems)
    if unit == "manad":
        if isinstance(value, dict):
            bad = []
            for k, v in value.items():
                try:
                    if not isinstance(v, (int, float)) or isinstance(v, bool):
                        raise parse.BadValue(repr(v))
                    parse.month(v)
                except parse.BadValue:
                    bad.append(k)
            if bad:
                problems.append(error(where, f"månader ska vara heltal 1–12 ({', '.join(map(str, bad))})"))
            return value
        problems.append(error(where, "varde ska vara en tabell med månader 1–12"))
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        problems.append(error(where, f"varde ska vara ett tal ({unit}), fick {value!r}"))
        return None
    kind = {"andel": parse.signed_share, "procent": parse.percent, "ar": parse.duration_years,
            "mnkr": parse.amount}.get(unit, parse.number)
    try:
        kind(value)
    except parse.BadValue as exc:
        problems.append(error(where, f"varde ({unit}): {exc}"))
        return None
    return float(value)


def _named_table(value, where: str, problems: list, shape: str, read, empty: bool = False) -> dict | None:
    """A table from a name to an entry, each entry `read` (raising BadValue with what is wrong); `shape` says what
    the table should look like; `empty` allows a table without names."""
    if not isinstance(value, dict) or not (value or empty):
        problems.append(error(where, f"varde ska vara en tabell: {shape}"))
        return None
    out = {}
    for key, entry in value.items():
        try:
            out[str(key)] = read(entry)
        except parse.BadValue as exc:
            problems.append(error(where, f'"{key}": {exc}'))
    return out


def _words(words) -> tuple[str, ...]:
    """`ordlista`: one word or a list of words (order kept: the first match wins)."""
    words = [words] if isinstance(words, str) else words
    if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
        raise parse.BadValue("ska ha ett ord eller en lista med ord")
    return tuple(words)


def _plain_number(number) -> float:
    """`taltabell`: a finite number."""
    if not isinstance(number, (int, float)) or isinstance(number, bool):
        raise parse.BadValue(f"{number!r} är inget tal")
    return parse.number(number)


def _lognormal(spec) -> tuple[float, float]:
    """`lognormal`: {medel, standardavvikelse} of a factor F with E[F] = 1 + medel (medel > −1) and SD[F] =
    standardavvikelse (≥ 0; 0 and 0: no uncertainty)."""
    if not isinstance(spec, dict) or set(spec) != {"medel", "standardavvikelse"}:
        raise parse.BadValue("ska ha medel och standardavvikelse (t.ex. {medel: 0.45, standardavvikelse: 0.38})")
    try:
        mean, sd = (parse.number(spec[k]) for k in ("medel", "standardavvikelse"))
    except TypeError:
        mean = sd = None
    if mean is None or sd is None or mean <= -1 or sd < 0 or sd > 100 or mean > 100:
        raise parse.BadValue(f"medel {spec['medel']!r}, standardavvikelse {spec['standardavvikelse']!r} "
                             "(väntat medel > −1 och standardavvikelse ≥ 0)")
    return mean, sd


def _discrete(spec) -> dict[int, float]:
    """`diskret`: {whole years 0–50: probability}, the probabilities summing to 1."""
    ok = isinstance(spec, dict) and spec and all(
        isinstance(y, int) and not isinstance(y, bool) and 0 <= y <= 50 and isinstance(p, (int, float))
        and not isinstance(p, bool) and 0 <= p <= 1 for y, p in spec.items())
    if not ok or abs(sum(spec.values()) - 1) > 1e-9:
        raise parse.BadValue("ska vara en tabell hela år 0–50 -> sannolikhet, som summerar till 1 (t.ex. "
                             f"{{0: 0.55, 1: 0.30, 2: 0.15}}), fick {spec!r}")
    return {int(y): float(p) for y, p in sorted(spec.items())}


TABLES = {"ordlista": ("namn -> ord eller lista med ord", _words, False),
          "taltabell": ("namn -> tal", _plain_number, False),
          "lognormal": ("namn -> {medel, standardavvikelse}", _lognormal, True),
          "diskret": ("namn -> {år: sannolikhet}", _discrete, True)}


def _name_list(path: Path, node: yaml.Node, problems: list) -> tuple[str, ...] | None:
    """`lista`: a list of names, each a text, none twice (order kept: it is the order the outputs use)."""
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        problems.append(error(_loc(path, node), "varde ska vara en lista med namn (minst ett)"))
        return None
    names: list[str] = []
    for item in node.value:
        name = _plain(item)
        if not isinstance(name, str) or not name.strip():
            problems.append(error(_loc(path, item), f"varje namn i listan ska vara en text, fick {name!r}"))
        elif name.strip() in names:
            problems.append(error(_loc(path, item), f'namnet "{name.strip()}" förekommer två gånger i listan'))
        else:
            names.append(name.strip())
    return tuple(names)


def load_parameter(path: Path, name: str) -> tuple[Parameter | None, list[Finding]]:
    problems: list[Finding] = []
    try:  # bounded, no aliases, standard tags only, keys are texts: every problem at its line (base/yaml_nodes.py)
        root = read_mapping(path, "filen", ", ".join(sorted(TOP_KEYS)))
    except InputError as exc:
        return None, exc.findings
    top = _mapping(path, root, TOP_KEYS, "filen", problems)
    for key in ("beskrivning", "enhet", "varden"):
        if key not in top:
            problems.append(error(f"{path}:1", f'nyckeln "{key}" saknas'))
    if problems:
        return None, problems
    if not isinstance(top["beskrivning"][1], yaml.ScalarNode):
        problems.append(error(_loc(path, top["beskrivning"][1]), "beskrivning ska vara en text"))
        return None, problems
    unit = _plain(top["enhet"][1])
    if not isinstance(unit, str) or unit not in UNITS:
        problems.append(error(_loc(path, top["enhet"][1]), f"okänd enhet {unit!r} (tillåtna: {', '.join(sorted(UNITS))})"))
        return None, problems
    allowed: tuple[str, ...] = ()
    if unit == "val":
        if "tillatna" not in top or not isinstance(_plain(top["tillatna"][1]), list):
            problems.append(error(_loc(path, top["enhet"][1]), "enhet val kräver en lista tillatna"))
            return None, problems
        allowed = tuple(str(v) for v in _plain(top["tillatna"][1]))
    rule = None
    if "regel" in top:
        if unit != "andel":
            problems.append(error(_loc(path, top["regel"][0]), "en regel kräver enhet andel (tröskeln är en kvot)"))
            return None, problems
        rule = read_rule_shape(path, top["regel"][1], problems, _mapping, _plain, _loc)
    values = []
    varden = top["varden"][1]
    if not isinstance(varden, yaml.MappingNode) or not varden.value:
        problems.append(error(_loc(path, varden), "varden ska vara en tabell med datum (ÅÅÅÅ-MM-DD) som nycklar"))
        return None, problems
    for key_node, entry_node in varden.value:
        try:
            start = dt.date.fromisoformat(str(key_node.value))
        except ValueError:
            problems.append(error(_loc(path, key_node), f'"{key_node.value}" är inget datum (väntat ÅÅÅÅ-MM-DD)'))
            continue
        entry = _mapping(path, entry_node, ENTRY_KEYS, f"värdet för {start}", problems)
        if not entry:
            continue
        if "varde" not in entry:
            problems.append(error(_loc(path, entry_node), f"värdet för {start} saknar varde"))
            continue
        if "kalla" not in entry and "antagande" not in entry:
            problems.append(error(_loc(path, entry_node),
                                  f"värdet för {start} saknar källa: ange kalla (dokument och tabell eller avsnitt) eller antagande (motivering)"))
        text = {k: _plain(entry[k][1]) for k in ("kalla", "antagande") if k in entry}
        for k, v in text.items():
            if not isinstance(v, str) or not v.strip():
                problems.append(error(_loc(path, entry[k][1]), f"{k} ska vara en text"))
        value = _check_value(path, entry["varde"][1], unit, allowed, problems)
        values.append(DatedValue(start, value, text.get("kalla"), text.get("antagande"), key_node.start_mark.line + 1))
    if len({v.start for v in values}) != len(values):
        problems.append(error(_loc(path, varden), "samma datum förekommer flera gånger"))
    if problems:
        return None, problems
    description = _plain(top["beskrivning"][1])
    return Parameter(name, path, str(description), unit, allowed, tuple(sorted(values, key=lambda v: v.start)),
                     rule), []


def load_models(directory: Path) -> dict[str, Parameter]:
    """Every *.yaml under `directory`, keyed by relative name; raises InputError with all problems."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError([error(str(directory), "modellkatalogen finns inte (väntat en katalog med YAML-filer, t.ex. models/)")])
    params: dict[str, Parameter] = {}
    problems: list[Finding] = []
    for path in sorted(directory.rglob("*.yaml")):
        name = path.relative_to(directory).with_suffix("").as_posix()
        param, found = load_parameter(path, name)
        problems.extend(found)
        if param is not None:
            params[name] = param
    if problems:
        raise InputError(problems)
    return params
