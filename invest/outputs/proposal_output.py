"""What `invest kontroll` says: the assessment in sentences a planner can paste into a decision document, the
year table, each proposal alone, the admission order — as text (tabell) or json."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl

from invest.engine.calculation import Calculation
from invest.outputs.calculation_output import text_table
from invest.analyses.proposals import Admission, Proposal, Verdict
from invest.base import swedish

SOURCE = "models/riktlinjer/kapitalkostnadsandel.yaml"
METHOD_NOTE = ("Δ räntekostnader är internräntan på förslagets bundna kapital (docs/berakningsmodell.md §8), "
               "även de år planens räntekostnader är fastställda; intäktsförd medfinansiering ökar totala intäkter.")


def _years(years) -> str:
    years = list(years)
    return ", ".join(map(str, years[:-1])) + f" och {years[-1]}" if len(years) > 1 else "".join(map(str, years))


def rounded_down(k: float | None) -> float | None:
    """A scale factor to two decimals, rounded down so that the figure shown always fits (k · 100 first rounded
    to 9 decimals, so that 0,29 stored as 28,999999999999996/100 stays 0,29)."""
    return None if k is None else math.floor(round(k * 100, 9)) / 100


def factor(k: float) -> str:
    return swedish.number(rounded_down(k), 2)


def _times(k: float) -> str:
    return f"{factor(k)} gånger"


def headline(verdict: Verdict, shout: bool = False) -> str:
    """`Godkänt: alla år under riktvärdet.` or `Ej godkänt: över riktvärdet 2030 och 2031.` (capitals when shouting)."""
    word = "godkänt" if verdict.godkand else "ej godkänt"
    rest = ("alla år under riktvärdet" if verdict.godkand else
            f"över riktvärdet {_years(verdict.table.filter(~pl.col('klarar_med'))['ar'])}")
    return f"{word.upper() if shout else word.capitalize()}: {rest}."


def proposal_count(verdicts: list[Verdict]) -> int:
    """verdicts holds each proposal, then all together when there are several."""
    return len(verdicts) - 1 if len(verdicts) > 1 else 1


def _ids(ids: tuple[str, ...], shown: int = 8) -> str:
    return ", ".join(ids[:shown]) + (f" och {len(ids) - shown} till" if len(ids) > shown else "")


def _spend_span(p: Proposal) -> str:
    return f"{p.first_year}–{p.last_year}" if p.last_year > p.first_year else str(p.first_year)


def assessment(calc: Calculation, verdict: Verdict, several: int = 1) -> list[str]:
    """The verdict in whole sentences, figures rounded as in a budget document."""
    p, t = verdict.proposal, verdict.table
    first, last = int(t["ar"][0]), int(t["ar"][-1])
    limit = calc.conventions.riktvarde
    what = f"De {several} förslagen" if several > 1 else "Förslaget"
    medfin = f", varav medfinansiering {swedish.number(p.medfinansiering, 0)} mnkr" if p.medfinansiering else ""
    objects = f"{len(p.ids)} objekt ({_ids(p.ids)})" if len(p.ids) > 1 else f"objektet {p.ids[0]}"
    out = [f"{what} omfattar {objects} med utgifter på {swedish.number(p.investering, 0)} mnkr "
           f"{_spend_span(p)}{medfin}. Kapitalkostnaderna ökar med "
           f"{swedish.number(t['delta_kapitalkostnader'].sum(), 0)} mnkr under {first}–{last}, varav "
           f"{swedish.number(t['delta_kapitalkostnader'][-1], 0)} mnkr {last}."]
    peak_with, peak_without = t.sort("andel_med", descending=True).row(0, named=True), t.sort(
        "andel_utan", descending=True).row(0, named=True)
    out.append(f"Kapitalkostnadernas andel av totala intäkter blir som högst "
               f"{swedish.percent_beside(peak_with['andel_med'], limit)} ({peak_with['ar']}) mot "
               f"{swedish.percent_beside(peak_without['andel_utan'], limit)} ({peak_without['ar']}) utan "
               f"förslaget; genomsnittet för {first}–{last} blir {swedish.percent(verdict.average_with)} "
               f"({swedish.percent(t['andel_utan'].mean())} utan).")
    rule = f"Riktvärdet – kapitalkostnader under {swedish.percent(limit, 0)} av totala intäkter –"
    failing_alone = t.filter(~pl.col("klarar_utan"))["ar"].to_list()
    if verdict.godkand:
        tight = t.sort("marginal_med").row(0, named=True)
        out.append(f"{rule} klaras alla år {first}–{last} med förslaget. Minsta marginal är "
                   f"{swedish.number(tight['marginal_med'], 0)} mnkr ({tight['ar']}).")
    else:
        failing = t.filter(~pl.col("klarar_med"))["ar"].to_list()
        sentence = f"{rule} klaras inte {_years(failing)} med förslaget."
        if failing_alone:
            alone = t.filter(~pl.col("klarar_utan"))
            worse = (alone["andel_med"] - alone["andel_utan"]).max()
            sentence += f" Utan förslaget överskrids riktvärdet redan {_years(failing_alone)}"
            sentence += (f"; förslaget höjer andelen de åren med upp till {swedish.points(worse)}" if worse > 0
                         else "; förslaget höjer inte andelen de åren")
            sentence += (f" och lägger till {_years(verdict.new_breaches)}." if verdict.new_breaches
                         else " men lägger inte till något nytt år över riktvärdet.")
        out.append(sentence)
    out.append(_scale_sentence(verdict, bool(failing_alone)))
    out.append(_start_sentence(verdict, bool(failing_alone)))
    debt = t.sort("skuldandel_med", descending=True, nulls_last=True).row(0, named=True)
    if debt["skuldandel_med"] is not None:
        over = t.filter(pl.col("skuldandel_med") >= calc.conventions.gransvarde)["ar"].to_list()
        out.append(f"Räntebärande skulder blir som högst {swedish.percent(debt['skuldandel_med'], 1)} av totala intäkter "
                   f"({debt['ar']}), " + (f"över gränsvärdet {swedish.percent(calc.conventions.gransvarde, 0)} "
                                          f"{_years(over)}." if over else
                                          f"under gränsvärdet {swedish.percent(calc.conventions.gransvarde, 0)}."))
    return out


def _scale_sentence(v: Verdict, plan_fails: bool) -> str:
    k = v.max_scale
    if k is None:
        return "Förslaget höjer inte andelen något år; dess storlek begränsas inte av riktvärdet."
    if k <= 0:
        text = ("Ingen storlek av förslaget ryms: planen överskrider riktvärdet redan utan förslaget ett år då "
                f"förslaget höjer andelen (största skalfaktor {swedish.number(k, 2)}).")
    elif plan_fails:
        text = (f"De år förslaget höjer andelen ryms det upp till {_times(k)} sin storlek, men planen överskrider "
                "riktvärdet andra år oavsett förslaget.")
    elif k >= 1:
        text = f"Förslaget ryms upp till {_times(k)} sin storlek ({swedish.number(k * v.proposal.investering, 0)} mnkr)."
    else:
        text = (f"Förslaget ryms bara upp till {_times(k)} sin storlek "
                f"({swedish.number(k * v.proposal.investering, 0)} mnkr).")
    if plan_fails and v.max_scale_no_new is not None:
        text += (f" Utan att något nytt år hamnar över riktvärdet ryms det upp till {_times(v.max_scale_no_new)} "
                 f"sin storlek ({swedish.number(v.max_scale_no_new * v.proposal.investering, 0)} mnkr).")
    return text


def _start_sentence(v: Verdict, plan_fails: bool) -> str:
    proposed = f"föreslagen start {v.proposal.first_year}"
    if not v.starts_tried:
        return f"Förslagets beroenden tillåter ingen start inom planperioden ({proposed})."
    span = f"{v.starts_tried[0]}–{v.starts_tried[-1]}"
    if v.earliest_start is not None:
        text = (f"Tidigaste startår då förslaget i oförändrad storlek ryms alla år: {v.earliest_start} "
                f"({proposed}; prövat {span}).")
    else:
        text = f"Inget startår {span} gör att förslaget ryms alla år i oförändrad storlek ({proposed})."
    if plan_fails:
        text += (f" Utan nya år över riktvärdet kan det starta tidigast {v.earliest_start_no_new}."
                 if v.earliest_start_no_new is not None else " Det ger nya år över riktvärdet vilket startår det än får.")
    return text


def admission_lines(admission: Admission, plan_fails: bool, limit: float) -> list[str]:
    kept = f"åren {_years(admission.years_considered)}" if plan_fails else "alla år"
    lines = [f"Antagningsordning som håller {kept} under riktvärdet (störst kapitalkostnad per utnyttjat utrymme först):"]
    if not admission.admitted:
        lines.append("  inget förslag ryms")
    for n, (p, used) in enumerate(admission.admitted, start=1):
        lines.append(f"  {n}. {p.name} – tar {swedish.percent(used, 0)} av det trängsta årets återstående marginal")
    for out in admission.left_out:
        lines.append(f"  Ryms inte: {out.proposal.name} – {out.year} skulle andelen bli "
                     f"{swedish.percent_beside(out.share, limit)}" + (" med de redan antagna" if admission.admitted else "")
                     + (f"; största skalfaktor {factor(out.max_scale)}" if out.max_scale > 0 else ""))
    return lines


def _year_rows(verdict: Verdict) -> list[dict]:
    keys = ("ar", "andel_utan", "andel_med", "delta_kapitalkostnader", "marginal_med", "marginal_utan",
            "delta_avskrivningar", "delta_rantekostnader", "delta_totala_intakter", "klarar_utan", "klarar_med",
            "skuldandel_utan", "skuldandel_med")
    return verdict.table.select(keys).to_dicts()


def _verdict_json(v: Verdict) -> dict:
    t = v.table
    return {
        "objekt": list(v.proposal.ids), "godkand": v.godkand, "investering": v.proposal.investering,
        "medfinansiering": v.proposal.medfinansiering, "foreslagen_start": v.proposal.first_year,
        "ar": _year_rows(v), "forsta_overskridande_ar": v.first_breach, "nya_overskridanden": list(v.new_breaches),
        "genomsnittlig_andel_utan": t["andel_utan"].mean(), "genomsnittlig_andel_med": v.average_with,
        "max_skalfaktor": v.max_scale, "max_skalfaktor_utan_nya_overskridanden": v.max_scale_no_new,
        "tidigaste_startar": v.earliest_start, "tidigaste_startar_utan_nya_overskridanden": v.earliest_start_no_new,
        "provade_startar": list(v.starts_tried),
    }


def check_json(calc: Calculation, verdicts: list[Verdict], admission: Admission, files: list[Path],
               warnings, written: list[Path]) -> str:
    whole = verdicts[-1]
    several = proposal_count(verdicts)
    payload = {
        "plan": calc.plan.file, "forslag_filer": [str(f) for f in files],
        "godkand": whole.godkand, "riktvarde": calc.conventions.riktvarde, "metod": calc.conventions.riktvardesmetod,
        "gransvarde_skuld": calc.conventions.gransvarde, "enhet": "mnkr", "ranta": calc.models.flat_rate,
        **_verdict_json(whole),
        "forslag": [_verdict_json(v) for v in (verdicts[:-1] if len(verdicts) > 1 else verdicts)],
        "antagning": {
            "ordning": [{"objekt": list(p.ids), "andel_av_marginal": used} for p, used in admission.admitted],
            "ryms_inte": [{"objekt": list(o.proposal.ids), "ar": o.year, "andel_med": o.share,
                           "max_skalfaktor": o.max_scale} for o in admission.left_out],
            "ar_som_halls": list(admission.years_considered)},
        "bedomning": assessment(calc, whole, several),
        "varningar": [f.as_dict() for f in warnings], "filer": [str(p) for p in written],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


def year_table(verdict: Verdict, limit: float) -> list[list[str]]:
    return [[str(r["ar"]), swedish.percent_beside(r["andel_utan"], limit), swedish.percent_beside(r["andel_med"], limit),
             swedish.number(r["delta_kapitalkostnader"]), swedish.number(r["marginal_utan"]),
             swedish.number(r["marginal_med"]), "ja" if r["klarar_med"] else "NEJ",
             swedish.percent(r["skuldandel_med"], 1)] for r in verdict.table.iter_rows(named=True)]


YEAR_HEADERS = ["År", "Andel utan", "Andel med", "Δ kapitalkostnader", "Marginal utan", "Marginal med",
                "Under riktvärdet", "Skuld/intäkter med"]
PROPOSAL_HEADERS = ["Förslag", "Utgifter", "Δ kapitalkostnader", "Högsta andel med", "Under riktvärdet",
                    "Nya år över", "Max skalfaktor", "Utan nya år över", "Tidigaste start", "Utan nya år över"]


def proposal_columns(plan_fails: bool) -> list[int]:
    """The columns of PROPOSAL_HEADERS to show: those "without new years over" only when the plan fails alone."""
    return [i for i in range(len(PROPOSAL_HEADERS)) if plan_fails or i not in (7, 9)]


def proposal_values(verdicts: list[Verdict], names: list[str] | None = None) -> list[list]:
    """One row per verdict under PROPOSAL_HEADERS, unformatted (None = no year / unbounded; scale factors
    rounded down to two decimals)."""
    return [[name or v.proposal.name, v.proposal.investering, v.table["delta_kapitalkostnader"].sum(),
             v.table["andel_med"].max(), "ja" if v.godkand else "NEJ",
             _years(v.new_breaches) if v.new_breaches else "inga", rounded_down(v.max_scale),
             rounded_down(v.max_scale_no_new),
             v.earliest_start, v.earliest_start_no_new]
            for v, name in zip(verdicts, names or [None] * len(verdicts))]


def proposal_rows(verdicts: list[Verdict], names: list[str] | None = None) -> list[list[str]]:
    """proposal_values as text."""
    def year(y):
        return "–" if y is None else str(y)

    def scale(k):
        return "obegränsad" if k is None else f"ingen ({factor(k)})" if k <= 0 else factor(k)
    return [[name, swedish.number(spend), swedish.number(cost), swedish.percent(peak), ok, new, scale(k), scale(k_new),
             year(start), year(start_new)]
            for name, spend, cost, peak, ok, new, k, k_new, start, start_new in proposal_values(verdicts, names)]


def proposal_sets(verdicts: list[Verdict]) -> tuple[list[Verdict], list[str | None]]:
    """Each proposal, then all together labelled "Samtliga"."""
    return verdicts, [None] * (len(verdicts) - 1) + ["Samtliga"]


def check_table(calc: Calculation, verdicts: list[Verdict], admission: Admission, files: list[Path],
                warnings, written: list[Path]) -> str:
    whole = verdicts[-1]
    several = proposal_count(verdicts)
    c = calc.conventions
    lines = [f"Kontroll mot riktvärdet: {', '.join(str(f) for f in files)}",
             f"Plan: {calc.plan.file}   Riktvärde: under {swedish.percent(c.riktvarde, 0)} av totala intäkter "
             f"(metod {c.riktvardesmetod}, {SOURCE})   Belopp i mnkr", "",
             headline(whole, shout=True), ""]
    lines += assessment(calc, whole, several) + [""]
    lines += text_table(YEAR_HEADERS, year_table(whole, c.riktvarde)) + [""]
    if several > 1:
        plan_fails = not whole.table["klarar_utan"].all()
        lines += ["Förslagen var för sig och tillsammans:"]
        shown = proposal_columns(plan_fails)
        lines += text_table([PROPOSAL_HEADERS[i] for i in shown],
                            [[r[i] for i in shown] for r in proposal_rows(*proposal_sets(verdicts))], left=1) + [""]
        lines += admission_lines(admission, plan_fails, c.riktvarde) + [""]
    lines += [METHOD_NOTE]
    lines += [f"Varning: {f.location}: {f.message}" for f in warnings]
    if written:
        lines += ["", "Skrivet:"] + [f"  {p}" for p in written]
    return "\n".join(lines) + "\n"
