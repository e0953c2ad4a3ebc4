"""`invest jamfor` on two plan versions with different plan periods (last year's plan 2026–2035 against this year's
2027–2036): the comparison covers the years both plans cover, the nine causes still sum to the total change there,
and the totals are each version's own, from `invest berakna`.

Unlike tests/test_jamfor.py these tests were written knowing how the comparison handles the periods
(docs/berakningsmodell.md §13, "Olika planperioder"): the version that starts earlier is computed on from the later
start with the debt its own model has at that year's start, and what this changes in it is counted in `ranta`. So every exact
expectation here is about what does not depend on that choice: a change in the later version alone (a new object,
a larger opening debt) is its own Δ from `invest berakna`, whatever the earlier version's start, and the split
reverses its sign when the two versions are swapped."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import MODELS_DIR, ROOT
from inmemory import make_object
from invest.excel.reader import read_plan
from invest.params.parameters import Models
from test_jamfor import (CAUSES, DEFAULT_PLAN, MNKR, REGION, SHARE, X_ROW, assert_bad_input,
                         assert_causes_sum_and_match_berakna, assert_years, berakna, cause, delta, invest, jamfor, small,
                         small_objects, write)

LATER_YEARS = list(range(2027, 2036))  # the years last year's plan (2026–2035) and this year's (2027–2036) share


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("jamfor_perioder")


def _example_builder():
    """data/jamforelse/bygg_exempel.py, which builds the README's example of next year's version."""
    spec = importlib.util.spec_from_file_location("bygg_exempel", ROOT / "data" / "jamforelse" / "bygg_exempel.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def versions(workdir):
    """A: the default plan written back; B: it a year on; B+X: B with a new object; B+1000: B with 1 000 mnkr more
    opening debt."""
    models = Models.load(MODELS_DIR)
    plan = read_plan(DEFAULT_PLAN, models)
    one_year_on = _example_builder().one_year_on  # the default plan a year on, 2027–2036 (its docstring)
    later = one_year_on(plan, models)
    return {"A": write(plan, workdir / "budget_2026.xlsx"), "B": write(later, workdir / "budget_2027.xlsx"),
            "B+X": write(replace(later, objects=later.objects + (make_object(X_ROW),)), workdir / "budget_2027_x.xlsx"),
            "B+1000": write(one_year_on(plan, models, 1000.0), workdir / "budget_2027_skuld.xlsx")}


def test_a_later_version_is_compared_over_the_years_both_cover(versions):
    """A 2026–2035 → B 2027–2036: the years 2027–2035; each year's causes sum to berakna's Δ (1e-6 mnkr, 1e-9 share)
    and a note says which years are compared and why."""
    data = jamfor(versions["A"], versions["B"])
    assert_causes_sum_and_match_berakna(data, versions["A"], versions["B"], years=LATER_YEARS)
    assert any("2026–2035" in n and "2027–2036" in n and "2027–2035" in n for n in data["noteringar"]), \
        data["noteringar"]


def test_swapping_the_versions_reverses_every_cause(versions):
    """B → A is A → B with every cause's sign turned, in mnkr and in the share."""
    forward, backward = jamfor(versions["A"], versions["B"]), jamfor(versions["B"], versions["A"])
    assert_causes_sum_and_match_berakna(backward, versions["B"], versions["A"], years=LATER_YEARS)
    for f, b in zip(forward["ar"], backward["ar"]):
        for key, tol in (("orsaker", MNKR), ("orsaker_andel", SHARE)):
            for name in CAUSES:
                assert b[key][name] == pytest.approx(-f[key][name], abs=tol), (f["ar"], key, name)


def test_a_new_object_in_the_later_version_is_its_own_delta(versions):
    """B+X against A: nya_objekt is exactly X's own Δ kapitalkostnader in B (berakna on B+X minus on B), in every
    compared year, and the other causes are those of A → B."""
    base, with_x = jamfor(versions["A"], versions["B"]), jamfor(versions["A"], versions["B+X"])
    assert_causes_sum_and_match_berakna(with_x, versions["A"], versions["B+X"], years=LATER_YEARS)
    own = delta(versions["B"], versions["B+X"], years=LATER_YEARS)
    assert max(abs(v) for v in own.values()) > 10
    assert_years(cause(with_x, "nya_objekt"), own, MNKR, "nya_objekt")
    for name in set(CAUSES) - {"nya_objekt"}:
        assert_years(cause(with_x, name), cause(base, name), MNKR, name)


def test_a_larger_opening_debt_in_the_later_version_is_ranta(versions):
    """B+1000 against A: ranta grows by exactly what 1 000 mnkr more opening debt costs in B (berakna), nothing else
    moves."""
    base, more = jamfor(versions["A"], versions["B"]), jamfor(versions["A"], versions["B+1000"])
    assert_causes_sum_and_match_berakna(more, versions["A"], versions["B+1000"], years=LATER_YEARS)
    cost = delta(versions["B"], versions["B+1000"], years=LATER_YEARS)
    assert min(cost.values()) > 10
    assert_years({y: cause(more, "ranta")[y] - cause(base, "ranta")[y] for y in LATER_YEARS}, cost, MNKR, "ranta")
    for name in set(CAUSES) - {"ranta"}:
        assert_years(cause(more, name), cause(base, name), MNKR, name)


def test_a_longer_plan_with_the_same_years_otherwise_changes_nothing(tmp_path):
    """A 2026–2030 and B = A with 2031 added: the years 2026–2030, every cause 0 (nothing in a year depends on a later
    one), both orders."""
    a = small(tmp_path / "plan_kort.xlsx")
    longer = range(2026, 2032)
    b = small(tmp_path / "plan_lang.xlsx", region=[{**REGION[0], "ar": y} for y in longer], years=longer)
    for first, second in ((a, b), (b, a)):
        data = jamfor(first, second)
        assert_causes_sum_and_match_berakna(data, first, second, years=range(2026, 2031))
        for row in data["ar"]:
            assert all(abs(v) <= MNKR for v in row["orsaker"].values()), row
        assert data["noteringar"]


def test_plans_without_a_common_year_are_refused(tmp_path):
    """A 2026–2030 and B 2031–2035: exit 2, a Swedish message naming both files and both periods."""
    a = small(tmp_path / "plan_tidig.xlsx")
    late = range(2031, 2036)
    b = small(tmp_path / "plan_sen.xlsx", objects=[{"id": "S", "namn": "Sent objekt", "tillgangsklass": "it",
                                                     "driftsattning": "2031-01", "utgifter": {2031: 10.0}}],
              region=[{**REGION[0], "ar": y} for y in late], years=late)
    assert berakna(b)
    for first, second in ((a, b), (b, a)):
        for fmt in ("json", "tabell"):
            result = invest("jamfor", first, second, "--format", fmt)
            assert_bad_input(result, "plan_tidig.xlsx", "plan_sen.xlsx", "2026–2030", "2031–2035")


def test_the_text_output_states_the_compared_years(versions):
    result = invest("jamfor", versions["A"], versions["B"])
    assert result.exit_code == 0, result.output
    assert "jämförelsen gäller 2027–2035" in result.output
    assert "Andelen 2026" not in result.output and "Andelen 2035" in result.output


def test_berakna_of_the_built_version_is_a_plan_of_its_own(versions):
    """The hand-built B is read as a plan 2027–2036 (a precondition of the tests above)."""
    rows = berakna(versions["B"])
    assert min(rows) == 2027 and max(rows) == 2036
    assert Path(versions["B"]).exists()


def test_a_region_sheet_without_some_years_is_compared_as_computed_alone(tmp_path):
    """A's Region sheet gives 2026–2027 only (revenue extrapolated after), B's every year with 5 % more revenue and
    one object more: the causes sum to berakna's Δ, in both orders."""
    a = small(tmp_path / "a_kort_region.xlsx", region=[dict(row) for row in REGION[:2]])
    b = small(tmp_path / "b_full_region.xlsx", region=[{**row, "totala_intakter": row["totala_intakter"] * 1.05}
                                                        for row in REGION],
              objects=small_objects() + [{"id": "X", "namn": "Objekt X", "tillgangsklass": "it",
                                          "driftsattning": "2027-01", "utgifter": {2027: 100.0}}])
    for first, second in ((a, b), (b, a)):
        data = jamfor(first, second)
        assert_causes_sum_and_match_berakna(data, first, second, years=range(2026, 2031))
        assert any(abs(v) > 1e-6 for row in data["ar"] for v in (row["orsaker"]["intakter"],
                                                                   row["orsaker_andel"]["intakter"]))
        assert any("a_kort_region.xlsx saknar 2028–2030" in n for n in data["noteringar"]), data["noteringar"]


def test_spend_after_the_compared_years_moves_only_what_it_costs_in_them(versions, workdir):
    """B+2036: B with every object that spends in 2035 spending as much again in 2036 (a later plan's new last
    year). Against A, ändrade belopp and ändrad tidpunkt change only by what that spend costs in 2027–2035
    (berakna on B+2036 minus on B: nothing, but for the co-financing received with it) — not by scaling the
    objects' spend inside the compared years up and back down."""
    models = Models.load(MODELS_DIR)
    later = read_plan(versions["B"], models)
    extended = replace(later, objects=tuple(
        replace(o, utgifter=o.utgifter + ((2036, dict(o.utgifter)[2035]),)) if dict(o.utgifter).get(2035) else o
        for o in later.objects))
    assert sum(1 for o in extended.objects if dict(o.utgifter).get(2036)) > 10
    b2036 = write(extended, workdir / "budget_2027_2036.xlsx")
    base, more = jamfor(versions["A"], versions["B"]), jamfor(versions["A"], b2036)
    assert_causes_sum_and_match_berakna(more, versions["A"], b2036, years=LATER_YEARS)
    own = delta(versions["B"], b2036, years=LATER_YEARS)
    assert max(abs(v) for v in own.values()) < 5  # 2036 spend costs (almost) nothing before 2036
    for y in LATER_YEARS:
        moved = {name: cause(more, name)[y] - cause(base, name)[y] for name in ("belopp", "tidpunkt")}
        assert sum(moved.values()) == pytest.approx(own[y], abs=1e-6), (y, moved, own[y])
        assert all(abs(v) <= abs(own[y]) + 1e-6 for v in moved.values()), (y, moved, own[y])


def test_the_note_says_what_differs(tmp_path, versions):
    """Only the last year differs: the note names the compared years and says nothing is carried on. A later start:
    it names the earlier plan and what carrying it on adds, per year, to räntan och skulden."""
    a = small(tmp_path / "plan_kort.xlsx")
    longer = range(2026, 2032)
    b = small(tmp_path / "plan_lang.xlsx", region=[{**REGION[0], "ar": y} for y in longer], years=longer)
    note = " ".join(jamfor(a, b)["noteringar"])
    assert "2026–2030" in note and "börjar tidigare" not in note
    note = " ".join(jamfor(versions["A"], versions["B"])["noteringar"])
    assert "budget_2026.xlsx börjar tidigare" in note and "räntan och skulden" in note and "mnkr 2027" in note
    data = jamfor(versions["A"], versions["B"])
    assert data["planperiod_a"] == [2026, 2035] and data["planperiod_b"] == [2027, 2036]
