"""The arrows of the dependency drawing: each edge an orthogonal polyline out of the predecessor's right side,
sideways only in the gaps between rows, across a row only between two boxes, into the dependent's left side (top or
bottom when they share a date) — a shortest path with few bends, found by A* on a grid of lanes beside the boxes and
tracks between the rows. No edge passes a box it does not connect, and none runs along, branches off or joins an
unrelated edge (it may cross one). Each lag's label is placed on a stretch of its own edge."""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right

import numpy as np

from invest.base.swedish import number
from invest.outputs.dependency_layout import (BOX_HALF, INCH_PER_YEAR, ROW_INCH, Box, Edge, Point, Rect)

# Routing, in data units: edges keep CLEAR_* from every box; an arrow leaves a box at its right gate LANE_YEARS
# beyond it and enters at its left gate APPROACH_YEARS before it (room for the arrowhead, ARROW_INCH); a gap
# between rows has three tracks TRACK_ROWS apart.
CLEAR_X, CLEAR_Y = 0.02, 0.07
LANE_YEARS, APPROACH_YEARS = 0.035, 0.075
TRACK_ROWS = 0.1
ARROW_INCH = 0.1
# Costs in inches of line: a bend, a port on a box's top or bottom (the time axis runs left to right), crossing
# another edge.
BEND, SIDE_PORT, CROSS = 0.12, 0.25, 0.08
SPREAD_ROUNDS = 2  # times the rows may be moved apart to make room for crowded lines
BUDGET = 4000  # steps a search may try before it settles for running along another edge
GREED = 1.5  # the search trusts its estimate this much more than the way so far: far fewer steps tried, the way
# found at most this factor longer than the shortest (in practice the same)

# What a drawing may cost, so that a hostile plan ends in seconds (the text table of `invest beroenden` lists any
# number): at most MAX_BOXES boxes and MAX_EDGES arrows, and at most WORK steps tried by all searches of a drawing
# together (its rounds of moving rows apart included; 30 000–60 000 a second). The default plan takes under 100.
MAX_BOXES, MAX_EDGES = 1000, 400
WORK = 200_000

LABEL_FONT = 6
LABEL_CHAR_INCH, LABEL_HEIGHT_INCH, LABEL_PAD_INCH = 0.058, 0.115, 0.02

_VECTORS = ((1, 0), (-1, 0), (0, 1), (0, -1))
_REVERSE = (1, 0, 3, 2)


class TooCrowded(Exception):
    """The drawing would take more than its limits (MAX_BOXES, MAX_EDGES, WORK); `reason` says which, in Swedish."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class Work:
    """The steps the searches of one drawing may still try (WORK), shared by its rounds."""

    def __init__(self, steps: int | None = None):
        self.steps = WORK if steps is None else steps


def check_size(boxes: int, edges: int) -> None:
    """TooCrowded when a drawing of `boxes` objects and `edges` dependencies is beyond MAX_BOXES or MAX_EDGES."""
    if boxes > MAX_BOXES or edges > MAX_EDGES:
        raise TooCrowded(f"ritningen skulle få {boxes} objekt och {edges} beroenden; gränsen är {MAX_BOXES} objekt "
                         f"och {MAX_EDGES} beroenden")


def route(boxes: dict[str, Box], pairs: list[tuple[str, str, int]]) -> tuple[Edge, ...]:
    """Each (predecessor, dependent, lag) as an orthogonal polyline around the boxes, shortest edges first, each
    avoiding the lines of those already routed; then each lag's label placed on a stretch of its own edge."""
    return route_all(boxes, pairs)[0]


def route_all(boxes: dict[str, Box], pairs: list[tuple[str, str, int]],
              work: Work | None = None) -> tuple[tuple[Edge, ...], set]:
    """route, and the (predecessor, dependent) that could not keep off the others' lines. TooCrowded beyond
    MAX_BOXES or MAX_EDGES, or when the searches would try more than `work` allows (WORK by default)."""
    if not pairs:
        return (), set()
    check_size(len(boxes), len(pairs))
    router = _Router(boxes, pairs, work or Work())
    order = sorted(pairs, key=lambda e: (_distance(boxes[e[0]], boxes[e[1]]), e[0], e[1]))
    paths = {(p, d): router.route(p, d) for p, d, _ in order}
    edges, taken = [], []
    for p, d, lag in pairs:
        points = paths[p, d]
        label = None
        if lag:
            others = [q for pair, q in paths.items() if pair != (p, d)]
            label = _place_label(points, f"+{lag} mån", boxes, others, taken)
            taken.append(label)
        edges.append(Edge(p, d, lag, points, label))
    return tuple(edges), router.crowded


def _distance(a: Box, b: Box) -> float:
    return abs(b.x - (a.x + a.width)) * INCH_PER_YEAR + abs(a.row - b.row) * ROW_INCH


def _side_ports(p: Box, d: Box) -> bool:
    """Whether the arrow may leave p's top or bottom and enter d's: when d does not start clearly after p ends
    (same date, or a dependent drawn earlier — a finding), where right side to left side would loop back."""
    return d.x < p.x + p.width + 2 * APPROACH_YEARS


class _Router:
    """A* over a grid of lines: x at every box's sides, its gates (just right of it, and far enough left of it for
    an arrowhead) and a lane between the gates of two neighbours in a row; y at each row's middle and three tracks
    in each gap between rows (plus the tops and bottoms of boxes joined through them). A step must keep CLEAR_*
    from every box — only the step from a port to its gate comes nearer — must not use another box's gate, and
    runs sideways only on the tracks between rows (or straight along a row from p to its dependent next to it).
    The cost is the length in inches, the bends and the crossings; the estimate adds the bends the remaining way
    needs at least, which keeps the search narrow. Each edge routed is remembered, so later ones keep off it."""

    def __init__(self, boxes: dict[str, Box], pairs: list[tuple[str, str, int]], work: Work):
        self.boxes = boxes
        self.work = work
        self.edge_count = len(pairs)
        rows = max(b.row for b in boxes.values()) + 1
        xs: dict[float, float] = {}  # rounded → exact, so ports lie exactly on the boxes' sides
        ys: dict[float, float] = {}

        def add(into: dict, value: float) -> None:
            into.setdefault(round(value, 9), value)

        self.by_row: dict[int, list[tuple[float, float, str]]] = {}
        for b in boxes.values():
            for value in (b.x, b.x + b.width, b.x + b.width + LANE_YEARS, b.x - APPROACH_YEARS):
                add(xs, value)
            self.by_row.setdefault(b.row, []).append((b.x - CLEAR_X, b.x + b.width + CLEAR_X, b.id))
        for spans in self.by_row.values():
            spans.sort()
            for a, b in zip(spans, spans[1:]):  # a lane between the two gates, for arrows passing the row
                add(xs, (a[1] - CLEAR_X + LANE_YEARS + b[0] + CLEAR_X - APPROACH_YEARS) / 2)
        self.starts = {r: [s[0] for s in spans] for r, spans in self.by_row.items()}
        for p, d, _ in pairs:
            if _side_ports(boxes[p], boxes[d]):
                for b in (boxes[p], boxes[d]):
                    for x in _port_xs(b, boxes[p], boxes[d]):
                        add(xs, x)
                    add(ys, -b.row + BOX_HALF)
                    add(ys, -b.row - BOX_HALF)
        add(xs, min(b.x for b in boxes.values()) - 0.12)
        add(xs, max(b.x + b.width for b in boxes.values()) + 0.12)
        for r in range(rows):
            add(ys, float(-r))
        for r in range(-1, rows):
            for k in (-1, 0, 1):
                add(ys, -r - 0.5 + k * TRACK_ROWS)
        self.xs = [xs[k] for k in sorted(xs)]
        self.ys = [ys[k] for k in sorted(ys)]
        self.ix = {round(x, 9): i for i, x in enumerate(self.xs)}
        self.iy = {round(y, 9): j for j, y in enumerate(self.ys)}
        self._free_steps()
        # the gates beside each box (where its arrows turn) are its own; arrows run sideways only in the gaps
        # between rows (and along a row's middle straight from one box to the next)
        self.gate_of: dict[int, str] = {}
        for b in boxes.values():
            self.gate_of[self._node(b.x + b.width + LANE_YEARS, -b.row)] = b.id
            self.gate_of[self._node(b.x - APPROACH_YEARS, -b.row)] = b.id
        reach = BOX_HALF + CLEAR_Y
        self.in_row = [round(-y) in self.by_row and abs(y + round(-y)) < reach for y in self.ys]
        self.step_owners: dict[tuple[int, int], _Owners] = {}
        self.node_owners: dict[int, _Owners] = {}
        self.node_bends: dict[int, _Owners] = {}  # the owners of a node that bend there
        self.crowded: set[tuple[str, str]] = set()

    def _free_steps(self) -> None:
        """free_h[n]: the step from node n = i·ny + j to the right (i + 1) keeps clear of every box; free_v[n]: the
        step up (j + 1)."""
        xs, ys = self.xs, self.ys
        nx_, ny = len(xs), len(ys)
        free_h = np.ones((nx_, ny), dtype=bool)
        free_v = np.ones((nx_, ny), dtype=bool)
        free_h[-1, :] = False
        free_v[:, -1] = False
        for b in self.boxes.values():
            x0, x1 = b.x - CLEAR_X, b.x + b.width + CLEAR_X
            y0, y1 = -b.row - BOX_HALF - CLEAR_Y, -b.row + BOX_HALF + CLEAR_Y
            ja, jb = bisect_right(ys, y0), bisect_left(ys, y1)  # ys strictly inside (y0, y1)
            ia, ib = max(0, bisect_right(xs, x0) - 1), bisect_left(xs, x1)  # steps xs[i]..xs[i+1] meeting (x0, x1)
            free_h[ia:ib, ja:jb] = False
            ia, ib = bisect_right(xs, x0), bisect_left(xs, x1)  # xs strictly inside (x0, x1)
            ja, jb = max(0, bisect_right(ys, y0) - 1), bisect_left(ys, y1)
            free_v[ia:ib, ja:jb] = False
        self.ny = ny
        self.free_h = free_h.ravel().tolist()
        self.free_v = free_v.ravel().tolist()

    def _node(self, x: float, y: float) -> int:
        return self.ix[round(x, 9)] * self.ny + self.iy[round(y, 9)]

    def _ports(self, p: Box, d: Box):
        """Where the arrow may leave p and enter d, each as (port on the box's edge, gate, direction, cost): the
        gate is the first node clear of the box — just right of p, or far enough left of d (or above or below it)
        for the arrowhead — and the step between port and gate is the only one that enters a box's clearance."""
        sources = [(self._node(p.x + p.width, -p.row), self._node(p.x + p.width + LANE_YEARS, -p.row), 0, 0.0)]
        goals = [(self._node(d.x, -d.row), self._node(d.x - APPROACH_YEARS, -d.row), 0, 0.0)]
        if _side_ports(p, d):
            for sign, direction in ((1, 2), (-1, 3)):
                for k, px in enumerate(_port_xs(p, p, d)):
                    sources.append((self._node(px, -p.row + sign * BOX_HALF),
                                    self._node(px, -p.row + sign * (0.5 - TRACK_ROWS)), direction,
                                    SIDE_PORT + 0.03 * k))
                for k, dx in enumerate(_port_xs(d, p, d)):
                    goals.append((self._node(dx, -d.row + sign * BOX_HALF), self._node(dx, -d.row + sign * 0.5),
                                  _REVERSE[direction], SIDE_PORT + 0.03 * k))
        sources = [s for s in sources if self._clear(s[0], s[1], p.id)]
        goals = [g for g in goals if self._clear(g[1], g[0], d.id)]
        return sources, goals

    def _clear(self, a: int, b: int, own: str) -> bool:
        ny = self.ny
        (xa, xb), (ya, yb) = sorted((self.xs[a // ny], self.xs[b // ny])), sorted((self.ys[a % ny], self.ys[b % ny]))
        reach = BOX_HALF + CLEAR_Y  # only the rows whose boxes' clearance the step can meet (a large plan has many)
        for row in range(math.floor(-yb - reach), math.ceil(-ya + reach) + 1):
            for x0, x1, other in self.by_row.get(row, ()):  # x0, x1: the box with its clearance CLEAR_X
                if other == own:
                    continue
                y0, y1 = -row - BOX_HALF - CLEAR_Y, -row + BOX_HALF + CLEAR_Y
                if xa == xb and x0 < xa < x1 and ya < y1 and y0 < yb:
                    return False
                if ya == yb and y0 < ya < y1 and xa < x1 and x0 < xb:
                    return False
        return True

    def _length(self, a: int, b: int) -> float:
        ny = self.ny
        return (abs(self.xs[a // ny] - self.xs[b // ny]) * INCH_PER_YEAR
                + abs(self.ys[a % ny] - self.ys[b % ny]) * ROW_INCH)

    def route(self, p_id: str, d_id: str) -> tuple[Point, ...]:
        """The polyline of p → d, remembered for the edges routed after it."""
        p, d = self.boxes[p_id], self.boxes[d_id]
        sources, goals = self._ports(p, d)
        nodes = None
        if sources and goals:  # always: a box's sides are clear of the others
            rows = (min(p.row, d.row) - 2, max(p.row, d.row) + 2)
            window = (min(p.x, d.x) - 0.8, max(p.x + p.width, d.x + d.width) + 0.8, -rows[1] - 0.01, -rows[0] + 0.01)
            # touching no unrelated edge but crossing it: near the two boxes, then anywhere; when the lines are so
            # crowded that there is no such way (or it takes long to find), the shortest around the boxes alone
            nodes = (self._search(p_id, d_id, sources, goals, window, True, GREED, BUDGET)
                     or self._search(p_id, d_id, sources, goals, None, True, GREED, BUDGET))
            if nodes is None:
                self.crowded.add((p_id, d_id))
                nodes = self._search(p_id, d_id, sources, goals, None, False, 4 * GREED, None)
        if nodes is None:
            return ((p.x + p.width, -p.row), (d.x, -d.row))
        ny = self.ny
        me = (p_id, d_id)
        for a, b in zip(nodes, nodes[1:]):
            self.step_owners.setdefault((min(a, b), max(a, b)), _Owners()).add(me)
        for k, n in enumerate(nodes):
            self.node_owners.setdefault(n, _Owners()).add(me)
            if 0 < k < len(nodes) - 1 and (nodes[k + 1] - n) != (n - nodes[k - 1]):
                self.node_bends.setdefault(n, _Owners()).add(me)
        return tuple(_simplify([(self.xs[n // ny], self.ys[n % ny]) for n in nodes]))

    def _search(self, p_id, d_id, sources, goals, window, strict: bool, greed: float,
                budget: int | None) -> list[int] | None:
        """The cheapest way from a source's gate to a goal's gate, the nodes from port to port; None when there is
        none within `window` (x0, x1, y0, y1) or within `budget` steps tried. `strict`: never along an unrelated
        edge's line, never bending where one runs or running through where one bends, only crossing it (at a
        small cost); else the other edges are not looked at."""
        xs, ys, ny = self.xs, self.ys, self.ny
        free_h, free_v = self.free_h, self.free_v
        step_owners, node_owners, node_bends = self.step_owners, self.node_owners, self.node_bends
        gate_of, in_row = self.gate_of, self.in_row

        def unrelated(owners) -> bool:
            return owners is not None and owners.unrelated(p_id, d_id)

        if strict:  # a port another arrow uses would join the two
            sources = [s for s in sources if not unrelated(node_owners.get(s[0]))]
            goals = [g for g in goals if not unrelated(node_owners.get(g[0]))]
            if not sources or not goals:
                return None
        p, d = self.boxes[p_id], self.boxes[d_id]
        # along a row's middle only straight from p to d, neighbours on a row
        straight_x = (p.x + p.width, d.x)
        between = [s for s in self.by_row.get(p.row, ()) if straight_x[0] < s[0] + CLEAR_X < straight_x[1]]
        straight_j = self.iy[round(-p.row, 9)] if p.row == d.row and straight_x[0] < straight_x[1] and not between \
            else -1
        if window is None:
            ilo, ihi, jlo, jhi = 0, len(xs) - 1, 0, ny - 1
        else:
            ilo, ihi = bisect_left(xs, window[0]), bisect_right(xs, window[1]) - 1
            jlo, jhi = bisect_left(ys, window[2]), bisect_right(ys, window[3]) - 1
        targets = [(xs[port // ny], ys[port % ny], direction) for port, _, direction, _ in goals]
        gates: dict[int, list[tuple[int, int, float]]] = {}
        for k, (port, gate, direction, cost) in enumerate(goals):
            gates.setdefault(gate, []).append((k, direction, cost + self._length(gate, port)))
        # per direction of arrival: each goal with its entry vector and how the two directions stand to each other
        aims = [[(gx, gy, *_VECTORS[gd], cx * _VECTORS[gd][0] + cy * _VECTORS[gd][1],
                  cy * _VECTORS[gd][0] - cx * _VECTORS[gd][1]) for gx, gy, gd in targets] for cx, cy in _VECTORS]
        mile_x, mile_y = INCH_PER_YEAR, ROW_INCH

        def estimate(x: float, y: float, direction: int) -> float:
            """Length to the nearest goal plus the bends any way there needs."""
            best = math.inf
            for gx, gy, ux, uy, along, across in aims[direction]:
                rx, ry = gx - x, gy - y
                du, dv = rx * ux + ry * uy, ry * ux - rx * uy  # along the entry direction, across it
                if along == 1:
                    bends = 0 if -1e-9 < dv < 1e-9 and du > 0 else (2 if du > 0 else 4)
                elif along == -1:
                    bends = 2
                else:
                    bends = 1 if du > 0 and (-1e-9 < dv < 1e-9 or dv * across > 0) else 3
                value = (rx if rx >= 0 else -rx) * mile_x + (ry if ry >= 0 else -ry) * mile_y + bends * BEND
                if value < best:
                    best = value
            return best

        best: dict[int, float] = {}
        came: dict[int, int] = {}
        heap = []
        for port, gate, direction, cost in sources:
            state = gate * 4 + direction
            g = cost + self._length(port, gate)
            if g < best.get(state, math.inf):
                best[state], came[state] = g, -(port + 1)  # the port, before the gate
                e = greed * estimate(xs[gate // ny], ys[gate % ny], direction)
                heap.append((g + e, e, g, state))
        heapq.heapify(heap)
        offsets = (ny, -ny, 1, -1)
        done = None
        work = self.work
        while heap:
            _, _, g, state = heapq.heappop(heap)
            work.steps -= 1
            if work.steps < 0:
                raise TooCrowded(f"ritningen skulle få {len(self.boxes)} objekt och {self.edge_count} beroenden, så "
                                 f"tätt att pilarna inte kan dras runt objekten inom gränsen {number(WORK, 0)} söksteg")
            if budget is not None:
                budget -= 1
                if budget < 0:
                    return None
            if state >= len(xs) * ny * 4:  # a goal reached
                done = state
                break
            if g > best[state]:
                continue
            n, direction = divmod(state, 4)
            for k, entry, cost in gates.get(n, ()):
                if entry == _REVERSE[direction]:
                    continue
                total = g + cost
                if entry != direction:
                    if strict and unrelated(node_owners.get(n)):
                        continue
                    total += BEND
                final = len(xs) * ny * 4 + k
                if total < best.get(final, math.inf):
                    best[final], came[final] = total, state
                    heapq.heappush(heap, (total, 0.0, total, final))
            i, j = divmod(n, ny)
            bend_here = None
            for dd in range(4):
                if dd == _REVERSE[direction]:
                    continue
                if dd == 0:
                    if i >= ihi or not free_h[n]:
                        continue
                elif dd == 1:
                    if i <= ilo or not free_h[n - ny]:
                        continue
                elif dd == 2:
                    if j >= jhi or not free_v[n]:
                        continue
                elif j <= jlo or not free_v[n - 1]:
                    continue
                m = n + offsets[dd]
                mi, mj = divmod(m, ny)
                if dd < 2 and in_row[j] and not (j == straight_j and straight_x[0] <= min(xs[i], xs[mi])
                                                  and max(xs[i], xs[mi]) <= straight_x[1]):
                    continue
                owner = gate_of.get(m)
                if owner is not None and owner != p_id and owner != d_id:
                    continue
                cost = g + abs(xs[mi] - xs[i]) * INCH_PER_YEAR + abs(ys[mj] - ys[j]) * ROW_INCH
                if dd != direction:
                    if strict:
                        if bend_here is None:
                            bend_here = unrelated(node_owners.get(n))
                        if bend_here:
                            continue
                    cost += BEND
                if strict:
                    if unrelated(step_owners.get((n, m) if n < m else (m, n))):
                        continue
                    if unrelated(node_owners.get(m)):
                        if unrelated(node_bends.get(m)):
                            continue
                        cost += CROSS
                new = m * 4 + dd
                if cost < best.get(new, math.inf):
                    best[new], came[new] = cost, state
                    e = greed * estimate(xs[mi], ys[mj], dd)
                    heapq.heappush(heap, (cost + e, e, cost, new))
        if done is None:
            return None
        nodes = [goals[done - len(xs) * ny * 4][0]]
        state = came[done]
        while state >= 0:
            nodes.append(state // 4)
            state = came[state]
        nodes.append(-state - 1)
        return nodes[::-1]


class _Owners:
    """The edges (predecessor, dependent) that use a node or a step, counted so that whether one of them is unrelated
    to p → d (neither leaves p nor enters d) is known at once, however many share it (a star of a thousand)."""

    __slots__ = ("total", "by_p", "by_d", "by_pd")

    def __init__(self):
        self.total = 0
        self.by_p: dict[str, int] = {}
        self.by_d: dict[str, int] = {}
        self.by_pd: dict[tuple[str, str], int] = {}

    def add(self, edge: tuple[str, str]) -> None:
        p, d = edge
        self.total += 1
        self.by_p[p] = self.by_p.get(p, 0) + 1
        self.by_d[d] = self.by_d.get(d, 0) + 1
        self.by_pd[edge] = self.by_pd.get(edge, 0) + 1

    def unrelated(self, p: str, d: str) -> bool:
        related = self.by_p.get(p, 0) + self.by_d.get(d, 0) - self.by_pd.get((p, d), 0)
        return self.total > related


def _port_xs(b: Box, p: Box, d: Box) -> list[float]:
    """Where an arrow may join b's top or bottom, best first: the middle of the time p and d both span when they
    overlap enough (a straight vertical arrow), else b's middle; then a quarter of b to either side (when another
    arrow already uses the first), all clear of the rounded corners."""
    lo, hi = max(p.x, d.x), min(p.x + p.width, d.x + d.width)
    main = (lo + hi) / 2 if hi - lo > 0.05 else b.x + b.width / 2
    return [x for x in (main, main - b.width / 4, main + b.width / 4) if b.x + 0.06 <= x <= b.x + b.width - 0.06]


def _simplify(points: list[Point]) -> list[Point]:
    out = [points[0]]
    for k in range(1, len(points) - 1):
        (x0, y0), (x1, y1), (x2, y2) = out[-1], points[k], points[k + 1]
        if (x0 == x1 == x2) or (y0 == y1 == y2):
            continue
        out.append(points[k])
    out.append(points[-1])
    return out


# --- lag labels -----------------------------------------------------------------------------------------------


def _label_size(text: str) -> tuple[float, float]:
    return ((LABEL_CHAR_INCH * len(text) + 2 * LABEL_PAD_INCH) / INCH_PER_YEAR,
            (LABEL_HEIGHT_INCH + 2 * LABEL_PAD_INCH) / ROW_INCH)


def _place_label(points, text: str, boxes: dict[str, Box], others: list, taken: list) -> Rect:
    """A rectangle for the lag on a stretch of the edge's own line that is long enough (clear of the arrowhead),
    touches no box, no other edge and no other label: the label sits on its edge, breaking the line. Failing that,
    beside one of its vertical stretches, or above or below a short horizontal one; failing that, above the last
    segment."""
    w, h = _label_size(text)
    arrow = ARROW_INCH / INCH_PER_YEAR
    segments = list(zip(points, points[1:]))
    candidates = []
    for k, ((x0, y0), (x1, y1)) in enumerate(segments):
        last = k == len(segments) - 1
        if y0 == y1:
            lo, hi = sorted((x0, x1))
            if last:
                hi, lo = (hi - arrow, lo) if x1 > x0 else (hi, lo + arrow)
            lo, hi = lo + 0.02, hi - 0.02
            for cx in ((lo + hi) / 2, lo + w / 2, hi - w / 2):
                if hi - lo >= w:
                    candidates.append((0, -(hi - lo), (cx - w / 2, y0 - h / 2, cx + w / 2, y0 + h / 2)))
            cx = (lo + hi) / 2  # too short to break: just above or below it
            for cy in (y0 + h / 2 + 0.03, y0 - h / 2 - 0.03):
                candidates.append((2, -(hi - lo), (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)))
        else:
            lo, hi = sorted((y0, y1))
            cy = (lo + hi) / 2
            for side in (1, -1):
                gap = 0.03
                rx0 = x0 + gap if side > 0 else x0 - gap - w
                candidates.append((1, -(hi - lo), (rx0, cy - h / 2, rx0 + w, cy + h / 2)))
    rects = [b.rect for b in boxes.values()]
    for _, _, rect in sorted(candidates, key=lambda c: (c[0], c[1])):
        if any(_rects_meet(rect, r, 0.01) for r in rects) or any(_rects_meet(rect, t, 0.01) for t in taken):
            continue
        if any(_segment_meets_rect(a, b, rect) for q in others for a, b in zip(q, q[1:])):
            continue
        return rect
    (x0, y0), (x1, y1) = points[-2], points[-1]
    cx, cy = (x0 + x1) / 2, max(y0, y1) + h / 2 + 0.05
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _rects_meet(a: Rect, b: Rect, margin: float = 0.0) -> bool:
    return a[0] < b[2] + margin and b[0] < a[2] + margin and a[1] < b[3] + margin and b[1] < a[3] + margin


def _segment_meets_rect(a: Point, b: Point, r: Rect) -> bool:
    """Whether the axis-parallel segment a–b touches the rectangle (boundary included)."""
    (xa, ya), (xb, yb) = a, b
    return (min(xa, xb) <= r[2] and r[0] <= max(xa, xb) and min(ya, yb) <= r[3] and r[1] <= max(ya, yb))
