"""Proposed objects checked against the riktvärde on top of a computed plan (`invest kontroll`).

A proposal is a set of proposed objects tied together by their beroenden (a depot and the trains that wait for
it are one proposal); the others stand alone. Every figure is the baseline plus the proposal's Δ from
`plan_change` (docs/berakningsmodell.md §8): its Δ debt is the running sum of what it adds to the borrowing need
(spend − co-financing received − depreciation + release, results held), Δ räntekostnader is what the region's
debt model charges for that, and its released co-financing adds to totala intäkter.

The engine is linear in the amounts, so the proposal scaled by k moves each year's marginal by −k·a with
a = Δ numerator − riktvärde · Δ denominator; the largest k is min over years with a > 0 of marginal / a.
Shifted starts and the admission order come from the same Δ: all shifts of all proposals in one engine run.

The bedömning has three outcomes: *godkänt* (every plan-period year under the riktvärde with the proposal),
*godkänt utan försämring* (the plan breaches on its own; the proposal adds no year over the riktvärde and does not
raise the share in any year the plan already breaches) and *ej godkänt*."""

from __future__ import annotations

from dataclasses import dataclass, replace

import networkx as nx
import numpy as np
import polars as pl

from invest.engine.calculation import Calculation
from invest.plan.dependency_graph import opening_month, years_to_wait
from invest.base.findings import InputError, error
from invest.plan.records import InvestmentObject
from invest.engine.plan_change import deltas, with_change
from invest.engine.plan_arrays import plan_arrays, take_objects
from invest.engine.region_model import share_terms

NO_EFFECT = 1e-9  # mnkr: a year whose marginal a proposal moves by less than this does not bind its scale factor
SHARE_NO_EFFECT = 1e-12  # a share raised by less than this (float residue) is not raised

GODKANT, GODKANT_UTAN_FORSAMRING, EJ_GODKANT = "godkant", "godkant_utan_forsamring", "ej_godkant"
NEW_BREACH, RAISED = "nytt_ar_over", "hojer_andelen"  # why a year counts against the proposal (column "forsamring")


def outcome(godkand: bool, plan_breaches, new_breaches, raised) -> str:
    """The bedömning: every year under the riktvärde; else, when the plan breaches on its own, no year added and
    no share raised in the years it breaches; else not approved."""
    if godkand:
        return GODKANT
    return GODKANT_UTAN_FORSAMRING if plan_breaches and not new_breaches and not raised else EJ_GODKANT


@dataclass(frozen=True)
class Proposal:
    ids: tuple[str, ...]
    rows: np.ndarray  # rows of ProposalCheck.arrays
    first_year: int  # first and last year with spend
    last_year: int
    investering: float
    medfinansiering: float

    @property
    def name(self) -> str:
        return " + ".join(self.ids)


@dataclass(frozen=True)
class Verdict:
    """One proposal (or all together) on the plan: per plan-period year, and what the year figures imply."""

    proposal: Proposal
    table: pl.DataFrame
    godkand: bool  # every plan-period year under the riktvärde with the proposal
    bedomning: str  # GODKANT, GODKANT_UTAN_FORSAMRING or EJ_GODKANT
    first_breach: int | None
    plan_breaches: tuple[int, ...]  # years the plan fails alone
    new_breaches: tuple[int, ...]  # years the plan passes alone and fails with the proposal
    raised_breaches: tuple[int, ...]  # years the plan fails alone in which the proposal raises the share
    average_with: float
    max_scale: float | None  # min over years with a > 0 of marginal / a; None when no year binds
    max_scale_no_new: float | None  # the same over the years the plan passes alone
    earliest_start: int | None  # first start year (whole proposal shifted) at which every year passes
    earliest_start_no_new: int | None  # ... at which no year the plan passes alone fails
    earliest_start_no_worse: int | None  # ... at which the bedömning is godkänt or godkänt utan försämring
    starts_tried: tuple[int, ...]  # start years the dependencies allow within the plan period

    @property
    def passed(self) -> bool:
        """Godkänt or godkänt utan försämring (exit 0)."""
        return self.bedomning != EJ_GODKANT


@dataclass(frozen=True)
class LeftOut:
    """A proposal that no longer fits beside those admitted: the year it hits the riktvärde, the share there with
    it, and the largest scale factor at which it would still fit. When the plan breaches on its own, a proposal
    that raises the share in a year it breaches never fits (reason RAISED, scale 0): `raised` holds those years and
    year is the first of them."""

    proposal: Proposal
    year: int
    share: float
    max_scale: float
    reason: str = NEW_BREACH
    raised: tuple[int, ...] = ()


@dataclass(frozen=True)
class Admission:
    admitted: tuple[tuple[Proposal, float], ...]  # in order, with the share of the tightest year's headroom used
    left_out: tuple[LeftOut, ...]
    years_considered: tuple[int, ...]  # the years kept under the riktvärde


class ProposalCheck:
    def __init__(self, calc: Calculation, objects: tuple[InvestmentObject, ...]):
        if not calc.region.has_share:
            raise InputError([error(calc.plan.file, "planen saknar bladet Region: kontrollen mot riktvärdet kräver "
                                                    "totala intäkter per år (bladet Region, se docs/anvandarguide.md §9)")])
        self.calc, self.objects = calc, objects
        self.conv = calc.conventions
        self.limit = self.conv.riktvarde
        self.arrays = plan_arrays(replace(calc.plan, objects=objects), calc.models)
        t = calc.region.table
        self.years = t["ar"].to_numpy()
        self.period = np.isin(self.years, calc.plan.plan_years)
        self.share = t["andel"].to_numpy().astype(float)
        self.marginal = t["marginal"].to_numpy().astype(float)
        self.passes = self.share < self.limit
        self.revenue = t["totala_intakter"].to_numpy().astype(float)
        self.debt_share = t["skuldandel"].to_numpy().astype(float)
        self.proposals = self._proposals()
        delta = deltas(calc, self.arrays, self._group_of_rows(), np.zeros(0), np.zeros(0), len(self.proposals))
        self.delta = {name: np.vstack([d, d.sum(axis=0)]) for name, d in delta.items()}  # last row: all together
        self.together = Proposal(tuple(o.id for o in objects), np.arange(len(objects)),
                                 min(p.first_year for p in self.proposals), max(p.last_year for p in self.proposals),
                                 sum(p.investering for p in self.proposals),
                                 sum(p.medfinansiering for p in self.proposals))

    def _proposals(self) -> list[Proposal]:
        """Proposed objects grouped by the beroenden among them, in the order they first appear."""
        ids = [o.id for o in self.objects]
        graph = nx.Graph()
        graph.add_nodes_from(ids)
        graph.add_edges_from((o.id, d.pa) for o in self.objects for d in o.beroenden if d.pa in graph)
        position = {oid: i for i, oid in enumerate(ids)}
        groups = sorted((sorted(c, key=position.get) for c in nx.connected_components(graph)),
                        key=lambda c: position[c[0]])
        out = []
        for group in groups:
            rows = np.array([position[oid] for oid in group], dtype=np.int64)
            objs = [self.objects[r] for r in rows]
            spend_years = [y for o in objs for y, amount in o.utgifter if amount]
            spend_years = spend_years or [self.calc.plan.plan_years[0]]
            out.append(Proposal(tuple(group), rows, min(spend_years), max(spend_years),
                                sum(o.total_spend for o in objs), sum(o.total_medfinansiering for o in objs)))
        return out

    def _group_of_rows(self) -> np.ndarray:
        group = np.empty(len(self.objects), dtype=np.int64)
        for k, p in enumerate(self.proposals):
            group[p.rows] = k
        return group

    def pressure(self, delta: dict[str, np.ndarray]) -> np.ndarray:
        """a = Δ numerator − riktvärde · Δ denominator per year: how much the change lowers the marginal."""
        numerator, denominator = share_terms(delta["avskrivningar"], delta["intaktsford_medfinansiering"],
                                             delta["rantekostnader"], delta["intaktsford_medfinansiering"],
                                             self.conv.riktvardesmetod)
        return numerator - self.limit * denominator

    def max_scale(self, marginal: np.ndarray, pressure: np.ndarray, years: np.ndarray) -> float | None:
        """min over `years` (a mask) with a > 0 of marginal / a; None when the change presses on no year."""
        binding = years & (pressure > NO_EFFECT)
        return float(np.min(marginal[binding] / pressure[binding])) if binding.any() else None

    def raises(self, share_with: np.ndarray) -> np.ndarray:
        """Per year (and change): the plan-period years the plan breaches alone in which the share is raised."""
        return self.period & ~self.passes & (share_with - self.share > SHARE_NO_EFFECT)

    def _fits(self, delta: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per change (rows): every plan-period year passes; no year that passes without it fails; and that, with
        no share raised in a year the plan breaches alone (godkänt utan försämring or better)."""
        share_with = with_change(self.calc, delta)["andel"]
        ok = share_with < self.limit
        strict = (ok | ~self.period).all(axis=-1)
        no_new = (ok | ~(self.period & self.passes)).all(axis=-1)
        return strict, no_new, strict | (no_new & ~self.raises(share_with).any(axis=-1))

    def verdicts(self) -> list[Verdict]:
        """Each proposal alone, then (when there are several) all together — the last one decides the exit code.
        Row k of self.delta is proposal k; its last row is all together."""
        sets = self.proposals + ([self.together] if len(self.proposals) > 1 else [])
        starts = self._starts(sets)
        return [self._verdict(p, {name: d[row] for name, d in self.delta.items()}, start)
                for row, p, start in zip([*range(len(self.proposals)), -1], sets, starts)]

    def _verdict(self, proposal: Proposal, delta: dict[str, np.ndarray], starts) -> Verdict:
        after = with_change(self.calc, delta)
        debt_change = delta["rantebarande_skuld"]
        table = pl.DataFrame({
            "ar": self.years, "andel_utan": self.share, "andel_med": after["andel"],
            "delta_avskrivningar": delta["avskrivningar"], "delta_rantekostnader": delta["rantekostnader"],
            "delta_kapitalkostnader": delta["kapitalkostnader"],
            "delta_totala_intakter": delta["intaktsford_medfinansiering"],
            "marginal_utan": self.marginal, "marginal_med": after["marginal"],
            "klarar_utan": self.passes, "klarar_med": after["andel"] < self.limit,
            "skuldandel_utan": self.debt_share,
            "skuldandel_med": (self.debt_share * self.revenue + debt_change) / after["totala_intakter"],
            "delta_rantebarande_skuld": debt_change,
            "forsamring": pl.Series([NEW_BREACH if n else RAISED if r else None for n, r in
                                     zip(self.passes & ~(after["andel"] < self.limit), self.raises(after["andel"]))],
                                    dtype=pl.String),
        }).filter(pl.Series(self.period)).with_columns(pl.col(pl.Float64).fill_nan(None))
        failing = table.filter(~pl.col("klarar_med"))["ar"].to_list()
        alone = tuple(table.filter(~pl.col("klarar_utan"))["ar"].to_list())
        new = tuple(table.filter(pl.col("forsamring") == NEW_BREACH)["ar"].to_list())
        raised = tuple(table.filter(pl.col("forsamring") == RAISED)["ar"].to_list())
        pressure = self.pressure(delta)
        tried, fits, fits_no_new, fits_no_worse = starts
        return Verdict(
            proposal, table, godkand=not failing, bedomning=outcome(not failing, alone, new, raised),
            first_breach=failing[0] if failing else None, plan_breaches=alone, new_breaches=new, raised_breaches=raised,
            average_with=float(table["andel_med"].mean()),
            max_scale=self.max_scale(self.marginal, pressure, self.period),
            max_scale_no_new=self.max_scale(self.marginal, pressure, self.period & self.passes),
            earliest_start=next((s for s, ok in zip(tried, fits) if ok), None),
            earliest_start_no_new=next((s for s, ok in zip(tried, fits_no_new) if ok), None),
            earliest_start_no_worse=next((s for s, ok in zip(tried, fits_no_worse) if ok), None),
            starts_tried=tuple(tried))

    def earliest_shift(self, proposal: Proposal) -> int:
        """The smallest shift (years, may be negative) that keeps every proposed object at or after the plan
        objects it waits for + lag; a proposal's own objects move together, so their beroenden hold."""
        in_plan = {o.id: o for o in self.calc.plan.objects}
        first = self.calc.plan.plan_years[0]
        need = -10 ** 6  # nothing to wait for
        for r in proposal.rows:
            obj = self.objects[r]
            opens = opening_month(obj, self.conv, first)
            for dep in obj.beroenden:
                if dep.pa in in_plan and opens is not None:
                    before = opening_month(in_plan[dep.pa], self.conv, first)
                    if before is not None:
                        need = max(need, years_to_wait(before, dep.fordrojning_manader, opens))
        return need

    def _starts(self, sets: list[Proposal]) -> list[tuple[list[int], np.ndarray, np.ndarray, np.ndarray]]:
        """For each set: the start years tried (from the plan's first year, or later if its beroenden require,
        to its last), and whether each fits: strictly, without new breaches, and without either a new breach or
        a raised share in a year the plan breaches (the three of _fits). One engine run for all."""
        first, last = self.calc.plan.plan_years[0], self.calc.plan.plan_years[-1]
        tried = [list(range(max(first, p.first_year + self.earliest_shift(p)), last + 1)) for p in sets]
        if not any(tried):
            return [([], np.zeros(0, bool), np.zeros(0, bool), np.zeros(0, bool)) for _ in sets]
        fits = self._fits(self.started(sets, tried))
        out, k = [], 0
        for years in tried:
            out.append((years, *(f[k:k + len(years)] for f in fits)))
            k += len(years)
        return out

    def started(self, sets: list[Proposal], starts: list[list[int]]) -> dict[str, np.ndarray]:
        """Δ (plan_change.deltas) of each set started in each of its start years — the whole set shifted so that its
        first spend year is the start — as rows in the order of the sets and their years. One engine run for all."""
        rows, shifts, group = [], [], []
        for p, years in zip(sets, starts):
            for s in years:
                rows.append(p.rows)
                shifts.append(np.full(len(p.rows), s - p.first_year))
                group.append(np.full(len(p.rows), len(group)))
        if not group:
            return {name: np.zeros((0, len(self.years))) for name in self.delta}
        move_all_spend_from = int(self.arrays.spend_year.min()) if len(self.arrays.spend_year) else self.years[0]
        moved = take_objects(self.arrays, np.concatenate(rows), np.concatenate(shifts), move_all_spend_from)
        return deltas(self.calc, moved, np.concatenate(group), np.zeros(0), np.zeros(0), len(group))

    def admission(self) -> Admission:
        """Admit proposals one at a time, each time the one with the most Δ kapitalkostnad (plan period) per unit
        of headroom used — the largest share of any year's remaining marginal it takes — among those that keep
        every considered year under the riktvärde. Considered: the years the plan passes alone (all years when
        the plan passes). When the plan breaches alone, a proposal that raises the share in a year it breaches is
        left out first: no size of it is godkänt utan försämring (the share's rise has the sign of
        Δ täljare − andel · Δ nämnare, linear in the amounts, so a sum of proposals that raise none raises none)."""
        n = len(self.proposals)
        considered = self.period & self.passes
        own = {name: d[:n] for name, d in self.delta.items()}
        pressure = self.pressure(own)
        cost = self.delta["kapitalkostnader"][:n][:, self.period].sum(axis=1)
        alone_share = with_change(self.calc, own)["andel"]
        raised = self.raises(alone_share)
        remaining = self.marginal.copy()
        admitted, taken, waiting = [], [], [i for i in range(n) if not raised[i].any()]
        while waiting:
            with np.errstate(divide="ignore", invalid="ignore"):
                used = np.where(considered, pressure[waiting] / remaining, -np.inf).max(axis=1)
            fitting = [(i, u) for i, u in zip(waiting, used) if u < 1]
            if not fitting:
                break
            best, u = max(fitting, key=lambda iu: (np.inf if iu[1] <= 0 else cost[iu[0]] / iu[1], -iu[0]))
            admitted.append((self.proposals[best], float(max(u, 0.0))))
            taken.append(best)
            remaining = remaining - pressure[best]
            waiting.remove(best)
        left = []
        for i in np.flatnonzero(raised.any(axis=1)):
            year = int(np.argmax(raised[i]))
            left.append(LeftOut(self.proposals[i], int(self.years[year]), float(alone_share[i, year]), 0.0, RAISED,
                                tuple(int(y) for y in self.years[raised[i]])))
        for i in waiting:
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(considered, pressure[i] / remaining, -np.inf)
            year = int(np.argmax(ratio))
            together = {k: v[taken + [i]].sum(axis=0) for k, v in self.delta.items()}
            left.append(LeftOut(self.proposals[i], int(self.years[year]),
                                float(with_change(self.calc, together)["andel"][year]),
                                float(remaining[year] / pressure[i][year])))
        order = {p.ids: k for k, p in enumerate(self.proposals)}
        left.sort(key=lambda o: order[o.proposal.ids])
        return Admission(tuple(admitted), tuple(left), tuple(int(y) for y in self.years[considered]))
