"""`--mapping FIL.yaml`: headers the built-in aliases do not know, mapped to template columns or amount columns.

    kolumner:
      "Projektets namn": namn          # a template column
      "Ack. kostnad": "t.o.m. 2025"    # an amount column, written as a template header
      "Budget innevarande år": 2026
      "Kommentar": ignorera            # read nothing from it
    enhet: tkr                         # optional: the amounts' unit, overrides what the sheet says
    varden:                            # optional: a planner's words for a column's values
      tillgangsklass:
        "Spåranläggning": kollektivtrafik
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from invest.base.findings import InputError, error
from invest.base.yaml_nodes import read_mapping
from invest.excel.headers import AmountKind, classify_amount_header
from invest.excel.units import TO_MNKR
from invest.plan import vocabulary as v

IGNORE = "ignorera"


@dataclass(frozen=True)
class ColumnMapping:
    fields: dict[str, str] = field(default_factory=dict)  # normalised header -> template column
    amounts: dict[str, AmountKind] = field(default_factory=dict)  # normalised header -> amount column
    ignored: frozenset[str] = frozenset()
    unit: str | None = None
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # template column -> normalised word -> value

    def value(self, column: str, text: str) -> str:
        """`text` as the mapping file translates it for `column` (unchanged when it does not)."""
        table = self.values.get(column)
        return table.get(v.normalize(text), text) if table and text else text

    def target(self, header) -> str | AmountKind | None:
        key = v.normalize(header)
        if key in self.ignored:
            return IGNORE
        return self.fields.get(key) or self.amounts.get(key)


def load_mapping(path: Path | None) -> ColumnMapping:
    if path is None:
        return ColumnMapping()
    path = Path(path)
    where = str(path)
    # bounded, no aliases, standard tags only, keys are texts: every problem at its line (base/yaml_nodes.py)
    root = read_mapping(path, "mappningsfilen", "kolumner, enhet och varden")
    problems, fields, amounts, ignored, unit, values = [], {}, {}, set(), None, {}
    for key_node, value_node in root.value:
        at = f"{where}:{key_node.start_mark.line + 1}"
        if key_node.value in ("enhet", "kolumner", "varden") and not _is_kind(value_node, key_node.value):
            problems.append(error(f"{where}:{value_node.start_mark.line + 1}",
                                  f"{key_node.value} ska vara {_KINDS[key_node.value]}"))
        elif key_node.value == "enhet":
            unit = str(value_node.value).strip().lower()
            if unit not in TO_MNKR:
                problems.append(error(at, f'okänd enhet "{unit}" (tillåtna: {", ".join(TO_MNKR)})'))
        elif key_node.value == "kolumner":
            for header_node, target_node in value_node.value:
                at = f"{where}:{header_node.start_mark.line + 1}"
                if not isinstance(target_node, yaml.ScalarNode):
                    problems.append(error(f"{where}:{target_node.start_mark.line + 1}",
                                          f'"{header_node.value}" ska mappas till en kolumn (en text), inte till en '
                                          "lista eller tabell"))
                    continue
                header, target = v.normalize(header_node.value), str(target_node.value).strip()
                if v.normalize(target) in v.OBJECT_COLUMNS:
                    fields[header] = v.normalize(target)
                elif v.normalize(target) == IGNORE:
                    ignored.add(header)
                elif (kind := classify_amount_header(target)) is not None:
                    amounts[header] = kind
                else:
                    problems.append(error(at, f'"{header_node.value}" mappas till "{target}", som inte är en kolumn i mallen '
                                              f'(väntat en av {", ".join(v.OBJECT_COLUMNS)}, ett år som 2026, '
                                              f'"t.o.m. 2025", "2029–2035" eller {IGNORE})'))
        elif key_node.value == "varden":
            _values(path, value_node, values, problems)
        else:
            problems.append(error(at, f'okänd nyckel "{key_node.value}" (tillåtna: kolumner (en tabell), enhet, '
                                      "varden (en tabell per kolumn))"))
    if problems:
        raise InputError(problems)
    return ColumnMapping(fields, amounts, frozenset(ignored), unit, values)


def _values(path: Path, node: yaml.MappingNode, values: dict, problems: list) -> None:
    """`varden: {tillgangsklass: {"Spåranläggning": kollektivtrafik}}`: a column's words and what they mean."""
    for column_node, table in node.value:
        at = f"{path}:{column_node.start_mark.line + 1}"
        column = v.normalize(column_node.value)
        if column not in v.OBJECT_COLUMNS:
            problems.append(error(at, f'"{column_node.value}" är ingen kolumn i mallen (väntat en av '
                                      f'{", ".join(v.OBJECT_COLUMNS)})'))
            continue
        if not isinstance(table, yaml.MappingNode):
            problems.append(error(at, f'värdena för "{column_node.value}" ska vara en tabell: ord i arbetsboken: värde'))
            continue
        for word, target in table.value:
            if not isinstance(target, yaml.ScalarNode):
                problems.append(error(f"{path}:{target.start_mark.line + 1}",
                                      f'"{word.value}" ska översättas till ett värde (en text), inte till en lista eller tabell'))
        values[column] = {v.normalize(word.value): str(target.value).strip() for word, target in table.value}


_KINDS = {"enhet": "en text (tkr, mnkr, …)", "kolumner": "en tabell: rubrik i arbetsboken: kolumn i mallen",
          "varden": "en tabell per kolumn: ord i arbetsboken: värde"}


def _is_kind(node: yaml.Node, key: str) -> bool:
    """`enhet` is a text, `kolumner` and `varden` tables."""
    return isinstance(node, yaml.ScalarNode if key == "enhet" else yaml.MappingNode)
