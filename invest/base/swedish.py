"""Numbers as a Swedish reader writes them: space as thousands separator, decimal comma, "6,89 %"."""

from __future__ import annotations

from invest.base import values as value_parser

NBSP = "\u00a0"


def number(value: float | None, decimals: int = 1) -> str:
    if value is None or value != value:
        return "–"
    if abs(value) < 0.5 * 10 ** -decimals:
        value = 0.0  # float residue such as −2,8e-14 is shown as 0,0, not −0,0
    text = f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")
    return text.replace("-", "−", 1) if text.startswith("-") else text


def percent(value: float | None, decimals: int = 2) -> str:
    if value is None or value != value:
        return "–"
    return f"{number(value * 100, decimals)} %"


def signed(value: float, decimals: int = 1) -> str:
    """A difference with its sign: "+0,12", "−3"; one that shows as zero has none ("0,00")."""
    text = number(value, decimals)
    return text if text.startswith("−") or text.strip("0,") == "" else f"+{text}"


def fewest_decimals(values, most: int = 4) -> int:
    """The fewest decimals that show every value exactly (0,25 needs 2, 0,5 needs 1, 2 000 needs none)."""
    for decimals in range(most + 1):
        if all(abs(round(v, decimals) - v) <= 1e-9 * max(1.0, abs(v)) for v in values):
            return decimals
    return most


def points(value: float, decimals: int = 2) -> str:
    """A difference of shares in procentenheter."""
    return f"{number(value * 100, decimals)} procentenheter"


def percent_beside(value: float | None, limit: float, decimals: int = 2) -> str:
    """A share shown beside a limit: with more decimals where rounding would make it read as the limit itself
    (8,0004 % is over 8 % and must not read "8,00 %")."""
    while (value is not None and value == value and value != limit and decimals < 6
           and round(value * 100, decimals) == round(limit * 100, decimals)):
        decimals += 1
    return percent(value, decimals)


def spans(values, limit: int = 8) -> str:
    """Row numbers (or years) as runs: "5–8, 10, 12–14"; after `limit` runs, how many more."""
    values = sorted(int(x) for x in values)
    runs: list[list[int]] = []
    for x in values:
        if runs and x == runs[-1][1] + 1:
            runs[-1][1] = x
        else:
            runs.append([x, x])
    shown = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:limit])
    return shown + (f" och {len(runs) - limit} intervall till" if len(runs) > limit else "")


def rows(numbers) -> str:
    """Row numbers as a location: "rad 5–8, 10"."""
    return f"rad {spans(numbers)}"


def years(values) -> str:
    """Years as a reader writes them: "2026–2028" when consecutive, else "2026, 2028"."""
    values = [int(v) for v in values]
    if len(values) > 1 and values[-1] - values[0] == len(values) - 1:
        return f"{values[0]}–{values[-1]}"
    return ", ".join(map(str, values))


def parse_number(text: str) -> float:
    """A number as a Swedish or an English reader writes it: "0,025", "0.025", "−0,01", "2,5 %" (= 0,025),
    "1 500" or "1 500,5" (space as thousands separator). Refuses what could be read two ways ("1,500.5")
    with a Swedish message (ValueError): never a guess at which mark is the decimal one. The same parser as a
    cell's (invest.base.values.text_number)."""
    return value_parser.text_number(text, "ett tal, t.ex. 0,025 eller 0.025", percent=True)
