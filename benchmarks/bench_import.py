"""Benchmark of importing a large nämnd workbook: 20 000 object rows in layout 2 (title and unit rows, merged
group header, outturn, a 2031–2035 range column, a Totalt column, Swedish text numbers, a sum row).

Run: python benchmarks/bench_import.py [--rader 20000]
Each measurement runs in its own process so peak memory (max RSS) belongs to that way of reading alone:
  calamine  python-calamine, just reading the cells (the floor for invest's reading: invest reads with it)
  cells     invest.excel.workbook, just reading the cells: calamine with the values as openpyxl gave them
  readonly  openpyxl read-only mode, values only (what invest used before calamine), just reading the cells
  normal    openpyxl's straightforward mode (the whole workbook in memory), just reading the cells
  invest    the whole import: the cells (calamine, with the values as openpyxl gave them), the XML scan for merged
            cells and formulas, layout, rows, sums, defaults and validation (`read_plan`)
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NBSP = "\u00a0"


def build(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=False)
    ws = wb.active
    ws.title = "Objekt per nämnd"
    ws.append(["Investeringsobjekt 2026–2035"])
    ws.append(["Belopp i tkr"])
    ws.append([None, None, None, "Budget", "Plan", None, None, None, "Plan"])
    ws.merge_cells("E3:H3")
    ws.append(["Objekt-id", "Objekt", "Utfall t.o.m. 2025", "2026", "2027", "2028", "2029", "2030", "2031–2035",
               "Totalt 2026–2035", "Driftsättning", "Tillgångsklass"])
    classes = ["fastighet", "it", "medicinteknik", "kollektivtrafik"]
    totals = [0] * 7
    for i in range(rows):
        amounts = [(i * 37 + k * 101) % 5000 * 10 for k in range(7)]
        for k, a in enumerate(amounts):
            totals[k] += a
        shown = [f"{a // 1000}{NBSP}{a % 1000:03d}" if (i + k) % 3 == 0 and a >= 1000 else a for k, a in enumerate(amounts)]
        ws.append([f"O{i:05d}", f"Objekt {i}", *shown, sum(amounts[1:]), 2026 + i % 12, classes[i % 4]])
    ws.append(["Summa", None, *totals, sum(totals[1:])])
    wb.save(path)


def measure(mode: str, path: Path) -> None:
    start = time.perf_counter()
    if mode == "invest":
        from invest.params.parameters import Models
        from invest.excel.reader import read_plan

        plan = read_plan(path, Models.load(ROOT / "models"))
        detail = f"{len(plan.objects)} objekt, {len(plan.warnings)} varningar"
    elif mode == "calamine":
        import python_calamine

        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python(skip_empty_area=False)
        cells = sum(1 for row in rows for _ in row)
        detail = f"{cells} celler"
    elif mode == "cells":
        from invest.excel.workbook import open_workbook

        wb = open_workbook(path)
        cells = sum(1 for row in wb[wb.sheetnames[0]].iter_rows(values_only=True) for _ in row)
        detail = f"{cells} celler"
    else:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=mode == "readonly", data_only=True)
        cells = sum(1 for row in wb.active.iter_rows(values_only=True) for _ in row)
        detail = f"{cells} celler"
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{mode:9s} {seconds:7.2f} s  max RSS {rss:6.0f} MB  ({detail})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rader", type=int, default=20000)
    parser.add_argument("--mode", choices=["calamine", "cells", "readonly", "normal", "invest"])
    parser.add_argument("--fil", type=Path)
    args = parser.parse_args()
    if args.mode:
        measure(args.mode, args.fil)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stor_namnd.xlsx"
        t = time.perf_counter()
        build(path, args.rader)
        print(f"{args.rader} rader, {path.stat().st_size / 1e6:.1f} MB, byggd på {time.perf_counter() - t:.1f} s")
        base = subprocess.run([sys.executable, "-c", "import resource, openpyxl, polars, numpy; "
                               "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"],
                              capture_output=True, text=True, check=True)
        print(f"(en process som bara importerar openpyxl, polars och numpy: max RSS {float(base.stdout):.0f} MB)")
        for mode in ("calamine", "cells", "readonly", "normal", "invest"):
            for _ in range(2):  # the second run is the one reported; the first warms the file cache
                done = subprocess.run([sys.executable, __file__, "--mode", mode, "--fil", str(path)],
                                      capture_output=True, text=True, check=True)
            print(done.stdout, end="")


if __name__ == "__main__":
    main()
