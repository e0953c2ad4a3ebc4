"""invest.excel.workbook reads cell values with python-calamine and hands them on as openpyxl's read-only, data_only
workbook gave them: the same sheet names, states and chart sheets, the same rows from row 1 and column A, the same
values type by type (int for a whole number, datetime for a date, an error as its text, a formula's cached value or
None). A sheet calamine cannot hold (a stray cell far out) is read with openpyxl instead of exhausting memory."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from conftest import ROOT
from invest.excel.sheet_scan import scan_sheet
from invest.excel.workbook import Workbook, open_workbook


def rewrite(path: Path, change) -> None:
    """Rewrite the workbook's parts: `change(members)` edits the dict of part name -> bytes."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i.filename) for i in z.infolist()}
    change(members)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def cached_values(members: dict) -> None:
    """What Excel writes and openpyxl does not: a formula with a cached error, with a cached text, with an empty
    cached text, without a cached value; an error cell without a value."""
    sheet = members["xl/worksheets/sheet1.xml"]
    extra = (b'<c r="L4" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="M4" t="str"><f>A1</f><v>abc</v></c>'
             b'<c r="N4" t="str"><f>A1</f><v></v></c><c r="O4"><f>A1</f></c><c r="P4" t="n"><f>A1</f><v>7</v></c>'
             b'<c r="Q4" t="e"/><c r="R4" t="e"><v>#N/A</v></c><c r="S4" t="n"><v>3</v></c>')
    members["xl/worksheets/sheet1.xml"] = sheet.replace(b'<v>-5</v></c></row>', b'<v>-5</v></c>' + extra + b"</row>", 1)


def shared_strings(members: dict) -> None:
    """The texts as a shared-string table, as Excel writes them (openpyxl writes inline strings), one of them rich
    text with a phonetic run."""
    strings: list[bytes] = []

    def share(m):
        strings.append(m.group(3))
        return m.group(1) + (m.group(2) or b"") + b' t="s"><v>%d</v></c>' % (len(strings) - 1)

    for name in [n for n in members if n.startswith("xl/worksheets/")]:
        members[name] = re.sub(rb'(<c r="[A-Z]+[0-9]+")( s="[0-9]+")? t="inlineStr"><is><t(?: xml:space="preserve")?>'
                               rb'([^<]*)</t></is></c>', share, members[name])
    items = b"".join(b'<si><t xml:space="preserve">' + s + b"</t></si>" for s in strings)
    items = items.replace(b'<si><t xml:space="preserve">Rik text</t></si>',
                          b'<si><r><t xml:space="preserve">Rik </t></r><r><rPr><b/></rPr><t>text</t></r>'
                          b'<rPh sb="0" eb="1"><t>fu</t></rPh></si>')
    members["xl/sharedStrings.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                       b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                       b'count="%d" uniqueCount="%d">' % (len(strings), len(strings)) + items + b"</sst>")
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')


def build(path: Path, epoch=None) -> None:
    """Every kind of value, from B2 (row 1 and column A blank), a hidden, a very hidden, a chart and an empty sheet."""
    wb = openpyxl.Workbook()
    if epoch:
        wb.epoch = epoch
    ws = wb.active
    ws.title = "Data"
    ws.append([])
    ws.append([None, 2026, 12.5, 12.0, "2026", "1 017,4", True, False, "Rik text", -0.0])
    ws.append([None, dt.datetime(2027, 6, 1), dt.datetime(2027, 6, 1, 13, 30, 15, 123456), dt.date(2028, 1, 1),
               dt.time(12, 0), dt.datetime(1905, 2, 1), dt.timedelta(hours=30), dt.datetime(2099, 12, 31, 23, 59)])
    ws.append([None, "#DIV/0!", "#REF!", "#N/A", 1e20, 123456789012345678, "  med mellanslag ", "2027–2030",
               0.1 + 0.2, 10 ** 15, -5])
    ws.append([])
    ws.append([None, "efter en tom rad"])
    for column, (value, fmt) in enumerate([(1, "0.00"), (45000, "yyyy-mm-dd"), (45000.5, "d/m/yyyy h:mm"),
                                           (0.25, "h:mm"), (1.5, "[h]:mm"), (45000, "mmmm\\ yyyy"),
                                           (45000, '0" dagar"'), (45000, "[Red]0"), (20, "0%"),
                                           (45000, "[$-41D]d\\ mmmm\\ yyyy;@"), (1234.5, "# ##0,0")], start=3):
        cell = ws.cell(8, column, value)
        cell.number_format = fmt
    ws["A10"].font = openpyxl.styles.Font(bold=True)  # a styled empty cell
    ws.merge_cells("C12:E12")
    ws["C12"] = "sammanfogad"
    for title, state in (("Dold", "hidden"), ("Mycket dold", "veryHidden")):
        sheet = wb.create_sheet(title)
        sheet["A1"] = title
        sheet.sheet_state = state
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=4))
    wb.create_chartsheet("Diagram").add_chart(chart)
    wb.create_sheet("Tom")
    wb.create_sheet("Sist & <sist>")["C5"] = "x"
    wb.save(path)
    rewrite(path, cached_values)


def padded(rows) -> list[tuple]:
    """Rows of one width: openpyxl's rows end at each row's last cell, calamine's at the sheet's last column."""
    width = max((len(r) for r in rows), default=0)
    return [tuple(r) + (None,) * (width - len(r)) for r in rows]


def assert_reads_as_openpyxl(path: Path) -> None:
    reference = openpyxl.load_workbook(path, read_only=True, data_only=True)
    workbook = open_workbook(path)
    try:
        assert workbook.sheetnames == reference.sheetnames
        for title in workbook.sheetnames:
            ours, theirs = workbook[title], reference[title]
            assert (ours.title, ours.sheet_state) == (theirs.title, theirs.sheet_state)
            assert hasattr(ours, "iter_rows") == hasattr(theirs, "iter_rows"), title
            if not hasattr(theirs, "iter_rows"):
                continue
            theirs.reset_dimensions()
            got, expected = list(ours.iter_rows(values_only=True)), list(theirs.iter_rows(values_only=True))
            assert len(got) == len(expected), title
            width = max([len(r) for r in got + expected], default=0)
            got, expected = padded(got + [(None,) * width]), padded(expected + [(None,) * width])
            for number, (a, b) in enumerate(zip(got, expected), start=1):
                assert a == b, (title, number, a, b)
                assert [type(x) for x in a] == [type(x) for x in b], (title, number, a, b)
    finally:
        workbook.close()
        reference.close()


def calamine_only(monkeypatch) -> None:
    """Reading with openpyxl fails: what is read came from calamine."""
    def refuse(self):
        raise AssertionError("openpyxl läste arbetsboken")
    monkeypatch.setattr(Workbook, "_openpyxl_book", refuse)


def test_values_are_openpyxls_type_by_type(tmp_path, monkeypatch):
    path = tmp_path / "varden.xlsx"
    build(path)
    with monkeypatch.context() as m:
        calamine_only(m)
        assert_reads_as_openpyxl(path)
    workbook = open_workbook(path)
    try:
        rows = list(workbook["Data"].iter_rows(values_only=True))
        assert rows[0] == (None,) * len(rows[0]) and rows[1][:3] == (None, 2026, 12.5)
        assert type(rows[1][1]) is int and type(rows[1][3]) is int and rows[1][4] == "2026"
        assert rows[2][1] == dt.datetime(2027, 6, 1) and rows[3][1:4] == ("#DIV/0!", "#REF!", "#N/A")
        assert rows[3][11:19] == ("#DIV/0!", "abc", None, None, 7, None, "#N/A", 3)
        assert [ws.sheet_state for ws in map(workbook.__getitem__, workbook.sheetnames)] == \
            ["visible", "hidden", "veryHidden", "visible", "visible", "visible"]
        assert not hasattr(workbook["Diagram"], "iter_rows") and list(workbook["Tom"].iter_rows()) == []
    finally:
        workbook.close()


def test_shared_strings_and_the_1904_calendar(tmp_path, monkeypatch):
    path = tmp_path / "delade.xlsx"
    build(path)
    rewrite(path, shared_strings)
    mac = tmp_path / "mac.xlsx"
    build(mac, epoch=CALENDAR_MAC_1904)
    calamine_only(monkeypatch)
    assert_reads_as_openpyxl(path)
    assert_reads_as_openpyxl(mac)


def test_a_cell_with_two_cached_values_reads_the_first_as_openpyxl_did(tmp_path):
    """calamine would take the last; such a sheet is read with openpyxl."""
    path = tmp_path / "dubbla.xlsx"
    build(path)
    rewrite(path, lambda m: m.update({"xl/worksheets/sheet1.xml": m["xl/worksheets/sheet1.xml"].replace(
        b'<c r="S4" t="n"><v>3</v></c>', b'<c r="S4"><f>A1</f><v>3</v><v>4</v></c>')}))
    assert_reads_as_openpyxl(path)
    workbook = open_workbook(path)
    try:
        assert list(workbook["Data"].iter_rows(values_only=True))[3][18] == 3
    finally:
        workbook.close()


def test_the_scan_reads_the_sheets_xml_through_the_workbook(tmp_path):
    path = tmp_path / "varden.xlsx"
    build(path)
    workbook = open_workbook(path)
    try:
        with workbook["Data"].xml_source() as stream, zipfile.ZipFile(path) as z:
            assert stream.read() == z.read("xl/worksheets/sheet1.xml")
        scan = scan_sheet(workbook["Data"])
        assert [m.ref for m in scan.merged] == ["C12:E12"] and scan.formulas_without_value == {"O4"}
    finally:
        workbook.close()


def test_a_stray_cell_far_out_is_read_without_a_dense_grid(tmp_path):
    """A1 and XFD300000 would ask calamine for a grid of 4.9 billion cells; openpyxl reads that sheet, in bounded
    memory (a child process limited to 3 GiB of address space)."""
    path = tmp_path / "langt_ut.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "id"
    wb.active["XFD300000"] = 1
    wb.save(path)
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
            "from pathlib import Path; from invest.excel.workbook import Workbook, open_workbook; "
            "rows = list(open_workbook(Path(sys.argv[1]))['Sheet'].iter_rows(values_only=True)); "
            "print(len(rows), rows[0][0], rows[-1][-1], len(rows[-1]))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["300000", "id", "1", "16384"]
