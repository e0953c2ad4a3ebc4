"""One Swedish CLI: PLAN is the optional first argument everywhere, -o/--utdata is always a folder, nothing is
overwritten without --skriv-over, click's own texts are Swedish, numbers take a decimal comma, csv can be written
for a Swedish spreadsheet, text tables fit the terminal without cutting a word, and a status line shows only on a
terminal."""

from __future__ import annotations

import csv
import io
import os
import re
import stat

import pytest
from click.testing import CliRunner

from conftest import build_plan
from invest.base import progress
from invest.base.swedish import number as swedish_number, parse_number
from invest.cli import main
from invest.outputs.calculation_output import shorten, text_table, wrap

runner = CliRunner()


def invest(*args: str):
    """`invest ARGS` as a user runs it (the program's name in the usage line)."""
    return runner.invoke(main, list(args), prog_name="invest")
ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "Error:", "No such option",
           "Missing", "Try '", "Invalid value", "is not one of", "[default:", "[required]", "INTEGER", "FLOAT", "PATH",
           "TEXT", "[OPTIONS]")
PLAN_COMMANDS = ("berakna", "validera", "rapport", "beroenden", "forsening", "kontroll")
WRITING_COMMANDS = ("rapport", "beroenden", "kontroll", "importera", "mall")


def english_in(text: str) -> list[str]:
    return [phrase for phrase in ENGLISH if phrase in text]


# --- click's own texts --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--help"], ["berakna", "--help"], ["kontroll", "--help"], ["importera", "-h"]])
def test_help_is_swedish(args):
    result = invest(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Användning: invest")
    assert "Flaggor:" in result.stdout and "Visa den här hjälpen och avslutar." in result.stdout
    assert english_in(result.output) == []


def test_the_group_help_lists_kommandon_and_the_version_option():
    out = invest("--help").stdout
    assert "Kommandon:" in out and "Visa versionen och avslutar." in out and "KOMMANDO" in out


@pytest.mark.parametrize("args, expected", [
    (["berakna", "--nope"], "Fel: okänd flagga '--nope'."),
    (["kontroll"], "Fel: saknar flaggan '--forslag'."),
    (["importera"], "Fel: saknar argumentet 'FIL'."),
    (["berakna", "--format", "xml"], "Fel: ogiltigt värde för '--format': 'xml' är inte något av"),
    (["berakna", "--till-ar", "sent"], "'sent' är inte ett giltigt heltal."),
    (["berakna", "a.xlsx", "b.xlsx"], "Fel: oväntat extra argument (b.xlsx)"),
    (["finns-inte"], "Fel: okänt kommando 'finns-inte'."),
])
def test_usage_errors_are_swedish_and_exit_2(args, expected):
    result = invest(*args)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Användning: invest" in result.stderr and "för hjälp." in result.stderr
    assert english_in(result.output) == []


@pytest.mark.parametrize("command", PLAN_COMMANDS + ("importera", "mall"))
def test_every_help_shows_the_conventions(command):
    out = invest(command, "--help").stdout
    assert "PLAN" in out and "-o, --utdata" in out and "--skriv-over" in out and "standardplanen" in out
    if command in PLAN_COMMANDS:
        assert out.startswith(f"Användning: invest {command} [FLAGGOR] [PLAN]")
        assert "--plan" not in out
    if command in WRITING_COMMANDS:
        assert re.search(r"-o, --utdata KATALOG\s+Katalogen som resultatet skrivs till", out)
        assert "[standard: reports]" in out


# --- PLAN first, --objekt, --forslag --------------------------------------------------------------------------------

def test_a_proposal_given_as_the_plan_is_named_with_the_hint(tmp_path):
    proposal = build_plan(tmp_path / "forslag.xlsx", [{"id": "P", "tillgangsklass": "it", "driftsattning": "2027",
                                                        "utgifter": {2027: 10}}], outturn_year=None)
    result = runner.invoke(main, ["kontroll", str(proposal)])
    assert result.exit_code == 2
    assert f"{proposal} lästes som planen (PLAN)" in result.stderr and "--forslag" in result.stderr
    other = build_plan(tmp_path / "annat.xlsx", [{"id": "Q", "tillgangsklass": "it", "driftsattning": "2027",
                                                  "utgifter": {2027: 10}}], outturn_year=None)
    result = runner.invoke(main, ["kontroll", str(proposal), "--forslag", str(other), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 2
    assert "saknar bladet Region" in result.stderr and "forslag.xlsx lästes som planen (PLAN)" in result.stderr
    assert "förslag anges med --forslag" in result.stderr and "finns redan" not in result.stderr
    result = runner.invoke(main, ["kontroll", str(proposal), "--forslag", str(proposal)])
    assert result.exit_code == 2 and "både som planen (PLAN) och som förslag" in result.stderr


def test_forsening_takes_the_object_as_an_option():
    result = runner.invoke(main, ["forsening", "TB-NSO", "--ar", "2"])
    assert result.exit_code == 2
    assert "'TB-NSO' lästes som PLAN men finns inte" in result.stderr and "--objekt TB-NSO" in result.stderr
    assert runner.invoke(main, ["forsening", "--objekt", "TB-NSO", "--ar", "2", "--format", "json"]).exit_code == 0


# --- -o/--utdata is a folder; nothing is overwritten without --skriv-over -------------------------------------------

def test_mall_and_importera_write_into_the_folder_and_never_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the folder the user stands in
    first = runner.invoke(main, ["mall"])
    assert first.exit_code == 0, first.output
    assert os.path.isfile("reports/investeringsplan_mall.xlsx")
    again = runner.invoke(main, ["mall"])
    assert again.exit_code == 2
    assert "reports/investeringsplan_mall.xlsx" in again.stderr and "--skriv-over" in again.stderr
    assert runner.invoke(main, ["mall", "--skriv-over"]).exit_code == 0
    imported = runner.invoke(main, ["importera", "reports/investeringsplan_mall.xlsx", "-o", "planer"])
    assert imported.exit_code == 0, imported.output
    assert os.path.isfile("planer/investeringsplan_mall_plan.xlsx")
    assert runner.invoke(main, ["importera", "reports/investeringsplan_mall.xlsx", "-o", "planer"]).exit_code == 2
    old = runner.invoke(main, ["mall", "-o", "min_mall.xlsx"])  # the old meaning of -o in mall: a file
    assert old.exit_code == 2 and "-o/--utdata är katalogen" in old.stderr and not os.path.exists("min_mall.xlsx")


def test_rapport_refuses_to_overwrite_and_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "ut"
    assert runner.invoke(main, ["rapport", "-o", str(out)]).exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = runner.invoke(main, ["rapport", "-o", str(out)])
    assert again.exit_code == 2 and "finns redan" in again.stderr and "--skriv-over" in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before  # nothing written, no temp file left
    assert runner.invoke(main, ["rapport", "-o", str(out), "--skriv-over"]).exit_code == 0


def test_an_input_is_never_overwritten_even_with_skriv_over(tmp_path):
    """kontroll writes kontroll_<proposal>.xlsx; a plan of that name in the output folder stays as it is."""
    out = tmp_path / "ut"
    out.mkdir()
    region = [{"ar": y, "totala_intakter": 1000, "befintliga_avskrivningar": 10} for y in range(2026, 2031)]
    plan = build_plan(out / "kontroll_p.xlsx", [{"id": "B", "tillgangsklass": "it", "driftsattning": "2026-01",
                                                 "utgifter": {2026: 40}}], region=region)
    proposal = build_plan(tmp_path / "p.xlsx", [{"id": "P", "tillgangsklass": "it", "driftsattning": "2027",
                                                 "utgifter": {2027: 10}}], outturn_year=None)
    content = plan.read_bytes()
    result = runner.invoke(main, ["kontroll", str(plan), "--forslag", str(proposal), "-o", str(out), "--skriv-over"])
    assert result.exit_code == 2 and "indatafilerna och skrivs aldrig över" in result.stderr
    assert plan.read_bytes() == content
    assert sorted(p.name for p in out.iterdir()) == ["kontroll_p.xlsx"]  # the chart written before it was removed


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_output_files_honour_the_umask(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        result = runner.invoke(main, ["mall", "-o", str(tmp_path / "ut")])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "ut" / "investeringsplan_mall.xlsx").stat().st_mode) == mode


# --- numbers --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [("0,025", 0.025), ("0.025", 0.025), ("2,5 %", 0.025), ("2.5%", 0.025),
                                         ("−0,01", -0.01), ("1 500,5", 1500.5), ("7", 7.0)])
def test_a_number_with_a_decimal_comma_or_point(text, value):
    assert parse_number(text) == pytest.approx(value, abs=1e-15)


@pytest.mark.parametrize("text", ["1,500.5", "1,5,5", "0,0,25", "abc", "", "nan", "12 34"])
def test_a_number_that_could_be_read_two_ways_is_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_ranta_takes_a_decimal_comma_and_keeps_its_range():
    comma = runner.invoke(main, ["berakna", "--format", "csv", "--ranta", "0,025"])
    point = runner.invoke(main, ["berakna", "--format", "csv", "--ranta", "0.025"])
    percent = runner.invoke(main, ["berakna", "--format", "csv", "--ranta", "2,5 %"])
    assert comma.exit_code == 0, comma.output
    assert comma.stdout == point.stdout == percent.stdout
    too_high = runner.invoke(main, ["berakna", "--ranta", "0,7"])
    assert too_high.exit_code == 2
    assert "ogiltigt värde för '--ranta': 0,7 ligger utanför intervallet −0,05 till 0,5" in too_high.stderr
    ambiguous = runner.invoke(main, ["berakna", "--ranta", "1,500.5"])
    assert ambiguous.exit_code == 2 and "kan läsas på två sätt" in ambiguous.stderr


def test_csv_for_a_swedish_spreadsheet():
    standard = runner.invoke(main, ["berakna", "--format", "csv"]).stdout
    swedish = runner.invoke(main, ["berakna", "--format", "csv", "--csv-stil", "svensk"]).stdout
    assert swedish.startswith("\ufeffar;investeringar;")
    plain = list(csv.DictReader(io.StringIO(standard)))
    rows = list(csv.DictReader(io.StringIO(swedish.lstrip("\ufeff")), delimiter=";"))
    assert [r["ar"] for r in rows] == [r["ar"] for r in plain]
    for a, b in zip(plain, rows):
        assert "." not in b["avskrivningar"] and " " not in b["avskrivningar"]
        assert float(b["avskrivningar"].replace(",", ".")) == pytest.approx(float(a["avskrivningar"]), rel=1e-12)
        assert b["klarar_riktvarde"] in ("ja", "nej")
    refused = runner.invoke(main, ["berakna", "--csv-stil", "svensk"])
    assert refused.exit_code == 2 and "--csv-stil gäller bara --format csv" in refused.stderr


# --- text tables ----------------------------------------------------------------------------------------------------

NAMES = ["Tunnelbana till Nacka och Söderort (blå linjen, Hagsätragrenen)", "Depå", "Karolinska "
         "Universitetssjukhuset: ersättningsinvesteringar <100 mkr"]


@pytest.mark.parametrize("width", [40, 60, 100, 200])
def test_a_text_table_fits_the_width_and_never_cuts_a_word(width):
    rows = [[f"ID-{i}", name, "1 234,5", "6,89 %"] for i, name in enumerate(NAMES)]
    lines = text_table(["Id", "Namn", "Kapitalkostnader", "Andel"], rows, left=2, width=width)
    assert all(len(line) <= width for line in lines), lines
    words = {w for line in lines for w in line.split()}
    assert {w for name in NAMES for w in name.split()} <= words  # every word whole, none cut
    assert all("…" not in line for line in lines)
    numbers = [line for line in lines if "1 234,5" in line]
    assert len(numbers) == 3 and len({line.index("1 234,5") for line in numbers}) == 1  # right-aligned in a column


def test_a_table_too_wide_for_the_terminal_goes_on_in_blocks_led_by_the_first_column():
    header = ["År"] + [f"K{k}" for k in range(12)]
    rows = [[str(y)] + [swedish_number(y * k * 1000.0) for k in range(12)] for y in (2026, 2027)]
    lines = text_table(header, rows, width=50)
    assert all(len(line) <= 50 for line in lines)
    blocks = [line.split() for line in lines if line.startswith("År")]
    assert len(blocks) >= 2 and sorted(h for b in blocks for h in b[1:]) == sorted(header[1:])
    assert sum(line.startswith("2027 ") for line in lines) == len(blocks)
    assert swedish_number(2027 * 11 * 1000.0) in lines[-1]


def test_wrap_and_shorten_break_between_words():
    assert wrap("Tunnelbana till Nacka och Söderort", 12) == ["Tunnelbana", "till Nacka", "och Söderort"]
    assert shorten("Tunnelbana till Nacka och Söderort", 20) == "Tunnelbana till…"


def test_the_terminal_tables_fit_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for args in (["berakna"], ["beroenden"], ["forsening", "--rangordna"],
                 ["forsening", "--objekt", "TB-DEPA", "--ar", "2"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        table = [line for line in result.stdout.splitlines() if line.startswith("--")]
        assert table and all(len(line) <= 80 for line in table), args
    names = runner.invoke(main, ["beroenden"]).stdout
    assert "Hagsätragrenen)" in names and "Tunnelbana till Nacka" in names  # wrapped, not cut
    per_object = runner.invoke(main, ["berakna", "--per-objekt"]).stdout.splitlines()
    headings = [line.split() for line in per_object if line.startswith("Id ")]
    assert len(headings) >= 2 and all(h[:2] == ["Id", "År"] for h in headings)  # every block keeps id and year


# --- status line ----------------------------------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_status_line_shows_on_a_terminal_only(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    screen = Terminal()
    with progress.status("invest rapport", stream=screen, delay=0) as line:
        progress.step("Läser plan.xlsx")
        line.draw("⠋")
    assert "⠋ Läser plan.xlsx … 0 s" in screen.getvalue() and screen.getvalue().endswith("\r\x1b[K")
    pipe = io.StringIO()
    with progress.status("invest rapport", stream=pipe, delay=0) as line:
        progress.step("Läser plan.xlsx")
    assert line is None and pipe.getvalue() == ""
    with progress.status("invest rapport", enabled=False, stream=Terminal(), delay=0) as line:  # beside JSON
        assert line is None


def test_no_status_line_in_a_pipe():
    result = runner.invoke(main, ["forsening", "--rangordna"])
    assert result.exit_code == 0 and "\r" not in result.output and "…  s" not in result.stderr
