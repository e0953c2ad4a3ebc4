"""`invest importera --forklara`: how each sheet was read, as text for a planner fixing a mapping file, or as JSON."""

from __future__ import annotations

from invest.excel.sheet_reading import SheetReading
from invest.outputs.calculation_output import shorten

MAX_LABEL = 60


def _short(text: str) -> str:
    """A heading or a row's label on one line: at most MAX_LABEL characters, cut at a word boundary."""
    return shorten(" ".join(text.split()), MAX_LABEL)


def _row_groups(rows: tuple[tuple[int, str, str], ...]) -> list[tuple[int, int, str, str]]:
    """Consecutive object rows as one span; every other row on its own, with its label."""
    groups: list[list] = []
    for row, kind, label in rows:
        if groups and kind == "objekt" and groups[-1][2] == "objekt" and groups[-1][1] == row - 1:
            groups[-1][1] = row
        elif groups and kind == "objekt" and groups[-1][2] == "objekt":
            groups.append([row, row, kind, ""])
        else:
            groups.append([row, row, kind, "" if kind == "objekt" else label])
    return [tuple(g) for g in groups]


def explanation_text(readings: list[SheetReading]) -> str:
    lines = []
    for r in readings:
        if not r.read:
            lines.append(f'Blad "{r.sheet}": läses inte ({r.reason})')
            continue
        first, last = r.band
        band = f"rad {first}" if first == last else f"rad {first}–{last}"
        lines.append(f'Blad "{r.sheet}"')
        lines.append(f"  Rubrikområde: {band} (åren på rad {r.year_row}); data från rad {last + 1}")
        lines.append(f"  Enhet: {r.unit}, från {r.unit_source}")
        if r.title_organisation:
            lines.append(f"  Titeln nämner organisationen {r.title_organisation}")
        lines.append("  Kolumner:")
        width = max((len(c.header) for c in r.columns), default=0)
        width = min(width, 40) + 2
        for c in r.columns:
            header = f'"{_short(c.header)}"' if c.header else "(utan rubrik)"
            how = f" — {c.how}" if c.how else ""
            lines.append(f"    {c.letter:<3} {header:<{width}} → {c.use}{how}")
        lines.append("  Rader:")
        for start, stop, kind, label in _row_groups(r.rows):
            rows = f"{start}" if start == stop else f"{start}–{stop}"
            lines.append(f"    {rows:<9} {kind}" + (f' "{_short(label)}"' if label else ""))
        if r.defaults:
            lines.append("  Standardvärden:")
            lines.extend(f"    {rows}: {what}" for what, rows in r.defaults)
    return "\n".join(lines) + "\n"


def explanation_json(readings: list[SheetReading]) -> list[dict]:
    out = []
    for r in readings:
        if not r.read:
            out.append({"blad": r.sheet, "last": False, "orsak": r.reason})
            continue
        out.append({
            "blad": r.sheet, "last": True,
            "rubrikomrade": {"fran_rad": r.band[0], "till_rad": r.band[1], "arsrad": r.year_row},
            "enhet": r.unit, "enhet_fran": r.unit_source, "organisation_i_titeln": r.title_organisation or None,
            "kolumner": [{"kolumn": c.letter, "rubrik": c.header, "lases_som": c.use, "avgjort_av": c.how}
                         for c in r.columns],
            "rader": [{"rad": row, "typ": kind, "text": label} for row, kind, label in r.rows],
            "standardvarden": [{"rader": rows, "vad": what} for what, rows in r.defaults],
        })
    return out
