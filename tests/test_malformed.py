"""Malformed workbooks, hand-made and generated: each gives a clear message with its place, exit 2 from the
commands that compute (1 from `validera` when the file opens but holds errors), no traceback; hostile files
(XML bomb, zip bomb) are refused within bounded time and memory. Every failure mode of reading a plan is here,
once; tests/test_validation.py has what `validera` says about plans that can be read."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable, NamedTuple

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from invest.cli import main
from conftest import ROOT

HEADER = ["id", "namn", "tillgångsklass", "driftsättning", "medfinansiering", "beroenden", "2026", "2027", "2028"]
GOOD_ROWS = [["A", "Depå", "kollektivtrafik", "2028", 50, None, 100, 200, 100],
             ["B", "Vagnar", "kollektivtrafik", "2029", None, "A", None, 300, 300]]


def sheet(rows, header=HEADER, title="Objekt", extra=None):
    def build(path: Path):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = title
        if header:
            ws.append(header)
        for row in rows:
            ws.append(row)
        if extra:
            extra(wb)
        wb.save(path)
    return build


def changed(row: int, col: int, value):
    rows = [list(r) for r in GOOD_ROWS]
    rows[row][col] = value
    return sheet(rows)


def raw(content: bytes):
    return lambda path: path.write_bytes(content)


def zipped(members: dict[str, bytes]):
    def build(path: Path):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
    return build


def with_sheet_xml(transform):
    """A good workbook whose first sheet's XML is rewritten (for hostile content openpyxl would not write)."""
    def build(path: Path):
        sheet(GOOD_ROWS)(path)
        with zipfile.ZipFile(path) as z:
            members = {i.filename: z.read(i.filename) for i in z.infolist()}
        members["xl/worksheets/sheet1.xml"] = transform(members["xl/worksheets/sheet1.xml"])
        zipped(members)(path)
    return build


BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>"""


def xml_bomb(data: bytes) -> bytes:
    body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
    return BOMB + body.replace(b"<v>100</v>", b"<v>&lol9;</v>", 1)


def merged_data(wb):
    wb.active.merge_cells("G2:H2")


def hidden_only(wb):
    ws = wb.create_sheet("Synligt men tomt")
    ws["A1"] = "Här finns ingen tabell"
    wb["Objekt"].sheet_state = "hidden"


def side(title, header, rows):
    def add(wb):
        ws = wb.create_sheet(title)
        ws.append(header)
        for r in rows:
            ws.append(r)
    return add


class Case(NamedTuple):
    build: Callable[[Path], None]
    place: str | None  # sheet and cell (or row) of the error; None: the file itself
    texts: tuple[str, ...]  # in the error's message
    validera: int  # exit code of `invest validera`: 2 when the file cannot be opened, 1 when it holds errors
    errors: int = 1  # error lines from `invest berakna`


COMPONENTS = ["id", "komponent", "andel", "nyttjandeperiod"]

CASES = {
    "tom-fil": Case(raw(b""), None, ("filen är tom",), 2),
    "textfil-som-xlsx": Case(raw("id;namn\nA;Depå\n".encode()), None, ("är ingen Excel-arbetsbok",), 2),
    "gammal-xls": Case(raw(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500), None, ("är ingen Excel-arbetsbok",), 2),
    "zip-utan-arbetsbok": Case(zipped({"hej.txt": b"hej"}), None, ("arbetsboken kan inte läsas",), 2),
    "zip-bomb": Case(zipped({"xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024)}), None, ("zip-bomb",), 2),
    "xml-bomb": Case(with_sheet_xml(xml_bomb), None, ("kan vara en XML-bomb",), 2),
    "trasig-xml": Case(with_sheet_xml(lambda d: d[: len(d) // 2]), "Objekt", ("arbetsboken kan inte läsas",), 1),
    "tomt-blad": Case(sheet([], header=None), "Objekt!rad 1", ("bladet är tomt",), 1),
    "bara-text": Case(sheet([["Investeringsplan"], ["Kommer senare"]], header=None, title="Plan"), None,
                      ("ingen tabell med objekt",), 1),
    "dolt-blad-enda-tabellen": Case(sheet(GOOD_ROWS, extra=hidden_only), None, ("ingen tabell med objekt",), 1),
    "inga-arskolumner": Case(sheet(GOOD_ROWS, header=HEADER[:6] + ["a", "b", "c"]), "Objekt!rad 1",
                             ("inga årskolumner",), 1),
    "text-i-belopp": Case(changed(0, 6, "hundra"), "Objekt!G2", ('texten "hundra" (väntat ett belopp',), 1),
    "datum-i-belopp": Case(changed(0, 7, dt.datetime(2027, 1, 1)), "Objekt!H2", ("cellen är formaterad som datum",), 1),
    "sanningsvarde-i-belopp": Case(changed(0, 7, True), "Objekt!H2", ("sanningsvärdet True",), 1),
    "excelfel-i-belopp": Case(changed(0, 8, "#REF!"), "Objekt!I2", ('Excel-felet "#REF!"',), 1),
    "negativt-belopp": Case(changed(1, 7, -300), "Objekt!H3", ("2027 är -300, väntat ett belopp ≥ 0",), 1),
    "negativt-med-minustecken": Case(changed(1, 7, "−300"), "Objekt!H3", ("2027 är -300, väntat ett belopp ≥ 0",), 1),
    "dubblett-id": Case(changed(1, 0, "A"), "Objekt!A3", ('id "A" finns redan på', "Objekt!A2"), 1),
    "sammanfogat-bland-belopp": Case(sheet(GOOD_ROWS, extra=merged_data), "Objekt!G2:H2",
                                     ("sammanfogade celler G2:H2",), 1),
    "formel-utan-varde": Case(changed(0, 7, "=G2*2"), "Objekt!H2", ("formel utan sparat värde",), 1),
    "okand-tillgangsklass": Case(changed(0, 2, "rymdskepp"), "Objekt!C2", ('okänd tillgångsklass "rymdskepp"',), 1),
    "ogiltig-driftsattning": Case(changed(0, 3, "2028-13"), "Objekt!D2",
                                  ('driftsättning "2028-13" är inget giltigt datum',), 1),
    "driftsattning-som-text": Case(changed(1, 3, "till sommaren"), "Objekt!D3",
                                   ('driftsättning "till sommaren" är inget giltigt datum',), 1),
    "medfinansiering-over-utgift": Case(changed(0, 4, 5000), "Objekt!E2", ("överstiger objektets totala utgift 400",), 1),
    "medfinansiering-text": Case(changed(0, 4, "hälften"), "Objekt!E2", ('medfinansiering: texten "hälften"',), 1),
    "okant-beroende": Case(changed(1, 5, "X"), "Objekt!F3", ('beror på "X", som inte finns',), 1),
    "dubbla-arskolumner": Case(sheet(GOOD_ROWS, header=HEADER[:7] + ["2026", "2028"]), "Objekt!rad 1",
                               ("året 2026 finns i flera kolumner",), 1),
    "utfall-overlappar": Case(sheet(GOOD_ROWS, header=HEADER[:6] + ["t.o.m. 2026", "2026", "2027"]), "Objekt!G1",
                              ("överlappar planens",), 1),
    "tva-utfallskolumner": Case(sheet([r + [1] for r in GOOD_ROWS],
                                      header=HEADER[:6] + ["t.o.m. 2025", "2026", "2027", "Utfall t.o.m. 2025"]),
                                "Objekt!J1", ("flera kolumner med utfall",), 1),
    "period-overlappar": Case(sheet([r[:8] + [500] for r in GOOD_ROWS], header=HEADER[:8] + ["2027–2030"]),
                              "Objekt!I1", ("överlappar årskolumnerna 2027",), 1),
    "tva-enheter": Case(sheet([["Belopp i tkr"], HEADER[:6] + ["2026 (mdkr)", "2027", "2028"]] + GOOD_ROWS, header=None,
                              title="Nämnd"), "Nämnd!rad 2", ("flera enheter anges",), 1),
    "fel-summarad": Case(sheet(GOOD_ROWS + [["Summa", None, None, None, None, None, 100, 600, 400]]), "Objekt!H4",
                         ('summaraden "Summa" stämmer inte',), 1),
    "fel-totaltkolumn": Case(sheet([r + [400] for r in GOOD_ROWS], header=HEADER + ["Totalt 2026–2028"]), "Objekt!J3",
                             ('"Totalt 2026–2028" är 400,0 men radens belopp summerar till 600,0',), 1),
    "komponentandelar": Case(sheet(GOOD_ROWS, extra=side("Komponenter", COMPONENTS, [["A", "stomme", 0.5, 50],
                                                                                     ["A", "installationer", 0.3, 20]])),
                             "Komponenter!C2", ('andelar för "A" summerar till 0.8', "väntat 1"), 1),
    "komponent-okant-id": Case(sheet(GOOD_ROWS, extra=side("Komponenter", COMPONENTS, [["Z", "stomme", 1, 50]])),
                               "Komponenter!A2", ('id "Z" finns inte bland objekten',), 1),
    "region-ar-text": Case(sheet(GOOD_ROWS, extra=side("Region", ["ar", "totala_intakter"], [["tjugotjugosex", 1000]])),
                           "Region!A2", ("är inget år",), 1, errors=2),
    "region-utan-forsta-arets-intakter": Case(
        sheet(GOOD_ROWS, extra=side("Region", ["ar", "totala_intakter", "resultat"], [[2026, None, 5]])), "Region!B2",
        ("totala intäkter saknas för planens första år 2026",), 1),
}


def run(args):
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Internt fel" not in result.output
    return result


def located(path: Path, place: str | None) -> tuple[str, ...]:
    """How an error line at `place` begins: the file (its name, or its path when it could not be opened), then the
    sheet and cell."""
    return tuple(f"{f}: fel: " if place is None else f"{f}:{place}: fel: " for f in (path.name, str(path)))


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_workbook_gives_a_clear_message(tmp_path, case):
    """`invest berakna` exits 2 with nothing on stdout and the error at its place (one message per problem; a Region
    year that is no year also leaves the sheet without years); `importera` writes nothing; `validera` prints the
    same message (and so does `rapport` when the file cannot be opened); the file is left as it was."""
    build, place, texts, validera_code, count = CASES[case]
    path = tmp_path / f"{case}.xlsx"
    build(path)
    before = path.read_bytes()
    result = run(["berakna", str(path), "--format", "csv"])
    assert result.exit_code == 2 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if ": fel: " in line]
    assert len(errors) == count, result.stderr
    assert errors[0].startswith(located(path, place)), (errors[0], place)
    assert all(text in errors[0] for text in texts), (texts, errors[0])
    assert all(line.startswith((f"{path.name}:", f"{path}:")) for line in errors), errors
    imported = run(["importera", str(path), "-o", str(tmp_path / "ut")])
    assert imported.exit_code == 2 and not (tmp_path / "ut").exists()
    checked = run(["validera", str(path)])
    assert checked.exit_code == validera_code and errors[0] in checked.output, checked.output
    if validera_code == 2:
        report = run(["rapport", str(path), "--utdata", str(tmp_path / "rapport")])
        assert report.exit_code == 2 and errors[0] in report.stderr, report.output
    assert path.read_bytes() == before


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", ["zip-bomb", "xml-bomb"])
def test_hostile_files_refused_within_bounded_time_and_memory(tmp_path, case):
    """In a child process limited to 1 GiB of address space beyond start-up and 60 s."""
    path = tmp_path / f"{case}.xlsx"
    CASES[case][0](path)
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
    code = limit + "import sys; sys.argv = ['invest', 'berakna', sys.argv[1]]; from invest.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and all(t in done.stderr for t in CASES[case].texts) and "Traceback" not in done.stderr


CELL = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
                 st.text(alphabet="0123456789 ,.-−#=abcåäö\u00a0", max_size=8), st.booleans(),
                 st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)).map(lambda d: dt.datetime(d.year, d.month, d.day)),
                 st.sampled_from(["löpande", "2027", "2027-06", "kollektivtrafik", "it", "Summa", "varav ny", "Totalt"]))
HEADERS = st.lists(st.sampled_from(["id", "namn", "tillgångsklass", "driftsättning", "medfinansiering", "2026", "2027",
                                    "2028", "2029–2031", "t.o.m. 2025", "Totalt", "Mnkr", "tkr", "okänd", None]),
                   min_size=1, max_size=9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=HEADERS, rows=st.lists(st.lists(CELL, max_size=9), max_size=6))
def test_generated_sheets_never_crash(tmp_path, header, rows):
    """Any sheet: either a plan (exit 0) or located errors (exit 2) — never a traceback or an internal error."""
    path = tmp_path / "genererad.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([x for x in row])
    wb.save(path)
    result = run(["berakna", str(path), "--format", "csv"])
    assert result.exit_code in (0, 2)
    if result.exit_code == 2:
        assert any(": fel: " in line for line in result.stderr.splitlines()), result.stderr
