"""The region model (docs/berakningsmodell.md §4–6): Budget 2026's own share, roll-forwards, debt, run-off."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inmemory import make_plan, with_parameter
from invest.engine.calculation import calculate
from invest.engine.region_model import vintage_run_off

OBJECT = {"id": "A", "tillgangsklass": "kollektivtrafik", "driftsattning": "2027-01", "medfinansiering": 200,
          "utgifter": {2026: 600, 2027: 400}}


def _calc(models, objects=(OBJECT,), region=(), balance=None, existing=()):
    plan = make_plan(list(objects), years=range(2026, 2031), outturn_year=None, region=list(region), balance=balance,
                     existing=list(existing))
    return calculate(plan, models)


def test_budget_2026_share(models):
    """(8 098 + 1 568) / (29 734 + 110 644) = 6,89 % (Budget 2026 Tabell 8): existing depreciation given, and a debt
    that costs exactly the published 1 568 mnkr at a flat 4 % with no borrowing (the result pays the depreciation)."""
    late = {"id": "A", "tillgangsklass": "it", "driftsattning": "2030", "utgifter": {2030: 10}}
    region = [{"ar": 2026, "totala_intakter": 29734 + 110644, "befintliga_avskrivningar": 8098, "resultat": -8098,
               "rantekostnader": 1568}]
    calc = _calc(models.with_flat_rate(0.04), [late], region, balance={"ingaende_rantebarande_skuld": 1568 / 0.04})
    row = calc.region.table.row(0, named=True)
    assert row["rantekostnader"] == pytest.approx(1568) and row["rantekostnader_budget"] == 1568
    assert row["andel"] == pytest.approx((8098 + 1568) / (29734 + 110644), abs=1e-15)
    assert round(row["andel"] * 100, 2) == 6.89
    assert row["marginal"] == pytest.approx(0.08 * 140378 - 9666)


def test_roll_forwards_and_debt(models):
    models = models.with_flat_rate(0.03)
    region = [{"ar": y, "totala_intakter": 1000 + 10 * i, "resultat": 5, "befintliga_avskrivningar": 20}
              for i, y in enumerate(range(2026, 2031))]
    balance = {"ingaende_rantebarande_skuld": 500, "ingaende_materiella_anlaggningstillgangar": 900}
    t = _calc(models, region=region, balance=balance).region.table
    ma = np.concatenate([[900], t["materiella_anlaggningstillgangar"].to_numpy()])
    np.testing.assert_allclose(np.diff(ma), t["investeringar"].to_numpy() - t["avskrivningar"].to_numpy())
    debt = np.concatenate([[500], t["rantebarande_skuld"].to_numpy()])
    np.testing.assert_allclose(np.diff(debt), t["lanebehov"].to_numpy())
    sf = 5 + t["avskrivningar"].to_numpy() - t["intaktsford_medfinansiering"].to_numpy()
    np.testing.assert_allclose(t["lanebehov"].to_numpy(),
                               t["investeringar"].to_numpy() - t["medfinansiering_mottagen"].to_numpy() - sf)
    # one flat rate: old and new debt cost the same, so interest is r on the year's average debt
    np.testing.assert_allclose(t["rantekostnader"].to_numpy(), 0.03 * (debt[:-1] + debt[1:]) / 2)
    np.testing.assert_allclose(t["skuldandel"].to_numpy(), debt[1:] / t["totala_intakter"].to_numpy())


def test_repricing_moves_old_debt_to_market_rate(models):
    region = [{"ar": y, "totala_intakter": 1000} for y in range(2026, 2031)]
    balance = {"ingaende_rantebarande_skuld": 900, "genomsnittsranta_befintlig_skuld": 0.05}
    t = _calc(models, objects=[], region=region, balance=balance).region.table
    step = min(1 / models.value("ranta/bindningstid", 2026), models.value("ranta/omsattning", 2026))
    market = models.value("ranta/marknadsranta", 2026) + models.value("ranta/upplaningsmarginal", 2026)
    old = 900 * np.clip(1 - step * np.arange(0, 6), 0, 1)  # a ladder: a third of the opening debt a year
    expected = 0.05 * (old[:-1] + old[1:]) / 2 + market * ((900 - old[:-1]) + (900 - old[1:])) / 2
    np.testing.assert_allclose(t["rantekostnader"].to_numpy(), expected)
    assert t["andel_omsatt_skuld"].to_list()[:3] == pytest.approx([step] * 3)  # 1/3 a year, under the 35 % cap


def test_tranches_keep_their_rate_for_the_binding_period():
    """100 mnkr borrowed in the first year at 1 %, bound two years: half a year at 1 %, a year at 1 %, repriced in
    the middle of the third year to that year's 3 %, a year at 3 %, repriced mid-year to 5 %."""
    from invest.engine.debt import repriced_weights, tranche_weights

    w = tranche_weights(np.array([0.01, 0.02, 0.03, 0.04, 0.05]), 2)
    np.testing.assert_allclose(100 * w[0], [0.5, 1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(100 * w[1], [0.0, 1.0, 2.0, 3.0, 4.0])  # 2 %: half; 2 %; 2→4 % mid-year; 4 %
    np.testing.assert_allclose(repriced_weights(5, 2)[0], [0, 0, 1, 0, 1])


def test_new_borrowing_is_taken_up_as_a_ladder():
    """300 mnkr borrowed in the first year, bound three years, as a ladder: 100 first repriced after one year, 100
    after two, 100 after three, each then every three years. Rates 1, 2, …, 6 %; hand-computed interest."""
    from invest.engine.debt import ladder_repriced, ladder_weights

    w = ladder_weights(np.array([0.01, 0.02, 0.03, 0.04, 0.05, 0.06]), 3)
    # year 0: half a year at 1 %; year 1: part 1 half 1 %, half 2 %, parts 2–3 at 1 %; year 2: part 1 at 2 %, part 2
    # 1→3 % mid-year, part 3 at 1 %; year 3: 2 %, 3 %, part 3 1→4 %; year 4: part 1 2→5 %, 3 %, 4 %; year 5: 5, 3→6, 4
    np.testing.assert_allclose(300 * w[0], [1.5, 3.5, 5.0, 7.5, 10.5, 13.5])
    np.testing.assert_allclose(300 * ladder_repriced(6, 3)[0], [0, 100, 100, 100, 100, 100])


@settings(max_examples=60, deadline=None)
@given(bindningstid=st.integers(3, 6), opening=st.floats(1, 5e4),
       borrowing=st.lists(st.floats(-3e3, 3e3, allow_nan=False), min_size=1, max_size=25))
def test_a_year_reprices_its_share_of_the_debt_less_what_is_repaid(bindningstid, opening, borrowing):
    """The whole portfolio is a ladder: in every year 1/bindningstid of the opening debt of the year gets a new rate,
    less what is repaid — so never more than 1/bindningstid (≤ the budget's 35 % from three years up)."""
    from invest.engine.debt import debt_path

    b = np.array(borrowing)
    path = debt_path(opening, 0.04, b, np.full(len(b), 0.03), bindningstid, 0.35)
    before = np.concatenate(([opening], path.debt[:-1]))
    ok = before > 1e-6
    expected = (before / bindningstid + np.minimum(b, 0.0))[ok] / before[ok]
    np.testing.assert_allclose(path.repriced_share[ok], expected, rtol=1e-9, atol=1e-9)
    assert (path.repriced_share[ok] <= 1 / bindningstid + 1e-12).all()


def test_debt_model_is_linear_in_borrowing(models):
    """Δ interest of a change = the debt model on its Δ borrowing alone (what every Δ path relies on)."""
    from invest.engine.debt import change_interest, debt_path

    rates = np.array([0.02, 0.035, 0.03, 0.045, 0.04, 0.05])
    base = np.array([100.0, -50, 20, 0, 80, -10])
    change = np.array([0.0, 30, -5, 12, 0, 7])
    a = debt_path(900, 0.05, base, rates, 3, 0.35).interest
    b = debt_path(900, 0.05, base + change, rates, 3, 0.35).interest
    np.testing.assert_allclose(b - a, change_interest(change, rates, 3), atol=1e-12)


def _vintage_stock(growth: float, life: int, steps: int = 12):
    """An explicit stock: monthly vintages of the last `life` years, investment growing at `growth` a year,
    each written off straight-line over `life` years. Returns its book value and its yearly run-off."""
    ages = (np.arange(life * steps) + 0.5) / steps  # years since each vintage was activated
    invested = np.exp(-growth * ages) / steps
    book = (invested * (1 - ages / life)).sum()
    months = np.arange(life * steps * steps) / steps / steps  # fine time grid over the next `life` years
    alive = (ages[None, :] + months[:, None]) < life
    rate = (alive * invested[None, :] / life).sum(axis=1)
    yearly = rate.reshape(life, steps * steps).mean(axis=1)
    return book, yearly


@pytest.mark.parametrize("growth", [0.0, 0.05, -0.03])
def test_vintage_run_off_matches_an_explicit_stock(growth):
    book, yearly = _vintage_stock(growth, 25)
    # R is what the explicit stock has: book value over its depreciation rate at t = 0
    ages = (np.arange(25 * 12) + 0.5) / 12
    remaining = book / (np.exp(-growth * ages) / 12 / 25).sum()
    used = vintage_run_off(1000.0, remaining, 25)
    got = used(np.arange(1, 26)) - used(np.arange(0, 25))
    np.testing.assert_allclose(got, yearly * 1000 / book, rtol=2e-3, atol=1e-3)
    assert abs(got.sum() - 1000) < 1e-6 and abs(used(40.0) - 1000) < 1e-6


@pytest.mark.parametrize("profile,expected", [
    ("jamn", [400, 400, 200, 0, 0]),  # B/R = 400 a year until the 1 000 are used
    ("arganger", [80 * 0.98, 80 * 0.94, 80 * 0.90, 80 * 0.86, 80 * 0.82]),  # R = L/2: 2B/L falling linearly to 0 at L
])
def test_existing_assets_run_off(models, profile, expected):
    region = [{"ar": y, "totala_intakter": 1000} for y in range(2026, 2031)]
    remaining = 2.5 if profile == "jamn" else 12.5  # kollektivtrafik: L = 25
    existing = [{"tillgangsklass": "kollektivtrafik", "bokfort_varde": 1000, "aterstaende_nyttjandeperiod": remaining},
                {"tillgangsklass": "mark", "bokfort_varde": 5000}]
    t = _calc(with_parameter(models, "region/befintliga_avveckling", profile), region=region, existing=existing).region.table
    np.testing.assert_allclose(t["befintliga_avskrivningar"].to_numpy(), expected)


def test_revenue_extrapolated_with_growth(models):
    """Övriga intäkter (the given total minus the release) grow; the release is added on top every year."""
    region = [{"ar": 2026, "totala_intakter": 1000}]
    calc = _calc(models, region=region)
    t = calc.region.table
    g = models.value("region/intaktstillvaxt", 2026)
    release = t["intaktsford_medfinansiering"].to_numpy()
    assert release[0] == 0 and release[1] > 0  # the object opens in 2027
    np.testing.assert_allclose(t["totala_intakter"].to_numpy(), 1000 * (1 + g) ** np.arange(5) + release)
    assert any("framskrivna" in n for n in calc.region.notes)


def test_netto_method(models):
    models = with_parameter(models, "konventioner/riktvardesmetod", "netto")
    region = [{"ar": y, "totala_intakter": 1000, "befintliga_avskrivningar": 30,
               "befintlig_intaktsford_medfinansiering": 10} for y in range(2026, 2031)]
    t = _calc(models, region=region).region.table
    num = t["avskrivningar"] - t["intaktsford_medfinansiering"] + t["rantekostnader"]
    den = t["totala_intakter"] - t["intaktsford_medfinansiering"]
    np.testing.assert_allclose(t["andel"].to_numpy(), (num / den).to_numpy())
    np.testing.assert_allclose(t["marginal"].to_numpy(), (0.08 * den - num).to_numpy())


def test_calibration_counts_only_genuine_tests():
    """Fitted rows, identities and derived rows are shown but not counted: the headline counts the prövningar and
    names what was fitted; a failing test is named."""
    import polars as pl

    from invest.analyses.calibration import comparison, headline
    from invest.plan.records import PublishedFigure, Source

    src = Source("b.xlsx", "Budgetjämförelse", 2)
    figures = (PublishedFigure("avskrivningar", None, 2026, "budget", 100.0, src, "", "anpassad"),
               PublishedFigure("avskrivningar", None, 2027, "plan", 110.0, src, ""),
               PublishedFigure("rantekostnader", None, 2026, "budget", 10.0, src, "", "anpassad"),
               PublishedFigure("totala_intakter", None, 2026, "budget", 2000.0, src, "", "indata"),
               PublishedFigure("materiella_anlaggningstillgangar", None, 2026, "budget", 500.0, src, ""),
               PublishedFigure("rantebarande_skuld", None, 2026, "budget", 300.0, src, ""))
    table = pl.DataFrame({"ar": [2026, 2027], "avskrivningar": [100.5, 150.0], "rantekostnader": [10.1, 11.0],
                          "andel": [0.0553, 0.08], "materiella_anlaggningstillgangar": [501.0, 520.0],
                          "rantebarande_skuld": [301.0, 320.0]})
    frame = comparison(figures, table)
    roles = {(r["post"], r["ar"]): r["roll"] for r in frame.iter_rows(named=True)}
    assert roles == {("Avskrivningar", 2026): "anpassad", ("Avskrivningar", 2027): "prövning",
                     ("Räntekostnader", 2026): "anpassad", ("Materiella anläggningstillgångar", 2026): "identitet",
                     ("Kapitalkostnadsandel", 2026): "härledd",
                     ("Räntebärande skuld (lån och leasing)", 2026): "prövning"}
    text = headline(frame)
    assert text.startswith("1 av 2 prövningar inom tolerans (utanför: Avskrivningar 2027)")
    assert "anpassad till avskrivningar 2026, räntekostnader 2026" in text
