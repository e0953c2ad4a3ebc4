"""Hypothesis strategies for random plans, as records (InvestmentObject): mixed classes, explicit components,
löpande pots, medfinansiering, spend before the plan period and after driftsättning."""

from __future__ import annotations

from hypothesis import strategies as st

from invest.plan.records import CoFinancing, Component, Driftsattning, InvestmentObject, Plan, Source

CLASSES = ["it", "medicinteknik", "kollektivtrafik", "fastighet", "fastighet_komponenter", "inventarier", "fordon", "mark",
           "bidrag_statlig_infrastruktur"]
LIVES = [0, 1, 2.5, 4, 7, 10, 25, 35, 50]
PLAN_YEARS = tuple(range(2026, 2041))
OUTTURN_YEAR = 2025  # spend before the plan period is outturn: one amount "t.o.m. 2025", as a planner's workbook has it

amounts = st.floats(min_value=0.1, max_value=5000, allow_nan=False).map(lambda x: round(x, 1))


@st.composite
def plan_object(draw, index: int) -> InvestmentObject:
    years = draw(st.lists(st.integers(2023, 2040), min_size=1, max_size=8, unique=True))
    spend = {y: draw(amounts) for y in sorted(years)}
    asset_class = draw(st.sampled_from(CLASSES))
    bidrag = asset_class == "bidrag_statlig_infrastruktur"  # decided on a date, dissolved over at most 25 years
    kind = draw(st.sampled_from(["year", "month"] if bidrag else ["year", "month", "lopande"]))
    if kind == "lopande":
        drift = Driftsattning(None, None, lopande=True, lag=draw(st.sampled_from([0, 0, 1, 3])))
    else:
        year = draw(st.integers(min(years) - 1, max(years) + 2))
        drift = Driftsattning(year, draw(st.integers(1, 12)) if kind == "month" else None)
    components = None
    if draw(st.booleans()):
        n = draw(st.integers(1, 3))
        weights = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
        shares = [w / sum(weights) for w in weights]
        shares[-1] = 1 - sum(shares[:-1])
        lives = [life for life in LIVES if 0 < life <= 25] if bidrag else LIVES
        components = tuple(Component(f"k{j}", s, float(draw(st.sampled_from(lives)))) for j, s in enumerate(shares))
    total = sum(spend.values())
    medfin = draw(st.sampled_from([0.0, round(total * 0.4, 1), round(total * 0.5, 1), round(total, 1)]))
    medfin = min(medfin, total)
    early = [a for y, a in spend.items() if y < PLAN_YEARS[0]]
    utgifter = ((OUTTURN_YEAR, sum(early)),) if early else ()
    utgifter += tuple((y, a) for y, a in spend.items() if y >= PLAN_YEARS[0])
    return InvestmentObject(
        id=f"OBJ-{index}", namn=f"Objekt {index}", organisation="", verksamhetsomrade="", kategori="", investeringstyp="",
        skede="", tillgangsklass=asset_class, driftsattning=drift, utgifter=utgifter,
        medfinansiering=(CoFinancing("ej angiven", medfin),) if medfin else (), komponenter=components, beroenden=(),
        source=Source("genererad", "Objekt", index + 2))


@st.composite
def objects(draw, max_objects: int = 6) -> list[InvestmentObject]:
    n = draw(st.integers(1, max_objects))
    return [draw(plan_object(i)) for i in range(n)]


def as_plan(objs: list[InvestmentObject]) -> Plan:
    """The objects as a plan over 2026–2040, with the outturn column when any object has spend before 2026."""
    outturn = OUTTURN_YEAR if any(y < PLAN_YEARS[0] for o in objs for y, _ in o.utgifter) else None
    return Plan("genererad.xlsx", tuple(objs), PLAN_YEARS, outturn, None)
