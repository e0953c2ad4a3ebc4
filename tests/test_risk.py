"""invest risk: every draw equals a full recompute of the drawn plan (objects moved and their remaining spend
scaled in the plan's records); with no spread the result is the deterministic plan; one object's two-point delay
gives the exact two-point breach probability; the same seed gives the same output; P10 ≤ P50 ≤ P90."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from inmemory import shifted
from invest.analyses.changes import Change, Changes
from invest.analyses.risk import Risk, risk
from invest.cli import main
from invest.engine.calculation import calculate
from invest.params.loader import DatedValue
from invest.pipeline import Inputs, calculate_plan


@pytest.fixture(scope="module")
def calc():
    return calculate_plan(Inputs())


def with_risk(models, cost=None, delay=None, correlation=None):
    """The models with the risk distributions replaced (None: as they are)."""
    for name, value in (("risk/fordyring", cost), ("risk/forsening", delay), ("risk/korrelation", correlation)):
        if value is not None:
            models = models.with_values(name, (DatedValue(dt.date(1900, 1, 1), value, "test", None, 0),))
    return models


def drawn_plan(calc, factor, shift):
    """The long way: each object's spend from the plan's first year times its factor, then moved its years."""
    first = calc.plan.plan_years[0]
    objects = []
    for o, f, s in zip(calc.plan.objects, factor, shift):
        o = replace(o, utgifter=tuple((y, a * f if y >= first else a) for y, a in o.utgifter))
        objects.append(shifted(o, int(s), first) if s else o)
    return replace(calc.plan, objects=tuple(objects))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2 ** 31), correlation=st.sampled_from([0.0, 0.5, 1.0]))
def test_every_draw_is_a_full_recompute(calc, seed, correlation):
    spread = {"kollektivtrafik": {0: 0.4, 1: 0.3, 2: 0.2, 3: 0.1}, "fastighet": {0: 0.5, 1: 0.5},
              "it": {0: 0.5, 2: 0.5}, "medicinteknik": {0: 0.7, 1: 0.3}}
    models = with_risk(calc.models, delay=spread, correlation=correlation)
    engine = Risk(replace(calc, models=models))
    draws = engine.draw(4, seed)
    shares = engine.outcome(engine.deltas(draws))["andel"]
    for k in range(4):
        full = calculate(drawn_plan(calc, draws.factor[k], draws.shift[k]), calc.models)
        assert np.abs(full.region.table["andel"].to_numpy() - shares[k]).max() < 1e-12


def test_draws_move_what_waits_as_forsening_does(calc):
    """A drawn delay moves the objects that wait for it as `invest forsening` does (Delays.moves_all)."""
    engine = Risk(calc)
    draws = engine.draw(300, 3)
    ids = [o.id for o in calc.plan.objects]
    for k in range(0, 300, 37):
        given_moves = {ids[i]: int(s) for i, s in enumerate(draws.own_delay[k]) if s}
        expected, _ = engine.delays.moves_all(given_moves) if given_moves else ({}, [])
        expected = {oid: s for oid, s in expected.items() if engine.movable[ids.index(oid)]}
        got = {ids[i]: int(s) for i, s in enumerate(draws.shift[k]) if s}
        assert got == {oid: s for oid, s in expected.items() if s}


def test_no_spread_is_the_plan(calc):
    models = with_risk(calc.models, cost={}, delay={})
    result = risk(replace(calc, models=models), 500, 1, drivers=0)
    base = calc.plan_period()["andel"].to_numpy()
    assert np.abs(result.share - base).max() == 0
    assert list(result.breach_probability) == [1.0 if s >= calc.conventions.riktvarde else 0.0 for s in base]
    assert np.array_equal(result.share_quantiles(0.5), base)


def test_a_two_point_delay_gives_the_two_point_probability(calc):
    """Only TB-NSO uncertain (its own class, the kollektivtrafik lives): delay 0 or 1 year with 1/2 each. The
    exact breach probability per year is the mean of the plan's and the delayed plan's verdicts."""
    name = "tillgangsklasser/kollektivtrafik"
    models = calc.models
    models = type(models)({**models.params, "tillgangsklasser/nso": replace(models.params[name],
                                                                           name="tillgangsklasser/nso")},
                          models.directory)
    plan = replace(calc.plan, objects=tuple(replace(o, tillgangsklass="nso") if o.id == "TB-NSO" else o
                                            for o in calc.plan.objects))
    models = with_risk(models, cost={}, delay={"nso": {0: 0.5, 1: 0.5}})
    own = calculate(plan, models)
    assert np.allclose(own.region.table["andel"].to_numpy(), calc.region.table["andel"].to_numpy(), atol=1e-15)
    result = risk(own, 20_000, 11, drivers=0)
    period = np.isin(own.region.table["ar"].to_numpy(), own.plan.plan_years)
    limit = own.conventions.riktvarde
    delayed = Changes(own).evaluate([Change(delays=(("TB-NSO", 1),))]).values["andel"][0][period]
    exact = 0.5 * (own.region.table["andel"].to_numpy()[period] >= limit) + 0.5 * (delayed >= limit)
    assert np.abs(result.breach_probability - exact).max() < 0.02
    assert exact.max() > 0 and set(np.unique(exact)) == {0.0, 0.5}  # the delay decides some year


def test_same_seed_same_output_and_ordered_quantiles():
    runner = CliRunner()
    first = runner.invoke(main, ["risk", "--dragningar", "2000", "--fro", "5", "--format", "json"])
    second = runner.invoke(main, ["risk", "--dragningar", "2000", "--fro", "5", "--format", "json"])
    other = runner.invoke(main, ["risk", "--dragningar", "2000", "--fro", "6", "--format", "json"])
    assert first.exit_code == 0, first.output
    assert first.output == second.output and first.output != other.output
    data = json.loads(first.output)
    assert data["dragningar"] == 2000 and data["fro"] == 5
    for year in data["ar"]:
        assert year["andel_p10"] <= year["andel_p50"] <= year["andel_p90"]
        assert year["kapitalkostnader_p50"] <= year["kapitalkostnader_p85"]
        assert 0 <= year["sannolikhet_over_riktvarde"] <= data["sannolikhet_nagot_ar_over"] <= 1
    assert data["drivande_objekt"] and all(d["bidrag"] >= data["drivande_objekt"][-1]["bidrag"]
                                           for d in data["drivande_objekt"])


def test_overruns_raise_costs_on_average(calc):
    """The lognormal factor has the mean of models/risk/fordyring.yaml: with no delay, the mean Δ investments
    over the draws is Σ remaining spend × medel (within sampling error)."""
    result_models = with_risk(calc.models, delay={}, correlation=0.0)
    engine = Risk(replace(calc, models=result_models))
    draws = engine.draw(20_000, 2)
    spend = engine.deltas(draws)["investeringar"].sum(axis=1).mean()
    costs = calc.models.value("risk/fordyring", calc.plan.plan_years[0])
    expected = sum(engine.remaining[i] * costs.get(o.tillgangsklass, (0, 0))[0]
                   for i, o in enumerate(calc.plan.objects) if engine.has_cost[i])
    assert abs(spend - expected) < 0.02 * expected


@pytest.mark.parametrize("name,text,words", [
    ("fordyring", "{kollektivtrafik: {medel: 0.45, standardavvikelse: -0.1}}", "standardavvikelse"),
    ("fordyring", "{kollektivtrafik: {medel: -1.5, standardavvikelse: 0.1}}", "medel"),
    ("fordyring", "{kollektivtrafik: {medel: 0.45}}", "medel och standardavvikelse"),
    ("forsening", "{kollektivtrafik: {0: 0.5, 1: 0.4}}", "summerar till 1"),
    ("forsening", "{kollektivtrafik: {0.5: 1.0}}", "hela år"),
])
def test_a_bad_distribution_is_refused_at_its_line(tmp_path, name, text, words):
    import shutil

    from invest.base.findings import InputError
    from invest.base.resources import DEFAULT_MODELS_DIR
    from invest.params.parameters import Models

    models = tmp_path / "models"
    shutil.copytree(DEFAULT_MODELS_DIR, models)
    path = models / "risk" / f"{name}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "varde:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      "))
    path.write_text("\n".join(lines[:start] + [f"    varde: {text}"] + lines[end:]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        Models.load(models)
    found = caught.value.findings[0]
    assert found.location.endswith(f"{name}.yaml:{start + 1}") and words in found.message, (found.location,
                                                                                              found.message)


def test_a_drivers_contribution_is_the_run_without_its_uncertainty(calc):
    """The ranking's shortcut (only the objects whose factor or move changes are recomputed) equals the long way:
    the same draws with the object's own factor 1 and own delay 0, propagated again and summed from scratch."""
    engine = Risk(calc)
    result = engine.run(600, 9, drivers=len(calc.plan.objects))
    draws = engine.draw(600, 9)
    period = np.isin(engine.years, calc.plan.plan_years)
    limit = calc.conventions.riktvarde
    before = (result.share >= limit).sum(axis=1).mean()
    ids = [o.id for o in calc.plan.objects]
    for oid, contribution in result.drivers[:4] + result.drivers[-2:]:
        i = ids.index(oid)
        factor, own = draws.factor.copy(), draws.own_delay.copy()
        factor[:, i], own[:, i] = 1.0, 0
        without = type(draws)(factor, engine.propagate(own), own)
        share = engine.outcome(engine.deltas(without))["andel"][:, period]
        assert contribution == pytest.approx(before - (share >= limit).sum(axis=1).mean(), abs=1e-12), oid


def test_every_rule_in_a_draw_is_judged_as_on_the_full_recompute(calc):
    """The guidelines over the draws (RiskResult.rules) come from each draw's rules judged as on the drawn plan
    recomputed in full: per draw and rule, the years missed are the same (the debt share moves with overruns)."""
    from invest.analyses.guidelines import judge_all
    from invest.analyses.risk import rule_risks
    from invest.engine.plan_change import region_deltas

    engine = Risk(calc)
    draws = engine.draw(6, 11)
    judged = judge_all(calc, region_deltas(calc, engine.deltas(draws)), slice(None))
    for k in range(6):
        full = judge_all(calculate(drawn_plan(calc, draws.factor[k], draws.shift[k]), calc.models))
        for many, one in zip(judged, full):
            assert (many.passes[k] == one.passes).all(), (k, one.rule.id)
            assert np.abs(many.margin[k] - one.margin).max() < 1e-6
    risks = rule_risks(judged)
    missed = np.stack([~r.passes for r in judged])
    assert [r.any_year for r in risks] == pytest.approx(list(missed.any(axis=-1).mean(axis=-1)))
    assert sum(r.binding for r in risks) == pytest.approx(missed.any(axis=(0, 2)).mean())  # one binding rule a draw
    result = risk(calc, 3000, 5, drivers=0)
    assert result.rules[0].id == "kapitalkostnadsandel"
    assert result.rules[0].any_year == pytest.approx(result.any_year_probability)  # the riktvärde's own rule
