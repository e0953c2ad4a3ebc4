"""The drawing of `invest beroenden --format png`: objects placed by driftsättning along a time axis, coloured by
verksamhetsområde, arrows from what must come first to what waits. Rows are packed so no two boxes overlap and a
chain stays on one line where it can, which keeps a hundred objects readable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.patches import FancyBboxPatch, Patch  # noqa: E402

from invest.base.atomic import atomic_path  # noqa: E402
from invest.plan.dependency_graph import DependencyGraph  # noqa: E402
from invest.params.parameters import Conventions  # noqa: E402
from invest.plan import vocabulary as v  # noqa: E402

# Given in the order of the models' verksamhetsområden (Models.areas), so a kommun's own areas get colours too;
# dark enough for white text. After the last the palette starts again.
PALETTE = ("#c0392b", "#2e86c1", "#b9770e", "#229954", "#7d3c98", "#117a65", "#a04000", "#1a5276", "#922b21",
           "#6c3483", "#7d6608", "#283747")
OTHER_COLOUR = "#7f8c8d"  # an area not in the models' list, or none
INCH_PER_YEAR = 1.6
CHAR_YEARS = 0.075 / INCH_PER_YEAR  # width of one label character at font size 7, in years of the axis
GAP_YEARS = 0.08
ROW_INCH = 0.34


def area_colours(areas: tuple[str, ...]) -> dict[str, str]:
    """Each of the models' verksamhetsområden with its colour from PALETTE, in their order."""
    return {area: PALETTE[i % len(PALETTE)] for i, area in enumerate(areas)}


@dataclass(frozen=True)
class Box:
    id: str
    x: float  # driftsättning in years (2027.5 = July 2027)
    width: float
    row: int
    area: str
    lopande: bool


def layout(graph: DependencyGraph, conv: Conventions, first_year: int, everything: bool = False) -> dict[str, Box]:
    """Boxes for the objects with dependencies (all objects with `everything`): x from the opening month. Each
    connected group is packed into rows of its own, a node taking its predecessor's row when that row is free at
    its date; then the groups are stacked as low as they fit without overlapping earlier groups."""
    shown = list(graph.objects) if everything else graph.involved()
    sub = graph.graph.subgraph(shown)
    depth = {n: i for i, generation in enumerate(nx.topological_generations(sub)) for n in generation}
    opens = graph.opening_months(conv, first_year)
    x = {n: first_year if opens[n] is None else opens[n] / 12 for n in shown}  # a pot without plan spend: at the start
    width = {n: CHAR_YEARS * (len(n) + 2) for n in shown}
    occupied: list[list[tuple[float, float]]] = []  # per row: (start, end) of the boxes placed
    boxes: dict[str, Box] = {}
    for group in sorted(nx.weakly_connected_components(sub), key=lambda g: (-len(g), min(x[n] for n in g), min(g))):
        rows = _pack_group(sorted(group, key=lambda n: (x[n], depth[n], n)), sub, x, width)
        base = 0
        while any(_clash(occupied, base + r, x[n], width[n]) for n, r in rows.items()):
            base += 1
        for n, r in rows.items():
            while len(occupied) <= base + r:
                occupied.append([])
            occupied[base + r].append((x[n], x[n] + width[n]))
            obj = graph.objects[n]
            boxes[n] = Box(n, x[n], width[n], base + r, obj.verksamhetsomrade, obj.driftsattning.lopande)
    return boxes


def _pack_group(ordered: list[str], sub, x: dict, width: dict) -> dict[str, int]:
    ends: list[float] = []  # per row: where its last box ends
    rows: dict[str, int] = {}
    for n in ordered:
        preferred = [rows[p] for p in sub.predecessors(n) if p in rows]
        free = [r for r in range(len(ends)) if ends[r] + GAP_YEARS <= x[n]]
        row = next((r for r in preferred if r in free), free[0] if free else len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = x[n] + width[n]
        rows[n] = row
    return rows


def _clash(occupied: list, row: int, start: float, width: float) -> bool:
    if row >= len(occupied):
        return False
    return any(start < end + GAP_YEARS and other < start + width + GAP_YEARS for other, end in occupied[row])


def dependency_chart(graph: DependencyGraph, conv: Conventions, first_year: int, target: Path, title: str,
                     everything: bool = False, areas: tuple[str, ...] = ()) -> int:
    """Writes the drawing to `target` (PNG or PDF by suffix); returns the number of objects drawn. `areas`: the
    models' verksamhetsområden, coloured in their order (area_colours)."""
    boxes = layout(graph, conv, first_year, everything)
    colours = area_colours(areas)
    if not boxes:
        fig, ax = plt.subplots(figsize=(8, 2), dpi=150)
        ax.axis("off")
        ax.text(0.5, 0.5, "Planen har inga beroenden mellan objekt.", ha="center", va="center")
    else:
        low = int(min(b.x for b in boxes.values()))
        high = int(max(b.x + b.width for b in boxes.values())) + 1
        rows = max(b.row for b in boxes.values()) + 1
        fig, ax = plt.subplots(figsize=(max(8.0, (high - low) * INCH_PER_YEAR + 1.5), max(3.0, rows * ROW_INCH + 1.6)),
                               dpi=150)
        for year in range(low, high + 1):
            ax.axvline(year, color="#dddddd", linewidth=0.6, zorder=0)
        for p, d in graph.graph.edges():
            if p in boxes and d in boxes and p != d:
                _arrow(ax, boxes[p], boxes[d], graph.edge(p, d).fordrojning_manader)
        for b in boxes.values():
            colour = colours.get(b.area, OTHER_COLOUR)
            ax.add_patch(FancyBboxPatch((b.x, -b.row - 0.32), b.width, 0.64, boxstyle="round,pad=0,rounding_size=0.08",
                                        facecolor=colour, edgecolor="#222222", linewidth=0.6,
                                        linestyle="--" if b.lopande else "-", alpha=0.9, zorder=2,
                                        mutation_aspect=0.2))
            ax.text(b.x + b.width / 2, -b.row, b.id, ha="center", va="center", fontsize=7, color="white",
                    fontweight="bold", zorder=3)
        ax.set_xlim(low - 0.1, high + 0.1)
        ax.set_ylim(-rows + 0.2, 0.8)
        ax.set_yticks([])
        ax.set_xticks([y + 0.5 for y in range(low, high)])
        ax.set_xticklabels([str(y) for y in range(low, high)])
        ax.tick_params(axis="x", length=0)
        ax.xaxis.tick_top()
        ax.spines[["left", "right", "bottom"]].set_visible(False)
        rank = {a: i for i, a in enumerate(colours)}
        shown = sorted({b.area for b in boxes.values()}, key=lambda a: (rank.get(a, len(rank)), not a, a))
        handles = [Patch(facecolor=colours.get(a, OTHER_COLOUR), label=a or v.NO_AREA) for a in shown]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=min(len(handles), 5),
                  fontsize=8, frameon=False)
    ax.set_title(title, fontsize=10, pad=18)
    fig.text(0.01, 0.005, "Placerad efter driftsättning (löpande pott: första aktivering, streckad ram). "
                          "Pil: från objektet som ska vara klart först till objektet som väntar; +N mån = fördröjning.",
             fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=target.suffix.lstrip("."))
    plt.close(fig)
    return len(boxes)


def _arrow(ax, p: Box, d: Box, lag: int) -> None:
    if d.x >= p.x + p.width:  # the dependent opens after the predecessor's box: side to side
        start, end = (p.x + p.width, -p.row), (d.x, -d.row)
    else:  # same date (or earlier, a finding): from the predecessor's bottom or top edge to the dependent's
        down = 1 if d.row > p.row else -1
        start, end = (p.x + p.width / 2, -p.row - 0.32 * down), (d.x + d.width / 2, -d.row + 0.32 * down)
    bend = 0.0 if p.row == d.row or d.x < p.x + p.width else 0.15
    ax.annotate("", xy=end, xytext=start, zorder=1,
                arrowprops=dict(arrowstyle="-|>", color="#444444", linewidth=0.8, shrinkA=1, shrinkB=1,
                                connectionstyle=f"arc3,rad={bend}"))
    if lag:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.18, f"+{lag} mån", fontsize=6, ha="center",
                color="#444444", zorder=3)
