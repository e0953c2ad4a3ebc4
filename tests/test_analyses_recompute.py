"""The analyses' answers equal the long way (docs/berakningsmodell.md §8): kontroll's earliest start years and its
admission order, and forsening --rangordna, each checked by moving or adding the objects in the plan's records and
recomputing the whole plan with `calculate` — the default plan, with its own debt model and rates."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from inmemory import make_object, shifted, with_path
from invest.analyses.delay import Delays
from invest.analyses.proposals import NEW_BREACH, RAISED, SHARE_NO_EFFECT, ProposalCheck
from invest.engine.calculation import calculate
from invest.pipeline import Inputs, calculate_plan

PROPOSALS = [  # unseen: a co-financed rail line, a depot that waits for it, vehicles, an IT system late in the period
    {"id": "NY-BANA", "tillgangsklass": "kollektivtrafik", "driftsattning": "2030-12", "medfinansiering": 1500,
     "utgifter": {2027: 800, 2028: 1500, 2029: 2000, 2030: 1200}},
    {"id": "NY-DEPA", "tillgangsklass": "fastighet", "driftsattning": "2031-06", "beroenden": "NY-BANA",
     "utgifter": {2029: 300, 2030: 500, 2031: 200}},
    {"id": "NY-FORDON", "tillgangsklass": "fordon", "driftsattning": "2029", "utgifter": {2028: 400, 2029: 350}},
    {"id": "NY-IT", "tillgangsklass": "it", "driftsattning": "2033", "utgifter": {2032: 150, 2033: 100}},
    {"id": "NY-SJUKHUS", "tillgangsklass": "fastighet", "driftsattning": "2033-01",  # too big for 2033's headroom
     "utgifter": {2032: 9000, 2033: 9000}},
]


MARKET = dict(zip(range(2026, 2036), [0.025, 0.027, 0.023, 0.026, 0.021, 0.023, 0.028, 0.025, 0.022, 0.026]))


@pytest.fixture(scope="module")
def calc():
    """The default plan with a market rate that moves every year, so when a change borrows matters to its interest."""
    plan = calculate_plan(Inputs())
    return calculate(plan.plan, with_path(plan.models, "ranta/marknadsranta", MARKET))


@pytest.fixture(scope="module")
def check(calc):
    return ProposalCheck(calc, tuple(make_object(p) for p in PROPOSALS))


def _recompute(calc, objects):
    return calculate(replace(calc.plan, objects=tuple(objects)), calc.models,
                     until_year=int(calc.region.table["ar"][-1])).region.table


def _period_shares(calc, table):
    t = table.filter(table["ar"].is_in(list(calc.plan.plan_years)))
    return t["andel"].to_numpy().astype(float)


def _criteria(calc, with_table) -> tuple[bool, bool, bool]:
    """Strict (every year under the riktvärde), no new breach, and godkänt utan försämring or better — from two
    full computations."""
    limit = calc.conventions.riktvarde
    base, with_ = _period_shares(calc, calc.region.table), _period_shares(calc, with_table)
    strict = bool((with_ < limit).all())
    no_new = bool(((with_ < limit) | (base >= limit)).all())
    raised = (base >= limit) & (with_ - base > SHARE_NO_EFFECT)
    return strict, no_new, strict or (no_new and not raised.any())


def test_earliest_start_years_equal_the_recomputed_plan(calc, check):
    """For each proposal and all together: at the earliest start the recomputed plan meets the criterion, a year
    earlier (when that was tried) it does not; with no earliest start, no start tried meets it."""
    verdicts = check.verdicts()
    assert len(verdicts) == len(check.proposals) + 1
    objects = check.objects
    seen = set()
    for v in verdicts:
        p = v.proposal
        proposed = [objects[r] for r in p.rows]
        for k, start in enumerate((v.earliest_start, v.earliest_start_no_new, v.earliest_start_no_worse)):
            candidates = [start, start - 1] if start is not None else list(v.starts_tried)
            for s in candidates:
                if s not in v.starts_tried:
                    continue
                moved = [shifted(o, s - p.first_year, p.first_year) for o in proposed]
                met = _criteria(calc, _recompute(calc, calc.plan.objects + tuple(moved)))[k]
                assert met == (s == start), (p.ids, ("strict", "no_new", "no_worse")[k], s, start)
                seen.add((k, s == start))
    assert {(2, True), (2, False)} <= seen  # the test reached both sides of an earliest start


def test_admitted_proposals_together_keep_the_considered_years_and_no_left_out_fits(calc, check):
    """Admission, the long way: the plan with every admitted proposal passes each considered year; adding any
    proposal left out for want of headroom breaches one; one left out for raising the share raises it there alone."""
    admission = check.admission()
    considered = np.isin(np.array(calc.plan.plan_years), admission.years_considered)
    limit = calc.conventions.riktvarde
    admitted = [check.objects[r] for p, _ in admission.admitted for r in p.rows]
    assert admission.admitted and admission.left_out  # both sides are exercised on this plan
    assert {left.reason for left in admission.left_out} == {NEW_BREACH, RAISED}  # and both reasons to leave out
    shares = _period_shares(calc, _recompute(calc, calc.plan.objects + tuple(admitted)))
    assert (shares[considered] < limit).all()
    base = _period_shares(calc, calc.region.table)
    years = np.array(calc.plan.plan_years)
    for left in admission.left_out:
        objects = [check.objects[r] for r in left.proposal.rows]
        if left.reason == NEW_BREACH:
            shares = _period_shares(calc, _recompute(calc, calc.plan.objects + tuple(admitted + objects)))
            assert not (shares[considered] < limit).all(), left.proposal.ids
        else:
            alone = _period_shares(calc, _recompute(calc, calc.plan.objects + tuple(objects)))
            raised = (base >= limit) & (alone - base > SHARE_NO_EFFECT)
            assert tuple(years[raised]) == left.raised, left.proposal.ids


def test_rangordna_equals_delaying_each_object_in_the_recomputed_plan(calc):
    """forsening --rangordna: for the five largest effects and the last row, the highest share of the plan period
    and Δ kapitalkostnader over it equal moving the objects (with those that wait for them) a year and recomputing."""
    ranking, _ = Delays(calc).rank(1)
    first = calc.plan.plan_years[0]
    base = calc.region.table.filter(calc.region.table["ar"].is_in(list(calc.plan.plan_years)))
    for row in [*ranking.head(5).iter_rows(named=True), ranking.row(-1, named=True)]:
        moved_ids = {s.strip() for s in row["flyttade"].split(",")}
        objects = tuple(shifted(o, 1, first) if o.id in moved_ids else o for o in calc.plan.objects)
        table = _recompute(calc, objects)
        after = table.filter(table["ar"].is_in(list(calc.plan.plan_years)))
        assert row["hogsta_andel_efter"] == pytest.approx(float(after["andel"].max()), abs=1e-9), row["id"]
        expected = float((after["kapitalkostnader"] - base["kapitalkostnader"]).sum())
        assert row["delta_kapitalkostnader_planperioden"] == pytest.approx(expected, abs=1e-6), row["id"]


@pytest.mark.parametrize("oid, years", [("TB-NSO", 2), ("TB-DEPA", 1)])
def test_forsening_whole_life_equals_the_recomputed_plan(calc, oid, years):
    """The delay's sums over the moved assets' whole life (WholeLife): moving the objects in the records and
    recomputing the plan to the last year summed gives the same Δ, year by year summed, with the moving market rate."""
    result = Delays(calc).delay(oid, years)
    life = result.whole_life
    first = calc.plan.plan_years[0]
    moved = {m.id: m.years for m in result.moves}
    objects = tuple(shifted(o, moved[o.id], first) if o.id in moved else o for o in calc.plan.objects)
    until = life.till_ar
    base = calculate(calc.plan, calc.models, until_year=until).region.table
    after = calculate(replace(calc.plan, objects=objects), calc.models, until_year=until).region.table
    span = (base["ar"] >= life.fran_ar) & (base["ar"] <= until)
    for name, got in (("investeringar", life.delta_investeringar), ("avskrivningar", life.delta_avskrivningar),
                      ("rantekostnader", life.delta_rantekostnader), ("kapitalkostnader", life.delta_kapitalkostnader)):
        expected = float((after[name] - base[name]).filter(span).sum())
        assert got == pytest.approx(expected, abs=1e-6), name
    in_plan = span & (base["ar"] <= life.plan_end)
    expected = float((after["kapitalkostnader"] - base["kapitalkostnader"]).filter(in_plan).sum())
    assert life.delta_kapitalkostnader_planperioden == pytest.approx(expected, abs=1e-6)
