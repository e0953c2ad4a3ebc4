"""An independent, deliberately plain implementation of docs/berakningsmodell.md §1–4 for one object, month by
month, written from the document and not from invest/engine.py. Tests compare the engine with it."""

from __future__ import annotations


def object_schedule(spend: dict[int, float], drift: tuple[int, int | None] | None, components: list[tuple[float, float]],
                    medfinansiering: float, rate: float, horizon: int, month_default: int = 7,
                    month_after: int = 7, lag: int = 0, bidrag: bool = False) -> dict[int, dict[str, float]]:
    """`drift` None = löpande (each year's spend activated `lag` years later). Components (share, life in years).
    `bidrag`: a bidrag till statlig infrastruktur, all of it recognised at the decision (`drift`), the unpaid part a
    bidragsskuld. Returns year -> the per-objekt columns."""
    tranches = []  # (activation year, activation month, amount)
    for year, amount in spend.items():
        if drift is None:
            tranches.append((year + lag, month_after, amount))
        elif year > drift[0] and not bidrag:
            tranches.append((year, month_after, amount))
        else:
            tranches.append((drift[0], drift[1] or month_default, amount))
    first = min(min(spend), min(ay for ay, _, _ in tranches))
    total = sum(spend.values())
    out = {}
    cum = dict(spend=0.0, act=0.0, dep=0.0, rec=0.0, rel=0.0)
    k_prev = 0.0
    for year in range(first, horizon + 1):
        dep = 0.0
        for month in range(1, 13):
            for ay, am, amount in tranches:
                for share, life in components:
                    n = round(life * 12)
                    if n == 0:
                        continue
                    elapsed = (year - ay) * 12 + (month - am)
                    if 0 <= elapsed < n:
                        dep += amount * share / n
        s = spend.get(year, 0.0)
        cum["spend"] += s
        cum["act"] += sum(a for ay, _, a in tranches if ay == year)
        cum["dep"] += dep
        cum["rec"] += medfinansiering * s / total if total else 0.0
        release = dep * medfinansiering / total if total else 0.0
        cum["rel"] += release
        pa = cum["spend"] - cum["act"]
        owed = max(-pa, 0.0) if bidrag else 0.0  # decided, not yet paid
        pa += owed
        bv = cum["act"] - cum["dep"]
        liab = cum["rec"] - cum["rel"]
        k = pa + bv - liab - owed
        interest = rate * (k_prev + k) / 2
        out[year] = dict(utgift=s, avskrivning=dep, intaktsford_medfinansiering=release, pagaende=pa, bokfort_varde=bv,
                         medfinansieringsskuld=liab, bidragsskuld=owed, bundet_kapital=k, ranta=interest, kapitalkostnad=dep + interest)
        k_prev = k
    return out
