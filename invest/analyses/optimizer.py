"""`invest optimera`: which proposals to admit and in which start year, to maximise their total value under every
active guideline rule in every year of the plan period (docs/berakningsmodell.md §12).

A proposal (objects tied by beroenden, as in `invest kontroll`) started in year s is shifted whole so that its first
spend year is s. Every (proposal, start) is one choice; its Δ per region year comes from one engine run for all
(ProposalCheck.started), and the rules' täljare and nämnare move linearly with it (guidelines.delta_columns). So each
rule and year is one linear constraint on the binary choices, after multiplying the ratio out:

- a year the plan meets: the margin (mnkr) with the chosen set stays positive — margin₀ + Σ x·(±(threshold·ΔD − ΔN))
  ≥ STRICT_MARGIN for a strict rule, ≥ 0 otherwise;
- a year the plan misses on its own: the chosen set may not worsen the ratio — Σ x·±(ΔN − ratio₀·ΔD) ≤ 0 (the
  kontroll's "godkänt utan försämring"); a must-improve rule (ej_okande) is held to the same two rows, which is
  stricter than the rule;
- a rule judged over the period: the same on the period's sums.

Each proposal at most one start, variants that exclude each other at most one of them, start years between
tidigast_start (default: the proposal's own first spend year, later if its beroenden on plan objects require) and
senast_start (default: the last plan year). The MILP is solved by HiGHS (highspy) to a relative gap, with a time
limit and the greedy order's set given as its first solution, so the optimum reported is never worse than the greedy
one. The greedy order admits, one at a time, the choice with the most value per share of the tightest remaining
margin it uses (the kontroll's order, with value in place of kapitalkostnad)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np

from invest.analyses.guidelines import (RuleResult, base_columns, check_columns, column_sum, delta_columns, judge_all,
                                        period_threshold)
from invest.analyses.optimizer_settings import EARLIER, FRONTIER, GAP, STRICT_MARGIN, TIME_LIMIT
from invest.analyses.proposals import Proposal, ProposalCheck
from invest.base import swedish
from invest.base.findings import InputError, error
from invest.base.progress import step
from invest.engine.calculation import Calculation
from invest.engine.plan_change import with_change
from invest.params.parameters import RIKTVARDE_RULE
from invest.plan.records import InvestmentObject

WORSE, THRESHOLD = "ej_samre", "troskel"  # the two kinds of constraint row
NO_START = "inget_startar"  # a rejected proposal's "rule" when no start year is allowed


@dataclass(frozen=True)
class Row:
    """One constraint: Σ coefficient·x ≥ bound. `year` None: the rule is judged over the period."""

    rule: str
    name: str
    year: int | None
    kind: str  # THRESHOLD or WORSE


@dataclass(frozen=True)
class Constraints:
    rows: list[Row]
    matrix: np.ndarray  # rows × choices
    bound: np.ndarray


@dataclass(frozen=True)
class Solution:
    status: str
    gap: float
    value: float
    chosen: tuple[int, ...]  # choices


@dataclass(frozen=True)
class Rejected:
    """A proposal left out: the constraint it would break beside the chosen set (at its earliest start), by how much
    (mnkr), the largest scale at which it would fit there, and the latest start at which it fits unscaled (None:
    none); `excluded_by` when a chosen variant excludes it."""

    proposal: Proposal
    rule: str
    rule_name: str
    year: int | None
    shortfall: float
    max_scale: float
    fits_from: int | None
    excluded_by: str | None = None


@dataclass(frozen=True)
class OptimisationResult:
    calc: Calculation
    proposals: list[Proposal]
    values: np.ndarray  # per proposal: the sum of its objects' varde (default: their total spend)
    solution: Solution
    greedy: Solution
    starts: dict[int, int]  # proposal -> start year, the optimum's
    greedy_starts: dict[int, int]
    rejected: list[Rejected]
    shares: np.ndarray  # the riktvärde's share per plan year with the chosen set (nan without one)
    years: np.ndarray
    rules: list[RuleResult]  # every rule with the chosen set
    frontier: list[tuple[float, Solution]]
    object_starts: list[tuple[str, int]]  # every admitted object and the year its spend starts
    greedy_object_starts: list[tuple[str, int]]


def _silenced(make):
    """`make()` with the process's standard output closed: HiGHS prints its banner from C++ the first time."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return make()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class Optimisation:
    def __init__(self, calc: Calculation, objects: tuple[InvestmentObject, ...]):
        if not calc.models.rules:
            raise InputError([error(calc.plan.file, "inga riktlinjer är aktiva (models/riktlinjer/ eller "
                                                    "--riktlinjer): optimeringen har inget att hålla")])
        self.check = ProposalCheck(calc, objects)
        check_columns(calc, calc.models.rules)
        self.calc, self.proposals = calc, self.check.proposals
        self.values = np.array([sum(self._value(self.check.objects[r]) for r in p.rows) for p in self.proposals])
        self.start_years = [self._starts(p) for p in self.proposals]
        self.choice_of = [(k, s) for k, years in enumerate(self.start_years) for s in years]
        self.delta = self.check.started(self.proposals, self.start_years)
        self.change = delta_columns(calc, self.delta)
        self.base = base_columns(calc)
        years = self.base["ar"]
        self.period = np.isin(years, calc.plan.plan_years)
        self.years = years[self.period].astype(int)
        self.exclusive = self._exclusive()

    @staticmethod
    def _value(obj: InvestmentObject) -> float:
        given = obj.villkor.varde if obj.villkor is not None else None
        return float(obj.total_spend if given is None else given)

    def _starts(self, p: Proposal) -> list[int]:
        """The start years allowed: tidigast_start (default its own first spend year, later if its beroenden on plan
        objects require) to senast_start (default the plan's last year)."""
        terms = [self.check.objects[r].villkor for r in p.rows if self.check.objects[r].villkor is not None]
        first, last = self.calc.plan.plan_years[0], self.calc.plan.plan_years[-1]
        early = max([p.first_year, first, p.first_year + self.check.earliest_shift(p)]
                    + [t.tidigast_start for t in terms if t.tidigast_start is not None])
        late = min([last] + [t.senast_start for t in terms if t.senast_start is not None])
        return list(range(early, late + 1))

    def _exclusive(self) -> list[tuple[int, int]]:
        """Pairs of proposals that exclude each other (utesluter names an object of the other, either way)."""
        owner = {self.check.objects[r].id: k for k, p in enumerate(self.proposals) for r in p.rows}
        pairs, problems = set(), []
        for k, p in enumerate(self.proposals):
            for r in p.rows:
                obj = self.check.objects[r]
                for other in obj.villkor.utesluter if obj.villkor else ():
                    if other not in owner:
                        problems.append(error(obj.source.at("utesluter"), f'utesluter "{other}", som inte är ett '
                                                                          "föreslaget objekt"))
                    elif owner[other] == k:
                        problems.append(error(obj.source.at("utesluter"), f'"{obj.id}" utesluter "{other}", som hör '
                                                                          "till samma förslag (beroenden)"))
                    else:
                        pairs.add(tuple(sorted((k, owner[other]))))
        if problems:
            raise InputError(problems)
        return sorted(pairs)

    def constraints(self, rules=None) -> Constraints:
        """The rules' rows over the choices (module docstring)."""
        rules = self.calc.models.rules if rules is None else rules
        rows, coefficients, bounds = [], [], []
        for rule in rules:
            sign = 1.0 if rule.shape.upper else -1.0
            n0, d0 = (column_sum(terms, self.base)[self.period] for terms in (rule.shape.numerator,
                                                                              rule.shape.denominator))
            dn, dd = (column_sum(terms, self.change)[:, self.period] for terms in (rule.shape.numerator,
                                                                                   rule.shape.denominator))
            threshold = rule.thresholds(self.years)
            if rule.shape.judged == "genomsnitt":  # one row on the period's sums
                threshold = period_threshold(threshold, d0)
                n0, d0, dn, dd = (x.sum(axis=-1, keepdims=True) for x in (n0, d0, dn, dd))
                years = [None]
            else:
                years = [int(y) for y in self.years]
            margin0 = sign * (threshold * d0 - n0)
            for t, year in enumerate(years):
                strict = rule.shape.strict and d0[t] > 0  # without a ratio a margin ≥ 0 passes (guidelines.judge)
                met = margin0[t] > STRICT_MARGIN if strict else margin0[t] >= 0
                if met:  # stays met: the margin with the chosen set (whatever the nämnare becomes) stays positive
                    coefficient = sign * (threshold[t] * dd[:, t] - dn[:, t])
                    bound = (STRICT_MARGIN if rule.shape.strict else 0.0) - margin0[t]
                elif d0[t] > 0:  # missed alone: the ratio may not worsen
                    coefficient = -sign * (dn[:, t] - n0[t] / d0[t] * dd[:, t])
                    bound = 0.0
                else:  # missed alone without a ratio: the margin may not shrink
                    coefficient, bound = sign * (threshold[t] * dd[:, t] - dn[:, t]), 0.0
                rows.append(Row(rule.id, rule.name, year, THRESHOLD if met else WORSE))
                coefficients.append(coefficient)
                bounds.append(bound)
        return Constraints(rows, np.array(coefficients).reshape(len(rows), len(self.choice_of)), np.array(bounds))

    def _feasible(self, cons: Constraints, chosen: list[int]) -> bool:
        return bool((cons.matrix[:, chosen].sum(axis=1) >= cons.bound - 1e-9).all())

    def greedy(self, cons: Constraints) -> Solution:
        """Admit, one at a time, the choice with the most value per share of the tightest remaining margin it uses."""
        slack = -cons.bound.copy()  # Σ coefficient·x − bound with nothing chosen
        chosen, taken = [], set()
        blocked = np.zeros(len(self.proposals), dtype=bool)
        owner = np.array([k for k, _ in self.choice_of], dtype=np.int64)
        starts = np.array([s for _, s in self.choice_of], dtype=np.int64)
        while True:
            open_ = ~blocked[owner]
            if not open_.any():
                break
            after = slack[:, None] + cons.matrix
            fits = open_ & (after >= -1e-9).all(axis=0)
            if not fits.any():
                break
            with np.errstate(divide="ignore", invalid="ignore"):
                used = np.where(cons.matrix < 0, -cons.matrix / np.maximum(slack[:, None], 1e-12), 0.0).max(axis=0)
            score = np.where(used > 0, self.values[owner] / used, np.inf)
            candidates = np.flatnonzero(fits)
            best = candidates[np.lexsort((owner[candidates], starts[candidates], -score[candidates]))[0]]
            chosen.append(int(best))
            slack = after[:, best]
            k = int(owner[best])
            taken.add(k)
            blocked[k] = True
            for a, b in self.exclusive:
                if k in (a, b):
                    blocked[b if a == k else a] = True
        return Solution("girig", 0.0, float(self.values[[self.choice_of[c][0] for c in chosen]].sum()), tuple(chosen))

    def solve(self, cons: Constraints, start: Solution, gap: float = GAP, time_limit: float = TIME_LIMIT) -> Solution:
        """The MILP by HiGHS, from `start` (a feasible set)."""
        import highspy

        n = len(self.choice_of)
        if n == 0:
            return Solution("optimal", 0.0, 0.0, ())
        owner = np.array([k for k, _ in self.choice_of])
        one_start = np.zeros((len(self.proposals), n))
        one_start[owner, np.arange(n)] = 1.0
        pairs = np.zeros((len(self.exclusive), n))
        for i, (a, b) in enumerate(self.exclusive):
            pairs[i] = one_start[a] + one_start[b]
        matrix = np.vstack([cons.matrix, one_start, pairs])
        lower = np.concatenate([cons.bound, np.full(len(one_start) + len(pairs), -highspy.kHighsInf)])
        upper = np.concatenate([np.full(len(cons.bound), highspy.kHighsInf), np.ones(len(one_start) + len(pairs))])
        h = _silenced(highspy.Highs)
        h.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(matrix)
        later = np.array([s - self.start_years[k][0] for k, s in self.choice_of], dtype=float)
        lp.col_cost_ = self.values[owner] * (1 - EARLIER * later)  # of two equal sets, the one that starts earlier
        lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
        lp.row_lower_, lp.row_upper_ = lower, upper
        columns = [np.flatnonzero(matrix[:, j]) for j in range(n)]
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum([len(c) for c in columns])]).astype(np.int32)
        lp.a_matrix_.index_ = np.concatenate(columns).astype(np.int32) if columns else np.zeros(0, np.int32)
        lp.a_matrix_.value_ = np.concatenate([matrix[c, j] for j, c in enumerate(columns)])
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
        lp.sense_ = highspy.ObjSense.kMaximize
        h.passModel(lp)
        h.setOptionValue("mip_rel_gap", float(gap))
        h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("primal_feasibility_tolerance", 1e-9)
        h.setOptionValue("mip_feasibility_tolerance", 1e-9)
        first = highspy.HighsSolution()
        x0 = np.zeros(n)
        x0[list(start.chosen)] = 1.0
        first.col_value = list(x0)
        first.value_valid = True
        h.setSolution(first)
        h.run()
        status = h.modelStatusToString(h.getModelStatus()).lower()
        x = np.asarray(h.getSolution().col_value) if h.getSolution().value_valid else x0
        chosen = [int(j) for j in np.flatnonzero(x > 0.5)]
        if not self._feasible(cons, chosen) or self.values[owner[chosen]].sum() < start.value:
            chosen = list(start.chosen)  # never worse than the greedy set, never outside the rules
        value = float(self.values[owner[chosen]].sum())
        bound = h.getInfo().mip_dual_bound
        gap_found = max(0.0, (bound - value) / abs(bound)) if np.isfinite(bound) and bound else 0.0
        return Solution(status, float(gap_found), value, tuple(chosen))

    def rejected(self, cons: Constraints, solution: Solution) -> list[Rejected]:
        """Every proposal not chosen: what it would break beside the chosen set."""
        slack = cons.matrix[:, list(solution.chosen)].sum(axis=1) - cons.bound
        taken = {self.choice_of[c][0] for c in solution.chosen}
        out = []
        for k, p in enumerate(self.proposals):
            if k in taken:
                continue
            by = next((self.proposals[b if a == k else a].name for a, b in self.exclusive
                       if k in (a, b) and (b if a == k else a) in taken), None)
            mine = [j for j, (owner, _) in enumerate(self.choice_of) if owner == k]
            if not mine:  # tidigast_start, senast_start and its beroenden leave no start in the plan period
                out.append(Rejected(p, NO_START, "inget tillåtet startår i planperioden", None, 0.0, 0.0, None, by))
                continue
            after = slack[:, None] + cons.matrix[:, mine]
            fitting = [self.choice_of[j][1] for j, ok in zip(mine, (after >= -1e-9).all(axis=0)) if ok]
            first = cons.matrix[:, mine[0]]
            worst = int(np.argmin(slack + first))
            pressing = first < 0
            scale = float(np.min(np.maximum(slack[pressing], 0) / -first[pressing])) if pressing.any() else np.inf
            row = cons.rows[worst]
            out.append(Rejected(p, row.rule, row.name, row.year, float(max(0.0, -(slack + first)[worst])),
                                min(scale, 1.0) if by is None else 0.0, max(fitting) if fitting and by is None else None,
                                by))
        return out

    def frontier(self, gap: float, time_limit: float) -> list[tuple[float, Solution]]:
        """The optimum at riktvärde 7,5 … 8,5 % (the kapitalkostnadsandel rule's threshold), the other rules kept."""
        if not any(r.id == RIKTVARDE_RULE for r in self.calc.models.rules):
            return []
        out = []
        for k, value in enumerate(FRONTIER, start=1):
            step(f"Gränskurvan: riktvärde {swedish.percent(value, 1)} ({k} av {len(FRONTIER)})")
            rules = tuple(r.with_threshold(value) if r.id == RIKTVARDE_RULE else r for r in self.calc.models.rules)
            cons = self.constraints(rules)
            out.append((value, self.solve(cons, self.greedy(cons), gap, time_limit)))
        return out

    def summed(self, solution: Solution) -> dict[str, np.ndarray]:
        """The Δ of the chosen set (one row)."""
        rows = list(solution.chosen)
        return {name: d[rows].sum(axis=0, keepdims=True) for name, d in self.delta.items()}

    def object_starts(self, solution: Solution) -> list[tuple[str, int]]:
        """Every admitted object and its first spend year once its proposal is shifted to the chosen start."""
        out = []
        for c in sorted(solution.chosen, key=lambda c: self.choice_of[c]):
            k, start = self.choice_of[c]
            p = self.proposals[k]
            for r in p.rows:
                obj = self.check.objects[r]
                spend = [y for y, a in obj.utgifter if a]
                out.append((obj.id, (min(spend) if spend else p.first_year) + start - p.first_year))
        return out


def optimise(calc: Calculation, objects: tuple[InvestmentObject, ...], gap: float = GAP,
             time_limit: float = TIME_LIMIT, frontier: bool = True) -> OptimisationResult:
    """The optimum, the greedy set beside it, the rejected proposals and (frontier) the optimum per riktvärde."""
    opt = Optimisation(calc, objects)
    cons = opt.constraints()
    greedy = opt.greedy(cons)
    best = opt.solve(cons, greedy, gap, time_limit)
    delta = opt.summed(best)
    shares = with_change(calc, delta)["andel"][0][opt.period] if calc.region.has_share else np.full(len(opt.years),
                                                                                                    np.nan)
    starts = {opt.choice_of[c][0]: opt.choice_of[c][1] for c in best.chosen}
    greedy_starts = {opt.choice_of[c][0]: opt.choice_of[c][1] for c in greedy.chosen}
    return OptimisationResult(calc, opt.proposals, opt.values, best, greedy, starts, greedy_starts, opt.rejected(cons, best), shares,
                              opt.years, judge_all(calc, delta, 0), opt.frontier(gap, time_limit) if frontier else [],
                              opt.object_starts(best), opt.object_starts(greedy))

