"""invest kontroll: proposals against the riktvärde — by hand (scale factor, earliest start, admission order), the
exit codes, bad input, the one-page report, and unseen proposals on the default plan against tests/oracle.py."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from invest.cli import main
from conftest import ROOT, build_plan
from inmemory import make_object
from invest.pipeline import Inputs, calculate_plan
from invest.analyses.proposals import ProposalCheck
from oracle import object_schedule
from workbooks import OBJECT_LIST_ROWS, object_list_workbook

YEARS = range(2026, 2031)
REVENUE = 1000.0
DEFAULT_PLAN = ROOT / "data" / "investeringsplan" / "investeringsplan.xlsx"


@pytest.fixture
def plan(tmp_path):
    """Revenue 1000, interest fixed at 10 a year, and one it object (240 mnkr from 2026-01, 4 years): kapital-
    kostnader 70 in 2026–2029 and 10 in 2030, so the marginal is 80 − 70 = 10 mnkr in 2026–2029 and 70 in 2030."""
    base = {"id": "B", "tillgangsklass": "it", "driftsattning": "2026-01", "utgifter": {2026: 240}}
    region = [{"ar": y, "totala_intakter": REVENUE, "befintliga_avskrivningar": 0, "rantekostnader": 10.0} for y in YEARS]
    return build_plan(tmp_path / "plan.xlsx", [base], years=YEARS, region=region)


def proposal(path: Path, objects: list[dict], **sheets) -> Path:
    return build_plan(path, objects, years=YEARS, outturn_year=None, **sheets)


def kontroll(*args, code=None):
    result = CliRunner().invoke(main, ["kontroll", *map(str, args), "--format", "json"])
    if code is not None:
        assert result.exit_code == code, result.output
    return json.loads(result.stdout), result.exit_code


def rows(data, name):
    return {r["ar"]: r[name] for r in data["ar"]}


def it_object(oid, amount, drift="2027-01", year=2027, medfin=None):
    return {"id": oid, "tillgangsklass": "it", "driftsattning": drift, "utgifter": {year: amount}, "medfinansiering": medfin}


def test_scale_factor_and_earliest_start_by_hand(tmp_path, plan, models):
    """P: it, 120 mnkr spent 2027, in use 2027-01, half co-financed. Depreciation 30 a year 2027–2030, release 15;
    book value 90/60/30/0 less the liability 45/30/15/0 gives K 45/30/15/0, interest r·(K_{t−1}+K_t)/2. Brutto:
    totala intäkter + 15, so a = Δkk − 0,08·15 and k = min over years of marginal / a."""
    path = proposal(tmp_path / "p.xlsx", [it_object("P", 120, medfin=60)])
    data, code = kontroll(path, "--plan", plan, "--utdata", tmp_path / "ut", code=1)
    r = models.value("ranta/internranta", 2027)
    k_prev, interest = 0.0, {}
    for y, k_end in zip(range(2027, 2031), (45, 30, 15, 0)):
        interest[y], k_prev = r * (k_prev + k_end) / 2, k_end
    cost = {2026: 0.0, **{y: 30 + interest[y] for y in interest}}
    marginal = {2026: 10.0, 2027: 10.0, 2028: 10.0, 2029: 10.0, 2030: 70.0}
    release = {2026: 0.0, **{y: 15.0 for y in interest}}
    for y in YEARS:
        assert rows(data, "delta_kapitalkostnader")[y] == pytest.approx(cost[y], abs=1e-9)
        assert rows(data, "marginal_utan")[y] == pytest.approx(marginal[y], abs=1e-9)
        assert rows(data, "andel_med")[y] == pytest.approx((80 - marginal[y] + cost[y]) / (REVENUE + release[y]),
                                                           abs=1e-12)
        assert rows(data, "marginal_med")[y] == pytest.approx(marginal[y] - cost[y] + 0.08 * release[y], abs=1e-9)
    k = min(marginal[y] / (cost[y] - 0.08 * release[y]) for y in interest)
    assert k == pytest.approx(10 / (30 + r * 37.5 - 1.2))  # 2028 binds: the most interest in a tight year
    assert data["max_skalfaktor"] == pytest.approx(k, rel=1e-12)
    assert data["godkand"] is False and data["forsta_overskridande_ar"] == 2027
    assert data["riktvarde"] == 0.08
    # Only in 2030 is there room for 30 a year: the whole proposal moved three years (spend 2030, in use 2030-01).
    assert data["tidigaste_startar"] == 2030 and data["provade_startar"] == [2026, 2027, 2028, 2029, 2030]

    for factor, expected_code in ((0.999, 0), (1.001, 1)):  # the factor is exact: just under passes, just over fails
        scaled = proposal(tmp_path / f"p{factor}.xlsx", [it_object("P", 120 * k * factor, medfin=60 * k * factor)])
        scaled_data, _ = kontroll(scaled, "--plan", plan, "--utdata", tmp_path / "ut", code=expected_code)
        assert scaled_data["max_skalfaktor"] == pytest.approx(1 / factor, rel=1e-9)
        assert scaled_data["godkand"] is (expected_code == 0)


def test_netto_method_leaves_the_denominator_alone(tmp_path, plan, models):
    """Under `netto` the release leaves the numerator and the denominator: a = Δavskr − Δrelease + Δränta."""
    import shutil

    models_dir = tmp_path / "models"
    shutil.copytree(ROOT / "models", models_dir)
    rule = models_dir / "konventioner" / "riktvardesmetod.yaml"
    assert "brutto" in rule.read_text(encoding="utf-8")
    rule.write_text(rule.read_text(encoding="utf-8").replace("brutto", "netto"), encoding="utf-8")
    path = proposal(tmp_path / "p.xlsx", [it_object("P", 120, medfin=60)])
    data, _ = kontroll(path, "--plan", plan, "--models", models_dir, "--utdata", tmp_path / "ut")
    r = models.value("ranta/internranta", 2027)
    assert data["metod"] == "netto"
    assert data["max_skalfaktor"] == pytest.approx(10 / (30 - 15 + r * 37.5), rel=1e-12)


def test_a_small_proposal_passes_with_exit_0_and_the_contract_keys(tmp_path, plan):
    path = proposal(tmp_path / "p.xlsx", [it_object("LITEN", 20, drift="2030-01", year=2030)])
    data, _ = kontroll(path, "--plan", plan, "--utdata", tmp_path / "ut", code=0)
    assert {"godkand", "riktvarde", "ar", "forsta_overskridande_ar", "max_skalfaktor", "tidigaste_startar"} <= set(data)
    assert {"ar", "andel_utan", "andel_med", "delta_kapitalkostnader", "marginal_med"} <= set(data["ar"][0])
    assert data["godkand"] is True and data["forsta_overskridande_ar"] is None
    assert [r["ar"] for r in data["ar"]] == list(YEARS)
    # even from 2026 (5 a year + r·(0 + 15)/2 in the first year) it stays under the marginal of 10
    assert data["tidigaste_startar"] == 2026
    assert "klaras alla år 2026–2030 med förslaget" in " ".join(data["bedomning"])


def test_the_table_is_written_for_a_decision_document(tmp_path, plan):
    path = proposal(tmp_path / "p.xlsx", [it_object("P", 120, medfin=60)])
    result = CliRunner().invoke(main, ["kontroll", str(path), "--plan", str(plan), "--utdata", str(tmp_path / "ut")])
    assert result.exit_code == 1
    out = result.stdout
    assert "EJ GODKÄNT: över riktvärdet 2027, 2028 och 2029." in out
    assert "Förslaget omfattar objektet P med utgifter på 120 mnkr 2027, varav medfinansiering 60 mnkr." in out
    assert "Tidigaste startår då förslaget i oförändrad storlek ryms alla år: 2030 (föreslagen start 2027" in out
    assert "kontroll_p.xlsx" in out and "kontroll_p.png" in out


def test_report_is_one_sheet_with_chart_and_text_never_a_formula(tmp_path, plan):
    path = proposal(tmp_path / "p.xlsx", [it_object("=2+2", 8, drift="2030-01", year=2030),
                                          it_object("Q", 40, drift="2029-01", year=2029)])
    kontroll(path, "--plan", plan, "--utdata", tmp_path / "ut")
    wb = openpyxl.load_workbook(tmp_path / "ut" / "kontroll_p.xlsx")
    ws = wb["Kontroll"]
    assert wb.sheetnames[0] == "Kontroll" and len(ws._images) == 1
    assert ws.page_setup.fitToHeight == 1 and ws.page_setup.fitToWidth == 1 and ws.page_setup.orientation == "landscape"
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(c.value == "=2+2" and c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for c in cells)
    assert (tmp_path / "ut" / "kontroll_p.png").stat().st_size > 10_000


def test_admission_order_by_hand(tmp_path, plan, models):
    """Marginal 10 in 2029 and 70 in 2030. it objects spent 2029:
    L 16 mnkr in use 2029-07: a(2029) = 16·6/48 + r·(0 + 14)/2 — a little of the tight year for 6,475 mnkr of cost;
    M 20 mnkr in use 2029-01, fully co-financed: K = 0, a = 5 − 0,08·5 = 4,6 a year for 10 mnkr of cost;
    N 20 mnkr in use 2029-01: a(2029) = 5 + r·15/2 for 5 + r·7,5 + 5 + r·12,5 of cost.
    Cost per share of the tightest year's remaining marginal: L first (6,475 / (a_L/10)), then M beats N against
    what L left; N no longer fits."""
    objects = [it_object("N", 20, drift="2029-01", year=2029), it_object("M", 20, drift="2029-01", year=2029, medfin=20),
               it_object("L", 16, drift="2029-07", year=2029)]
    data, _ = kontroll(proposal(tmp_path / "p.xlsx", objects), "--plan", plan, "--utdata", tmp_path / "ut")
    r = models.value("ranta/internranta", 2029)
    a = {"L": 2 + r * 7, "M": 4.6, "N": 5 + r * 7.5}
    cost = {"L": 2 + r * 7 + 4 + r * (14 + 10) / 2, "M": 10.0, "N": 5 + r * 7.5 + 5 + r * 12.5}
    assert cost["L"] / (a["L"] / 10) > cost["M"] / (a["M"] / 10) > cost["N"] / (a["N"] / 10)
    left = 10 - a["L"]
    assert cost["M"] / (a["M"] / left) > cost["N"] / (a["N"] / left)
    order = data["antagning"]["ordning"]
    assert [o["objekt"] for o in order] == [["L"], ["M"]]
    assert order[0]["andel_av_marginal"] == pytest.approx(a["L"] / 10)
    assert order[1]["andel_av_marginal"] == pytest.approx(a["M"] / left)
    (out,) = data["antagning"]["ryms_inte"]
    assert out["objekt"] == ["N"] and out["ar"] == 2029
    assert out["max_skalfaktor"] == pytest.approx((left - a["M"]) / a["N"])
    assert out["andel_med"] == pytest.approx((70 + a["L"] + 5 + a["N"]) / (REVENUE + 5))
    each = {tuple(p["objekt"]): p for p in data["forslag"]}
    assert each[("N",)]["max_skalfaktor"] == pytest.approx(10 / a["N"])
    assert data["max_skalfaktor"] == pytest.approx(10 / (a["L"] + a["M"] + a["N"]))


def test_proposals_tied_by_beroenden_are_one_and_wait_for_the_plan(tmp_path, plan):
    """D waits 30 months for the plan's B (in use 2026-01), so D may open 2028-07 at the earliest; E waits for D and
    goes with it."""
    objects = [it_object("D", 10, drift="2028-07", year=2028), it_object("E", 10, drift="2029-01", year=2029),
               it_object("F", 5, drift="2027-01", year=2027)]
    deps = [{"id": "D", "beror_pa": "B", "fordrojning_manader": 30}, {"id": "E", "beror_pa": "D", "fordrojning_manader": 0}]
    data, _ = kontroll(proposal(tmp_path / "p.xlsx", objects, dependencies=deps), "--plan", plan,
                       "--utdata", tmp_path / "ut")
    assert [p["objekt"] for p in data["forslag"]] == [["D", "E"], ["F"]]
    assert data["forslag"][0]["provade_startar"] == [2028, 2029, 2030]
    assert data["forslag"][1]["provade_startar"] == [2026, 2027, 2028, 2029, 2030]
    assert data["objekt"] == ["D", "E", "F"]


@pytest.mark.parametrize("objects, deps, expected", [
    ([it_object("B", 10)], (), 'id "B" finns redan på plan.xlsx:Objekt!A2'),
    ([it_object("X", 10)], [{"id": "X", "beror_pa": "OKAND", "fordrojning_manader": 0}],
     '"X" beror på "OKAND", som inte finns bland objekten'),
    ([{"id": "X", "tillgangsklass": "it", "driftsattning": "2027", "utgifter": {2025: 10, 2027: 5}}], (),
     '"X" har en utgift 2025, före planens första år 2026'),
    ([{"id": "X", "tillgangsklass": "okand", "driftsattning": "2027", "utgifter": {2027: 5}}], (),
     'okänd tillgångsklass "okand"'),
])
def test_bad_proposals_exit_2_with_the_cell(tmp_path, plan, objects, deps, expected):
    outturn = 2025 if any(2025 in o["utgifter"] for o in objects) else None
    path = build_plan(tmp_path / "p.xlsx", objects, years=YEARS, outturn_year=outturn, dependencies=list(deps))
    result = CliRunner().invoke(main, ["kontroll", str(path), "--plan", str(plan), "--utdata", str(tmp_path / "ut")])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "p.xlsx:" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "ut").exists()


def test_a_proposal_in_a_namnds_own_layout(tmp_path):
    """Layout 2 of the importer (tkr, a 2031–2035 range column, sum and varav rows) as a proposal on the default plan."""
    rows = [r[:] for r in OBJECT_LIST_ROWS[1:]]
    rows[0][0], rows[1][0], rows[1][3] = "NY-F2", "NY-F3", "-"  # new ids, no outturn
    path = object_list_workbook(tmp_path / "lista.xlsx", rows=rows,
                                sum_row=["Summa", None, None, 0, 205000, 310000, 480000, 220000, 150000, 300000, 1665000],
                                varav_row=["varav nyinvesteringar", None, None, 0, 5000, 10000, 80000, 120000, 150000,
                                           250000, 615000])
    data, code = kontroll(path, "--utdata", tmp_path / "ut")
    assert code == 1 and data["objekt"] == ["NY-F2", "NY-F3"]
    assert data["investering"] == pytest.approx(1665.0)
    assert any("beloppen är i tkr" in w["meddelande"] for w in data["varningar"])


def test_outturn_in_a_proposal_is_refused_at_its_cell(tmp_path):
    result = CliRunner().invoke(main, ["kontroll", str(object_list_workbook(tmp_path / "lista.xlsx")),
                                       "--utdata", str(tmp_path / "ut")])
    assert result.exit_code == 2
    assert ('lista.xlsx:Fastighetsnämnden!D6: fel: "F1" har en utgift 2025, före planens första år 2026'
            in result.stderr)


def test_missing_file_and_plan_without_region_exit_2(tmp_path, plan):
    result = CliRunner().invoke(main, ["kontroll", str(tmp_path / "finns_inte.xlsx"), "--plan", str(plan)])
    assert result.exit_code == 2 and "finns_inte.xlsx" in result.stderr
    bare = build_plan(tmp_path / "bare.xlsx", [it_object("B", 10)], years=YEARS)
    path = proposal(tmp_path / "p.xlsx", [it_object("P", 10)])
    result = CliRunner().invoke(main, ["kontroll", str(path), "--plan", str(bare), "--utdata", str(tmp_path / "ut")])
    assert result.exit_code == 2 and "saknar bladet Region" in result.stderr


# --- unseen proposals on the default plan, against the month-by-month oracle --------------------------------------

LIVES = {"it": [(1.0, 4)], "kollektivtrafik": [(1.0, 25)], "fordon": [(1.0, 10)], "medicinteknik": [(1.0, 7)],
         "fastighet_komponenter": [(0.5, 60), (0.1, 30), (0.1, 40), (0.2, 25), (0.1, 15)]}
PLAN_YEARS = range(2026, 2036)


def oracle_delta(objects: list[dict], rate: float) -> dict[int, tuple[float, float]]:
    """Year -> (Δ kapitalkostnader, Δ intäktsförd medfinansiering), summed over the proposal's objects."""
    out = {y: [0.0, 0.0] for y in PLAN_YEARS}
    for o in objects:
        d = o["driftsattning"]
        lag = int(d.split("+")[1]) if d.startswith("löpande +") else 0
        drift = None if d.startswith("löpande") else (int(d[:4]), int(d[5:7]) if len(d) > 4 else None)
        sched = object_schedule(o["utgifter"], drift, LIVES[o["tillgangsklass"]], o.get("medfinansiering") or 0.0,
                                rate, 2035, lag=lag)
        for y in PLAN_YEARS:
            out[y][0] += sched.get(y, {}).get("kapitalkostnad", 0.0)
            out[y][1] += sched.get(y, {}).get("intaktsford_medfinansiering", 0.0)
    return {y: tuple(v) for y, v in out.items()}


@pytest.fixture(scope="module")
def default_calc():
    return calculate_plan(Inputs(DEFAULT_PLAN, ROOT / "models"))


def expected_on(calc, objects, rate):
    """Δ kapitalkostnader, andel_med and max_skalfaktor from the oracle and the plan's own region table."""
    base = {r["ar"]: r for r in calc.region.table.iter_rows(named=True)}
    delta = oracle_delta(objects, rate)
    share = {y: (base[y]["kapitalkostnader"] + dk) / (base[y]["totala_intakter"] + dr) for y, (dk, dr) in delta.items()}
    pressure = {y: dk - 0.08 * dr for y, (dk, dr) in delta.items()}
    ks = [base[y]["marginal"] / a for y, a in pressure.items() if a > 1e-9]
    return delta, share, (min(ks) if ks else None)


def test_unseen_proposal_on_the_default_plan_matches_the_oracle(tmp_path, default_calc, models):
    objects = [
        {"id": "NY-SPAR", "tillgangsklass": "kollektivtrafik", "driftsattning": "2031-10", "medfinansiering": 900,
         "utgifter": {2027: 300, 2028: 700, 2029: 900, 2030: 600, 2031: 250}},
        {"id": "NY-TAG", "tillgangsklass": "fordon", "driftsattning": "2032-03", "utgifter": {2031: 400, 2032: 380}},
        {"id": "NY-SJUKHUS", "tillgangsklass": "fastighet_komponenter", "driftsattning": "2029",
         "utgifter": {2026: 120, 2027: 480, 2028: 640, 2029: 210, 2030: 40}},
        {"id": "NY-MT", "tillgangsklass": "medicinteknik", "driftsattning": "löpande +1", "utgifter": {y: 35.5 for y in PLAN_YEARS}},
    ]
    deps = [{"id": "NY-TAG", "beror_pa": "NY-SPAR", "fordrojning_manader": 3},
            {"id": "NY-SPAR", "beror_pa": "TB-DEPA", "fordrojning_manader": 0}]
    path = build_plan(tmp_path / "ny.xlsx", objects, years=PLAN_YEARS, outturn_year=None, dependencies=deps)
    data, code = kontroll(path, "--utdata", tmp_path / "ut")  # the default plan
    assert code == 1  # the default plan is over the riktvärde in 2030 and 2031 on its own
    delta, share, k = expected_on(default_calc, objects, models.value("ranta/internranta", 2026))
    assert [row["ar"] for row in data["ar"]] == list(PLAN_YEARS)
    for row in data["ar"]:
        assert row["delta_kapitalkostnader"] == pytest.approx(delta[row["ar"]][0], abs=1e-6)
        assert row["andel_med"] == pytest.approx(share[row["ar"]], abs=1e-10)
    assert data["max_skalfaktor"] == pytest.approx(k, rel=1e-9)
    assert data["forsta_overskridande_ar"] == 2030 and data["tidigaste_startar"] is None


@st.composite
def proposals(draw):
    n = draw(st.integers(1, 4))
    objects = []
    for i in range(n):
        years = sorted(draw(st.lists(st.integers(2026, 2037), min_size=1, max_size=5, unique=True)))
        spend = {y: draw(st.floats(1, 3000).map(lambda x: round(x, 1))) for y in years}
        kind = draw(st.sampled_from(["year", "month", "lopande"]))
        if kind == "lopande":
            drift = draw(st.sampled_from(["löpande", "löpande +1", "löpande +2"]))
        else:
            year = draw(st.integers(years[0], years[-1] + 2))
            drift = str(year) if kind == "year" else f"{year}-{draw(st.integers(1, 12)):02d}"
        total = sum(spend.values())
        medfin = draw(st.sampled_from([0.0, 0.3, 1.0])) * total
        objects.append({"id": f"F{i}", "tillgangsklass": draw(st.sampled_from(sorted(LIVES))), "driftsattning": drift,
                        "utgifter": spend, "medfinansiering": round(medfin, 1) or None})
    return objects


@settings(max_examples=25, deadline=None)
@given(objects=proposals())
def test_random_proposals_on_the_default_plan_match_the_oracle(default_calc, models, objects):
    """On records (tests/inmemory.py), as `read_proposal` gives them for a workbook with these rows."""
    check = ProposalCheck(default_calc, tuple(make_object(o) for o in objects))
    verdict = check.verdicts()[-1]
    delta, share, k = expected_on(default_calc, objects, models.value("ranta/internranta", 2026))
    assert verdict.table["ar"].to_list() == list(PLAN_YEARS)
    for row in verdict.table.iter_rows(named=True):
        assert row["delta_kapitalkostnader"] == pytest.approx(delta[row["ar"]][0], abs=1e-6)
        assert row["andel_med"] == pytest.approx(share[row["ar"]], abs=1e-10)
    if k is None:
        assert verdict.max_scale is None
    else:
        assert verdict.max_scale == pytest.approx(k, rel=1e-9)


def test_scale_factors_are_shown_rounded_down():
    from invest.outputs.proposal_output import factor, rounded_down

    assert rounded_down(0.29) == 0.29 and rounded_down(0.2899999) == 0.28 and rounded_down(1.0) == 1.0
    assert factor(1.9599999) == "1,95" and factor(-3.101) == "−3,11" and rounded_down(None) is None


def test_several_files_are_one_set_of_proposals(tmp_path, plan):
    """E in the second workbook waits for D in the first: one proposal across the files; F stands alone."""
    first = proposal(tmp_path / "a.xlsx", [it_object("D", 10, drift="2029-01", year=2029)])
    second = proposal(tmp_path / "b.xlsx", [it_object("E", 10, drift="2030-01", year=2030), it_object("F", 5)],
                      dependencies=[{"id": "E", "beror_pa": "D", "fordrojning_manader": 0}])
    data, _ = kontroll(first, second, "--plan", plan, "--utdata", tmp_path / "ut")
    assert [p["objekt"] for p in data["forslag"]] == [["D", "E"], ["F"]]
    assert data["forslag_filer"] == [str(first), str(second)] and (tmp_path / "ut" / "kontroll_a.xlsx").exists()
