"""The output contract of `invest beroenden`: each object's predecessors and successors and the chains, as a
table, json or Graphviz dot (the PNG is dependency_chart)."""

from __future__ import annotations

import json

from invest.outputs.dependency_layout import OTHER_COLOUR, area_colours
from invest.plan.dependency_graph import DependencyGraph
from invest.base.findings import Finding
from invest.outputs.calculation_output import text_table


def _records(graph: DependencyGraph) -> list[dict]:
    return [{"id": oid, "namn": graph.objects[oid].namn, "driftsattning": str(graph.objects[oid].driftsattning),
             "verksamhetsomrade": graph.objects[oid].verksamhetsomrade,
             "beror_pa": [{"id": d.pa, "fordrojning_manader": d.fordrojning_manader} for d in graph.predecessors(oid)],
             "efterfoljare": graph.successors(oid)} for oid in graph.involved()]


def _chain_text(graph: DependencyGraph, chain: list[str]) -> str:
    parts = [f"{chain[0]} ({graph.objects[chain[0]].driftsattning})"]
    for p, d in zip(chain, chain[1:]):
        lag = graph.edge(p, d).fordrojning_manader
        parts.append(f"{'→' if not lag else f'→ +{lag} mån →'} {d} ({graph.objects[d].driftsattning})")
    return " ".join(parts)


def dependencies_json(graph: DependencyGraph, findings: list[Finding], plan_file: str) -> str:
    return json.dumps({"plan": plan_file, "objekt": _records(graph), "kedjor": graph.chains(),
                       "fynd": [f.as_dict() for f in findings]}, ensure_ascii=False, indent=2)


def dependencies_table(graph: DependencyGraph, findings: list[Finding], plan_file: str) -> str:
    records = _records(graph)
    head = [f"Beroenden i {plan_file}: {len(records)} av {len(graph.objects)} objekt har beroenden.", ""]
    if not records:
        return "\n".join(head) + "\n"
    rows = [[r["id"], r["namn"], r["driftsattning"], r["verksamhetsomrade"],
             ", ".join(d["id"] + (f" (+{d['fordrojning_manader']} mån)" if d["fordrojning_manader"] else "")
                       for d in r["beror_pa"]) or "–",
             ", ".join(r["efterfoljare"]) or "–"] for r in records]
    lines = text_table(["Id", "Namn", "Driftsättning", "Verksamhetsområde", "Beror på", "Väntar på det"], rows, left=6)
    chains = graph.chains()
    lines += ["", f"Kedjor ({len(chains)}), från det som ska vara klart först:"]
    lines += [f"  {_chain_text(graph, c)}" for c in chains]
    if findings:
        lines += ["", *map(str, findings)]
    return "\n".join(head + lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dependencies_dot(graph: DependencyGraph, areas: tuple[str, ...] = ()) -> str:
    """Graphviz dot, left to right in time; nodes coloured by verksamhetsområde (`areas`: the models' list, whose
    order gives the colours)."""
    colours = area_colours(areas)
    lines = ["digraph beroenden {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fontcolor=white];']
    for r in _records(graph):
        colour = colours.get(r["verksamhetsomrade"], OTHER_COLOUR)
        lines.append(f"  {_quoted(r['id'])} [label={_quoted(r['id'] + ' ' + r['driftsattning'])}, "
                     f'fillcolor="{colour}", tooltip={_quoted(r["namn"])}];')
    for p, d in graph.graph.edges():
        lag = graph.edge(p, d).fordrojning_manader
        lines.append(f"  {_quoted(p)} -> {_quoted(d)}" + (f' [label="+{lag} mån"]' if lag else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"
