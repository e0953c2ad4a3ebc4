"""The region's debt as a portfolio of fixed-rate tranches (docs/berakningsmodell.md §4.2).

Each year's flow — net new borrowing plus the part of the opening debt that is repriced that year — is fixed at
that year's market rate + margin for `bindningstid` years, then repriced at the rate of its new year, and so on.
A flow enters in the middle of its year (half a year's interest), and so does each repricing. The opening debt is a
ladder that reprices 1/bindningstid a year, never more than `omsattning`. For given rate paths the interest is
linear in the flows: interest = flows @ W, so a change to the plan costs exactly W applied to its Δ borrowing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def tranche_weights(rates: np.ndarray, bindningstid: int) -> np.ndarray:
    """W[i, j]: interest in year j per mnkr borrowed (or repriced) in year i, with rates[i] the rate fixed in year i."""
    n = len(rates)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    age = j - i
    fixed_in = i + bindningstid * (np.maximum(age, 0) // bindningstid)  # the year whose rate holds at the start of j
    held = rates[np.clip(fixed_in, 0, n - 1)]
    previous = rates[np.clip(fixed_in - bindningstid, 0, n - 1)]
    repriced_mid_year = (age > 0) & (age % bindningstid == 0)  # half the year at the old rate, half at the new
    w = np.where(repriced_mid_year, (previous + held) / 2, held)
    w = np.where(age == 0, rates[i] / 2, w)
    return np.where(age < 0, 0.0, w)


def repriced_weights(n: int, bindningstid: int) -> np.ndarray:
    """R[i, j] = 1 when a flow of year i gets a new rate in year j (j > i, every bindningstid years)."""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    age = j - i
    return ((age > 0) & (age % bindningstid == 0)).astype(float)


@dataclass(frozen=True)
class DebtPath:
    debt: np.ndarray  # räntebärande skuld at the end of each year
    interest: np.ndarray  # räntekostnader per year
    repriced_share: np.ndarray  # share of the year's opening debt that got a new rate during it (net of repayment)
    old_debt: np.ndarray  # the opening debt still at its original rate at the end of each year


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
    flows = borrowing + (old_before - old)
    interest = old_rate * (old_before + old) / 2 + flows @ tranche_weights(rates, bindningstid)
    debt = opening + np.cumsum(borrowing)
    # what gets a new rate: the ladder's step and the tranches at their anniversary, less what is repaid out of them
    # (a repayment at a year's rate is, from then on, the same as not refinancing that much of what matures)
    repriced = (old_before - old) + flows @ repriced_weights(n, bindningstid) + np.minimum(borrowing, 0.0)
    debt_before = np.concatenate(([opening], debt[:-1]))
    share = np.divide(repriced, debt_before, out=np.full(n, np.nan), where=debt_before > 1e-6)  # no share of ~0 debt
    return DebtPath(debt, interest, share, old)


def change_interest(delta_borrowing: np.ndarray, rates: np.ndarray, bindningstid: int) -> np.ndarray:
    """Δ räntekostnader of a change to the plan (rows = changes): its Δ borrowing as new tranches, by the same rules."""
    return np.asarray(delta_borrowing) @ tranche_weights(rates, bindningstid)
