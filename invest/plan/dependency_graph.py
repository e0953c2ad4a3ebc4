"""The plan's beroenden as a directed graph: who waits for whom, cycles, chains, and opening order."""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

from invest.params.parameters import Conventions
from invest.plan.records import Dependency, InvestmentObject, Plan

MAX_CHAINS = 500  # all source-to-sink paths are listed up to this many; a hundred objects rarely come near


def opening_month(obj: InvestmentObject, conv: Conventions, first_year: int) -> int | None:
    """Month number (year·12 + month − 1) the object is taken into use: its driftsättning (month 7 when only a year
    is given), or for a löpande pot the first activation of its spend from the plan's first year; None when a pot
    spends nothing in the plan period."""
    d = obj.driftsattning
    if not d.lopande:
        return d.year * 12 + (d.month or conv.standardmanad) - 1
    years = [y for y, amount in obj.utgifter if y >= first_year and amount]
    return (min(years) + d.lag) * 12 + conv.efter_driftsattning_manad - 1 if years else None


def years_to_wait(predecessor_opens: int, lag: int, opens: int) -> int:
    """Whole years an object opening at month `opens` must move (≥ 0: later, < 0: it could come that much earlier)
    to open at or after its predecessor + lag."""
    return math.ceil((predecessor_opens + lag - opens) / 12)


def month_text(month: int) -> str:
    return f"{month // 12}-{month % 12 + 1:02d}"


@dataclass(frozen=True)
class Violation:
    """`dependent` opens before `predecessor` + lag: at `opens`, earliest allowed `earliest` (month numbers)."""

    predecessor: str
    dependent: str
    dependency: Dependency
    predecessor_opens: int
    opens: int

    @property
    def earliest(self) -> int:
        return self.predecessor_opens + self.dependency.fordrojning_manader

    def clash(self, now: bool = False) -> str:
        """`"B" tas i bruk 2028-09, före "A" (2028-07 + 6 månader)`; `now` for a date a change has just set."""
        lag = self.dependency.fordrojning_manader
        return (f'"{self.dependent}" tas{" nu" if now else ""} i bruk {month_text(self.opens)}, före "{self.predecessor}" '
                f'({month_text(self.predecessor_opens)}{f" + {lag} månader" if lag else ""})')


class DependencyGraph:
    """The objects of a plan and their beroenden, on a networkx DiGraph.

    An edge P → D means **D depends on P** (D waits for P): edges point forward in time, from the object that
    must be taken into use first to the one that waits. Each edge carries the `Dependency` (its lag in months,
    `fordrojning_manader`, and the cell that states it). References to ids that are not in the plan are kept
    aside in `unknown` as (object, dependency) and get no edge.
    """

    def __init__(self, plan: Plan):
        self.objects = {o.id: o for o in plan.objects}
        self.graph = nx.DiGraph()
        self.graph.add_nodes_from(self.objects)
        self.unknown: list[tuple[InvestmentObject, Dependency]] = []
        for obj in plan.objects:
            for dep in obj.beroenden:
                if dep.pa in self.objects:
                    self.graph.add_edge(dep.pa, obj.id, dependency=dep)
                else:
                    self.unknown.append((obj, dep))

    def predecessors(self, oid: str) -> list[Dependency]:
        """What `oid` waits for."""
        return [self.graph.edges[p, oid]["dependency"] for p in sorted(self.graph.predecessors(oid))]

    def successors(self, oid: str) -> list[str]:
        """The objects that wait for `oid`."""
        return sorted(self.graph.successors(oid))

    def edge(self, predecessor: str, dependent: str) -> Dependency:
        return self.graph.edges[predecessor, dependent]["dependency"]

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected knot, in "beror på" order from its smallest id: [A, B, C] means A depends
        on B, B on C and C on A (the edges run C → B → A → C)."""
        found = []
        for knot in nx.strongly_connected_components(self.graph):
            first = min(knot)
            if len(knot) == 1 and not self.graph.has_edge(first, first):
                continue
            edges = nx.find_cycle(self.graph.reverse(copy=False).subgraph(knot), source=first)
            found.append([u for u, _ in edges])
        return sorted(found)

    def opening_months(self, conv: Conventions, first_year: int) -> dict[str, int | None]:
        return {oid: opening_month(o, conv, first_year) for oid, o in self.objects.items()}

    def involved(self) -> list[str]:
        """Ids with at least one dependency either way, in plan order."""
        return [oid for oid in self.objects if self.graph.degree(oid)]

    def chains(self) -> list[list[str]]:
        """Every path from an object that waits for nothing to one nothing waits for (acyclic graphs only)."""
        sources = [n for n in self.graph if self.graph.in_degree(n) == 0 and self.graph.out_degree(n)]
        sinks = [n for n in self.graph if self.graph.out_degree(n) == 0 and self.graph.in_degree(n)]
        chains = []
        for s in sources:
            for path in nx.all_simple_paths(self.graph, s, sinks):
                chains.append(path)
                if len(chains) >= MAX_CHAINS:
                    return chains
        return sorted(chains, key=lambda c: (-len(c), c))

    def violations(self, opens: dict[str, int | None]) -> list[Violation]:
        """Dependencies where the dependent opens before its predecessor + lag (objects without a date are skipped)."""
        found = []
        for p, d, data in self.graph.edges(data=True):
            if p == d or opens.get(p) is None or opens.get(d) is None:
                continue
            v = Violation(p, d, data["dependency"], opens[p], opens[d])
            if v.opens < v.earliest:
                found.append(v)
        return found

    def propagate(self, opens: dict[str, int | None], oid: str, years: int) -> dict[str, int]:
        """Whole years each object moves when `oid` moves `years` (propagate_all with one object moved)."""
        return self.propagate_all(opens, {oid: years})

    def propagate_all(self, opens: dict[str, int | None], given: dict[str, int]) -> dict[str, int]:
        """Whole years each object moves when the objects of `given` move their years: every object downstream of
        any of them moves by the smallest number of years ≥ 0 that puts it at or after each moved predecessor + lag
        (a given object too, when what it waits for moves further than it). Bringing an object forward moves nothing
        downstream (the constraints only loosen)."""
        moves = dict(given)
        below = set(given).union(*(nx.descendants(self.graph, oid) for oid in given))
        for d in nx.topological_sort(self.graph.subgraph(below)):
            need = 0
            for p in self.graph.predecessors(d):
                if moves.get(p) and opens.get(p) is not None and opens.get(d) is not None:
                    need = max(need, years_to_wait(opens[p] + 12 * moves[p], self.edge(p, d).fordrojning_manader,
                                                   opens[d]))
            if need and need > moves.get(d, 0):
                moves[d] = need
        return moves
