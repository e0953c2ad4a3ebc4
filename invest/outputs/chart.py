"""The charts' common ground and the share curves: Swedish tick labels at the precision of the tick step, value
labels kept off the riktvärde line, rows of figures under a year axis, atomic saving with TrueType fonts embedded in
PDF; the kontroll chart of the plan without and with proposals
(`comparison_chart`) and the försening chart of the share before and after a delay (`delay_chart`).

Every chart is a `Figure` built without pyplot (no global state to close) on an Agg canvas, so that a test can draw
it and measure what a reader sees."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")
# Every text the project draws is drawn as written: a "$" in an object id, a verksamhetsområde or a file name is a
# dollar sign, never the start of mathtext (an unknown command there would stop the drawing), and no matplotlibrc of
# the user's can turn TeX on. Set once, here, when the first chart module is imported (dependency_chart imports it
# too); a figure's texts read it when they are made.
LITERAL_TEXT = {"text.parse_math": False, "text.usetex": False}
# Glyphs are not hinted: at the charts' 200 dpi a reader sees no difference, and hinting was an eighth of the time
# the four budget charts take to draw (1,64 → 1,42 s, in one process).
matplotlib.rcParams.update({**LITERAL_TEXT, "text.hinting": "no_hinting"})
from matplotlib import rc_context  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.layout_engine import PlaceHolderLayoutEngine  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.path import Path as LinePath  # noqa: E402
from matplotlib.text import Annotation, Text  # noqa: E402
from matplotlib.ticker import Formatter, MaxNLocator  # noqa: E402

from invest.base import swedish  # noqa: E402
from invest.base.atomic import atomic_path  # noqa: E402
from invest.outputs.budget_figures import png_bytes, write_png  # noqa: E402
from invest.outputs.chart_style import (BREACH_COLOUR, FOOTER_COLOUR, FOOTER_INCH, LINE_COLOUR,  # noqa: E402,F401
                                        MUTED_COLOUR, OK_COLOUR, TEXT_COLOUR, wrap)

GUARD_IDS = ("riktvarde", "gransvarde")  # the gid of a limit line: no value label may touch it
CURVE_ID = "kurva"  # the gid of a curve a label should rather not cross either
PLACEMENTS = "_invest_placements"  # where a value label keeps its possible placements, the preferred first
SAVE_RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none"}  # TrueType embedded, text stays text
CHART_SIZE, CHART_DPI = (10.0, 5.8), 150
ROW_TOP, ROW_STEP = 22.0, 12.0  # points below the axes of the first row of figures and between rows
CROWDED = 14  # more years than this: years, value labels and rows of figures stand on end
ROW_TOP_ON_END, ROW_STEP_ON_END = 40.0, 36.0


class SwedishTicks(Formatter):
    """Tick labels in Swedish number format with as many decimals as the tick step needs: 6,75 % beside 7,00 % for a
    step of 0,25, never 6,8 beside 7,0. `scale` 100 with `unit` " %" shows shares as percent."""

    def __init__(self, scale: float = 1.0, unit: str = ""):
        self.scale, self.unit, self.decimals = scale, unit, 0

    def set_locs(self, locs):
        super().set_locs(locs)
        self.decimals = swedish.fewest_decimals([v * self.scale for v in locs])

    def __call__(self, x, pos=None):
        return swedish.number(x * self.scale, self.decimals) + self.unit


def new_figure(size: tuple[float, float] = CHART_SIZE, dpi: float = CHART_DPI, footer: bool = True) -> Figure:
    """A figure on its own Agg canvas with constrained layout; `footer` keeps a strip at the foot for the source."""
    fig = Figure(figsize=size, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    if footer:
        fig.get_layout_engine().set(rect=(0, FOOTER_INCH / size[1], 1, 1 - FOOTER_INCH / size[1]))
    return fig


def share_axis(ax: Axes) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(SwedishTicks(100, " %"))


def share_span(ax: Axes, years: Sequence[int], shown: Sequence[float], limit: float, pad_share: float,
               least: float) -> None:
    """The share axis over the shares `shown` and the riktvärde, padded by `pad_share` of their span (at least
    `least`) and never below 0, labelled, with the years below."""
    low, high = min([*shown, limit]), max([*shown, limit])
    pad = max((high - low) * pad_share, least)
    ax.set_ylim(max(low - pad, 0), high + pad)
    share_axis(ax)
    ax.set_ylabel("Andel av totala intäkter", fontsize=9)
    year_axis(ax, years)


def mnkr_axis(ax: Axes) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(SwedishTicks())


def year_axis(ax: Axes, years: Sequence[int]) -> None:
    """One tick per year, no thousands separator; the frame open at the top and right."""
    ax.set_xticks(list(years))
    ax.set_xticklabels([str(y) for y in years], rotation=90 if crowded(len(years)) else 0, fontsize=9)
    ax.set_xlim(min(years) - 0.6, max(years) + 0.6)
    ax.tick_params(axis="y", labelsize=9)
    ax.spines[["top", "right"]].set_visible(False)


def guard_line(ax: Axes, level: float, label: str, gid: str = "riktvarde") -> Line2D:
    """The limit as a dashed line across the axes; value labels are kept off it (`settle`)."""
    return ax.axhline(level, color=LINE_COLOUR, linestyle="--", linewidth=1.4, label=label, gid=gid, zorder=3)


def value_size(n: int) -> float:
    """Font size of value labels: smaller as years crowd the axis (on end from CROWDED years)."""
    return 8.0 if n <= 12 else 7.5


def crowded(n: int) -> bool:
    return n > CROWDED


def bar_label(ax: Axes, x: float, top: float, text: str, inside_colour: str = "white", size: float = 8.0,
              bold: bool = False, inside_first: bool = False, bottom: float = 0.0, on_end: bool = False) -> Annotation:
    """A value over a bar (from `bottom` to `top`), or just inside its end when over it would touch a limit line
    and the bar is long enough to hold it (`inside_first`: inside unless that touches the line, for bars under a
    limit so that their labels read alike); `on_end` turns it a quarter for crowded years."""
    up = top >= bottom
    ann = ax.annotate(text, (x, top), xytext=(0, 3 if up else -3), textcoords="offset points", ha="center",
                      va="bottom" if up else "top", fontsize=size, color=TEXT_COLOUR,
                      fontweight="bold" if bold else "normal", zorder=6, rotation=90 if on_end else 0)
    ann.set_in_layout(False)
    outside = {"xytext": (0, 3 if up else -3), "va": "bottom" if up else "top", "color": TEXT_COLOUR}
    inside = {"xytext": (0, -3 if up else 3), "va": "top" if up else "bottom", "color": inside_colour,
              "within": bottom}
    setattr(ann, PLACEMENTS, (inside, outside) if inside_first else (outside, inside))
    _place(ann, getattr(ann, PLACEMENTS)[0])
    return ann


def point_label(ax: Axes, x: float, y: float, text: str, size: float = 8.0, bold: bool = False) -> Annotation:
    """A value over a point of a curve; under it or beside it when over it would touch a limit line or a curve."""
    ann = ax.annotate(text, (x, y), xytext=(0, 7), textcoords="offset points", ha="center", va="bottom",
                      fontsize=size, color=TEXT_COLOUR, fontweight="bold" if bold else "normal", zorder=6,
                      bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.7})
    ann.set_in_layout(False)
    setattr(ann, PLACEMENTS, tuple({"xytext": (dx, dy), "ha": ha, "va": "bottom" if dy > 0 else "top"}
                                   for dx, dy, ha in ((0, 7, "center"), (0, -7, "center"), (-5, 5, "right"),
                                                      (5, 5, "left"), (-5, -5, "right"), (5, -5, "left"),
                                                      (0, 18, "center"), (0, -18, "center"))))
    return ann


def figure_row(ax: Axes, xs: Sequence[float], texts: Sequence[str], label: str, level: int = 0,
               colours: Sequence[str] | None = None, size: float = 8.0, on_end: bool = False) -> None:
    """A row of figures under the year axis, one per year, its label at the left, like a line of a budget table;
    `on_end` stands the figures on end for crowded years (under years on end)."""
    y = -(ROW_TOP_ON_END + level * ROW_STEP_ON_END if on_end else ROW_TOP + level * ROW_STEP)
    ax.annotate(label, (0, 0), xycoords="axes fraction", xytext=(-6, y), textcoords="offset points", ha="right",
                va="top", fontsize=size, color=TEXT_COLOUR, fontstyle="italic")
    for i, (x, text) in enumerate(zip(xs, texts)):
        ax.annotate(text, (x, 0), xycoords=("data", "axes fraction"), xytext=(0, y), textcoords="offset points",
                    ha="center", va="top", fontsize=size, color=colours[i] if colours else TEXT_COLOUR,
                    rotation=90 if on_end else 0)


def legend_above(ax: Axes, handles: list, columns: int | None = None) -> int:
    """The legend in rows between the title and the axes (never over bars or a line), read row by row; returns its
    rows."""
    columns = columns or len(handles)
    rows = math.ceil(len(handles) / columns)
    handles = [handles[r * columns + c] for c in range(columns) for r in range(rows) if r * columns + c < len(handles)]
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.02), ncol=columns, frameon=False, fontsize=8.5,
              borderaxespad=0, handlelength=1.8, columnspacing=1.4)
    return rows


def title(ax: Axes, text: str, legend_rows: int = 1, size: float = 11.0) -> None:
    """The title over the legend, each line wrapped to about the width of the axes."""
    width = ax.get_position().width * ax.figure.get_figwidth()
    lines = [part for line in text.split("\n") for part in wrap(line, width, size)]
    ax.set_title("\n".join(lines), loc="left", fontsize=size, pad=10 + 15 * legend_rows)


def crosses(text: Text, lines: Sequence[Line2D], renderer, clearance: float = 2.0) -> bool:
    """Whether the text's box, widened by `clearance` points and half the line's width, touches any of the lines as
    drawn."""
    box = text.get_window_extent(renderer)
    for line in lines:
        if not line.get_visible():
            continue
        pad = renderer.points_to_pixels(clearance + line.get_linewidth() / 2)
        path = LinePath(line.get_transform().transform(line.get_xydata()))
        if path.intersects_bbox(box.padded(pad), filled=False):
            return True
    return False


def wrong_side(ann: Annotation, lines: Sequence[Line2D], renderer) -> bool:
    """Whether the label stands on the other side of a limit line than the value it labels (a share over the
    riktvärde must not read as under it)."""
    x, y = ann.axes.transData.transform(ann.xy)
    box = ann.get_window_extent(renderer)
    for line in lines:
        points = line.get_transform().transform(line.get_xydata())
        order = np.argsort(points[:, 0], kind="stable")
        level = np.interp(x, points[order, 0], points[order, 1])
        if (y - level) * ((box.y0 + box.y1) / 2 - level) < 0:
            return True
    return False


def settle(fig: Figure) -> None:
    """Puts each value label at its first placement that touches no limit line of its axes, stands on its value's
    side of it, stays within its bar if put inside one and, where it can, touches no curve either (if it must, it
    rather crosses a line than covers a point of one, and the other curve than its own). A label with no such placement (a short bar just under the line) is left out rather than drawn across the line or off its bar.
    Run once the figure is complete, before drawing or saving: it lays the figure out (once) and fixes the layout,
    so that a draw afterwards computes nothing again; a figure with no layout engine and no value label (a page of
    text) is left as it is."""
    engine = fig.get_layout_engine()
    placed = fig.findobj(lambda a: hasattr(a, PLACEMENTS))
    if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
        engine.execute(fig)  # what a draw would do first, without drawing every artist
        fig.set_layout_engine("none")  # the layout is fixed now: drawing need not compute it again
    if not placed:
        return
    renderer = fig.canvas.get_renderer()
    for ann in placed:
        lines = ann.axes.get_lines() if ann.axes else []
        limits = [ln for ln in lines if ln.get_gid() in GUARD_IDS]
        curves = [ln for ln in lines if ln.get_gid() == CURVE_ID]
        own = [c for c in curves if any(np.allclose(p, ann.xy) for p in c.get_xydata())]
        others = [c for c in curves if c not in own]
        readable = []  # (what it covers, its order, the option), the least covered first
        for order, option in enumerate(getattr(ann, PLACEMENTS)):
            _place(ann, option)
            if (not crosses(ann, limits, renderer) and not wrong_side(ann, limits, renderer)
                    and fits(ann, option, renderer)):
                covered = (covers_point(ann, curves, renderer), crosses(ann, own, renderer),
                           crosses(ann, others, renderer))
                readable.append((covered, order, option))
                if not any(covered):
                    break
        if readable:
            _place(ann, min(readable, key=lambda r: r[:2])[2])
            ann.set_visible(True)
        else:
            ann.set_visible(False)


def covers_point(text: Text, lines: Sequence[Line2D], renderer) -> bool:
    """Whether the text covers a marked point of a curve (where it would be read as that point's value)."""
    box = text.get_window_extent(renderer)
    for line in lines:
        box_around = box.padded(renderer.points_to_pixels(line.get_markersize() / 2 + 1))
        points = line.get_transform().transform(line.get_xydata())
        if any(box_around.contains(x, y) for x, y in points if x == x and y == y):
            return True
    return False


def fits(ann: Annotation, option: dict, renderer) -> bool:
    """Whether a label put inside its bar stays within the bar (a short bar keeps its label outside)."""
    if "within" not in option:
        return True
    box = ann.get_window_extent(renderer)
    end = ann.axes.transData.transform((ann.xy[0], option["within"]))[1]
    top = ann.axes.transData.transform(ann.xy)[1]
    return box.y0 >= end + 2 if top >= end else box.y1 <= end - 2


def _place(ann: Annotation, option: dict) -> None:
    ann.xyann = option["xytext"]
    ann.set_va(option["va"])
    if "ha" in option:
        ann.set_ha(option["ha"])
    if "color" in option:
        ann.set_color(option["color"])


def footer(fig: Figure, text: str) -> None:
    fig.text(0.01, 0.012, text, fontsize=7, color=FOOTER_COLOUR, ha="left", va="bottom")


def render(fig: Figure) -> np.ndarray:
    """The figure settled and drawn once on its Agg canvas: its pixels (rows from the top, RGB: the charts are
    opaque, and a PNG file or a PDF page gets no alpha channel) at its dpi, a copy (the canvas may draw again)."""
    settle(fig)
    fig.canvas.draw()
    rgba = fig.canvas.buffer_rgba()
    # Pillow drops the alpha channel several times faster than numpy copies every fourth byte out
    image = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1)
    return np.asarray(image.convert("RGB"))


def save(fig: Figure, targets: Sequence[Path]) -> list[Path]:
    """Each target written atomically in the format of its suffix; PDF with TrueType fonts and no creation date. The
    figure is drawn once for every PNG target."""
    settle(fig)
    pixels = None
    for target in targets:
        fmt = target.suffix.lstrip(".").lower()
        if fmt == "png":
            pixels = render(fig) if pixels is None else pixels
            write_png(png_bytes(pixels, fig.dpi), target)
            continue
        with atomic_path(target) as tmp, rc_context(SAVE_RC):
            fig.savefig(tmp, format=fmt, metadata={"CreationDate": None} if fmt == "pdf" else None)
    return list(targets)


def _curves_figure(years: list[int], first: list, second: list, limit: float, title_text: str, footer_text: str,
                   names: tuple[str, str, str]) -> Figure:
    """Two share curves against the riktvärde, the second labelled per year and its years at or over it marked."""
    fig = new_figure((10, 5))  # the aspect the kontroll sheet shows it at (620 × 310)
    ax = fig.add_subplot()
    first = [_number(v) for v in first]
    second = [_number(v) for v in second]
    shown = [v for v in first + second if v is not None]
    ax.plot(years, [math.nan if v is None else v for v in first], color=MUTED_COLOUR, marker="o", linewidth=2,
            label=names[0], gid=CURVE_ID, zorder=4)
    ax.plot(years, [math.nan if v is None else v for v in second], color=OK_COLOUR, marker="o", linewidth=2.5,
            label=names[1], gid=CURVE_ID, zorder=4)
    over = [(y, s) for y, s in zip(years, second) if s is not None and s >= limit]
    if over:
        ax.scatter(*zip(*over), color=BREACH_COLOUR, zorder=5, s=60, label=names[2])
    guard_line(ax, limit, f"Riktvärde {swedish.percent(limit, 0)}")
    size = value_size(len(years))
    for y, s in zip(years, second):
        if s is not None:
            point_label(ax, y, s, swedish.percent_beside(s, limit), size=size, bold=s >= limit)
    share_span(ax, years, shown, limit, 0.22, 0.002)
    if not shown:
        ax.text(0.5, 0.5, "Andelen kan inte beräknas: planen saknar bladet Region", transform=ax.transAxes,
                ha="center", va="center", fontsize=10, color=FOOTER_COLOUR)
    rows = legend_above(ax, ax.get_legend_handles_labels()[0])
    title(ax, title_text, rows)
    footer(fig, footer_text)
    return fig


def _number(value) -> float | None:
    return None if value is None or value != value else float(value)


def comparison_chart(years: list[int], without: list[float], with_: list[float], limit: float, title: str,
                     footer: str, target: Path) -> Figure:
    """`invest kontroll`: the share without and with the proposals against the riktvärde, years at or over it
    marked, each year's share with the proposals labelled clear of the riktvärde line."""
    fig = _curves_figure(years, without, with_, limit, title, footer,
                         ("Planen utan förslaget", "Planen med förslaget", "Över riktvärdet med förslaget"))
    save(fig, [target])
    return fig


def delay_chart(years: list[int], before: list[float], after: list[float], limit: float, title: str,
                targets: list[Path], footer: str = "") -> Figure:
    """`invest forsening`: the share before and after a delay against the riktvärde, years at or over it after the
    delay marked, each year's share after it labelled clear of the riktvärde line."""
    fig = _curves_figure(years, before, after, limit, title, footer,
                         ("Före förseningen", "Efter förseningen", "Över riktvärdet efter förseningen"))
    save(fig, targets)
    return fig
