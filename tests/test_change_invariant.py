"""Every Δ equals a full recompute (docs/berakningsmodell.md §8): a proposal added to, or an object moved in, a random
plan with a Region sheet, through the Δ path (engine.plan_change) against `calculate` on the changed plan minus the
baseline, every year — räntekostnader from the debt model with a moving market rate, totala intäkter moved by the
release — to 1e-6 mnkr and 1e-9 in the share."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invest.engine.calculation import calculate
from invest.engine.plan_arrays import plan_arrays
from invest.engine.plan_change import deltas, with_change
from invest.params.parameters import Models
from invest.plan.records import Driftsattning, RegionInputs, RegionYear, Source
from inmemory import make_object, shifted, with_path
from strategies import PLAN_YEARS, as_plan, objects, plan_object

SRC = Source("genererad", "Region", 0)
FIELDS = ("investeringar", "avskrivningar", "rantekostnader", "kapitalkostnader", "totala_intakter",
          "rantebarande_skuld")


@st.composite
def region(draw) -> RegionInputs:
    """Revenue given for the first 1–4 years (as totala or övriga intäkter), the rest grown; random result and items."""
    given = draw(st.integers(1, 4))
    as_other = draw(st.booleans())
    years = []
    for i, y in enumerate(PLAN_YEARS):
        revenue = draw(st.floats(5_000, 50_000)) if i < given else None
        years.append(RegionYear(y, None if as_other else revenue, draw(st.sampled_from([None, 100.0])), 0.0,
                                draw(st.floats(-200, 400)), draw(st.floats(-50, 50)), None, 0.0, SRC,
                                revenue if as_other else None))
    return RegionInputs(tuple(years), draw(st.floats(0, 20_000)), draw(st.sampled_from([None, 0.01, 0.045])))


@st.composite
def market_path(draw) -> list[float]:
    return [draw(st.floats(0.0, 0.08)) for _ in PLAN_YEARS]


def with_market(models: Models, rates: list[float]) -> Models:
    """The market rate changing every year (so tranches fixed in different years cost different rates)."""
    return with_path(models, "ranta/marknadsranta", dict(zip(PLAN_YEARS, rates)))


def _assert_same(calc, changed, delta, rows=0):
    full = changed.region.table
    base = calc.region.table
    assert full["ar"].to_list() == base["ar"].to_list()
    for name in FIELDS:
        if name not in full.columns or full[name].null_count() == full.height:  # no Region sheet: no revenue, no debt
            continue
        expected = full[name].to_numpy() - base[name].to_numpy()
        got = delta[name][rows] if name in delta else None
        if name == "totala_intakter":
            got = delta["intaktsford_medfinansiering"][rows]
        np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0, err_msg=name)
    if not calc.region.has_share:
        return
    shown = with_change(calc, {k: v[rows:rows + 1] for k, v in delta.items()})
    np.testing.assert_allclose(shown["andel"][0], full["andel"].to_numpy(), atol=1e-9, rtol=0)
    np.testing.assert_allclose(shown["marginal"][0], full["marginal"].to_numpy(), atol=1e-6, rtol=0)


def _new(obj, index):
    """A proposal: a new id, no outturn (spend before the plan moved into its first year)."""
    early = sum(a for y, a in obj.utgifter if y < PLAN_YEARS[0])
    spend = tuple((y, a + (early if y == min(yy for yy, _ in obj.utgifter if yy >= PLAN_YEARS[0]) else 0))
                  for y, a in obj.utgifter if y >= PLAN_YEARS[0])
    return replace(obj, id=f"NY-{index}", utgifter=spend or ((PLAN_YEARS[0], early),))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objs=objects(max_objects=5), extra=st.lists(plan_object(90), min_size=1, max_size=3),
       reg=st.none() | region(), rates=market_path())
def test_a_proposal_equals_the_recomputed_plan(models, objs, extra, reg, rates):
    m = with_market(models, rates)
    calc = calculate(replace(as_plan(objs), region=reg), m)
    proposal = tuple(_new(o, i) for i, o in enumerate(extra))
    changed = calculate(replace(calc.plan, objects=calc.plan.objects + proposal), m)
    added = plan_arrays(replace(calc.plan, objects=proposal), m)
    delta = deltas(calc, added, np.zeros(len(proposal), dtype=int), np.array([], dtype=int), np.array([], dtype=int), 1)
    _assert_same(calc, changed, delta)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objs=objects(max_objects=5), reg=st.none() | region(), rates=market_path(), years=st.integers(-2, 3),
       pick=st.integers(0, 4))
def test_a_moved_object_equals_the_recomputed_plan(models, objs, reg, rates, years, pick):
    m = with_market(models, rates)
    calc = calculate(replace(as_plan(objs), region=reg), m)
    k = pick % len(objs)
    moved = shifted(calc.plan.objects[k], years, PLAN_YEARS[0])
    if any(y > PLAN_YEARS[-1] + 3 for y, _ in moved.utgifter):
        return
    changed_objects = calc.plan.objects[:k] + (moved,) + calc.plan.objects[k + 1:]
    changed = calculate(replace(calc.plan, objects=changed_objects), m, until_year=int(calc.region.table["ar"][-1]))
    row = list(calc.arrays.ids).index(moved.id)
    added = plan_arrays(replace(calc.plan, objects=(moved,)), m)
    delta = deltas(calc, added, np.array([0]), np.array([row]), np.array([0]), 1)
    _assert_same(calc, changed, delta)


def test_the_invariant_fails_at_the_internal_rate(models):
    """The check itself: pricing the Δ debt at the internränta (the old shortcut) is caught."""
    base_obj = make_object({"id": "A", "tillgangsklass": "it", "driftsattning": "2026", "utgifter": {2026: 500}})
    reg = RegionInputs(tuple(RegionYear(y, 20_000.0 if y == 2026 else None, None, 0.0, 0.0, 0.0, None, 0.0, SRC)
                             for y in PLAN_YEARS), 1_000.0, 0.04)
    m = with_market(models, [0.05] * len(PLAN_YEARS))
    calc = calculate(replace(as_plan([base_obj]), region=reg), m)
    proposal = (_new(replace(base_obj, driftsattning=Driftsattning(2027, 1), utgifter=((2027, 800.0),)), 0),)
    changed = calculate(replace(calc.plan, objects=calc.plan.objects + proposal), m)
    delta = deltas(calc, plan_arrays(replace(calc.plan, objects=proposal), m), np.array([0]), np.array([], dtype=int),
                   np.array([], dtype=int), 1)
    delta = dict(delta, rantekostnader=delta["objektens_ranta"],
                 kapitalkostnader=delta["avskrivningar"] + delta["objektens_ranta"])
    with pytest.raises(AssertionError, match="rantekostnader"):
        _assert_same(calc, changed, delta)
