"""What `invest kontroll` says in sentences a planner can paste into a decision document: the outcome and why, the
largest scale factor, the earliest start, the admission order, and the words and rounding every output shares."""

from __future__ import annotations

import math

import polars as pl

from invest.analyses.proposals import (EJ_GODKANT, GODKANT, GODKANT_UTAN_FORSAMRING, NEW_BREACH, RAISED, Admission,
                                      Proposal, Verdict)
from invest.base import swedish
from invest.engine.calculation import Calculation

SOURCE = "models/riktlinjer/kapitalkostnadsandel.yaml"
METHOD_NOTE = ("Δ räntekostnader är vad regionens skuldmodell tar för förslagets Δ lånebehov (nya lån till "
               "marknadsränta + marginal, docs/berakningsmodell.md §8); intäktsförd medfinansiering ökar totala "
               "intäkter.")


def years_text(years) -> str:
    years = list(years)
    return ", ".join(map(str, years[:-1])) + f" och {years[-1]}" if len(years) > 1 else "".join(map(str, years))


OUTCOME = {GODKANT: "godkänt", GODKANT_UTAN_FORSAMRING: "godkänt utan försämring", EJ_GODKANT: "ej godkänt"}
WORSENING = {NEW_BREACH: "nytt år över", RAISED: "höjer andelen"}
RULE = ("Godkänt utan försämring kräver, när planen redan överskrider riktvärdet, att förslaget inte lägger till "
        "något år över riktvärdet och inte höjer andelen något år då planen redan överskrider det.")


def rounded_down(k: float | None) -> float | None:
    """A scale factor to two decimals, rounded down so that the figure shown always fits (k · 100 first rounded
    to 9 decimals, so that 0,29 stored as 28,999999999999996/100 stays 0,29). The one rounding of a scale factor
    in the text, the tables and the xlsx (json gives it exact); an amount beside it is this factor × the
    proposal's spend."""
    return None if k is None else math.floor(round(k * 100, 9)) / 100


def factor(k: float) -> str:
    return swedish.number(rounded_down(k), 2)


def _times(k: float, spend: float | None = None) -> str:
    amount = "" if spend is None else f" ({swedish.number(rounded_down(k) * spend, 0)} mnkr)"
    return f"{factor(k)} gånger sin storlek{amount}"


def outcome_word(verdict: Verdict, shout: bool = False) -> str:
    word = OUTCOME[verdict.bedomning]
    return word.upper() if shout and verdict.bedomning == EJ_GODKANT else word


def _why_not(v: Verdict, subject: str) -> str:
    """Why a proposal is ej godkänt when the plan already breaches: the share raised, the years added."""
    raised = (f"höjer andelen {years_text(v.raised_breaches)}, då planen redan är över riktvärdet"
              if v.raised_breaches else "")
    added = f"lägger till {years_text(v.new_breaches)} över riktvärdet" if v.new_breaches else ""
    return f"{subject} " + (f"{raised}, och {added}" if raised and added else raised or added)


def headline(verdict: Verdict, shout: bool = False, several: int = 1, short: bool = False) -> str:
    """The outcome and its reason in one sentence: `Godkänt: alla år under riktvärdet.`, `Godkänt utan försämring:
    …`, `Ej godkänt: över riktvärdet 2030 och 2031.` (the outcome in capitals when shouting; `short` for a chart's
    title)."""
    v = verdict
    word = OUTCOME[v.bedomning]
    word = word.upper() if shout else word.capitalize()
    subject = "förslagen" if several > 1 else "förslaget"
    if v.bedomning == GODKANT:
        rest = "alla år under riktvärdet"
    elif v.bedomning == GODKANT_UTAN_FORSAMRING:
        rest = f"planen är över riktvärdet {years_text(v.plan_breaches)} redan utan {subject}"
        rest += "" if short else (f"; {subject} lägger inte till något år över riktvärdet och höjer inte andelen "
                                  f"de åren")
    elif not v.plan_breaches:
        rest = f"över riktvärdet {years_text(v.table.filter(~pl.col('klarar_med'))['ar'])}"
    elif short:
        rest = " och ".join(([f"höjer andelen {years_text(v.raised_breaches)}, då planen redan är över"]
                          if v.raised_breaches else []) +
                         ([f"lägger till {years_text(v.new_breaches)}"] if v.new_breaches else []))
    else:
        rest = _why_not(v, subject)
    return f"{word}: {rest}" + ("" if short else ".")


def proposal_count(verdicts: list[Verdict]) -> int:
    """verdicts holds each proposal, then all together when there are several."""
    return len(verdicts) - 1 if len(verdicts) > 1 else 1


def _ids(ids: tuple[str, ...], shown: int = 8) -> str:
    return ", ".join(ids[:shown]) + (f" och {len(ids) - shown} till" if len(ids) > shown else "")


def _spend_span(p: Proposal) -> str:
    return f"{p.first_year}–{p.last_year}" if p.last_year > p.first_year else str(p.first_year)


def assessment(calc: Calculation, verdict: Verdict, several: int = 1) -> list[str]:
    """The verdict in whole sentences, figures rounded as in a budget document; the third names the bedömning
    and why."""
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
               f"{'förslagen' if several > 1 else 'förslaget'}; genomsnittet för {first}–{last} blir {swedish.percent(verdict.average_with)} "
               f"({swedish.percent(t['andel_utan'].mean())} utan).")
    out.append(_verdict_sentence(verdict, limit, several))
    plan_fails = bool(verdict.plan_breaches)
    out.append(_scale_sentence(verdict, plan_fails, several))
    out.append(_start_sentence(verdict, plan_fails, several))
    debt = t.sort("skuldandel_med", descending=True, nulls_last=True).row(0, named=True)
    if debt["skuldandel_med"] is not None:
        over = t.filter(pl.col("skuldandel_med") >= calc.conventions.gransvarde)["ar"].to_list()
        out.append(f"Räntebärande skulder blir som högst {swedish.percent(debt['skuldandel_med'], 1)} av totala intäkter "
                   f"({debt['ar']}), " + (f"över gränsvärdet {swedish.percent(calc.conventions.gransvarde, 0)} "
                                          f"{years_text(over)}." if over else
                                          f"under gränsvärdet {swedish.percent(calc.conventions.gransvarde, 0)}."))
    return out


def _verdict_sentence(v: Verdict, limit: float, several: int) -> str:
    """`Bedömning: …` — which of the three outcomes, and the years that decide it."""
    t = v.table
    first, last = int(t["ar"][0]), int(t["ar"][-1])
    subject = "förslagen" if several > 1 else "förslaget"
    rule = f"Riktvärdet – kapitalkostnader under {swedish.percent(limit, 0)} av totala intäkter –"
    text = f"Bedömning: {OUTCOME[v.bedomning]}. "
    passing_alone = t.filter(pl.col("klarar_utan"))
    if v.bedomning == GODKANT:
        tight = t.sort("marginal_med").row(0, named=True)
        return text + (f"{rule} klaras alla år {first}–{last} med {subject}. Minsta marginal är "
                       f"{swedish.number(tight['marginal_med'], 0)} mnkr ({tight['ar']}).")
    if not v.plan_breaches:
        failing = t.filter(~pl.col("klarar_med"))["ar"].to_list()
        return text + f"{rule} klaras inte {years_text(failing)} med {subject}, men klaras alla år utan."
    text += f"{rule} överskrids redan utan {subject} {years_text(v.plan_breaches)}. "
    if v.bedomning == GODKANT_UTAN_FORSAMRING:
        alone = t.filter(~pl.col("klarar_utan"))
        lower = (alone["andel_utan"] - alone["andel_med"]).max()
        text += (f"{subject.capitalize()} lägger inte till något år över riktvärdet och höjer inte andelen de åren"
                 + (f" (sänker den med upp till {swedish.points(lower)})" if lower >= 0.00005 else "") + ".")
        if passing_alone.height:
            tight = passing_alone.sort("marginal_med").row(0, named=True)
            text += (f" Minsta marginal de övriga åren är {swedish.number(tight['marginal_med'], 0)} mnkr "
                     f"({tight['ar']}).")
        return text
    raised = t.filter(pl.col("forsamring") == RAISED)
    if v.raised_breaches:
        most = (raised["andel_med"] - raised["andel_utan"]).max()
        which = "de åren" if v.raised_breaches == v.plan_breaches else years_text(v.raised_breaches)
        text += f"{subject.capitalize()} höjer andelen {which} med upp till {swedish.points(most)}"
        text += (f" och lägger till {years_text(v.new_breaches)}." if v.new_breaches
                 else " men lägger inte till något nytt år över riktvärdet.")
    else:
        text += (f"{subject.capitalize()} höjer inte andelen de åren men lägger till {years_text(v.new_breaches)} över "
                 f"riktvärdet.")
    return text + " " + RULE


def _scale_sentence(v: Verdict, plan_fails: bool, several: int = 1) -> str:
    """The largest scale factor. When the plan breaches alone, a positive k binds only in the years it passes (a
    year it breaches has a negative marginal), so k is then the factor without new years over the riktvärde."""
    k, spend = v.max_scale, v.proposal.investering
    it, they = ("förslagen", "de") if several > 1 else ("förslaget", "det")
    if k is None:
        return f"{it.capitalize()} höjer inte andelen något år; storleken begränsas inte av riktvärdet."
    if plan_fails:
        text = ""
        if k <= 0:
            text = (f"Ingen storlek av {it} ryms alla år: planen överskrider riktvärdet redan utan {it} ett år då "
                    f"{it} höjer andelen (största skalfaktor {factor(k)}).")
        if v.max_scale_no_new is not None:
            text += (f" Utan att något nytt år hamnar över riktvärdet ryms {they} upp till "
                     f"{_times(v.max_scale_no_new, spend)}")
            text += (f", men i varje storlek höjer {they} andelen {years_text(v.raised_breaches)}." if v.raised_breaches
                     else ".")
        return text.strip()
    if k <= 0:  # the plan passes alone, so every marginal is positive: not reached, but said plainly if it were
        return f"Ingen storlek av {it} ryms alla år (största skalfaktor {factor(k)})."
    return f"{it.capitalize()} ryms {'upp' if k >= 1 else 'bara upp'} till {_times(k, spend)}."


def _start_sentence(v: Verdict, plan_fails: bool, several: int = 1) -> str:
    """The earliest start at which every year passes; when the plan breaches alone, the earliest at which the
    proposal is godkänt utan försämring (every year passing needs a proposal that lowers the share then)."""
    it, they = ("förslagen", "de") if several > 1 else ("förslaget", "det")
    proposed = f"föreslagen start {v.proposal.first_year}"
    if not v.starts_tried:
        return f"Beroendena tillåter ingen start inom planperioden ({proposed})."
    span = f"{v.starts_tried[0]}–{v.starts_tried[-1]}"
    word = "godkända" if several > 1 else "godkänt"
    if v.earliest_start is not None:
        return (f"Tidigaste startår då {it} i oförändrad storlek ryms alla år: {v.earliest_start} "
                f"({proposed}; prövat {span}).")
    if not plan_fails:
        return f"Inget startår {span} gör att {it} ryms alla år i oförändrad storlek ({proposed})."
    if v.earliest_start_no_worse is not None:
        return (f"Tidigaste startår då {it} i oförändrad storlek blir {word} utan försämring: "
                f"{v.earliest_start_no_worse} ({proposed}; prövat {span}).")
    return f"Inget startår {span} gör {it} {word} utan försämring i oförändrad storlek ({proposed})."


def admission_lines(admission: Admission, plan_fails: bool, limit: float) -> list[str]:
    kept = f"åren {years_text(admission.years_considered)}" if plan_fails else "alla år"
    also = " och inte höjer andelen de övriga åren" if plan_fails else ""
    lines = [f"Antagningsordning som håller {kept} under riktvärdet{also} (störst kapitalkostnad per utnyttjat "
             f"utrymme först):"]
    if not admission.admitted:
        lines.append("  inget förslag ryms")
    for n, (p, used) in enumerate(admission.admitted, start=1):
        lines.append(f"  {n}. {p.name} – tar {swedish.percent(used, 0)} av det trängsta årets återstående marginal")
    for out in admission.left_out:
        if out.reason == RAISED:
            lines.append(f"  Ryms inte: {out.proposal.name} – höjer andelen {years_text(out.raised)}, då planen redan är "
                         f"över riktvärdet ({out.year} blir andelen {swedish.percent_beside(out.share, limit)})")
            continue
        lines.append(f"  Ryms inte: {out.proposal.name} – {out.year} skulle andelen bli "
                     f"{swedish.percent_beside(out.share, limit)}" + (" med de redan antagna" if admission.admitted else "")
                     + (f"; största skalfaktor {factor(out.max_scale)}" if out.max_scale > 0 else ""))
    return lines
