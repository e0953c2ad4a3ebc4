"""`invest jamfor --arbetsbok`: a waterfall chart from A's share to B's in one year (matplotlib: A's bar, a floating
step per cause, B's bar, the riktvärde), and a workbook — Jämförelse (the causes per year as the budget's table
shape, the change and the sum of the causes as formulas), Vattenfall (the chosen year's steps and a native stacked
column chart with an invisible base, since Excel's own waterfall cannot be written) and Objekt (the objects behind
each cause)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from xlsxwriter.utility import xl_rowcol_to_cell

from invest.analyses.plan_versions import CAUSES, Comparison
from invest.base import swedish
from invest.outputs.chart import (BREACH_COLOUR, OK_COLOUR, TEXT_COLOUR, bar_label, footer, guard_line,
                                  legend_above, new_figure, save, share_axis, title)
from invest.outputs.comparison_output import CAUSE_LABELS, SHOWN, objects_in_order, pe, sentence
from invest.outputs.scenario_report import note, sheet_head, table_rows, write_book_and_chart
from invest.outputs.xlsx_book import Book, Formula

UP_COLOUR, DOWN_COLOUR, END_COLOUR = BREACH_COLOUR, "#5b9e5b", OK_COLOUR


def waterfall_year(c: Comparison, year: int | None = None) -> int:
    """The year shown: the one asked for, else the one whose share changed most."""
    if year is not None:
        return int(year)
    return int(c.years[int(np.argmax(np.abs(c.share_b - c.share_a)))])


def steps(c: Comparison, year: int) -> list[tuple[str, float, float]]:
    """(label, bottom, top) per bar: A's share, each cause that moves it by at least SHOWN (the sentence's), B's
    share; the causes left out are too small to see."""
    k = list(c.years).index(year)
    level = float(c.share_a[k])
    out = [(f"Andel A {year}", 0.0, level)]
    for cause in CAUSES:
        v = float(c.causes_share[cause][k])
        if abs(v) >= SHOWN:
            out.append((CAUSE_LABELS[cause], level, level + v))
            level += v
    out.append((f"Andel B {year}", 0.0, float(c.share_b[k])))
    return out


def axis_floor(bars: list[tuple[str, float, float]], limit: float) -> tuple[float, float]:
    """Where the share axis starts (under the lowest step, with room for the ends' bars to show as bars) and the
    highest level to show (the riktvärde included)."""
    low = min(min(b, t) for _, b, t in bars[1:-1]) if len(bars) > 2 else min(bars[0][2], bars[-1][2])
    high = max([max(b, t) for _, b, t in bars] + [limit])
    return max(0.0, low - (high - low) * 0.6 - 0.001), high


def waterfall_figure(c: Comparison, year: int) -> Figure:
    bars = steps(c, year)
    limit = c.b.conventions.riktvarde
    fig = new_figure((10.0, 6.0))
    ax = fig.add_subplot()
    xs = np.arange(len(bars))
    floor, high = axis_floor(bars, limit)
    for x, (label, bottom, top) in zip(xs, bars):
        end = x in (0, len(bars) - 1)
        colour = END_COLOUR if end else UP_COLOUR if top > bottom else DOWN_COLOUR
        base = floor if end else min(bottom, top)
        ax.bar(x, (top if end else abs(top - bottom)) - (floor if end else 0), bottom=base, width=0.62, color=colour,
               zorder=2)
        text = swedish.percent(top) if end else pe(top - bottom)
        bar_label(ax, x, max(top, bottom) if top >= bottom or end else min(top, bottom), text,
                  bottom=base if end else (bottom if top >= bottom else top), size=8.5, bold=end)
        if not end and x + 1 < len(bars):
            ax.plot([x + 0.31, x + 0.69], [top, top], color=TEXT_COLOUR, linewidth=0.7, zorder=3)
    if len(bars) > 1:
        ax.plot([0.31, 0.69], [bars[0][2]] * 2, color=TEXT_COLOUR, linewidth=0.7, zorder=3)
    guard_line(ax, limit, f"Riktvärde {swedish.percent(limit, 0)}")
    ax.set_ylim(floor, high + (high - floor) * 0.08)
    share_axis(ax)
    ax.set_ylabel("Andel av totala intäkter", fontsize=9)
    ax.set_xticks(xs)
    ax.set_xticklabels([label for label, _, _ in bars], rotation=20, ha="right", fontsize=8.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6, zorder=0)
    handles = [Patch(color=UP_COLOUR, label="höjer andelen"), Patch(color=DOWN_COLOUR, label="sänker andelen"),
               Patch(color=END_COLOUR, label="andelen i planversionen")]
    rows = legend_above(ax, handles + [ax.get_lines()[-1]])
    k = list(c.years).index(year)
    title(ax, f"Varför andelen {year} ändrades: {Path(c.a.plan.file).name} → {Path(c.b.plan.file).name}\n"
              f"{sentence(c, k)}", rows)
    footer(fig, f"{both_plans(c)} · orsakerna är Shapleyvärden och summerar till hela förändringen")
    return fig


def write_comparison_report(c: Comparison, directory: Path, year: int | None = None,
                            stem: str = "jamforelse") -> list[Path]:
    """Writes `{stem}.xlsx` and `{stem}_vattenfall.png` into `directory`; returns them."""
    shown = waterfall_year(c, year)

    def fill(book: Book) -> None:
        _causes_sheet(book, book.sheet("Jämförelse", freeze=(4, 1)), c)
        _waterfall_sheet(book, book.sheet("Vattenfall", landscape=False), c, shown)
        _objects_sheet(book, book.sheet("Objekt", repeat=3), c)
    return write_book_and_chart(c, directory, stem, "vattenfall", lambda r, png: save(waterfall_figure(r, shown), [png]),
                                "Jämförelse av planversioner", "jamfor", fill)


def _causes_sheet(book: Book, ws, c: Comparison) -> None:
    """Years as columns: the share in A and B, the change (B − A) and the causes in percentage points, then the
    same in mnkr of kapitalkostnader; 'Summa orsaker' sums the causes with a formula beside the change."""
    sheet_head(book, ws, f"Jämförelse: {Path(c.a.plan.file).name} → {Path(c.b.plan.file).name}", c,
               c.b.conventions.riktvarde, both_plans(c))
    years = [str(int(y)) for y in c.years]
    n = len(years)
    top = 4
    after = table_rows(book, ws, top, ["Andel av totala intäkter", *years],
                       _cause_rows(top + 1, "Andel", c.share_a, c.share_b, c.causes_share),
                       [book.fmt(None)] + [book.fmt("andel")] * n, "JamforelseAndel", [44] + [10.5] * n)
    top2 = after + 1
    row = table_rows(book, ws, top2, ["Kapitalkostnader (mnkr)", *years],
                     _cause_rows(top2 + 1, "Kapitalkostnader", c.cost_a, c.cost_b, c.causes_cost),
                     [book.fmt(None)] + [book.fmt("mnkr")] * n, "JamforelseKapitalkostnader", [44] + [10.5] * n) + 1
    for k in range(n):
        row = note(book, ws, row, sentence(c, k))
    row = note(book, ws, row + 1, "Orsakerna är Shapleyvärden: varje orsaks genomsnittliga effekt över alla "
                                  "ordningar orsakerna kan tas i, så att de summerar till hela förändringen varje år.")
    for text in c.notes:
        row = note(book, ws, row, text)


def _cause_rows(first: int, label: str, a: np.ndarray, b: np.ndarray, causes: dict[str, np.ndarray]) -> list[list]:
    """A table's rows with A's on sheet row `first`: A, B, the change (B − A) as a formula, each cause, and the
    causes' sum as a formula; year j in column j + 1."""
    cell = lambda r, j: xl_rowcol_to_cell(r, j + 1)  # noqa: E731
    years = range(len(a))
    rows = [[f"{label} A", *map(float, a)], [f"{label} B", *map(float, b)],
            ["Förändring", *(Formula(f"{cell(first + 1, j)}-{cell(first, j)}", float(b[j] - a[j])) for j in years)]]
    rows += [[CAUSE_LABELS[cause].capitalize(), *map(float, causes[cause])] for cause in CAUSES]
    rows.append(["Summa orsaker", *(Formula(f"SUM({cell(first + 3, j)}:{cell(first + 2 + len(CAUSES), j)})",
                                            float(sum(causes[x][j] for x in CAUSES))) for j in years)])
    return rows


def both_plans(c: Comparison) -> str:
    """The two versions and the parameters by name (file names and a folder name, never a path)."""
    return f"A: {Path(c.a.plan.file).name} · B: {Path(c.b.plan.file).name} · parametrar: {c.b.models.label}"


def _waterfall_sheet(book: Book, ws, c: Comparison, year: int) -> None:
    """The chosen year's steps (base, rise, fall, level) and a stacked column chart whose base series has no fill."""
    sheet_head(book, ws, f"Vattenfall {year}: andelen från A till B", c, c.b.conventions.riktvarde,
               both_plans(c))
    bars = steps(c, year)
    top = 4
    rows = []
    for k, (label, bottom, end) in enumerate(bars):
        whole = k in (0, len(bars) - 1)
        rows.append([label, 0.0 if whole else min(bottom, end), end if whole else max(end - bottom, 0.0),
                     0.0 if whole else max(bottom - end, 0.0), end])
    fmt = [book.fmt(None)] + [book.fmt("andel")] * 4
    table_rows(book, ws, top, ["Steg", "Bas (osynlig)", "Höjer", "Sänker", "Nivå efter steget"], rows, fmt,
               "Vattenfall", [40, 13, 11, 11, 16])
    chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
    last = top + len(rows)
    for col, name, colour in ((1, "Bas", None), (2, "Höjer", UP_COLOUR), (3, "Sänker", DOWN_COLOUR)):
        series = {"name": name, "categories": ["Vattenfall", top + 1, 0, last, 0],
                  "values": ["Vattenfall", top + 1, col, last, col], "gap": 60}
        series.update({"fill": {"none": True}, "border": {"none": True}} if colour is None
                      else {"fill": {"color": colour}})
        if col == 2:
            series["points"] = [{"fill": {"color": END_COLOUR}} if k in (0, len(rows) - 1) else None
                                for k in range(len(rows))]
        chart.add_series(series)
    chart.set_title({"name": f"Andelen {year}: från A till B", "name_font": {"size": 11}})
    floor, high = axis_floor(bars, c.b.conventions.riktvarde)
    chart.set_y_axis({"num_format": "0.00%", "min": round(floor, 3), "max": round(high + (high - floor) * 0.08, 3),
                      "major_gridlines": {"visible": True, "line": {"color": "#e3e3e3"}}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 720, "height": 400})
    ws.insert_chart(last + 2, 0, chart)


def _objects_sheet(book: Book, ws, c: Comparison) -> None:
    sheet_head(book, ws, "Objekten bakom orsakerna", c, c.b.conventions.riktvarde, both_plans(c))
    period = f"{c.years[0]}–{c.years[-1]}"
    rows = [[o.id, CAUSE_LABELS[o.cause], o.total] for o in objects_in_order(c)]
    table_rows(book, ws, 3, ["Id", "Orsak", f"Δ kapitalkostnader {period} (mnkr)"], rows,
               [book.fmt(None), book.fmt(None), book.fmt("mnkr")], "ObjektPerOrsak", [26, 36, 22], text={0, 1})
