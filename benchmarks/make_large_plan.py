"""A large valid plan for the scale benchmarks: the default plan (data/investeringsplan/investeringsplan.xlsx) with
its sheets as they are and, on its Objekt sheet, generated objects up to N in all (50 000 unless told), spread the
way a region's objects are: every organisation and verksamhetsområde of the default plan, amounts log-normal around
a few mnkr with a long tail, spending over one to six years before a driftsättning from 2026 to 2040 (some with a
month), a tenth of them löpande pots, some co-financed and a few depending on an earlier object.

Run: python benchmarks/make_large_plan.py [TARGET] [--objekt N]   (default TARGET build/stor_plan.xlsx)
The same N gives the same workbook (a fixed random seed)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import openpyxl

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PLAN = ROOT / "data" / "investeringsplan" / "investeringsplan.xlsx"
CATEGORIES = ("beslutad", "planerad", "pott")
TYPES = ("ny", "ersättning")
CLASSES = ("kollektivtrafik", "fastighet", "inventarier", "it", "medicinteknik", "fordon")


def make_large_plan(target: Path, n: int = 50_000, seed: int = 2026) -> Path:
    """Writes the plan to `target` and returns it."""
    wb = openpyxl.load_workbook(DEFAULT_PLAN)
    ws = wb["Objekt"]
    header = [c.value for c in ws[1]]
    existing = [list(r) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    col = {name: i for i, name in enumerate(header)}
    years = [h for h in header if isinstance(h, str) and h.isdigit()]
    first_year, last_year = int(years[0]), int(years[-1])
    units = sorted({(r[col["organisation"]], r[col["verksamhetsområde"]]) for r in existing})
    rng = np.random.default_rng(seed)
    count = max(0, n - len(existing))
    unit = rng.integers(0, len(units), count)
    amount = rng.lognormal(mean=1.0, sigma=1.2, size=count)  # mnkr in all: median 2,7, a long tail
    start = rng.integers(first_year, last_year + 6, count)  # driftsättning year, some after the plan
    span = rng.integers(1, 7, count)  # years of spending up to it
    month = rng.integers(0, 13, count)  # 0: the year only
    pot = rng.random(count) < 0.1
    cofinanced = rng.random(count) < 0.08
    depends = rng.random(count) < 0.02
    kind = rng.integers(0, len(TYPES), count)
    asset = rng.integers(0, len(CLASSES), count)
    category = rng.integers(0, 2, count)
    for i in range(count):
        org, area = units[unit[i]]
        oid = f"G{i + 1:05d}"
        row = [None] * len(header)
        row[col["id"]] = oid
        row[col["namn"]] = f"Objekt {i + 1} ({area.lower()})"
        row[col["organisation"]], row[col["verksamhetsområde"]] = org, area
        row[col["investeringstyp"]] = TYPES[kind[i]]
        row[col["skede"]] = "genomförande"
        row[col["tillgångsklass"]] = CLASSES[asset[i]]
        if pot[i]:
            row[col["kategori"]] = "pott"
            row[col["driftsättning"]] = "löpande"
            for y in years:
                row[col[y]] = round(float(amount[i]) / len(years), 4)
        else:
            row[col["kategori"]] = CATEGORIES[category[i]]
            year = int(start[i])
            row[col["driftsättning"]] = f"{year}-{month[i]:02d}" if month[i] else str(year)
            spend = [y for y in range(year - int(span[i]) + 1, year + 1) if first_year <= y <= last_year] or \
                [min(max(year, first_year), last_year)]
            for y in spend:
                row[col[str(y)]] = round(float(amount[i]) / len(spend), 4)
        if cofinanced[i]:
            row[col["medfinansiering"]] = round(float(amount[i]) * 0.3, 4)
        if depends[i] and i > 0:
            row[col["beroenden"]] = f"G{int(rng.integers(1, i + 1)):05d}"
        row[col["källa"]] = "antagande (benchmarks/make_large_plan.py)"
        ws.append(row)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path, default=ROOT / "build" / "stor_plan.xlsx")
    parser.add_argument("--objekt", type=int, default=50_000)
    args = parser.parse_args()
    print(make_large_plan(args.target, args.objekt))


if __name__ == "__main__":
    main()
