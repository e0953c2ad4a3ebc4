"""The active guideline rules (models/riktlinjer/, or --riktlinjer) judged on a computed plan, with or without a
change (docs/berakningsmodell.md §11), and which rule binds first and where.

Each rule is a ratio N/D of region-table columns against a threshold per year. Its margin is in mnkr of the täljare:
threshold·D − N for a rule that keeps the ratio under the threshold, N − threshold·D for one that keeps it over;
a year passes when the ratio stands to the threshold as the rule says (with D ≤ 0, where the ratio has no meaning,
when the margin is not negative: a kommun that invests nothing of its own finances all of it itself).

A change to the plan (plan_change.deltas) moves every column a rule may name linearly (`delta_columns`), so the
rules judged with a change are the base columns plus its Δ, and the optimiser's constraints are linear in its
choices."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from invest.base.findings import InputError, error
from invest.engine.calculation import Calculation
from invest.engine.region_model import share_terms
from invest.params.guideline_rules import RULE_COLUMNS, Rule
from invest.plan.vocabulary import OPTIONAL_REGION_COLUMNS

HELD = ("ovriga_intakter", "likvida_medel", *OPTIONAL_REGION_COLUMNS)  # inputs a change to the plan keeps


def base_columns(calc: Calculation) -> dict[str, np.ndarray]:
    """Every column a rule may name, per region year, as the plan computes it."""
    t = calc.region.table
    cols = {c: t[c].to_numpy().astype(float) for c in t.columns if t[c].dtype.is_numeric()}
    n, d = share_terms(cols["avskrivningar"], cols["intaktsford_medfinansiering"], cols["rantekostnader"],
                       cols["totala_intakter"], calc.conventions.riktvardesmetod)
    return {**cols, "andel_taljare": n, "andel_namnare": d}


def delta_columns(calc: Calculation, delta: dict[str, np.ndarray], names=None) -> dict[str, np.ndarray]:
    """Δ of every column a rule may name (or of `names`), per change (rows) and region year, from
    plan_change.deltas: results held, so självfinansiering moves by Δ avskrivningar − Δ intäktsförd
    medfinansiering and totala intäkter by the released medfinansiering (docs/berakningsmodell.md §5); the inputs
    HELD do not move (zeros for all columns; left out when `names` are asked for)."""
    dep, release, interest = delta["avskrivningar"], delta["intaktsford_medfinansiering"], delta["rantekostnader"]
    wanted = set(RULE_COLUMNS) if names is None else set(names)
    out = {name: delta[name] for name in ("investeringar", "medfinansiering_mottagen", "avskrivningar",
                                          "intaktsford_medfinansiering", "rantekostnader", "kapitalkostnader",
                                          "lanebehov", "rantebarande_skuld") if name in wanted}
    if "totala_intakter" in wanted:
        out["totala_intakter"] = release
    if "sjalvfinansiering" in wanted:
        out["sjalvfinansiering"] = dep - release
    if wanted & {"andel_taljare", "andel_namnare"}:
        out["andel_taljare"], out["andel_namnare"] = share_terms(dep, release, interest, release,
                                                                 calc.conventions.riktvardesmetod)
    if names is None:
        out.update({name: np.zeros_like(dep) for name in HELD})
    return out


def column_sum(terms, columns: dict[str, np.ndarray]) -> np.ndarray:
    """A rule's täljare or nämnare: its signed columns summed."""
    return sum(sign * columns[c] for sign, c in terms)


def period_threshold(threshold: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """The threshold of a rule judged over the period: the years' thresholds weighted by the nämnare (their mean
    when the nämnare sums to 0), keeping a last axis of length 1."""
    total = denominator.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total != 0, (threshold * denominator).sum(axis=-1, keepdims=True) / total, threshold.mean())


def check_columns(calc: Calculation, rules: tuple[Rule, ...]) -> None:
    """Every column the rules name is in the plan's region table (a Region sheet; skatteintäkter when a rule needs
    them), or a Swedish message naming the rule's file."""
    have = base_columns(calc) if calc.region.has_share else {}
    problems = []
    for rule in rules:
        for column in sorted(rule.shape.columns - set(have)):
            what = (f'kolumnen "{column}" på bladet Region' if column in OPTIONAL_REGION_COLUMNS
                    else "bladet Region (totala intäkter, skuld och resultat per år)")
            problems.append(error(f"{rule.file}", f'regeln "{rule.name}" behöver {what}, som planen '
                                                   f"{calc.plan.file} saknar"))
    if problems:
        raise InputError(problems)


@dataclass(frozen=True)
class RuleResult:
    """One rule over the plan period: per year the ratio, threshold, margin (mnkr) and whether the year passes;
    for a rule judged over the period, the period's ratio and margin repeated in every year."""

    rule: Rule
    years: np.ndarray
    ratio: np.ndarray
    threshold: np.ndarray
    margin: np.ndarray
    passes: np.ndarray
    allowed: np.ndarray  # |threshold · nämnare|: the amount the margin is a part of

    def row(self, k: int) -> RuleResult:
        """The result of change k, when the rule was judged on several (a leading axis)."""
        return replace(self, **{f.name: getattr(self, f.name)[k] for f in fields(self)
                                if isinstance(getattr(self, f.name), np.ndarray) and getattr(self, f.name).ndim > 1})

    @property
    def headroom(self) -> np.ndarray:
        """The margin as a share of the allowed amount (0: at the threshold)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.allowed > 0, self.margin / self.allowed, self.margin)

    @property
    def passed(self) -> bool:
        return bool(self.passes.all())

    @property
    def first_failure(self) -> int | None:
        return int(self.years[np.argmin(self.passes)]) if not self.passed else None

    @property
    def tightest(self) -> int:
        """The year with the least margin relative to the threshold's amount."""
        return int(self.years[np.argmin(self.headroom)])


def _compare(shape, ratio, threshold):
    if shape.comparison == "<":
        return ratio < threshold
    if shape.comparison == "<=":
        return ratio <= threshold
    if shape.comparison == ">":
        return ratio > threshold
    return ratio >= threshold


def judge(rule: Rule, years: np.ndarray, numerator: np.ndarray, denominator: np.ndarray,
          before: tuple[np.ndarray, np.ndarray] | None = None) -> RuleResult:
    """A rule on the period's täljare and nämnare (years on the last axis; leading axes are draws or changes);
    `before` is the year before the period's (N, D), which a must-improve rule compares its first year with."""
    shape, threshold = rule.shape, rule.thresholds(years)
    sign = 1.0 if shape.upper else -1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        if shape.judged == "genomsnitt":
            n_sum, d_sum = numerator.sum(axis=-1, keepdims=True), denominator.sum(axis=-1, keepdims=True)
            weighted = period_threshold(threshold, denominator)
            ratio = np.broadcast_to(n_sum / d_sum, numerator.shape)
            threshold = np.broadcast_to(weighted, numerator.shape)
            margin = np.broadcast_to((weighted * d_sum - n_sum) * sign, numerator.shape)
            ok = np.where(d_sum > 0, _compare(shape, ratio, threshold), margin >= 0)
            return RuleResult(rule, years, ratio, threshold, margin, ok,
                              np.broadcast_to(np.abs(weighted * d_sum), numerator.shape))
        ratio = numerator / denominator
        margin = (threshold * denominator - numerator) * sign
        ok = np.where(denominator > 0, _compare(shape, ratio, threshold), margin >= 0)
        if shape.judged == "ej_okande":  # over the threshold, a year passes when the ratio is no worse than the last
            first = (np.where(before[1] != 0, before[0] / before[1], np.nan) if before is not None
                     else np.full(numerator.shape[:-1], np.nan))
            previous = np.concatenate([np.asarray(first)[..., None], ratio[..., :-1]], axis=-1)
            improved = ratio <= previous if shape.upper else ratio >= previous
            ok = ok | (improved & (denominator > 0))
    return RuleResult(rule, years, ratio, threshold, margin, ok, np.abs(threshold * denominator))


def judge_all(calc: Calculation, delta: dict[str, np.ndarray] | None = None, row: int | slice = -1
              ) -> list[RuleResult]:
    """Every active rule over the plan period, on the plan or (delta) on the plan with change `row` — or, with a
    slice, with each of those changes (the results then have a leading axis per change)."""
    rules = calc.models.rules
    if not rules:
        return []
    check_columns(calc, rules)
    columns = base_columns(calc)
    years = columns["ar"]
    if delta is not None:
        change = delta_columns(calc, delta, set().union(*(rule.shape.columns for rule in rules)))
        columns = {**columns, **{name: columns[name] + d[row] for name, d in change.items()}}
    period = np.isin(years, calc.plan.plan_years)
    first = int(np.argmax(period))
    out = []
    for rule in rules:
        n, d = np.broadcast_arrays(column_sum(rule.shape.numerator, columns),
                                   column_sum(rule.shape.denominator, columns))
        before = (n[..., first - 1], d[..., first - 1]) if first > 0 else None
        out.append(judge(rule, years[period].astype(int), n[..., period], d[..., period], before))
    return out


@dataclass(frozen=True)
class Binding:
    """The rule that binds first: the one that fails in the earliest year, or, when all pass, the one with the
    least margin relative to its threshold's amount, and where."""

    result: RuleResult
    year: int
    failed: bool

    @property
    def margin(self) -> float:
        return float(self.result.margin[list(self.result.years).index(self.year)])


def binding(results: list[RuleResult]) -> Binding | None:
    if not results:
        return None
    failing = [r for r in results if not r.passed]
    if failing:
        first = min(failing, key=lambda r: (r.first_failure, results.index(r)))
        return Binding(first, first.first_failure, True)

    tight = min(results, key=lambda r: float(np.min(r.headroom)))
    return Binding(tight, tight.tightest, False)


@dataclass(frozen=True)
class RuleCheck:
    """The active rules on the plan alone and with a change (`invest kontroll`: all proposals together)."""

    alone: list[RuleResult]
    changed: list[RuleResult]

    def newly_missed(self, result: RuleResult) -> list[int]:
        """The years (or, for a rule judged over the period, its last year) the plan meets alone and misses with the
        change."""
        before = next(r for r in self.alone if r.rule.id == result.rule.id)
        return [int(y) for y, was, now in zip(result.years, before.passes, result.passes) if was and not now]

    @property
    def binding(self) -> Binding | None:
        return binding(self.changed)


def rule_check(calc: Calculation, delta: dict[str, np.ndarray], row: int = -1) -> RuleCheck:
    return RuleCheck(judge_all(calc), judge_all(calc, delta, row))
