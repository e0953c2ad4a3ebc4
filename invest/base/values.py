"""One parser for every number a plan's cells or a models/ file give: Swedish number text ("1 017,4", "−5",
"2,5 %", "1e3") read by one piece of code, and each kind of value — an amount, a year, a month, a lag in months, a
life in years, a share, a rate — checked to be finite and within the range the tool computes with. A value that is
not raises BadValue with a Swedish message saying what was found and what was expected; the caller adds the place
(`FIL.xlsx:Blad!Cell`, `FIL.yaml:rad`).

The bounds, and why:

- AMOUNT_LIMIT = 10**12 mnkr (10^18 kr) for any amount, either sign, in mnkr after the sheet's unit is applied.
  It is larger than the whole yearly budget of any Swedish public body by orders of magnitude (the state's is
  about 1,3 · 10^6 mnkr, Region Stockholm's about 1,5 · 10^5 mnkr), so no real plan meets it, and it stays far
  from float overflow when amounts are added up: 100 000 objects × 100 years × 10^12 = 10^19, against a float's
  largest 1,8 · 10^308; a float's precision at the bound is still finer than 0,001 mnkr (10^12 × 2,2 · 10^-16).
  Without it two cells of 1,7e308 overflow to infinity when summed.
- AMOUNT_RESOLUTION = 10^-9 mnkr (a thousandth of a krona): a smaller amount is read as 0. It is a formula's float
  residue (0,1 + 0,2 − 0,3 = 5,6e-17), never money; kept, such a number (down to 5e-324) underflows when the
  engine spreads it over months and a ratio with it becomes infinite.
- FIRST_YEAR, LAST_YEAR = 1900, 2200 for a calendar year (a year column, a driftsättning, the year a co-financing
  is received): any budget year is inside, and the object × year grid stays small (a year of 99 999 999 would
  make it gigabytes).
- MONTHS 1–12, a whole number.
- LAG_MONTHS_MAX = 1200: a dependency's lag is a whole number of months, 0 to 100 years.
- LIFE_YEARS_MAX = 100: a component's life (nyttjandeperiod) in years, exactly 0 (not depreciated, as mark in
  models/tillgangsklasser/mark.yaml) or one month to 100, in whole months: a life shorter than a month (5e-324, or
  a text "1e-400" that no float holds) is refused, not rounded to 0 = "not depreciated". The longest life in
  models/tillgangsklasser/ is 60 years (stomme), and RKR R4 gives no longer one.
- A share is 0–1; a rate (ränta) is RATE_MIN–RATE_MAX, −5 % to 100 %, as for the command line's --ranta range
  widened upwards: more than 100 % a year is a typo such as 2,5 for 2,5 %.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re

AMOUNT_LIMIT = 1e12  # mnkr, either sign (see the module docstring)
AMOUNT_RESOLUTION = 1e-9  # mnkr: a smaller amount is read as 0
FIRST_YEAR, LAST_YEAR = 1900, 2200
LAG_MONTHS_MAX = 1200
LIFE_YEARS_MAX = 100
RATE_MIN, RATE_MAX = -0.05, 1.0

AMOUNT = "ett belopp, t.ex. 1 017,4"
# the texts Excel shows for a formula that failed; a reader gives them as the cell's value
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")

# every kind of space to a plain one; minus signs and en dashes to "-"
_SPACES = {c: " " for c in range(0x3000) if chr(c).isspace()}
_TEXT = {**_SPACES, 0x2212: "-", 0x2013: "-"}
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([ ']\d{3})+([.,]\d*)?([eE][+-]?\d+)?$")


class BadValue(ValueError):
    """A value that is not what its place expects; the message (Swedish) says what was found and what was
    expected, without the place."""


def show(x: float) -> str:
    """A number as a Swedish reader writes it, exact for whole numbers, short for huge or tiny ones."""
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e4:
        text = str(int(x))  # a year or a small whole number: 2026, not 2 026
    elif x == int(x) and abs(x) < 1e18:
        text = f"{int(x):,}".replace(",", " ")
    else:
        text = f"{x:.6g}".replace(".", ",")
    return text.replace("-", "−", 1) if text.startswith("-") else text


def excel_error(value) -> str | None:
    """The Excel error a cell shows ("#DIV/0!"), or None."""
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip()
    return None


def text_number(text: str, expected: str = AMOUNT, *, percent: bool = False) -> float:
    """A number written as text: decimal comma or point, spaces (or ') between groups of three digits, a minus
    sign or dash, an exponent ("1e3"); with `percent`, "2,5 %" is 0,025. Refuses what could be read two ways
    ("1,500.5"), text that is no number and a number no float holds ("1e309"). Never a guess."""
    raw = str(text)
    s = re.sub(r"^([+-]) +", r"\1", raw.translate(_TEXT).strip())
    percent_sign = percent and s.endswith("%")
    if percent_sign:
        s = s[:-1].rstrip()
    if " " in s or "'" in s:
        if not _GROUPED.match(s):
            raise BadValue(f'texten "{raw}" (väntat {expected}; mellanslag får bara skilja tusental, som i 1 500)')
        s = s.replace(" ", "").replace("'", "")
    if s.count(",") + s.count(".") > 1:
        if "," in s and "." in s:
            raise BadValue(f'texten "{raw}" kan läsas på två sätt (väntat {expected}; skriv decimaler med ett '
                           "kommatecken (0,025) eller en punkt (0.025) och inga tusentalsavgränsare)")
        raise BadValue(f'texten "{raw}" (väntat {expected}; inga tusentalsavgränsare utom mellanslag)')
    s = s.replace(",", ".")
    if not _PLAIN.match(s):
        raise BadValue(f'texten "{raw}" (väntat {expected})')
    value = float(s)
    if not math.isfinite(value):
        raise BadValue(f'texten "{raw}" är ett för stort tal (väntat {expected})')
    return value / 100 if percent_sign else value


def number(value, expected: str = AMOUNT) -> float | None:
    """A cell's or a models/ value's number, finite, or None for an empty cell; "-" alone (a dash for nothing) is 0."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(f"sanningsvärdet {value} (väntat {expected})")
    if isinstance(value, numbers.Real):
        try:
            x = float(value)
        except OverflowError:  # an int beyond any float
            x = math.inf
        if not math.isfinite(x):
            found = "ett heltal bortom ±10^308" if isinstance(value, numbers.Integral) and x == x else f"{x}"
            raise BadValue(f"{found} är inget ändligt tal (väntat {expected})")
        return x
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise BadValue(f"datumet {value} (väntat {expected}; cellen är formaterad som datum)")
    text = str(value).strip()
    if text == "":
        return None
    if text.startswith("#"):
        raise BadValue(f'Excel-felet "{text}" (väntat {expected}; rätta formeln)')
    if text.translate(_TEXT).replace(" ", "") in ("-", "--"):
        return 0.0
    return text_number(text, expected)


def _bounded(x: float, low: float, high: float, what: str, expected: str, whole: bool = False) -> float:
    if whole and x != int(x):
        raise BadValue(f"{what} {show(x)} är inget heltal (väntat {expected})")
    if not low <= x <= high:
        raise BadValue(f"{what} {show(x)} ligger utanför {show(low)}–{show(high)} (väntat {expected})")
    return x


def amount(value, scale: float = 1.0, unit: str = "mnkr") -> float | None:
    """An amount in `unit` (`scale` mnkr each), |x| ≤ AMOUNT_LIMIT mnkr; below AMOUNT_RESOLUTION mnkr it is 0."""
    x = number(value)
    if x is not None and abs(x) > AMOUNT_LIMIT / scale:
        raise BadValue(amount_message(x, scale, unit))
    return 0.0 if x is not None and abs(x) < AMOUNT_RESOLUTION / scale else x


def amount_message(x: float, scale: float = 1.0, unit: str = "mnkr") -> str:
    return (f"beloppet {show(x)} {unit} är orimligt stort (väntat ett belopp om högst {show(AMOUNT_LIMIT / scale)} "
            f"{unit})")


def year(value) -> int | None:
    """A calendar year, a whole number FIRST_YEAR–LAST_YEAR."""
    expected = f"ett år ÅÅÅÅ, ett heltal {FIRST_YEAR}–{LAST_YEAR}"
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.year
    x = number(value, expected)
    return None if x is None else int(_bounded(x, FIRST_YEAR, LAST_YEAR, "året", expected, whole=True))


def month(value) -> int | None:
    """A month 1–12."""
    expected = "en månad, ett heltal 1–12"
    x = number(value, expected)
    return None if x is None else int(_bounded(x, 1, 12, "månaden", expected, whole=True))


def lag_months(value) -> int | None:
    """A lag in whole months, 0–LAG_MONTHS_MAX."""
    expected = f"ett helt antal månader 0–{LAG_MONTHS_MAX}"
    x = number(value, expected)
    return None if x is None else int(_bounded(x, 0, LAG_MONTHS_MAX, "fördröjningen", expected, whole=True))


def life_years(value, whole_months: bool = True) -> float | None:
    """A life (nyttjandeperiod) in years, exactly 0 (not depreciated) or one month to LIFE_YEARS_MAX, in whole months
    unless not `whole_months` (the remaining life of existing assets, an average)."""
    expected = f"ett antal år 0–{LIFE_YEARS_MAX}{' i hela månader' if whole_months else ''} (0 = skrivs inte av)"
    x = number(value, expected)
    if x is None:
        return None
    if x == 0 and isinstance(value, str) and re.search(r"[1-9]", re.split(r"[eE]", value, maxsplit=1)[0]):
        # "1e-400": a number below what a float holds became 0, which would mean "not depreciated"
        raise BadValue(f'nyttjandeperioden "{value.strip()[:40]}" är kortare än en månad, men inte 0 (väntat '
                       f"{expected})")
    _bounded(x, 0, LIFE_YEARS_MAX, "nyttjandeperioden", expected)
    if x != 0 and round(x * 12, 9) < 1:  # rounded to whole months it would be 0 = "not depreciated", or divide by ~0
        raise BadValue(f"nyttjandeperioden {show(x)} år är kortare än en månad, men inte 0 (väntat {expected})")
    if whole_months and round(x * 12, 9) != round(x * 12):
        raise BadValue(f"nyttjandeperioden {show(x)} år är inte ett helt antal månader (väntat {expected})")
    return x


def share(value) -> float | None:
    """A share of a whole, 0–1."""
    expected = "en andel 0–1, t.ex. 0,25"
    x = number(value, expected)
    return None if x is None else _bounded(x, 0.0, 1.0, "andelen", expected)


def rate(value) -> float | None:
    """A yearly rate, RATE_MIN–RATE_MAX (0,025 = 2,5 %)."""
    expected = f"en ränta {show(RATE_MIN)}–{show(RATE_MAX)}, t.ex. 0,025"
    x = number(value, expected)
    return None if x is None else _bounded(x, RATE_MIN, RATE_MAX, "räntan", expected)


# The numeric units of a models/ file (invest/params/loader.py): each its own range.
def signed_share(value) -> float | None:
    """`andel` in models/: a share, a rate or a growth, −1 to 1 (more than the whole in either direction is a typo
    such as 2,5 for 2,5 %)."""
    expected = "en andel −1–1, t.ex. 0,025 för 2,5 %"
    x = number(value, expected)
    return None if x is None else _bounded(x, -1.0, 1.0, "andelen", expected)


def percent(value) -> float | None:
    """`procent` in models/: −100 to 100."""
    expected = "procent −100–100, t.ex. 2,5"
    x = number(value, expected)
    return None if x is None else _bounded(x, -100.0, 100.0, "procentsatsen", expected)


def duration_years(value) -> int | None:
    """`ar` in models/: a whole number of years, 1 to LIFE_YEARS_MAX (a fixed-rate term such as
    ranta/bindningstid; the debt ladder divides by it)."""
    expected = f"ett helt antal år 1–{LIFE_YEARS_MAX}"
    x = number(value, expected)
    return None if x is None else int(_bounded(x, 1, LIFE_YEARS_MAX, "antalet år", expected, whole=True))
