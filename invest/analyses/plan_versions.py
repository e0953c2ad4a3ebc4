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
the sum of its variants (engine/region_model.py `region_columns`)."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, replace

import numpy as np

from invest.base.findings import InputError, error
from invest.engine.calculation import Calculation, calculate, object_rate
from invest.engine.object_grid import compute_objects
from invest.engine.plan_arrays import plan_arrays
from invest.engine.plan_change import DELTA_FIELDS, region_deltas
from invest.engine.region_model import OBJECT_SUMS, region_columns
from invest.params.parameters import Models
from invest.plan.records import InvestmentObject, Plan, RegionInputs

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


def object_variant(a: InvestmentObject, b: InvestmentObject, causes: set[str]) -> InvestmentObject:
    """Version A of an object with the changes of `causes` (of OBJECT_CAUSES) taken from version B."""
    total_a, total_b = a.total_spend, b.total_spend
    amount, timing = "belopp" in causes, "tidpunkt" in causes
    if amount and timing:
        spend = b.utgifter
    elif not total_a or not total_b:  # no profile to keep: all of the spend's change is its amount
        spend = b.utgifter if amount else a.utgifter
    elif amount:
        spend = _profile(a.utgifter, total_b / total_a)
    elif timing:
        spend = _profile(b.utgifter, total_a / total_b)
    else:
        spend = a.utgifter
    return replace(a, utgifter=spend, driftsattning=b.driftsattning if timing else a.driftsattning,
                   tillgangsklass=b.tillgangsklass if "nyttjandeperiod" in causes else a.tillgangsklass,
                   komponenter=b.komponenter if "nyttjandeperiod" in causes else a.komponenter,
                   medfinansiering=b.medfinansiering if "medfinansiering" in causes else a.medfinansiering)


def changed_causes(a: InvestmentObject, b: InvestmentObject) -> tuple[str, ...]:
    """The object causes in which the two versions differ."""
    share = lambda o: tuple(sorted((y, a / o.total_spend) for y, a in o.utgifter)) if o.total_spend else ()  # noqa: E731
    out = []
    if not math.isclose(a.total_spend, b.total_spend, rel_tol=0, abs_tol=1e-9) or \
            (not a.total_spend or not b.total_spend) and sorted(a.utgifter) != sorted(b.utgifter):
        out.append("belopp")
    if a.driftsattning != b.driftsattning or (a.total_spend and b.total_spend and not _same(share(a), share(b))):
        out.append("tidpunkt")
    if a.tillgangsklass != b.tillgangsklass or a.komponenter != b.komponenter:
        out.append("nyttjandeperiod")
    if a.medfinansiering != b.medfinansiering:
        out.append("medfinansiering")
    return tuple(out)


def _same(x: tuple, y: tuple) -> bool:
    return len(x) == len(y) and all(p == q and math.isclose(s, t, abs_tol=1e-12) for (p, s), (q, t) in zip(x, y))


def region_variant(a: RegionInputs, b: RegionInputs, causes: set[str]) -> RegionInputs:
    """A's region inputs with those of `causes` (of REGION_CAUSES) taken from B (the same years in both)."""
    years_b = {y.year: y for y in b.years}
    years = []
    for ya in a.years:
        yb = years_b[ya.year]
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
                   ingaende_materiella_anlaggningstillgangar=(b.ingaende_materiella_anlaggningstillgangar if existing
                                                              else a.ingaende_materiella_anlaggningstillgangar))


@dataclass(frozen=True)
class ObjectChange:
    """One object's change for one cause, alone on plan A: Δ kapitalkostnader per region year."""

    id: str
    cause: str
    delta: np.ndarray


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

    @property
    def calculation(self) -> Calculation:
        """The later version (what the outputs name as the plan computed)."""
        return self.b


def _check_versions(a: Calculation, b: Calculation) -> None:
    problems = []
    if a.plan.plan_years != b.plan.plan_years:
        problems.append(error(f"{a.plan.file}, {b.plan.file}",
                              f"planerna har olika planperioder ({a.plan.plan_years[0]}–{a.plan.plan_years[-1]} och "
                              f"{b.plan.plan_years[0]}–{b.plan.plan_years[-1]}); jämförelsen kräver samma år"))
    for calc in (a, b):
        if calc.plan.region is None:
            problems.append(error(calc.plan.file, "planen saknar bladet Region: jämförelsen av andelen kräver totala "
                                                  "intäkter per år i båda versionerna"))
    if not problems and [y.year for y in a.plan.region.years] != [y.year for y in b.plan.region.years]:
        problems.append(error(f"{a.plan.file}, {b.plan.file}", "bladen Region har inte samma år i de två planerna"))
    if not problems and len(a.region.table) != len(b.region.table):
        problems.append(error(f"{a.plan.file}, {b.plan.file}", "regiontabellerna har inte samma år"))
    if problems:
        raise InputError(problems)


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


def compare(plan_a: Plan, plan_b: Plan, models: Models, until_year: int | None = None) -> Comparison:
    """The Shapley split of B − A (module docstring), both computed with `models`. The region inputs are taken as
    each plan's Region sheet gives them: where it gives totala intäkter, every mix of the two versions gets
    övriga intäkter = the total − its own intäktsförd medfinansiering, as a plan does (docs/berakningsmodell.md §5),
    so that co-financing that changes leaves a published total where it was."""
    a, b = calculate(plan_a, models, until_year), calculate(plan_b, models, until_year)
    _check_versions(a, b)
    conv = a.conventions
    years = a.region.table["ar"].to_numpy()
    in_a, in_b = {o.id: o for o in a.plan.objects}, {o.id: o for o in b.plan.objects}
    removed = [o for o in a.plan.objects if o.id not in in_b]
    new = [o for o in b.plan.objects if o.id not in in_a]
    common = [(in_a[i], in_b[i]) for i in in_a if i in in_b]
    changed = [(x, y, changed_causes(x, y)) for x, y in common]
    same = [x for x, _, why in changed if not why]
    moving = [(x, y, why) for x, y, why in changed if why]

    # one engine run: groups 0–15 the changed objects' variants, 16 the unchanged, 17 the new, 18 the removed
    variants = 1 << len(OBJECT_CAUSES)
    objects, group = [], []
    for g in range(variants):  # bit k of g: OBJECT_CAUSES[k] taken from B
        chosen = {c for k, c in enumerate(OBJECT_CAUSES) if g >> k & 1}
        objects += [object_variant(x, y, chosen) for x, y, _ in moving]
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
                                                                 {c for c in REGION_CAUSES if c in on}))
        table, _ = region_columns(regions[key], total, models, conv, years)
        cost[mask] = table["kapitalkostnader"][period]
        share[mask] = table["andel"][period]
    causes_cost = dict(zip(CAUSES, shapley(cost, len(CAUSES))))
    causes_share = dict(zip(CAUSES, shapley(share, len(CAUSES))))
    pa, pb = a.plan_period(), b.plan_period()
    return Comparison(a, b, years[period].astype(int), pa["andel"].to_numpy(), pb["andel"].to_numpy(),
                      pa["kapitalkostnader"].to_numpy(), pb["kapitalkostnader"].to_numpy(), causes_cost, causes_share,
                      _object_changes(a, rows, moving, len(same), new, removed, period), _renamed(removed, new))


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
