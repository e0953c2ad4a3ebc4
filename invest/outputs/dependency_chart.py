"""The drawing of `invest beroenden --format png`: objects placed by driftsättning along a time axis, coloured by
verksamhetsområde (invest.outputs.dependency_layout), arrows from what must come first to what waits routed around
the boxes (invest.outputs.dependency_routing). `geometry` gives both in data coordinates, so it can be tested
without drawing; where the gaps between rows are too crowded, rows are moved apart. `dependency_chart` draws it at
a fixed scale."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from invest.base.atomic import atomic_path  # noqa: E402
from invest.base.findings import InputError, error  # noqa: E402
from invest.outputs.chart import LITERAL_TEXT  # noqa: E402
from invest.outputs.dependency_layout import (EDGE_COLOUR, INCH_PER_YEAR, OTHER_COLOUR, ROW_INCH,  # noqa: E402
                                              Drawing, area_colours, layout, spread_rows)
from invest.outputs.dependency_routing import (LABEL_FONT, SPREAD_ROUNDS, TooCrowded, Work,  # noqa: E402
                                               check_size, route_all)
from invest.params.parameters import Conventions  # noqa: E402
from invest.plan import vocabulary as v  # noqa: E402
from invest.plan.dependency_graph import DependencyGraph  # noqa: E402


def geometry(graph: DependencyGraph, conv: Conventions, first_year: int, everything: bool = False) -> Drawing:
    """The boxes (layout) and the routed edges between them, in data coordinates. TooCrowded when the drawing would
    exceed the routing's limits (dependency_routing.MAX_BOXES, MAX_EDGES, WORK); when only moving rows apart would,
    the drawing as routed before."""
    shown = len(graph.objects) if everything else len(graph.involved())
    known = graph.objects  # a hostile plan is refused before the layout
    check_size(shown, sum(1 for p, d in graph.graph.edges() if p != d and p in known and d in known))
    boxes = layout(graph, conv, first_year, everything)
    pairs = [(p, d, graph.edge(p, d).fordrojning_manader) for p, d in graph.graph.edges()
             if p in boxes and d in boxes and p != d]
    work = Work()
    drawn = None
    for spread in range(SPREAD_ROUNDS + 1):
        try:
            edges, crowded = route_all(boxes, pairs, work)
        except TooCrowded:
            if drawn is None:
                raise
            return drawn  # no work left to move rows apart: the drawing before, some lines shared
        drawn = Drawing(boxes, edges)
        gaps = {math.floor(-y) for e in edges if (e.predecessor, e.dependent) in crowded
                for (_, y), (_, y2) in zip(e.points, e.points[1:]) if y == y2 and y != round(y)}
        if not gaps or spread == SPREAD_ROUNDS:
            return drawn
        boxes = spread_rows(boxes, gaps)


MARGIN_INCH = 0.3
TOP_INCH = 0.7  # the title and the years above the axis
FOOT_INCH = 0.42  # the two lines of explanation at the bottom
LEGEND_ROW_INCH = 0.22
LEGEND_ITEM_INCH = 1.9
MIN_WIDTH_INCH = 8.0
DPI = 150
MAX_SIDE_PIXELS, MAX_PIXELS = 60_000, 60e6  # a side (matplotlib's limit is 2^16) and the whole (240 MB in memory)


def _dpi(width: float, height: float) -> float:
    """DPI, lower for a drawing of a very large plan: within matplotlib's limit of pixels a side, and within a
    memory a drawing can take."""
    return min(DPI, MAX_SIDE_PIXELS / max(width, height), math.sqrt(MAX_PIXELS / (width * height)))


def dependency_chart(graph: DependencyGraph, conv: Conventions, first_year: int, target: Path, title: str,
                     everything: bool = False, areas: tuple[str, ...] = ()) -> int:
    """Writes the drawing to `target` (PNG or PDF by suffix); returns the number of objects drawn. `areas`: the
    models' verksamhetsområden, coloured in their order (area_colours)."""
    with matplotlib.rc_context(LITERAL_TEXT):  # ids and titles drawn as written (chart.LITERAL_TEXT)
        return _drawn(graph, conv, first_year, target, title, everything, areas)


def _drawn(graph: DependencyGraph, conv: Conventions, first_year: int, target: Path, title: str, everything: bool,
           areas: tuple[str, ...]) -> int:
    try:
        drawing = geometry(graph, conv, first_year, everything)
    except TooCrowded as exc:
        raise InputError([error(str(target), f"{exc.reason}; `invest beroenden PLAN` (texttabellen) listar dem "
                                             "alla")]) from None
    boxes = drawing.boxes
    colours = area_colours(areas)
    if not boxes:
        fig, ax = plt.subplots(figsize=(8, 2), dpi=DPI)
        ax.axis("off")
        ax.text(0.5, 0.5, "Planen har inga beroenden mellan objekt.", ha="center", va="center")
        ax.set_title(title, fontsize=10)
    else:
        fig = _draw(drawing, colours, title)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=target.suffix.lstrip("."), dpi=_dpi(*fig.get_size_inches()))
    plt.close(fig)
    return len(boxes)


def _draw(drawing: Drawing, colours: dict[str, str], title: str):
    """The figure at a fixed scale (INCH_PER_YEAR, ROW_INCH), so the routing's clearances hold on paper."""
    boxes = drawing.boxes
    low = math.floor(min(b.x for b in boxes.values()))
    high = math.ceil(max(b.x + b.width for b in boxes.values()))  # the last lanes (+0.12) within the margin
    rows = max(b.row for b in boxes.values()) + 1
    rank = {a: i for i, a in enumerate(colours)}
    shown = sorted({b.area for b in boxes.values()}, key=lambda a: (rank.get(a, len(rank)), not a, a))
    data_w = max((high - low + 0.3) * INCH_PER_YEAR, MIN_WIDTH_INCH - 2 * MARGIN_INCH)
    fig_w = data_w + 2 * MARGIN_INCH
    high = low - 0.15 + data_w / INCH_PER_YEAR - 0.15  # a narrow plan: more years on the right, same scale
    ncol = max(1, min(len(shown), int((fig_w - 2 * MARGIN_INCH) / LEGEND_ITEM_INCH)))
    legend_h = math.ceil(len(shown) / ncol) * LEGEND_ROW_INCH + 0.15
    data_h = (rows - 1 + 1.5) * ROW_INCH
    bottom = FOOT_INCH + legend_h
    fig_h = data_h + TOP_INCH + bottom
    fig = plt.figure(figsize=(fig_w, fig_h), dpi=DPI)
    ax = fig.add_axes((MARGIN_INCH / fig_w, bottom / fig_h, data_w / fig_w, data_h / fig_h))
    ax.set_xlim(low - 0.15, high + 0.15)
    ax.set_ylim(-(rows - 1) - 0.75, 0.75)
    last_year = math.floor(high + 0.15)
    for year in range(low, last_year + 1):
        ax.axvline(year, color="#e3e3e3", linewidth=0.6, zorder=0)
    ax.set_yticks([])
    ax.set_xticks([y + 0.5 for y in range(low, last_year)])
    ax.set_xticklabels([str(y) for y in range(low, last_year)])
    ax.tick_params(axis="x", length=0)
    ax.xaxis.tick_top()
    ax.spines[["left", "right", "bottom"]].set_visible(False)
    for e in drawing.edges:
        path = MplPath(list(e.points), [MplPath.MOVETO] + [MplPath.LINETO] * (len(e.points) - 1))
        ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>,head_length=0.45,head_width=0.22", mutation_scale=9,
                                     color=EDGE_COLOUR, linewidth=0.9, joinstyle="miter", capstyle="butt", zorder=1))
        if e.label is not None:
            x0, y0, x1, y1 = e.label
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, e.label_text, fontsize=LABEL_FONT, ha="center", va="center",
                    color=EDGE_COLOUR, zorder=3,
                    bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none"))
    for b in boxes.values():
        colour = colours.get(b.area, OTHER_COLOUR)
        x0, y0, x1, y1 = b.rect
        ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0,rounding_size=0.04",
                                    facecolor=colour, edgecolor="#222222", linewidth=0.6,
                                    linestyle="--" if b.lopande else "-", zorder=2,
                                    mutation_aspect=INCH_PER_YEAR / ROW_INCH))
        ax.text(b.x + b.width / 2, -b.row, b.id, ha="center", va="center", fontsize=7, color="white",
                fontweight="bold", zorder=3)
    handles = [Patch(facecolor=colours.get(a, OTHER_COLOUR), label=a or v.NO_AREA) for a in shown]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, (bottom - 0.05) / fig_h), ncol=ncol,
               fontsize=8, frameon=False, borderaxespad=0, handlelength=1.6)
    fig.text(0.5, 1 - 0.12 / fig_h, title, ha="center", va="top", fontsize=10)
    fig.text(MARGIN_INCH / fig_w, 0.08 / fig_h,
             "Placerad efter driftsättning (löpande pott: första aktivering, streckad ram).\n"
             "Pil: från objektet som ska vara klart först till objektet som väntar; +N mån = fördröjning.",
             fontsize=7, color="#555555", va="bottom", linespacing=1.4)
    return fig
