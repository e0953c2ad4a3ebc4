"""What `invest kontroll` prints: the assessment (invest.outputs.proposal_sentences), the year table, each proposal
alone and the admission order — as text (tabell) or json; the same tables the kontroll workbook shows."""

from __future__ import annotations

import json
from pathlib import Path

from invest.analyses.guidelines import RuleCheck
from invest.analyses.proposals import Admission, Verdict
from invest.base import swedish
from invest.engine.calculation import Calculation
from invest.outputs.calculation_output import text_table
from invest.outputs.rules_output import rule_lines, rules_json
from invest.outputs.proposal_sentences import (METHOD_NOTE, SOURCE, WORSENING, admission_lines, assessment, factor,
                                               headline, outcome_word, proposal_count, rounded_down, years_text)


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
               warnings, written: list[Path], rules: RuleCheck | None = None) -> str:
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
        **(rules_json(rules) if rules is not None else {}),
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
             years_text(v.new_breaches) if v.new_breaches else "inga",
             years_text(v.raised_breaches) if v.raised_breaches else "inga",
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
                warnings, written: list[Path], rules: RuleCheck | None = None) -> str:
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
    lines += rule_lines(rules) if rules is not None else []
    lines += [METHOD_NOTE, "Skalfaktorer är avrundade nedåt till två decimaler; summor och genomsnitt är räknade på "
                           "oavrundade belopp."]
    lines += [f"Varning: {f.location}: {f.message}" for f in warnings]
    if written:
        lines += ["", "Skrivet:"] + [f"  {p}" for p in written]
    return "\n".join(lines) + "\n"
