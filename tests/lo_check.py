"""Opens a report workbook in LibreOffice (headless) the way a controller would, and fails when LibreOffice cannot.

    python tests/lo_check.py REPORT.xlsx [--png DIR]

1. Renders the workbook to PDF (`soffice --headless --convert-to pdf`): fails when soffice fails, reports an
   error, or writes no PDF, and when a sheet is missing from the PDF (every page header names its sheet) — LibreOffice
   repairs a damaged sheet silently, so a sheet that did not survive is how a repair shows.
2. Recalculates every formula in LibreOffice: the workbook's cached values are removed, LibreOffice (with a profile
   of its own set to recalculate on load) computes them and saves an xlsx, and each formula's value is compared with
   the value the workbook had cached (`recalculated`).
With --png, the PDF's pages are also written as PNG (pdftoppm -r 50) for looking at.

The pytest side is tests/test_report_workbook.py (slow: LibreOffice takes a few seconds per conversion)."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.dom import minidom

# org.openoffice.Office.Calc/Formula/Load: 0 = always recalculate on load (the default asks or never recalculates)
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
TROUBLE = re.compile(r"error|repair|corrupt|could not be loaded|read-error|general input/output", re.IGNORECASE)
QUIET = re.compile(r"javaldx|java may not function", re.IGNORECASE)  # the container's missing Java, not the file


class LibreOfficeProblem(AssertionError):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile(directory: Path) -> Path:
    """A LibreOffice user profile of this check's own (no lock shared with a running LibreOffice)."""
    user = directory / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
    return directory


def convert(source: Path, fmt: str, outdir: Path, profile: Path | None = None) -> Path:
    """`soffice --headless --convert-to FMT`; the file written, or LibreOfficeProblem with what soffice said."""
    program = soffice()
    if program is None:
        raise LibreOfficeProblem("soffice saknas")
    outdir.mkdir(parents=True, exist_ok=True)
    if profile is None:
        with tempfile.TemporaryDirectory(prefix="lo-profil-") as own:
            return convert(source, fmt, outdir, _profile(Path(own)))
    done = subprocess.run([program, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
                           "--norestore", "--convert-to", fmt, "--outdir", str(outdir), str(source)],
                          capture_output=True, text=True, timeout=300)
    said = "\n".join(line for line in (done.stdout + "\n" + done.stderr).splitlines()
                     if line.strip() and not QUIET.search(line) and not line.startswith("convert "))
    target = outdir / f"{source.stem}.{fmt.split(':')[0]}"
    if done.returncode != 0 or TROUBLE.search(said) or not target.exists() or target.stat().st_size == 0:
        raise LibreOfficeProblem(f"LibreOffice kunde inte konvertera {source.name} till {fmt} "
                                 f"(slutkod {done.returncode}): {said or 'ingen fil skrevs'}")
    return target


def well_formed(xlsx: Path) -> list[str]:
    """The parts of the package that are not well-formed XML (what Excel would offer to repair)."""
    bad = []
    with zipfile.ZipFile(xlsx) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                try:
                    minidom.parseString(z.read(name))
                except Exception as e:  # noqa: BLE001 - any parse failure is the finding
                    bad.append(f"{name}: {e}")
    return bad


def sheet_names(xlsx: Path) -> list[str]:
    with zipfile.ZipFile(xlsx) as z:
        return re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode("utf-8"))


def render_pdf(xlsx: Path, outdir: Path, profile: Path | None = None) -> Path:
    """The workbook as PDF; LibreOfficeProblem when it is damaged, cannot be converted or loses a sheet."""
    bad = well_formed(xlsx)
    if bad:
        raise LibreOfficeProblem("trasig XML i arbetsboken: " + "; ".join(bad))
    pdf = convert(xlsx, "pdf", outdir, profile)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        missing = [name for name in sheet_names(xlsx) if name.replace("&amp;", "&") not in text]
        if missing:
            raise LibreOfficeProblem(f"bladen {missing} saknas i LibreOffices PDF (reparerade eller tomma)")
    return pdf


def _without_cached_values(xlsx: Path, target: Path) -> Path:
    """A copy whose formula cells carry no value: what LibreOffice shows afterwards, it computed."""
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                text = re.sub(r"(<c [^>]*?)( t=\"(?:str|b|e)\")?(>)(<f>[^<]*</f>)<v>[^<]*</v>", r"\1\3\4", text)
                data = text.encode("utf-8")
            dst.writestr(item, data)
    return target


def recalculated(xlsx: Path, outdir: Path, profile: Path | None = None) -> Path:
    """The workbook after LibreOffice computed every formula itself (saved as xlsx with LibreOffice's values)."""
    outdir.mkdir(parents=True, exist_ok=True)
    bare = _without_cached_values(xlsx, outdir / f"{xlsx.stem}_utan_varden.xlsx")
    return convert(bare, "xlsx", outdir / "omraknad", profile)


def compare(ours: Path, theirs: Path, tolerance: float = 1e-9) -> tuple[int, list[str]]:
    """Every formula cell of `ours`: its cached value against LibreOffice's; (cells compared, differences)."""
    import openpyxl

    formulas = openpyxl.load_workbook(ours)
    cached = openpyxl.load_workbook(ours, data_only=True)
    computed = openpyxl.load_workbook(theirs, data_only=True)
    compared, differences = 0, []
    for ws in formulas:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                compared += 1
                mine = cached[ws.title][cell.coordinate].value
                lo = computed[ws.title][cell.coordinate].value
                if isinstance(mine, (int, float)) and isinstance(lo, (int, float)):
                    ok = abs(mine - lo) <= tolerance * max(1.0, abs(mine))
                else:
                    ok = mine == lo
                if not ok:
                    differences.append(f"{ws.title}!{cell.coordinate} {cell.value}: vårt {mine!r}, LibreOffice {lo!r}")
    return compared, differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xlsx", type=Path)
    parser.add_argument("--png", type=Path, help="skriv PDF-sidorna som PNG i den här katalogen")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lo-check-") as tmp:
        work = Path(tmp)
        profile = _profile(work / "profil")
        try:
            pdf = render_pdf(args.xlsx, work / "pdf", profile)
            compared, differences = compare(args.xlsx, recalculated(args.xlsx, work / "xlsx", profile))
        except LibreOfficeProblem as problem:
            print(f"FEL: {problem}", file=sys.stderr)
            return 1
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which(
            "pdfinfo") else ""
        pages = re.search(r"Pages:\s+(\d+)", info)
        print(f"PDF: {pages.group(1) if pages else '?'} sidor")
        print(f"Formler omräknade i LibreOffice: {compared}, avvikelser: {len(differences)}")
        for line in differences[:20]:
            print("  " + line)
        if args.png:
            args.png.mkdir(parents=True, exist_ok=True)
            subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(args.png / args.xlsx.stem)], check=True)
            shutil.copy(pdf, args.png / pdf.name)
        return 1 if differences or not compared else 0


if __name__ == "__main__":
    sys.exit(main())
