"""Builds the two example versions of the default plan in data/jamforelse/, to try `invest jamfor` on (see
README.md here): investeringsplan_foregaende.xlsx, an invented earlier version with the same plan period, and
investeringsplan_nasta_ar.xlsx, the plan one year on (2027–2036). Rerunning gives the same workbooks.

    python data/jamforelse/bygg_exempel.py [-o KATALOG]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from invest.engine.calculation import calculate  # noqa: E402
from invest.engine.region_model import existing_runoff  # noqa: E402
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


def one_year_on(plan, models, extra_debt: float = 0.0):
    """The plan as next year's version, 2027–2036: every object's spend (and scheduled co-financing) up to 2026 is
    outturn t.o.m. 2026 (the plan's 2026 as it was planned), the Region sheet runs from 2026 with 2036 as 2035, the opening debt of 2027 is what
    the plan's own debt model has at the end of 2026 (+ `extra_debt`), at the average rate it charged in 2026, and
    each class of existing assets is a year older: its book value less its 2026 depreciation, a year less left."""
    calc = calculate(plan, models)
    table = calc.region.table
    debt = dict(zip(table["ar"].to_list(), table["rantebarande_skuld"].to_list()))
    interest = dict(zip(table["ar"].to_list(), table["rantekostnader"].to_list()))

    def outturn(o):
        before = sum(a for y, a in o.utgifter if y <= 2026)
        received = tuple(replace(c, year=2026) if c.year is not None and c.year < 2026 else c
                         for c in o.medfinansiering)  # co-financing received before 2026 is outturn too
        return replace(o, utgifter=tuple(([(2026, before)] if before else [])
                                         + [(y, a) for y, a in o.utgifter if y > 2026]), medfinansiering=received)
    last = next(y for y in plan.region.years if y.year == 2035)
    years = tuple(y for y in plan.region.years if y.year >= 2026) + (replace(last, year=2036),)
    rate = interest[2026] / ((plan.region.ingaende_rantebarande_skuld + debt[2026]) / 2)
    older = []
    for assets in plan.region.befintliga:
        used = existing_runoff(replace(plan.region, befintliga=(assets,)), models, calc.conventions,
                               np.array([2026]))[0]
        left = None if assets.aterstaende_nyttjandeperiod is None else assets.aterstaende_nyttjandeperiod - 1
        if assets.bokfort_varde - used > 0 and (left is None or left > 0):
            older.append(replace(assets, bokfort_varde=round(assets.bokfort_varde - used, 1),
                                 aterstaende_nyttjandeperiod=None if left is None else round(left, 2)))
    return replace(plan, plan_years=tuple(range(2027, 2037)), outturn_year=2026,
                   objects=tuple(outturn(o) for o in plan.objects), file="investeringsplan_nasta_ar.xlsx",
                   region=replace(plan.region, years=years, ingaende_rantebarande_skuld=debt[2026] + extra_debt,
                                  genomsnittsranta_befintlig_skuld=rate, befintliga=tuple(older)))


NEXT_YEAR_DEBT = 1500.0  # next year's opening debt over this plan's own projection (2026 cost more than planned)
NEXT_YEAR_LATER = "TB-ALV"  # opens a year later in next year's version, its spend a year later from 2027


def next_year_version(plan, models):
    """The example of next year's version: one_year_on with 1 500 mnkr more opening debt and TB-ALV a year later."""
    later = one_year_on(plan, models, NEXT_YEAR_DEBT)
    moved = []
    for o in later.objects:
        if o.id == NEXT_YEAR_LATER:
            o = replace(o, driftsattning=replace(o.driftsattning, year=o.driftsattning.year + 1),
                        utgifter=tuple((y + (y > 2026), a) for y, a in o.utgifter))
        moved.append(o)
    return replace(later, objects=tuple(moved))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", type=Path, default=HERE)
    args = parser.parse_args()
    models = Models.load()
    plan = read_plan(ROOT / "data" / "investeringsplan" / "investeringsplan.xlsx", models)
    for version in (earlier_version(plan), next_year_version(plan, models)):
        calculate(version, models)  # it computes
        target = args.o / version.file
        plan_to_workbook(version, target, tuple(models.asset_classes), models.areas(plan.plan_years[0]))
        print(f"Skrev {target} ({len(version.objects)} objekt, {version.plan_years[0]}–{version.plan_years[-1]}).")


if __name__ == "__main__":
    main()
