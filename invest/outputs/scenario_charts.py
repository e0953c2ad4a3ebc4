"""The charts of `invest scenario` and `invest kanslighet`: the share per scenario against the riktvärde (one line
per scenario, the base emphasised, years over the riktvärde marked) and the tornado of the känslighetsanalys (per
driver the share in the base plan's peak year at the lowest and at the highest computable step, centred on the
base's share, sorted by span). `tornado_rows` is the tornado's data, shared with the workbook's Tornado sheet so
that the bars and the table are the same figures.

Each chart is built as a `Figure` by a `*_figure` function (for a look test) and written by a `write_*` function."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from invest.analyses.scenarios import ScenarioResult
from invest.analyses.sensitivity import DriverResult, SensitivityResult, Step
from invest.base import swedish
from invest.outputs.chart import (BREACH_COLOUR, FOOTER_COLOUR, LINE_COLOUR, MUTED_COLOUR, TEXT_COLOUR, SwedishTicks,
                                  footer, guard_line, legend_above, new_figure, save, share_span, title)
from invest.outputs.labels import source_line
from invest.outputs.scenario_output import change_text, driver_name

BASE_COLOUR = "#1a1a1a"
PALETTE = ("#3b6ea5", "#e39b2d", "#5b9e5b", "#9b59b6", "#17a2b8", "#8c564b", "#d16ba5", "#7f7f7f", "#a6a61c",
           "#1f3b73")  # no red: red marks the years over the riktvärde
STYLES = ("-", "-.", ":")  # never "--": that is the riktvärde
LOW_COLOUR, HIGH_COLOUR = "#9bb7d4", "#3b6ea5"
OVER_NOTE = "Röda värden: på eller över riktvärdet."
MISSING_NOTE = "\n– : inget steg åt det hållet kan beräknas (en försening kan inte flytta utgifter före planens första år)"
LEGEND_NAME = 44  # characters of a scenario's name in the legend (the workbook has the whole name)


# --- the share per scenario ---

def _short(name: str) -> str:
    return name if len(name) <= LEGEND_NAME else name[:LEGEND_NAME - 1].rstrip() + "…"


def _breach_text(first: int | None) -> str:
    return f"över från {first}" if first is not None else "under alla år"


def scenario_figure(result: ScenarioResult) -> Figure:
    """One line per scenario of the share per plan year, the base thick and dark, every year at or over the
    riktvärde ringed in red, the riktvärde as the guard line; the legend above names each scenario's first year over
    the riktvärde."""
    limit = result.riktvarde
    everyone = [result.base, *result.scenarios]
    fig = new_figure((10.0, 6.2 + 0.18 * max(0, len(everyone) - 6)))
    ax = fig.add_subplot()
    years = result.base.table["ar"].to_list()
    handles = []
    for i, s in enumerate(everyone):
        shares = np.array([np.nan if v is None else v for v in s.table["andel"].to_list()], dtype=float)
        base = i == 0
        colour = BASE_COLOUR if base else PALETTE[(i - 1) % len(PALETTE)]
        style = "-" if base else STYLES[(i - 1) // len(PALETTE) % len(STYLES)]  # solid for the first ten
        line, = ax.plot(years, shares, color=colour, linestyle=style, linewidth=3.2 if base else 1.7,
                        marker="o", markersize=5 if base else 3.5, zorder=5 if base else 4,
                        label=f"{_short(s.name)} ({_breach_text(s.first_breach)})")
        handles.append(line)
        over = shares >= limit
        if over.any():
            ax.scatter(np.array(years)[over], shares[over], s=70 if base else 50, facecolors="none",
                       edgecolors=BREACH_COLOUR, linewidths=1.5, zorder=6)
    guard_line(ax, limit, f"Riktvärde {swedish.percent(limit, 0)}")
    handles += [Line2D([], [], color=LINE_COLOUR, linestyle="--", label=f"Riktvärde {swedish.percent(limit, 0)}"),
                Line2D([], [], linestyle="none", marker="o", markersize=8, markerfacecolor="none",
                       markeredgecolor=BREACH_COLOUR, label="År på eller över riktvärdet")]
    shown = [v for s in everyone for v in s.table["andel"].to_list() if v is not None and v == v]
    share_span(ax, years, shown, limit, 0.08, 0.001)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6, zorder=0)
    rows = legend_above(ax, handles, columns=2 if len(handles) > 4 else len(handles))
    over = [s.name for s in result.scenarios if s.first_breach is not None]
    sub = (f"{len(over)} av {len(result.scenarios)} scenarier når riktvärdet {swedish.percent(limit, 0)} "
           f"något år · basen: {_breach_text(result.base.first_breach)}")
    title(ax, f"Kapitalkostnadernas andel av totala intäkter per scenario\n{sub}", rows)
    footer(fig, source_line(result.calculation))
    return fig


def write_scenario_chart(result: ScenarioResult, target: Path) -> Path:
    save(scenario_figure(result), [target])
    return target


# --- the tornado ---

@dataclass(frozen=True)
class TornadoRow:
    """A driver's bar: the most extreme computable step each way (None: no step that way can be computed)."""

    result: DriverResult
    low: Step | None
    high: Step | None
    base: float

    @property
    def name(self) -> str:
        return driver_name(self.result.driver)

    @property
    def ends(self) -> list[float]:
        return [s.peak_share for s in (self.low, self.high) if s is not None]

    @property
    def span(self) -> float:
        """The width of the bar: from the lowest to the highest of the base's share and the two ends."""
        values = [self.base, *self.ends]
        return max(values) - min(values)

    @property
    def range_text(self) -> str:
        """The changes at the bar's ends: "±1,50 pe", "+3 år" (no step the other way), "−2 år … +3 år"."""
        d = self.result.driver
        if self.low and self.high and abs(self.low.change + self.high.change) <= 1e-9 * abs(self.high.change):
            return "±" + change_text(d, self.high.change)[1:]
        return " … ".join(change_text(d, s.change) for s in (self.low, self.high) if s is not None)


def _extreme(steps: tuple[Step, ...], sign: int) -> Step | None:
    usable = [s for s in steps if s.step * sign > 0 and s.peak_share is not None]
    return max(usable, key=lambda s: s.step * sign) if usable else None


def tornado_rows(result: SensitivityResult) -> list[TornadoRow]:
    """Every driver with at least one computable step, the widest bar first."""
    rows = [TornadoRow(dr, _extreme(dr.steps, -1), _extreme(dr.steps, 1), result.base_peak) for dr in result.drivers]
    return sorted((r for r in rows if r.ends), key=lambda r: -r.span)


def _bar(ax: Axes, y: float, base: float, end: float, colour: str, zorder: int) -> None:
    ax.barh(y, end - base, left=base, height=0.62, color=colour, edgecolor="white", linewidth=0.4, zorder=zorder,
            gid="stapel")


COLUMNS = (52, 104)  # points right of the axes where the columns of the low and the high step end


def _column(ax: Axes, x: float, y: float, text: str, colour: str = TEXT_COLOUR, bold: bool = False,
            va: str = "center") -> None:
    """A figure in a column right of the axes, on the bar's row (never on a line: the lines end at the axes)."""
    ax.annotate(text, (1.0, y), xycoords=("axes fraction", "data"), xytext=(x, 0), textcoords="offset points",
                ha="right", va=va, fontsize=8, color=colour, fontweight="bold" if bold else "normal")


def tornado_figure(result: SensitivityResult) -> Figure:
    """Per driver two bars from the base's peak-year share: to the share at the lowest step (light) and at the
    highest step (dark); the widest on top; the base and the riktvärde as vertical lines; the two end values in
    columns right of the axes (clear of every line), the driver's range beside its name."""
    rows = tornado_rows(result)
    limit, base, n = result.riktvarde, result.base_peak, len(rows)
    fig = new_figure((10.0, 2.3 + 0.3 * max(n, 4)))
    ax = fig.add_subplot()
    for i, row in enumerate(rows):
        y = n - 1 - i
        ends = [(s.peak_share, colour) for s, colour in ((row.low, LOW_COLOUR), (row.high, HIGH_COLOUR)) if s]
        for z, (end, colour) in enumerate(sorted(ends, key=lambda e: -abs(e[0] - base))):  # the longer first
            _bar(ax, y, base, end, colour, 2 + z)
        for x, step in zip(COLUMNS, (row.low, row.high)):
            over = step is not None and step.peak_share >= limit
            _column(ax, x, y, swedish.percent_beside(step.peak_share, limit) if step else "–",
                    BREACH_COLOUR if over else TEXT_COLOUR)
    ax.set_yticks(range(n), [f"{r.name}  {r.range_text}" for r in reversed(rows)], fontsize=8.5)
    ax.set_ylim(-0.7, n - 0.3 + 0.7)
    for x, text in zip(COLUMNS, ("Lägsta\nsteget", "Högsta\nsteget")):
        _column(ax, x, n - 0.45, text, MUTED_COLOUR, bold=True, va="bottom")
    ax.axvline(base, color=MUTED_COLOUR, linewidth=1.2, zorder=4, gid="bas")
    ax.axvline(limit, color=LINE_COLOUR, linestyle="--", linewidth=1.4, zorder=5, gid="riktvarde")
    values = [v for r in rows for v in r.ends] + [base, limit]
    pad = max((max(values) - min(values)) * 0.04, 0.0005)
    ax.set_xlim(min(values) - pad, max(values) + pad)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(SwedishTicks(100, " %"))
    ax.tick_params(axis="x", labelsize=9)
    ax.set_xlabel(f"Andel av totala intäkter år {result.peak_year}", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#e3e3e3", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    handles = [Patch(color=LOW_COLOUR, label="Vid lägsta steget"),
               Patch(color=HIGH_COLOUR, label="Vid högsta steget"),
               Line2D([], [], color=MUTED_COLOUR, label=f"Bas {swedish.percent(base)}"),
               Line2D([], [], color=LINE_COLOUR, linestyle="--", label=f"Riktvärde {swedish.percent(limit, 0)}")]
    legend_rows = legend_above(ax, handles)
    steps = max((abs(s.step) for dr in result.drivers for s in dr.steps), default=0)
    missing = any(r.low is None or r.high is None for r in rows)
    ax.annotate(OVER_NOTE + (MISSING_NOTE if missing else ""), (0, 0), xycoords="axes fraction", xytext=(0, -36),
                textcoords="offset points", ha="left", va="top", fontsize=7.5, color=FOOTER_COLOUR)
    fig.get_layout_engine().execute(fig)  # the axes' width, to wrap the title to
    # a tall axes puts its legend (at 1.02 of its height) higher: one more legend row of room for the title
    title(ax, f"Känslighet: andelen år {result.peak_year} vid ändring av varje drivare\nStaplar från basens andel "
              f"till andelen vid lägsta och högsta steget (±{steps} steg), störst spännvidd överst", legend_rows + 1)
    footer(fig, source_line(result.calculation))
    return fig


def write_tornado(result: SensitivityResult, target: Path) -> Path:
    save(tornado_figure(result), [target])
    return target
