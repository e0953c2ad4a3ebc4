"""Builds data/jamforelse/investeringsplan_foregaende.xlsx: an invented earlier version of the default plan, to try
`invest jamfor` on (see README.md here). Rerunning gives the same workbook.

    python data/jamforelse/bygg_exempel.py [-o FIL]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from invest.engine.calculation import calculate  # noqa: E402
from invest.excel.reader import read_plan  # noqa: E402
from invest.excel.template import plan_to_workbook  # noqa: E402
from invest.params.parameters import Models  # noqa: E402

HERE = Path(__file__).resolve().parent
NEW_IN_2026 = ("SPV-SYD", "T36-ASN-NY")  # not yet in the earlier version
DELAYED = "TB-ARE"  # opened a year earlier in the earlier version (the same spend)
DEARER = "TB-ALV"  # 10 % cheaper in the earlier version
RATE_BEFORE = 0.0420  # the average rate of existing debt in the earlier version (2026: 4,49 %)


def earlier_version(plan):
    by_id = {o.id: o for o in plan.objects}
    objects = [o for o in plan.objects if o.id not in NEW_IN_2026]
    late = by_id[DELAYED]
    earlier = replace(late, driftsattning=replace(late.driftsattning, year=late.driftsattning.year - 1))
    cheaper = replace(by_id[DEARER], utgifter=tuple((y, a * 0.9) for y, a in by_id[DEARER].utgifter))
    dropped = replace(by_id["T23-RS-ERS"], id="T23-RS-ARKIV", namn="Regionarkiv, nybyggnad (utgick 2026)",
                      utgifter=((2026, 120.0), (2027, 180.0)), driftsattning=replace(
                          by_id["T23-RS-ERS"].driftsattning, year=2027, month=10, lopande=False, lag=0),
                      tillgangsklass="fastighet", komponenter=None, medfinansiering=(), beroenden=())
    objects = [earlier if o.id == DELAYED else cheaper if o.id == DEARER else o for o in objects] + [dropped]
    region = replace(plan.region, genomsnittsranta_befintlig_skuld=RATE_BEFORE)
    return replace(plan, objects=tuple(objects), region=region, file="investeringsplan_foregaende.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", type=Path, default=HERE / "investeringsplan_foregaende.xlsx")
    args = parser.parse_args()
    models = Models.load()
    plan = read_plan(ROOT / "data" / "investeringsplan" / "investeringsplan.xlsx", models)
    before = earlier_version(plan)
    calculate(before, models)  # it computes
    plan_to_workbook(before, args.o, tuple(models.asset_classes), models.areas(plan.plan_years[0]))
    print(f"Skrev {args.o} ({len(before.objects)} objekt).")


if __name__ == "__main__":
    main()
