"""The output contract of `invest validera` and `invest importera`: findings with sheet and cell, text or json."""

from __future__ import annotations

import json
from pathlib import Path

from invest.base import swedish
from invest.base.findings import Finding, errors
from invest.plan.records import Plan


def _counts(findings: list[Finding]) -> tuple[int, int]:
    n_err = len(errors(findings))
    return n_err, len(findings) - n_err


def validation_json(plan_file: str, findings: list[Finding]) -> str:
    n_err, n_warn = _counts(findings)
    return json.dumps({"plan": plan_file, "fel": n_err, "varningar": n_warn,
                       "fynd": [f.as_dict() for f in findings]}, ensure_ascii=False, indent=2)


def validation_text(plan_file: str, findings: list[Finding]) -> str:
    n_err, n_warn = _counts(findings)
    return "".join(f"{f}\n" for f in findings) + f"{plan_file}: {n_err} fel, {n_warn} varningar.\n"


def import_json(source: Path, target: Path, plan: Plan | None, findings: list[Finding],
                explanation: list[dict] | None = None) -> str:
    n_err, n_warn = _counts(findings)
    out = {"fil": str(source), "utdata": str(target) if plan else None, "skrivet": plan is not None,
           "objekt": len(plan.objects) if plan else 0, "fel": n_err, "varningar": n_warn,
           "fynd": [f.as_dict() for f in findings]}
    if explanation is not None:
        out["forklaring"] = explanation
    return json.dumps(out, ensure_ascii=False, indent=2)


def import_text(source: Path, target: Path, plan: Plan) -> str:
    totals: dict[int, float] = {}
    for o in plan.objects:
        for year, amount in o.utgifter:
            totals[year] = totals.get(year, 0.0) + amount
    return "".join(f"{f}\n" for f in plan.warnings) + (
        f"{source}: {len(plan.objects)} objekt, {len(plan.warnings)} varningar. Skrev {target}.\n"
        "Utgift per år (mnkr): " + ", ".join(f"{y}: {swedish.number(a)}" for y, a in sorted(totals.items())) + "\n")
