"""invest kontroll: proposals against the riktvärde — by hand (scale factor, earliest start, admission order), the
exit codes, bad input, the one-page report, and unseen proposals on the default plan against tests/oracle.py; the
three outcomes of the bedömning (godkänt, godkänt utan försämring, ej godkänt) on small plans with a flat rate of 0,
the one rounding of the scale factor, Summa rows that sum and headings that are unique."""

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


R = 0.03  # the flat rate (--ranta) of the tests priced by hand: market rate R, margin 0


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """The text tables as on a wide terminal, one line per row, so that _text_tables can split them on spaces
    (at the default 100 columns they wrap: tests/test_cli.py)."""
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def plan(tmp_path):
    """Revenue 1000, existing depreciation 10 a year, and one it object (240 mnkr from 2026-01, 4 years):
    kapitalkostnader 70 in 2026–2029 and 10 in 2030, so the marginal is 80 − 70 = 10 mnkr in 2026–2029 and 70 in
    2030. The result is set so that självfinansiering (result + depreciation) pays for B: the plan never borrows,
    has no debt and so no interest at any rate. A proposal then borrows its bundet kapital K (spend − co-financing
    received − depreciation + release, accumulated), and at a flat rate r the debt model charges r·(K_{t−1} + K_t)/2
    (docs/berakningsmodell.md §8)."""
    base = {"id": "B", "tillgangsklass": "it", "driftsattning": "2026-01", "utgifter": {2026: 240}}
    result = {2026: 240 - 70.0, 2027: -70.0, 2028: -70.0, 2029: -70.0, 2030: -10.0}
    region = [{"ar": y, "totala_intakter": REVENUE, "befintliga_avskrivningar": 10.0, "resultat": result[y]}
              for y in YEARS]
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
    data, code = kontroll(plan, "--forslag", path, "--utdata", tmp_path / "ut", "--ranta", R, code=1)
    r = R
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
        scaled_data, _ = kontroll(plan, "--forslag", scaled, "--utdata", tmp_path / "ut", "--ranta", R,
                                  code=expected_code)
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
    data, _ = kontroll(plan, "--forslag", path, "--models", models_dir, "--utdata", tmp_path / "ut", "--ranta", R)
    r = R
    assert data["metod"] == "netto"
    assert data["max_skalfaktor"] == pytest.approx(10 / (30 - 15 + r * 37.5), rel=1e-12)


def test_a_small_proposal_passes_with_exit_0_and_the_contract_keys(tmp_path, plan):
    path = proposal(tmp_path / "p.xlsx", [it_object("LITEN", 20, drift="2030-01", year=2030)])
    data, _ = kontroll(plan, "--forslag", path, "--utdata", tmp_path / "ut", code=0)
    assert {"godkand", "riktvarde", "ar", "forsta_overskridande_ar", "max_skalfaktor", "tidigaste_startar"} <= set(data)
    assert {"ar", "andel_utan", "andel_med", "delta_kapitalkostnader", "marginal_med"} <= set(data["ar"][0])
    assert data["godkand"] is True and data["forsta_overskridande_ar"] is None
    assert [r["ar"] for r in data["ar"]] == list(YEARS)
    # even from 2026 (5 a year + r·(0 + 15)/2 in the first year) it stays under the marginal of 10
    assert data["tidigaste_startar"] == 2026
    assert data["bedomning"] == "godkant"
    assert "klaras alla år 2026–2030 med förslaget" in " ".join(data["bedomning_text"])


def test_the_table_is_written_for_a_decision_document(tmp_path, plan):
    path = proposal(tmp_path / "p.xlsx", [it_object("P", 120, medfin=60)])
    result = CliRunner().invoke(main, ["kontroll", str(plan), "--forslag", str(path), "--utdata", str(tmp_path / "ut")])
    assert result.exit_code == 1
    out = result.stdout
    assert "EJ GODKÄNT: över riktvärdet 2027, 2028 och 2029." in out
    assert "Förslaget omfattar objektet P med utgifter på 120 mnkr 2027, varav medfinansiering 60 mnkr." in out
    assert "Tidigaste startår då förslaget i oförändrad storlek ryms alla år: 2030 (föreslagen start 2027" in out
    assert "kontroll_p.xlsx" in out and "kontroll_p.png" in out


def test_report_is_one_sheet_with_chart_and_text_never_a_formula(tmp_path, plan):
    path = proposal(tmp_path / "p.xlsx", [it_object("=2+2", 8, drift="2030-01", year=2030),
                                          it_object("Q", 40, drift="2029-01", year=2029)])
    kontroll(plan, "--forslag", path, "--utdata", tmp_path / "ut")
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
    data, _ = kontroll(plan, "--forslag", proposal(tmp_path / "p.xlsx", objects), "--utdata", tmp_path / "ut",
                       "--ranta", R)
    r = R
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
    data, _ = kontroll(plan, "--forslag", proposal(tmp_path / "p.xlsx", objects, dependencies=deps),
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
    result = CliRunner().invoke(main, ["kontroll", str(plan), "--forslag", str(path), "--utdata", str(tmp_path / "ut")])
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
    data, code = kontroll("--forslag", path, "--utdata", tmp_path / "ut")
    assert code == 1 and data["objekt"] == ["NY-F2", "NY-F3"]
    assert data["investering"] == pytest.approx(1665.0)
    assert any("beloppen är i tkr" in w["meddelande"] for w in data["varningar"])


def test_outturn_in_a_proposal_is_refused_at_its_cell(tmp_path):
    result = CliRunner().invoke(main, ["kontroll", "--forslag", str(object_list_workbook(tmp_path / "lista.xlsx")),
                                       "--utdata", str(tmp_path / "ut")])
    assert result.exit_code == 2
    assert ('lista.xlsx:Fastighetsnämnden!D6: fel: "F1" har en utgift 2025, före planens första år 2026'
            in result.stderr)


def test_missing_file_and_plan_without_region_exit_2(tmp_path, plan):
    result = CliRunner().invoke(main, ["kontroll", str(plan), "--forslag", str(tmp_path / "finns_inte.xlsx")])
    assert result.exit_code == 2 and "finns_inte.xlsx" in result.stderr
    bare = build_plan(tmp_path / "bare.xlsx", [it_object("B", 10)], years=YEARS)
    path = proposal(tmp_path / "p.xlsx", [it_object("P", 10)])
    result = CliRunner().invoke(main, ["kontroll", str(bare), "--forslag", str(path), "--utdata", str(tmp_path / "ut")])
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
    """The default plan at the flat rate R: a proposal's Δ räntekostnader is then R on its average Δ debt, which is
    its bundet kapital — the oracle's interest at rate R."""
    return calculate_plan(Inputs(DEFAULT_PLAN, ROOT / "models", flat_rate=R))


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
    data, code = kontroll("--forslag", path, "--utdata", tmp_path / "ut", "--ranta", R)  # the default plan
    assert code == (0 if data["bedomning"] != "ej_godkant" else 1)
    delta, share, k = expected_on(default_calc, objects, R)
    assert [row["ar"] for row in data["ar"]] == list(PLAN_YEARS)
    for row in data["ar"]:
        assert row["delta_kapitalkostnader"] == pytest.approx(delta[row["ar"]][0], abs=1e-6)
        assert row["andel_med"] == pytest.approx(share[row["ar"]], abs=1e-10)
    assert data["max_skalfaktor"] == pytest.approx(k, rel=1e-9)
    over = [y for y in PLAN_YEARS if share[y] >= 0.08]
    assert data["forsta_overskridande_ar"] == (over[0] if over else None)


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
    delta, share, k = expected_on(default_calc, objects, R)
    assert verdict.table["ar"].to_list() == list(PLAN_YEARS)
    for row in verdict.table.iter_rows(named=True):
        assert row["delta_kapitalkostnader"] == pytest.approx(delta[row["ar"]][0], abs=1e-6)
        assert row["andel_med"] == pytest.approx(share[row["ar"]], abs=1e-10)
    if k is None:
        assert verdict.max_scale is None
    else:
        assert verdict.max_scale == pytest.approx(k, rel=1e-9)


def test_scale_factors_are_shown_rounded_down():
    from invest.outputs.proposal_sentences import factor, rounded_down

    assert rounded_down(0.29) == 0.29 and rounded_down(0.2899999) == 0.28 and rounded_down(1.0) == 1.0
    assert factor(1.9599999) == "1,95" and factor(-3.101) == "−3,11" and rounded_down(None) is None


def test_several_files_are_one_set_of_proposals(tmp_path, plan):
    """E in the second workbook waits for D in the first: one proposal across the files; F stands alone."""
    first = proposal(tmp_path / "a.xlsx", [it_object("D", 10, drift="2029-01", year=2029)])
    second = proposal(tmp_path / "b.xlsx", [it_object("E", 10, drift="2030-01", year=2030), it_object("F", 5)],
                      dependencies=[{"id": "E", "beror_pa": "D", "fordrojning_manader": 0}])
    data, _ = kontroll(plan, "--forslag", first, "--forslag", second, "--utdata", tmp_path / "ut")
    assert [p["objekt"] for p in data["forslag"]] == [["D", "E"], ["F"]]
    assert data["forslag_filer"] == [str(first), str(second)] and (tmp_path / "ut" / "kontroll_a.xlsx").exists()


# --- the bedömning: godkänt, godkänt utan försämring, ej godkänt ---------------------------------------------------
#
# Plans with no objects and revenue 1000: the share is befintliga avskrivningar / 1000, so with `--ranta 0` (no
# interest anywhere, whatever the debt model) every figure is hand-computable. BREACHING is 15 % in 2028 and 2 %
# in the other years; PASSING is 2 % every year. Proposals are it objects (4 years, in use from January of the spend
# year, nothing before it): X mnkr adds X/4 a year to kapitalkostnader from its year on, i.e. X/40 procentenheter.

from invest.analyses.proposals import EJ_GODKANT, GODKANT, GODKANT_UTAN_FORSAMRING, outcome  # noqa: E402
from invest.base import swedish  # noqa: E402
from invest.outputs.proposal_sentences import factor, rounded_down  # noqa: E402

FLAT = ("--ranta", "0")
BREACH_YEAR = 2028


def region_plan(path: Path, existing: dict[int, float]) -> Path:
    region = [{"ar": y, "totala_intakter": REVENUE, "befintliga_avskrivningar": existing[y], "rantekostnader": 0.0}
              for y in YEARS]
    return build_plan(path, [], years=YEARS, region=region)


@pytest.fixture
def breaching(tmp_path):
    return region_plan(tmp_path / "over.xlsx", {y: 150.0 if y == BREACH_YEAR else 20.0 for y in YEARS})


@pytest.fixture
def passing(tmp_path):
    return region_plan(tmp_path / "under.xlsx", {y: 20.0 for y in YEARS})


def it_in(oid: str, amount: float, year: int) -> dict:
    return it_object(oid, amount, drift=f"{year}-01", year=year)


LATE = ("SEN", 40.0, 2029)  # +1 pp 2029–2030: nothing in the year the plan breaches, no year over 8 %
RAISES = ("HOJER", 40.0, 2027)  # +1 pp 2027–2030: 2028 goes from 15 % to 16 %, every other year stays at 3 %
ADDS = ("NYTT", 800.0, 2029)  # +20 pp 2029–2030: 22 % in two years the plan passes, nothing in 2028


def check(tmp_path, plan, *objects, flat=True, name="p.xlsx", code=None):
    path = proposal(tmp_path / name, [it_in(*o) for o in objects])
    return kontroll(plan, "--forslag", path, "--utdata", tmp_path / "ut", *(FLAT if flat else ()), code=code)


def test_outcome_needs_every_condition():
    """The rule itself: godkänt is every year under; utan försämring needs a breaching plan, no new year, no rise."""
    assert outcome(True, (), (), ()) == GODKANT
    assert outcome(True, (2028,), (), ()) == GODKANT  # the proposal would bring the plan under: every year passes
    assert outcome(False, (2028,), (), ()) == GODKANT_UTAN_FORSAMRING
    assert outcome(False, (2028,), (2029,), ()) == EJ_GODKANT
    assert outcome(False, (2028,), (), (2028,)) == EJ_GODKANT
    assert outcome(False, (), (2029,), ()) == EJ_GODKANT
    assert outcome(False, (), (), ()) == EJ_GODKANT  # failing without a reason is never approved


def test_godkant_every_year_under_exit_0(tmp_path, passing):
    data, _ = check(tmp_path, passing, LATE, code=0)
    assert data["godkand"] is True and data["bedomning"] == GODKANT
    assert data["overskridanden_utan_forslaget"] == [] and data["hojer_andelen_ar"] == []
    assert rows(data, "andel_med") == pytest.approx({y: 0.02 + (0.01 if y >= 2029 else 0) for y in YEARS}, abs=1e-12)
    assert data["bedomning_text"][0] == "Godkänt: alla år under riktvärdet."
    assert any(s.startswith("Bedömning: godkänt. ") for s in data["bedomning_text"])


def test_godkant_utan_forsamring_when_the_plan_breaches_alone_exit_0(tmp_path, breaching):
    data, _ = check(tmp_path, breaching, LATE, code=0)
    assert data["godkand"] is False  # 2028 is still over the riktvärde …
    assert data["bedomning"] == GODKANT_UTAN_FORSAMRING  # … but not because of the proposal
    assert data["overskridanden_utan_forslaget"] == [BREACH_YEAR] and data["forsta_overskridande_ar"] == BREACH_YEAR
    assert data["nya_overskridanden"] == [] and data["hojer_andelen_ar"] == []
    assert rows(data, "andel_med")[BREACH_YEAR] == rows(data, "andel_utan")[BREACH_YEAR] == pytest.approx(0.15)
    assert all(r["forsamring"] is None for r in data["ar"])
    # Started in 2026–2028 it would cost something in 2028; 2029 is the first start that is utan försämring.
    assert data["tidigaste_startar_utan_forsamring"] == 2029 and data["tidigaste_startar"] is None
    assert data["forslag"][0]["bedomning"] == GODKANT_UTAN_FORSAMRING
    assert any(s.startswith("Bedömning: godkänt utan försämring. ") for s in data["bedomning_text"])


@pytest.mark.parametrize("flat", [True, False], ids=["ranta0", "modellens_rantor"])
def test_raising_the_share_in_a_breaching_year_is_ej_godkant(tmp_path, breaching, flat):
    """No new year over the riktvärde — only the rise in 2028 makes it ej godkänt (with any rates: 10 mnkr of
    depreciation in a year 70 mnkr over)."""
    data, _ = check(tmp_path, breaching, RAISES, flat=flat, code=1)
    assert data["bedomning"] == EJ_GODKANT and data["godkand"] is False
    assert data["nya_overskridanden"] == [] and data["hojer_andelen_ar"] == [BREACH_YEAR]
    assert rows(data, "forsamring") == {y: "hojer_andelen" if y == BREACH_YEAR else None for y in YEARS}
    if flat:
        assert rows(data, "andel_med")[BREACH_YEAR] == pytest.approx(0.16, abs=1e-12)
    text = " ".join(data["bedomning_text"])
    assert "höjer andelen 2028, då planen redan är över riktvärdet" in text and "lägger till 20" not in text


@pytest.mark.parametrize("flat", [True, False], ids=["ranta0", "modellens_rantor"])
def test_adding_a_breach_year_is_ej_godkant(tmp_path, breaching, flat):
    """Nothing in 2028 — only the two new years over the riktvärde make it ej godkänt."""
    data, _ = check(tmp_path, breaching, ADDS, flat=flat, code=1)
    assert data["bedomning"] == EJ_GODKANT
    assert data["nya_overskridanden"] == [2029, 2030] and data["hojer_andelen_ar"] == []
    assert rows(data, "andel_med")[BREACH_YEAR] == rows(data, "andel_utan")[BREACH_YEAR]
    assert "lägger till 2029 och 2030 över riktvärdet" in data["bedomning_text"][0]


def test_on_a_passing_plan_a_breach_is_ej_godkant_exit_1(tmp_path, passing):
    data, _ = check(tmp_path, passing, ADDS, code=1)
    assert data["bedomning"] == EJ_GODKANT and data["nya_overskridanden"] == [2029, 2030]
    assert data["bedomning_text"][0] == "Ej godkänt: över riktvärdet 2029 och 2030."


def test_each_proposal_has_its_own_bedomning_and_all_together_decide_the_exit_code(tmp_path, breaching):
    data, code = check(tmp_path, breaching, LATE, RAISES)
    assert code == 1 and data["bedomning"] == EJ_GODKANT
    assert [(p["objekt"], p["bedomning"]) for p in data["forslag"]] == [
        (["SEN"], GODKANT_UTAN_FORSAMRING), (["HOJER"], EJ_GODKANT)]
    # the admission order admits what is utan försämring and leaves out what raises the share in 2028
    assert [o["objekt"] for o in data["antagning"]["ordning"]] == [["SEN"]]
    (out,) = data["antagning"]["ryms_inte"]
    assert out["objekt"] == ["HOJER"] and out["orsak"] == "hojer_andelen" and out["hojer_andelen_ar"] == [BREACH_YEAR]
    assert out["andel_med"] == pytest.approx(0.16) and out["max_skalfaktor"] == 0
    data, code = check(tmp_path, breaching, LATE, ("SEN2", 20.0, 2030), name="q.xlsx")
    assert code == 0 and data["bedomning"] == GODKANT_UTAN_FORSAMRING
    assert [p["bedomning"] for p in data["forslag"]] == [GODKANT_UTAN_FORSAMRING] * 2


def _text_tables(out: str) -> list[tuple[list[str], list[list[str]]]]:
    """The plain-text tables in kontroll's output before the guidelines' table (the last): (headings, rows), split on
    runs of two or more spaces."""
    import re

    lines = out.splitlines()
    tables = []
    for i, line in enumerate(lines):
        if line.startswith("---") and i > 0:
            body = []
            for row in lines[i + 1:]:
                if not row.strip():
                    break
                body.append(re.split(r"\s{2,}", row.strip()))
            tables.append((re.split(r"\s{2,}", lines[i - 1].strip()), body))
    assert tables[-1][0][0] == "Regel"  # the guidelines, every kontroll prints them last
    return tables[:-1]


def test_text_table_and_xlsx_say_the_outcome(tmp_path, breaching):
    path = proposal(tmp_path / "p.xlsx", [it_in(*LATE), it_in(*RAISES)])
    result = CliRunner().invoke(main, ["kontroll", str(breaching), "--forslag", str(path), "--utdata",
                                       str(tmp_path / "ut"), *FLAT])
    out = result.stdout
    assert result.exit_code == 1
    assert out.splitlines()[3].startswith("EJ GODKÄNT: förslagen höjer andelen 2028, då planen redan är över")
    (years_head, years), (props_head, props) = _text_tables(out)
    assert "Försämring" in years_head and "Under riktvärdet utan" in years_head
    year_rows = {r[0]: dict(zip(years_head, r)) for r in years}
    assert year_rows["2028"]["Försämring"] == "höjer andelen"
    bedomning = {r[0]: r[props_head.index("Bedömning")] for r in props}
    assert bedomning == {"SEN": "godkänt utan försämring", "HOJER": "EJ GODKÄNT", "Samtliga": "EJ GODKÄNT"}

    wb = openpyxl.load_workbook(tmp_path / "ut" / "kontroll_p.xlsx")
    cells = [c.value for row in wb["Kontroll"].iter_rows() for c in row if isinstance(c.value, str)]
    assert cells[2].startswith("Ej godkänt: förslagen höjer andelen 2028")
    assert any(v.startswith("Bedömning: ej godkänt.") for v in cells)
    assert {"godkänt utan försämring", "EJ GODKÄNT", "höjer andelen"} <= set(cells)


def _sheet_tables(ws) -> list[tuple[int, list]]:
    """(row, headings) of every table on a sheet: the rows drawn as headings (bold and shaded by header_row)."""
    out = []
    for row in ws.iter_rows():
        filled = [c for c in row if c.value is not None]
        if filled and all(c.font.bold and c.fill.fgColor.rgb not in (None, "00000000") for c in filled):
            out.append((row[0].row, [c.value for c in filled]))
    return out


@pytest.mark.parametrize("plan_name", ["breaching", "passing"])
def test_no_two_columns_share_a_heading(tmp_path, request, plan_name):
    """Text tables and every table of every sheet, with the columns of a plan that breaches alone and one that
    does not (they differ), several proposals and a warning (the Fynd sheet)."""
    plan = request.getfixturevalue(plan_name)
    path = proposal(tmp_path / "p.xlsx", [it_in(*LATE), it_in(*RAISES), {**it_in("UTAN", 4.0, 2030), "kategori": None}])
    result = CliRunner().invoke(main, ["kontroll", str(plan), "--forslag", str(path), "--utdata", str(tmp_path / "ut")])
    tables = _text_tables(result.stdout)
    assert len(tables) == 2
    for head, _ in tables:
        assert len(head) == len(set(head)), head
    wb = openpyxl.load_workbook(tmp_path / "ut" / "kontroll_p.xlsx")
    found = {ws.title: _sheet_tables(ws) for ws in wb}
    assert [len(found[name]) for name in ("Kontroll", "Underlag per år")] == [2, 1]
    for title, heads in found.items():
        for _, head in heads:
            assert len(head) == len(set(head)), (title, head)


def test_summa_rows_are_sums(tmp_path, passing):
    """Every row called Summa, on every sheet and in the text, is the sum of the year rows above it in each column it
    fills; Genomsnitt is the mean; Samtliga's spend and Δ kapitalkostnader are the sums of the proposals'."""
    path = proposal(tmp_path / "p.xlsx", [it_in("A", 92.0, 2027), it_in("B", 30.0, 2026), it_in("C", 12.3, 2029)])
    data, _ = kontroll(passing, "--forslag", path, "--utdata", tmp_path / "ut")
    wb = openpyxl.load_workbook(tmp_path / "ut" / "kontroll_p.xlsx")
    summed = 0
    for ws in wb:
        values = [[c.value for c in row] for row in ws.iter_rows()]
        year_rows = [r for r in values if isinstance(r[0], int) and r[0] in YEARS]
        for r in values:
            if r[0] == "Summa":
                filled = [c for c, v in enumerate(r) if c > 0 and v is not None]
                assert filled
                for c in filled:
                    assert r[c] == pytest.approx(sum(y[c] for y in year_rows), abs=1e-9)
                summed += 1
            if r[0] == "Genomsnitt":
                for c in (c for c, v in enumerate(r) if c > 0 and v is not None):
                    assert r[c] == pytest.approx(sum(y[c] for y in year_rows) / len(year_rows), abs=1e-12)
            if r[0] == "Samtliga":
                proposals = values[values.index(r) - 3:values.index(r)]
                assert r[1] == pytest.approx(sum(p[1] for p in proposals)) == 92 + 30 + 12.3
                assert r[2] == pytest.approx(sum(p[2] for p in proposals), abs=1e-9)
    assert summed == 2  # the Kontroll sheet's year table and Underlag per år
    total = sum(rows(data, "delta_kapitalkostnader").values())
    result = CliRunner().invoke(main, ["kontroll", str(passing), "--forslag", str(path), "--utdata", str(tmp_path / "ut"),
                                       "--skriv-over"])  # the json run above wrote the same files
    (head, years), _ = _text_tables(result.stdout)
    (summa,) = [r for r in years if r[0] == "Summa"]
    shown = [float(r[head.index("Δ kapitalkostnader")].replace(" ", "").replace(",", ".").replace("−", "-"))
             for r in years if r[0].isdigit()]
    assert summa[1] == swedish.number(total)
    assert float(summa[1].replace(" ", "").replace(",", ".")) == pytest.approx(sum(shown), abs=0.05 * len(shown))


def test_one_rounding_of_the_scale_factor(tmp_path, passing):
    """A: 92 mnkr, 23 a year 2027–2030 against a marginal of 60: k = 60/23 = 2,6087 — 2,60 rounded down, 2,61 to
    nearest. The text, the table and the xlsx all show 2,60, and the amount beside it is 2,60 × 92; json is exact."""
    path = proposal(tmp_path / "p.xlsx", [it_in("A", 92.0, 2027), it_in("B", 10.0, 2026)])
    data, _ = kontroll(passing, "--forslag", path, "--utdata", tmp_path / "ut", *FLAT)
    (a, b) = data["forslag"]
    assert a["max_skalfaktor"] == pytest.approx(60 / 23, rel=1e-12)
    assert b["max_skalfaktor"] == pytest.approx(60 / 2.5, rel=1e-12)
    together = data["max_skalfaktor"]
    assert together == pytest.approx(60 / 25.5, rel=1e-12)  # 2,3529…: 2,35 either way
    result = CliRunner().invoke(main, ["kontroll", str(passing), "--forslag",
                                       str(proposal(tmp_path / "a.xlsx", [it_in("A", 92.0, 2027)])),
                                       "--utdata", str(tmp_path / "ut"), *FLAT])
    assert "ryms upp till 2,60 gånger sin storlek (239 mnkr)" in result.stdout  # 2,60 × 92 = 239,2
    assert "2,61" not in result.stdout
    result = CliRunner().invoke(main, ["kontroll", str(passing), "--forslag", str(path), "--utdata",
                                       str(tmp_path / "ut"), "--skriv-over", *FLAT])  # after the json run
    _, (head, props) = _text_tables(result.stdout)
    shown = {r[0]: r[head.index("Max skalfaktor")] for r in props}
    assert shown == {"A": "2,60", "B": "24,00", "Samtliga": "2,35"}
    assert shown["A"] == factor(a["max_skalfaktor"])
    wb = openpyxl.load_workbook(tmp_path / "ut" / "kontroll_p.xlsx")
    ws = wb["Kontroll"]
    ((top, heads),) = [t for t in _sheet_tables(ws) if t[1][0] == "Förslag"]
    col = heads.index("Max skalfaktor") + 1
    assert [ws.cell(top + i, col).value for i in (1, 2, 3)] == [2.6, 24.0, 2.35]
    assert ws.cell(top + 1, col).value == rounded_down(a["max_skalfaktor"])
