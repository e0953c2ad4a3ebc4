"""Hypothesis strategies for random plans: mixed classes, explicit components, löpande pots, medfinansiering,
spend before the plan period and after driftsättning."""

from __future__ import annotations

from hypothesis import strategies as st

CLASSES = ["it", "medicinteknik", "kollektivtrafik", "fastighet", "fastighet_komponenter", "inventarier", "fordon", "mark"]
LIVES = [0, 1, 2.5, 4, 7, 10, 25, 35, 50]

amounts = st.floats(min_value=0.1, max_value=5000, allow_nan=False).map(lambda x: round(x, 1))


@st.composite
def plan_object(draw, index: int):
    years = draw(st.lists(st.integers(2023, 2040), min_size=1, max_size=8, unique=True))
    spend = {y: draw(amounts) for y in sorted(years)}
    kind = draw(st.sampled_from(["year", "month", "lopande"]))
    if kind == "lopande":
        lag = draw(st.sampled_from([0, 0, 1, 3]))
        drift = f"löpande +{lag}" if lag else "löpande"
    else:
        year = draw(st.integers(min(years) - 1, max(years) + 2))
        drift = str(year) if kind == "year" else f"{year}-{draw(st.integers(1, 12)):02d}"
    components = None
    if draw(st.booleans()):
        n = draw(st.integers(1, 3))
        weights = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
        shares = [w / sum(weights) for w in weights]
        shares[-1] = 1 - sum(shares[:-1])
        components = [(s, draw(st.sampled_from(LIVES))) for s in shares]
    total = sum(spend.values())
    medfin = draw(st.sampled_from([0.0, round(total * 0.4, 1), round(total * 0.5, 1), round(total, 1)]))
    medfin = min(medfin, total)
    return {
        "id": f"OBJ-{index}", "namn": f"Objekt {index}", "tillgangsklass": draw(st.sampled_from(CLASSES)),
        "driftsattning": drift, "medfinansiering": medfin or None, "utgifter": spend, "komponenter": components,
    }


@st.composite
def plans(draw, max_objects: int = 6):
    n = draw(st.integers(1, max_objects))
    return [draw(plan_object(i)) for i in range(n)]


def component_rows(objects: list[dict]) -> list[dict]:
    return [{"id": o["id"], "komponent": f"k{j}", "andel": s, "nyttjandeperiod": life}
            for o in objects if o["komponenter"] for j, (s, life) in enumerate(o["komponenter"])]


def template_rows(objects: list[dict]) -> list[dict]:
    return [{k: v for k, v in o.items() if k != "komponenter"} for o in objects]
