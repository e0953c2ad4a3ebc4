"""Hostile and broken workbooks read in bounded time and memory, every failure of reading a located finding: a sheet
whose rows would be padded to column XFD, a part that unpacks to hundreds of MB, a sheet's XML cut in half or
naming cells that cannot be, two sheets with one name for invest, a password-protected workbook — each run in a
child process limited to 2 GiB and 60 s (tests/hostile.py), each with its place, exit code and message. Last, a
good workbook's parts mutated at random never give a traceback or an internal error."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.styles import Font

from hostile import assert_refused, run_bounded
from invest.cli import main
from invest.excel import archive, sheet_survey
from test_malformed import GOOD_ROWS, sheet, side

SHEET1, SHEET2 = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"
REGION = side("Region", ["ar", "totala_intakter"], [[2026, 1000], [2027, 1100]])
FAST, SMALL = 15, 600  # seconds and peak MB a refusal (or a bounded read) may take


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def write_members(path: Path, members: dict[str, bytes | None]) -> None:
    """A zip of the parts; a part whose content is None is written as a directory entry of that name."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            if data is None:
                z.writestr(name + "/", b"")
            else:
                z.writestr(name, data)


def good_with_region(path: Path) -> None:
    sheet(GOOD_ROWS, extra=REGION)(path)


def variant(path: Path, change) -> Path:
    """A good plan with a Region sheet whose parts `change` edits (a dict of part name -> bytes)."""
    good_with_region(path)
    members = members_of(path)
    change(members)
    write_members(path, members)
    return path


def bounded(path: Path, command: str = "berakna"):
    args = [command, str(path)] + (["--format", "csv"] if command == "berakna" else [])
    return run_bounded(args, name=f"{command} {path.name}")


def in_process(args):
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Internt fel" not in result.output, result.output
    return result


# --- 1. rows never padded to the sheet's width; a sheet with values far out on many rows refused ------------------

def styled_far_out(path: Path) -> None:
    """The tester's 105 KB file: one empty styled cell in column XFD on each of 20 000 rows."""
    def style(wb):
        font = Font(bold=True)
        for row in range(4, 20004):
            wb["Objekt"].cell(row=row, column=16384).font = font
    sheet(GOOD_ROWS, extra=style)(path)


def values_far_out(path: Path) -> None:
    """A value in column XFD on each of 20 000 rows: 327 million cells if every row reached XFD."""
    def fill(wb):
        for row in range(4, 20004):
            wb["Objekt"].cell(row=row, column=16384).value = 1
    sheet(GOOD_ROWS, extra=fill)(path)


def test_empty_styled_cells_far_out_are_no_width(tmp_path):
    """Before: every row padded to 16 384 values (2,6 GB; MemoryError under 2 GiB after 12 s). Now read as the
    plan it is, in a few seconds and little memory."""
    path = tmp_path / "stilad_xfd.xlsx"
    styled_far_out(path)
    assert path.stat().st_size < 200_000
    outcome = bounded(path)
    assert outcome.code == 0 and "Traceback" not in outcome.output, outcome.output[-2000:]
    assert outcome.seconds < FAST and outcome.peak_mb < SMALL, (outcome.seconds, outcome.peak_mb)


@pytest.mark.parametrize("command, code", [("berakna", 2), ("validera", 1)])
def test_values_far_out_on_many_rows_are_refused_at_their_place(tmp_path, command, code):
    path = tmp_path / "varden_xfd.xlsx"
    values_far_out(path)
    outcome = bounded(path, command)
    header_and_objects = 3 * len(GOOD_ROWS[0])  # rows 1–3 end at column I
    first_too_many = 4 + (sheet_survey.MAX_READ_CELLS - header_and_objects) // 16384
    line = assert_refused(outcome, f"{path.name}:Objekt!XFD{first_too_many}", code, ("högst", "celler"))
    assert outcome.seconds < FAST and outcome.peak_mb < SMALL, (outcome.seconds, outcome.peak_mb, line)


def test_more_cells_with_content_than_the_bound_are_refused_before_reading(tmp_path, monkeypatch):
    """Counted in the one pass over the XML, before calamine or openpyxl reads a value (here with the bound lowered
    to 20 cells: the sheet has 24)."""
    path = tmp_path / "manga_celler.xlsx"
    sheet(GOOD_ROWS)(path)
    monkeypatch.setattr(sheet_survey, "MAX_READ_CELLS", 20)
    result = in_process(["berakna", str(path)])
    errors = [line for line in result.stderr.splitlines() if ": fel: " in line]
    assert result.exit_code == 2 and errors[0].startswith(f"{path.name}:Objekt: fel: bladet har 24 celler"), errors
    monkeypatch.setattr(sheet_survey, "MAX_READ_CELLS", 24)
    assert in_process(["berakna", str(path)]).exit_code == 0


def test_read_cells_bound_is_named_and_the_dense_grid_within_it():
    assert sheet_survey.MAX_GRID_CELLS <= sheet_survey.MAX_READ_CELLS <= 10_000_000


# --- 2. a part that unpacks to hundreds of MB ----------------------------------------------------------------------

def large_sheet(path: Path) -> None:
    """A sheet part of 300 MB that packs about 15×: the whole file passes the old guard (under 1 GB, under 200×)."""
    good_with_region(path)
    members = members_of(path)
    head, tail = members[SHEET1].split(b"</sheetData>")
    block = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>%x</t></is></c></row>'
                     % (r, r, r * 7919 % 100003, r, r * 104729) for r in range(10, 20000))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in members.items():
            if name != SHEET1:
                z.writestr(name, data)
        with z.open(SHEET1, "w", force_zip64=True) as part:
            part.write(head)
            for _ in range(300 * 1024 * 1024 // len(block)):
                part.write(block)
            part.write(b"</sheetData>" + tail)


def packed_tight(path: Path) -> None:
    """A sheet part of 100 MB of empty rows (packing 1000×) beside 40 MB that does not pack: the file as a whole
    unpacks only 3,5×."""
    good_with_region(path)
    members = members_of(path)
    head, tail = members[SHEET1].split(b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            if name != SHEET1:
                z.writestr(name, data)
        z.writestr("xl/media/image1.png", os.urandom(40 * 1024 * 1024), zipfile.ZIP_STORED)
        with z.open(SHEET1, "w", force_zip64=True) as part:
            part.write(head)
            padding = b"<row/>" * (1 << 16)
            for _ in range(100 * 1024 * 1024 // len(padding)):
                part.write(padding)
            part.write(b"</sheetData>" + tail)


@pytest.mark.parametrize("build, texts", [(large_sheet, ("sheet1.xml", "största tillåtna")),
                                          (packed_tight, ("sheet1.xml", "zip-bomb"))], ids=["300-MB", "1000x"])
def test_a_part_that_unpacks_too_far_is_refused_naming_it(tmp_path, build, texts):
    path = tmp_path / "stor_del.xlsx"
    build(path)
    with zipfile.ZipFile(path) as z:
        total = sum(i.file_size for i in z.infolist())
    assert total < archive.MAX_UNCOMPRESSED_BYTES and total < archive.MAX_COMPRESSION_RATIO * path.stat().st_size
    for command in ("berakna", "validera"):
        outcome = bounded(path, command)
        assert_refused(outcome, str(path), 2, texts)
        assert outcome.seconds < FAST and outcome.peak_mb < SMALL, (outcome.seconds, outcome.peak_mb)


def test_part_limits_are_named_and_much_smaller_for_the_parts_held_whole():
    assert archive.MAX_SHEET_PART_BYTES <= 256 * archive.MB
    assert all(limit <= archive.MAX_SHEET_PART_BYTES // 2 for limit in archive.MAX_PART_BYTES.values())


# --- 3. every failure of reading located -------------------------------------------------------------------------

def cut(part: str):
    return lambda m: m.update({part: m[part][: len(m[part]) // 2]})


def replaced(part: str, old: bytes, new: bytes):
    def change(m):
        assert old in m[part], old
        m[part] = m[part].replace(old, new, 1)
    return change


def without(part: str):
    return lambda m: m.pop(part)


def directory(part: str):
    return lambda m: (m.pop(part), m.update({part: None}))


DEPA = b'<c r="B2" t="inlineStr"><is><t>Dep\xc3\xa5</t></is></c>'
AR = b'<c r="A1" t="inlineStr"><is><t>ar</t></is></c>'
# case -> (change, place after the file name (None: the plan reads), words of the message)
GARBAGE = {
    "region-avkapad": (cut(SHEET2), "Region", ("kan inte läsas",)),
    "objekt-avkapad": (cut(SHEET1), "Objekt", ("kan inte läsas",)),
    "delad-text-utanfor": (replaced(SHEET1, DEPA, b'<c r="B2" t="s"><v>99999</v></c>'), "Objekt!B2",
                           ("delad text nummer 99999",)),
    "region-delad-text-utanfor": (replaced(SHEET2, AR, b'<c r="A1" t="s"><v>99999</v></c>'), "Region!A1",
                                  ("delad text",)),
    "region-saknas": (without(SHEET2), "Region", ("sheet2.xml saknas",)),
    "region-ar-en-katalog": (directory(SHEET2), "Region", ("saknas",)),
    "ogiltig-utf8": (replaced(SHEET1, b"Dep\xc3\xa5", b"Dep\xff\xfe"), "Objekt", ("kan inte läsas",)),
    "region-ogiltig-utf8": (replaced(SHEET2, b"<t>ar</t>", b"<t>a\xff\xfer</t>"), "Region", ("kan inte läsas",)),
    "fel-typ-i-tal": (replaced(SHEET1, b"<v>100</v>", b"<v>hundra</v>"), "Objekt!G2", ('"hundra"', "sparad som ett tal")),
    "rad-noll": (replaced(SHEET1, b'r="G2"', b'r="G0"'), "Objekt", ('"G0"', "finns inte i Excel")),
    "negativ-rad": (replaced(SHEET1, b'r="G2"', b'r="G-5"'), "Objekt", ('"G-5"', "finns inte i Excel")),
    "kolumn-XFE": (replaced(SHEET1, b'r="G2"', b'r="XFE2"'), "Objekt", ('"XFE2"', "finns inte i Excel")),
    "jatterad-i-cell": (replaced(SHEET1, b'r="G2"', b'r="G99999999999"'), "Objekt", ("finns inte i Excel",)),
    "region-jatterad": (replaced(SHEET2, b'r="B2"', b'r="B99999999999"'), "Region", ("finns inte i Excel",)),
    "jatteradnummer": (replaced(SHEET1, b'<row r="3"', b'<row r="99999999999"'), "Objekt", ("radnumret",)),
    "stort-attribut": (replaced(SHEET1, b'<c r="A2"', b'<c x="' + os.urandom(3_000_000).hex().encode() + b'" r="A2"'),
                       "Objekt", ("tagg på mer än",)),
    "stort-attribut-efter-r": (replaced(SHEET1, b'<c r="A2"', b'<c r="A2" x="' + os.urandom(3_000_000).hex().encode()
                                        + b'"'), None, ()),
    "dimension-hela-bladet": (replaced(SHEET1, b'<dimension ref="A1:I3"', b'<dimension ref="A1:XFD1048576"'), None, ()),
    "sammanfogat-hela-bladet": (replaced(SHEET1, b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell '
                                         b'ref="J2:XFD1048576"/></mergeCells>'), None, ()),
    "sammanfogat-utanfor-excel": (replaced(SHEET1, b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell '
                                           b'ref="J2:ZZZ99999999"/></mergeCells>'), None, ()),
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
def test_garbage_in_a_part_is_a_located_finding(tmp_path, case):
    """`berakna` (bounded) exits 2 with the first error at its place — the sheet, or the cell when known — and
    `validera` exits 1 with the same line (the file opens); or, where the garbage hides nothing, the plan reads."""
    change, place, texts = GARBAGE[case]
    path = variant(tmp_path / f"{case}.xlsx", change)
    before = path.read_bytes()
    outcome = bounded(path)
    assert outcome.seconds < FAST and outcome.peak_mb < SMALL, (outcome.seconds, outcome.peak_mb)
    if place is None:
        assert outcome.code == 0 and "Traceback" not in outcome.output, outcome.output[-2000:]
        return
    line = assert_refused(outcome, f"{path.name}:{place}", 2, texts)
    checked = in_process(["validera", str(path)])
    assert checked.exit_code == 1 and line in checked.output, checked.output
    assert path.read_bytes() == before


def test_an_attribute_of_a_hundred_mb_is_refused_in_bounded_time(tmp_path):
    """Before: more than 60 s (openpyxl's parser is quadratic in one tag's length; the file passes the zip guard)."""
    path = tmp_path / "jatteattribut.xlsx"
    good_with_region(path)
    members = members_of(path)
    head, tail = members[SHEET1].split(b'<c r="A2"', 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, data in members.items():
            if name != SHEET1:
                z.writestr(name, data)
        with z.open(SHEET1, "w", force_zip64=True) as part:
            part.write(head + b'<c x="')
            for _ in range(50):
                part.write(os.urandom(1 << 20).hex().encode())
            part.write(b'" r="A2"' + tail)
    outcome = bounded(path)
    assert_refused(outcome, f"{path.name}:Objekt", 2, ("MB",))
    assert outcome.seconds < FAST and outcome.peak_mb < SMALL, (outcome.seconds, outcome.peak_mb)


def test_a_missing_part_for_the_sheet_list_is_the_files_error(tmp_path):
    """workbook.xml.rels pointing every sheet to parts that are not there: no sheet can be read."""
    path = variant(tmp_path / "inga_blad.xlsx", lambda m: (m.pop(SHEET1), m.pop(SHEET2)))
    outcome = bounded(path)
    assert_refused(outcome, f"{path.name}:Objekt", 2, ("sheet1.xml saknas",))


# --- 4. silent loss: two sheets with one name for invest; a password-protected workbook -----------------------------

def two_named(first: str, second: str, role: str):
    def build(path: Path):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Objekt" if role == "Region" else first
        for row in [["id", "namn", "tillgångsklass", "driftsättning", "2026", "2027"], ["A", "Depå", "it", "2027", 10, 20]]:
            ws.append(row)
        titles = (first, "Andra") if role == "Region" else ("Andra",)
        for title in titles:
            other = wb.create_sheet(title)
            for row in ([["ar", "totala_intakter"], [2026, 1000]] if role == "Region" else
                        [["id", "namn", "tillgångsklass", "driftsättning", "2026", "2027"], ["B", "Buss", "it", "2027", 5, 5]]):
                other.append(row)
        wb.save(path)
        # openpyxl (like Excel) renames a sheet whose name differs from another's only in case; other programs do not
        members = members_of(path)
        members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(b'name="Andra"', f'name="{second}"'.encode())
        write_members(path, members)
    return build


@pytest.mark.parametrize("first, second, role", [("Objekt", "OBJEKT", "Objekt"), ("Region", "region ", "Region")])
def test_two_sheets_with_one_name_for_invest_are_an_error_naming_both(tmp_path, first, second, role):
    path = tmp_path / "tva_namn.xlsx"
    two_named(first, second, role)(path)
    outcome = bounded(path)
    line = assert_refused(outcome, f"{path.name}:{second}", 2, (f'"{first}"', f'"{second}"', "samma namn"))
    checked = in_process(["validera", str(path)])
    assert checked.exit_code == 1 and line in checked.output, checked.output


def compound_file(streams: dict[str, bytes], directory_last: bool = True) -> bytes:
    """An OLE compound file (CFB version 3, 512-byte sectors) holding `streams`, each in whole sectors, the
    directory after them: what Excel writes for a workbook saved with a password to open (EncryptionInfo,
    EncryptedPackage)."""
    sector, free, end, fat_mark = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    names = list(streams)
    data_sectors = [-(-max(len(d), 4096) // sector) for d in streams.values()]
    n_data = sum(data_sectors)
    n_fat = 1
    while (n_fat + n_data + 1) > n_fat * 128:
        n_fat += 1
    fat = [fat_mark] * n_fat
    starts = []
    for count in data_sectors:
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [end]
    directory_sector = len(fat)
    fat.append(end)
    fat += [free] * (n_fat * 128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = free, right: int = free) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, free, right, child)
                + b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16 + struct.pack("<IQ", start, size))

    entries = [entry("Root Entry", 5, end, 0, child=1)]
    for i, (name, start) in enumerate(zip(names, starts), start=1):
        entries.append(entry(name, 2, start, len(streams[name]), right=i + 1 if i < len(names) else free))
    directory_bytes = b"".join(entries).ljust(sector, b"\0")
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, n_fat, directory_sector, 0, 4096, end, 0, end, 0)
              + b"".join(struct.pack("<I", i) for i in range(n_fat)) + b"\xff" * 4 * (109 - n_fat))
    body = b"".join(struct.pack("<I", x) for x in fat)
    for name, count in zip(names, data_sectors):
        body += streams[name].ljust(count * sector, b"\0")
    return header + body + directory_bytes


@pytest.mark.parametrize("package", [4096, 200_000], ids=["liten", "katalog-efter-64-kB"])
def test_a_password_protected_workbook_says_so(tmp_path, package):
    path = tmp_path / "losenord.xlsx"
    path.write_bytes(compound_file({"EncryptionInfo": os.urandom(1024), "EncryptedPackage": os.urandom(package)}))
    assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    for command in ("berakna", "validera"):
        outcome = bounded(path, command)
        assert_refused(outcome, str(path), 2, ("lösenordsskyddad", "utan lösenord"))


def test_an_old_xls_is_still_no_workbook_and_not_called_encrypted(tmp_path):
    path = tmp_path / "gammal.xlsx"
    path.write_bytes(compound_file({"Workbook": b"\x09\x08" + os.urandom(5000)}))
    result = in_process(["berakna", str(path)])
    assert result.exit_code == 2 and "är ingen Excel-arbetsbok" in result.output and "lösenord" not in result.output


# --- random damage to a good workbook's parts ----------------------------------------------------------------------

def _good_parts() -> dict[str, bytes]:
    folder = Path(os.environ.get("TMPDIR", "/tmp"))
    path = folder / f"invest_hostile_good_{os.getpid()}.xlsx"
    good_with_region(path)
    try:
        return members_of(path)
    finally:
        path.unlink()


GOOD_PARTS = _good_parts()
MUTATED = sorted(n for n in GOOD_PARTS if n.endswith((".xml", ".rels")))


@st.composite
def damage(draw):
    """A part of the good workbook and one of: cut at a place, bytes flipped, a number in a cell reference or a
    value replaced, or a stretch deleted."""
    name = draw(st.sampled_from(MUTATED + [SHEET1, SHEET2] * 3))  # the sheets most often
    data = bytearray(GOOD_PARTS[name])
    how = draw(st.sampled_from(["cut", "flip", "ref", "value", "delete"]))
    at = draw(st.integers(0, max(len(data) - 1, 0)))
    if how == "cut":
        data = data[:at]
    elif how == "flip":
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    elif how == "delete":
        del data[at:at + draw(st.integers(1, 200))]
    else:
        import re
        marks = [m.span(1) for m in re.finditer(rb' r="([^"]*)"' if how == "ref" else rb"<v>([^<]*)</v>", data)]
        if marks:
            start, stop = draw(st.sampled_from(marks))
            data[start:stop] = draw(st.sampled_from([b"0", b"-1", b"A0", b"XFE1", b"XFD1048577", b"99999999999999",
                                                     b"1e400", b"", b"ZZZZ9", b"A" + b"9" * 30, b"&#0;", b"1.5.5"]))
    return name, bytes(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(change=damage())
def test_damaged_parts_never_crash(tmp_path, change):
    """Any damage: the plan, or located errors (exit 2) — never a traceback or an internal error."""
    name, data = change
    path = tmp_path / "skadad.xlsx"
    write_members(path, {**GOOD_PARTS, name: data})
    result = in_process(["berakna", str(path), "--format", "csv"])
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if ": fel: " in line]
        assert errors and all(line.startswith((f"{path.name}:", f"{path}:")) for line in errors), result.stderr


# --- 9. the red team's second round: a panic in calamine, a member twice, a nested value, sheets of endless rows -------

def with_rows(path: Path, row_xml: bytes, first: int, count: int) -> Path:
    """A good plan whose Objekt sheet gets `count` more rows from row `first` (`row_xml` % (row, row[, row]))."""
    sheet(GOOD_ROWS)(path)
    members = members_of(path)
    holes = row_xml.count(b"%d")
    extra = b"".join(row_xml % ((i,) * holes) for i in range(first, first + count))
    members[SHEET1] = members[SHEET1].replace(b"</sheetData>", extra + b"</sheetData>")
    write_members(path, members)
    return path


def test_a_date_calamine_panics_on_is_refused_at_its_cell_without_the_panic(tmp_path, monkeypatch):
    """A driftsättning cell formatted as a date holding -1e20: calamine's Rust code panics (chrono), and the panic's
    message and backtrace went straight to stderr before a misleading "#VALUE!" finding."""
    path = tmp_path / "panik.xlsx"

    def date_far_out(wb):
        wb["Objekt"]["D2"] = 123456.789
        wb["Objekt"]["D2"].number_format = "yyyy-mm-dd"
    sheet(GOOD_ROWS, extra=date_far_out)(path)
    members = members_of(path)
    members[SHEET1] = members[SHEET1].replace(b"<v>123456.789</v>", b"<v>-1e20</v>")
    write_members(path, members)
    monkeypatch.setenv("RUST_BACKTRACE", "1")
    outcome = bounded(path, "validera")
    assert "panicked" not in outcome.output and "backtrace" not in outcome.output.lower(), outcome.output[:2000]
    line = assert_refused(outcome, f"{path.name}:Objekt!D2", 1, ("datum", "-1e+20"))
    assert "#VALUE!" not in line and outcome.seconds < FAST, (line, outcome.seconds)


def test_a_package_with_a_member_twice_is_refused_at_the_file(tmp_path):
    """Two members named xl/worksheets/sheet1.xml: the zip module silently read the last one."""
    path = tmp_path / "dubbel_del.xlsx"
    sheet(GOOD_ROWS)(path)
    members = members_of(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name"
            z.writestr(SHEET1, members[SHEET1].replace(b"<v>100</v>", b"<v>999999</v>", 1))
    for command in ("validera", "berakna"):
        assert_refused(bounded(path, command), str(path), 2, (SHEET1, "mer än en gång"))


def test_a_value_wrapped_in_elements_is_refused_at_its_cell(tmp_path):
    """`<v><x><x>100</x></x></v>`: the value was silently lost (2026 read as 0)."""
    path = tmp_path / "inbaddat_varde.xlsx"
    sheet(GOOD_ROWS)(path)
    members = members_of(path)
    members[SHEET1] = members[SHEET1].replace(b"<v>100</v>", b"<v>" + b"<x>" * 10 + b"100" + b"</x>" * 10 + b"</v>", 1)
    write_members(path, members)
    assert_refused(bounded(path, "validera"), f"{path.name}:Objekt!G2", 1, ("<v>",))
    assert_refused(bounded(path, "berakna"), f"{path.name}:Objekt!G2", 2, ("<v>",))


CONTENT_ROW = sheet_survey.MAX_CONTENT_ROWS + 1  # the first row past the bound (rows 1–3 hold the plan)


@pytest.mark.parametrize("row_xml, cell", [
    (b'<row r="%d"><c r="K%d"><v>1</v></c></row>', "K"),  # the tester's 1 000 000 rows in an unused column
    (b'<row r="%d"><c r="A%d"><v>1</v></c></row>', "A"),  # an id and nothing else
    (b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>Summa</t></is></c><c r="G%d"><v>1</v></c></row>', "A"),
], ids=["unused-column", "id-only", "summa"])
def test_a_sheet_with_far_more_rows_than_a_plan_is_refused_before_reading_them(tmp_path, row_xml, cell):
    """Each took more than 60 s (the rows' classification, a sum row's check, openpyxl's parser for a tall sheet)."""
    path = with_rows(tmp_path / "oandliga_rader.xlsx", row_xml, 4, 1_000_000 if cell == "K" else 200_000)
    outcome = bounded(path, "validera")
    assert_refused(outcome, f"{path.name}:Objekt!{cell}{CONTENT_ROW}", 1, ("rader med värden",))
    assert outcome.seconds < 20 and outcome.peak_mb < SMALL, (outcome.seconds, outcome.peak_mb)


def test_the_content_row_bound_leaves_room_for_a_large_plan():
    assert 100_000 <= sheet_survey.MAX_CONTENT_ROWS <= 1_000_000


def test_many_rows_of_text_are_classified_in_linear_time(tmp_path):
    """40 000 rows holding only an id: each text row looked ahead over all the rows after it (quadratic, ~30 s)."""
    path = with_rows(tmp_path / "textrader.xlsx", b'<row r="%d"><c r="A%d"><v>1</v></c></row>', 4, 40_000)
    outcome = bounded(path, "validera")
    assert outcome.code == 0 and "Traceback" not in outcome.output, outcome.output[-2000:]
    assert outcome.seconds < 20, outcome.seconds
