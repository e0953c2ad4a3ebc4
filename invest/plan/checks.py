"""Plan-level checks: plain functions in a list, each returning findings with sheet and cell."""

from __future__ import annotations

import networkx as nx

from invest.plan.dependency_graph import DependencyGraph, month_text
from invest.base import swedish
from invest.base.values import LAST_YEAR
from invest.base.findings import Finding, error, warning
from invest.params.parameters import Models
from invest.plan.records import Component, Plan
from invest.plan import vocabulary as v


def check_ids(plan: Plan, models: Models) -> list[Finding]:
    found, first = [], {}
    for obj in plan.objects:
        if not obj.id:
            found.append(error(obj.source.at("id"), "id saknas (varje objekt behöver ett unikt id)"))
        elif obj.id in first:
            found.append(error(obj.source.at("id"), f'id "{obj.id}" finns redan på {first[obj.id].at("id")} (väntat unika id)'))
        else:
            first[obj.id] = obj.source
    return found


def check_asset_classes(plan: Plan, models: Models) -> list[Finding]:
    known = models.asset_classes
    found = []
    for obj in plan.objects:
        if obj.komponenter:
            continue
        named = f'"{obj.namn}" ({obj.id})' if obj.namn and obj.namn != obj.id else f'"{obj.id}"'
        if not obj.tillgangsklass:
            found.append(error(obj.source.at("tillgangsklass"),
                               f"tillgångsklass saknas för {named} (väntat en av {', '.join(sorted(known))}, "
                               f"eller komponenter på bladet {v.COMPONENT_SHEET}; ett eget ord kan översättas under "
                               "varden: i en mappningsfil)"))
        elif obj.tillgangsklass not in known:
            found.append(error(obj.source.at("tillgangsklass"),
                               f'okänd tillgångsklass "{obj.tillgangsklass}" för {named} (väntat en av '
                               f'{", ".join(sorted(known))}; ett eget ord kan översättas under varden: i en '
                               "mappningsfil)"))
    return found


BIDRAG_MAX_LIFE = 25  # years: LKBR, a bidrag till statlig infrastruktur is dissolved over at most 25 years


def check_bidrag(plan: Plan, models: Models) -> list[Finding]:
    """A bidrag till statlig infrastruktur (LKBR) is recognised at its decision and dissolved over at most 25 years."""
    start = plan.first_year
    classes = models.conventions(start).bidragsklasser
    found = []
    for obj in plan.objects:
        if obj.tillgangsklass not in classes or not (obj.komponenter or obj.tillgangsklass in models.asset_classes):
            continue
        if obj.driftsattning.lopande:
            found.append(error(obj.source.at("driftsattning"),
                               f'"{obj.id}" är ett bidrag till statlig infrastruktur: driftsättning ska vara datumet då '
                               f'bidraget beslutas (ÅÅÅÅ eller ÅÅÅÅ-MM), fick "{obj.driftsattning}"'))
        comps = obj.komponenter or tuple(Component(n, s, life) for n, s, life in
                                         models.asset_class_at(obj.tillgangsklass, start))
        for c in comps:
            if not 0 < c.life <= BIDRAG_MAX_LIFE:
                found.append(error(obj.source.at("komponenter" if obj.komponenter else "tillgangsklass"),
                                   f'"{obj.id}" är ett bidrag till statlig infrastruktur: upplösningstiden ska vara '
                                   f"högst {BIDRAG_MAX_LIFE} år (LKBR), fick {c.life:g} år för {c.name}"))
    return found


def check_medfinansiering(plan: Plan, models: Models) -> list[Finding]:
    found = []
    for obj in plan.objects:
        total, spend = obj.total_medfinansiering, obj.total_spend
        if total > spend + 1e-9:
            found.append(error(obj.source.at("medfinansiering"),
                               f"medfinansiering {swedish.number(total)} mnkr överstiger objektets totala utgift "
                               f'{swedish.number(spend)} mnkr för "{obj.id}" ({swedish.number(total - spend)} mnkr för '
                               "mycket)"))
        for part in obj.medfinansiering:
            if part.year is not None and not any(y == part.year for y, _ in obj.utgifter) and part.year not in plan.plan_years:
                found.append(warning(obj.source.at("medfinansiering"),
                                     f'medfinansiering från {part.part} tas emot {part.year}, utanför planens år'))
    return found


def check_spend(plan: Plan, models: Models) -> list[Finding]:
    found = []
    for obj in plan.objects:
        if not obj.utgifter:
            found.append(warning(obj.source.at("id"), f'objektet "{obj.id}" har inga utgifter'))
            continue
        d = obj.driftsattning
        if not d.lopande and d.year < min(y for y, _ in obj.utgifter):
            found.append(warning(obj.source.at("driftsattning"),
                                 f'driftsättning {d} ligger före objektets första utgiftsår {min(y for y, _ in obj.utgifter)}; '
                                 "varje års utgift aktiveras då 1 juli samma år"))
    return found


def check_dependencies(plan: Plan, models: Models) -> list[Finding]:
    """Unknown ids (naming the object that refers to them), cycles (the whole cycle) and a dependent planned to
    open before its predecessor + lag (both dates)."""
    if not any(obj.beroenden for obj in plan.objects):
        return []  # nothing to check (and no graph of a large sheet's objects to build)
    graph = DependencyGraph(plan)
    found = [error(dep.location, f'"{obj.id}" beror på "{dep.pa}", som inte finns bland objekten')
             for obj, dep in graph.unknown]
    if len(graph.objects) < len(plan.objects):  # duplicate ids (check_ids) make the graph meaningless
        return found
    for cycle in graph.cycles():
        stated = graph.edge(cycle[1 % len(cycle)], cycle[0])  # where cycle[0] is said to depend on cycle[1]
        found.append(error(stated.location, "beroendena bildar en cykel: " + " → ".join(cycle + [cycle[0]])
                           + ' ("→" = beror på); inget av objekten kan tas i bruk först'))
    if found or not plan.plan_years:
        return found
    opens = graph.opening_months(models.conventions(plan.plan_years[0]), plan.plan_years[0])
    found = _beyond_last_year(graph, opens)
    return found + [warning(v_.dependency.location, f"{v_.clash()}; väntat tidigast {month_text(v_.earliest)}")
            for v_ in graph.violations(opens)]


def _beyond_last_year(graph: DependencyGraph, opens: dict[str, int | None]) -> list[Finding]:
    """A chain of lags that puts an object's earliest opening after LAST_YEAR, the last year the tool computes (a
    delay of the first object would move the chain there): an error at the dependency where the chain crosses it,
    once per chain. One pass over the objects in dependency order (the graph is acyclic here)."""
    last = LAST_YEAR * 12 + 11  # December of LAST_YEAR as a month number
    earliest: dict[str, int | None] = {}
    found = []
    for oid in nx.topological_sort(graph.graph):
        best, crossing = opens.get(oid), None
        for p in graph.graph.predecessors(oid):
            if best is None or earliest.get(p) is None:
                continue
            lag = graph.edge(p, oid).fordrojning_manader
            if earliest[p] + lag > best:
                best = earliest[p] + lag
                crossing = graph.edge(p, oid) if earliest[p] <= last < best else None
        earliest[oid] = best
        if crossing is not None:
            found.append(error(crossing.location, f'beroendena gör att "{oid}" tidigast kan tas i bruk '
                                                  f"{month_text(best)}, efter {LAST_YEAR} (det sista år verktyget "
                                                  "räknar med); korta fördröjningarna i kedjan"))
    return found


def check_vocabulary(plan: Plan, models: Models) -> list[Finding]:
    """The enumerated columns: the verksamhetsområden of models/import/verksamhetsomraden.yaml (a region's or a
    kommun's own), the tool's own kategorier, investeringstyper and skeden. An object without a verksamhetsområde
    is computed, but shown apart in the report, so it is a warning too."""
    areas = models.areas(plan.first_year)
    found = []
    without: dict[tuple[str, str], list] = {}  # (file, sheet) -> the objects without a verksamhetsområde
    for obj in plan.objects:
        if not obj.verksamhetsomrade:
            without.setdefault((obj.source.file, obj.source.sheet), []).append(obj)
    for (file, sheet), objs in without.items():
        where = objs[0].source.at("verksamhetsomrade") if len(objs) == 1 else \
            f"{file}:{sheet}!{swedish.rows([o.source.row for o in objs])}"
        what = f'"{objs[0].id}"' if len(objs) == 1 else f"{len(objs)} objekt"
        found.append(warning(where, f"verksamhetsområde saknas för {what} (väntat en av {', '.join(areas)}); "
                                    f'{"objektet redovisas" if len(objs) == 1 else "de redovisas"} som "{v.NO_AREA}" '
                                    "i rapporten"))
    for obj in plan.objects:
        for field, allowed in (("verksamhetsomrade", areas), ("kategori", v.KATEGORIER),
                               ("investeringstyp", v.INVESTERINGSTYPER), ("skede", v.SKEDEN)):
            value = getattr(obj, field)
            if value and v.canonical(value, allowed) is None:
                found.append(warning(obj.source.at(field), f'{field} "{value}" är okänt (väntat en av {", ".join(allowed)})'))
    return found


def check_region(plan: Plan, models: Models) -> list[Finding]:
    region = plan.region
    if region is None:
        return []
    found = []
    years = {r.year for r in region.years}
    if plan.plan_years and not region.years:
        found.append(error(f"{plan.file}:{v.REGION_SHEET}", "bladet har inga år"))
    for r in region.years:
        for name in ("totala_intakter", "ovriga_intakter"):
            value = getattr(r, name)
            if value is not None and value <= 0:
                what = "totala intäkter" if name == "totala_intakter" else "övriga intäkter"
                found.append(error(r.source.at(name), f"{what} {value:g} mnkr, väntat > 0"))
    if not region.befintliga:
        for r in region.years:
            if r.befintliga_avskrivningar is None and r.year in plan.plan_years:
                found.append(warning(r.source.at("befintliga_avskrivningar"),
                                     f"befintliga avskrivningar saknas för {r.year} och bladet {v.EXISTING_SHEET} saknas; "
                                     "räknas som 0"))
    known = models.asset_classes
    for e in region.befintliga:
        if e.tillgangsklass not in known:
            found.append(error(e.source.at("tillgangsklass"),
                               f'okänd tillgångsklass "{e.tillgangsklass}" (väntat en av {", ".join(sorted(known))})'))
    first = plan.plan_years[0] if plan.plan_years else None
    if region.years and first and not any((r.totala_intakter is not None or r.ovriga_intakter is not None)
                                          and r.year <= first for r in region.years):
        found.append(error(region.years[0].source.at("totala_intakter"),
                           f"totala intäkter saknas för planens första år {first} (väntat ett belopp i mnkr; senare år "
                           "kan skrivas fram med models/region/intaktstillvaxt.yaml)"))
    if region.years and first and min(years) > first:
        found.append(error(region.years[0].source.at("ar"),
                           f"Region-bladet börjar {min(years)}, efter planens första år {plan.plan_years[0]}"))
    return found


CHECKS = (check_ids, check_asset_classes, check_bidrag, check_medfinansiering, check_spend, check_dependencies, check_vocabulary,
          check_region)


def check_plan(plan: Plan, models: Models) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(plan, models)]
