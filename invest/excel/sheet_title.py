"""The nämnd or bolag a sheet's title names: "Trafiknämndens investeringsutrymme", "Akutsjukhusnämnden –
investeringsplan", "Investeringsplan för Locum AB 2026–2035"."""

from __future__ import annotations

import re

_ORGANISATION = re.compile(r"nämnd|styrelse|förvaltning|\bAB\b|bolag|sjukhus|sjukvårdsområde|fullmäktige|revision|"
                           r"kommun|region\b", re.IGNORECASE)
_PLAN_WORDS = re.compile(r"(?:^|\s)(?:investeringsutrymme|investeringsplan|investeringsbudget|investeringsram|"
                         r"investeringar|investeringsobjekt|investeringsprojekt)\b", re.IGNORECASE)
_FOR = re.compile(r"\bför\s+(.+)$", re.IGNORECASE)
_YEARS = re.compile(r"\s*(?:\d{4}\s*[-–—]\s*\d{2,4}|\d{4})\s*$")
_UNIT = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]\s*$")
_TABLE = re.compile(r"^(?:tabell|table|bilaga)\s*\d+[.:]?\s*", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s+[–—-]\s+|:\s+|,\s+")


def _genitive(name: str) -> str:
    """"Trafiknämndens" -> "Trafiknämnden", "Locum AB:s" -> "Locum AB"; "Danderyds sjukhus" stays."""
    if name.endswith(":s"):
        return name[:-2]
    if len(name) > 3 and name.endswith("s") and name[-2] in "ntedaoiyå":
        return name[:-1]
    return name


def _clean(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _YEARS.sub("", _UNIT.sub("", text)).strip(" .:,")
    return text


def organisation_in_title(title: str) -> str | None:
    """The organisation a title names, or None when it names none."""
    for part in _SEPARATOR.split(_TABLE.sub("", str(title).strip())):
        part = _clean(part)
        if m := _FOR.search(part):  # "Investeringsplan för Locum AB"
            name = _clean(m.group(1))
        elif (m := _PLAN_WORDS.search(part)) and m.start() == 0:  # "Investeringsutrymme MediCarrier AB"
            name = _clean(part[m.end():])
        elif m:  # "Trafiknämndens investeringsutrymme"
            name = _genitive(_clean(part[:m.start()]))
        else:
            name = part
        if name and not _PLAN_WORDS.fullmatch(" " + name) and _ORGANISATION.search(name):
            return name
    return None
