"""The output contract of `invest berakna`: tabell, csv or json, region level or per object; and how every CSV the
project writes is made safe for a spreadsheet (csv_safe, to_csv, write_csv)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from invest.base.atomic import atomic_path
from invest.engine.calculation import Calculation
from invest.engine.object_grid import PER_OBJECT_COLUMNS
from invest.engine.region_model import REGION_COLUMNS
from invest.base import swedish
from invest.outputs import labels



def frame(calc: Calculation, per_object: bool) -> pl.DataFrame:
    """Contract columns first, then the extra ones."""
    if per_object:
        df = calc.per_object
        return df.select([*PER_OBJECT_COLUMNS, *[c for c in df.columns if c not in PER_OBJECT_COLUMNS]])
    df = calc.region.table
    return df.select([*REGION_COLUMNS, *[c for c in df.columns if c not in REGION_COLUMNS]])


CSV_STYLES = ("standard", "svensk")
FORMULA_START = r"^[=+\-@\t\r＝＋－＠]"  # what a spreadsheet may read as the start of a formula (also full-width)


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text that a spreadsheet opening the CSV could take for a formula (beginning with =, +,
    -, @, a tab or a carriage return: "=HYPERLINK(…)", a DDE payload) prefixed with ' so that it stays text. Numbers,
    negative ones too, are not text and stay as they are. Every CSV the project writes goes through here."""
    text = [name for name, dtype in df.schema.items() if dtype in (pl.String, pl.Categorical, pl.Enum)]
    return df.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(c).cast(pl.String)).otherwise(pl.col(c).cast(pl.String)).alias(c)
        for c in text)


def to_csv(df: pl.DataFrame, style: str = "standard") -> str:
    """`standard` (the contract): `,` between fields, `.` as the decimal mark, true/false. `svensk`, for a
    spreadsheet in Swedish: `;` between fields, decimal comma, no thousands separator, ja/nej, and a byte order mark
    so that Excel reads the file as UTF-8. Text that could start a formula is neutralised (csv_safe)."""
    df, options = _csv_frame(df, style)
    return df.write_csv(**options)


def write_csv(parts: pl.DataFrame | Iterable[pl.DataFrame], target: Path, style: str = "standard") -> Path:
    """A frame as to_csv writes it, straight to the file `target` (atomically, nothing held as one string); given
    frames one after another (the same columns), they are written as one table, a part at a time, so that a large
    table need never be whole in memory."""
    with atomic_path(target) as tmp, open(tmp, "wb") as out:
        for i, part in enumerate([parts] if isinstance(parts, pl.DataFrame) else parts):
            part, options = _csv_frame(part, style)
            if i:
                options.update(include_header=False, include_bom=False)
            part.write_csv(out, **options)
    return target


CSV_DIGITS = 15  # significant digits in CSV: what a float holds exactly, without the residue of the last two
CSV_ZERO = 1e-9  # smaller than this (a thousandth of a krona in mnkr) is the arithmetic's residue: written as 0


def _csv_frame(df: pl.DataFrame, style: str) -> tuple[pl.DataFrame, dict]:
    df = csv_safe(df)
    # binary residue (140377.99999999997, 6273.900000000001, 1e-13) is not a figure: the shortest form of the number
    floats = pl.col(pl.Float64)
    df = df.with_columns(pl.when(floats.abs() < CSV_ZERO).then(0.0).otherwise(floats.round_sig_figs(CSV_DIGITS))
                         .name.keep())
    if style == "svensk":
        df = df.with_columns(pl.col(pl.Boolean).replace_strict({True: "ja", False: "nej"}, return_dtype=pl.String))
        return df, {"separator": ";", "decimal_comma": True, "float_precision": None, "include_bom": True}
    return df, {"float_precision": None}


def to_json(calc: Calculation, df: pl.DataFrame, per_object: bool) -> str:
    payload = {
        "plan": calc.plan.file, "modeller": calc.models.label, "enhet": "mnkr",
        "ranta": calc.models.flat_rate, "riktvarde": calc.conventions.riktvarde,
        "noteringar": list(calc.region.notes),
    }
    if per_object:
        payload["objekt"] = df.to_dicts()
    else:
        payload["ar"] = df.to_dicts()
        payload["overskridande_ar"] = calc.breach_years()
        payload["genomsnittlig_andel"] = calc.average_share()
    return json.dumps(payload, ensure_ascii=False, indent=2)


def to_table(calc: Calculation, df: pl.DataFrame, per_object: bool) -> str:
    columns = list(PER_OBJECT_COLUMNS if per_object else REGION_COLUMNS)
    if not per_object and not calc.region.has_share:
        columns = [c for c in columns if c not in ("totala_intakter", "andel", "marginal")]
    rows = [[_cell(c, record[c]) for c in columns] for record in df.select(columns).iter_rows(named=True)]
    lines = text_table([labels.column(c, short=True) for c in columns], rows, left=2 if per_object else 1,
                       key=2 if per_object else 1)
    head = [f"Plan: {calc.plan.file}   Belopp i mnkr   Riktvärde: kapitalkostnader under "
            f"{swedish.percent(calc.conventions.riktvarde, 0)} av totala intäkter"]
    tail = []
    if not per_object and calc.region.has_share:
        breach = calc.breach_years()
        tail.append(f"Genomsnittlig andel {calc.plan.plan_years[0]}–{calc.plan.plan_years[-1]}: "
                    f"{swedish.percent(calc.average_share())}")
        tail.append("Över riktvärdet: " + (", ".join(map(str, breach)) if breach else "inget år"))
    tail.extend(calc.region.notes)
    return "\n".join(head + [""] + lines + [""] + tail) + "\n"


GAP = "  "
FALLBACK_WIDTH = 100


def terminal_width() -> int:
    """The terminal's width in columns; 100 when the output is not a terminal (a pipe, a file, a test)."""
    return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns


def shorten(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut at a word boundary and marked with "…" (a first word longer than
    `width` is the one thing cut inside a word)."""
    if len(text) <= width:
        return text
    cut = text[:width - 1]
    if " " in cut and text[width - 1] != " ":
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…"


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters, broken only between words (a word longer than `width`
    stands alone on its line); every line keeps the text's indent (a row under its total stays under it)."""
    indent = text[:len(text) - len(text.lstrip())]
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(indent + word)
    return lines or [""]


def text_table(header: list[str], rows: list[list[str]], left: int = 1, width: int | None = None,
               key: int = 1) -> list[str]:
    """Aligned plain-text table that fits `width` columns (the terminal's): the first `left` columns are text
    (names, ids), left-aligned; the rest numbers in Swedish format, right-aligned and never broken. When the table is
    too wide, the widest columns give way first: text and headings wrap at word boundaries, never inside a word.
    When even that is too wide, the columns that do not fit go on in further blocks below, each led by the first
    `key` columns (the year, the id)."""
    width = terminal_width() if width is None else width
    columns = [_Column(header[i], [r[i] for r in rows], i < left) for i in range(len(header))]
    if _span([c.least for c in columns]) > width and len(header) > key + 1:
        return _blocks(header, rows, left, width, [c.least for c in columns], key)
    return _fitted(header, rows, left, width, columns)


def _fitted(header, rows, left, width, columns=None) -> list[str]:
    """One block: the widest column gives way until the table fits (or no column can give more)."""
    columns = columns or [_Column(header[i], [r[i] for r in rows], i < left) for i in range(len(header))]
    widths = [c.natural for c in columns]
    while _span(widths) > width:
        shrinkable = [i for i, c in enumerate(columns) if widths[i] > c.least]
        if not shrinkable:
            break
        i = max(shrinkable, key=lambda k: widths[k])
        widths[i] = columns[i].fit(widths[i] - 1)
    return _render(columns, widths, left)


class _Column:
    """One column's cells and how narrow it can be: numbers as wide as the widest, text at its longest word, a
    heading at its longest word."""

    def __init__(self, heading: str, cells: list[str], text: bool):
        self.heading, self.cells, self.text = heading, cells, text
        self.natural = max([len(heading), *map(len, cells)])
        floor = (max((len(w) for c in cells for w in c.split()), default=0) if text
                 else max(map(len, cells), default=0))
        self.least = min(self.natural, max([floor, *(len(w) for w in heading.split())]))

    def fit(self, limit: int) -> int:
        """The width the column takes when no line may be wider than `limit` (at least `least`)."""
        limit = max(limit, self.least)
        wrapped = self.cells if not self.text else [line for c in self.cells for line in wrap(c, limit)]
        return max(map(len, wrap(self.heading, limit) + wrapped))

    def lines(self, value: str, width: int, heading: bool = False) -> list[str]:
        return wrap(value, width) if (heading or self.text) and len(value) > width else [value]


def _span(widths: list[int]) -> int:
    return sum(widths) + len(GAP) * (len(widths) - 1)


def _blocks(header, rows, left, width, least, key) -> list[str]:
    """The columns in blocks that fit at their narrowest, in order, each block after the first led by the `key`
    columns; each block a table of its own, one under the other."""
    lead = list(range(key))
    blocks, block = [], list(lead)
    for i in range(key, len(header)):
        if len(block) > key and _span([least[k] for k in block + [i]]) > width:
            blocks.append(block)
            block = list(lead)
        block.append(i)
    blocks.append(block)
    out: list[str] = []
    for number, keep in enumerate(blocks):
        out += ([""] if number else []) + _fitted([header[k] for k in keep], [[r[k] for k in keep] for r in rows],
                                                  sum(k < left for k in keep), width)
    return out


def _render(columns: list[_Column], widths: list[int], left: int) -> list[str]:
    def lines(cells: list[list[str]], bottom: bool = False) -> list[str]:
        height = max(len(c) for c in cells)
        cells = [([""] * (height - len(c)) + c) if bottom else (c + [""] * (height - len(c))) for c in cells]
        return [GAP.join(c[k].ljust(w) if i < left else c[k].rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip() for k in range(height)]

    out = lines([c.lines(c.heading, w, heading=True) for c, w in zip(columns, widths)], bottom=True)
    out.append(GAP.join("-" * w for w in widths))
    for r in range(len(columns[0].cells) if columns else 0):
        out += lines([c.lines(c.cells[r], w) for c, w in zip(columns, widths)])
    return out


def _cell(column: str, value) -> str:
    if column in ("ar", "id"):
        return str(value)
    if column in labels.SHARE_COLUMNS:
        return swedish.percent(value)
    return swedish.number(value)
