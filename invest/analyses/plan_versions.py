"""`invest jamfor`: why kapitalkostnader and the share changed between two versions of a plan, per year, split into
nine causes exactly and independently of order (docs/berakningsmodell.md §13).

Objects are matched by id. An object in both versions may change in four ways, each a cause: `belopp` (its spend
scaled, the profile over the years kept), `tidpunkt` (its profile over the years and its driftsättning, the total
kept), `nyttjandeperiod` (tillgångsklass and components) and `medfinansiering`. With spend a (in A) and b (in B):
belopp alone gives a · Σb/Σa, tidpunkt alone b · Σa/Σb, both give b. Objects only in B are `nya_objekt`, only in A
`borttagna_objekt`. The region's inputs change in three: `ranta` (opening debt and the average rate of existing
debt), `intakter` (övriga intäkter as each version's Region sheet gives them) and `befintliga` (existing assets
and the other region inputs).

The value of a set S of causes is the plan A with the changes of S applied. The split is the Shapley value over
the nine causes: every cause's average marginal effect over all orders, so the causes sum to B − A in every year
and no order is favoured. That takes the region of 2⁹ = 512 plans; they are cheap, because the objects' sums are
formed from one engine run: each changed object in its 16 variants (the four object causes on or off), the new
and removed objects once, the unchanged once — and each of the 512 plans is the region model (the debt path) on
the sum of its variants (engine/region_model.py `region_columns`).

Versions with different plan periods are compared over the years both cover: each is made a plan of those years
(in_period), the earlier one computed on from the later start with its own debt at that year's start; the Shapley
split is made between the two, and what carrying the earlier version on changes in it is added to `ranta`."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import polars as pl

from invest.base import swedish
from invest.base.findings import InputError, error
from invest.engine.calculation import Calculation, calculate, object_rate
from invest.engine.object_grid import compute_objects
from invest.engine.plan_arrays import plan_arrays
from invest.engine.plan_change import DELTA_FIELDS, region_deltas
from invest.engine.region_model import OBJECT_SUMS, region_columns
from invest.params.parameters import Models
from invest.plan.records import InvestmentObject, Plan, RegionInputs, RegionYear

CAUSES = ("nya_objekt", "borttagna_objekt", "belopp", "tidpunkt", "nyttjandeperiod", "medfinansiering", "ranta",
          "intakter", "befintliga")
OBJECT_CAUSES = ("belopp", "tidpunkt", "nyttjandeperiod", "medfinansiering")
REGION_CAUSES = ("ranta", "intakter", "befintliga")
INCOME_FIELDS = ("totala_intakter", "ovriga_intakter", "skatteintakter_och_statsbidrag")
EXISTING_FIELDS = ("befintliga_avskrivningar", "befintlig_intaktsford_medfinansiering", "resultat",
                   "ovriga_ej_likviditetspaverkande", "rantekostnader", "likvida_medel")
NAME_MATCH = 0.9  # difflib ratio of two names above which a removed and a new id are reported as one renamed object
BIT = {cause: 1 << k for k, cause in enumerate(CAUSES)}


def _profile(spend: tuple[tuple[int, float], ...], scale: float) -> tuple[tuple[int, float], ...]:
    return tuple((y, a * scale) for y, a in spend)


def _split(spend: tuple[tuple[int, float], ...], last: int | None) -> tuple[tuple, tuple, float]:
    """The spend up to `last` (the last year compared), after it, and the total up to it; all of it is "up to"
    without a `last`."""
    within = spend if last is None else tuple((y, a) for y, a in spend if y <= last)
    after = () if last is None else tuple((y, a) for y, a in spend if y > last)
    return within, after, sum(x for _, x in within)


def object_variant(a: InvestmentObject, b: InvestmentObject, causes: set[str],
                   last: int | None = None) -> InvestmentObject:
    """Version A of an object with the changes of `causes` (of OBJECT_CAUSES) taken from B. Belopp and tidpunkt split
    the spend up to the last year compared; spend after it (a later plan's new last year) moves the compared years
    only through the co-financing ratios, and is a change of belopp."""
    (within_a, after_a, total_a), (within_b, after_b, total_b) = _split(a.utgifter, last), _split(b.utgifter, last)
    amount, timing = "belopp" in causes, "tidpunkt" in causes
    if amount and timing:
        within = within_b
    elif not total_a or not total_b:  # no profile to keep: all of the spend's change is its amount
        within = within_b if amount else within_a
    elif amount:
        within = _profile(within_a, total_b / total_a)
    elif timing:
        within = _profile(within_b, total_a / total_b)
    else:
        within = within_a
    return replace(a, utgifter=within + (after_b if amount else after_a),
                   driftsattning=b.driftsattning if timing else a.driftsattning,
                   tillgangsklass=b.tillgangsklass if "nyttjandeperiod" in causes else a.tillgangsklass,
                   komponenter=b.komponenter if "nyttjandeperiod" in causes else a.komponenter,
                   medfinansiering=b.medfinansiering if "medfinansiering" in causes else a.medfinansiering)


def changed_causes(a: InvestmentObject, b: InvestmentObject, last: int | None = None) -> tuple[str, ...]:
    """The object causes in which the two versions differ (spend split at `last` as in object_variant)."""
    (within_a, after_a, total_a), (within_b, after_b, total_b) = _split(a.utgifter, last), _split(b.utgifter, last)
    share = lambda spend, total: tuple(sorted((y, x / total) for y, x in spend)) if total else ()  # noqa: E731
    out = []
    if not math.isclose(total_a, total_b, rel_tol=0, abs_tol=1e-9) or \
            (not total_a or not total_b) and sorted(within_a) != sorted(within_b) or \
            not _same(tuple(sorted(after_a)), tuple(sorted(after_b))):
        out.append("belopp")
    if a.driftsattning != b.driftsattning or (total_a and total_b and not _same(share(within_a, total_a),
                                                                                   share(within_b, total_b))):
        out.append("tidpunkt")
    if a.tillgangsklass != b.tillgangsklass or a.komponenter != b.komponenter:
        out.append("nyttjandeperiod")
    if a.medfinansiering != b.medfinansiering:
        out.append("medfinansiering")
    return tuple(out)


def _same(x: tuple, y: tuple) -> bool:
    return len(x) == len(y) and all(p == q and math.isclose(s, t, abs_tol=1e-12) for (p, s), (q, t) in zip(x, y))


def region_variant(a: RegionInputs, b: RegionInputs, causes: set[str], start: int) -> RegionInputs:
    """A's region inputs with those of `causes` (of REGION_CAUSES) taken from B. From `start` (the plan period's), a
    year one Region sheet lacks counts as a row that gives nothing (_blank); a year before it only extrapolates
    revenue (region_model.other_revenue), so those come whole from the version `intakter` comes from."""
    rows_a, rows_b = ({y.year: y for y in r.years if y.year >= start} for r in (a, b))
    years = [y for y in (b if "intakter" in causes else a).years if y.year < start]
    for year in sorted(rows_a.keys() | rows_b.keys()):
        ya, yb = (rows.get(year) or _blank(year, (rows_a | rows_b)[year]) for rows in (rows_a, rows_b))
        fields = {f: getattr(yb, f) for group, names in (("intakter", INCOME_FIELDS), ("befintliga", EXISTING_FIELDS))
                  if group in causes for f in names}
        years.append(replace(ya, **fields))
    rate = "ranta" in causes
    existing = "befintliga" in causes
    return replace(a, years=tuple(years),
                   ingaende_rantebarande_skuld=b.ingaende_rantebarande_skuld if rate else a.ingaende_rantebarande_skuld,
                   genomsnittsranta_befintlig_skuld=(b.genomsnittsranta_befintlig_skuld if rate
                                                     else a.genomsnittsranta_befintlig_skuld),
                   befintliga=b.befintliga if existing else a.befintliga,
                   befintliga_fran_ar=b.befintliga_fran_ar if existing else a.befintliga_fran_ar,
                   ingaende_materiella_anlaggningstillgangar=(b.ingaende_materiella_anlaggningstillgangar if existing
                                                              else a.ingaende_materiella_anlaggningstillgangar))


def _blank(year: int, like: RegionYear) -> RegionYear:
    """A Region row that gives nothing: computed as a year the sheet lacks (revenue extrapolated, no other posts)."""
    return replace(like, year=year, totala_intakter=None, ovriga_intakter=None, skatteintakter_och_statsbidrag=None,
                   befintliga_avskrivningar=None, befintlig_intaktsford_medfinansiering=0.0, resultat=0.0,
                   ovriga_ej_likviditetspaverkande=0.0, rantekostnader=None, likvida_medel=0.0)


@dataclass(frozen=True)
class ObjectChange:
    """One object's change for one cause, alone on plan A: Δ kapitalkostnader per region year."""

    id: str
    cause: str
    delta: np.ndarray

    @property
    def total(self) -> float:
        """Δ kapitalkostnader summed over the compared years."""
        return float(self.delta.sum())


@dataclass(frozen=True)
class Comparison:
    a: Calculation
    b: Calculation
    years: np.ndarray  # the plan years
    share_a: np.ndarray
    share_b: np.ndarray
    cost_a: np.ndarray
    cost_b: np.ndarray
    causes_cost: dict[str, np.ndarray]  # Shapley value per cause and plan year, mnkr of kapitalkostnader
    causes_share: dict[str, np.ndarray]  # the same for the share
    objects: list[ObjectChange]
    renamed: list[tuple[str, str, str]]  # (id in A, id in B, name)
    notes: tuple[str, ...] = ()  # how the comparison was made, where a reader needs to know (different periods)

    @property
    def calculation(self) -> Calculation:
        """The later version (what the outputs name as the plan computed)."""
        return self.b


def _common_period(a: Calculation, b: Calculation, models: Models) -> tuple[int, int]:
    """The plan years both versions cover (first, last); what keeps the two from being compared, named."""
    problems = []
    files = f"{a.plan.file}, {b.plan.file}"
    for calc in (a, b):
        if calc.plan.region is None:
            problems.append(error(calc.plan.file, "planen saknar bladet Region: jämförelsen av andelen kräver totala "
                                                  "intäkter per år i båda versionerna"))
    first = max(a.plan.plan_years[0], b.plan.plan_years[0])
    last = min(a.plan.plan_years[-1], b.plan.plan_years[-1])
    if first > last:
        problems.append(error(files, f"planperioderna ({_period(a)} och {_period(b)}) har inga gemensamma år"))
    if problems:
        raise InputError(problems)
    starts = (a.plan.plan_years[0], b.plan.plan_years[0])
    classes = {o.tillgangsklass for calc in (a, b) for o in calc.plan.objects if not o.komponenter}
    classes |= {e.tillgangsklass for calc in (a, b) for e in calc.plan.region.befintliga}
    differ = sorted(c for c in classes if models.asset_class_at(c, starts[0]) != models.asset_class_at(c, starts[1]))
    if a.conventions != b.conventions or differ:
        what = (f"tillgångsklass{'en' if len(differ) == 1 else 'erna'} {', '.join(differ)}" if differ
                else "konventionerna")
        problems.append(error(files, f"parametrarna ger {what} olika värden vid planperiodernas början ({starts[0]} "
                                     f"och {starts[1]}); jämför versionerna med parametrar som gäller båda åren"))
    if problems:
        raise InputError(problems)
    return first, last


def _period(calc: Calculation) -> str:
    return f"{calc.plan.plan_years[0]}–{calc.plan.plan_years[-1]}"


def in_period(plan: Plan, calc: Calculation, first: int, last: int) -> Plan:
    """The version as a plan of the years first…last of its period (calc is the version computed). A year after
    `last` is left out: nothing before it depends on it. From a later first year, the region opens with the debt the
    version's own model has at the end of the year before, at the average rate it paid on its debt that year (the
    difference this makes is in the cause `ranta`), and its existing assets stay dated at the version's own start;
    the objects keep every year of their spend (what lies before `first` was financed before it)."""
    region = plan.region
    years = tuple(y for y in plan.plan_years if first <= y <= last)
    kept = replace(region, years=tuple(y for y in region.years if y.year <= last))
    if first == plan.plan_years[0]:
        return replace(plan, plan_years=years, region=kept)
    table = calc.region.table
    before = table.filter(pl.col("ar") == first - 1).row(0, named=True)
    earlier = table.filter(pl.col("ar") == first - 2)
    opening = before["rantebarande_skuld"]
    average = ((earlier["rantebarande_skuld"][0] if earlier.height else region.ingaende_rantebarande_skuld)
               + opening) / 2
    rate = before["rantekostnader"] / average if average > 0 else region.genomsnittsranta_befintlig_skuld
    assets = before.get("materiella_anlaggningstillgangar")
    return replace(plan, plan_years=years, region=replace(
        kept, ingaende_rantebarande_skuld=opening, genomsnittsranta_befintlig_skuld=rate,
        ingaende_materiella_anlaggningstillgangar=assets,
        befintliga_fran_ar=region.befintliga_fran_ar or plan.plan_years[0]))


def _renamed(removed: list[InvestmentObject], new: list[InvestmentObject]) -> list[tuple[str, str, str]]:
    out = []
    for old in removed:
        for o in new:
            if difflib.SequenceMatcher(None, old.namn.casefold().strip(), o.namn.casefold().strip()).ratio() >= NAME_MATCH:
                out.append((old.id, o.id, o.namn))
    return out


def shapley(values: np.ndarray, k: int) -> np.ndarray:
    """Per player (rows) and year: Σ over coalitions S without the player of |S|!(k−|S|−1)!/k! · (v(S ∪ i) − v(S));
    `values` is indexed by the coalition's bit mask."""
    masks = np.arange(1 << k)
    size = np.array([bin(m).count("1") for m in masks])
    weight = np.array([math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) if s < k else 0.0
                       for s in size])
    out = np.empty((k,) + values.shape[1:])
    for i in range(k):
        without = masks[(masks & (1 << i)) == 0]
        out[i] = (weight[without][:, None] * (values[without | (1 << i)] - values[without])).sum(axis=0)
    return out


def compare(plan_a: Plan, plan_b: Plan, models: Models) -> Comparison:
    """The Shapley split of B − A (module docstring), both computed with `models`. The region inputs are taken as
    each plan's Region sheet gives them: where it gives totala intäkter, every mix of the two versions gets
    övriga intäkter = the total − its own intäktsförd medfinansiering, as a plan does (docs/berakningsmodell.md §5),
    so that co-financing that changes leaves a published total where it was."""
    own_a, own_b = calculate(plan_a, models), calculate(plan_b, models)  # only plan years are compared: no --till-ar
    first, last = _common_period(own_a, own_b, models)
    (plan_a, a), (plan_b, b) = (_framed(plan, own, first, last, models)
                                for plan, own in ((plan_a, own_a), (plan_b, own_b)))
    conv = a.conventions
    years = a.region.table["ar"].to_numpy()
    in_a, in_b = {o.id: o for o in a.plan.objects}, {o.id: o for o in b.plan.objects}
    removed = [o for o in a.plan.objects if o.id not in in_b]
    new = [o for o in b.plan.objects if o.id not in in_a]
    common = [(in_a[i], in_b[i]) for i in in_a if i in in_b]
    changed = [(x, y, changed_causes(x, y, last)) for x, y in common]
    same = [x for x, _, why in changed if not why]
    moving = [(x, y, why) for x, y, why in changed if why]

    # one engine run: groups 0–15 the changed objects' variants, 16 the unchanged, 17 the new, 18 the removed
    variants = 1 << len(OBJECT_CAUSES)
    objects, group = [], []
    for g in range(variants):  # bit k of g: OBJECT_CAUSES[k] taken from B
        chosen = {c for k, c in enumerate(OBJECT_CAUSES) if g >> k & 1}
        objects += [object_variant(x, y, chosen, last) for x, y, _ in moving]
        group += [g] * len(moving)
    for g, part in ((variants, same), (variants + 1, new), (variants + 2, removed)):
        objects += part
        group += [g] * len(part)
    rows = _row_sums(a, objects, years)
    sums = {name: np.zeros((variants + 3, len(years))) for name in rows}
    for name, per_row in rows.items():
        np.add.at(sums[name], np.array(group, dtype=np.int64), per_row)

    period = np.isin(years, a.plan.plan_years)
    n_masks = 1 << len(CAUSES)
    cost, share = np.empty((n_masks, period.sum())), np.empty((n_masks, period.sum()))
    regions = {}
    for mask in range(n_masks):
        on = {c for c in CAUSES if mask & BIT[c]}
        v = sum(flag << k for k, flag in enumerate(c in on for c in OBJECT_CAUSES))
        total = {name: sums[name][v] + sums[name][variants] + ("nya_objekt" in on) * sums[name][variants + 1]
                 + ("borttagna_objekt" not in on) * sums[name][variants + 2] for name in sums}
        key = tuple(c in on for c in REGION_CAUSES)
        if key not in regions:
            regions[key] = replace(plan_a, region=region_variant(plan_a.region, plan_b.region,
                                                                 {c for c in REGION_CAUSES if c in on}, first))
        table, _ = region_columns(regions[key], total, models, conv, years)
        cost[mask] = table["kapitalkostnader"][period]
        share[mask] = table["andel"][period]
    causes_cost = dict(zip(CAUSES, shapley(cost, len(CAUSES))))
    causes_share = dict(zip(CAUSES, shapley(share, len(CAUSES))))
    def in_both(calc: Calculation, column: str) -> np.ndarray:
        return calc.region.table.filter(pl.col("ar").is_between(first, last))[column].to_numpy()

    carried = {}
    for column, causes in (("kapitalkostnader", causes_cost), ("andel", causes_share)):
        # a version carried to a later start (in_period) differs from itself as computed by its debt's start only
        carried[column] = ((in_both(own_b, column) - in_both(b, column))
                           + (in_both(a, column) - in_both(own_a, column)))
        causes["ranta"] = causes["ranta"] + carried[column]
    return Comparison(own_a, own_b, years[period].astype(int), in_both(own_a, "andel"), in_both(own_b, "andel"),
                      in_both(own_a, "kapitalkostnader"), in_both(own_b, "kapitalkostnader"), causes_cost,
                      causes_share, _object_changes(a, rows, moving, len(same), new, removed, period),
                      _renamed(removed, new), _period_notes(own_a, own_b, first, last, carried["kapitalkostnader"]))


def _period_notes(a: Calculation, b: Calculation, first: int, last: int, carried: np.ndarray) -> tuple[str, ...]:
    """What a reader must know when the plan periods differ: the years compared and, from a later start, what
    carrying the earlier version on (in_period) added to the cause räntan och skulden, per year; and a compared
    year a Region sheet lacks."""
    lacking = []
    for calc in (a, b):
        given = {y.year for y in calc.plan.region.years}
        missing = [y for y in range(first, last + 1) if y not in given]
        if missing:
            lacking.append(f"Bladet Region i {Path(calc.plan.file).name} saknar {swedish.years(missing)}; "
                           "de åren räknas som när planen räknas ensam (intäkterna framskrivna, inga övriga poster), "
                           "och skillnaden mot den andra versionen hamnar i intäkterna och befintliga tillgångar.")
    if a.plan.plan_years == b.plan.plan_years:
        return tuple(lacking)
    text = (f"Planperioderna skiljer sig ({_period(a)} och {_period(b)}): jämförelsen gäller {first}–{last}, "
            "de år båda planerna har.")
    if a.plan.plan_years[0] != b.plan.plan_years[0]:
        earlier = a if a.plan.plan_years[0] < b.plan.plan_years[0] else b
        shown = [f"{swedish.signed(v, 0)} mnkr {y}" for y, v in zip(range(first, last + 1), carried)
                 if abs(v) >= 0.5]
        amounts = (", ".join(shown[:-1]) + " och " + shown[-1] if len(shown) > 1 else shown[0] if shown
                   else "mindre än 1 mnkr om året")
        text += (f" {Path(earlier.plan.file).name} börjar tidigare och räknas därför från {first} med den skuld och "
                 "den genomsnittsränta dess egen skuldmodell har vid årsskiftet före. Det står för "
                 f"{amounts} av förändringen och ingår i orsaken räntan och skulden.")
    return (text, *lacking)


def _framed(plan: Plan, own: Calculation, first: int, last: int, models: Models) -> tuple[Plan, Calculation]:
    """The version as a plan of the years both cover (in_period), and computed (its own calculation when that is
    the same plan)."""
    framed = in_period(plan, own, first, last)
    if framed.plan_years == plan.plan_years and framed.region == plan.region:
        return plan, own
    return framed, calculate(framed, models)


def _row_sums(a: Calculation, objects: list[InvestmentObject], years: np.ndarray) -> dict[str, np.ndarray]:
    """Each object's figures (OBJECT_SUMS) per region year, from one engine run."""
    if not objects:
        return {name: np.zeros((0, len(years))) for name, _ in OBJECT_SUMS}
    arrays = plan_arrays(replace(a.plan, objects=tuple(objects)), a.models)
    grid = compute_objects(arrays, a.conventions, object_rate(a.models), int(years[0]), int(years[-1]))
    cols = years - grid.years[0]
    return {name: getattr(grid, attr)[:, cols] for name, attr in OBJECT_SUMS}


def _object_changes(a: Calculation, rows: dict[str, np.ndarray], moving, same: int, new, removed,
                    period: np.ndarray) -> list[ObjectChange]:
    """Each changed object's change per cause alone on plan A, through A's debt model, from the rows of compare's
    engine run: the variant with only that cause minus version A (variant 0), the new objects, minus the removed."""
    m = len(moving)
    plus, minus, what = [], [], []
    for j, (x, _, why) in enumerate(moving):
        for cause in why:
            plus.append((1 << OBJECT_CAUSES.index(cause)) * m + j)
            minus.append(j)
            what.append((x.id, cause))
    first_new = (1 << len(OBJECT_CAUSES)) * m + same
    for k, o in enumerate(new):
        plus.append(first_new + k)
        minus.append(None)
        what.append((o.id, "nya_objekt"))
    for k, o in enumerate(removed):
        plus.append(None)
        minus.append(first_new + len(new) + k)
        what.append((o.id, "borttagna_objekt"))
    if not what:
        return []

    def picked(values: np.ndarray, chosen: list) -> np.ndarray:
        return np.array([values[r] if r is not None else np.zeros(values.shape[1]) for r in chosen])
    objects = {name: picked(rows[name], plus) - picked(rows[name], minus) for name in DELTA_FIELDS}
    cost = region_deltas(a, objects)["kapitalkostnader"]
    return [ObjectChange(oid, cause, cost[k][period]) for k, (oid, cause) in enumerate(what)]
