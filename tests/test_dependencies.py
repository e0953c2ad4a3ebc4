"""Beroenden: the graph's direction, the validation findings (cycle, unknown id, opening order with lag) with
their cells, and `invest beroenden` in every format."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from invest.cli import main
from invest.plan.dependency_graph import DependencyGraph
from invest.excel.reader import read_plan


def obj(oid, drift, spend=None, deps="", area="Kollektivtrafik"):
    return {"id": oid, "namn": f"Objekt {oid}", "verksamhetsomrade": area, "tillgangsklass": "kollektivtrafik",
            "driftsattning": drift, "beroenden": deps, "utgifter": spend or {2026: 100}}


def validate(path):
    result = CliRunner().invoke(main, ["validera", str(path), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)["fynd"]


def test_edges_point_from_predecessor_to_dependent(plan_file, models):
    plan = read_plan(plan_file([obj("DEPA", "2027"), obj("VAGN", "2028", deps="DEPA")]), models)
    graph = DependencyGraph(plan)
    assert list(graph.graph.edges) == [("DEPA", "VAGN")]
    assert [d.pa for d in graph.predecessors("VAGN")] == ["DEPA"] and graph.successors("DEPA") == ["VAGN"]


def test_cycle_is_reported_whole_at_the_dependency_cell(plan_file):
    deps = [{"id": "A", "beror_pa": "B"}, {"id": "B", "beror_pa": "C"}, {"id": "C", "beror_pa": "A"}]
    path = plan_file([obj("A", "2030"), obj("B", "2029"), obj("C", "2028"), obj("D", "2031", deps="A")],
                     dependencies=deps)
    code, found = validate(path)
    assert code == 1
    errors = [f for f in found if f["niva"] == "fel"]
    assert len(errors) == 1
    assert "beroendena bildar en cykel: A → B → C → A" in errors[0]["meddelande"]
    assert errors[0]["plats"].endswith("Beroenden!B2")  # where A is said to depend on B
    result = CliRunner().invoke(main, ["forsening", str(path), "--objekt", "A", "--ar", "1"])
    assert result.exit_code == 2 and "A → B → C → A" in result.stderr and "Traceback" not in result.output


def test_self_dependency_is_a_cycle(plan_file):
    code, found = validate(plan_file([obj("A", "2030", deps="A")]))
    assert code == 1 and any("cykel: A → A" in f["meddelande"] and f["plats"].endswith("Objekt!K2") for f in found)


def test_unknown_id_names_the_object_that_refers_to_it(plan_file):
    path = plan_file([obj("A", "2030"), obj("B", "2031")], dependencies=[{"id": "B", "beror_pa": "X", "fordrojning_manader": 3}])
    code, found = validate(path)
    assert code == 1
    assert [(f["plats"].split(":")[-1], f["meddelande"]) for f in found if f["niva"] == "fel"] == \
        [("Beroenden!B2", '"B" beror på "X", som inte finns bland objekten')]


def test_dependent_opening_before_predecessor_plus_lag_is_flagged_with_both_dates(plan_file):
    deps = [{"id": "B", "beror_pa": "A", "fordrojning_manader": 6}]
    path = plan_file([obj("A", "2028-07"), obj("B", "2028-09"), obj("C", "2029", deps="A")], dependencies=deps)
    code, found = validate(path)
    assert code == 0  # a warning: the plan can still be computed
    ordering = [f for f in found if "tas i bruk" in f["meddelande"]]
    assert len(ordering) == 1
    assert ordering[0]["plats"].endswith("Beroenden!B2") and ordering[0]["niva"] == "varning"
    assert ordering[0]["meddelande"] == ('"B" tas i bruk 2028-09, före "A" (2028-07 + 6 månader); '
                                         "väntat tidigast 2029-01")


def test_lag_exactly_met_is_not_a_finding(plan_file):
    deps = [{"id": "B", "beror_pa": "A", "fordrojning_manader": 6}]
    code, found = validate(plan_file([obj("A", "2028-07"), obj("B", "2029-01")], dependencies=deps))
    assert code == 0 and not [f for f in found if "tas i bruk" in f["meddelande"]]


def test_lag_must_be_whole_months(plan_file):
    path = plan_file([obj("A", "2028"), obj("B", "2029")],
                     dependencies=[{"id": "B", "beror_pa": "A", "fordrojning_manader": 2.5}])
    code, found = validate(path)
    assert code == 1 and any(f["plats"].endswith("Beroenden!C2") and "helt antal månader" in f["meddelande"] for f in found)


CHAIN = [obj("DEPA", "2027", deps=""), obj("VAGN", "2028", deps="DEPA"), obj("SIGNAL", "2029-03", deps="VAGN"),
         obj("PERRONG", "2028", deps="DEPA", area="Fastigheter"), obj("IT", "löpande", {2026: 5, 2027: 5}, area="Övrig verksamhet")]


def test_beroenden_json_lists_predecessors_successors_and_chains(plan_file):
    path = plan_file(CHAIN, dependencies=[{"id": "SIGNAL", "beror_pa": "VAGN", "fordrojning_manader": 4}])
    result = CliRunner().invoke(main, ["beroenden", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_id = {o["id"]: o for o in data["objekt"]}
    assert set(by_id) == {"DEPA", "VAGN", "SIGNAL", "PERRONG"}  # IT has no dependencies
    assert by_id["SIGNAL"]["beror_pa"] == [{"id": "VAGN", "fordrojning_manader": 4}]
    assert by_id["DEPA"]["efterfoljare"] == ["PERRONG", "VAGN"]
    assert by_id["VAGN"]["driftsattning"] == "2028"
    assert data["kedjor"] == [["DEPA", "VAGN", "SIGNAL"], ["DEPA", "PERRONG"]]


def test_beroenden_table_and_dot(plan_file):
    path = plan_file(CHAIN)
    table = CliRunner().invoke(main, ["beroenden", str(path)])
    assert table.exit_code == 0, table.output
    assert "DEPA (2027) → VAGN (2028) → SIGNAL (2029-03)" in table.stdout
    dot = CliRunner().invoke(main, ["beroenden", str(path), "--format", "dot"]).stdout
    assert dot.startswith("digraph beroenden {") and '"DEPA" -> "VAGN"' in dot and dot.rstrip().endswith("}")


@pytest.mark.parametrize("n", [12, 100])
def test_beroenden_png_stays_readable(tmp_path, plan_file, n):
    """A hundred objects: no two boxes overlap, every object is drawn once, the file is a PNG."""
    from invest.outputs.dependency_layout import layout
    from invest.params.parameters import Models
    from conftest import MODELS_DIR

    areas = ["Kollektivtrafik", "Hälso- och sjukvård", "Fastigheter", "Service", "Övrig verksamhet"]
    objects = [obj(f"O{i:03d}", f"{2026 + i % 10}-{1 + i % 12:02d}", area=areas[i % 5],
                   deps=f"O{i - 10:03d}" if i >= 10 and i % 3 else "") for i in range(n)]
    path = plan_file(objects)
    result = CliRunner().invoke(main, ["beroenden", str(path), "--format", "png", "--alla", "-o", str(tmp_path / "ut")])
    assert result.exit_code == 0, result.output
    png = tmp_path / "ut" / "beroenden.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    models = Models.load(MODELS_DIR)
    boxes = layout(DependencyGraph(read_plan(path, models)), models.conventions(2026), 2026, everything=True)
    assert len(boxes) == n
    for a in boxes.values():
        for b in boxes.values():
            if a is not b and a.row == b.row:
                assert a.x + a.width <= b.x or b.x + b.width <= a.x, (a, b)
