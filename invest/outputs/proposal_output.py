"""What `invest kontroll` says: the assessment in sentences a planner can paste into a decision document, the
year table, each proposal alone, the admission order — as text (tabell) or json."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl

from invest.engine.calculation import Calculation
from invest.outputs.calculation_output import text_table
from invest.analyses.proposals import (EJ_GODKANT, GODKANT, GODKANT_UTAN_FORSAMRING, NEW_BREACH, RAISED, Admission,
                                      Proposal, Verdict)
from invest.base import swedish

SOURCE = "models/riktlinjer/kapitalkostnadsandel.yaml"
METHOD_NOTE = ("Δ räntekostnader är vad regionens skuldmodell tar för förslagets Δ lånebehov (nya lån till "
               "marknadsränta + marginal, docs/berakningsmodell.md §8); intäktsförd medfinansiering ökar totala "
               "intäkter.")


def _years(years) -> str:
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
    raised = (f"höjer andelen {_years(v.raised_breaches)}, då planen redan är över riktvärdet"
              if v.raised_breaches else "")
    added = f"lägger till {_years(v.new_breaches)} över riktvärdet" if v.new_breaches else ""
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
        rest = f"planen är över riktvärdet {_years(v.plan_breaches)} redan utan {subject}"
        rest += "" if short else (f"; {subject} lägger inte till något år över riktvärdet och höjer inte andelen "
                                  f"de åren")
    elif not v.plan_breaches:
        rest = f"över riktvärdet {_years(v.table.filter(~pl.col('klarar_med'))['ar'])}"
    elif short:
        rest = " och ".join(([f"höjer andelen {_years(v.raised_breaches)}, då planen redan är över"]
                          if v.raised_breaches else []) +
                         ([f"lägger till {_years(v.new_breaches)}"] if v.new_breaches else []))
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
                                          f"{_years(over)}." if over else
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
        return text + f"{rule} klaras inte {_years(failing)} med {subject}, men klaras alla år utan."
    text += f"{rule} överskrids redan utan {subject} {_years(v.plan_breaches)}. "
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
        which = "de åren" if v.raised_breaches == v.plan_breaches else _years(v.raised_breaches)
        text += f"{subject.capitalize()} höjer andelen {which} med upp till {swedish.points(most)}"
        text += (f" och lägger till {_years(v.new_breaches)}." if v.new_breaches
                 else " men lägger inte till något nytt år över riktvärdet.")
    else:
        text += (f"{subject.capitalize()} höjer inte andelen de åren men lägger till {_years(v.new_breaches)} över "
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
            text += (f", men i varje storlek höjer {they} andelen {_years(v.raised_breaches)}." if v.raised_breaches
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
    kept = f"åren {_years(admission.years_considered)}" if plan_fails else "alla år"
    also = " och inte höjer andelen de övriga åren" if plan_fails else ""
    lines = [f"Antagningsordning som håller {kept} under riktvärdet{also} (störst kapitalkostnad per utnyttjat "
             f"utrymme först):"]
    if not admission.admitted:
        lines.append("  inget förslag ryms")
    for n, (p, used) in enumerate(admission.admitted, start=1):
        lines.append(f"  {n}. {p.name} – tar {swedish.percent(used, 0)} av det trängsta årets återstående marginal")
    for out in admission.left_out:
        if out.reason == RAISED:
            lines.append(f"  Ryms inte: {out.proposal.name} – höjer andelen {_years(out.raised)}, då planen redan är "
                         f"över riktvärdet ({out.year} blir andelen {swedish.percent_beside(out.share, limit)})")
            continue
        lines.append(f"  Ryms inte: {out.proposal.name} – {out.year} skulle andelen bli "
                     f"{swedish.percent_beside(out.share, limit)}" + (" med de redan antagna" if admission.admitted else "")
                     + (f"; största skalfaktor {factor(out.max_scale)}" if out.max_scale > 0 else ""))
    return lines


def _year_rows(verdict: Verdict) -> list[dict]:
    keys = ("ar", "andel_utan", "andel_med", "delta_kapitalkostnader", "marginal_med", "marginal_utan",
            "delta_avskrivningar", "delta_rantekostnader", "delta_totala_intakter", "klarar_utan", "klarar_med",
            "forsamring", "skuldandel_utan", "skuldandel_med")
    return verdict.table.select(keys).to_dicts()


def _verdict_json(v: Verdict) -> dict:
    t = v.table
    return {
        "objekt": list(v.proposal.ids), "godkand": v.godkand, "bedomning": v.bedomning,
        "investering": v.proposal.investering,
        "medfinansiering": v.proposal.medfinansiering, "foreslagen_start": v.proposal.first_year,
        "ar": _year_rows(v), "forsta_overskridande_ar": v.first_breach,
        "overskridanden_utan_forslaget": list(v.plan_breaches), "nya_overskridanden": list(v.new_breaches),
        "hojer_andelen_ar": list(v.raised_breaches),
        "genomsnittlig_andel_utan": t["andel_utan"].mean(), "genomsnittlig_andel_med": v.average_with,
        "max_skalfaktor": v.max_scale, "max_skalfaktor_utan_nya_overskridanden": v.max_scale_no_new,
        "tidigaste_startar": v.earliest_start, "tidigaste_startar_utan_nya_overskridanden": v.earliest_start_no_new,
        "tidigaste_startar_utan_forsamring": v.earliest_start_no_worse,
        "provade_startar": list(v.starts_tried),
    }


def check_json(calc: Calculation, verdicts: list[Verdict], admission: Admission, files: list[Path],
               warnings, written: list[Path]) -> str:
    whole = verdicts[-1]
    several = proposal_count(verdicts)
    payload = {
        "plan": calc.plan.file, "forslag_filer": [str(f) for f in files],
        "riktvarde": calc.conventions.riktvarde, "metod": calc.conventions.riktvardesmetod,
        "gransvarde_skuld": calc.conventions.gransvarde, "enhet": "mnkr", "ranta": calc.models.flat_rate,
        **_verdict_json(whole),
        "forslag": [_verdict_json(v) for v in (verdicts[:-1] if len(verdicts) > 1 else verdicts)],
        "antagning": {
            "ordning": [{"objekt": list(p.ids), "andel_av_marginal": used} for p, used in admission.admitted],
            "ryms_inte": [{"objekt": list(o.proposal.ids), "orsak": o.reason, "ar": o.year, "andel_med": o.share,
                           "max_skalfaktor": o.max_scale, "hojer_andelen_ar": list(o.raised)}
                          for o in admission.left_out],
            "ar_som_halls": list(admission.years_considered)},
        "bedomning_text": [headline(whole, several=several)] + assessment(calc, whole, several),
        "varningar": [f.as_dict() for f in warnings], "filer": [str(p) for p in written],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


# The year table (text and the Kontroll sheet): (heading, key); the columns about the plan on its own only when the
# plan breaches alone. Below the years, a row of averages of the shares and a row that sums Δ kapitalkostnader.
YEAR_COLUMNS = [("År", "ar"), ("Andel utan", "andel_utan"), ("Andel med", "andel_med"),
                ("Δ kapitalkostnader", "delta_kapitalkostnader"), ("Marginal utan", "marginal_utan"),
                ("Marginal med", "marginal_med"), ("Under riktvärdet utan", "klarar_utan"),
                ("Under riktvärdet med", "klarar_med"), ("Försämring", "forsamring"),
                ("Skuld/intäkter med", "skuldandel_med")]
SUMMED = ("delta_kapitalkostnader",)
AVERAGED = ("andel_utan", "andel_med")


def year_columns(plan_fails: bool) -> list[tuple[str, str]]:
    return [(h, k) for h, k in YEAR_COLUMNS if plan_fails or k not in ("klarar_utan", "forsamring")]


def year_values(verdict: Verdict) -> list[dict]:
    """The year rows, then `Genomsnitt` (the shares' mean) and `Summa` (the sum of the summed columns): dicts by key,
    unformatted, with text for ja/NEJ and the worsening."""
    t = verdict.table
    rows = [{**r, "klarar_utan": "ja" if r["klarar_utan"] else "NEJ", "klarar_med": "ja" if r["klarar_med"] else "NEJ",
             "forsamring": WORSENING.get(r["forsamring"], "")} for r in t.iter_rows(named=True)]
    rows.append({"ar": "Genomsnitt", **{k: t[k].mean() for k in AVERAGED}})
    rows.append({"ar": "Summa", **{k: t[k].sum() for k in SUMMED}})
    return rows


def year_table(verdict: Verdict, limit: float, plan_fails: bool) -> list[list[str]]:
    def cell(key, value):
        if value is None:
            return ""
        if key == "ar" or isinstance(value, str):
            return str(value)
        if key.startswith("andel"):
            return swedish.percent_beside(value, limit)
        if key.startswith("skuldandel"):
            return swedish.percent(value, 1)
        return swedish.number(value)
    return [[cell(k, r.get(k)) for _, k in year_columns(plan_fails)] for r in year_values(verdict)]


PROPOSAL_HEADERS = ["Förslag", "Utgifter", "Δ kapitalkostnader", "Högsta andel med", "Bedömning", "Nya år över",
                    "Höjer andelen", "Max skalfaktor", "Skalfaktor utan nya år över", "Tidigaste start",
                    "Start utan försämring"]
WHEN_PLAN_FAILS = (6, 8, 10)  # the columns about the years the plan breaches alone
WHEN_PLAN_PASSES = (7, 9)  # all years under the riktvärde: not reachable while the plan breaches alone


def proposal_columns(plan_fails: bool) -> list[int]:
    """The columns of PROPOSAL_HEADERS to show: when the plan breaches alone, those about the years it breaches and
    the scale and start that keep the other years under the riktvärde; otherwise the plain scale and start."""
    hidden = WHEN_PLAN_PASSES if plan_fails else WHEN_PLAN_FAILS
    return [i for i in range(len(PROPOSAL_HEADERS)) if i not in hidden]


def proposal_values(verdicts: list[Verdict], names: list[str] | None = None) -> list[list]:
    """One row per verdict under PROPOSAL_HEADERS, unformatted (None = no year / unbounded; scale factors
    rounded down to two decimals)."""
    return [[name or v.proposal.name, v.proposal.investering, v.table["delta_kapitalkostnader"].sum(),
             v.table["andel_med"].max(), outcome_word(v, shout=True),
             _years(v.new_breaches) if v.new_breaches else "inga",
             _years(v.raised_breaches) if v.raised_breaches else "inga",
             rounded_down(v.max_scale), rounded_down(v.max_scale_no_new), v.earliest_start, v.earliest_start_no_worse]
            for v, name in zip(verdicts, names or [None] * len(verdicts))]


def proposal_rows(verdicts: list[Verdict], names: list[str] | None = None) -> list[list[str]]:
    """proposal_values as text."""
    def year(y):
        return "–" if y is None else str(y)

    def scale(k):
        return "obegränsad" if k is None else f"ingen ({factor(k)})" if k <= 0 else factor(k)
    return [[name, swedish.number(spend), swedish.number(cost), swedish.percent(peak), word, new, raised, scale(k),
             scale(k_new), year(start), year(start_no_worse)]
            for name, spend, cost, peak, word, new, raised, k, k_new, start, start_no_worse
            in proposal_values(verdicts, names)]


def proposal_sets(verdicts: list[Verdict]) -> tuple[list[Verdict], list[str | None]]:
    """Each proposal, then all together labelled "Samtliga" (its spend and Δ kapitalkostnader are the sums of the
    rows above; its other columns are those of all the proposals added together, not sums)."""
    return verdicts, [None] * (len(verdicts) - 1) + ["Samtliga"]


def check_table(calc: Calculation, verdicts: list[Verdict], admission: Admission, files: list[Path],
                warnings, written: list[Path]) -> str:
    whole = verdicts[-1]
    several = proposal_count(verdicts)
    c = calc.conventions
    plan_fails = bool(whole.plan_breaches)
    lines = [f"Kontroll mot riktvärdet: {', '.join(str(f) for f in files)}",
             f"Plan: {calc.plan.file}   Riktvärde: under {swedish.percent(c.riktvarde, 0)} av totala intäkter "
             f"(metod {c.riktvardesmetod}, {SOURCE})   Belopp i mnkr", "",
             headline(whole, shout=True, several=several), ""]
    lines += assessment(calc, whole, several) + [""]
    lines += text_table([h for h, _ in year_columns(plan_fails)], year_table(whole, c.riktvarde, plan_fails)) + [""]
    if several > 1:
        lines += ["Förslagen var för sig och tillsammans:"]
        shown = proposal_columns(plan_fails)
        lines += text_table([PROPOSAL_HEADERS[i] for i in shown],
                            [[r[i] for i in shown] for r in proposal_rows(*proposal_sets(verdicts))], left=1) + [""]
        lines += admission_lines(admission, plan_fails, c.riktvarde) + [""]
    lines += [METHOD_NOTE, "Skalfaktorer är avrundade nedåt till två decimaler; summor och genomsnitt är räknade på "
                           "oavrundade belopp."]
    lines += [f"Varning: {f.location}: {f.message}" for f in warnings]
    if written:
        lines += ["", "Skrivet:"] + [f"  {p}" for p in written]
    return "\n".join(lines) + "\n"
