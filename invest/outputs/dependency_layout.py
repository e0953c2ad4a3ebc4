"""The boxes of the dependency drawing (`invest beroenden --format png`), in data coordinates (x in years, 2027.5 =
July 2027; row r drawn at y = −r): each connected group in rows that no other group enters within its time span, a
box continuing its predecessor's row only when nothing stands between them; objects without dependencies fill the
free places. Also the colours per verksamhetsområde, in the order of the models' areas."""

from __future__ import annotations

from dataclasses import dataclass, replace

import networkx as nx

from invest.params.parameters import Conventions
from invest.plan.dependency_graph import DependencyGraph

# Given in the order of the models' verksamhetsområden (Models.areas), so a kommun's own areas get colours too;
# dark enough for white text. After the last the palette starts again.
PALETTE = ("#c0392b", "#2e86c1", "#b9770e", "#229954", "#7d3c98", "#117a65", "#a04000", "#1a5276", "#922b21",
           "#6c3483", "#7d6608", "#283747")
OTHER_COLOUR = "#7f8c8d"  # an area not in the models' list, or none
EDGE_COLOUR = "#333333"
INCH_PER_YEAR = 1.6
ROW_INCH = 0.44  # one row (a box and the gap below it)
CHAR_YEARS = 0.075 / INCH_PER_YEAR  # width of one label character at font size 7, in years of the axis
BOX_HALF = 0.27  # half a box's height, in rows
GAP_YEARS = 0.2  # between two boxes in a row: room for the gates of both and a lane between
GROUP_GAP_YEARS = 0.35  # between a connected group and anything else on its rows

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


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

    @property
    def rect(self) -> Rect:
        """The drawn box in data coordinates."""
        return (self.x, -self.row - BOX_HALF, self.x + self.width, -self.row + BOX_HALF)


@dataclass(frozen=True)
class Edge:
    """An arrow: `points` from the predecessor's box edge to the dependent's (the arrowhead's tip), axis-parallel
    segments; `label` the rectangle of the "+N mån" text (None without a lag)."""

    predecessor: str
    dependent: str
    lag: int
    points: tuple[Point, ...]
    label: Rect | None = None

    @property
    def label_text(self) -> str:
        return f"+{self.lag} mån" if self.lag else ""


@dataclass(frozen=True)
class Drawing:
    """What is drawn, in data coordinates: the boxes by id and the arrows in the graph's edge order."""

    boxes: dict[str, Box]
    edges: tuple[Edge, ...]


def spread_rows(boxes: dict[str, Box], gaps: set[int]) -> dict[str, Box]:
    """The boxes moved down so that each gap in `gaps` (g: between rows g and g + 1; −1 above the first) gets an
    empty row: room for more lines where too many had to share one."""
    return {n: replace(b, row=b.row + sum(1 for g in gaps if g < b.row)) for n, b in boxes.items()}


# --- layout ---------------------------------------------------------------------------------------------------


def layout(graph: DependencyGraph, conv: Conventions, first_year: int, everything: bool = False) -> dict[str, Box]:
    """Boxes for the objects with dependencies (all objects with `everything`): x from the opening month. Each
    connected group is packed into rows of its own (_pack_group) and placed as a block as high as it fits: nothing
    else enters its rows within its time span (and GROUP_GAP_YEARS around it). Objects without dependencies then
    fill the free places, earliest first."""
    shown = list(graph.objects) if everything else graph.involved()
    sub = graph.graph.subgraph(shown)
    depth = {n: i for i, generation in enumerate(nx.topological_generations(sub)) for n in generation} \
        if nx.is_directed_acyclic_graph(sub) else {n: 0 for n in shown}
    opens = graph.opening_months(conv, first_year)
    x = {n: first_year if opens[n] is None else opens[n] / 12 for n in shown}  # a pot without plan spend: at the start
    width = {n: CHAR_YEARS * (len(n) + 2) for n in shown}
    occupied: list[list[tuple[float, float, float]]] = []  # per row: (start, end, gap to keep) of what is placed
    boxes: dict[str, Box] = {}

    def put(n: str, row: int) -> None:
        obj = graph.objects[n]
        boxes[n] = Box(n, x[n], width[n], row, obj.verksamhetsomrade, obj.driftsattning.lopande)

    groups = sorted(nx.weakly_connected_components(sub), key=lambda g: (-len(g), min(x[n] for n in g), min(g)))
    for group in (g for g in groups if len(g) > 1):
        rows = _pack_group(sorted(group, key=lambda n: (x[n], depth[n], n)), sub, x, width)
        start, end = min(x[n] for n in group), max(x[n] + width[n] for n in group)
        height = max(rows.values()) + 1
        base = 0
        while any(_clash(occupied, base + r, start, end, GROUP_GAP_YEARS) for r in range(height)):
            base += 1
        for r in range(base, base + height):
            while len(occupied) <= r:
                occupied.append([])
            occupied[r].append((start, end, GROUP_GAP_YEARS))
        for n, r in rows.items():
            put(n, base + r)
    for (n,) in sorted((tuple(g) for g in groups if len(g) == 1), key=lambda g: (x[g[0]], g[0])):
        start, end = x[n], x[n] + width[n]
        row = next(r for r in range(len(occupied) + 1) if not _clash(occupied, r, start, end, GAP_YEARS))
        if row == len(occupied):
            occupied.append([])
        occupied[row].append((start, end, GAP_YEARS))
        put(n, row)
    return boxes


def _pack_group(ordered: list[str], sub, x: dict, width: dict) -> dict[str, int]:
    """Rows within a group, earliest first: a node continues the row of a predecessor that is that row's last box
    (a straight arrow, nothing between); else it takes a free row whose last box waits for nothing still to come
    (so it never stands between a box and its dependent's straight arrow); else a new row."""
    ends: list[float] = []  # per row: where its last box ends
    last: list[str] = []  # per row: its last box
    rows: dict[str, int] = {}
    for n in ordered:
        free = [r for r in range(len(ends)) if ends[r] + GAP_YEARS <= x[n]]
        straight = [r for r in free if sub.has_edge(last[r], n)]
        open_ = [r for r in free if all(s in rows or s == n for s in sub.successors(last[r]))]
        row = (straight or open_ or [len(ends)])[0]
        if row == len(ends):
            ends.append(0.0)
            last.append(n)
        ends[row], last[row] = x[n] + width[n], n
        rows[n] = row
    return rows


def _clash(occupied: list, row: int, start: float, end: float, gap: float) -> bool:
    """Whether start–end on `row` comes nearer to something placed there than the larger of the two gaps."""
    if row >= len(occupied):
        return False
    return any(start < e + max(gap, g) and s < end + max(gap, g) for s, e, g in occupied[row])
