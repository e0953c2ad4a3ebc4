"""The chart of the report: kapitalkostnadernas andel per year against the riktvärde, breach years marked."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from invest.base.atomic import atomic_path  # noqa: E402
from invest.engine.calculation import Calculation  # noqa: E402
from invest.base import swedish  # noqa: E402

OK_COLOUR, BREACH_COLOUR, LINE_COLOUR = "#3b6ea5", "#c0392b", "#222222"


def share_chart(calc: Calculation, targets: list[Path]) -> None:
    t = calc.region.table
    years = t["ar"].to_list()
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=150)
    if calc.region.has_share:
        shares = t["andel"].to_list()
        limit = calc.conventions.riktvarde
        colours = [BREACH_COLOUR if s is not None and s >= limit else OK_COLOUR for s in shares]
        bars = ax.bar(years, [s or 0 for s in shares], color=colours, width=0.7)
        ax.axhline(limit, color=LINE_COLOUR, linestyle="--", linewidth=1.5,
                   label=f"Riktvärde: under {swedish.percent(limit, 0)} av totala intäkter")
        for bar, s in zip(bars, shares):
            if s is not None:
                ax.annotate(swedish.percent(s, 2), (bar.get_x() + bar.get_width() / 2, s), ha="center", va="bottom",
                            fontsize=8, xytext=(0, 2), textcoords="offset points",
                            fontweight="bold" if s >= limit else "normal")
        ax.set_ylim(0, max([limit * 1.25] + [s * 1.15 for s in shares if s is not None]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: swedish.percent(v, 0)))
        ax.set_ylabel("Kapitalkostnader / totala intäkter")
        breach = calc.breach_years()
        handles = [plt.Rectangle((0, 0), 1, 1, color=OK_COLOUR, label="Under riktvärdet"),
                   plt.Rectangle((0, 0), 1, 1, color=BREACH_COLOUR, label="Över riktvärdet")]
        ax.legend(handles=[*handles, *ax.get_legend_handles_labels()[0]], loc="upper left", fontsize=9)
        subtitle = ("Över riktvärdet: " + ", ".join(map(str, breach))) if breach else "Alla år under riktvärdet"
        subtitle += f" · genomsnitt planperioden {swedish.percent(calc.average_share())}"
        ax.set_title(f"Kapitalkostnadernas andel av totala intäkter\n{subtitle}", fontsize=11)
    else:
        ax.bar(years, t["avskrivningar"].to_list(), color=OK_COLOUR, label="Avskrivningar")
        ax.bar(years, t["rantekostnader"].to_list(), bottom=t["avskrivningar"].to_list(), color="#9bb7d4",
               label="Räntekostnader (internränta)")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: swedish.number(v, 0)))
        ax.set_ylabel("mnkr")
        ax.legend(loc="upper left", fontsize=9)
        ax.set_title("Kapitalkostnader per år (planen saknar bladet Region: andelen kan inte beräknas)", fontsize=11)
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years], rotation=45 if len(years) > 15 else 0)
    ax.spines[["top", "right"]].set_visible(False)
    _finish(fig, f"Plan: {calc.plan.file} · parametrar: {calc.models.label}", targets)


def _finish(fig, footer: str, targets: list[Path]) -> None:
    """Source line at the foot, then each target written atomically (PDF without a creation date)."""
    fig.text(0.01, 0.01, footer, fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    for target in targets:
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=target.suffix.lstrip("."), metadata={"CreationDate": None} if target.suffix == ".pdf" else None)
    plt.close(fig)


def comparison_chart(years: list[int], without: list[float], with_: list[float], limit: float, title: str,
                     footer: str, target: Path) -> None:
    """Two share curves (the plan without and with a change) against the riktvärde, years at or above it marked."""
    fig, ax = plt.subplots(figsize=(10, 5), dpi=150)
    ax.plot(years, without, color="#8c8c8c", marker="o", linewidth=2, label="Planen utan förslaget")
    ax.plot(years, with_, color=OK_COLOUR, marker="o", linewidth=2.5, label="Planen med förslaget")
    over = [(y, s) for y, s in zip(years, with_) if s >= limit]
    if over:
        ax.scatter(*zip(*over), color=BREACH_COLOUR, zorder=5, s=60, label="Över riktvärdet med förslaget")
    ax.axhline(limit, color=LINE_COLOUR, linestyle="--", linewidth=1.5,
               label=f"Riktvärde: under {swedish.percent(limit, 0)} av totala intäkter")
    for y, s in zip(years, with_):
        ax.annotate(swedish.percent(s, 2), (y, s), ha="center", va="bottom", fontsize=8, xytext=(0, 6),
                    textcoords="offset points", fontweight="bold" if s >= limit else "normal")
    low = min([*without, *with_, limit])
    high = max([*without, *with_, limit])
    pad = max((high - low) * 0.25, 0.002)
    ax.set_ylim(max(low - pad, 0), high + pad)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: swedish.percent(v, 1)))
    ax.set_ylabel("Kapitalkostnader / totala intäkter")
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years])
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(title, fontsize=11)
    _finish(fig, footer, [target])
