"""The output contract of `invest forsening`: one delay (tabell or json) and the ranking of one-year delays."""

from __future__ import annotations

import json

import polars as pl

from invest.engine.calculation import Calculation
from invest.analyses.delay import DelayResult
from invest.outputs.calculation_output import text_table
from invest.base import swedish

DELTA_COLUMNS = ("delta_investeringar", "delta_avskrivningar", "delta_rantekostnader", "delta_kapitalkostnader",
                 "delta_andel")


def _direction(years: int) -> str:
    return f"{years} år senare" if years >= 0 else f"{-years} år tidigare"


def delay_json(calc: Calculation, result: DelayResult) -> str:
    return json.dumps({
        "plan": calc.plan.file, "objekt": result.object_id, "ar_flyttat": result.years,
        "fran_ar": result.from_year, "index": result.index, "enhet": "mnkr", "ranta": calc.models.flat_rate,
        "flyttade": [{"id": m.id, "fran": m.fran, "till": m.till, "ar": m.years} for m in result.moves],
        "ar": result.table.select(["ar", *DELTA_COLUMNS, "andel_fore", "andel_efter"]).to_dicts(),
        "livslangd": whole_life_dict(result),
        "varningar": list(result.warnings),
    }, ensure_ascii=False, indent=2)


def whole_life_dict(result: DelayResult) -> dict:
    """The Δ over the moved assets' remaining life: `fran_ar`–`till_ar`, mnkr, nominal (not discounted)."""
    w = result.whole_life
    return {"fran_ar": w.fran_ar, "till_ar": w.till_ar, "delta_investeringar": w.delta_investeringar,
            "delta_avskrivningar": w.delta_avskrivningar, "delta_rantekostnader": w.delta_rantekostnader,
            "delta_kapitalkostnader": w.delta_kapitalkostnader,
            "delta_kapitalkostnader_planperioden": w.delta_kapitalkostnader_planperioden,
            "delta_kapitalkostnader_efter_planperioden": w.delta_kapitalkostnader_efter_planperioden}


def whole_life_lines(result: DelayResult) -> list[str]:
    w, n = result.whole_life, swedish.number
    lines = [f"Över de flyttade tillgångarnas återstående livslängd, {w.fran_ar}–{w.till_ar} "
             "(summor i löpande priser, inte nuvärden):",
             f"  Δ kapitalkostnader {n(w.delta_kapitalkostnader)} mnkr = Δ avskrivningar {n(w.delta_avskrivningar)} "
             f"+ Δ räntekostnader {n(w.delta_rantekostnader)} (Δ investeringar {n(w.delta_investeringar)})"
             + (";" if w.till_ar > w.plan_end else ".")]
    if w.till_ar > w.plan_end:
        lines.append(f"  därav {w.fran_ar}–{w.plan_end} {n(w.delta_kapitalkostnader_planperioden)} mnkr och "
                     f"{w.plan_end + 1}–{w.till_ar} {n(w.delta_kapitalkostnader_efter_planperioden)} mnkr.")
    return lines


def delay_table(calc: Calculation, result: DelayResult) -> str:
    names = {o.id: o.namn for o in calc.plan.objects}
    head = [f"Försening: {result.object_id} {_direction(result.years)} (utgifter från {result.from_year} flyttas, "
            f"kostnadsindex: {result.index})",
            f"Plan: {calc.plan.file}   Belopp i mnkr   Δ = efter flytten − planen", "", "Flyttade objekt:"]
    moved = text_table(["Id", "Namn", "Driftsättning före", "Driftsättning efter", "År"],
                       [[m.id, names[m.id], m.fran, m.till, f"{m.years:+d}"] for m in result.moves], left=4)
    rows = [[str(r["ar"]), *(swedish.number(r[c]) for c in DELTA_COLUMNS[:-1]), swedish.percent(r["andel_fore"]),
             swedish.percent(r["andel_efter"]),
             "–" if r["delta_andel"] is None else swedish.number(r["delta_andel"] * 100, 2)]
            for r in result.table.iter_rows(named=True)]
    years = text_table(["År", "Δ investeringar", "Δ avskrivningar", "Δ räntekostnader", "Δ kapitalkostnader",
                        "Andel före", "Andel efter", "Δ andel (pe)"], rows)
    period = result.table.filter(pl.col("ar").is_in(list(calc.plan.plan_years)))
    tail = [f"Δ kapitalkostnader {calc.plan.plan_years[0]}–{calc.plan.plan_years[-1]}: "
            f"{swedish.number(period['delta_kapitalkostnader'].sum())} mnkr."]
    if period["andel_fore"].null_count() < period.height:
        tail.append(f"Högsta andel i planperioden: {swedish.percent(period['andel_fore'].max())} före, "
                    f"{swedish.percent(period['andel_efter'].max())} efter.")
    if result.table["ar"].max() > calc.plan.plan_years[-1]:
        tail.append(f"Δ kapitalkostnader {result.table['ar'].min()}–{result.table['ar'].max()} (hela tabellen): "
                    f"{swedish.number(result.table['delta_kapitalkostnader'].sum())} mnkr.")
    tail += whole_life_lines(result)
    tail.append("Δ räntekostnader är vad regionens skuldmodell tar för den ändrade skulden "
                "(docs/berakningsmodell.md §8)." if calc.plan.region is not None else
                "Δ räntekostnader är internräntan på objektens ändrade bundna kapital (planen har inget Region-blad).")
    tail += [f"Varning: {w}" for w in result.warnings]
    return "\n".join(head + moved + [""] + years + [""] + tail) + "\n"


def ranking_json(calc: Calculation, ranking: pl.DataFrame, skipped: list[str], from_year: int, index: str) -> str:
    return json.dumps({"plan": calc.plan.file, "ar_flyttat": 1, "fran_ar": from_year, "index": index,
                       "enhet": "mnkr", "rangordning": ranking.to_dicts(), "ej_flyttbara": skipped},
                      ensure_ascii=False, indent=2)


def ranking_table(calc: Calculation, ranking: pl.DataFrame, skipped: list[str], from_year: int, index: str) -> str:
    first, last = calc.plan.plan_years[0], calc.plan.plan_years[-1]
    head = [f"Ett års försening per objekt (utgifter från {from_year}, kostnadsindex: {index}), störst effekt först",
            f"Plan: {calc.plan.file}   Belopp i mnkr", ""]
    rows = [[r["id"], r["namn"], r["flyttade"], swedish.percent(r["hogsta_andel_efter"]),
             "–" if r["delta_hogsta_andel"] is None else swedish.number(r["delta_hogsta_andel"] * 100, 2),
             swedish.number(r["delta_kapitalkostnader_planperioden"])]
            for r in ranking.iter_rows(named=True)]
    lines = text_table(["Id", "Namn", "Flyttade", "Högsta andel efter", "Δ högsta andel (pe)",
                        f"Δ kapitalkostnader {first}–{last}"], rows, left=3)
    peak = ranking["hogsta_andel_fore"].max() if ranking.height else None
    tail = [f"Högsta andel i planperioden utan försening: {swedish.percent(peak)}."] if peak is not None else []
    if skipped:
        tail.append(f"Kan inte flyttas från {from_year} (i bruk tidigare eller inga utgifter kvar): {', '.join(skipped)}.")
    return "\n".join(head + lines + [""] + tail) + "\n"
