"""The region's debt as a portfolio of fixed-rate tranches (docs/berakningsmodell.md §4.2).

The whole portfolio is kept as an even ladder. The opening debt reprices 1/bindningstid a year (never more than
`omsattning`); each part it reprices is fixed at that year's market rate + margin for `bindningstid` years, then
repriced at the rate of its new year, and so on. A year's net new borrowing is taken up the same way, as a ladder:
1/bindningstid of it is first repriced after one year, 1/bindningstid after two, …, after bindningstid years, and
each part is then fixed for `bindningstid` years at a time. So every year 1/bindningstid of the debt gets a new
rate, whatever the borrowing path. Borrowing and each repricing happen in the middle of the year (half a year at
each rate). For given rate paths the interest is linear in the borrowing: interest = borrowing @ W_new + repriced
opening debt @ W, so a change to the plan costs exactly W_new applied to its Δ borrowing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def tranche_weights(rates: np.ndarray, bindningstid: int, first: int | None = None) -> np.ndarray:
    """W[i, j]: interest in year j per mnkr fixed in year i at rates[i], first repriced `first` years later (default
    bindningstid) and then every bindningstid years."""
    first = bindningstid if first is None else first
    n = len(rates)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    age = j - i
    since_first = age - first
    reset_age = np.where(since_first >= 0, first + bindningstid * (np.maximum(since_first, 0) // bindningstid), 0)
    previous_age = np.where(since_first >= bindningstid, reset_age - bindningstid, 0)
    held = rates[np.clip(i + reset_age, 0, n - 1)]  # the rate that holds at the end of year j
    previous = rates[np.clip(i + previous_age, 0, n - 1)]
    repriced_mid_year = _reset(age, bindningstid, first)  # half the year at the old rate, half at the new
    w = np.where(repriced_mid_year, (previous + held) / 2, held)
    w = np.where(age == 0, rates[i] / 2, w)
    return np.where(age < 0, 0.0, w)


def repriced_weights(n: int, bindningstid: int, first: int | None = None) -> np.ndarray:
    """R[i, j] = 1 when a flow of year i gets a new rate in year j (`first` years after i, then every bindningstid)."""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return _reset(j - i, bindningstid, bindningstid if first is None else first).astype(float)


def _reset(age: np.ndarray, bindningstid: int, first: int) -> np.ndarray:
    return (age >= first) & (age > 0) & ((age - first) % bindningstid == 0)


def ladder_weights(rates: np.ndarray, bindningstid: int) -> np.ndarray:
    """W_new[i, j]: interest in year j per mnkr of net new borrowing in year i, taken up as a ladder (equal parts
    first repriced after 1, 2, …, bindningstid years)."""
    return np.mean([tranche_weights(rates, bindningstid, k) for k in range(1, bindningstid + 1)], axis=0)


def ladder_repriced(n: int, bindningstid: int) -> np.ndarray:
    """R_new[i, j]: the share of year i's net new borrowing that gets a new rate in year j (1/bindningstid a year)."""
    return np.mean([repriced_weights(n, bindningstid, k) for k in range(1, bindningstid + 1)], axis=0)


@dataclass(frozen=True)
class DebtPath:
    debt: np.ndarray  # räntebärande skuld at the end of each year
    interest: np.ndarray  # räntekostnader per year
    repriced_share: np.ndarray  # share of the year's opening debt that got a new rate during it (net of repayment)


def opening_ladder(opening: float, years: int, bindningstid: int, max_share: float) -> np.ndarray:
    """The opening debt still at its old rate at the end of each year: it falls by min(1/bindningstid, max_share) of
    the opening debt a year."""
    step = min(1.0 / bindningstid, max_share)
    return opening * np.clip(1.0 - step * np.arange(1, years + 1), 0.0, 1.0)


def debt_path(opening: float, old_rate: float, borrowing: np.ndarray, rates: np.ndarray, bindningstid: int,
              max_share: float) -> DebtPath:
    """The debt portfolio over the years of `borrowing` (lånebehov per year), `rates` = market rate + margin."""
    n = len(borrowing)
    old = opening_ladder(opening, n, bindningstid, max_share)
    old_before = np.concatenate(([opening], old[:-1]))
    step = old_before - old  # the opening debt repriced in each year
    interest = (old_rate * (old_before + old) / 2 + step @ tranche_weights(rates, bindningstid)
                + borrowing @ ladder_weights(rates, bindningstid))
    debt = opening + np.cumsum(borrowing)
    # what gets a new rate: the opening ladder's step and the parts at their anniversary, less what is repaid out of
    # them (a repayment at a year's rate is, from then on, the same as not refinancing that much of what matures)
    repriced = (step + step @ repriced_weights(n, bindningstid) + borrowing @ ladder_repriced(n, bindningstid)
                + np.minimum(borrowing, 0.0))
    debt_before = np.concatenate(([opening], debt[:-1]))
    share = np.divide(repriced, debt_before, out=np.full(n, np.nan), where=debt_before > 1e-6)  # no share of ~0 debt
    return DebtPath(debt, interest, share)


def change_interest(delta_borrowing: np.ndarray, rates: np.ndarray, bindningstid: int) -> np.ndarray:
    """Δ räntekostnader of a change to the plan (rows = changes): its Δ borrowing as new borrowing, by the same rules."""
    return np.asarray(delta_borrowing) @ ladder_weights(rates, bindningstid)
