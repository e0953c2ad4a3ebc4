"""Hostile numbers in a plan's cells and in models/ values: infinity ("1e309"), not-a-number, amounts that overflow
when summed, years, months, lags and lives outside the range the tool computes with, a year as a fraction and an
Excel error as a value. Each is refused by the one value parser (invest/base/values.py) with a Swedish message at
its cell (`FIL.xlsx:Blad!Cell`) or line (`FIL.yaml:rad`): exit 1 from `validera`, 2 from every other command — never
an internal error, a silently dropped object or a gigabyte grid.

Each case runs in a child process bounded to 2 GiB and 60 s (tests/hostile.py); the hypothesis test at the end runs
in process, for speed."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MODELS_DIR
from hostile import assert_refused, run_bounded
from invest.base import values
from invest.cli import main

HEADER = ["id", "namn", "tillgångsklass", "driftsättning", "medfinansiering", "beroenden", "2026", "2027", "2028"]
GOOD = [["A", "Depå", "kollektivtrafik", "2028", 50, None, 100, 200, 100],
        ["B", "Vagnar", "kollektivtrafik", "2029", None, "A", None, 300, 300]]
SENTINEL = 123456.789  # a number cell whose XML is rewritten to hold what openpyxl will not write (1E309, NaN)
REGION = ("Region", ["ar", "totala_intakter"], [[2026, 150000], [2027, 155000], [2028, 160000]])


def changed(row: int, col: int, value) -> list[list]:
    rows = [list(r) for r in GOOD]
    rows[row][col] = value
    return rows


def workbook(path: Path, rows=GOOD, header=HEADER, sides=(), xml: str | None = None, title: str = "Objekt") -> Path:
    """A plan: the object sheet, the side sheets `sides` ((title, header, rows), …); with `xml`, every number cell
    holding SENTINEL is rewritten to hold the text `xml` as its number."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row)
    for title, head, body in sides:
        sheet = wb.create_sheet(title)
        sheet.append(head)
        for row in body:
            sheet.append(row)
    wb.save(path)
    if xml is not None:
        with zipfile.ZipFile(path) as z:
            members = {i.filename: z.read(i.filename) for i in z.infolist()}
        found = False
        for name, data in members.items():
            if name.startswith("xl/worksheets/") and f"<v>{SENTINEL}</v>".encode() in data:
                members[name] = data.replace(f"<v>{SENTINEL}</v>".encode(), f"<v>{xml}</v>".encode())
                found = True
        assert found
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
    return path


def side(title, head, body):
    return (title, head, body)


COMPONENTS = ["id", "komponent", "andel", "nyttjandeperiod"]
LIFE = lambda life: side("Komponenter", COMPONENTS, [["A", "stomme", 1, life]])  # noqa: E731
LAG = lambda lag: side("Beroenden", ["id", "beror_pa", "fordrojning_manader"], [["B", "A", lag]])  # noqa: E731
COFINANCING_YEAR = lambda year: side("Medfinansiering", ["id", "part", "belopp", "ar"],  # noqa: E731
                                     [["B", "Staten", 10, year]])
BALANCE = lambda rate: side("Regionbalans", ["post", "belopp"],  # noqa: E731
                            [["ingaende_rantebarande_skuld", 40000], ["genomsnittsranta_befintlig_skuld", rate]])

# name: (workbook keyword arguments, sheet!cell of the first error, words of its message)
CASES = {
    # 1: infinity and overflow in amounts
    "belopp-text-1e309": (dict(rows=changed(0, 6, "1e309")), "Objekt!G2", ('"1e309"', "för stort tal")),
    "belopp-text-minus-1e309": (dict(rows=changed(0, 7, "-1e309")), "Objekt!H2", ('"-1e309"', "för stort tal")),
    "belopp-text-nan": (dict(rows=changed(0, 6, "nan")), "Objekt!G2", ('texten "nan"', "väntat ett belopp")),
    "belopp-text-inf": (dict(rows=changed(1, 8, "inf")), "Objekt!I3", ('texten "inf"',)),
    "belopp-1e308-tva-celler": (dict(rows=[GOOD[0][:6] + [1.7e308, 1.7e308, 100], GOOD[1]]), "Objekt!G2",
                                ("orimligt stort", "högst 1 000 000 000 000 mnkr")),
    "belopp-1e308-text": (dict(rows=changed(0, 6, "1e308")), "Objekt!G2", ("orimligt stort",)),
    "belopp-i-xml-1E309": (dict(rows=changed(0, 7, SENTINEL), xml="1E309"), "Objekt!H2", ("inget ändligt tal",)),
    "belopp-i-xml-NaN": (dict(rows=changed(0, 7, SENTINEL), xml="NaN"), "Objekt!H2", ("inget ändligt tal",)),
    "belopp-i-tkr-over-gransen": (dict(rows=[HEADER] + changed(0, 6, 2e15), header=["Belopp i tkr"], title="Nämnd",
                                       sides=()), "Nämnd!G3", ("orimligt stort", "högst 1 000 000 000 000 000 tkr")),
    "medfinansiering-1e309": (dict(rows=changed(0, 4, "1e309")), "Objekt!E2", ("medfinansiering", "för stort tal")),
    "region-intakter-1e309": (dict(sides=[side("Region", ["ar", "totala_intakter"], [[2026, "1e309"]])]),
                              "Region!B2", ("totala_intakter", "för stort tal")),
    "region-intakter-inf-i-xml": (dict(sides=[side("Region", ["ar", "totala_intakter"], [[2026, SENTINEL]])],
                                       xml="INF"), "Region!B2", ("totala_intakter", "inget ändligt tal")),
    "region-ranta-1e309": (dict(sides=[REGION, BALANCE("1e309")]), "Regionbalans!B3", ("för stort tal",)),
    "region-ranta-2,5": (dict(sides=[REGION, BALANCE(2.5)]), "Regionbalans!B3", ("räntan 2,5", "utanför")),
    # 2: years, lives and lags outside their range
    "medfinansiering-ar-99999999": (dict(sides=[COFINANCING_YEAR(99999999)]), "Medfinansiering!D2",
                                    ("99 999 999", "1900–2200")),
    "nyttjandeperiod-5000": (dict(sides=[LIFE(5000)]), "Komponenter!D2", ("5000", "0–100")),
    "nyttjandeperiod-101": (dict(sides=[LIFE(101)]), "Komponenter!D2", ("101", "0–100")),
    "nyttjandeperiod-minus-1": (dict(sides=[LIFE(-1)]), "Komponenter!D2", ("−1", "0–100")),
    "driftsattning-datum-9999": (dict(rows=changed(0, 3, dt.datetime(9999, 12, 31))), "Objekt!D2",
                                 ("9999-12-31", "1900–2200")),
    "driftsattning-datum-2201": (dict(rows=changed(0, 3, dt.datetime(2201, 1, 1))), "Objekt!D2",
                                 ("2201-01-01", "1900–2200")),
    "driftsattning-manad-13": (dict(rows=changed(0, 3, "2028-13")), "Objekt!D2", ("inget giltigt datum", "1–12")),
    "fordrojning-minus-1": (dict(sides=[LAG(-1)]), "Beroenden!C2", ("fordrojning_manader", "0–1200")),
    "fordrojning-1,5": (dict(sides=[LAG(1.5)]), "Beroenden!C2", ("inget heltal",)),
    "fordrojning-1201": (dict(sides=[LAG(1201)]), "Beroenden!C2", ("0–1200",)),
    "fordrojning-kedja-efter-2200": (dict(rows=[[f"O{i}", f"Objekt {i}", "kollektivtrafik", "2028", None, None, 10, 10,
                                                 10] for i in range(4)],
                                         sides=[side("Beroenden", ["id", "beror_pa", "fordrojning_manader"],
                                                     [[f"O{i + 1}", f"O{i}", 1200] for i in range(3)])]),
                                    "Beroenden!B3", ('"O2" tidigast kan tas i bruk 2228-07', "efter 2200")),
    # 3: bad values on side sheets, located
    "fordrojning-1e309": (dict(sides=[LAG("1e309")]), "Beroenden!C2", ("fordrojning_manader", "för stort tal")),
    "nyttjandeperiod-1e309": (dict(sides=[LIFE("1e309")]), "Komponenter!D2", ("nyttjandeperiod", "för stort tal")),
    "befintliga-nyttjandeperiod-1e309": (dict(sides=[REGION, side("Befintliga", ["tillgangsklass", "bokfort_varde",
                                                                                 "aterstaende_nyttjandeperiod"],
                                                                  [["fastighet", 1000, "1e309"]])]),
                                         "Befintliga!C2", ("för stort tal",)),
    # 4: silent loss
    "arskolumn-1899-text": (dict(rows=[r + [5] for r in GOOD], header=HEADER + ["1899"]), "Objekt!J1",
                            ("året 1899", "1900–2200")),
    "arskolumn-2999-tal": (dict(rows=[r + [5] for r in GOOD], header=HEADER + [2999]), "Objekt!J1",
                           ("året 2999", "1900–2200")),
    "arskolumn-1899.0-flyttal": (dict(rows=[r + [5] for r in GOOD], header=HEADER + [1899.0]), "Objekt!J1",
                                 ("året 1899",)),
    "arskolumn-budget-2999": (dict(rows=[r + [5] for r in GOOD], header=HEADER + ["Budget 2999"]), "Objekt!J1",
                              ("året 2999",)),
    "medfinansiering-ar-2026,9": (dict(sides=[COFINANCING_YEAR(2026.9)]), "Medfinansiering!D2",
                                  ("2026,9", "inget heltal")),
    "id-excelfel": (dict(rows=changed(0, 0, "#DIV/0!")), "Objekt!A2", ('Excel-felet "#DIV/0!"',)),
    "namn-excelfel": (dict(rows=changed(1, 1, "#N/A")), "Objekt!B3", ('Excel-felet "#N/A"',)),
    "driftsattning-excelfel": (dict(rows=changed(1, 3, "#VALUE!")), "Objekt!D3", ('Excel-felet "#VALUE!"',)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_value_is_refused_at_its_cell(tmp_path, case):
    """`validera` exits 1 and `berakna` 2, both with the error at the cell; the plan file is left as it was."""
    kwargs, place, words = CASES[case]
    path = workbook(tmp_path / f"{case}.xlsx", **kwargs)
    before = path.read_bytes()
    checked = run_bounded(["validera", path], name=f"values-validera-{case}")
    first = assert_refused(checked, f"{path.name}:{place}", 1, words)
    computed = run_bounded(["berakna", path, "--per-objekt", "--format", "csv"], name=f"values-berakna-{case}")
    assert assert_refused(computed, f"{path.name}:{place}", 2, words) == first
    assert computed.stdout == "" and computed.peak_mb < 1000, (computed.stdout[:500], computed.peak_mb)
    assert path.read_bytes() == before


def test_a_delay_along_a_chain_beyond_the_last_year_is_refused(tmp_path):
    """`forsening` moved a chain of lags past year 9999 and ended in an internal error."""
    kwargs, place, words = CASES["fordrojning-kedja-efter-2200"]
    path = workbook(tmp_path / "kedja.xlsx", **kwargs)
    outcome = run_bounded(["forsening", path, "--objekt", "O0", "--ar", "1"], name="values-forsening-kedja")
    assert_refused(outcome, f"{path.name}:{place}", 2, words)


@pytest.mark.parametrize("case", ["belopp-text-1e309", "driftsattning-datum-9999", "medfinansiering-ar-99999999"])
def test_importera_and_rapport_refuse_it_too(tmp_path, case):
    """The tester's `importera` wrote a plan without the amounts and `rapport` ended in an internal error."""
    kwargs, place, words = CASES[case]
    path = workbook(tmp_path / f"{case}.xlsx", **kwargs)
    imported = run_bounded(["importera", path, "-o", tmp_path / "ut"], name=f"values-importera-{case}")
    assert_refused(imported, f"{path.name}:{place}", 2, words)
    assert not (tmp_path / "ut").exists()
    report = run_bounded(["rapport", path, "-o", tmp_path / "rapport"], name=f"values-rapport-{case}")
    assert_refused(report, f"{path.name}:{place}", 2, words)
    assert not any((tmp_path / "rapport").glob("*")) if (tmp_path / "rapport").exists() else True


def test_values_inside_the_ranges_compute(tmp_path):
    """The neighbours that are fine: life 0 (a component not depreciated, as mark), the longest life and lag, a year
    as 2026.0, the largest amount, tiny amounts, Swedish number text and a rate of −0,05."""
    rows = [GOOD[0][:6] + ["1 017,4", 1e-300, "−0"], GOOD[1][:6] + [None, values.AMOUNT_LIMIT, "1e3"]]
    sides = [side("Komponenter", COMPONENTS, [["A", "mark", 0.5, 0], ["A", "stomme", 0.5, 100]]),
             LAG(1200), side("Medfinansiering", ["id", "part", "belopp", "ar"], [["A", "Staten", 50, 2026.0]]),
             REGION, BALANCE(-0.05)]
    path = workbook(tmp_path / "granser.xlsx", rows=rows, sides=sides)
    result = CliRunner().invoke(main, ["berakna", str(path), "--per-objekt", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert _finite_figures(result.stdout, 2), result.stdout[:2000]
    assert {line.split(",")[0] for line in result.stdout.splitlines()[1:]} == {"A", "B"}


GOOD_MODEL = (MODELS_DIR / "ranta" / "internranta.yaml").read_text(encoding="utf-8")

# name: (file under models/, text replaced, its replacement, line, words of the message)
MODELS_CASES = {
    "andel-nan": ("ranta/internranta.yaml", "varde: 0.025", "varde: .nan", 5, ("nan", "ändligt")),
    "andel-inf": ("ranta/internranta.yaml", "varde: 0.025", "varde: .inf", 5, ("inf", "ändligt")),
    "andel-minus-inf": ("ranta/internranta.yaml", "varde: 0.025", "varde: -.inf", 5, ("ändligt",)),
    "andel-1e400": ("ranta/internranta.yaml", "varde: 0.025", "varde: 1.0e+400", 5, ("ändligt",)),
    "andel-1e400-utan-punkt": ("ranta/internranta.yaml", "varde: 0.025", "varde: 1e400", 5, ("ett tal",)),
    "andel-2,5": ("ranta/internranta.yaml", "varde: 0.025", "varde: 2.5", 5, ("2,5", "−1–1")),
    "manad-13": ("konventioner/aktivering.yaml", "standardmanad: 7", "standardmanad: 13", 5, ("1–12",)),
    "manad-nan": ("konventioner/aktivering.yaml", "standardmanad: 7", "standardmanad: .nan", 5, ("1–12",)),
    "ar-0": ("ranta/bindningstid.yaml", "varde: 3", "varde: 0", 10, ("1–100",)),
    "ar-2,5": ("ranta/bindningstid.yaml", "varde: 3", "varde: 2.5", 10, ("inget heltal",)),
    "ar-1e400": ("ranta/bindningstid.yaml", "varde: 3", "varde: 1.0e+400", 10, ("ändligt",)),
    "mnkr-inf": ("import/beloppsgrans_pott.yaml", "varde: 100", "varde: .inf", 5, ("ändligt",)),
    "mnkr-heltal-10^400": ("import/beloppsgrans_pott.yaml", "varde: 100", "varde: 1" + "0" * 400, 5,
                           ("heltal bortom", "ändligt")),
    "mnkr-1e300": ("import/beloppsgrans_pott.yaml", "varde: 100", "varde: 1.0e+300", 5, ("orimligt stort",)),
    "nyttjandeperiod-nan": ("tillgangsklasser/kollektivtrafik.yaml", "nyttjandeperiod: 25}", "nyttjandeperiod: .nan}",
                            6, ("nyttjandeperiod", "ändligt")),
    "nyttjandeperiod-101": ("tillgangsklasser/kollektivtrafik.yaml", "nyttjandeperiod: 25}", "nyttjandeperiod: 101}",
                            6, ("nyttjandeperiod", "0–100")),
}


@pytest.mark.parametrize("case", sorted(MODELS_CASES))
def test_a_hostile_models_value_is_refused_at_its_line(tmp_path, case):
    name, old, new, line, words = MODELS_CASES[case]
    models = shutil.copytree(MODELS_DIR, tmp_path / "models")
    broken = models / name
    text = broken.read_text(encoding="utf-8")
    assert old in text
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    outcome = run_bounded(["berakna", "--models", models], name=f"values-models-{case}")
    assert_refused(outcome, f"{broken}:{line}", 2, words)


def _finite_figures(csv: str, skip: int) -> bool:
    """Every figure of a `berakna --format csv` output (after the first `skip` columns) is a finite number."""
    lines = csv.splitlines()
    figures = [x for line in lines[1:] for x in line.split(",")[skip:] if x not in ("", "true", "false")]
    return len(lines) > 1 and bool(figures) and all(math.isfinite(float(x)) for x in figures)


@pytest.mark.parametrize("amount, cofinancing, revenue", [(5e-324, 5e-324, 150000), (1e-300, None, 1e-300),
                                                          (1e-12, 1e-12, 1e-8), (1e12, 1e12, 150000)])
def test_tiny_and_largest_amounts_give_finite_figures(tmp_path, amount, cofinancing, revenue):
    """A formula's residue (down to 5e-324) is read as 0 (below AMOUNT_RESOLUTION): kept, it underflowed when spread
    over months and the co-financing received per krona became infinite; a revenue of 1e-300 is then 0 and refused
    at its cell, and the largest amount computes."""
    rows = [GOOD[0][:4] + [cofinancing, None, amount, None, None], GOOD[1]]
    path = workbook(tmp_path / "liten.xlsx", rows=rows, sides=[side("Region", ["ar", "totala_intakter"],
                                                                    [[2026, revenue]])])
    result = CliRunner().invoke(main, ["berakna", str(path), "--format", "csv"])
    if revenue < values.AMOUNT_RESOLUTION:
        assert result.exit_code == 2 and f"{path.name}:Region!B2: fel: totala intäkter 0 mnkr" in result.stderr
        return
    assert result.exit_code == 0 and _finite_figures(result.stdout, 1), result.output[:2000]
    objects = CliRunner().invoke(main, ["berakna", str(path), "--per-objekt", "--format", "csv"])
    assert objects.exit_code == 0 and _finite_figures(objects.stdout, 2), objects.output[:2000]


# --- generated: hostile numbers in the amount, year, lag and life columns ------------------------------------------

HOSTILE = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),  # huge, tiny, subnormal, negative
    st.sampled_from([1e308, -1e308, 1.7e308, 1e-320, 5e-324, 0.0, -0.0, 1e12, 1e12 + 1, 2026.0, 2026.5, 1899.0,
                     2200.0, 2201.0, 99999999, 1200, 1201, 100, 101, 0.5, 1 / 12]),
    st.integers(-10**18, 10**18),
    st.sampled_from(["1e309", "-1e309", "−1e309", "nan", "NaN", "inf", "-inf", "Infinity", "1e308", "1,7e308",
                     "1 017,4", "1 000 000 000 000 001", "−5", "-", "1e-400", "0,0001", "2026", "2026,9", "12 34",
                     "1,500.5", "#DIV/0!", "#NUM!", "1e3", "١٢", "0x10", "1_000", "+5", ".5"]),
    st.text(alphabet="0123456789eE+-−,. \u00a0", max_size=10),
)
PLACES = ["amount", "amount2", "driftsattning", "lag", "life", "cofinancing_year", "cofinancing", "revenue"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.dictionaries(st.sampled_from(PLACES), HOSTILE, min_size=1, max_size=4))
def test_hostile_numbers_compute_finitely_or_are_refused_at_a_cell(tmp_path, cells):
    """Whatever number or text lands in these cells: the plan computes with finite results, or there is a located
    error — never a crash, an internal error or a non-finite figure."""
    rows = [list(r) for r in GOOD]
    rows[0][6] = cells.get("amount", 100)
    rows[1][8] = cells.get("amount2", 300)
    rows[0][3] = cells.get("driftsattning", "2028")
    rows[0][4] = cells.get("cofinancing", 50)
    sides = [LAG(cells.get("lag", 3)), LIFE(cells.get("life", 50)),
             COFINANCING_YEAR(cells.get("cofinancing_year", 2027)),
             side("Region", ["ar", "totala_intakter"], [[2026, cells.get("revenue", 150000)]])]
    path = workbook(tmp_path / "genererad.xlsx", rows=rows, sides=sides)
    result = CliRunner().invoke(main, ["berakna", str(path), "--format", "csv"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Internt fel" not in result.output and "Traceback" not in result.output, result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 0:
        assert _finite_figures(result.stdout, 1), result.stdout[:2000]
        objects = CliRunner().invoke(main, ["berakna", str(path), "--per-objekt", "--format", "csv"])
        assert objects.exit_code == 0 and _finite_figures(objects.stdout, 2), objects.output[:2000]
        assert {line.split(",")[0] for line in objects.stdout.splitlines()[1:]} >= {"A", "B"}  # no object dropped
    else:
        errors = [line for line in result.stderr.splitlines() if ": fel: " in line]
        assert errors and all(line.startswith(f"{path.name}:") and "!" in line.split(": fel: ")[0]
                              for line in errors), result.stderr


# --- a life that would round to 0 months is no "not depreciated" ---------------------------------------------------

_EXISTING = lambda life: side("Befintliga", ["tillgangsklass", "bokfort_varde",  # noqa: E731
                                             "aterstaende_nyttjandeperiod"], [["fastighet", 1000, life]])


@pytest.mark.parametrize("sides, place", [
    ([LIFE(5e-324)], "Komponenter!D2"), ([LIFE("1e-400")], "Komponenter!D2"), ([LIFE(0.001)], "Komponenter!D2"),
    ([REGION, _EXISTING(5e-324)], "Befintliga!C2"), ([REGION, _EXISTING("1e-400")], "Befintliga!C2"),
])
def test_a_life_shorter_than_a_month_is_refused_not_read_as_zero(tmp_path, sides, place):
    """5e-324 and "1e-400" were read as 0 = "skrivs inte av" while 0,001 was refused: only an exact 0 is 0."""
    path = workbook(tmp_path / "kort.xlsx", sides=sides)
    checked = run_bounded(["validera", path], name="values-validera-kort-livslangd")
    assert_refused(checked, f"{path.name}:{place}", 1, ("kortare än en månad", "inte 0"))
    computed = run_bounded(["berakna", path, "--format", "csv"], name="values-berakna-kort-livslangd")
    assert_refused(computed, f"{path.name}:{place}", 2, ("kortare än en månad",))


@pytest.mark.parametrize("life, read", [(0, 0.0), ("0", 0.0), ("0,0", 0.0), ("0e5", 0.0), (1 / 12, 1 / 12),
                                        ("0,5", 0.5), (60, 60.0)])
def test_an_exact_zero_and_a_month_or_more_are_lives(life, read):
    assert values.life_years(life) == read


@pytest.mark.parametrize("life", [5e-324, 1e-300, "1e-400", "−1e-400", 0.001, 1 / 24])
def test_a_life_that_rounds_to_zero_months_is_refused(life):
    with pytest.raises(values.BadValue, match="kortare än en månad|utanför"):
        values.life_years(life)
    with pytest.raises(values.BadValue, match="kortare än en månad|utanför"):
        values.life_years(life, whole_months=False)


# --- a delay that lands after the last year ------------------------------------------------------------------------

LATE = HEADER[:6] + ["2188", "2189", "2190"]


def test_a_delay_past_the_last_year_is_refused_naming_the_object_and_the_year(tmp_path):
    """`forsening --ar 50` on an object opening 2190 moved it to 2240 and computed to 2265, outside 1900–2200."""
    path = workbook(tmp_path / "sent.xlsx", rows=[["A", "a", "kollektivtrafik", "2190", None, None, 1, 1, 1]],
                    header=LATE)
    outcome = run_bounded(["forsening", path, "--objekt", "A", "--ar", "50"], name="values-forsening-2240")
    assert_refused(outcome, f"{path.name}:Objekt!D2", 2, ('"A"', "2240", f"efter {values.LAST_YEAR}"))
    assert outcome.stdout == ""
    inside = run_bounded(["forsening", path, "--objekt", "A", "--ar", "10"], name="values-forsening-2200")
    assert inside.code == 0, inside.output[-2000:]


def test_a_delay_that_moves_a_dependent_past_the_last_year_is_refused_at_the_dependent(tmp_path):
    """A moved to 2200 is inside, but B, waiting two years for it, would have to open 2202."""
    path = workbook(tmp_path / "kedja-sent.xlsx", header=LATE,
                    rows=[["A", "a", "kollektivtrafik", "2190", None, None, 1, 1, 1],
                          ["B", "b", "kollektivtrafik", "2193", None, None, 1, 1, 1]],
                    sides=[side("Beroenden", ["id", "beror_pa", "fordrojning_manader"], [["B", "A", 24]])])
    outcome = run_bounded(["forsening", path, "--objekt", "A", "--ar", "10"], name="values-forsening-kedja-2202")
    assert_refused(outcome, f"{path.name}:Objekt!D3", 2, ('"B"', "2202", f"efter {values.LAST_YEAR}"))
