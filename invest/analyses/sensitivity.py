"""`invest kanslighet`: the budget's känslighetsanalys for capital costs. Each driver — the market rate, revenue
growth, the skatteunderlag, overrun per asset class, a delay of each of the largest objects, the useful life per
asset class — at the standard steps of models/kanslighet/steg.yaml, with the share per plan year, the share in the
base plan's peak year (the tornado) and Δ kapitalkostnader over the plan period; and each driver's break-even: the
change at which the plan's highest share equals the riktvärde — where the first year reaches it, or, for a plan
that already breaches, where the last year leaves it.

The break-even is exact where the model is linear in the driver (the market rate: interest is linear in the
rates; the skatteunderlag: revenue is linear in it; so each year's marginal is a line), by bisection to a stated
precision otherwise (revenue growth compounds; an overrun moves when co-financing is received; lives are whole
months), and in whole years for delays. Every evaluation goes through analyses/changes.py, all drivers together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from invest.analyses.changes import Change, Changes, Overrun
from invest.engine.calculation import Calculation

STEPS = "kanslighet/steg"
EXACT, BISECTION, WHOLE_YEARS = "exakt", "bisektion", "hela år"
PRECISION = {"procentenhet": 1e-6, "procent": 1e-5, "år": 0.01}  # bisection stops at this bracket width (andring)


@dataclass(frozen=True)
class Driver:
    """One driver: `build(x)` is the change of `x` (andring, in the driver's unit as a fraction or years),
    `fragment(x)` the same as a scenario file's keys."""

    id: str
    kind: str  # marknadsranta | intaktstillvaxt | skatteunderlag | fordyring | forsening | nyttjandeperiod
    subject: str  # the asset class or object id the driver is about ("" for the region's drivers)
    unit: str  # procentenhet | procent | år (how andring is shown)
    step: float
    method: str
    low: float  # the smallest andring searched for the break-even
    high: float
    build: Callable[[float], Change] = field(repr=False)
    fragment: Callable[[float], dict] = field(repr=False)


@dataclass(frozen=True)
class Step:
    step: int
    change: float  # andring
    shares: np.ndarray | None  # per plan year; None when the step cannot be computed (`reason`)
    peak_share: float | None  # in the base plan's peak year
    delta_cost: float | None  # Δ kapitalkostnader summed over the plan period, mnkr
    fragment: dict
    reason: str = ""


@dataclass(frozen=True)
class BreakEven:
    change: float | None  # andring; None when none within the searched range (`note`)
    year: int | None  # the year whose share is at the riktvärde there
    precision: float  # ± andring (0 when exact)
    method: str
    fragment: dict | None
    note: str = ""


@dataclass(frozen=True)
class DriverResult:
    driver: Driver
    steps: tuple[Step, ...]
    break_even: BreakEven


@dataclass(frozen=True)
class SensitivityResult:
    calculation: Calculation
    years: np.ndarray  # the plan years
    base_shares: np.ndarray
    peak_year: int
    drivers: tuple[DriverResult, ...]

    @property
    def riktvarde(self) -> float:
        return self.calculation.conventions.riktvarde

    @property
    def base_peak(self) -> float:
        return float(self.base_shares[list(self.years).index(self.peak_year)])


def drivers(engine: Changes) -> list[Driver]:
    """The drivers of this plan, in the budget table's order."""
    calc, first = engine.calc, engine.first
    steps = calc.models.value(STEPS, first)
    reach = steps["sokgrans_steg"]
    growth = calc.conventions.intaktstillvaxt
    out = [
        Driver("marknadsranta", "marknadsranta", "", "procentenhet", steps["marknadsranta"], EXACT,
               -reach * steps["marknadsranta"], reach * steps["marknadsranta"],
               lambda x: Change(rate=(x, first)),
               lambda x: {"marknadsranta": {"tillagg": x, "fran_ar": first}}),
        Driver("intaktstillvaxt", "intaktstillvaxt", "", "procentenhet", steps["intaktstillvaxt"], BISECTION,
               -reach * steps["intaktstillvaxt"], reach * steps["intaktstillvaxt"],
               lambda x: Change(growth=growth + x), lambda x: {"intaktstillvaxt": growth + x}),
        Driver("skatteunderlag", "skatteunderlag", "", "procentenhet", steps["skatteunderlag"], EXACT,
               -reach * steps["skatteunderlag"], reach * steps["skatteunderlag"],
               lambda x: Change(tax_base=(x, first)),
               lambda x: {"skatteunderlag": {"tillagg": x, "fran_ar": first}}),
    ]
    plan = calc.plan
    spending = [o for o in plan.objects if any(y >= first and a for y, a in o.utgifter)]
    for klass in dict.fromkeys(o.tillgangsklass for o in spending):
        out.append(Driver(f"fordyring:{klass}", "fordyring", klass, "procent", steps["fordyring"], BISECTION,
                          max(-1.0, -reach * steps["fordyring"]), reach * steps["fordyring"],
                          lambda x, k=klass: Change(overruns=(Overrun("tillgangsklass", k, 1 + x, first),)),
                          lambda x, k=klass: {"fordyring": [{"tillgangsklass": k, "faktor": 1 + x, "fran_ar": first}]}))
    period = set(plan.plan_years)
    size = {o.id: sum(a for y, a in o.utgifter if y in period) for o in plan.objects}
    movable = [o for o in plan.objects if engine.delays.movable(o.id) is None and size[o.id] > 0]
    largest = sorted(movable, key=lambda o: -size[o.id])[:int(steps["antal_objekt"])]
    for o in largest:
        out.append(Driver(f"forsening:{o.id}", "forsening", o.id, "år", steps["forsening"], WHOLE_YEARS,
                          -reach * steps["forsening"], reach * steps["forsening"],
                          lambda x, oid=o.id: Change(delays=((oid, int(round(x))),)),
                          lambda x, oid=o.id: {"forseningar": [{"objekt": oid, "ar": int(round(x))}]}))
    used = {o.tillgangsklass for o in plan.objects if not o.komponenter}
    used |= {e.tillgangsklass for e in (plan.region.befintliga if plan.region else ())}
    for klass in [k for k in calc.models.asset_classes if k in used]:
        life = calc.models.class_life(klass, first)
        if life is None:
            continue
        out.append(Driver(f"nyttjandeperiod:{klass}", "nyttjandeperiod", klass, "år", steps["nyttjandeperiod"] * life,
                          BISECTION, -0.9 * life, min(reach * steps["nyttjandeperiod"] * life, 100 - life),
                          lambda x, k=klass, L=life: Change(lives=((k, L + x),)),
                          lambda x, k=klass, L=life: {"nyttjandeperiod": [{"tillgangsklass": k, "ar": L + x}]}))
    return out


class _Evaluator:
    """Evaluates (driver, andring) pairs, all in one engine run per call; a pair that cannot be computed (a delay
    before the plan, a life beyond the tool's range) gets its reason instead."""

    def __init__(self, engine: Changes, period: np.ndarray):
        self.engine, self.period = engine, period
        self.limit = engine.calc.conventions.riktvarde

    def __call__(self, pairs: list[tuple[Driver, float]]) -> list[dict | str]:
        if not pairs:
            return []
        failed: dict[int, str] = {}
        result = self.engine.evaluate([d.build(x) for d, x in pairs], failed)
        return [failed[k] if k in failed else
                {"andel": result.values["andel"][k][self.period], "marginal": result.values["marginal"][k][self.period],
                 "delta_kapitalkostnader": result.delta("kapitalkostnader")[k][self.period].sum()}
                for k in range(len(pairs))]

    def excess(self, figures: dict) -> float:
        """How far the highest share is over the riktvärde (≥ 0: a breach)."""
        return float(np.max(figures["andel"]) - self.limit)


def sensitivity(calc: Calculation) -> SensitivityResult:
    engine = Changes(calc)
    period = np.isin(engine.years, calc.plan.plan_years)
    years = engine.years[period]
    base = engine.base["andel"][period]
    peak = int(np.argmax(base))
    evaluate = _Evaluator(engine, period)
    ds = drivers(engine)
    count = int(calc.models.value(STEPS, engine.first)["antal_steg"])
    ks = [k for k in range(-count, count + 1) if k]
    pairs = [(d, k * d.step) for d in ds for k in ks]
    figures = evaluate(pairs)
    table = {}
    for (d, x), k, fig in zip(pairs, ks * len(ds), figures):
        if isinstance(fig, dict):
            step = Step(k, x, fig["andel"], float(fig["andel"][peak]), float(fig["delta_kapitalkostnader"]),
                        d.fragment(x))
        else:
            step = Step(k, x, None, None, None, d.fragment(x), fig)
        table.setdefault(d.id, []).append(step)
    base_fig = {"andel": base, "marginal": engine.base["marginal"][period]}
    evens = _break_evens(ds, base_fig, dict(zip(pairs, figures)), evaluate, years)
    return SensitivityResult(calc, years, base, int(years[peak]),
                             tuple(DriverResult(d, tuple(table[d.id]), evens[d.id]) for d in ds))


def _break_evens(ds: list[Driver], base: dict, known: dict, evaluate: _Evaluator, years: np.ndarray) -> dict:
    """Each driver's break-even: exact from two evaluations for the linear ones, else the nearest change that
    flips the verdict, found on the grid of steps out to the search range, then narrowed by bisection."""
    breaching = evaluate.excess(base) >= 0
    out: dict[str, BreakEven] = {}  # drivers without a break-even
    at: dict[str, tuple[Driver, float, float]] = {}  # driver, change, precision
    for d in [d for d in ds if d.method == EXACT]:
        x = _linear(d, base, known.get((d, d.step)), breaching)
        if isinstance(x, str):
            out[d.id] = BreakEven(None, None, 0.0, EXACT, None, x)
        else:
            at[d.id] = (d, x, 0.0)
    grid = [d for d in ds if d.method != EXACT]
    flips: dict[str, tuple[float, float]] = {}
    for d in grid:
        found = _first_flip(d, known, evaluate, breaching, within=True)
        if found:
            flips[d.id] = found
    rest = [d for d in grid if d.id not in flips]
    far = [(d, k * d.step) for d in rest for k in _far_steps(d)]
    known = {**known, **dict(zip(far, evaluate(far)))}
    for d in rest:
        found = _first_flip(d, known, evaluate, breaching, within=False)
        if found:
            flips[d.id] = found
        else:
            out[d.id] = BreakEven(None, None, 0.0, d.method, None, _NOT_FOUND[breaching])
    brackets = {d.id: flips[d.id] for d in grid if d.id in flips}
    by_id = {d.id: d for d in grid}
    for oid in [i for i in brackets if by_id[i].method == WHOLE_YEARS]:
        at[oid] = (by_id[oid], brackets.pop(oid)[1], 0.0)
    while brackets:  # bisection, every driver's midpoint in one engine run
        mids = [(by_id[i], (a + b) / 2) for i, (a, b) in brackets.items()]
        for (d, mid), fig in zip(mids, evaluate(mids)):
            a, b = brackets[d.id]
            flipped = isinstance(fig, str) or (evaluate.excess(fig) >= 0) != breaching
            brackets[d.id] = (a, mid) if flipped else (mid, b)
        for i, (a, b) in list(brackets.items()):
            d = by_id[i]
            if abs(b - a) <= PRECISION[d.unit]:  # the change that flips the verdict; one precision nearer does not
                del brackets[i]
                at[i] = (d, b, abs(b - a))
    figures = evaluate([(d, x) for d, x, _ in at.values()])  # the year each binds in, in one engine run
    for (i, (d, x, precision)), fig in zip(at.items(), figures):
        year = int(years[int(np.argmax(fig["andel"]))]) if isinstance(fig, dict) else None
        out[i] = BreakEven(x, year, precision, d.method, d.fragment(x))
    return out


_NOT_FOUND = {True: "planen kommer inte under riktvärdet alla år inom sökområdet",
              False: "inget år når riktvärdet inom sökområdet"}
FAR = (4, 6, 10, 15, 20)  # steps beyond the table's where a continuous driver's break-even is looked for


def _far_steps(d: Driver) -> list[int]:
    """Steps beyond the table's, out to the driver's search range, both directions: every whole step for a delay,
    FAR (and the range's end) for a continuous driver, whose bracket bisection then narrows."""
    up = int(np.floor(d.high / d.step + 1e-9))
    down = int(np.floor(-d.low / d.step + 1e-9))
    reach = range(4, max(up, down) + 1) if d.method == WHOLE_YEARS else sorted({*FAR, up, down})
    return [k for n in reach for k in (n, -n) if (3 < k <= up or 3 < -k <= down)]


def _first_flip(d: Driver, known: dict, evaluate: _Evaluator, breaching: bool,
                within: bool) -> tuple[float, float] | None:
    """The bracket (last change with the base's verdict, first change with the other), nearest 0 either way,
    from the changes evaluated so far; `within` the table's steps only."""
    best = None
    for sign in (1, -1):
        last = 0.0
        tried = sorted((x for e, x in known if e == d and x * sign > 0), key=abs)
        for x in tried[:3] if within else tried:
            fig = known[(d, x)]
            if isinstance(fig, str):
                break
            if (evaluate.excess(fig) >= 0) != breaching:
                if best is None or abs(x) < abs(best[1]):
                    best = (last, x)
                break
            last = x
    return best


def _linear(d: Driver, base: dict, step: dict | str | None, breaching: bool) -> float | str:
    """Each year's marginal is m + b·x: the plan passes where every marginal is positive, an interval; the
    break-even is its end nearest 0 (the first year to reach the riktvärde, or the last to leave it). Returns the
    change, or why there is none."""
    if not isinstance(step, dict):
        return "kan inte beräknas"
    m = base["marginal"]
    b = (step["marginal"] - m) / d.step
    with np.errstate(divide="ignore", invalid="ignore"):
        roots = -m / b
    low = np.max(roots[b > 0]) if (b > 0).any() else -np.inf
    high = np.min(roots[b < 0]) if (b < 0).any() else np.inf
    never = ((b == 0) & (m <= 0)).any()
    if breaching:
        candidates = [] if never or low >= high else [x for x in (low, high) if np.isfinite(x)]
        candidates = [x for x in candidates if (x > 0 and x == low) or (x < 0 and x == high)]
    else:
        candidates = [x for x in (low, high) if np.isfinite(x)]
    candidates = [x for x in candidates if d.low <= x <= d.high]
    return float(min(candidates, key=abs)) if candidates else _NOT_FOUND[breaching]
