"""`invest risk`: the probability that the capital-cost share reaches the riktvärde, from reference-class overruns
and delays (models/risk/: a lognormal cost factor per asset class on remaining spend, a discrete delay in whole
years per asset class, one common factor shared by every object; docs/berakningsmodell.md §10).

Each draw gives every object its own cost factor F and delay; delays propagate through beroenden as
`invest forsening` moves objects; outturn never moves or grows, medfinansiering stays the same in kronor, löpande
pots and objects already in use carry overrun but no delay. A draw is not a full recompute: with an object's shift
fixed, every figure of it is linear in its spend and in two ratios of its medfinansiering — the share of
depreciation released, g = M / (O + F·R), and the pro-rata receipt per krona, h = (M − scheduled) / (O + F·R), with
O its outturn and R its remaining spend (engine/object_grid.py `ratios`). So one engine run of seven parts per
object and shift (outturn and remaining spend, each alone and with g = 1 or h = 1, and the scheduled receipts)
turns every draw into sums of those parts times 1, F, g, gF, h, hF; the region's Δ then goes through its debt model
as every change does (engine/plan_change.py). Equal to a full recompute of the drawn plan
(tests/test_risk.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import networkx as nx
import numpy as np

from invest.analyses.delay import Delays
from invest.analyses.guidelines import RuleResult, judge_all
from invest.base.findings import InputError, error
from invest.engine.calculation import Calculation, object_rate
from invest.engine.object_grid import compute_objects
from invest.engine.plan_arrays import concat_arrays, take_objects
from invest.engine.plan_change import DELTA_FIELDS, region_deltas, with_change

COST, DELAY, CORRELATION = "risk/fordyring", "risk/forsening", "risk/korrelation"
FIELDS = ("investeringar", "medfinansiering_mottagen", "avskrivningar", "intaktsford_medfinansiering")
PARTS = 7  # outturn, remaining; release of each (g = 1); receipt of each (h = 1); scheduled receipts
CHUNK = 4000  # draws summed at a time (memory: chunk × objects × PARTS weights per side, ~13 MB for 58 objects)
DRIVER_DRAWS = 4_000  # the drivers are ranked on the first draws (the same for every object), at most this many


@dataclass(frozen=True)
class Draws:
    """Per draw (rows) and object (columns): the cost factor on remaining spend and the whole years moved."""

    factor: np.ndarray
    shift: np.ndarray
    own_delay: np.ndarray  # before propagation


@dataclass(frozen=True)
class RuleRisk:
    """One active guideline over the draws: per plan year the probability that it is missed, the probability that
    some year misses it, and that it is the rule that binds first (misses in the earliest year of any rule)."""

    id: str
    name: str
    missed: np.ndarray
    any_year: float
    binding: float


def rule_risks(results: list[RuleResult]) -> tuple[RuleRisk, ...]:
    """From every rule judged on every draw (leading axis): the probabilities of RuleRisk."""
    if not results:
        return ()
    failing = np.stack([~r.passes for r in results])  # rules × draws × years
    years = failing.shape[-1]
    first = np.where(failing.any(axis=-1), failing.argmax(axis=-1), years)  # rules × draws: first missed year
    earliest = first.min(axis=0)
    binds = (first == earliest) & (earliest < years)
    binds &= np.cumsum(binds, axis=0) == 1  # of rules missing in the same year, the first listed binds
    return tuple(RuleRisk(r.rule.id, r.rule.name, failing[k].mean(axis=0), float(failing[k].any(axis=-1).mean()),
                          float(binds[k].mean())) for k, r in enumerate(results))


@dataclass(frozen=True)
class RiskResult:
    calculation: Calculation
    draws: int
    seed: int
    years: np.ndarray  # plan years
    share: np.ndarray  # draws × plan years
    capital_costs: np.ndarray
    drivers: tuple[tuple[str, float], ...]  # object id, how many fewer plan years are expected over the
    #                                          riktvärde when its own uncertainty is removed (largest first)
    rules: tuple[RuleRisk, ...] = ()  # every active guideline over the draws

    @property
    def riktvarde(self) -> float:
        return self.calculation.conventions.riktvarde

    @property
    def breach_probability(self) -> np.ndarray:
        return (self.share >= self.riktvarde).mean(axis=0)

    @property
    def any_year_probability(self) -> float:
        return float((self.share >= self.riktvarde).any(axis=1).mean())

    def share_quantiles(self, q) -> np.ndarray:
        return np.quantile(self.share, q, axis=0)

    def cost_quantiles(self, q) -> np.ndarray:
        return np.quantile(self.capital_costs, q, axis=0)


def _inverse_normal(p: float) -> float:
    """Φ⁻¹(p) by bisection on math.erf (a few thresholds per class, not per draw)."""
    if p <= 0:
        return -math.inf
    if p >= 1:
        return math.inf
    low, high = -40.0, 40.0
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if 0.5 * math.erfc(-mid / math.sqrt(2)) < p else (low, mid)
    return (low + high) / 2


class Risk:
    """The risk model of one computed plan (with a Region sheet) and the models' distributions."""

    def __init__(self, calc: Calculation):
        if not calc.region.has_share:
            raise InputError([error(calc.plan.file, "planen saknar bladet Region: risken att nå riktvärdet kräver "
                                                    "totala intäkter per år (bladet Region)")])
        missing = [name for name in (COST, DELAY, CORRELATION) if name not in calc.models.params]
        if missing:
            raise InputError([error(f"{calc.models.label}{name}.yaml", "parameterfilen saknas; invest risk kräver "
                                                                       "den") for name in missing])
        self.calc, self.first = calc, calc.plan.plan_years[0]
        self.years = calc.region.table["ar"].to_numpy()
        plan, a = calc.plan, calc.arrays
        self.n = len(plan.objects)
        self.delays = Delays(calc)
        costs = calc.models.value(COST, self.first)
        delays = calc.models.value(DELAY, self.first)
        self.rho = float(calc.models.value(CORRELATION, self.first))
        remaining = np.bincount(a.spend_obj, weights=a.spend_amount * (a.spend_year >= self.first), minlength=self.n)
        outturn = np.bincount(a.spend_obj, weights=a.spend_amount * (a.spend_year < self.first), minlength=self.n)
        self.outturn, self.remaining = outturn, remaining
        scheduled = np.bincount(a.sched_obj, weights=a.sched_amount, minlength=self.n)
        self.cofinancing, self.prorata = a.medfinansiering, a.medfinansiering - scheduled
        classes = [o.tillgangsklass for o in plan.objects]
        mean_sd = np.array([costs.get(c, (0.0, 0.0)) for c in classes], dtype=float).reshape(self.n, 2)
        self.has_cost = (np.abs(remaining) > 0) & ((mean_sd[:, 0] != 0) | (mean_sd[:, 1] != 0))
        sigma2 = np.log1p(mean_sd[:, 1] ** 2 / (1 + mean_sd[:, 0]) ** 2)
        self.mu, self.sigma = np.log1p(mean_sd[:, 0]) - sigma2 / 2, np.sqrt(sigma2)
        movable = np.array([self.delays.movable(o.id) is None and not o.driftsattning.lopande for o in plan.objects])
        self.movable = movable
        self.thresholds = []  # per object: Φ⁻¹ of P(delay ≤ k) for k = 0, 1, … (empty: no delay)
        for c, m in zip(classes, movable):
            dist = delays.get(c) if m else None
            if not dist or dist.get(0, 0.0) == 1.0:
                self.thresholds.append(np.zeros(0))
                continue
            top = max(dist)
            cumulative = np.cumsum([dist.get(k, 0.0) for k in range(top)])
            self.thresholds.append(np.array([_inverse_normal(p) for p in cumulative]))
        self._graph_order()
        self._stacked: np.ndarray | None = None

    # --- drawing ---

    def _graph_order(self) -> None:
        """The dependency edges in an order where predecessors come first, as index arrays with their months."""
        graph, opens = self.delays.graph, self.delays.opens
        index = {o.id: i for i, o in enumerate(self.calc.plan.objects)}
        self.order = [index[oid] for oid in nx.topological_sort(graph.graph)]
        self.preds = {index[d]: [(index[p], opens[p] + graph.edge(p, d).fordrojning_manader - opens[d])
                                 for p in graph.graph.predecessors(d)
                                 if opens.get(p) is not None and opens.get(d) is not None]
                      for d in graph.graph}

    def propagate(self, own: np.ndarray) -> np.ndarray:
        """Whole years each object moves (draws × objects) for its own delays, as DependencyGraph.propagate_all:
        an object moves the fewest whole years that keep it after each moved predecessor + lag; an object that
        cannot move (in use, löpande) stays."""
        shift = own.T.copy()  # objects × draws: each object's draws side by side in memory
        for d in self.order:
            for p, gap in self.preds.get(d, ()):  # gap = predecessor's opening + lag − own opening, in months
                need = np.where(shift[p] != 0, np.ceil((gap + 12 * shift[p]) / 12), 0).astype(np.int64)
                np.maximum(shift[d], need, out=shift[d])
        return np.where(self.movable[None, :], shift.T, 0)

    def draw(self, count: int, seed: int) -> Draws:
        rng = np.random.default_rng(seed)
        common = rng.standard_normal((count, 1))
        a, b = math.sqrt(self.rho), math.sqrt(1 - self.rho)
        cost = a * common + b * rng.standard_normal((count, self.n))
        late = a * common + b * rng.standard_normal((count, self.n))
        factor = np.where(self.has_cost[None, :], np.exp(self.mu + self.sigma * cost), 1.0)
        own = np.zeros((count, self.n), dtype=np.int64)
        for i, t in enumerate(self.thresholds):
            if len(t):
                own[:, i] = (late[:, i, None] > t[None, :]).sum(axis=1)
        return Draws(factor, self.propagate(own), own)

    # --- the per-object tables ---

    def _parts(self, shifts: range) -> np.ndarray:
        """The PARTS of every object at each of `shifts` (whole years), in one engine run: objects × shifts × PARTS
        × (FIELDS · years)."""
        a, n = self.calc.arrays, self.n
        zero, one = np.zeros(n), np.ones(n)
        parts, ratios = [], []
        for s in shifts:
            moved = take_objects(a, np.arange(n), np.full(n, s), self.first)
            early = moved.spend_year < self.first
            o = replace(moved, spend_amount=np.where(early, moved.spend_amount, 0.0), sched_amount=moved.sched_amount * 0)
            r = replace(moved, spend_amount=np.where(early, 0.0, moved.spend_amount), sched_amount=moved.sched_amount * 0)
            sched = replace(moved, spend_amount=moved.spend_amount * 0)
            for arrays, ratio in ((o, (zero, zero)), (r, (zero, zero)), (o, (one, zero)), (r, (one, zero)),
                                  (o, (zero, one)), (r, (zero, one)), (sched, (zero, zero))):
                parts.append(arrays)
                ratios.append(ratio)
        grid = compute_objects(concat_arrays(parts), self.calc.conventions, object_rate(self.calc.models),
                               int(self.years[0]), int(self.years[-1]),
                               ratios=(np.concatenate([r[0] for r in ratios]), np.concatenate([r[1] for r in ratios])))
        cols = self.years - grid.years[0]
        fields = []
        for name in FIELDS:
            v = getattr(grid, DELTA_FIELDS[name])[:, cols].reshape(len(shifts), PARTS, n, len(self.years))
            # outturn, remaining; the release and receipt parts are the differences their ratio 1 makes
            v = np.stack([v[:, 0], v[:, 1], v[:, 2] - v[:, 0], v[:, 3] - v[:, 1], v[:, 4] - v[:, 0],
                          v[:, 5] - v[:, 1], v[:, 6]], axis=2)  # shifts × objects × PARTS × years
            fields.append(v.transpose(1, 0, 2, 3))
        return np.concatenate(fields, axis=-1)

    def _coefficients(self, factor: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Per draw and object of `rows`: the weights of the PARTS (1, F, g, gF, h, hF, 1)."""
        total = self.outturn[rows] + factor * self.remaining[rows]
        safe = np.where(total != 0, total, 1.0)
        g = np.where(total != 0, self.cofinancing[rows] / safe, 0.0)
        h = np.where(total != 0, self.prorata[rows] / safe, 0.0)
        one = np.ones_like(factor)
        return np.stack([one, factor, g, g * factor, h, h * factor, one], axis=-1)

    def _stack(self, top: int) -> np.ndarray:
        """The tables of shifts 0…top: objects × shifts × PARTS × (FIELDS · years), extended when a draw moves an
        object further than any before."""
        have = 0 if self._stacked is None else self._stacked.shape[1]
        if top >= have:
            more = self._parts(range(have, top + 1))
            self._stacked = more if self._stacked is None else np.concatenate([self._stacked, more], axis=1)
        return self._stacked

    def difference(self, after: tuple[np.ndarray, np.ndarray], before: tuple[np.ndarray, np.ndarray],
                   rows: np.ndarray) -> dict[str, np.ndarray]:
        """Σ over the objects `rows` of their figures at `after` minus at `before` (each a pair of factors and
        shifts, draws × objects; `before` may have one row for all draws), per draw and year: each draw's weights of
        every (object, part) at each shift, the `before` weights subtracted where both sides have the object at the
        same shift — an object the same in both cancels exactly — times that shift's stacked tables. Shift 0 is one
        product for all draws and objects; a later shift only for the draws that move the object that far."""
        rows = np.asarray(rows, dtype=np.int64)
        count, years = len(after[0]), len(self.years)
        top = max(int(after[1][:, rows].max(initial=0)), int(before[1][:, rows].max(initial=0)))
        table = self._stack(top)[rows]  # objects × shifts × PARTS × (FIELDS · years)
        unmoved = table[:, 0].reshape(len(rows) * PARTS, -1)
        out = np.empty((count, table.shape[-1]))
        for start in range(0, count, CHUNK):
            d = slice(start, start + CHUNK)
            m = len(after[0][d])
            (at_a, weight_a), (at_b, weight_b) = (self._weights(side, d, m, rows, sign)
                                                  for side, sign in ((after, 1.0), (before, -1.0)))
            weights = (np.where((at_a == 0)[..., None], weight_a, 0.0)
                       + np.where((at_b == 0)[..., None], weight_b, 0.0))  # draws × objects × PARTS at shift 0
            out[d] = weights.reshape(len(weights), -1) @ unmoved
            for shift in range(1, table.shape[1]):
                on_a, on_b = at_a == shift, at_b == shift
                for k in np.flatnonzero((on_a | on_b).any(axis=0)):
                    draws = np.flatnonzero(on_a[:, k] | on_b[:, k])
                    w = (np.where(on_a[draws, k, None], weight_a[draws, k], 0.0)
                         + np.where(on_b[draws, k, None], weight_b[draws, k], 0.0))
                    out[start + draws] += w @ table[k, shift]
        return {name: out[:, k * years:(k + 1) * years] for k, name in enumerate(FIELDS)}

    def _weights(self, side: tuple[np.ndarray, np.ndarray], d: slice, m: int, rows: np.ndarray,
                 sign: float) -> tuple[np.ndarray, np.ndarray]:
        """One side of `difference` for the `m` draws `d`: the shift (draws × objects of `rows`) and the signed
        weights of the PARTS (draws × objects × PARTS); a side of one row stands for every draw."""
        factor, shift = side
        factor = np.broadcast_to(factor[d] if len(factor) > 1 else factor, (m, factor.shape[1]))
        shift = np.broadcast_to(shift[d] if len(shift) > 1 else shift, (m, shift.shape[1]))
        return shift[:, rows], sign * self._coefficients(factor[:, rows], rows)

    # --- the result ---

    def outcome(self, delta: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Share and capital costs per draw and region year for the objects' Δ."""
        return with_change(self.calc, region_deltas(self.calc, delta))

    def deltas(self, draws: Draws) -> dict[str, np.ndarray]:
        """The objects' Δ per draw and region year against the plan (factor 1, no move)."""
        base = (np.ones((1, self.n)), np.zeros((1, self.n), dtype=np.int64))
        return self.difference((draws.factor, draws.shift), base, np.arange(self.n))

    def run(self, count: int, seed: int, drivers: int = 10) -> RiskResult:
        draws = self.draw(count, seed)
        period = np.isin(self.years, self.calc.plan.plan_years)
        delta = self.deltas(draws)
        region = region_deltas(self.calc, delta)
        after = with_change(self.calc, region)
        share = after["andel"][:, period]
        result = RiskResult(self.calc, count, seed, self.years[period], share, after["kapitalkostnader"][:, period], (),
                            rule_risks(judge_all(self.calc, region, slice(None))))
        if not drivers:
            return result
        few = min(count, DRIVER_DRAWS)
        sample = Draws(draws.factor[:few], draws.shift[:few], draws.own_delay[:few])
        total = {name: d[:few] for name, d in delta.items()}
        return replace(result, drivers=tuple(self._drivers(sample, total, share[:few], period)[:drivers]))

    def _drivers(self, draws: Draws, total: dict[str, np.ndarray], share: np.ndarray,
                 period: np.ndarray) -> list[tuple[str, float]]:
        """Per uncertain object: how many fewer plan years are expected over the riktvärde (Σ over the years of the
        probability) when its own cost factor is 1 and its own delay 0 — the same draws for everything else; what
        waits for it then moves only as the others require. (The probability that some year breaches is near 1 for
        a plan that already breaches, and moves too little to rank by.)"""
        limit = self.calc.conventions.riktvarde
        before = (share >= limit).sum(axis=1)
        uncertain = [i for i in range(self.n) if self.has_cost[i] or (draws.own_delay[:, i] != 0).any()]
        out = []
        for i in uncertain:
            factor = draws.factor.copy()
            factor[:, i] = 1.0
            own = draws.own_delay.copy()
            own[:, i] = 0
            shift = self.propagate(own)
            changed = np.flatnonzero(((shift != draws.shift) | (factor != draws.factor)).any(axis=0))
            moved = self.difference((factor, shift), (draws.factor, draws.shift), changed)
            delta = {name: total[name] + moved[name] for name in FIELDS}
            after = (self.outcome(delta)["andel"][:, period] >= limit).sum(axis=1)
            out.append((self.calc.plan.objects[i].id, float(before.mean() - after.mean())))
        return sorted(out, key=lambda t: -t[1])


def risk(calc: Calculation, draws: int, seed: int, drivers: int = 10) -> RiskResult:
    """`invest risk` on a computed plan: `draws` draws from `seed`, the `drivers` objects that drive the most."""
    return Risk(calc).run(draws, seed, drivers)
