"""A proposed object's optional columns for `invest optimera` (varde, tidigast_start, senast_start, utesluter), read
from its row; each problem at its cell. A row without any of them has no terms (None)."""

from __future__ import annotations

import re

from invest.base import values as parse
from invest.base.findings import error
from invest.excel.cells import parse_text
from invest.plan.records import AdmissionTerms, Source
from invest.plan.vocabulary import ADMISSION_COLUMNS


def admission_terms(raw: dict, src: Source, problems: list) -> AdmissionTerms | None:
    """The row's terms; `raw` is its cells by column name."""
    if not any(raw.get(name) not in (None, "") for name in ADMISSION_COLUMNS):
        return None
    value = start = end = None
    try:
        value = parse.amount(raw.get("varde"))
        if value is not None and value < 0:
            problems.append(error(src.at("varde"), f"varde {parse.show(value)} är negativt (väntat ett värde ≥ 0; "
                                                   "utan värde gäller objektets totala utgift)"))
            value = None
    except parse.BadValue as exc:
        problems.append(error(src.at("varde"), f"varde: {exc}"))
    try:
        start = parse.year(raw.get("tidigast_start"))
    except parse.BadValue as exc:
        problems.append(error(src.at("tidigast_start"), f"tidigast_start: {exc}"))
    try:
        end = parse.year(raw.get("senast_start"))
    except parse.BadValue as exc:
        problems.append(error(src.at("senast_start"), f"senast_start: {exc}"))
    if start is not None and end is not None and end < start:
        problems.append(error(src.at("senast_start"), f"senast_start {end} är före tidigast_start {start}"))
    excluded = tuple(x.strip() for x in re.split(r"[,;]", parse_text(raw.get("utesluter"))) if x.strip())
    return AdmissionTerms(value, start, end, excluded)
