"""How `invest beroenden --format png` looks, as geometry: every arrow is an axis-parallel polyline from its
predecessor's box edge to its dependent's, passing no other box, sharing no stretch of line with an unrelated
arrow, and its lag label sits clear of every box and every other arrow (dependency_chart.geometry / route, in
data coordinates)."""

from __future__ import annotations

import matplotlib.figure
import networkx as nx
import pytest
from matplotlib.text import Text

from invest.outputs.dependency_chart import geometry
from invest.outputs.dependency_layout import Box, Drawing
from invest.outputs.dependency_routing import route
from invest.pipeline import Inputs, calculate_plan
from invest.plan.dependency_graph import DependencyGraph
from invest.excel.reader import read_plan
from test_dependencies import obj


def enters_interior(a, b, rect) -> bool:
    """Whether the segment a–b passes through the open rectangle (touching its boundary is not entering):
    Liang–Barsky clipping to the closed rectangle, then the clipped part's middle strictly inside."""
    (x0, y0), (x1, y1) = a, b
    rx0, ry0, rx1, ry1 = rect
    t0, t1 = 0.0, 1.0
    for p, q in ((x0 - x1, x0 - rx0), (x1 - x0, rx1 - x0), (y0 - y1, y0 - ry0), (y1 - y0, ry1 - y0)):
        if p == 0:
            if q < 0:
                return False
        else:
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
    if t1 - t0 < 1e-9:  # misses it, or touches a single point
        return False
    tm = (t0 + t1) / 2
    xm, ym = x0 + tm * (x1 - x0), y0 + tm * (y1 - y0)
    return rx0 < xm < rx1 and ry0 < ym < ry1


def on_boundary(point, rect, eps=1e-6) -> bool:
    x, y = point
    x0, y0, x1, y1 = rect
    inside = x0 - eps <= x <= x1 + eps and y0 - eps <= y <= y1 + eps
    return inside and min(abs(x - x0), abs(x - x1), abs(y - y0), abs(y - y1)) <= eps


def overlap(a, b, c, d) -> float:
    """Length two axis-parallel segments a–b and c–d run along the same line."""
    if a[1] == b[1] == c[1] == d[1]:
        lo, hi = max(min(a[0], b[0]), min(c[0], d[0])), min(max(a[0], b[0]), max(c[0], d[0]))
    elif a[0] == b[0] == c[0] == d[0]:
        lo, hi = max(min(a[1], b[1]), min(c[1], d[1])), min(max(a[1], b[1]), max(c[1], d[1]))
    else:
        return 0.0
    return max(0.0, hi - lo)


def assert_readable(drawing: Drawing) -> None:
    boxes = drawing.boxes
    for e in drawing.edges:
        pts = e.points
        assert len(pts) >= 2
        assert on_boundary(pts[0], boxes[e.predecessor].rect), e
        assert on_boundary(pts[-1], boxes[e.dependent].rect), e
        for a, b in zip(pts, pts[1:]):
            assert a[0] == b[0] or a[1] == b[1], (e, a, b)  # orthogonal
            for box in boxes.values():
                if box.id not in (e.predecessor, e.dependent):
                    assert not enters_interior(a, b, box.rect), (e.predecessor, e.dependent, box.id, a, b)
            # nor back through its own boxes
            for own in (e.predecessor, e.dependent):
                assert not enters_interior(a, b, boxes[own].rect), (e.predecessor, e.dependent, own, a, b)
        if e.lag:
            assert e.label is not None
            for box in boxes.values():
                r = box.rect
                assert not (e.label[0] < r[2] and r[0] < e.label[2] and e.label[1] < r[3] and r[1] < e.label[3]), \
                    (e, box.id)
            for f in drawing.edges:
                if f is not e:
                    assert not any(enters_interior(a, b, e.label) for a, b in zip(f.points, f.points[1:])), (e, f)
    for i, e in enumerate(drawing.edges):
        for f in drawing.edges[i + 1:]:
            if e.predecessor == f.predecessor or e.dependent == f.dependent:
                continue  # arrows from one box may leave together, arrows into one box may arrive together
            for a, b in zip(e.points, e.points[1:]):
                for c, d in zip(f.points, f.points[1:]):
                    assert overlap(a, b, c, d) < 1e-9, (e.predecessor, e.dependent, f.predecessor, f.dependent)


def default_geometry(everything: bool) -> Drawing:
    calc = calculate_plan(Inputs())
    first = calc.plan.plan_years[0] if calc.plan.plan_years else 2026
    return geometry(DependencyGraph(calc.plan), calc.models.conventions(first), first, everything)


@pytest.mark.parametrize("everything", [False, True])
def test_default_plan_arrows_pass_no_box(everything):
    drawing = default_geometry(everything)
    assert drawing.edges and len(drawing.boxes) >= 7
    assert_readable(drawing)
    # the reviewer's case: TB-DEPA → TB-NSO and TB-ARE → TB-ALV read as one chain TB-DEPA → TB-ARE → TB-NSO →
    # TB-ALV when both run along one row through the other's boxes
    boxes = drawing.boxes
    for p, d in (("TB-DEPA", "TB-NSO"), ("TB-ARE", "TB-ALV")):
        edge = next(e for e in drawing.edges if (e.predecessor, e.dependent) == (p, d))
        on_the_way = [b.id for b in boxes.values() if b.id not in (p, d)
                      and any(enters_interior(a, c, b.rect) for a, c in zip(edge.points, edge.points[1:]))]
        assert not on_the_way
        assert edge.points[0] == (boxes[p].x + boxes[p].width, -boxes[p].row)  # out of its right side
        assert edge.points[-1] == (boxes[d].x, -boxes[d].row)  # the arrowhead at the dependent's left side
    assert boxes["TB-DEPA"].row != boxes["TB-ARE"].row


def test_groups_do_not_share_rows_within_their_time_span():
    """Each connected group has rows of its own over its time span: another object on one of those rows lies
    wholly before or after the group, so a row never mixes two chains."""
    drawing = default_geometry(True)
    graph = DependencyGraph(calculate_plan(Inputs()).plan)
    boxes = drawing.boxes
    for group in nx.weakly_connected_components(graph.graph.subgraph(boxes)):
        if len(group) < 2:
            continue
        start = min(boxes[n].x for n in group)
        end = max(boxes[n].x + boxes[n].width for n in group)
        rows = {boxes[n].row for n in group}
        for b in boxes.values():
            if b.id not in group and b.row in range(min(rows), max(rows) + 1):
                assert b.x + b.width <= start or b.x >= end, (sorted(group), b.id)


def test_an_arrow_goes_round_a_box_in_its_way():
    """A straight line from A to B would run through M, which has nothing to do with either."""
    boxes = {"A": Box("A", 2026.0, 0.4, 0, "x", False), "M": Box("M", 2027.0, 0.4, 0, "x", False),
             "B": Box("B", 2028.0, 0.4, 0, "x", False), "N": Box("N", 2027.2, 0.5, 1, "x", False)}
    (edge,) = route(boxes, [("A", "B", 6)])
    straight = ((2026.4, 0.0), (2028.0, 0.0))
    assert enters_interior(*straight, boxes["M"].rect)  # the test means something
    assert len(edge.points) > 2 and edge.points[0] == (2026.4, 0.0) and edge.points[-1] == (2028.0, 0.0)
    assert_readable(Drawing(boxes, (edge,)))
    # the detour runs in the gap between the rows, not through N on the row below
    assert all(-1 + 0.27 < y < 0.73 for _, y in edge.points)


def test_a_chain_with_a_shortcut(plan_file, models):
    """A → B → C with A → C (+6 mån): the shortcut must not be drawn through B, and its label sits on its own
    line, not on a box."""
    path = plan_file([obj("A", "2026-03"), obj("B", "2027-06", deps="A"), obj("C", "2029-01", deps="A, B"),
                      obj("M", "2027-09", area="Fastigheter"), obj("D", "2028-01", deps="B")],
                     dependencies=[{"id": "C", "beror_pa": "A", "fordrojning_manader": 6}])
    graph = DependencyGraph(read_plan(path, models))
    for everything in (False, True):
        drawing = geometry(graph, models.conventions(2026), 2026, everything)
        assert_readable(drawing)
        shortcut = next(e for e in drawing.edges if (e.predecessor, e.dependent) == ("A", "C"))
        assert shortcut.label is not None and shortcut.label_text == "+6 mån"
        b = drawing.boxes["B"].rect
        assert not any(enters_interior(p, q, b) for p, q in zip(shortcut.points, shortcut.points[1:]))


def test_many_objects_many_arrows(plan_file, models):
    """The hundred objects of test_dependencies, each waiting for up to two earlier ones: 120 arrows, many of them
    years long, far denser than a real plan. Still no arrow through a box, and none along an unrelated one (the
    rows move apart where the gaps are full)."""
    areas = ["Kollektivtrafik", "Hälso- och sjukvård", "Fastigheter", "Service", "Övrig verksamhet"]
    objects = [obj(f"O{i:03d}", f"{2026 + i % 10}-{1 + i % 12:02d}", area=areas[i % 5],
                   deps=", ".join(f"O{j:03d}" for j in (i - 10, i - 7) if j >= 0 and (i + j) % 3)) for i in range(100)]
    graph = DependencyGraph(read_plan(plan_file(objects), models))
    drawing = geometry(graph, models.conventions(2026), 2026, everything=True)
    assert len(drawing.boxes) == 100 and len(drawing.edges) == graph.graph.number_of_edges()
    assert_readable(drawing)


def test_drawing_writes_an_image_naming_no_machine_path(tmp_path, monkeypatch, plan_file):
    """The PNG and the PDF are written; no text in the figure names a folder of this machine."""
    from invest.pipeline import dependencies
    texts: list[str] = []
    savefig = matplotlib.figure.Figure.savefig

    def capture(fig, *args, **kwargs):
        texts.extend(t.get_text() for t in fig.findobj(Text))
        return savefig(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", capture)
    deep = tmp_path / "hemlig" / "mapp"
    deep.mkdir(parents=True)
    plan = plan_file([obj("DEPA", "2027"), obj("VAGN", "2028-06", deps="DEPA")], name="hemlig/mapp/plan.xlsx")
    for inputs, everything, name in ((Inputs(), False, "beroenden.png"), (Inputs(), True, "alla.pdf"),
                                     (Inputs(plan=plan), False, "egen.png")):
        result = dependencies(inputs, drawing=tmp_path / name, everything=everything)
        assert (tmp_path / name).stat().st_size > 1000 and result.drawn
    assert any("DEPA" == t for t in texts) and any("Kollektivtrafik" == t for t in texts)
    assert not [t for t in texts if "/" in t or "\\" in t or "hemlig" in t or str(tmp_path) in t]
